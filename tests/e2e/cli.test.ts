// End to end: the `hvs-nvm` command — a resumable 10k-line import with progress, the data commands, exit codes, replay.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

const DIMENSION = 256; // the hashing encoder's, which the store takes its dimension from
const LINES = 10_000;

/** A deterministic pseudo-random vector per line, rounded to keep the file small. */
function vectorOf(line: number): number[] {
  let seed = line >>> 0;
  return Array.from({ length: DIMENSION }, () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.round((u - 0.5) * 2000) / 1000;
  });
}
const textOf = (line: number) =>
  `imported note ${line}: the ${['red', 'green', 'blue', 'amber', 'violet'][line % 5]} lighthouse number ${line}`;

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let jsonl: string;
const run = (...args: string[]) => cli([...args, '--data-dir', tmp.dir]);
const vectorCount = async () => (await http(stack.url, 'GET', '/v1/stats')).body.hvs.vectors as number;

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-cli-');
  jsonl = join(tmp.dir, 'data.jsonl');
  const lines: string[] = [];
  for (let line = 1; line <= LINES; line++) {
    // Every 1000th line is text, the rest are vectors; line 1 names its own id.
    if (line % 1000 === 0) lines.push(JSON.stringify({ content: textOf(line), metadata: { line } }));
    else lines.push(JSON.stringify({ ...(line === 1 ? { id: 'first-line' } : {}), vector: vectorOf(line), metadata: { line } }));
  }
  writeFileSync(jsonl, `${lines.join('\n')}\n`);
  stack = await startStack(tmp.dir);
});
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

describe('hvs-nvm import', () => {
  it('imports a 10k-line JSONL file with progress on stderr, and the data is searchable', async () => {
    const before = await vectorCount();
    const res = await run('import', jsonl, '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/import data\.jsonl \|/);
    expect(res.stderr).toContain(`${LINES}/${LINES} lines`);
    expect(res.json.at(-1)).toMatchObject({ imported: LINES, skipped: 0, total: LINES });
    expect(JSON.parse(readFileSync(`${jsonl}.progress`, 'utf8'))).toMatchObject({ line: LINES, total: LINES });

    await expect.poll(vectorCount, { timeout: 30_000 }).toBe(before + LINES);
    const byVector = await http(stack.url, 'POST', '/v1/vectors/search', { vector: vectorOf(4321), k: 1 });
    expect(byVector.body.results[0].metadata).toEqual({ line: 4321 });
    expect((await http(stack.url, 'GET', '/v1/vectors/first-line')).body.metadata).toEqual({ line: 1 });
    const byText = await http(stack.url, 'POST', '/v1/memory/search', { query: textOf(7000), k: 1 });
    expect(byText.body.results[0].content).toBe(textOf(7000));
  });

  it('a rerun skips what is done and never duplicates', async () => {
    const before = await vectorCount();
    const again = await run('import', jsonl, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.at(-1)).toMatchObject({ imported: 0, unchanged: 0, skipped: LINES });

    // Resume from the middle (as after a crash), and a full --restart: same ids, and records already stored as they are
    // are not written again.
    writeFileSync(
      `${jsonl}.progress`,
      JSON.stringify({ file: 'data.jsonl', line: 6000, total: LINES, updatedAt: new Date().toISOString() }),
    );
    const resumed = await run('import', jsonl, '--json', '--no-progress');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json.at(-1)).toMatchObject({ imported: 0, unchanged: 4000, skipped: 6000 });
    const restarted = await run('import', jsonl, '--json', '--restart', '--no-progress');
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.json.at(-1)).toMatchObject({ imported: 0, unchanged: LINES, skipped: 0 });

    // An edited line is written again under its id; the rest are left alone.
    const lines = readFileSync(jsonl, 'utf8').split('\n');
    lines[4] = JSON.stringify({ vector: vectorOf(5), metadata: { line: 5, edited: true } });
    writeFileSync(jsonl, lines.join('\n'));
    const edited = await run('import', jsonl, '--json', '--restart', '--no-progress');
    expect(edited.json.at(-1)).toMatchObject({ imported: 1, unchanged: LINES - 1 });
    const edited5 = async () =>
      (await http(stack.url, 'POST', '/v1/vectors/search', { vector: vectorOf(5), k: 1 })).body.results[0].metadata;
    await expect.poll(edited5, { timeout: 10_000 }).toEqual({ line: 5, edited: true });

    expect(await vectorCount()).toBe(before);
    const hits = await http(stack.url, 'POST', '/v1/vectors/search', { vector: vectorOf(9999), k: 3, exact: true });
    expect(hits.body.results.filter((h: { metadata: { line: number } }) => h.metadata.line === 9999)).toHaveLength(1);
  });

  it('imports a 2-D float32 .npy file', async () => {
    const rows = 100;
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${DIMENSION}), }`;
    const padded = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
    const pre = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
    pre.writeUInt16LE(padded.length, 8);
    const data = new Float32Array(rows * DIMENSION);
    for (let r = 0; r < rows; r++) data.set(vectorOf(100_000 + r), r * DIMENSION);
    const npy = join(tmp.dir, 'rows.npy');
    writeFileSync(npy, Buffer.concat([pre, Buffer.from(padded, 'latin1'), Buffer.from(data.buffer)]));

    const before = await vectorCount();
    const res = await run('import', npy, '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`${rows}/${rows} lines`);
    await expect.poll(vectorCount, { timeout: 10_000 }).toBe(before + rows);
    const hit = await http(stack.url, 'POST', '/v1/vectors/search', { vector: vectorOf(100_042), k: 1 });
    expect(hit.body.results[0].metadata).toEqual({ row: 42 });
  });

  it('a malformed line is a usage error naming the line, and what came before stays imported', async () => {
    const bad = join(tmp.dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify({ content: 'good line one' })}\n{"vector": [1, 2\n`);
    const res = await run('import', bad, '--batch-size', '1');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('bad.jsonl:2');
    expect(JSON.parse(readFileSync(`${bad}.progress`, 'utf8')).line).toBe(1);
    expect((await run('import', join(tmp.dir, 'missing.jsonl'))).code).toBe(2);
  });
});

