// End to end: `hvs-nvm import taxonomy` embeds a small tsv hierarchy and stores every node (name, depth) in HVS.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HVS } from '@hvs-nvm/hvs';
import { cli, tempDir } from './stack.js';

let tmp: ReturnType<typeof tempDir>;
let tsv: string;
// A small taxonomy: animal > {mammal > {dog, cat > lion}, bird > {eagle, penguin}}, and a second parent for a DAG.
const EDGES = [
  ['mammal', 'animal'],
  ['bird', 'animal'],
  ['dog', 'mammal'],
  ['cat', 'mammal'],
  ['lion', 'cat'],
  ['eagle', 'bird'],
  ['penguin', 'bird'],
  ['pet', 'animal'],
  ['dog', 'pet'],
];

beforeAll(() => {
  tmp = tempDir('hvs-nvm-e2e-taxonomy-');
  tsv = join(tmp.dir, 'animals.tsv');
  writeFileSync(tsv, `child\tparent\n${EDGES.map((e) => e.join('\t')).join('\n')}\n`);
});
afterAll(() => tmp.remove());

describe('hvs-nvm import taxonomy', () => {
  it('embeds a tsv and stores each node with its name and depth; a rerun stores the same ids', async () => {
    const args = ['import', 'taxonomy', tsv, '--dimension', '5', '--collection', 'animals', '--data-dir', tmp.dir, '--json'];
    const res = await cli(args);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/taxonomy animals\.tsv store \|/);
    expect(res.json.at(-1)).toMatchObject({ collection: 'animals', dimension: 5, nodes: 9, edges: 9 });
    expect((await cli(args)).code).toBe(0);

    const hvs = await HVS.open({ storagePath: join(tmp.dir, 'hvs'), dimension: 5, geometry: 'hyperboloid', collection: 'animals' });
    try {
      await hvs.sync();
      expect(await hvs.count()).toBe(9);
      // The lion's nearest other nodes are its ancestors: cat (its parent) among the first.
      const [lion] = (await hvs.semanticSearch(new Float64Array(5).fill(0), { k: 9 })).filter((r) => r.vector.metadata.name === 'lion');
      expect(lion?.vector.metadata).toEqual({ name: 'lion', depth: 3 });
      const near = await hvs.semanticSearch((await hvs.retrieveVector(lion!.vector.id)).data, { k: 4 });
      expect(near.map((r) => r.vector.metadata.name)).toEqual(expect.arrayContaining(['lion', 'cat']));
      const names = new Set((await hvs.semanticSearch(new Float64Array(5), { k: 9 })).map((r) => r.vector.metadata.name));
      expect(names).toEqual(new Set(['animal', 'mammal', 'bird', 'dog', 'cat', 'lion', 'eagle', 'penguin', 'pet']));
    } finally {
      await hvs.close();
    }
  });

  it('refuses a cyclic taxonomy with exit code 2', async () => {
    const bad = join(tmp.dir, 'cycle.csv');
    writeFileSync(bad, 'a,b\nb,a\n');
    const res = await cli(['import', 'taxonomy', bad, '--data-dir', tmp.dir, '--no-progress']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/cycle/);
  });
});
