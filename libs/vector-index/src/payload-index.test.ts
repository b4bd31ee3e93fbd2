// The payload index and the filtered-search planner: posting-list algebra, candidates against brute force, snapshots.
import { seededRandom } from '@hvs-nvm/events';
import { describe, expect, it } from 'vitest';
import { intersect, PostingList, toBitset, union } from './posting-list.js';
import { MAX_TERM_LENGTH, PayloadIndex, type PayloadQuery } from './payload-index.js';
import { planCandidates } from './search-planner.js';
import { VectorIndex } from './vector-index.js';

/** The values at a path as the filters see them: through arrays of objects, array leaves flattened one level. */
function valuesAt(doc: unknown, path: readonly string[]): unknown[] {
  const found: unknown[] = [];
  const walk = (v: unknown, i: number): void => {
    if (i === path.length) {
      found.push(v);
      if (Array.isArray(v)) found.push(...v);
      return;
    }
    if (Array.isArray(v)) for (const e of v) walk(e, i);
    else if (v !== null && typeof v === 'object' && Object.hasOwn(v, path[i]!)) walk((v as Record<string, unknown>)[path[i]!], i + 1);
  };
  // Arrays are looked through only for objects: an array inside an array is a value, not a level.
  const walkObjects = (v: unknown, i: number): void => {
    if (i === path.length) return walk(v, i);
    if (Array.isArray(v)) {
      for (const e of v) if (e !== null && typeof e === 'object' && !Array.isArray(e)) walkObjects(e, i);
    } else if (v !== null && typeof v === 'object' && Object.hasOwn(v, path[i]!)) {
      walkObjects((v as Record<string, unknown>)[path[i]!], i + 1);
    }
  };
  walkObjects(doc, 0);
  return found;
}

function matches(doc: Record<string, unknown>, q: PayloadQuery): boolean {
  switch (q.op) {
    case 'all':
      return true;
    case 'terms':
      return valuesAt(doc, q.path).some((v) => q.values.includes(v as never));
    case 'range':
      return valuesAt(doc, q.path).some((v) => {
        if (typeof v !== typeof q.value) return false;
        const x = v as number | string;
        return q.cmp === '$gt' ? x > q.value : q.cmp === '$gte' ? x >= q.value : q.cmp === '$lt' ? x < q.value : x <= q.value;
      });
    case 'and':
      return q.parts.every((p) => matches(doc, p));
    case 'or':
      return q.parts.some((p) => matches(doc, p));
  }
}

const LONG = 'x'.repeat(MAX_TERM_LENGTH + 1);

function randomDoc(r: () => number): Record<string, unknown> {
  const doc: Record<string, unknown> = { bucket: Math.floor(r() * 20) };
  if (r() < 0.5) doc.tag = ['red', 'green', 'blue'][Math.floor(r() * 3)];
  if (r() < 0.3) doc.tags = ['a', 'b', 'c', 'd'].filter(() => r() < 0.5);
  if (r() < 0.3) doc.nested = { level: Math.floor(r() * 5), flag: r() < 0.5 };
  if (r() < 0.2) doc.items = [{ kind: 'k' + Math.floor(r() * 3) }, { kind: ['k1', 'k9'] }, [{ kind: 'k2' }]];
  if (r() < 0.05) doc.tag = LONG;
  if (r() < 0.05) doc.score = r() < 0.5 ? 'high' : 3.5;
  return doc;
}

const QUERIES: PayloadQuery[] = [
  { op: 'terms', path: ['bucket'], values: [3] },
  { op: 'terms', path: ['bucket'], values: [1, 2, 19] },
  { op: 'terms', path: ['bucket'], values: [] },
  { op: 'range', path: ['bucket'], cmp: '$lt', value: 5 },
  { op: 'range', path: ['bucket'], cmp: '$gte', value: 18 },
  { op: 'range', path: ['bucket'], cmp: '$gt', value: 18.5 },
  { op: 'range', path: ['bucket'], cmp: '$lte', value: 0 },
  { op: 'range', path: ['tag'], cmp: '$gt', value: 'green' },
  { op: 'terms', path: ['tag'], values: ['red', LONG] },
  { op: 'terms', path: ['tags'], values: ['b'] },
  { op: 'terms', path: ['nested', 'flag'], values: [true] },
  { op: 'range', path: ['nested', 'level'], cmp: '$gte', value: 3 },
  { op: 'terms', path: ['items', 'kind'], values: ['k1'] },
  { op: 'terms', path: ['items', 'kind'], values: ['k2'] },
  { op: 'terms', path: ['score'], values: ['high'] },
  { op: 'range', path: ['score'], cmp: '$gt', value: 1 },
  { op: 'terms', path: ['missing'], values: [1] },
  {
    op: 'and',
    parts: [
      { op: 'range', path: ['bucket'], cmp: '$lt', value: 10 },
      { op: 'terms', path: ['tag'], values: ['blue'] },
    ],
  },
  {
    op: 'or',
    parts: [
      { op: 'terms', path: ['tags'], values: ['a'] },
      { op: 'and', parts: [{ op: 'terms', path: ['bucket'], values: [7] }, { op: 'all' }] },
    ],
  },
];

