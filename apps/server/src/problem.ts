// Turns any thrown value into an RFC 9457 problem: typed errors keep their code and status, the rest become a bare 500.
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { CodedError } from '@hvs-nvm/events';
import type { Problem } from './schemas.js';

/** An error raised by the HTTP layer itself (bad JSON, unknown route, no token), shaped like the libs' errors. */
export class HttpError extends CodedError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(code, message, status);
  }
}

/** Every error of our libs carries a stable `code` string and the HTTP `status` it maps to. */
function isTypedError(err: unknown): err is Error & { code: string; status: number } {
  if (!(err instanceof Error)) return false;
  const { code, status } = err as { code?: unknown; status?: unknown };
  return typeof code === 'string' && typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 600;
}

export function validationError(error: z.ZodError, where: string): HttpError {
  return issuesError(
    error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
    where,
  );
}

const WHERE: Record<string, string> = { body: 'body', querystring: 'query string', params: 'path', headers: 'headers' };

function issuesError(issues: { path: string; message: string }[], where: string): HttpError {
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  return new HttpError(
    400,
    'INVALID_REQUEST',
    `invalid ${where}: ${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    issues,
  );
}

/**
 * Fastify's own errors as ours: schema validation (400 INVALID_REQUEST with the bad paths), a body over the limit
 * (413), an unknown media type (415), a body shorter or longer than its Content-Length (400); any other 4xx keeps its
 * status. Everything else passes through unchanged.
 */
export function fromFrameworkError(err: unknown, limits: { maxBytes: number }): unknown {
  if (err instanceof CodedError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: unknown; statusCode?: unknown; validation?: unknown; validationContext?: unknown };
  if (Array.isArray(e.validation)) {
    const issues = (e.validation as { instancePath?: string; message?: string }[]).map((v) => ({
      path: (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.') || '(root)',
      message: v.message ?? 'invalid',
    }));
    return issuesError(issues, WHERE[String(e.validationContext)] ?? 'request');
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is more than the limit of ${limits.maxBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json (charset utf-8 if any)');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'INVALID_CONTENT_LENGTH', 'the body is not as long as its Content-Length says');
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpError(e.statusCode, typeof e.code === 'string' ? e.code.replace(/^FST_ERR_/, '') : 'BAD_REQUEST', e.message);
  }
  return err;
}

export function toProblem(err: unknown): Problem {
  if (err instanceof z.ZodError) return toProblem(validationError(err, 'request'));
  if (err instanceof HttpError || isTypedError(err)) {
    const problem: Problem = {
      type: `urn:hvs-nvm:problem:${err.code}`,
      title: STATUS_CODES[err.status] ?? 'Error',
      status: err.status,
      detail: err.message,
      code: err.code,
    };
    if (err instanceof HttpError && err.issues) problem.issues = err.issues;
    return problem;
  }
  // Unknown errors may carry internals (paths, stack, connection strings): never echo them.
  return {
    type: 'urn:hvs-nvm:problem:INTERNAL',
    title: STATUS_CODES[500]!,
    status: 500,
    detail: 'an internal error occurred; see the server log',
    code: 'INTERNAL',
  };
}

/** The exit-code class of an error for the CLI and the isError text for MCP: code and message, never a stack. */
export function describeError(err: unknown): { code: string; status: number; message: string } {
  const p = toProblem(err);
  return { code: p.code, status: p.status, message: p.detail };
}
