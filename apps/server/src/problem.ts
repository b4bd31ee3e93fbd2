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
  const issues = error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  return new HttpError(
    400,
    'INVALID_REQUEST',
    `invalid ${where}: ${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    issues,
  );
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