describe('posting lists', () => {
  it('keep labels sorted and unique under adds and deletes in any order', () => {
    const r = seededRandom(1);
    const list = new PostingList();
    const truth = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const label = Math.floor(r() * 800);
      if (r() < 0.6) {
        expect(list.add(label)).toBe(!truth.has(label));
        truth.add(label);
      } else {
        expect(list.delete(label)).toBe(truth.delete(label));
      }
    }
    expect([...list.view()]).toEqual([...truth].sort((a, b) => a - b));
    expect(list.has([...truth][0]!)).toBe(true);
  });

  it('intersect, union and bitset agree with set algebra', () => {
    const r = seededRandom(2);
    const lists = [0.5, 0.05, 0.3, 0.002].map((p) => Uint32Array.from(Array.from({ length: 3000 }, (_, i) => i).filter(() => r() < p)));
    const sets = lists.map((l) => new Set(l));
    expect([...intersect(lists.slice(0, 3))]).toEqual([...lists[1]!].filter((x) => sets[0]!.has(x) && sets[2]!.has(x)));
    expect([...intersect([lists[0]!, lists[3]!])]).toEqual([...lists[3]!].filter((x) => sets[0]!.has(x)));
    expect([...union(lists, 3000)]).toEqual([...new Set(lists.flatMap((l) => [...l]))].sort((a, b) => a - b));
    const bits = toBitset(lists[1]!, 3000);
    for (let i = 0; i < 3000; i++) expect(((bits[i >> 3]! >> (i & 7)) & 1) === 1).toBe(sets[1]!.has(i));
  });
});

