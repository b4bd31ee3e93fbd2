// End to end: HTTP search latency through `hvs-nvm start`, logged as p50/p99 figures (speed is reported, never asserted).
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { http, startStack, tempDir, type Stack } from './stack.js';

const VECTORS = 5_000;
const QUERIES = 1_000;
let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let dimension: number;

/** A deterministic pseudo-random vector (mulberry32), so runs compare. */
function vectorOf(seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: dimension }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)]!;
}

/** Runs `n` requests one after another and returns their latencies in ms, sorted. */
async function timed(n: number, request: (i: number) => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await request(i);
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b);
}

function report(what: string, ms: number[]): void {
  const fmt = (x: number) => x.toFixed(2);
  console.log(
    `${what}: n=${ms.length} p50=${fmt(percentile(ms, 50))} ms p90=${fmt(percentile(ms, 90))} ms p99=${fmt(percentile(ms, 99))} ms max=${fmt(ms.at(-1)!)} ms`,
  );
}

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-latency-');
  stack = await startStack(tmp.dir);
  dimension = (await http(stack.url, 'GET', '/v1/stats')).body.hvs.dimension as number;
  for (let start = 0; start < VECTORS; start += 1_000) {
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      vector: vectorOf(start + i),
      metadata: { n: start + i, even: (start + i) % 2 === 0 },
    }));
    expect((await http(stack.url, 'POST', '/v1/vectors/batch', { items })).status).toBe(201);
  }
  for (let i = 0; i < 20; i++) await http(stack.url, 'POST', '/v1/memory', { content: `latency note ${i} about lighthouse number ${i}` });
}, 120_000);
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

it('logs HTTP search latency p50/p99 over sequential k=10 searches (figures, not assertions)', async () => {
  const search = (filter?: Record<string, unknown>) => async (i: number) => {
    const res = await http(stack.url, 'POST', '/v1/vectors/search', {
      vector: vectorOf(1_000_000 + i),
      k: 10,
      ...(filter ? { filter } : {}),
    });
    expect(res.body.results).toHaveLength(10);
  };
  await timed(50, search()); // warm-up: JIT, connection pool, index pages
  report(`POST /v1/vectors/search (${VECTORS} × ${dimension}-d, k 10)`, await timed(QUERIES, search()));
  report('POST /v1/vectors/search with filter {even: true}', await timed(QUERIES, search({ even: true })));
  const memory = async (i: number) => {
    const res = await http(stack.url, 'POST', '/v1/memory/search', { query: `lighthouse number ${i % 20}`, k: 5 });
    expect(res.body.results.length).toBeGreaterThan(0);
  };
  await timed(20, memory);
  report('POST /v1/memory/search (encode + HVS + NVM, k 5)', await timed(300, memory));
}, 180_000);
