// Unit tests of who a request's caller is: no tokens, the admin token, and per-agent tokens bound to their agent.
import { describe, expect, it } from 'vitest';
import { assertActsAsItself, AgentTokensSchema, Authenticator, newAgentToken } from './auth.js';

const ADMIN = 'admin-token-0123456789';
const ALICE = 'alice-token-0123456789';
const MALLORY = 'mallory-token-0123456789';
const bearer = (token: string, actor?: string) => ({ authorization: `Bearer ${token}`, ...(actor ? { 'x-hvs-actor': actor } : {}) });

describe('Authenticator', () => {
  it('without tokens everyone is the operator, acting as the agent the header names', () => {
    const auth = new Authenticator();
    expect(auth.required).toBe(false);
    expect(auth.authenticate({})).toEqual({ kind: 'operator' });
    expect(auth.authenticate({ 'x-hvs-actor': 'bob' })).toEqual({ kind: 'operator', actor: 'bob' });
  });

  it('the admin token is the trusted operator, who may name any actor', () => {
    const auth = new Authenticator(ADMIN, { [ALICE]: 'alice' });
    expect(auth.authenticate(bearer(ADMIN))).toEqual({ kind: 'operator' });
    expect(auth.authenticate(bearer(ADMIN, 'alice'))).toEqual({ kind: 'operator', actor: 'alice' });
  });

  it('an agent token is its agent: the header may repeat it but not name anyone else', () => {
    const auth = new Authenticator(ADMIN, { [ALICE]: 'alice', [MALLORY]: 'mallory' });
    expect(auth.authenticate(bearer(MALLORY))).toEqual({ kind: 'agent', actor: 'mallory' });
    expect(auth.authenticate(bearer(MALLORY, 'mallory'))).toEqual({ kind: 'agent', actor: 'mallory' });
    expect(() => auth.authenticate(bearer(MALLORY, 'alice'))).toThrow(expect.objectContaining({ status: 403, code: 'ACTOR_MISMATCH' }));
  });

  it('a missing or unknown token is a 401 once any token is configured', () => {
    const auth = new Authenticator(undefined, { [ALICE]: 'alice' });
    expect(auth.required).toBe(true);
    expect(() => auth.authenticate({})).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => auth.authenticate(bearer('not-a-known-token-at-all'))).toThrow(
      expect.objectContaining({ status: 401, code: 'UNAUTHORIZED' }),
    );
    expect(() => auth.authenticate(bearer(ADMIN))).toThrow(expect.objectContaining({ status: 401 }));
  });

  it('refuses an admin token that is also an agent token', () => {
    expect(() => new Authenticator(ADMIN, { [ADMIN]: 'alice' })).toThrow(expect.objectContaining({ code: 'INVALID_AGENT_TOKENS' }));
  });
});

describe('agent tokens', () => {
  it('a tokens file maps tokens of at least 16 characters to agent ids, and is not empty', () => {
    expect(AgentTokensSchema.safeParse({ [ALICE]: 'alice' }).success).toBe(true);
    expect(AgentTokensSchema.safeParse({ short: 'alice' }).success).toBe(false);
    expect(AgentTokensSchema.safeParse({ [ALICE]: '' }).success).toBe(false);
    expect(AgentTokensSchema.safeParse({}).success).toBe(false);
    expect(AgentTokensSchema.safeParse([ALICE]).success).toBe(false);
  });

  it('generated tokens are long, URL-safe and distinct', () => {
    const a = newAgentToken();
    expect(a).toMatch(/^hvsa_[A-Za-z0-9_-]{43}$/);
    expect(newAgentToken()).not.toBe(a);
  });

  it('an agent acts only as itself; the operator as anyone', () => {
    expect(() => assertActsAsItself({ kind: 'agent', actor: 'mallory' }, 'alice', 'send messages as')).toThrow(
      expect.objectContaining({ status: 403, code: 'PERMISSION_DENIED' }),
    );
    expect(() => assertActsAsItself({ kind: 'agent', actor: 'alice' }, 'alice', 'send messages as')).not.toThrow();
    expect(() => assertActsAsItself({ kind: 'operator' }, 'alice', 'send messages as')).not.toThrow();
  });
});
