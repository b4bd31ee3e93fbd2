// The context of one API call: its correlation id, carried to every event the call appends, and the last event it
// appended, which caused the next.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface CallContext {
  /** One per API call (an HTTP request's X-Request-Id, an MCP request, one library call). */
  readonly correlationId: string;
  /** The last event this call appended: the causation id of the events it appends next. */
  lastEventId?: string;
}

const calls = new AsyncLocalStorage<CallContext>();

/** Correlation ids travel in a NATS header: a bounded, printable token. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:\-]{1,128}$/;

/**
 * Runs `fn` as one call: every event appended inside it, through any number of awaits, carries the same correlation
 * id, and each append names the previous one's last event as its cause. Nested calls join the outer call unless
 * they name an id of their own.
 */
export function withCall<T>(fn: () => T, correlationId?: string): T {
  const outer = calls.getStore();
  if (outer && correlationId === undefined) return fn();
  const id = correlationId !== undefined && CORRELATION_ID_PATTERN.test(correlationId) ? correlationId : randomUUID();
  return calls.run({ correlationId: id }, fn);
}

/** The call being served, if any. */
export function currentCall(): CallContext | undefined {
  return calls.getStore();
}
