// Fuzzing with fast-check: public HVS inputs get typed errors and change nothing; junk on our subjects never breaks a reader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { encodeEventData, hvsNames, mailNames, nvmNames } from '@hvs-nvm/events';
import { parseStoredMessage } from '@hvs-nvm/eventstore';
import { HVS, HVSError } from '@hvs-nvm/hvs';
import { NVM, NVMError, BlockClass } from '@hvs-nvm/nvm';
import { hashingEncoder } from '@hvs-nvm/encoders';

const COLL = 'fuzz';
const NS = 'fuzzns';
const DIM = 4;
const RUNS = Number(process.env['HVS_FUZZ_RUNS'] ?? 250);
/**
 * One fixed seed, so a run is reproducible and CI is not at the mercy of which inputs a random seed draws. Explore
 * other inputs with FUZZ_SEED=<int32> (every failure report names its seed; add what it finds as a regression below).
 */
const SEED = parseSeed(process.env['FUZZ_SEED'] ?? '20260115');

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 31) throw new Error(`FUZZ_SEED must be an int32, got '${text}'`);
  return seed;
}

const NVM_RUNS = Math.max(30, Math.floor(RUNS / 2));
const OTHER_CALLS = [
  'retrieveVector',
  'batchRetrieveVectors',
  'deleteVector',
  'prefetch',
  'connectModel',
  'receiveMessages',
  'replayMessages',
  'broadcast',
];
const NVM_CALLS = [
  'createBlock',
  'updateBlock',
  'getBlock',
  'getBlockByName',
  'listBlocks',
  'blockHistory',
  'semanticQuery',
  'deleteBlock',
] as const;
/**
 * Least share of each operation's cases that must be accepted: about half of what the fixed seed gives (at 250 runs:
 * storeVector 44, batchStoreVectors 43, semanticSearch 53, sendMessage 89; each other HVS call 5-15 of ~31; NVM of 125:
 * createBlock 40, deleteBlock 26, getBlock 20, getBlockByName 76, listBlocks 50, blockHistory 57, semanticQuery 17,
 * updateBlock 2), so another seed passes too, and a change that starts refusing good input fails.
 */
const FRACTION = {
  storeVector: 0.08,
  batchStoreVectors: 0.08,
  semanticSearch: 0.1,
  sendMessage: 0.15,
  otherCalls: 0.06,
  createBlock: 0.15,
  updateBlock: 0.004,
  getBlock: 0.08,
  getBlockByName: 0.3,
  listBlocks: 0.2,
  blockHistory: 0.2,
  semanticQuery: 0.06,
  deleteBlock: 0.1,
} satisfies Record<string, number>;

/** fast-check parameters of every property here: the seed above and a number of runs. */
const params = (numRuns: number) => ({ numRuns, seed: SEED });

let srv: TempNatsServer;
let dir: string;
let hvs: HVS;
let nvm: NVM;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const casesRun: Record<string, number> = {};
/** Calls that succeeded, per operation: a property that refuses every input would pass without testing anything. */
const accepted: Record<string, number> = {};

function accept(op: string, ok: boolean): void {
  if (ok) accepted[op] = (accepted[op] ?? 0) + 1;
}

/** At least `fraction` of `runs` cases of `op` were accepted (the fractions sit well under what the fixed seed gives). */
function expectAccepted(op: string, runs: number, fraction: number): void {
  expect(accepted[op] ?? 0, `${op}: accepted cases out of ${runs}`).toBeGreaterThanOrEqual(Math.max(1, Math.floor(runs * fraction)));
}