describe('hvs-nvm commands', () => {
  it('store, search and get text memory', async () => {
    const stored = await run('store', 'The Andromeda galaxy is approaching the Milky Way.', '--metadata', '{"topic":"space"}', '--json');
    expect(stored.code, stored.stderr).toBe(0);
    const { id } = stored.json[0] as { id: string };
    const found = await run('search', 'Andromeda galaxy approaching', '-k', '1', '--json');
    expect((found.json[0] as { results: { id: string }[] }).results[0]!.id).toBe(id);
    const got = await run('get', id, '--json');
    expect(got.json[0]).toMatchObject({ kind: 'vector', id, content: 'The Andromeda galaxy is approaching the Milky Way.' });
    const human = await run('search', 'Andromeda');
    expect(human.stdout).toContain('Andromeda');
  });

  it('lists blocks, reads one by name and shows its history', async () => {
    const created = await http(stack.url, 'POST', '/v1/blocks', { name: 'cli_doc', blockClass: 'documentation', content: 'one' });
    await http(stack.url, 'PUT', `/v1/blocks/${created.body.id}`, { content: 'two' });
    const ls = await run('blocks', 'ls', '--class', 'documentation', '--json');
    expect((ls.json[0] as { blocks: { name: string }[] }).blocks.map((b) => b.name)).toContain('cli_doc');
    const get = await run('blocks', 'get', 'cli_doc', '--json');
    expect(get.json[0]).toMatchObject({ id: created.body.id, content: 'two', version: 2 });
    // --version is the block's version, not the program's.
    const first = await run('blocks', 'get', 'cli_doc', '--version', '1', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(first.json[0]).toMatchObject({ id: created.body.id, content: 'one', version: 1 });
    expect((await run('blocks', 'get', 'cli_doc', '--version', 'one')).code).toBe(2);
    const history = await run('blocks', 'history', created.body.id, '--json');
    expect((history.json[0] as { versions: { content: string }[] }).versions.map((v) => v.content)).toEqual(['one', 'two']);
  });

  it('sends mail and tails a mailbox without taking from it', async () => {
    expect((await run('mail', 'send', 'cli_a', 'cli_b', '{"hello":1}')).code).toBe(0);
    expect((await run('mail', 'send', 'cli_a', 'cli_b', 'plain words')).code).toBe(0);
    const tail = await run('mail', 'tail', 'cli_b', '--json');
    expect(tail.json.map((m) => (m as { body: unknown }).body)).toEqual([{ hello: 1 }, 'plain words']);
    const inbox = await http(stack.url, 'GET', '/v1/mailboxes/cli_b/messages');
    expect(inbox.body.messages).toHaveLength(2);
  });

  it('adds, queries and tails facts', async () => {
    expect((await run('kb', 'add', 'Jupiter', 'is the largest', 'planet', '--source', 'cli-test')).code).toBe(0);
    const q = await run('kb', 'query', 'largest planet', '-k', '1', '--json');
    expect((q.json[0] as { facts: { subject: string }[] }).facts[0]!.subject).toBe('Jupiter');
    const tail = await run('kb', 'tail', '--json');
    expect(tail.json.map((f) => (f as { subject: string }).subject)).toContain('Jupiter');
  });

  it('one server per data dir: status names it, a second start and snapshot are refused', async () => {
    const status = await run('status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(status.json[0]).toMatchObject({ server: { url: stack.url, pid: stack.child.proc.pid, healthy: true } });
    // The lock names the holder; a second server on another port says who holds it and exits, leaving it alone.
    const second = await run('start', '--port', '0', '--json');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`already served by pid ${stack.child.proc.pid} at ${stack.url}`);
    expect(second.stderr).toContain('DATA_DIR_SERVED');
    // The running server checkpoints its own projections: another process writing them beside it is refused.
    const snap = await run('snapshot', '--json');
    expect(snap.code).toBe(1);
    expect(snap.stderr).toContain('DATA_DIR_SERVED');
    const after = await run('status', '--json');
    expect(after.json[0]).toMatchObject({ server: { url: stack.url, pid: stack.child.proc.pid, healthy: true } });
    expect((await http(stack.url, 'GET', '/v1/health')).status).toBe(200);
  });

  it('the program version is -V / --cli-version', async () => {
    for (const flag of ['-V', '--cli-version']) {
      const res = await cli([flag]);
      expect(res.code, flag).toBe(0);
      expect(res.stdout.trim()).toBe('0.1.0');
    }
  });

  it('auth tokens writes per-agent tokens, and a rerun for one agent keeps the others', async () => {
    const file = join(tmp.dir, 'tokens.json');
    const first = await cli(['auth', 'tokens', '--agent', 'alice,bob', '-o', file, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const issued = (first.json[0] as { tokens: { agent: string; token: string }[] }).tokens;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(Object.fromEntries(issued.map((t) => [t.token, t.agent])));
    const again = await cli(['auth', 'tokens', '--agent', 'bob', '-o', file, '--json']);
    const bob = (again.json[0] as { tokens: { agent: string; token: string }[] }).tokens[0]!;
    const alice = issued.find((t) => t.agent === 'alice')!;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ [alice.token]: 'alice', [bob.token]: 'bob' });
  });

  // Every call below is a process of its own (a few seconds each on a loaded 2-core machine): three tests, each
  // with room to spare.
  it('exit code 2 for usage errors and bad input', async () => {
    expect((await run('no-such-command')).code).toBe(2);
    expect((await run('search')).code).toBe(2);
    expect((await run('search', 'x', '-k', 'many')).code).toBe(2);
    expect((await run('store', 'x', '--metadata', '{oops')).code).toBe(2);
    expect((await run('mail', 'tail', 'cli_b', '--since', 'garbage')).code).toBe(2);
    for (const text of ['', '   ']) {
      const blank = await run('store', text, '--json');
      expect(blank.code, JSON.stringify(text)).toBe(2);
      expect(JSON.parse(blank.stderr.trim().split('\n').at(-1)!)).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    }
    expect((await run('search', '  ')).code).toBe(2);
  }, 180_000);

  it('exit code 3 for what is not found', async () => {
    const missing = await run('get', 'no-such-id', '--json');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr.trim().split('\n').at(-1)!)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await run('blocks', 'get', 'no-such-block')).code).toBe(3);
  }, 120_000);

  it('--help everywhere', async () => {
    for (const args of [['--help'], ['import', '--help'], ['blocks', 'ls', '--help'], ['mail', 'tail', '--help'], ['kb', '--help']]) {
      const help = await cli(args);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout).toContain('Usage: hvs-nvm');
    }
  }, 120_000);
});

