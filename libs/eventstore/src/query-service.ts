// Read models over NATS request/reply: the service side (a micro service in a queue group, so replicas share the load
// and one can die) and the client side (a request retried on another replica). Payloads use the event codec.
import type { NatsConnection } from '@nats-io/nats-core';
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { decodeEventData, encodeEventData } from '@hvs-nvm/events';

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
  /** Turns whatever a handler threw into the error the client will see. */
  toWireError: (err: unknown) => WireError['error'];
}

/** A micro service whose endpoints decode their arguments, run a handler, and reply with its result or its error. */
export class QueryService {
  private constructor(
    readonly service: Service,
    private readonly toWireError: QueryServiceOptions['toWireError'],
  ) {}

  static async add(nc: NatsConnection, options: QueryServiceOptions): Promise<QueryService> {
    const service = await new Svcm(nc).add({
      name: options.name,
      version: options.version ?? '0.1.0',
      description: options.description,
      queue: options.queue,
    });
    return new QueryService(service, options.toWireError);
  }

  endpoint(name: string, subject: string, handler: (args: Record<string, unknown>) => Promise<unknown>): void {
    this.service.addEndpoint(name, {
      subject,
      handler: (err: Error | null, msg: ServiceMsg) => {
        if (err) return;
        void (async () => {
          let reply: unknown;
          try {
            reply = await handler(decodeEventData(msg.data) as Record<string, unknown>);
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
 * backoff (another replica of the queue group answers); after that the last NATS error is thrown.
 */
export async function requestQuery(nc: NatsConnection, subject: string, args: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      const msg = await nc.request(subject, encodeEventData(args), { timeout: timeoutMs });
      return decodeEventData(msg.data);
    } catch (err) {
      const name = (err as Error).name;
      if (attempt < 5 && (name === 'NoRespondersError' || name === 'TimeoutError' || name === 'RequestError')) {
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      throw err;
    }
  }
}
