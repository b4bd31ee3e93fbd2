import { describe, expect, it } from 'vitest';
import { excerpt, formatBytes, pretty } from './format.js';

describe('formatting', () => {
  it('byte sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
  });

  it('an excerpt is one line of JSON, cut with an ellipsis', () => {
    expect(excerpt({ a: 1 })).toBe('{"a":1}');
    expect(excerpt('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('JSON content is pretty-printed, other text left as it is', () => {
    expect(pretty('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(pretty('# not JSON')).toBe('# not JSON');
  });
});
