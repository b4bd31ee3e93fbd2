import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from './nats-server.js';

describe('free loopback ports', () => {
  it('freePorts hands out distinct ports, each bindable once it returns', async () => {
    const ports = await freePorts(60);
    expect(new Set(ports).size).toBe(60);
    for (const port of ports.slice(0, 10)) {
      const srv = createServer();
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });

  it('freePort gives a usable port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
  });
});
