// Read models over NATS request/reply: the service side (a micro service in a queue group, so replicas share the load
// and one can die) and the client side (a request retried on another replica). Payloads use the event codec.
import type { NatsConnection } from '@nats-io/nats-core';
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { CodedError, decodeEventData, encodeEventData } from '@hvs-nvm/events';
import { isTransient } from './nats-errors.js';
import { createLogger, type Logger } from '@hvs-nvm/runtime';

/**
 * A requester picks its reply subject, and the responder publishes there with its own permissions: answering to
 * `hvs.<collection>.collection` would write into a stream for the caller. Replies go to inboxes only: nats.js's
 * `_INBOX.<nuid>…`, or an agent's own prefix `_INBOX.<agent>.…` (runtime's agentInboxPrefix).
 */
export function isInboxSubject(subject: string | undefined): subject is string {
  return subject !== undefined && /^_INBOX\.[^.\s*>]+(\.[^.\s*>]+)*$/.test(subject);
}

let log: Logger | undefined;
/** Made on first use: the app sets the log level before anything is logged. */
const logger = () => (log ??= createLogger('query-service'));

/** A typed error as it travels in a reply, so the client can raise the same kind of error. */
export interface WireError {
  error: { code: string; status: number; message: string };
}

export function isWireError(x: unknown): x is WireError {
  return typeof x === 'object' && x !== null && 'error' in x;
}

export interface QueryServiceOptions {
  name: string;
  version?: string;
  description: string;
  /** Replicas in one queue group share the requests. */
  queue: string;
  /** Turns whatever a handler threw into the error the client will see (default: a typed error keeps its code and
   * status; anything else is INTERNAL). */
  toWireError?: (err: unknown) => WireError['error'];
}

function defaultWireError(err: unknown): WireError['error'] {
  if (err instanceof CodedError) return { code: err.code, status: err.status, message: err.message };
  return { code: 'INTERNAL', status: 500, message: err instanceof Error ? err.message : 'unknown error' };
}

/** Longest a single attempt of a query waits before it is sent again (to another replica, if one died). */
const ATTEMPT_TIMEOUT_MS = 3000;

/** A micro service whose endpoints decode their arguments, run a handler, and reply with its result or its error. */
export class QueryService {
  private constructor(
    readonly service: Service,
    private readonly toWireError: NonNullable<QueryServiceOptions['toWireError']>,
  ) {}

  static async add(nc: NatsConnection, options: QueryServiceOptions): Promise<QueryService> {
    const service = await new Svcm(nc).add({
      name: options.name,
      version: options.version ?? '0.1.0',
      description: options.description,
      queue: options.queue,
    });
    return new QueryService(service, options.toWireError ?? defaultWireError);
  }

  endpoint(name: string, subject: string, handler: (args: Record<string, unknown>) => Promise<unknown>): void {
    this.service.addEndpoint(name, {
      subject,
      handler: (err: Error | null, msg: ServiceMsg) => {
        // The services library reports a failed subscription here; it has already stopped the endpoint.
        if (err) return;
        if (!isInboxSubject(msg.reply)) {
          // Dropped before any work: no answer is published anywhere but an inbox.
          logger().warn({ subject: msg.subject, reply: msg.reply ?? null }, 'dropped a query whose reply subject is not an inbox');
          return;
        }
        void (async () => {
          let reply: unknown;
          let args: Record<string, unknown>;
          try {
            args = decodeEventData(msg.data) as Record<string, unknown>;
          } catch (e) {
            const message = `undecodable request: ${e instanceof Error ? e.message : 'bad payload'}`;
            msg.respond(encodeEventData({ error: { code: 'INVALID_REQUEST', status: 400, message } } satisfies WireError));
            return;
          }
          try {
            reply = await handler(args);
          } catch (e) {
            reply = { error: this.toWireError(e) } satisfies WireError;
          }
          msg.respond(encodeEventData(reply));
        })();
      },
    });
  }
}

/**
 * Sends a query and decodes the reply. A replica that died mid-request, or none answering yet, is retried with
 * backoff (another replica of the queue group answers); each attempt waits at most 3 s, all of them `timeoutMs`;
 * after that the last NATS error is thrown.
 */
export async function requestQuery(
  nc: NatsConnection,
  subject: string,
  args: Record<string, unknown>,
  timeoutMs: number,
): Promise<unknown> {
  const payload = encodeEventData(args);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const left = deadline - Date.now();
    try {
      const msg = await nc.request(subject, payload, { timeout: Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, left)) });
      return decodeEventData(msg.data);
    } catch (err) {
      const transient = isTransient(err);
      const pause = Math.min(1000, 100 * 2 ** attempt);
      if (transient && Date.now() + pause < deadline) {
        await new Promise((r) => setTimeout(r, pause));
        continue;
      }
      throw err;
    }
  }
}
