// The dashboard's speed in Chromium against a live `hvs-nvm start`: each page's load time (navigation to its content
// on screen), and the geometry view at N points (default 100k): the map request, and the canvas frame time.
// Run: npx tsx --conditions=@hvs-nvm/source tests/bench/dashboard.ts [--points 100000] [--runs 5]
// Not part of `npm run bench` (it needs Chromium); figures are indicative on a shared machine.
/// <reference lib="dom" />
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ensureDashboardBuilt, launchChromium } from '../support/browser.js';
import { http, startStack, tempDir } from '../e2e/stack.js';

const { values } = parseArgs({ options: { points: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } } });
const POINTS = Number(values.points);
const RUNS = Number(values.runs);
const TOKEN = 'dashboard-bench-admin-token-0000';
const auth = { authorization: `Bearer ${TOKEN}` };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

/** Each page and the CSS selector of the element that shows its content (data rows, the drawn map). */
const PAGES: [string, string][] = [
  ['/memory', 'input[type=search]'],
  ['/blocks', 'tbody tr'],
  ['/agents', 'tbody tr'],
  ['/events', 'tbody tr'],
  ['/geometry', '[data-testid=frame-ms]'],
  ['/health', 'tbody tr'],
];

async function main() {
  ensureDashboardBuilt();
  const data = tempDir('hvs-dashboard-bench-');
  const stack = await startStack(data.dir, ['--token', TOKEN]);
  try {
    const dim = 256; // the hashing encoder's dimension: the server's collection
    const t0 = performance.now();
    const BATCH = 1_000;
    for (let start = 0; start < POINTS; start += BATCH) {
      const items = Array.from({ length: Math.min(BATCH, POINTS - start) }, (_, k) => {
        const i = start + k;
        const c = i % 8;
        return {
          id: `v${i}`,
          vector: Array.from({ length: dim }, (_, j) => Number(((j === c ? 3 : 0) + Math.sin(i * 0.37 + j * 1.3)).toFixed(3))),
          metadata: { cluster: `c${c}`, i },
        };
      });
      const r = await http(stack.url, 'POST', '/v1/vectors/batch', { items }, auth);
      if (r.status !== 201) throw new Error(`batch store: ${r.status} ${JSON.stringify(r.body)}`);
    }
    console.log(`stored ${POINTS} ${dim}-d vectors in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (let i = 0; i < 20; i++) {
      await http(stack.url, 'POST', '/v1/blocks', { name: `bench-block-${i}`, blockClass: 'documentation', content: `block ${i}` }, auth);
      await http(stack.url, 'POST', '/v1/messages', { from: 'alice', to: 'bob', body: { i } }, auth);
    }

    const browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((t) => sessionStorage.setItem('hvs-nvm.token', t), TOKEN);
    console.log(`\npage load: navigation start → content shown (in-page clock), ${RUNS} runs each; geometry with its 5,000-point default`);
    for (const [path, ready] of PAGES) {
      const times: number[] = [];
      const dcl: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const page = await context.newPage();
        await page.goto(`${stack.url}${path}`, { waitUntil: 'commit' });
        // Polled every animation frame from the first byte on: the page's own clock (ms since navigation start).
        const shown = await page.waitForFunction((sel) => (document.querySelector(sel) ? window.performance.now() : false), ready, {
          polling: 'raf',
          timeout: 120_000,
        });
        times.push(Number(await shown.jsonValue()));
        dcl.push(
          await page.evaluate(
            () => (window.performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
          ),
        );
        await page.close();
      }
      console.log(`${path.padEnd(10)} median ${median(times).toFixed(0)} ms  (DOMContentLoaded ${median(dcl).toFixed(0)} ms)`);
    }

    console.log(`\ngeometry at ${POINTS.toLocaleString()} points (the whole collection as the sample)`);
    const t1 = performance.now();
    const map = await fetch(`${stack.url}/v1/vectors/map?limit=${POINTS}`, { headers: auth });
    const bytes = (await map.arrayBuffer()).byteLength;
    console.log(`GET /v1/vectors/map?limit=${POINTS}: ${(performance.now() - t1).toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB`);
    const page = await context.newPage();
    await page.goto(`${stack.url}/geometry`);
    await page.getByTestId('frame-ms').waitFor();
    const start = performance.now();
    await page.getByLabel('Sample size').selectOption(String(POINTS));
    await page.locator('#map-method', { hasText: `${POINTS.toLocaleString('en-US')} of` }).waitFor({ timeout: 300_000 });
    await page.getByTestId('frame-ms').waitFor();
    console.log(`switch to ${POINTS.toLocaleString()} points until drawn: ${(performance.now() - start).toFixed(0)} ms`);
    // Each arrow key moves the chosen point, which redraws the whole canvas. Two figures per redraw: the draw itself
    // (the page's own measure: ImageData fill + putImageData + outlines), and key → next paint (Preact render included).
    const canvas = page.getByRole('img', { name: /Map of the sampled vectors/ });
    const frames: number[] = [];
    const toPaint: number[] = [];
    for (let i = 0; i < 40; i++) {
      toPaint.push(
        await canvas.evaluate(async (c) => {
          const t = window.performance.now();
          c.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return window.performance.now() - t;
        }),
      );
      frames.push(Number(await page.getByTestId('frame-ms').getAttribute('data-frame-ms')));
    }
    console.log(
      `key → painted frame at ${POINTS.toLocaleString()} points: median ${median(toPaint).toFixed(1)} ms, p95 ${p95(toPaint).toFixed(1)} ms`,
    );
    console.log(
      `canvas redraw at ${POINTS.toLocaleString()} points: median ${median(frames).toFixed(1)} ms, p95 ${p95(frames).toFixed(1)} ms`,
    );
    await browser.close();
  } finally {
    await stack.stop();
    data.remove();
  }
}

await main();
