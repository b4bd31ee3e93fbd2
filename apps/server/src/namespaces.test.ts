// Namespaces on a real nats-server: concurrent creates agree, a delete racing lazy opens never re-creates the
// stream, `default` and forks are refused, an as-of view reads the namespace's own log, and a reopened registry
// (a restart) sees what the last one recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { NVM } from '@hvs-nvm/nvm';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { Namespaces, type NamespacesOptions } from './namespaces.js';

let srv: TempNatsServer;
let dir: string;
let nvm: NVM;
let options: NamespacesOptions;
const encoder = hashingEncoder(16);

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-namespaces-'));
  nvm = await NVM.open({ natsUrl: srv.url, storagePath: dir, encoder });
  options = { fixed: { default: nvm }, storagePath: dir, connection: { natsUrl: srv.url }, encoder };
});
afterAll(async () => {
  await nvm?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const nvmStreams = async () => {
  const jsm = await jetstreamManager(nvm.eventStore.nc);
  return (await jsm.streams.names().next()).filter((s) => s.startsWith('NVM_')).sort();
};

it('concurrent creates of one name: one creates it, the others find it', async () => {
  const namespaces = await Namespaces.open(options);
  try {
    const results = await Promise.all([1, 2, 3].map(() => namespaces.create('n1')));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await namespaces.list()).toEqual(['default', 'n1']);
    expect(await nvmStreams()).toEqual(['NVM_default', 'NVM_n1']);
  } finally {
    await namespaces.close();
  }
});

it('a delete racing lazy opens leaves no stream behind; `default` and forks are refused', async () => {
  const namespaces = await Namespaces.open(options);
  try {
    await namespaces.create('n2');
    await (await namespaces.nvm('n2')).createBlock({ name: 'b', blockClass: 'documentation', content: 'x' });
    const opens = [1, 2, 3].map(() =>
      namespaces.nvm('n2').then(
        () => 'open',
        (err: { code?: string }) => err.code,
      ),
    );
    await namespaces.delete('n2');
    const after = await Promise.all(opens);
    expect(after.every((r) => r === 'open' || r === 'NAMESPACE_NOT_FOUND')).toBe(true);
    await expect(namespaces.nvm('n2')).rejects.toMatchObject({ status: 404, code: 'NAMESPACE_NOT_FOUND' });
    expect(await nvmStreams()).not.toContain('NVM_n2');
    expect(() => namespaces.delete('default')).toThrow(expect.objectContaining({ code: 'NAMESPACE_PROTECTED' }));
    await nvm.recordFork({ name: 'f1' });
    await namespaces.create('f1');
    await expect(namespaces.delete('f1')).rejects.toMatchObject({ status: 409, code: 'NAMESPACE_PROTECTED' });
    // Created again, it is empty.
    await namespaces.create('n2');
    expect(await (await namespaces.nvm('n2')).listBlocks()).toEqual([]);
  } finally {
    await namespaces.close();
  }
});

it('an as-of view reads the namespace at a position of its own log; a cut without nvm is refused', async () => {
  const namespaces = await Namespaces.open(options);
  try {
    await namespaces.create('n3');
    const live = await namespaces.nvm('n3');
    const block = await live.createBlock({ name: 'v', blockClass: 'documentation', content: 'one' });
    const { nvm: position } = await live.cut();
    await live.updateBlock(block.id, 'two');
    const view = await namespaces.viewAt('n3', { nvm: position });
    expect((await view.getBlock(block.id)).content).toBe('one');
    expect((await live.getBlock(block.id)).content).toBe('two');
    await expect(namespaces.viewAt('n3', { hvs: 1 })).rejects.toMatchObject({ status: 400, code: 'INVALID_AS_OF' });
  } finally {
    await namespaces.close();
  }
});

it('a reopened registry (a restart) sees what the last one recorded', async () => {
  const namespaces = await Namespaces.open(options);
  try {
    expect(await namespaces.list()).toEqual(['default', 'f1', 'n1', 'n2', 'n3']);
    expect(await (await namespaces.nvm('n3')).getBlockByName('v')).toMatchObject({ content: 'two' });
  } finally {
    await namespaces.close();
  }
});