describe('PayloadIndex', () => {
  it('answers every query with a superset of its matches, exactly the matches when it says so', () => {
    const r = seededRandom(3);
    const docs = Array.from({ length: 1500 }, () => randomDoc(r));
    const index = new PayloadIndex();
    docs.forEach((d, label) => index.add(label, d));
    // Replace a third and delete a tenth, as updates and deletes do.
    for (let label = 0; label < docs.length; label++) {
      if (label % 3 === 0) {
        index.remove(label, docs[label]!);
        docs[label] = randomDoc(r);
        index.add(label, docs[label]!);
      }
    }
    const live = new Set(docs.keys());
    for (let label = 5; label < docs.length; label += 10) {
      index.remove(label, docs[label]!);
      live.delete(label);
    }
    let exactAnswers = 0;
    for (const q of QUERIES) {
      const truth = [...live].filter((l) => matches(docs[l]!, q));
      const c = index.candidates(q, docs.length);
      expect(c, JSON.stringify(q)).toBeDefined();
      const got = new Set(c!.labels);
      for (const l of truth) expect(got.has(l), `${JSON.stringify(q)} misses ${l}`).toBe(true);
      for (const l of got) expect(live.has(l)).toBe(true);
      if (c!.exact) {
        exactAnswers++;
        expect([...c!.labels]).toEqual(truth);
      }
    }
    // Long strings make their queries inexact; most are exact.
    expect(exactAnswers).toBeGreaterThan(QUERIES.length / 2);
    expect(index.candidates({ op: 'all' }, docs.length)).toBeUndefined();
    expect(index.candidates({ op: 'and', parts: [{ op: 'all' }] }, docs.length)).toBeUndefined();
  });

  it('is empty again once every document is removed, and cached answers follow changes', () => {
    const index = new PayloadIndex();
    const q: PayloadQuery = { op: 'terms', path: ['bucket'], values: [1] };
    expect([...index.candidates(q, 10)!.labels]).toEqual([]);
    index.add(4, { bucket: 1, deep: { a: [1, 2, { b: 'x' }] } });
    expect([...index.candidates(q, 10)!.labels]).toEqual([4]);
    index.add(2, { bucket: 1 });
    expect([...index.candidates(q, 10)!.labels]).toEqual([2, 4]);
    index.remove(4, { bucket: 1, deep: { a: [1, 2, { b: 'x' }] } });
    index.remove(2, { bucket: 1 });
    expect(index.terms).toBe(0);
    expect([...index.candidates(q, 10)!.labels]).toEqual([]);
  });

  it('keeps documents beyond its limits in every answer, marked inexact', () => {
    const index = new PayloadIndex();
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 12; i++) at = (at.x = {}) as Record<string, unknown>;
    index.add(0, { bucket: 1 });
    index.add(1, deep);
    index.add(2, { many: Array.from({ length: 2000 }, (_, i) => i) });
    const c = index.candidates({ op: 'terms', path: ['bucket'], values: [1] }, 3)!;
    expect([...c.labels]).toEqual([0, 1, 2]);
    expect(c.exact).toBe(false);
    index.remove(1, deep);
    index.remove(2, { many: Array.from({ length: 2000 }, (_, i) => i) });
    expect(index.candidates({ op: 'terms', path: ['bucket'], values: [1] }, 3)!.exact).toBe(true);
  });

  it('round-trips through its snapshot bytes and refuses damaged ones', () => {
    const r = seededRandom(4);
    const docs = Array.from({ length: 400 }, () => randomDoc(r));
    const index = new PayloadIndex();
    docs.forEach((d, label) => index.add(label, d));
    const bytes = index.serialize();
    const back = PayloadIndex.deserialize(bytes)!;
    expect(back).toBeDefined();
    for (const q of QUERIES) {
      const a = index.candidates(q, 400)!;
      const b = back.candidates(q, 400)!;
      expect([...b.labels]).toEqual([...a.labels]);
      expect(b.exact).toBe(a.exact);
    }
    expect(PayloadIndex.deserialize(bytes.subarray(0, bytes.length - 4))).toBeUndefined();
    expect(PayloadIndex.deserialize(Buffer.from('not an index'))).toBeUndefined();
  });
});

describe('VectorIndex with a payload query in every geometry', () => {
  for (const geometry of ['spherical', 'hyperboloid'] as const) {
    it(`${geometry}: scans and graph walks agree with exact filtered search`, () => {
      const r = seededRandom(geometry === 'spherical' ? 6 : 7);
      const n = 12_000;
      const dim = 8;
      const index = new VectorIndex({ dimension: dim, geometry, initialCapacity: n });
      index.upsertBatch(
        Array.from({ length: n }, (_, i) => ({ id: `v${i}`, vector: Float32Array.from({ length: dim }, () => r() * 4 - 2) })),
      );
      for (let i = 0; i < n; i++) index.payload.add(index.labelOf(`v${i}`)!, { bucket: i % 100 });
      for (const percent of [1, 60]) {
        let found = 0;
        for (let q = 0; q < 20; q++) {
          const v = Float32Array.from({ length: dim }, () => r() * 4 - 2);
          const truth = index.exactSearch(v, 10, (id) => Number(id.slice(1)) % 100 < percent);
          const hits = index.search(v, 10, { payload: { op: 'range', path: ['bucket'], cmp: '$lt', value: percent }, payloadExact: true });
          expect(hits).toHaveLength(10);
          for (const h of hits) expect(Number(h.id.slice(1)) % 100).toBeLessThan(percent);
          // Exact distances either way: the same as brute force for the hits both found.
          const byId = new Map(truth.map((t) => [t.id, t.distance]));
          for (const h of hits) if (byId.has(h.id)) expect(h.distance).toBeCloseTo(byId.get(h.id)!, 9);
          found += hits.filter((h) => byId.has(h.id)).length;
        }
        expect(found / 200, `${geometry} ${percent}%`).toBeGreaterThanOrEqual(0.95);
      }
      index.dispose();
    });
  }
});

