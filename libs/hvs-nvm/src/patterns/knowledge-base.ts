// Pattern 4: facts as events on a fact stream, indexed in HVS, summarised in a shared block, open to subscribers.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { encodeEventData, streamIds } from '@hvs-nvm/events';
import type { EventSubscription, RecordedEvent } from '@hvs-nvm/eventstore';
import type { HVS } from '@hvs-nvm/hvs';
import {
  BlockClass,
  BlockNotFoundError,
  ContentTooLargeError,
  InvalidArgumentError,
  PatchNotApplicableError,
  toNVMError,
  type NVM,
} from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import { createLogger } from '@hvs-nvm/runtime';
import { NonBlankText, parseInput, parseOptions } from '../input.js';
import { entriesOf, storeEntry } from '../reserved.js';
import { resolveSources, SourcesSchema, type SourceInput, type SourceLink } from '../provenance/sources.js';
import { SystemBlock } from './system-block.js';

/** A fact as recorded and as read back (from the log or from HVS metadata, which is checked against it). */
const FactSchema = z.object({
  factId: z.string(),
  subject: z.string(),
  predicate: z.string(),
  object: z.string(),
  source: z.string(),
  /** Epoch seconds, as the seed's time.time(). */
  timestamp: z.number(),
});
export type Fact = z.infer<typeof FactSchema>;