beforeAll(async () => {
  console.log(`[fuzz] fast-check seed ${SEED} (rerun with FUZZ_SEED=${SEED}; set FUZZ_SEED to explore other inputs)`);
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-faults-fuzz-'));
  hvs = await HVS.open({ natsUrl: srv.url, storagePath: join(dir, 'hvs'), collection: COLL, dimension: DIM });
  await hvs.connectModel('bob');
  nvm = await NVM.open({ natsUrl: srv.url, storagePath: join(dir, 'nvm'), namespace: NS, encoder: hashingEncoder(32) });
  nc = await connect({ servers: srv.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  console.log('[fuzz report] cases run:', JSON.stringify(casesRun), 'accepted:', JSON.stringify(accepted));
  await nc?.close();
  await nvm?.close();
  await hvs?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function heads(): Promise<[number, number]> {
  const [a, b] = await Promise.all([jsm.streams.info(hvsNames(COLL).stream), jsm.streams.info(mailNames(COLL).stream)]);
  return [a.state.last_seq, b.state.last_seq];
}

/** Runs a public call: it resolves, or rejects with an HVSError; when it rejects, no stream moved. */
async function typedOrOk<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: HVSError }> {
  const before = await heads();
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    if (!(err instanceof HVSError)) {
      throw new Error(`expected an HVSError, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
    }
    expect(await heads()).toEqual(before);
    return { ok: false, error: err };
  }
}

// ---- arbitraries ----------------------------------------------------------------------------------

const nasty = fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e308, -1e-308, Number.MAX_SAFE_INTEGER);
const num = fc.oneof(fc.double(), nasty, fc.integer());
const vectorArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: DIM, maxLength: DIM }),
  fc.array(num, { minLength: DIM, maxLength: DIM }),
  fc.array(num, { maxLength: 2 * DIM }),
  fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: DIM, maxLength: DIM }).map((a) => Float32Array.from(a)),
  fc.array(num, { minLength: DIM, maxLength: DIM }).map((a) => Float64Array.from(a)),
  fc.array(fc.anything(), { minLength: DIM, maxLength: DIM }),
  fc.anything(),
  fc.constantFrom(new Int8Array(DIM), new Uint8Array(DIM), new ArrayBuffer(16), [[1], [2], [3], [4]], { length: DIM }),
);
const idArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_:=-]{0,20}$/),
  fc.string(),
  fc.constantFrom('', '.', '*', '>', 'a.b', 'a b', 'a*', '-a', 'x'.repeat(200), '_INBOX', '\u0000'),
  fc.anything(),
);
const metadataArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(fc.string(), fc.jsonValue()),
  fc.object(),
  fc.anything(),
  fc.constantFrom(
    { '': 1 },
    { a: undefined },
    { a: NaN },
    { d: new Date(0) },
    { big: 'x'.repeat(70_000) },
    [1, 2],
    new Map(),
    Object.create(null),
  ),
);
const path = fc.oneof(fc.constantFrom('a', 'b.c', 'tags', '$and', '', '.', 'a..b'), fc.string());
const operand: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue(), fc.anything());
const filterArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small' },
    fc.dictionary(path, operand, { maxKeys: 3 }),
    fc.dictionary(path, tie('ops'), { maxKeys: 2 }),
    fc.record({ $and: fc.oneof(fc.array(tie('filter'), { maxLength: 3 }), operand) }),
    fc.record({ $or: fc.oneof(fc.array(tie('filter'), { maxLength: 3 }), operand) }),
    fc.record({ $not: fc.oneof(tie('filter'), operand) }),
    fc.anything(),
  ),
  ops: fc.dictionary(
    fc.constantFrom('$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$regex', '$bogus', 'x'),
    operand,
    { maxKeys: 2 },
  ),
}))['filter'];
// Well-formed inputs, mixed into every property so that a share of its cases must be accepted (and checked).
const goodVector = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: DIM, maxLength: DIM });
const goodId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_:=-]{0,20}$/);
const goodMetadata = fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()), {
  minKeys: 1,
  maxKeys: 4,
});
/** `good` in about one case of three, otherwise `fuzz`. */
const mostlyFuzz = <T>(good: fc.Arbitrary<T>, fuzz: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 1, arbitrary: good }, { weight: 2, arbitrary: fuzz });

/** Anything but null: `null` options are a known TypeError, pinned by their own test below. */
const nonNull = fc.anything().filter((v) => v !== null);
const receiveOptionsArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      max: fc.oneof(fc.integer({ min: -2, max: 50 }), num, fc.anything()),
      waitMs: fc.oneof(fc.integer({ min: -5, max: 50 }), num),
      since: fc.oneof(fc.date(), fc.integer(), fc.anything()),
    },
    { requiredKeys: [] },
  ),
  nonNull,
);
const searchOptionsArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      k: fc.oneof(fc.integer({ min: -5, max: 20 }), num, fc.anything()),
      filter: filterArb,
      ef: fc.oneof(fc.integer(), fc.anything()),
      exact: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  nonNull,
);

// ---- (a) public inputs ----------------------------------------------------------------------------

describe('every public HVS input either succeeds or throws an HVSError, and a rejected call stores nothing', () => {
  it('storeVector with arbitrary vectors, metadata and ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        mostlyFuzz(
          fc.tuple(goodVector, goodMetadata, fc.oneof(fc.constant(undefined), fc.record({ id: goodId }))),
          fc.tuple(vectorArb, metadataArb, fc.oneof(fc.constant(undefined), fc.record({ id: idArb }), nonNull)),
        ),
        async ([vector, metadata, options]) => {
          casesRun['storeVector'] = (casesRun['storeVector'] ?? 0) + 1;
          const r = await typedOrOk(() => hvs.storeVector(vector as never, metadata as never, options as never));
          accept('storeVector', r.ok);
          if (r.ok) expect((await hvs.retrieveVector(r.value)).data).toHaveLength(DIM);
        },
      ),
      params(RUNS),
    );
    expectAccepted('storeVector', RUNS, FRACTION.storeVector);
  });

  it('batchStoreVectors with arbitrary items', async () => {
    const item = fc.record({ vector: vectorArb, metadata: metadataArb, id: idArb }, { requiredKeys: ['vector'] });
    const goodItem = fc.record({ vector: goodVector, metadata: goodMetadata, id: goodId }, { requiredKeys: ['vector'] });
    const items: fc.Arbitrary<unknown> = mostlyFuzz(
      fc.array(goodItem, { minLength: 1, maxLength: 5 }),
      fc.oneof(fc.array(fc.oneof(item, fc.anything()), { maxLength: 5 }), fc.anything()),
    );
    await fc.assert(
      fc.asyncProperty(items, async (items) => {
        casesRun['batchStoreVectors'] = (casesRun['batchStoreVectors'] ?? 0) + 1;
        const r = await typedOrOk(() => hvs.batchStoreVectors(items as never));
        accept('batchStoreVectors', r.ok);
        if (r.ok) expect((await hvs.batchRetrieveVectors(r.value)).every((v) => v !== null)).toBe(true);
      }),
      params(RUNS),
    );
    expectAccepted('batchStoreVectors', RUNS, FRACTION.batchStoreVectors);
  });

  it('semanticSearch with arbitrary queries, k and filters', async () => {
    await hvs.batchStoreVectors(
      Array.from({ length: 30 }, (_, i) => ({ vector: [i, 1, 2, 3], metadata: { a: i, b: { c: i % 3 }, tags: ['t', String(i)] } })),
    );
    await fc.assert(
      fc.asyncProperty(mostlyFuzz(goodVector, vectorArb), searchOptionsArb, async (query, options) => {
        casesRun['semanticSearch'] = (casesRun['semanticSearch'] ?? 0) + 1;
        const r = await typedOrOk(() => hvs.semanticSearch(query as never, options as never));
        accept('semanticSearch', r.ok);
        if (r.ok) {
          const d = r.value.map((h) => h.distance);
          expect(d).toEqual([...d].sort((x, y) => x - y));
        }
      }),
      params(RUNS),
    );
    expectAccepted('semanticSearch', RUNS, FRACTION.semanticSearch);
  });

  it('sendMessage with arbitrary ids and bodies', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.anything(),
      fc.constantFrom(undefined, NaN, 1n, () => 1, Symbol('s'), 'x'.repeat(300_000)),
    );
    await fc.assert(
      fc.asyncProperty(mostlyFuzz(fc.tuple(goodId, goodId, fc.jsonValue()), fc.tuple(idArb, idArb, body)), async ([from, to, b]) => {
        casesRun['sendMessage'] = (casesRun['sendMessage'] ?? 0) + 1;
        accept('sendMessage', (await typedOrOk(() => hvs.sendMessage(from as never, to as never, b))).ok);
      }),
      params(RUNS),
    );
    expectAccepted('sendMessage', RUNS, FRACTION.sendMessage);
  });
  it('reads, deletes, connections and mailbox calls with arbitrary arguments', async () => {
    const stored = await hvs.batchStoreVectors(Array.from({ length: 8 }, (_, i) => ({ vector: [i, 0, 1, 2], metadata: { i } })));
    const someId = mostlyFuzz(fc.constantFrom(...stored), idArb);
    const call = fc.oneof(
      fc.tuple(fc.constant('retrieveVector'), someId),
      fc.tuple(fc.constant('batchRetrieveVectors'), fc.oneof(fc.array(someId, { maxLength: 4 }), fc.anything())),
      fc.tuple(fc.constant('deleteVector'), idArb),
      fc.tuple(fc.constant('prefetch'), fc.array(idArb, { maxLength: 4 })),
      fc.tuple(fc.constant('connectModel'), idArb),
      fc.tuple(fc.constant('receiveMessages'), idArb, receiveOptionsArb),
      fc.tuple(fc.constant('replayMessages'), idArb, receiveOptionsArb),
      fc.tuple(
        fc.constant('broadcast'),
        idArb,
        fc.jsonValue(),
        fc.oneof(fc.constant(undefined), fc.record({ exclude: fc.array(idArb, { maxLength: 3 }) })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(call, async ([method, ...args]) => {
        casesRun['otherCalls'] = (casesRun['otherCalls'] ?? 0) + 1;
        const fn = (hvs as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
        // connectModel and broadcast write on success; everything else must leave the streams alone either way.
        accept(method, (await typedOrOk(() => fn.apply(hvs, args))).ok);
      }),
      params(RUNS),
    );
    // Eight methods share the runs.
    for (const method of OTHER_CALLS) expectAccepted(method, RUNS / OTHER_CALLS.length, FRACTION.otherCalls);
  });
});

// Inputs the properties above once found escaping as raw TypeErrors; each is now accepted or a typed error.
async function nvmHead(): Promise<number> {
  return (await jsm.streams.info(nvmNames(NS).stream)).state.last_seq;
}

/** An NVM call: it resolves, or rejects with an NVMError; when it rejects, the block stream did not move. */
async function nvmTypedOrOk<T>(call: () => Promise<T>): Promise<boolean> {
  const before = await nvmHead();
  try {
    await call();
    return true;
  } catch (err) {
    if (!(err instanceof NVMError)) {
      throw new Error(`expected an NVMError, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
    }
    expect(await nvmHead()).toBe(before);
    return false;
  }
}

const blockClassArb: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...Object.values(BlockClass)), fc.string(), fc.anything());
const contentArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.jsonValue(),
  fc.anything(),
  fc.constantFrom('', 'x'.repeat(1024 * 1024 + 1), { a: NaN }, [undefined]),
);
const permissionsArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ read: fc.array(fc.string(), { maxLength: 3 }), write: fc.array(fc.string(), { maxLength: 3 }) }, { requiredKeys: [] }),
  fc.anything(),
);
const goodCreateInput = fc.record(
  {
    name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/).map((n) => `ok-${n}`),
    blockClass: fc.constantFrom(BlockClass.DOCUMENTATION, BlockClass.KNOWLEDGE_GRAPH, BlockClass.SHARED_KNOWLEDGE),
    content: fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.integer())),
    readonly: fc.boolean(),
    metadata: goodMetadata,
  },
  { requiredKeys: ['name', 'blockClass', 'content'] },
);
const fuzzCreateInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9 _-]{0,20}$/), fc.string(), fc.anything()),
      blockClass: blockClassArb,
      content: contentArb,
      readonly: fc.oneof(fc.boolean(), fc.anything()),
      metadata: metadataArb,
      permissions: permissionsArb,
      ttlSeconds: fc.oneof(fc.integer({ min: -5, max: 100 }), num, fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const createInputArb: fc.Arbitrary<unknown> = mostlyFuzz<unknown>(goodCreateInput, fuzzCreateInput);

describe('every public NVM input either succeeds or throws an NVMError, and a rejected call appends nothing', () => {
  it('createBlock, updateBlock, getBlock, getBlockByName, deleteBlock, listBlocks, blockHistory and semanticQuery', async () => {
    const target = await nvm.createBlock({ name: 'fuzz-target', blockClass: BlockClass.DOCUMENTATION, content: 'start' });
    const blockIdArb = fc.oneof(fc.constant(target.id), idArb);
    await fc.assert(
      fc.asyncProperty(
        createInputArb,
        blockIdArb,
        contentArb,
        fc.record(
          { expectedVersion: fc.oneof(fc.integer({ min: -2, max: 5 }), num, fc.anything()), metadata: metadataArb },
          { requiredKeys: [] },
        ),
        fc.oneof(
          fc.record(
            { version: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.anything()), asOf: fc.oneof(fc.date(), fc.anything()) },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        fc.oneof(fc.string(), fc.anything()),
        fc.oneof(
          fc.record({ k: fc.oneof(fc.integer({ min: -2, max: 20 }), num, fc.anything()), blockClass: blockClassArb }, { requiredKeys: [] }),
          fc.anything(),
        ),
        async (create, id, content, updateOptions, getOptions, text, queryOptions) => {
          casesRun['nvm'] = (casesRun['nvm'] ?? 0) + 1;
          let created: string | undefined;
          accept('createBlock', await nvmTypedOrOk(async () => (created = (await nvm.createBlock(create as never)).id)));
          accept('updateBlock', await nvmTypedOrOk(() => nvm.updateBlock(id as never, content as never, updateOptions as never)));
          accept('getBlock', await nvmTypedOrOk(() => nvm.getBlock(id as never, getOptions as never)));
          accept('getBlockByName', await nvmTypedOrOk(() => nvm.getBlockByName(text as never)));
          accept('listBlocks', await nvmTypedOrOk(() => nvm.listBlocks(queryOptions as never)));
          accept('blockHistory', await nvmTypedOrOk(() => nvm.blockHistory(id as never)));
          accept('semanticQuery', await nvmTypedOrOk(() => nvm.semanticQuery(text as never, queryOptions as never)));
          if (id !== target.id) accept('deleteBlock', await nvmTypedOrOk(() => nvm.deleteBlock(id as never)));
          // The block this case made (if any) goes too: deletes of real blocks get their share of cases.
          if (created !== undefined) accept('deleteBlock', await nvmTypedOrOk(() => nvm.deleteBlock(created!)));
        },
      ),
      params(NVM_RUNS),
    );
    for (const op of NVM_CALLS) expectAccepted(op, NVM_RUNS, FRACTION[op]);
    // The block every run aimed at is still consistent: its history is contiguous and ends at its version.
    const block = await nvm.getBlock(target.id);
    const history = await nvm.blockHistory(target.id);
    expect(history.map((h) => h.version)).toEqual(Array.from({ length: block.version }, (_, i) => i + 1));
  });
});

describe('inputs the fuzzer found (regressions)', () => {
  const expectTyped = (call: () => Promise<unknown>) => expect(call()).rejects.toBeInstanceOf(HVSError);
  it('treats null options like omitted ones', async () => {
    expect(typeof (await hvs.storeVector([1, 2, 3, 4], {}, null as never))).toBe('string');
    expect(Array.isArray(await hvs.semanticSearch([1, 2, 3, 4], null as never))).toBe(true);
  });
  it('refuses non-object options with a typed error', () => expectTyped(() => hvs.semanticSearch([1, 2, 3, 4], 5 as never)));
  it('refuses a non-array to prefetch with a typed error', () => expectTyped(() => hvs.prefetch('x' as never)));
  it('refuses an endless receive wait instead of hanging', async () => {
    for (const waitMs of [Infinity, 1e308, Number.MAX_SAFE_INTEGER, -1, NaN, '5' as never]) {
      await expectTyped(() => hvs.receiveMessages('bob', { waitMs }));
    }
  });
  it('refuses NVM options that are not plain objects (an array has a filter method)', async () => {
    for (const options of [[], 'x', 5]) {
      await expect(nvm.listBlocks(options as never)).rejects.toBeInstanceOf(NVMError);
      await expect(nvm.semanticQuery('q', options as never)).rejects.toBeInstanceOf(NVMError);
      await expect(nvm.getBlock('missing-block', options as never)).rejects.toBeInstanceOf(NVMError);
    }
    expect(Array.isArray(await nvm.listBlocks(null as never))).toBe(true);
  });
  it('refuses a non-array broadcast exclude with a typed error', () =>
    expectTyped(() => hvs.broadcast('alice', {}, { exclude: 0 as never })));
  // An object whose toString is not a function makes String(v) and template literals throw a raw TypeError: error
  // messages describe such values instead.
  it('refuses a block class of [{ toString: "" }] in listBlocks with an NVMError', async () => {
    expect(await nvmTypedOrOk(() => nvm.listBlocks({ blockClass: [{ toString: '' }] } as never))).toBe(false);
  });
  it('refuses an expectedVersion of [{ toString: "" }] in updateBlock with an NVMError and appends nothing', async () => {
    const block = await nvm.createBlock({ name: 'regression-expected-version', blockClass: BlockClass.PROGRAM_STATE, content: 'c' });
    expect(await nvmTypedOrOk(() => nvm.updateBlock(block.id, 'c2', { expectedVersion: [{ toString: '' }] } as never))).toBe(false);
    expect((await nvm.getBlock(block.id)).version).toBe(1);
  });
});

// ---- (b) junk on the subjects we consume ----------------------------------------------------------

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const headerKey = fc.oneof(
  fc.constantFrom('Hvs-Type', 'Hvs-Schema', 'Hvs-Revision', 'Hvs-Occurred-At', 'Hvs-Actor', 'Nats-Msg-Id'),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/),
);
const headerValue = fc.oneof(
  fc.constantFrom(
    'VectorStored',
    'VectorDeleted',
    'MessageSent',
    'ModelConnected',
    'BlockCreated',
    'BlockUpdated',
    'FactAdded',
    '1',
    '0',
    '2',
    '-1',
    '999999999999',
    'NaN',
    '',
  ),
  fc.stringMatching(/^[ -~]{0,40}$/),
);
/** A payload: raw bytes, our codec around arbitrary JSON, or an almost-valid event. */
const payloadArb = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.constantFrom(
    new Uint8Array(0),
    Uint8Array.from([0x48, 0x56, 0x31, 255, 255, 255, 255]),
    Uint8Array.from([0x48, 0x56, 0x31, 4, 0, 0, 0]),
  ),
  fc.anything().map((v) => {
    try {
      return encodeEventData(v);
    } catch {
      return new Uint8Array([1]);
    }
  }),
  fc
    .record(
      { id: token, vector: fc.array(num, { maxLength: 8 }).map((a) => Float32Array.from(a)), metadata: fc.anything() },
      { requiredKeys: [] },
    )
    .map((v) => encodeEventData(v)),
  fc.record({ messageId: fc.anything(), from: fc.anything(), to: fc.constant('bob'), body: fc.anything() }).map((v) => encodeEventData(v)),
  fc
    .record(
      { blockId: fc.oneof(token, fc.anything()), content: fc.anything(), name: fc.anything(), blockClass: fc.anything() },
      { requiredKeys: [] },
    )
    .map((v) => encodeEventData(v)),
);
const junkArb = fc.record({
  subject: fc.oneof(
    token.map((t) => `${hvsNames(COLL).prefix}.vec.${t}`),
    token.map((t) => `${hvsNames(COLL).prefix}.model.${t}`),
    // Mail "from" mallory in the subject: a junk body can never claim the same sender by chance.
    token.map((t) => `${mailNames(COLL).prefix}.box.bob.mallory.${t}`),
    fc.tuple(token, token).map(([f, t]) => `${mailNames(COLL).prefix}.box.bob.${f}.${t}`),
    token.map((t) => `${nvmNames(NS).prefix}.block.${t}`),
    token.map((t) => `${nvmNames(NS).prefix}.fact.${t}`),
    token.map((t) => `${nvmNames(NS).prefix}.name.${t}`),
  ),
  headers: fc.option(fc.array(fc.tuple(headerKey, headerValue), { maxLength: 6 }), { nil: undefined }),
  payload: payloadArb,
});

