// Unit tests of the semantic cache's options, without NATS: the constructor validates before anything is opened.
import { describe, expect, it } from 'vitest';
import { hashingEncoder } from '@hvs-nvm/encoders';
import type { HVS } from '@hvs-nvm/hvs';
import { MAX_TTL_SECONDS, SYSTEM_ACTOR, type NVM } from '@hvs-nvm/nvm';
import { SemanticCache } from './semantic-cache.js';

// Never called: the constructor only validates its options (and that it was given the owner's NVM).
const nvm = { actor: SYSTEM_ACTOR } as NVM;
const hvs = {} as HVS;

describe('SemanticCache options', () => {
  it('a TTL of 1e300 is refused rather than kept as never expiring', () => {
    const encoder = hashingEncoder();
    expect(() => new SemanticCache(nvm, hvs, { encoder, ttlSeconds: 1e300 })).toThrow(expect.objectContaining({ status: 400 }));
    expect(new SemanticCache(nvm, hvs, { encoder, ttlSeconds: MAX_TTL_SECONDS }).ttlSeconds).toBe(MAX_TTL_SECONDS);
  });
});
