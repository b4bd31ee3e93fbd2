// Raw HTTP for the server's fault tests: uploads whose headers and body are sent separately, and bare sockets.
import { request } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Resolves with `p`, or rejects after `ms` with `what` (a guard against a hang, not a timing assertion). */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

/**
 * A POST whose headers go out at once and whose body is sent by `send` (or never): `answer` resolves with the
 * response whenever it comes, even while the body is still being written; `closed` when the connection ends.
 */
export function openUpload(base: string, path: string, headers: Record<string, string | number>) {
  const url = new URL(path, base);
  const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent: false });
  let responded = false;
  let failed = false;
  const answer = new Promise<Answer>((resolve, reject) => {
    req.once('response', (res) => {
      responded = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.once('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    // A reset after the answer is the server closing a refused upload; before it, a failure.
    req.once('error', (err) => {
      failed = true;
      if (!responded) reject(err);
    });
  });
  answer.catch(() => undefined);
  req.flushHeaders();
  return {
    req,
    answer,
    get responded() {
      return responded;
    },
    /** The connection failed (a reset or a broken pipe): a server that refuses an upload mid-write can close it before its answer is read. */
    get failed() {
      return failed;
    },
    /** Writes `chunk` `times` times (respecting back-pressure), stopping early once answered; then ends. */
    async send(chunk: Buffer, times = 1): Promise<void> {
      for (let i = 0; i < times && !responded && !req.destroyed; i++) {
        if (!req.write(chunk)) await new Promise<void>((r) => req.once('drain', r).once('close', r));
      }
      if (!req.destroyed) req.end();
    },
  };
}

/** Sends `text` on a bare socket and resolves with what came back once the server closed the connection. */
export function rawExchange(base: string, text: string, trickle?: { chunk: string; everyMs: number }): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let got = '';
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (got += c));
    socket.once('connect', () => {
      socket.write(text);
      if (trickle) timer = setInterval(() => socket.writable && socket.write(trickle.chunk), trickle.everyMs);
    });
    socket.once('close', () => {
      clearInterval(timer);
      resolve(got);
    });
    socket.once('error', (err) => {
      clearInterval(timer);
      if (got) resolve(got);
      else if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE') resolve(got);
      else reject(err);
    });
  });
}
