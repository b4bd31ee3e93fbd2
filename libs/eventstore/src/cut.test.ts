import { describe, expect, it } from 'vitest';
import { formatAsOf, parseAsOf } from './cut.js';

describe('parseAsOf', () => {
  it('reads an ISO time, a cut as text or JSON, and nothing else', () => {
    expect(parseAsOf('2026-11-30T12:00:00Z')).toEqual(new Date('2026-11-30T12:00:00Z'));
    expect(parseAsOf('hvs:12,mail:3,nvm:40')).toEqual({ hvs: 12, mail: 3, nvm: 40 });
    expect(parseAsOf('{"nvm":7}')).toEqual({ nvm: 7 });
    expect(parseAsOf('12345')).toBeUndefined();
    expect(parseAsOf('hvs:-1')).toBeUndefined();
    expect(parseAsOf('{"foo":1}')).toBeUndefined();
    expect(parseAsOf('2026-13-45')).toBeUndefined();
  });

  it('formats what it reads back', () => {
    expect(parseAsOf(formatAsOf({ hvs: 1, nvm: 2 }))).toEqual({ hvs: 1, nvm: 2 });
    const t = new Date('2026-01-02T03:04:05.006Z');
    expect(parseAsOf(formatAsOf(t))).toEqual(t);
  });
});