describe('hvs-nvm snapshot', () => {
  it('checkpoints the NVM block view too: the next open restores both from the snapshot', async () => {
    const dir = tempDir('hvs-nvm-e2e-snapshot-');
    try {
      for (const text of ['one note', 'two notes']) expect((await cli(['store', text, '--data-dir', dir.dir])).code).toBe(0);
      rmSync(join(dir.dir, 'nvm', 'projection'), { recursive: true, force: true });
      const snap = await cli(['snapshot', '--data-dir', dir.dir, '--json']);
      expect(snap.code, snap.stderr).toBe(0);
      const out = snap.json[0] as { hvs: { position: number }; nvm: { position: number } };
      expect(existsSync(join(dir.dir, 'nvm', 'projection'))).toBe(true);
      const status = await cli(['status', '--data-dir', dir.dir, '--json']);
      expect(status.json[0]).toMatchObject({ hvs: { restoredFrom: out.hvs.position }, nvm: { restoredFrom: out.nvm.position } });
    } finally {
      rmSync(dir.dir, { recursive: true, force: true });
    }
  });
});

describe('hvs-nvm replay', () => {
  it('rebuilds the projections from the log after the server stops', async () => {
    const dir = tempDir('hvs-nvm-e2e-replay-');
    try {
      for (const text of ['alpha note', 'beta note', 'gamma note'])
        expect((await cli(['store', text, '--data-dir', dir.dir])).code).toBe(0);
      const res = await cli(['replay', '--data-dir', dir.dir, '--json']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.json.at(-1)).toMatchObject({ vectors: 3, restoredFrom: 0, nvm: { restoredFrom: 0 } });
      expect((res.json.at(-1) as { nvm: { position: number; head: number } }).nvm.position).toBeGreaterThanOrEqual(3);
      // The bar follows both projections' positions to the heads.
      expect(res.stderr).toMatch(/replay \|.*\| (\d+)\/\1 events \| HVS (\d+)\/\2, NVM (\d+)\/\3/);
      expect(existsSync(join(dir.dir, 'hvs', 'projection'))).toBe(true);
      const found = await cli(['search', 'gamma', '-k', '1', '--data-dir', dir.dir, '--json']);
      expect((found.json[0] as { results: { content: string }[] }).results[0]!.content).toBe('gamma note');
    } finally {
      rmSync(dir.dir, { recursive: true, force: true });
    }
  });
});
