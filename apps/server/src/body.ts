// Reads a JSON request body: exact media types, a size limit, the byte budget, idle and total deadlines, strict JSON.
import type { IncomingMessage } from 'node:http';
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

/** A body that stopped arriving: 408, and the connection is closed. */
function timedOut(what: string): HttpError {
  return new HttpError(408, 'REQUEST_TIMEOUT', what);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes of the body, charged to `lease` as they arrive (or all at once from Content-Length). */
function readBytes(req: IncomingMessage, limits: BodyLimits, lease: BudgetLease): Promise<Buffer> {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && declared > limits.maxBytes) {
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is ${declared} bytes, more than the limit of ${limits.maxBytes} bytes`);
  }
  // Charged before a byte is read: a refused request costs no memory.
  if (declared !== undefined) lease.take(declared);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: Error | undefined, value?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      clearTimeout(deadline);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      // Stop reading: the response says why and closes the connection.
      if (err) {
        req.pause();
        reject(err);
      } else resolve(value!);
    };
    const idle = setTimeout(() => finish(timedOut(`no part of the body arrived for ${limits.idleTimeoutMs} ms`)), limits.idleTimeoutMs);
    const deadline = setTimeout(() => finish(timedOut(`the body did not arrive within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        finish(new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is more than the limit of ${limits.maxBytes} bytes`));
        return;
      }
      if (declared === undefined) {
        try {
          lease.take(chunk.length);
        } catch (err) {
          finish(err as Error);
          return;
        }
      }
      chunks.push(chunk);
      idle.refresh();
    };
    const onEnd = () => finish(undefined, Buffer.concat(chunks, size));
    const onError = (err: Error) => finish(new HttpError(400, 'BODY_ABORTED', `the body could not be read: ${err.message}`));
    const onClose = () => finish(new HttpError(400, 'BODY_ABORTED', 'the client closed the connection before the body was complete'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * The body as JSON (undefined when empty). Refused: another media type or a content encoding (415), too large
 * (413), too slow (408), over the byte budget (429/503), not UTF-8 or not JSON (400 INVALID_JSON), nested deeper
 * than MAX_JSON_DEPTH (400 JSON_TOO_DEEP) or holding a `__proto__` key (400 FORBIDDEN_KEY, with its path) — before
 * any recursive code or schema sees it.
 */
export async function readJsonBody(
  req: IncomingMessage,
  limits: BodyLimits,
  lease: BudgetLease,
  accepted: readonly string[] = JSON_MEDIA_TYPES,
): Promise<unknown> {
  const hasBody =
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
    req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return undefined;
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
  const bytes = await readBytes(req, limits, lease);
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
