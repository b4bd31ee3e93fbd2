// The web dashboard's files (apps/dashboard's build) served at `/`: content types, ETags, hashed assets cached for
// good, and a single-page fallback to index.html. The files hold no data: every API call they make carries a token.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sirv, { type RequestHandler } from 'sirv';
import { HttpError } from './problem.js';

/** Paths that are the API's, never the dashboard's (a typo there is a JSON 404, not the HTML page). */
export function isDashboardPath(pathname: string): boolean {
  return !(pathname.startsWith('/v1/') || pathname === '/v1' || pathname === '/mcp' || pathname === '/openapi.json');
}

/** Where `npm run build` puts the dashboard (apps/dashboard/dist), found through its package. */
export function dashboardDir(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@hvs-nvm/dashboard/package.json');
    return join(dirname(pkg), 'dist');
  } catch {
    return undefined;
  }
}

/**
 * The dashboard's policy: its own scripts, styles and API only (no CDN, nothing inline), and never framed. The
 * page keeps the token in sessionStorage, so a script injected from elsewhere is what this keeps out.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

export interface DashboardFiles {
  /** Throws the 503 naming the fix when the dashboard was not built (before anything is written to the response). */
  assertBuilt(): void;
  /** Serves a GET or HEAD of a dashboard path; resolves once the response has ended. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** The dashboard's files: GET and HEAD of its paths, with a 503 naming the fix when it was not built. */
export function dashboardFiles(dir = dashboardDir()): DashboardFiles {
  let handler: RequestHandler | undefined;
  const assertBuilt = (): RequestHandler => {
    if (handler) return handler;
    if (!dir || !existsSync(join(dir, 'index.html'))) {
      throw new HttpError(
        503,
        'DASHBOARD_NOT_BUILT',
        `the dashboard is not built (no ${dir ?? 'apps/dashboard/dist'}): run \`npm run build\``,
      );
    }
    handler = sirv(dir, {
      single: true,
      etag: true,
      dotfiles: false,
      setHeaders: (r, pathname) => {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) r.setHeader(k, v);
        // Vite names assets by content hash: they never change. The page itself must be revalidated.
        r.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    return handler;
  };
  return {
    assertBuilt: () => void assertBuilt(),
    serve: (req, res) => {
      const serve = assertBuilt();
      return new Promise<void>((resolve) => {
        res.once('close', resolve);
        res.once('finish', resolve);
        serve(req, res, () => {
          // Not a file and not a page (single-page fallback covers paths without an extension): a plain 404.
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        });
      });
    },
  };
}