export interface FactSubscription {
  /**
   * Resolves once the facts recorded before subscribing have been handed to the handler; rejects with the error
   * that stopped the subscription first (a throwing handler, or the store failing).
   */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

const KnowledgeBaseOptionsSchema = z.strictObject({
  /**
   * Largest fact accepted, as JSON bytes. It bounds the FactAdded event, the fact's HVS metadata (keep HVS's
   * maxMetadataBytes above it, as its 64 KiB default is) and the patch that adds it to the block.
   */
  maxFactBytes: z
    .number()
    .int()
    .min(256)
    .max(256 * 1024)
    .default(8 * 1024),
});
export type KnowledgeBaseOptions = z.input<typeof KnowledgeBaseOptionsSchema>;

const SubscribeOptionsSchema = z.strictObject({
  /** First position to deliver (from history()'s `position`); default: only facts added from now on. */
  since: z.number().int().positive().optional(),
  /** Told why the subscription stopped; without it the error is logged. Either way `caughtUp` rejects if pending. */
  onError: z.custom<(err: unknown) => void>((f) => typeof f === 'function', 'onError is a function').optional(),
});
export type SubscribeOptions = z.input<typeof SubscribeOptionsSchema>;

const AddFactOptions = z.strictObject({
  /** What the fact was derived from (block, vector or fact ids, or `{ id, version }`): recorded with its version. */
  sources: SourcesSchema.optional(),
});

const FactInput = z.object({
  subject: NonBlankText,
  predicate: NonBlankText,
  object: NonBlankText,
  source: z.string(),
});

/** What the shared block holds, as the seed's pattern reads it (`kb['facts']`): every fact, and the relations. */
type KbContent = { facts: Fact[]; relations: unknown[] };

const KB_NAME = 'shared_knowledge_base';

function toFact(e: RecordedEvent): Fact | undefined {
  return e.type === 'FactAdded' ? { ...e.data } : undefined;
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * Facts shared by models. Each fact is a FactAdded event on its own stream (the record: `history()`, `subscribe()`),
 * a vector in HVS (`queryFacts()`), and an entry of the `shared_knowledge_base` block, which holds
 * `{ facts: [...every fact], relations: [...] }` as the seed's pattern reads it. Each fact adds itself to the block
 * with a one-operation JSON patch (`add /facts/-`): the log stores the patch, not the whole list again, and the
 * block view keeps one version, so n facts cost O(n), and concurrent adds all land (a lost race re-applies it).
 */
export class SharedKnowledgeBase {
  private readonly kb: SystemBlock;
  private readonly options: z.output<typeof KnowledgeBaseOptionsSchema>;
  private readonly log = createLogger('knowledge-base');

  constructor(
    readonly nvm: NVM,
    readonly hvs: HVS,
    readonly encoder: Encoder,
    options: KnowledgeBaseOptions = {},
  ) {
    this.options = parseOptions(KnowledgeBaseOptionsSchema, options, 'SharedKnowledgeBase');
    // Everyone reads it, only the system writes it; re-created (its summary rebuilt from the fact log) if it is gone.
    this.kb = new SystemBlock(
      nvm,
      { name: KB_NAME, blockClass: BlockClass.SHARED_KNOWLEDGE, initialContent: () => this.rebuiltContent() },
      this.log,
    );
  }

  /** The block's content made from the fact log: every fact recorded, oldest first (for a block made again). */
  private async rebuiltContent(relations: unknown[] = []): Promise<KbContent> {
    const facts = (await this.history()).map(({ position: _p, ...fact }) => fact);
    return { facts, relations };
  }

  async getKbBlockId(): Promise<string> {
    return (await this.kb.get()).id;
  }

  /**
   * Records the fact (an event), indexes it in HVS, and adds it to the block's summary. Everything that can refuse a
   * fact — its fields, its size, the encoder — is checked before the event is appended, so a refused fact leaves
   * nothing behind. Past the append the fact is recorded: a later failure (HVS or NATS down) is thrown, and the fact
   * is still in history() and delivered to subscribers.
   */
  async addFact(
    subject: string,
    predicate: string,
    obj: string,
    source: string,
    options: { sources?: SourceInput[] } = {},
  ): Promise<Fact & { sources?: SourceLink[] }> {
    const input = parseInput(FactInput, { subject, predicate, object: obj, source }, 'addFact');
    const { sources } = parseOptions(AddFactOptions, options, 'addFact');
    const links = sources ? await resolveSources({ hvs: this.hvs.eventStore, nvm: this.nvm.eventStore }, this.hvs, sources, 'addFact') : [];
    const fact: Fact = { factId: randomUUID(), ...input, timestamp: Date.now() / 1000 };
    const bytes = encodeEventData(fact).byteLength;
    if (bytes > this.options.maxFactBytes) throw new ContentTooLargeError('the fact', bytes, this.options.maxFactBytes);
    const alone = jsonBytes({ facts: [fact], relations: [] });
    if (alone > this.nvm.maxContentBytes)
      throw new ContentTooLargeError('the fact in the knowledge-base block', alone, this.nvm.maxContentBytes);
    const kb = await this.kb.get();
    const vector = await this.encoder.encode(`${fact.subject} ${fact.predicate} ${fact.object}`);

    try {
      await this.nvm.eventStore.appendToStream(streamIds.fact(fact.factId), [{ type: 'FactAdded', data: fact }], {
        expectedRevision: 'no_stream',
        actor: this.nvm.actor,
      });
    } catch (err) {
      throw toNVMError(err);
    }
    await storeEntry(this.hvs, 'fact', vector, { type: 'fact', fact: { ...fact }, kb_block_id: kb.id }, `fact-${fact.factId}`, links);
    await this.addToBlock(kb.id, fact);
    return links.length > 0 ? { ...fact, sources: links } : fact;
  }

  /**
   * Adds a recorded fact to the block with one patch. A block made again from the log meanwhile (deleted under us)
   * has it already; one of an older shape (a summary without `facts`) is rewritten from the log, which has it too.
   * A block at NVM's content limit keeps the facts it has (logged): the fact is in the log and HVS all the same.
   */
  private async addToBlock(blockId: string, fact: Fact): Promise<void> {
    try {
      await this.nvm.patchBlock(blockId, [{ op: 'add', path: '/facts/-', value: { ...fact } }]);
    } catch (err) {
      if (err instanceof BlockNotFoundError) {
        this.kb.forget();
        await this.kb.get();
      } else if (err instanceof PatchNotApplicableError || (err as { code?: string }).code === 'BLOCK_NOT_JSON') {
        await this.nvm.updateBlock(blockId, async (current: { content: string }) => {
          let relations: unknown[] = [];
          try {
            const previous = JSON.parse(current.content) as { relations?: unknown };
            if (Array.isArray(previous.relations)) relations = previous.relations;
          } catch {
            // Not ours (someone rewrote the block): made again from the fact log.
          }
          return this.rebuiltContent(relations);
        });
      } else if (err instanceof ContentTooLargeError) {
        this.log.warn({ blockId, factId: fact.factId }, 'the knowledge-base block is full: the fact is in the fact log and HVS only');
      } else {
        throw err;
      }
    }
  }

  async queryFacts(query: string, k = 10): Promise<Fact[]> {
    const text = parseInput(NonBlankText, query, 'queryFacts query');
    const vector = await this.encoder.encode(text);
    // Only entries this pattern wrote (the reserved key), and only facts of the right shape.
    const results = await this.hvs.semanticSearch(vector, { k, filter: { type: 'fact', ...entriesOf('fact') } });
    const facts: Fact[] = [];
    for (const r of results) {
      const parsed = FactSchema.safeParse(r.vector.metadata['fact']);
      if (parsed.success) facts.push(parsed.data);
      else this.log.warn({ vectorId: r.vector.id, issues: parsed.error.issues }, 'skipped a fact entry of the wrong shape');
    }
    return facts;
  }

  /** Every fact ever added, oldest first, from the log. */
  async history(options: { since?: number } = {}): Promise<(Fact & { position: number })[]> {
    const { since } = parseOptions(SubscribeOptionsSchema.pick({ since: true }), options, 'history');
    const out: (Fact & { position: number })[] = [];
    try {
      for await (const e of this.nvm.eventStore.readAll({ filter: streamIds.facts, fromPosition: since ?? 1 })) {
        const fact = toFact(e);
        if (fact) out.push({ ...fact, position: e.position });
      }
    } catch (err) {
      throw toNVMError(err);
    }
    return out;
  }

  /**
   * Calls `handler` for every fact from position `since` (default: only new ones), history first and then live,
   * each exactly once and in order. A handler that throws stops the subscription, and its error is surfaced, never
   * swallowed: `caughtUp` rejects with it if still pending, and `onError` gets it (or, without `onError`, it is logged).
   */
  subscribe(handler: (fact: Fact, position: number) => void | Promise<void>, options: SubscribeOptions = {}): FactSubscription {
    if (typeof handler !== 'function') throw new InvalidArgumentError('subscribe takes a handler function');
    const { since, onError } = parseOptions(SubscribeOptionsSchema, options, 'subscribe');
    const store = this.nvm.eventStore;
    let sub: EventSubscription | undefined;
    let stopped = false;
    let reported = false;
    const report = (error: unknown) => {
      if (reported || stopped) return;
      reported = true;
      if (onError) onError(error);
      else this.log.error({ err: error }, 'a fact subscription stopped: its handler or the store failed');
    };
    const caughtUp = (async () => {
      try {
        const fromPosition = since ?? (await store.headPosition()) + 1;
        if (stopped) return;
        const s = (sub = store.subscribeToAll({ filter: streamIds.facts, fromPosition, types: ['FactAdded'] }));
        const pump = (async () => {
          for await (const e of s) {
            const fact = toFact(e);
            if (fact) await handler(fact, e.position);
          }
        })();
        // A failure after catching up has no caughtUp left to reject: it is reported all the same.
        pump.catch((err: unknown) => report(toNVMError(err)));
        // The pump ending without error (stopped, or the store closed) means nothing more will come.
        await Promise.race([s.caughtUp, pump]);
      } catch (err) {
        const error = toNVMError(err);
        report(error);
        throw error;
      }
    })();
    // A caller who never awaits caughtUp hears of a failure through onError or the log, not an unhandled rejection.
    caughtUp.catch(() => undefined);
    return {
      caughtUp,
      stop: async () => {
        stopped = true;
        // Stopping the subscription ends the pump, which settles caughtUp; before it exists, caughtUp sees `stopped`.
        await sub?.stop();
        await caughtUp.catch(() => undefined);
      },
    };
  }
}
