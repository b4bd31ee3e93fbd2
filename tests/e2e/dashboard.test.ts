// End to end in a real browser: the dashboard served by `hvs-nvm start` at `/`, behind a token, against a live stack.
// Every page loads without a console error; search, block history, mailboxes, the live feed and the geometry map
// work from the page. With DASHBOARD_SCREENSHOTS=<dir> it also saves a screenshot of each page there.
// The DOM types: page.evaluate callbacks run in the browser.
/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleErrors, ensureDashboardBuilt, launchChromium } from '../support/browser.js';
import { http, startStack, tempDir, type Stack } from './stack.js';

const TOKEN = 'dashboard-e2e-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const PAGES = ['Memory', 'Blocks', 'Agents', 'Events', 'Geometry', 'Health'] as const;
const shots = process.env.DASHBOARD_SCREENSHOTS;

let stack: Stack;
let data: ReturnType<typeof tempDir>;
let browser: Browser;
let context: BrowserContext;
let blockId: string;

const api = async (method: string, path: string, body?: unknown) => {
  const r = await http(stack.url, method, path, body, auth);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
};

/** A page already signed in (the token in sessionStorage, as the sign-in form leaves it), with its console errors. */
async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = consoleErrors(page);
  await page.addInitScript((t) => sessionStorage.setItem('hvs-nvm.token', t), TOKEN);
  await page.goto(`${stack.url}${path}`);
  return { page, errors };
}

