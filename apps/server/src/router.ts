// Matching a request to the route table: the most specific path template wins; 405 with Allow; HEAD for GET.
import type { Route } from './routes.js';
import { HttpError } from './problem.js';

export interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
  /** Literal (non-parameter) segments: the more, the more specific the path. */
  literals: number;
}

/** Compiled most specific first, so `/v1/vectors/search` is found before `/v1/vectors/{id}` can claim it. */
export function compileRoutes(list: Route[]): CompiledRoute[] {
  const compiled = list.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const literals = route.path.split('/').filter((seg) => seg !== '' && !seg.startsWith('{')).length;
    return { route, pattern: new RegExp(`^${source}$`), names, literals };
  });
  // Array.prototype.sort is stable: routes of equal specificity keep their declared order.
  return compiled.sort((a, b) => b.literals - a.literals);
}

export type Resolution =
  | { kind: 'route'; route: Route; params: Record<string, string>; head: boolean }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/**
 * The route for a request. The most specific path template matching the URL names the resource; a method it does
 * not serve is a 405 with the methods it does (never a fall-through to a less specific template). HEAD runs the GET
 * route without sending its body, unless that GET changes state. Percent-escapes in parameters are decoded; a bad
 * escape is a 400.
 */
export function resolveRoute(table: CompiledRoute[], method: string, pathname: string): Resolution {
  let template: string | undefined;
  let match: RegExpExecArray | null = null;
  for (const c of table) {
    match = c.pattern.exec(pathname);
    if (match) {
      template = c.route.path;
      break;
    }
  }
  if (!template || !match) return { kind: 'not-found' };
  const candidates = table.filter((c) => c.route.path === template);
  const wanted = method === 'HEAD' ? 'GET' : method;
  const found = candidates.find((c) => c.route.method === wanted && !(method === 'HEAD' && c.route.sideEffects));
  if (!found) {
    const allow = candidates.flatMap((c) => (c.route.method === 'GET' && !c.route.sideEffects ? ['GET', 'HEAD'] : [c.route.method]));
    return { kind: 'method-not-allowed', allow };
  }
  const params: Record<string, string> = {};
  found.names.forEach((name, i) => {
    const raw = match[i + 1]!;
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'INVALID_PATH', `the path parameter ${name} '${raw}' is not valid percent-encoding`);
    }
  });
  return { kind: 'route', route: found.route, params, head: method === 'HEAD' };
}
