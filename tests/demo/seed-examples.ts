// `npm run demo`: every example of the seed guide, end to end on the embedded default, printing what the seed prints.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HVS, HVSError, VectorNotFoundError } from '@hvs-nvm/hvs';
import { NVM, NVMError, BlockClass, BlockNotFoundError, ReadOnlyBlockError } from '@hvs-nvm/nvm';
import { defaultEncoder, type Encoder } from '@hvs-nvm/encoders';
import {
  DocumentStore,
  HVSNVMIntegration,
  ModelCommunicationHub,
  ModelStatePersistence,
  SemanticCache,
  SharedKnowledgeBase,
  type Fact,
  type StoreOptions,
} from '@hvs-nvm/hvs-nvm';

const root = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'hvs-nvm-demo-'));
const randn = (d: number) => Array.from({ length: d }, () => Math.random() * 2 - 1);
const section = (title: string) => console.log(`\n== ${title}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The demo asserts what the seed promises, so a broken example fails `npm run demo` instead of printing nonsense. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`demo: ${what}`);
}

section('Basic HVS Usage');
{
  await using hvs = await HVS.open({ storagePath: join(root, 'hvs12'), dimension: 12 });
  const vector = randn(12);
  const vectorId = await hvs.storeVector(vector, { source: 'example', type: 'document' });
  console.log(`Stored vector: ${vectorId}`);
  const retrieved = await hvs.retrieveVector(vectorId);
  console.log(`Retrieved: [${[...retrieved.data].map((x) => x.toFixed(4)).join(', ')}]`);
  const results = await hvs.semanticSearch(randn(12), { k: 5 });
  for (const r of results) console.log(`ID: ${r.vector.id}, Distance: ${r.distance.toFixed(4)}`);

  section('Best Practices 3: Handle Errors Gracefully (HVS)');
  let result;
  try {
    result = await hvs.retrieveVector('no-such-vector');
  } catch (e) {
    if (e instanceof VectorNotFoundError) result = null;
    else if (e instanceof HVSError) {
      console.error(`HVS error: ${e.message}`);
      throw e;
    } else throw e;
  }
  console.log(`retrieve of a missing vector: ${String(result)}`);

  section('Best Practices 4: Batch Operations for Performance');
  const items = Array.from({ length: 100 }, (_, i) => ({ vector: randn(12), metadata: { i } }));
  const vectorIds = await hvs.batchStoreVectors(items);
  const vectors = await hvs.batchRetrieveVectors(vectorIds);
  console.log(`Batch stored ${vectorIds.length}, retrieved ${vectors.filter(Boolean).length}`);

  section('Best Practices 5: Use Caching Wisely');
  await using cached = await HVS.open({ storagePath: join(root, 'hvs12'), dimension: 12, cacheSizeMb: 1024 });
  await cached.prefetch(vectorIds.slice(0, 10));
  cached.invalidateCache(vectorIds[0]!);
  console.log(`Cache: ${JSON.stringify(cached.cacheStats())}`);
}

section('Best Practices 1: Choose the Right Geometry');
for (const geometry of ['hyperboloid', 'spherical', 'euclidean'] as const) {
  await using h = await HVS.open({ storagePath: join(root, `geo-${geometry}`), dimension: 8, geometry });
  await h.batchStoreVectors(Array.from({ length: 50 }, () => ({ vector: randn(8) })));
  const [best] = await h.semanticSearch(randn(8), { k: 1 });
  console.log(`${geometry}: nearest distance ${best!.distance.toFixed(4)}, score ${best!.score.toFixed(4)}`);
}

const encoder = await defaultEncoder();

section('Basic NVM Usage');
{
  await using nvm = await NVM.open({ storagePath: join(root, 'nvm-basic'), encoder });
  const docBlock = await nvm.createBlock({
    name: 'example_doc',
    blockClass: BlockClass.DOCUMENTATION,
    content: '# Example\n\nThis is example documentation.',
    readonly: true,
  });
  console.log(`Created block: ${docBlock.id}`);
  await nvm.createBlock({ name: 'app_state', blockClass: BlockClass.PROGRAM_STATE, content: { counter: 0, name: 'example' } });
  for (const r of await nvm.semanticQuery('What is the example?')) {
    console.log(`Found: ${r.block.name}, Score: ${r.score.toFixed(4)}`);
  }

  section('Best Practices 2: Use Appropriate Block Classes');
  const classes = [
    ['spec', BlockClass.DOCUMENTATION, 'For specs, docs, references', { readonly: true }],
    ['counters', BlockClass.PROGRAM_STATE, { counter: 1 }, {}],
    ['relations', BlockClass.KNOWLEDGE_GRAPH, { facts: [], relations: [] }, {}],
    ['scratch', BlockClass.CACHE, 'temporary data', { ttlSeconds: 60 }],
  ] as const;
  for (const [name, blockClass, content, options] of classes) {
    const b = await nvm.createBlock(name, blockClass, content, options);
    console.log(
      `${b.blockClass}: ${b.name}${b.readonly ? ' (read-only)' : ''}${b.expiresAt ? ` (expires ${b.expiresAt.toISOString()})` : ''}`,
    );
  }

  section('Best Practices 3: Handle Errors Gracefully (NVM)');
  for (const blockId of [docBlock.id, 'no-such-block']) {
    try {
      await nvm.updateBlock(blockId, 'new content');
    } catch (e) {
      if (e instanceof ReadOnlyBlockError) console.warn(`Cannot modify read-only block ${blockId}`);
      else if (e instanceof BlockNotFoundError) {
        // Create block if it doesn't exist
        const created = await nvm.createBlock({ name: 'created_on_miss', blockClass: BlockClass.PROGRAM_STATE, content: 'new content' });
        console.log(`Block ${blockId} did not exist; created ${created.name}`);
      } else throw e;
    }
  }
}

section('Integrated HVS-NVM Usage');
{
  await using integration = await HVSNVMIntegration.open({ hvsPath: join(root, 'hvs'), nvmPath: join(root, 'nvm'), encoder });
  await integration.store('HyperSync is a distributed AI coordination system.', { persist: true });
  for (const r of await integration.query('distributed AI')) {
    console.log(`Source: ${r.source}, Content: ${r.content.slice(0, 50)}...`);
  }
  const { hvs, nvm } = integration;

  section('Pattern 1: Document Storage and Retrieval');
  const store = new DocumentStore(hvs, nvm, encoder);
  await store.storeDocument('doc1', 'HyperSync uses hyperbolic geometry...');
  const documents = await store.searchDocuments('geometry');
  for (const d of documents) console.log(`${d.docId}: ${d.content} (score ${d.score.toFixed(4)})`);
  check(documents[0]?.docId === 'doc1', 'searchDocuments("geometry") finds doc1');

  section('Pattern 2: Model State Persistence');
  const state = new ModelStatePersistence(nvm, 'model_a');
  await state.setState('conversation_count', 42);
  const checkpointId = await state.checkpoint();
  console.log(`Checkpoint: ${checkpointId}, conversation_count = ${String(await state.getState('conversation_count'))}`);
  await state.setState('conversation_count', 43);
  await state.restore(checkpointId);
  const restored = await state.getState('conversation_count');
  console.log(`After 43 and restore(${checkpointId}): conversation_count = ${String(restored)}`);
  check(restored === 42, 'restore brings back the checkpointed state');

  section('Pattern 3: Multi-Model Communication');
  const hub = new ModelCommunicationHub(hvs);
  await hub.registerModel('model_a');
  await hub.registerModel('model_b');
  await hub.registerModel('model_c');
  await hub.sendMessage('model_a', 'model_b', { task: 'analyze', data: 'xyz' });
  const messages = await hub.receiveMessages('model_b');
  console.log(`model_b received: ${JSON.stringify(messages.map((m) => m.body))}`);
  const recipients = await hub.broadcast('model_a', { event: 'checkpoint saved' }, ['model_c']);
  console.log(`broadcast from model_a (excluding model_c) reached: ${recipients.join(', ')}`);
  console.log(`model_b now has: ${JSON.stringify((await hub.receiveMessages('model_b')).map((m) => m.body))}`);
  console.log(`model_c now has: ${JSON.stringify((await hub.receiveMessages('model_c')).map((m) => m.body))}`);
  // query_similar_states finds vectors stored with type 'model_state': publishState stores one per model.
  await hub.publishState('model_a', await encoder.encode('planning a trip to the mountains'));
  await hub.publishState('model_b', await encoder.encode('planning a hiking trip in the alps'));
  await hub.publishState('model_c', await encoder.encode('quarterly tax accounting spreadsheet'));
  const similar = await hub.querySimilarStates('model_a', await encoder.encode('planning a trip to the mountains'), 5);
  for (const r of similar) console.log(`similar to model_a: ${String(r.vector.metadata['model_id'])} (distance ${r.distance.toFixed(4)})`);
  check(similar[0]?.vector.metadata['model_id'] === 'model_b', 'querySimilarStates ranks model_b nearest to model_a');

  section('Pattern 4: Shared Knowledge Base');
  const kb = new SharedKnowledgeBase(nvm, hvs, encoder);
  const heard: Fact[] = [];
  const subscription = kb.subscribe((fact) => void heard.push(fact), { onError: (e) => console.error('subscriber failed', e) });
  await subscription.caughtUp;
  await kb.addFact('HyperSync', 'uses', 'hyperbolic geometry', 'documentation');
  await kb.addFact('HVS', 'provides', 'vector storage', 'specification');
  const facts = await kb.queryFacts('geometry');
  for (const f of facts) console.log(`${f.subject} ${f.predicate} ${f.object} (${f.source})`);
  check(facts[0]?.subject === 'HyperSync', 'queryFacts("geometry") finds the HyperSync fact first');
  for (const deadline = Date.now() + 30_000; heard.length < 2; await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`demo: the fact subscriber heard ${heard.length} of 2 facts in 30 s`);
  }
  await subscription.stop();
  console.log(`a subscriber heard: ${heard.map((f) => f.subject).join(', ')}; history holds ${(await kb.history()).length} facts`);

  section('Pattern 5: Semantic Cache');
  const cache = new SemanticCache(nvm, hvs, { ttlSeconds: 3600, encoder });
  let computed = 0;
  const expensiveComputation = () => {
    computed++;
    return { answer: 'HyperSync is a distributed AI coordination system.' };
  };
  // Cache miss
  let result = await cache.get('What is HyperSync?');
  if (result === null) {
    console.log('Cache miss');
    result = expensiveComputation();
    await cache.set('What is HyperSync?', result);
  }
  // Similar queries will hit cache
  result = await cache.get('Tell me about HyperSync'); // Semantic match!
  console.log(`Similar query: ${result === null ? 'miss' : `hit ${JSON.stringify(result)}`}`);
  check(result !== null && computed === 1, "the seed's similar query hits the cache with the default threshold");
  const unrelated = await cache.get('How do I bake bread?');
  console.log(`Unrelated query: ${unrelated === null ? 'miss' : 'hit'}`);
  check(unrelated === null, 'an unrelated question misses the cache');
}

section('Error Handling: RobustHVSNVM');
/** The seed's robust error-handling pattern over one integration. */
class RobustHVSNVM {
  constructor(
    readonly integration: HVSNVMIntegration,
    readonly hvs: HVS,
    private readonly encoder: Encoder,
  ) {}

  private encode(content: string): Promise<Float32Array> {
    return this.encoder.encode(content);
  }

  async safeStore(content: string, options: StoreOptions = {}): Promise<string> {
    try {
      return await this.integration.store(content, options);
    } catch (e) {
      if (e instanceof HVSError) {
        console.error(`HVS store failed: ${e.message}`);
        // Retry or fallback
        return this.retryStore(content, 3, options);
      }
      if (e instanceof NVMError) {
        console.error(`NVM store failed: ${e.message}`);
        // Store without persistence
        return this.hvs.storeVector(await this.encode(content));
      }
      throw e;
    }
  }

  async safeQuery(query: string, k = 10) {
    try {
      return await this.integration.query(query, { k });
    } catch (e) {
      console.error(`Query failed: ${(e as Error).message}`);
      return []; // Return empty results on error
    }
  }

  private async retryStore(content: string, maxRetries = 3, options: StoreOptions = {}): Promise<string> {
    for (let i = 0; ; i++) {
      try {
        await sleep(100 * 2 ** i); // Exponential backoff
        return await this.integration.store(content, options);
      } catch (e) {
        console.error(`  retry ${i + 1}/${maxRetries} failed: ${(e as Error).message}`);
        if (i === maxRetries - 1) throw e;
      }
    }
  }
}
{
  await using integration = await HVSNVMIntegration.open({ hvsPath: join(root, 'robust-hvs'), nvmPath: join(root, 'robust-nvm'), encoder });
  const robust = new RobustHVSNVM(integration, integration.hvs, encoder);
  const id = await robust.safeStore('Agents share memory through NVM blocks.', { persist: true });
  console.log(`safeStore: ${id}`);
  const found = await robust.safeQuery('shared agent memory', 3);
  console.log(`safeQuery: ${found.map((r) => `${r.source}: ${r.content}`).join(' | ')}`);
  check(found.length > 0, 'safeQuery finds the stored content');

  // NVM down: the NVMError branch stores without persistence.
  await integration.nvm.close();
  const unpersisted = await robust.safeStore('Stored while NVM was unavailable.');
  console.log(
    `safeStore with NVM closed fell back to HVS only: ${unpersisted} (found: ${String((await integration.hvs.retrieveVector(unpersisted)).id === unpersisted)})`,
  );
  console.log(`safeQuery with NVM closed: ${JSON.stringify(await robust.safeQuery('anything'))}`);

  // HVS down too: the HVSError branch retries with exponential backoff, then gives up.
  await integration.hvs.close();
  try {
    await robust.safeStore('Stored while everything was down.', { persist: false });
    check(false, 'a store with HVS closed cannot succeed');
  } catch (e) {
    console.log(`safeStore gave up after its retries: ${(e as Error).constructor.name}`);
    check(e instanceof HVSError, 'the last retry failure is an HVSError');
  }
}

section('Testing Patterns');
{
  const fixtureDirs: string[] = [];
  const mkdtemp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-test-'));
    fixtureDirs.push(dir);
    return dir;
  };
  const tests: Record<string, () => Promise<void>> = {
    'TestHVSOperations.test_store_and_retrieve': async () => {
      const dir = mkdtemp();
      await using hvs = await HVS.open({ storagePath: dir, dimension: 12 });
      const vector = randn(12);
      const vectorId = await hvs.storeVector(vector);
      const retrieved = await hvs.retrieveVector(vectorId);
      check(
        vector.every((x, i) => Math.abs(x - retrieved.data[i]!) < 1e-6),
        'retrieved vector equals the stored one',
      );
    },
    'TestHVSOperations.test_semantic_search': async () => {
      const dir = mkdtemp();
      await using hvs = await HVS.open({ storagePath: dir, dimension: 12 });
      for (let i = 0; i < 100; i++) await hvs.storeVector(randn(12));
      const results = await hvs.semanticSearch(randn(12), { k: 10 });
      check(results.length === 10, 'ten results');
      check(results[0]!.distance <= results[1]!.distance, 'sorted by distance');
    },
    'TestNVMOperations.test_readonly_block': async () => {
      const dir = mkdtemp();
      await using nvm = await NVM.open({ storagePath: dir, encoder });
      const block = await nvm.createBlock('test', BlockClass.DOCUMENTATION, 'content', { readonly: true });
      const err = await nvm.updateBlock(block.id, 'new content').catch((e: unknown) => e);
      check(err instanceof ReadOnlyBlockError, 'updating a read-only block raises ReadOnlyBlockError');
    },
  };
  for (const [name, test] of Object.entries(tests)) {
    await test();
    console.log(`${name} PASSED`);
  }
  for (const dir of fixtureDirs) rmSync(dir, { recursive: true, force: true });
}

if (!process.argv[2]) rmSync(root, { recursive: true, force: true });
console.log('\ndemo: all seed examples ran');