beforeAll(async () => {
  ensureDashboardBuilt();
  data = tempDir('hvs-dashboard-');
  stack = await startStack(data.dir, ['--token', TOKEN]);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await api('POST', '/v1/memory', { content: 'The lighthouse keeper writes down the tides every evening.', metadata: { topic: 'sea' } });
  await api('POST', '/v1/memory', { content: 'Quarterly revenue grew by four percent.', metadata: { topic: 'finance' } });
  const block = await api('POST', '/v1/blocks', {
    name: 'release-plan',
    blockClass: 'program_state',
    content: JSON.stringify({ stage: 'draft', owners: ['alice'] }),
  });
  blockId = block.id;
  await api('PUT', `/v1/blocks/${blockId}`, { content: JSON.stringify({ stage: 'review', owners: ['alice', 'bob'] }) });
  await api('PUT', `/v1/blocks/${blockId}`, { content: JSON.stringify({ stage: 'shipped', owners: ['alice', 'bob'] }) });
  const r = (i: number) => Math.sin(i * 12.9898) * 0.5;
  await api('POST', '/v1/vectors/batch', {
    items: Array.from({ length: 300 }, (_, i) => ({
      id: `point-${i}`,
      vector: Array.from({ length: 256 }, (_, j) => r(i * 257 + j) + (j === i % 3 ? 2 : 0)),
      metadata: { cluster: `c${i % 3}` },
    })),
  });
  await api('POST', '/v1/messages', { from: 'alice', to: 'carol', body: { note: 'standup moved to 10:00' } });
  if (shots) mkdirSync(shots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  data?.remove();
});

describe('the dashboard in Chromium', () => {
  it('asks for the token when the server requires one, then shows the navigation', async () => {
    const page = await context.newPage();
    await page.goto(`${stack.url}/`);
    expect(await page.title()).toContain('HVS-NVM');
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation');
    for (const name of PAGES) await expect.poll(() => nav.getByRole('link', { name, exact: true }).count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('hvs-nvm.token'))).toBe(TOKEN);
    await page.close();
  });

  it('every page loads from the navigation with no console error', async () => {
    const { page, errors } = await open('/');
    for (const name of PAGES) {
      await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/${name.toLowerCase()}`);
      // Wait for the page's own data before the next one (and the screenshot).
      await page.getByText('Loading…').waitFor({ state: 'hidden' });
      if (name === 'Geometry') await page.getByTestId('frame-ms').waitFor();
      if (name === 'Events') await page.getByRole('row').nth(5).waitFor();
      expect(await page.getByRole('alert').count(), `${name}: ${await page.getByRole('alert').allTextContents()}`).toBe(0);
      // The feed runs long: its first screen is the picture.
      if (shots) await page.screenshot({ path: join(shots, `${name.toLowerCase()}.png`), fullPage: name !== 'Events' });
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a search from the Memory page finds a stored memory, with its score', async () => {
    const { page, errors } = await open('/memory');
    await page.getByRole('searchbox').fill('lighthouse keeper tides');
    await page.keyboard.press('Enter');
    const row = page.getByRole('row').filter({ hasText: 'The lighthouse keeper writes down the tides' }).first();
    await row.waitFor();
    expect(Number(await row.getByRole('cell').first().textContent())).toBeGreaterThan(0);
    if (shots) await page.screenshot({ path: join(shots, 'memory.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a memory stored from the page is found by the next search', async () => {
    const { page, errors } = await open('/memory');
    await page.getByLabel('Content').fill('Penguins huddle together through the antarctic winter.');
    await page.getByRole('button', { name: 'Store' }).click();
    await page.getByRole('status').filter({ hasText: 'Stored as' }).waitFor();
    await page.getByRole('searchbox').fill('penguins antarctic winter');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row').filter({ hasText: 'Penguins huddle together' }).first().waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a block's page shows its history as versions, a diff between two, and the block as of a time", async () => {
    const { page, errors } = await open('/blocks');
    await page.getByRole('link', { name: 'release-plan' }).click();
    await page.getByRole('heading', { level: 1, name: 'Block release-plan' }).waitFor();
    const history = page.getByRole('list').filter({ hasText: 'version 1' });
    for (const v of [1, 2, 3]) await history.getByText(`version ${v}`, { exact: true }).waitFor();
    // Default diff: version 2 → 3 ('review' became 'shipped').
    const diff = page.getByLabel('Changes from version 2 to version 3');
    expect(await diff.textContent()).toContain('-   "stage": "review"');
    expect(await diff.textContent()).toContain('+   "stage": "shipped"');
    await page.getByLabel('From', { exact: true }).selectOption('1');
    expect(await page.getByLabel('Changes from version 1 to version 3').textContent()).toContain('-   "stage": "draft"');
    // The slider's start is the block's creation: version 1 as it was.
    await page.getByLabel('Show the block as it was at').focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByLabel('Content as of the chosen time').textContent()).toContain('"draft"');
    await page.keyboard.press('End');
    await expect.poll(() => page.getByLabel('Content as of the chosen time').textContent()).toContain('"shipped"');
    if (shots) await page.screenshot({ path: join(shots, 'block.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a message sent from the Agents page shows in the recipient's mailbox with its counts", async () => {
    const { page, errors } = await open('/agents');
    await page.getByLabel('From').fill('alice');
    await page.getByLabel('To').fill('bob');
    await page.getByLabel('Body (JSON)').fill('{"task": "review the release plan"}');
    await page.getByRole('button', { name: 'Send' }).click();
    const mailbox = page.getByRole('region', { name: 'Mailbox of bob' });
    await mailbox.getByText('review the release plan').waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'bob' }) });
    // bob has one message, never read: depth 1, pending 1, none dead-lettered.
    expect(await row.getByRole('cell').allTextContents()).toEqual(['1', '1', '0', '0', '—']);
    if (shots) await page.screenshot({ path: join(shots, 'agents.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an event written during the test appears in the live feed without a reload', async () => {
    const { page, errors } = await open('/events');
    await page.getByRole('status').filter({ hasText: 'Live.' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'release-plan' }).first().waitFor();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await api('POST', '/v1/blocks', { name: 'written-while-watching', blockClass: 'documentation', content: 'fresh' });
    const row = page.getByRole('row').filter({ hasText: 'written-while-watching' }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain('BlockCreated');
    // Newest first: it is the first row of the table body.
    expect(await page.getByRole('row').nth(1).textContent()).toContain('written-while-watching');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    // Paused, new events are held back; resumed, they appear.
    await page.getByRole('button', { name: 'Pause' }).click();
    await api('POST', '/v1/blocks', { name: 'written-while-paused', blockClass: 'documentation', content: 'held' });
    await page
      .getByRole('status')
      .filter({ hasText: /Paused: [1-9]\d* new events held back/ })
      .waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'written-while-paused' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('row').filter({ hasText: 'written-while-paused' }).first().waitFor();
    // The filter narrows the rows.
    await page.getByLabel('Filter (type, stream, actor, text)').fill('written-while-paused');
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'written-while-watching' }).count()).toBe(0);
    const rows = await page.getByRole('row').allTextContents();
    expect(rows.length).toBeGreaterThan(1);
    for (const text of rows.slice(1)) expect(text).toContain('written-while-paused');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the geometry view draws the sample; hover shows metadata and click lists neighbours', async () => {
    const { page, errors } = await open('/geometry');
    await page.getByTestId('frame-ms').waitFor();
    expect(await page.locator('#map-method').textContent()).toMatch(/PCA.*uniform random sample of 30\d of 30\d vectors/);
    // Coloured pixels on the canvas, and where the first one is.
    const canvas = page.getByRole('img', { name: /Map of the sampled vectors/ });
    const hit = await canvas.evaluate((c: HTMLCanvasElement) => {
      const { data, width } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let coloured = 0;
      let first: { x: number; y: number } | undefined;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255) {
          coloured++;
          first ??= { x: (i / 4) % width, y: Math.floor(i / 4 / width) };
        }
      }
      return { coloured, first, scale: c.getBoundingClientRect().width / c.width };
    });
    expect(hit.coloured).toBeGreaterThan(300);
    const box = (await canvas.boundingBox())!;
    // Not the disk outline (PCA has none): a point's pixel.
    await page.mouse.move(box.x + (hit.first!.x + 1) * hit.scale, box.y + (hit.first!.y + 1) * hit.scale);
    await page.getByRole('complementary', { name: 'Point details' }).getByText('"cluster"').waitFor();
    await page.mouse.down();
    await page.mouse.up();
    const table = page.getByRole('region', { name: /Nearest neighbours of point-/ });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(11);
    await page.getByLabel('Colour by').selectOption('cluster');
    await page.getByRole('list', { name: 'Colours by cluster' }).waitFor();
    if (shots) await page.screenshot({ path: join(shots, 'geometry.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the Health page shows the streams, their lag and the durability in force', async () => {
    const { page, errors } = await open('/health');
    await page.getByRole('heading', { name: 'Streams and projections' }).waitFor();
    for (const s of ['HVS_default', 'MAIL_default', 'NVM_default']) await page.getByRole('cell', { name: s }).first().waitFor();
    await page.getByText('Durability in force').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('has landmarks and works from the keyboard: skip link, navigation by Enter, focus on the new page', async () => {
    const { page, errors } = await open('/memory');
    for (const role of ['banner', 'navigation', 'main'] as const) expect(await page.getByRole(role).count()).toBe(1);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // Tab on to the Blocks link (Memory first), and Enter follows it.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Blocks');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Blocks' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await page.getByRole('link', { name: 'Blocks', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('API paths stay JSON: an unknown /v1 path is a 404 problem, not the page', async () => {
    const r = await http(stack.url, 'GET', '/v1/no-such-route', undefined, auth);
    expect(r.status).toBe(404);
    expect(r.type).toMatch(/problem\+json/);
    const page = await fetch(`${stack.url}/blocks/some-id`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
