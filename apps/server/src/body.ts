// Request bodies, before and while Fastify reads them: exact media types, the declared size, the byte budget, idle and
// total deadlines; and the strict JSON parser (UTF-8, depth-bounded, no __proto__).
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { jsonShapeProblem, MAX_JSON_DEPTH } from '@hvs-nvm/hvs';
import type { BudgetLease } from './budget.js';
import { HttpError } from './problem.js';

/** What every JSON route takes. A route may add others (`application/json-patch+json`) by declaring them. */
export const JSON_MEDIA_TYPES = ['application/json'] as const;

/**
 * The media type of a Content-Type header when it is one of `accepted`, with no parameter but an optional
 * `charset=utf-8`; else undefined. Exact: `application/json.evil`, `application/json-seq` and
 * `application/jsonx` are other types, and a body in another charset would be decoded wrongly.
 */
export function acceptedMediaType(header: string | undefined, accepted: readonly string[]): string | undefined {
  if (header === undefined) return undefined;
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (!accepted.includes(type) || params.length > 1) return undefined;
  if (params.length === 1 && !/^charset=(utf-8|"utf-8")$/.test(params[0]!)) return undefined;
  return type;
}

export interface BodyLimits {
  maxBytes: number;
  /** Longest wait for the next chunk of the body. */
  idleTimeoutMs: number;
  /** Longest time to receive the whole body. */
  timeoutMs: number;
}

const hasBody = (req: IncomingMessage) =>
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;

/**
 * Admits a request's body before a byte of it is read, and returns the stream Fastify reads it from. Refused: another
 * media type or a content encoding (415), a Content-Length over the limit (413), over the byte budget (429/503). As
 * it arrives, bytes beyond the Content-Length are charged to the budget, and a body that pauses longer than the idle
 * timeout or takes longer than the total one fails with 408 (the connection is then closed).
 */
export function guardBody(
  req: IncomingMessage,
  payload: Readable,
  accepted: readonly string[],
  limits: BodyLimits,
  lease: BudgetLease,
): Readable {
  if (!hasBody(req)) return payload;
  const type = req.headers['content-type'];
  if (acceptedMediaType(type, accepted) === undefined) {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as ${accepted.join(' or ')} (charset utf-8 if any), not '${type ?? 'no content type'}'`,
    );
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `content-encoding '${encoding}' is not supported; send the body uncompressed`);
  }
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && declared > limits.maxBytes) {
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is ${declared} bytes, more than the limit of ${limits.maxBytes} bytes`);
  }
  // Charged before a byte is read: a refused request costs no memory.
  if (declared !== undefined) lease.take(declared);
  const fail = (err: Error) => {
    payload.unpipe(guard);
    payload.pause();
    guard.destroy(err);
  };
  const timedOut = (what: string) => fail(new HttpError(408, 'REQUEST_TIMEOUT', what));
  const idle = setTimeout(() => timedOut(`no part of the body arrived for ${limits.idleTimeoutMs} ms`), limits.idleTimeoutMs);
  const deadline = setTimeout(() => timedOut(`the body did not arrive within ${limits.timeoutMs} ms`), limits.timeoutMs);
  const guard = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      idle.refresh();
      if (declared === undefined) {
        try {
          lease.take(chunk.length);
        } catch (err) {
          callback(err as Error);
          return;
        }
      }
      callback(null, chunk);
    },
  });
  const stop = () => {
    clearTimeout(idle);
    clearTimeout(deadline);
  };
  guard.once('end', stop).once('close', stop);
  payload.once('error', (err) => fail(new HttpError(400, 'BODY_ABORTED', `the body could not be read: ${err.message}`)));
  payload.once('close', () => {
    if (!req.complete) fail(new HttpError(400, 'BODY_ABORTED', 'the client closed the connection before the body was complete'));
  });
  return payload.pipe(guard);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as JSON (undefined when empty). Refused: not UTF-8 or not JSON (400 INVALID_JSON), nested deeper than
 * MAX_JSON_DEPTH (400 JSON_TOO_DEEP) or holding a `__proto__` key (400 FORBIDDEN_KEY, with its path) — before any
 * recursive code or schema sees it.
 */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes)) as unknown;
  } catch (err) {
    throw new HttpError(400, 'INVALID_JSON', `the body is not valid UTF-8 JSON: ${(err as Error).message}`);
  }
  const shape = jsonShapeProblem(value, 'body', MAX_JSON_DEPTH);
  if (shape) throw new HttpError(400, shape.kind === 'depth' ? 'JSON_TOO_DEEP' : 'FORBIDDEN_KEY', shape.message);
  return value;
}