describe('VectorIndex snapshots with a payload index', () => {
  it('restore the payload index with the graph; a damaged payload file only costs a rebuild', async () => {
    const { mkdtemp, readdir, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'payload-snapshot-'));
    try {
      const index = new VectorIndex({ dimension: 4, geometry: 'euclidean' });
      for (let i = 0; i < 50; i++) index.payload.add(index.upsert(`v${i}`, Float32Array.from([i, 1, 2, 3])), { bucket: i % 5 });
      await index.writeSnapshot(dir);
      const q: PayloadQuery = { op: 'terms', path: ['bucket'], values: [2] };
      const loaded = (await VectorIndex.loadSnapshot(dir, { dimension: 4, geometry: 'euclidean' }))!;
      expect(loaded.payloadFromSnapshot).toBe(true);
      expect([...loaded.payload.candidates(q, 50)!.labels]).toEqual([...index.payload.candidates(q, 50)!.labels]);
      const payloadFile = (await readdir(dir)).find((n) => n.startsWith('payload-'))!;
      await writeFile(join(dir, payloadFile), Buffer.alloc(10));
      const rebuilt = (await VectorIndex.loadSnapshot(dir, { dimension: 4, geometry: 'euclidean' }))!;
      expect(rebuilt.size).toBe(50);
      expect(rebuilt.payloadFromSnapshot).toBe(false);
      index.dispose();
      loaded.dispose();
      rebuilt.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('planCandidates', () => {
  it('scans few candidates, walks the graph for many, widening ef as they get sparse', () => {
    expect(planCandidates(200, 100_000, 64, 10)).toBeUndefined();
    expect(planCandidates(1000, 100_000, 64, 10)).toBeUndefined();
    expect(planCandidates(2500, 25_000, 64, 10)).toBeUndefined();
    expect(planCandidates(50_000, 100_000, 64, 10)).toEqual({ ef: 64 });
    const tenth = planCandidates(10_000, 100_000, 64, 10)!;
    expect(tenth.ef).toBeGreaterThanOrEqual(80);
    const sparse = planCandidates(50_000, 1_000_000, 64, 10)!;
    expect(sparse.ef).toBeGreaterThan(tenth.ef);
  });
});

describe('VectorIndex with a payload query', () => {
  it('matches exact filtered search at 1, 10 and 50 % selectivity, and applies an inexact filter among candidates', () => {
    const r = seededRandom(5);
    const n = 20_000;
    const dim = 16;
    const index = new VectorIndex({ dimension: dim, geometry: 'euclidean', initialCapacity: n });
    const items = Array.from({ length: n }, (_, i) => ({ id: `v${i}`, vector: Float32Array.from({ length: dim }, () => r() * 2 - 1) }));
    index.upsertBatch(items);
    const bucketOf = (label: number) => Number(index.get(`v${label}`) ? label % 100 : -1);
    for (let i = 0; i < n; i++) index.payload.add(index.labelOf(`v${i}`)!, { bucket: i % 100 });
    for (const [percent, query] of [
      [1, { op: 'terms', path: ['bucket'], values: [0] }],
      [10, { op: 'range', path: ['bucket'], cmp: '$lt', value: 10 }],
      [50, { op: 'range', path: ['bucket'], cmp: '$lt', value: 50 }],
    ] as const) {
      let found = 0;
      for (let q = 0; q < 30; q++) {
        const v = Float32Array.from({ length: dim }, () => r() * 2 - 1);
        const truth = index.exactSearch(v, 10, (id) => Number(id.slice(1)) % 100 < percent).map((h) => h.id);
        const hits = index.search(v, 10, { payload: query, payloadExact: true });
        expect(hits).toHaveLength(10);
        for (const h of hits) expect(bucketOf(h.label)).toBeLessThan(percent);
        found += hits.filter((h) => truth.includes(h.id)).length;
      }
      expect(found / 300, `${percent}%`).toBeGreaterThanOrEqual(0.95);
    }
    // Inexact: the payload narrows to bucket < 10, the filter keeps even ids only.
    const v = Float32Array.from({ length: dim }, () => 0);
    const even = (id: string) => Number(id.slice(1)) % 2 === 0;
    const hits = index.search(v, 10, { payload: { op: 'range', path: ['bucket'], cmp: '$lt', value: 10 }, filter: even });
    const truth = index.exactSearch(v, 10, (id) => even(id) && Number(id.slice(1)) % 100 < 10);
    expect(hits.map((h) => h.id)).toEqual(truth.map((h) => h.id));
    // No candidates: nothing, without a scan of everything.
    expect(index.search(v, 10, { payload: { op: 'terms', path: ['bucket'], values: [500] } })).toEqual([]);
    index.dispose();
  });
});
