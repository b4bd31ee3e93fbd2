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

/** A handler for GET and HEAD of dashboard paths; a 503 naming the fix when the dashboard was not built. */
export function dashboardHandler(dir = dashboardDir()): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let serve: RequestHandler | undefined;
  return async (req, res) => {
    if (!serve) {
      if (!dir || !existsSync(join(dir, 'index.html'))) {
        throw new HttpError(
          503,
          'DASHBOARD_NOT_BUILT',
          `the dashboard is not built (no ${dir ?? 'apps/dashboard/dist'}): run \`npm run build\``,
        );
      }
      serve = sirv(dir, {
        single: true,
        etag: true,
        dotfiles: false,
        setHeaders: (r, pathname) => {
          for (const [k, v] of Object.entries(SECURITY_HEADERS)) r.setHeader(k, v);
          // Vite names assets by content hash: they never change. The page itself must be revalidated.
          r.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
    }
    const handler = serve;
    await new Promise<void>((resolve) => {
      res.once('close', resolve);
      res.once('finish', resolve);
      handler(req, res, () => {
        // Not a file and not a page (single-page fallback covers paths without an extension): a plain 404.
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      });
    });
  };
}
