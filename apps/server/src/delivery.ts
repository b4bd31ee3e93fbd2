// When a response has reached the caller as far as the server can tell: what decides when handed-out mail is acknowledged.
import type { ServerResponse } from 'node:http';

/**
 * Resolves true once a successful (2xx) response has been written out in full (`finish`: its last byte is handed
 * to the operating system), false if the connection closed first or the response was an error.
 */
export function responseSent(res: ServerResponse): Promise<boolean> {
  const ok = () => res.statusCode >= 200 && res.statusCode < 300;
  if (res.writableFinished) return Promise.resolve(ok());
  return new Promise((resolve) => {
    res.once('finish', () => resolve(ok()));
    res.once('close', () => resolve(res.writableFinished && ok()));
  });
}
