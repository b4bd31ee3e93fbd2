// Who is calling: the admin token's trusted operator, or an agent bound to its own token (and the token file format).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { HttpError } from './problem.js';
import { AgentId } from '@hvs-nvm/events';

/**
 * The caller of one request. An operator (the admin token, or anyone when no token is set) is trusted: it may name
 * any agent in X-HVS-Actor for block permissions, send as anyone and read any mailbox. An agent is whoever its
 * token belongs to, and nobody else.
 */
export type Caller = { kind: 'operator'; actor?: string } | { kind: 'agent'; actor: string };

/** The trusted local owner (the CLI, stdio MCP, a server without tokens). */
export const OPERATOR: Caller = { kind: 'operator' };

const TOKEN_MIN_CHARS = 16;
const Token = z.string().min(TOKEN_MIN_CHARS, `a token has at least ${TOKEN_MIN_CHARS} characters`).max(4096);

/** An agent-tokens file: a JSON object from each token to the agent it authenticates (`{"<token>": "alice"}`). */
export const AgentTokensSchema = z
  .record(Token, AgentId)
  .refine((m) => Object.keys(m).length > 0, 'name at least one token')
  .describe('token → agent id');
export type AgentTokens = z.infer<typeof AgentTokensSchema>;

/** Reads and validates an agent-tokens file; a bad file is a 400 (a usage error for the CLI), naming the file. */
export function readAgentTokensFile(path: string): AgentTokens {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, 'INVALID_AGENT_TOKENS', `cannot read the agent tokens in ${path}: ${(err as Error).message}`);
  }
  const parsed = AgentTokensSchema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(400, 'INVALID_AGENT_TOKENS', `${path} is not a JSON object of token → agent id: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** A fresh agent token: 32 random bytes, URL-safe, with a prefix that makes a leaked one easy to grep for. */
export function newAgentToken(): string {
  return `hvsa_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are compared as SHA-256 digests: fixed length for timingSafeEqual, and a map lookup that leaks nothing useful. */
const digest = (token: string) => createHash('sha256').update(token).digest();

export class Authenticator {
  private readonly admin?: Buffer;
  private readonly agents = new Map<string, string>();

  constructor(adminToken?: string, agentTokens: AgentTokens = {}) {
    if (adminToken !== undefined) this.admin = digest(adminToken);
    for (const [token, agent] of Object.entries(agentTokens)) {
      if (token === adminToken)
        throw new HttpError(400, 'INVALID_AGENT_TOKENS', `the admin token is also listed as agent '${agent}'s token`);
      this.agents.set(digest(token).toString('hex'), agent);
    }
  }

  /** True when every request must carry a token. */
  get required(): boolean {
    return this.admin !== undefined || this.agents.size > 0;
  }

  /** The caller of a request, from its bearer token and X-HVS-Actor; throws 401 (no or unknown token) or 403. */
  authenticate(headers: IncomingHttpHeaders): Caller {
    const header = headers['x-hvs-actor'];
    const named = typeof header === 'string' && header !== '' ? header : undefined;
    // Checked before the token: an identity nobody may have is bad input whoever names it (the operator too).
    if (named !== undefined && !AgentId.safeParse(named).success) {
      throw new HttpError(
        400,
        'INVALID_ACTOR',
        `X-HVS-Actor '${named}' is not an agent id (1-128 of A-Z a-z 0-9 _ - : =; 'system' is reserved)`,
      );
    }
    if (!this.required) return named ? { kind: 'operator', actor: named } : OPERATOR;
    const m = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
    if (!m) throw unauthorized();
    const given = digest(m[1]!.trim());
    if (this.admin && timingSafeEqual(given, this.admin)) return named ? { kind: 'operator', actor: named } : OPERATOR;
    const agent = this.agents.get(given.toString('hex'));
    if (agent === undefined) throw unauthorized();
    // The token decides who the agent is; a header naming someone else is an attempt to act as them.
    if (named !== undefined && named !== agent) {
      throw new HttpError(403, 'ACTOR_MISMATCH', `this token belongs to agent '${agent}', which may not act as '${named}' (X-HVS-Actor)`);
    }
    return { kind: 'agent', actor: agent };
  }
}

function unauthorized(): HttpError {
  return new HttpError(401, 'UNAUTHORIZED', 'a valid bearer token is required (Authorization: Bearer <token>)');
}

/** Refuses what an agent may not do as someone else: send as them, or read their mailbox. */
export function assertActsAsItself(caller: Caller, agent: string, what: string): void {
  if (caller.kind === 'agent' && caller.actor !== agent) {
    throw new HttpError(403, 'PERMISSION_DENIED', `agent '${caller.actor}' may not ${what} '${agent}'`);
  }
}
