// `npm run demo`: every example of the seed guide, end to end on the embedded default, printing what the seed prints.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HVS, HVSError, VectorNotFoundError } from '@hvs-nvm/hvs';
import { NVM, BlockClass, BlockNotFoundError, ReadOnlyBlockError } from '@hvs-nvm/nvm';
import { defaultEncoder } from '@hvs-nvm/encoders';
import {
  DocumentStore,
  HVSNVMIntegration,
  ModelCommunicationHub,
  ModelStatePersistence,
  SemanticCache,
  SharedKnowledgeBase,
} from '@hvs-nvm/hvs-nvm';

const root = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'hvs-nvm-demo-'));
const randn = (d: number) => Array.from({ length: d }, () => Math.random() * 2 - 1);
const section = (title: string) => console.log(`\n== ${title}`);

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

  section('Handle Errors Gracefully (HVS)');
  try {
    await hvs.retrieveVector('no-such-vector');
  } catch (e) {
    if (e instanceof VectorNotFoundError) console.log(`VectorNotFoundError: ${e.message}`);
    else if (e instanceof HVSError) throw e;
  }

  section('Batch Operations and Caching');
  const ids = await hvs.batchStoreVectors(Array.from({ length: 100 }, (_, i) => ({ vector: randn(12), metadata: { i } })));
  const vectors = await hvs.batchRetrieveVectors(ids);
  console.log(`Batch stored ${ids.length}, retrieved ${vectors.filter(Boolean).length}`);
  await hvs.prefetch(ids.slice(0, 10));
  hvs.invalidateCache(ids[0]);
  console.log(`Cache: ${JSON.stringify(hvs.cacheStats())}`);
}

section('Choose the Right Geometry');
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

  section('Handle Errors Gracefully (NVM)');
  try {
    await nvm.updateBlock(docBlock.id, 'new content');
  } catch (e) {
    if (e instanceof ReadOnlyBlockError) console.log(`Cannot modify read-only block ${docBlock.id}`);
    else throw e;
  }
  try {
    await nvm.updateBlock('no-such-block', 'x');
  } catch (e) {
    if (e instanceof BlockNotFoundError) {
      const created = await nvm.createBlock({ name: 'created_on_miss', blockClass: BlockClass.CACHE, content: 'x', ttlSeconds: 60 });
      console.log(`Block did not exist; created ${created.name}`);
    } else throw e;
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
  for (const d of await store.searchDocuments('geometry')) console.log(`${d.docId}: ${d.content} (score ${d.score.toFixed(4)})`);

  section('Pattern 2: Model State Persistence');
  const state = new ModelStatePersistence(nvm, 'model_a');
  await state.setState('conversation_count', 42);
  const checkpointId = await state.checkpoint();
  console.log(`Checkpoint: ${checkpointId}, conversation_count = ${String(await state.getState('conversation_count'))}`);

  section('Pattern 3: Multi-Model Communication');
  const hub = new ModelCommunicationHub(hvs);
  await hub.registerModel('model_a');
  await hub.registerModel('model_b');
  await hub.sendMessage('model_a', 'model_b', { task: 'analyze', data: 'xyz' });
  const messages = await hub.receiveMessages('model_b');
  console.log(`model_b received: ${JSON.stringify(messages.map((m) => m.body))}`);

  section('Pattern 4: Shared Knowledge Base');
  const kb = new SharedKnowledgeBase(nvm, hvs, encoder);
  await kb.addFact('HyperSync', 'uses', 'hyperbolic geometry', 'documentation');
  await kb.addFact('HVS', 'provides', 'vector storage', 'specification');
  const facts = await kb.queryFacts('geometry');
  for (const f of facts) console.log(`${f.subject} ${f.predicate} ${f.object} (${f.source})`);

  section('Pattern 5: Semantic Cache');
  const cache = new SemanticCache(nvm, hvs, { ttlSeconds: 3600, encoder });
  const expensiveComputation = () => ({ answer: 'HyperSync is a distributed AI coordination system.' });
  let result = await cache.get('What is HyperSync?');
  if (result === null) {
    console.log('Cache miss');
    result = expensiveComputation();
    await cache.set('What is HyperSync?', result);
  }
  const similar = await cache.get('Tell me about HyperSync', { threshold: 0.6 });
  console.log(`Similar query: ${similar === null ? 'miss' : `hit ${JSON.stringify(similar)}`}`);
}

if (!process.argv[2]) rmSync(root, { recursive: true, force: true });
console.log('\ndemo: all seed examples ran');
