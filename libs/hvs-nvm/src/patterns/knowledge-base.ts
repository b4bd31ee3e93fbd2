// Pattern 4: facts as events on a fact stream, indexed in HVS, mirrored in a shared block, open to subscribers.
import { randomUUID } from 'node:crypto';
import { streamIds } from '@hvs-nvm/events';
import type { CatchUpSubscription, RecordedEvent } from '@hvs-nvm/eventstore';
import type { HVS } from '@hvs-nvm/hvs';
import { BlockClass, BlockExistsError, ConcurrencyError, type Block, type NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';

export interface Fact {
  factId: string;
  subject: string;
  predicate: string;
  object: string;
  source: string;
  /** Epoch seconds, as the seed's time.time(). */
  timestamp: number;
}

export interface FactSubscription {
  /** Resolves once the facts recorded before subscribing have been handed to the handler. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

const KB_NAME = 'shared_knowledge_base';

function toFact(e: RecordedEvent): Fact | undefined {
  return e.type === 'FactAdded' ? { ...e.data } : undefined;
}

export class SharedKnowledgeBase {
  private kbBlock?: Promise<Block>;

  constructor(
    readonly nvm: NVM,
    readonly hvs: HVS,
    readonly encoder: Encoder,
  ) {}

  private init(): Promise<Block> {
    this.kbBlock ??= (async () => {
      const existing = await this.nvm.getBlockByName(KB_NAME);
      if (existing) return existing;
      try {
        return await this.nvm.createBlock({
          name: KB_NAME,
          blockClass: BlockClass.SHARED_KNOWLEDGE,
          content: { facts: [], relations: [] },
          permissions: { read: ['*'], write: ['*'] },
        });
      } catch (err) {
        if (!(err instanceof BlockExistsError)) throw err;
        const raced = await this.nvm.getBlockByName(KB_NAME);
        if (!raced) throw err;
        return raced;
      }
    })();
    this.kbBlock.catch(() => (this.kbBlock = undefined));
    return this.kbBlock;
  }

  async getKbBlockId(): Promise<string> {
    return (await this.init()).id;
  }

  /** Records the fact (an event), indexes it in HVS, and appends it to the shared block. */
  async addFact(subject: string, predicate: string, obj: string, source: string): Promise<Fact> {
    const kb = await this.init();
    const fact: Fact = { factId: randomUUID(), subject, predicate, object: obj, source, timestamp: Date.now() / 1000 };
    await this.nvm.eventStore.appendToStream(streamIds.fact(fact.factId), [{ type: 'FactAdded', data: fact }], {
      expectedRevision: 'no_stream',
    });
    const vector = await this.encoder.encode(`${subject} ${predicate} ${obj}`);
    await this.hvs.storeVector(vector, { type: 'fact', fact: { ...fact }, kb_block_id: kb.id }, { id: `fact-${fact.factId}` });
    for (let attempt = 0; ; attempt++) {
      const block = await this.nvm.getBlock(kb.id);
      const content = JSON.parse(block.content) as { facts: Fact[]; relations: unknown[] };
      content.facts.push(fact);
      try {
        await this.nvm.updateBlock(kb.id, JSON.stringify(content), { expectedVersion: block.version });
        break;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= 50) throw err;
      }
    }
    return fact;
  }

  async queryFacts(query: string, k = 10): Promise<Fact[]> {
    const vector = await this.encoder.encode(query);
    const results = await this.hvs.semanticSearch(vector, { k, filter: { type: 'fact' } });
    return results.map((r) => ({ ...(r.vector.metadata['fact'] as Fact) }));
  }

  /** Every fact ever added, oldest first, from the log. */
  async history(options: { since?: number } = {}): Promise<(Fact & { position: number })[]> {
    const out: (Fact & { position: number })[] = [];
    for await (const e of this.nvm.eventStore.readAll({ filter: streamIds.facts, fromPosition: options.since ?? 1 })) {
      const fact = toFact(e);
      if (fact) out.push({ ...fact, position: e.position });
    }
    return out;
  }

  /**
   * Calls `handler` for every fact from position `since` (default: only new ones), history first and then live,
   * each exactly once and in order. A throwing handler stops the subscription.
   */
  subscribe(
    handler: (fact: Fact, position: number) => void | Promise<void>,
    options: { since?: number } = {},
  ): FactSubscription {
    const store = this.nvm.eventStore;
    const start = options.since !== undefined ? Promise.resolve(options.since) : store.headPosition().then((h) => h + 1);
    let sub: CatchUpSubscription | undefined;
    let stopped = false;
    const caughtUp = start.then(async (fromPosition) => {
      if (stopped) return;
      sub = store.subscribeToAll({ filter: streamIds.facts, fromPosition, types: ['FactAdded'] });
      const s = sub;
      void (async () => {
        for await (const e of s) {
          const fact = toFact(e);
          if (fact) await handler(fact, e.position);
        }
      })().catch(() => undefined);
      await s.caughtUp;
    });
    return {
      caughtUp,
      stop: async () => {
        stopped = true;
        await start;
        await sub?.stop();
      },
    };
  }
}
