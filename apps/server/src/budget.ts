// How many bytes of request bodies the server holds at once, in all and per agent: over the limit is a 429 or 503.
import { HttpError } from './problem.js';

/** Over a limit that frees up by itself: the client should retry after `retryAfterSeconds` (sent as Retry-After). */
export class RetryLaterError extends HttpError {
  constructor(
    status: 429 | 503,
    code: string,
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(status, code, message);
  }
}

/** One request's share of the budget: `take` as bytes arrive (or up front, from Content-Length), `release` once done. */
export interface BudgetLease {
  take(bytes: number): void;
  release(): void;
}

/**
 * Bytes of request bodies being read or handled, server-wide and per agent. A body is charged from its first byte
 * (or its Content-Length) until its response has gone, because the parsed request lives that long. The trusted
 * operator is bounded by the server-wide limit only; each agent token also by its own, so one agent cannot take
 * the whole server.
 */
export class BodyBudget {
  private inFlightBytes = 0;
  private readonly byCaller = new Map<string, number>();

  constructor(
    readonly maxInFlightBytes: number,
    readonly maxCallerBytes: number,
  ) {}

  get usedBytes(): number {
    return this.inFlightBytes;
  }

  /** A lease charged to `caller` (an agent id), or to nobody in particular (the operator) when undefined. */
  lease(caller: string | undefined): BudgetLease {
    let taken = 0;
    return {
      take: (bytes) => {
        this.reserve(caller, bytes);
        taken += bytes;
      },
      release: () => {
        this.free(caller, taken);
        taken = 0;
      },
    };
  }

  private reserve(caller: string | undefined, bytes: number): void {
    if (caller !== undefined) {
      const mine = this.byCaller.get(caller) ?? 0;
      if (mine + bytes > this.maxCallerBytes) {
        throw new RetryLaterError(
          429,
          'TOO_MANY_REQUESTS',
          `agent '${caller}' already has ${mine} bytes of request bodies in flight; the limit per agent is ${this.maxCallerBytes} bytes`,
        );
      }
    }
    if (this.inFlightBytes + bytes > this.maxInFlightBytes) {
      throw new RetryLaterError(
        503,
        'SERVER_BUSY',
        `the server already holds ${this.inFlightBytes} bytes of request bodies; the limit is ${this.maxInFlightBytes} bytes`,
      );
    }
    this.inFlightBytes += bytes;
    if (caller !== undefined) this.byCaller.set(caller, (this.byCaller.get(caller) ?? 0) + bytes);
  }

  private free(caller: string | undefined, bytes: number): void {
    if (bytes === 0) return;
    this.inFlightBytes -= bytes;
    if (caller === undefined) return;
    const left = (this.byCaller.get(caller) ?? 0) - bytes;
    if (left > 0) this.byCaller.set(caller, left);
    else this.byCaller.delete(caller);
  }
}