describe('junk published straight onto our subjects', () => {
  it('is parked; projections keep applying valid writes; receiveMessages never returns it and never throws', async () => {
    let junkSent = 0;
    // Start from an empty mailbox (the properties above may have mailed bob, e.g. by broadcast).
    while ((await hvs.receiveMessages('bob', { max: 1000 })).length > 0);
    await fc.assert(
      fc.asyncProperty(fc.array(junkArb, { minLength: 1, maxLength: 4 }), async (junk) => {
        casesRun['junk'] = (casesRun['junk'] ?? 0) + 1;
        const hvsJunk: { position: number; parked: boolean }[] = [];
        for (const j of junk) {
          let hdrs;
          if (j.headers) {
            hdrs = natsHeaders();
            for (const [k, v] of j.headers) hdrs.set(k, v);
          }
          // Unique msg ids, so JetStream's dedupe does not swallow a junk message we count on.
          hdrs?.delete('Nats-Msg-Id');
          const ack = await js.publish(j.subject, j.payload, hdrs ? { headers: hdrs } : {});
          junkSent++;
          if (j.subject.startsWith(`${hvsNames(COLL).prefix}.`)) {
            const parsed = parseStoredMessage(hvsNames(COLL).prefix, j.subject, ack.seq, hdrs, j.payload);
            hvsJunk.push({ position: ack.seq, parked: parsed.kind === 'parked' });
          }
        }
        // A valid write afterwards is applied and readable (read-your-writes through the junk).
        const id = await hvs.storeVector([1, 2, 3, 4], { after: 'junk' });
        expect((await hvs.retrieveVector(id)).metadata).toEqual({ after: 'junk' });
        const parkedAt = new Set(hvs.parked.map((p) => p.position));
        for (const j of hvsJunk) if (j.parked) expect(parkedAt.has(j.position)).toBe(true);

        // Mail: a real message after the junk arrives; nothing else does.
        const real = await hvs.sendMessage('alice', 'bob', { real: true });
        const received = await hvs.receiveMessages('bob', { max: 100, waitMs: 200 });
        expect(received.map((m) => m.id)).toEqual([real]);
        expect(received[0]!.from).toBe('alice');

        // NVM: the block view still applies a valid command after junk on block subjects.
        const block = await nvm.createBlock({
          name: `after-junk-${casesRun['junk']}`,
          blockClass: BlockClass.DOCUMENTATION,
          content: 'ok',
        });
        expect((await nvm.getBlock(block.id)).content).toBe('ok');
      }),
      params(Math.max(20, Math.floor(RUNS / 2))),
    );
    casesRun['junkMessages'] = junkSent;
    casesRun['hvsParked'] = hvs.parked.length;
  });

  it('typed NVM errors for a few bad inputs after the junk (the block view is alive)', async () => {
    await expect(nvm.createBlock({ name: '', blockClass: 'nope' as never, content: 'x' })).rejects.toBeInstanceOf(NVMError);
    await expect(nvm.getBlock('missing-block')).rejects.toBeInstanceOf(NVMError);
  });
});
