// One HTTP route: method, path, zod schemas of params/query/body/response, and the Api call it makes; with the
// conditional-request helpers the route tables share.
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { Api } from './api.js';
import type { Caller } from './auth.js';
import { digestTag, ifMatchHits, PreconditionFailedError, versionTag } from './preconditions.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type AnyObject = z.ZodObject;

export interface RouteContext<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  api: Api;
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** Who is calling (from the bearer token and X-HVS-Actor): whose permissions apply. */
  caller: Caller;
  /** The request's headers (If-Match for conditional writes). */
  headers: IncomingHttpHeaders;
  /** Resolves true once this route's successful response has been written out in full, false if it never was. */
  sent: () => Promise<boolean>;
}

export interface Route {
  method: Method;
  /** OpenAPI-style path: `/v1/vectors/{id}`. */
  path: string;
  summary: string;
  tag: string;
  params?: AnyObject;
  query?: AnyObject;
  body?: z.ZodType;
  /** Media types the body may be sent as (default: application/json); any other is a 415. */
  bodyTypes?: readonly string[];
  response?: z.ZodType;
  /** Status on success (default 200; 204 sends no body). */
  status?: number;
  /** The status for a given result, where it depends on it (health: 503 when degraded). */
  statusOf?: (result: unknown) => number;
  /** A GET that changes state (taking messages from a mailbox): HEAD must not run it. */
  sideEffects?: true;
  /** The strong entity tag of the result, sent as ETag; on GET, a matching If-None-Match is answered 304. */
  etag?: (result: unknown) => string;
  /** The route honours If-Match (412 when it does not match). */
  conditional?: true;
  /**
   * Error statuses it returns beyond those its shape implies (400/401/403/405 always; 404 with path parameters; 412
   * when conditional; 408/413/415/429/503 with a body): named in the OpenAPI document.
   */
  errors?: readonly number[];
  handle(ctx: RouteContext<AnyObject, AnyObject, z.ZodType>): Promise<unknown> | unknown;
}

type Empty = z.ZodObject<Record<never, never>>;

/** Declares a route with its schemas, so the handler sees the parsed types. */
export function route<P extends AnyObject = Empty, Q extends AnyObject = Empty, B extends z.ZodType = z.ZodUndefined>(
  r: Omit<Route, 'params' | 'query' | 'body' | 'handle'> & {
    params?: P;
    query?: Q;
    body?: B;
    handle(ctx: RouteContext<P, Q, B>): Promise<unknown> | unknown;
  },
): Route {
  return r as unknown as Route;
}

/** One header's value; repeated headers joined as one list, as RFC 9110 §5.3 allows for list-valued fields. */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export const blockTag = (result: unknown) => versionTag((result as { version: number }).version);
export const vectorTag = (result: unknown) => digestTag(result);

/** The current entity tag of a resource, or undefined when it does not exist (a 404 from `read`). */
async function currentTag(read: () => Promise<unknown>, tag: (r: unknown) => string): Promise<string | undefined> {
  try {
    return tag(await read());
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return undefined;
    throw err;
  }
}

/**
 * Checks If-Match against the current representation before a write that cannot be made conditional atomically
 * (a delete, or a tag that names no single version); returns the current tag.
 */
export async function checkIfMatch(
  headers: IncomingHttpHeaders,
  what: string,
  read: () => Promise<unknown>,
  tag: (r: unknown) => string,
): Promise<string | undefined> {
  const ifMatch = headerOf(headers, 'if-match');
  if (ifMatch === undefined) return undefined;
  const current = await currentTag(read, tag);
  if (!ifMatchHits(ifMatch, current)) throw new PreconditionFailedError(what, ifMatch, current);
  return current;
}

/**
 * The routes of `table` again under `/v1/<scope>/{name}/…` (`/v1/collections/{name}/vectors`), each with the same
 * handler on the Api `api` scopes to that name, the `{name}` parameter and the errors a scope adds.
 */
export function scopedRoutes(
  table: readonly Route[],
  scope: {
    segment: string;
    what: string;
    params: AnyObject;
    errors: number[];
    api: (api: Api, name: string) => Api;
  },
): Route[] {
  return table.map((r): Route => ({
    ...r,
    path: r.path.replace(/^\/v1\//, `/v1/${scope.segment}/{name}/`),
    summary: `${r.summary}, in a ${scope.what}`,
    params: r.params ? r.params.extend(scope.params.shape) : scope.params,
    errors: [...new Set([...(r.errors ?? []), ...scope.errors])],
    handle: (ctx) => r.handle({ ...ctx, api: scope.api(ctx.api, (ctx.params as { name: string }).name) }),
  }));
}
