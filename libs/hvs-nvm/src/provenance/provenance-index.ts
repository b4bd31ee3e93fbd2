// Provenance: what a memory, fact or cache entry was computed from (its recorded links, each with whether it is still
// current) and what was computed from a thing, from an index a projection over the hvs log keeps.
import { ProjectionRunner, type Projection, type RecordedEvent } from '@hvs-nvm/eventstore';
import { Id, streamIds } from '@hvs-nvm/events';
import { canRead, NVMError, PermissionDeniedError, SYSTEM_ACTOR } from '@hvs-nvm/nvm';
import { kindOf, sourcesOf } from '../reserved.js';
import { parseInput } from '../input.js';
import { currentVersion, SourceKindSchema, sourceKey, type SourceLink, type SourceStores } from './sources.js';

export interface ProvenanceLink extends SourceLink {
  /** The source is still at the recorded version (not changed, not deleted). */
  current: boolean;
  /** The source was deleted (or expired) since. */
  deleted?: true;
}

export interface Derivative {
  id: string;
  /** What was computed: a stored memory, a fact, a cache entry (or a document). */
  kind: string;
}

export interface Provenance {
  id: string;
  derivedFrom: ProvenanceLink[];
  derivatives: Derivative[];
}

export class ProvenanceSubjectNotFoundError extends NVMError {
  constructor(readonly id: string) {
    super('PROVENANCE_SUBJECT_NOT_FOUND', `no block, vector, fact or derived entry '${id}' in the log`, 404);
  }
}

interface Derived {
  /** The keys the derived thing answers to: its vector, and its fact id or the block holding a memory's text. */
  keys: string[];
  derivative: Derivative;
  sources: SourceLink[];
}

/** The index: derived things by vector id, and for each source key the vector ids of what was derived from it. */
class DerivationView {
  readonly byVector = new Map<string, Derived>();
  readonly byKey = new Map<string, Set<string>>();
  readonly bySource = new Map<string, Set<string>>();

  private link(map: Map<string, Set<string>>, key: string, vectorId: string, add: boolean): void {
    const set = map.get(key) ?? new Set<string>();
    if (add) map.set(key, set.add(vectorId));
    else if (set.delete(vectorId) && set.size === 0) map.delete(key);
  }

  remove(vectorId: string): void {
    const old = this.byVector.get(vectorId);
    if (!old) return;
    this.byVector.delete(vectorId);
    for (const k of old.keys) this.link(this.byKey, k, vectorId, false);
    for (const s of old.sources) this.link(this.bySource, sourceKey(s.kind, s.id), vectorId, false);
  }

  apply(event: RecordedEvent): void {
    if (event.type === 'VectorDeleted') return this.remove(event.data.id);
    if (event.type !== 'VectorStored') return;
    const { id, metadata } = event.data;
    this.remove(id);
    const sources = sourcesOf(metadata);
    const kind = kindOf(metadata);
    if (!kind || !sources || sources.length === 0) return;
    const keys = [sourceKey('vector', id)];
    let publicId = id;
    const fact = metadata['fact'] as { factId?: unknown } | undefined;
    if (kind === 'fact' && typeof fact?.factId === 'string') {
      publicId = fact.factId;
      keys.push(sourceKey('fact', fact.factId));
    }
    const blockId = metadata['nvm_block_id'];
    if (kind === 'memory' && typeof blockId === 'string') keys.push(sourceKey('block', blockId));
    this.byVector.set(id, { keys, derivative: { id: publicId, kind }, sources });
    for (const k of keys) this.link(this.byKey, k, id, true);
    for (const s of sources) this.link(this.bySource, sourceKey(s.kind, s.id), id, true);
  }
}

const ALL_KINDS = SourceKindSchema.options;

/**
 * The provenance of any id, one step each way. The index is built on first use, by replaying the hvs log (the derived
 * entries and their links are vectors), then kept live; each call first waits for it to reach the log's head.
 */
export class ProvenanceIndex {
  private readonly view = new DerivationView();
  private runner?: Promise<ProjectionRunner>;

  constructor(private readonly stores: SourceStores) {}

  private start(): Promise<ProjectionRunner> {
    const p = (this.runner ??= (async () => {
      const projection: Projection = { name: 'provenance', apply: (e) => this.view.apply(e) };
      const runner = new ProjectionRunner(this.stores.hvs, projection, { types: ['VectorStored', 'VectorDeleted'] });
      await runner.start();
      return runner;
    })());
    p.catch(() => {
      if (this.runner === p) this.runner = undefined;
    });
    return p;
  }

  /** Whether `actor` may read a block, by the permissions its BlockCreated fixed for its whole life (as audits judge). */
  private async mayRead(actor: string, blockId: string): Promise<boolean> {
    if (actor === SYSTEM_ACTOR) return true;
    const [first] = await this.stores.nvm.readStream<'BlockCreated'>(streamIds.block(blockId), { maxCount: 1 });
    return first?.type === 'BlockCreated' && canRead({ permissions: first.data.permissions }, actor);
  }

  async provenance(id: string, options: { actor?: string } = {}): Promise<Provenance> {
    parseInput(Id, id, 'provenance id');
    const actor = options.actor ?? SYSTEM_ACTOR;
    const runner = await this.start();
    await runner.sync();
    const tips = await Promise.all(ALL_KINDS.map((k) => currentVersion(this.stores, k, id)));
    const keys = ALL_KINDS.map((k) => sourceKey(k, id));
    const derived = [...new Set(keys.flatMap((k) => [...(this.view.byKey.get(k) ?? [])]))].map((v) => this.view.byVector.get(v)!);
    if (tips.every((t) => t === undefined) && derived.length === 0) throw new ProvenanceSubjectNotFoundError(id);
    if (tips[ALL_KINDS.indexOf('block')] && !(await this.mayRead(actor, id))) throw new PermissionDeniedError(actor, 'read', id);

    const links = new Map<string, SourceLink>();
    for (const d of derived) for (const s of d.sources) links.set(sourceKey(s.kind, s.id), s);
    const derivedFrom: ProvenanceLink[] = [];
    for (const link of links.values()) {
      if (link.kind === 'block' && !(await this.mayRead(actor, link.id))) continue;
      const now = await currentVersion(this.stores, link.kind, link.id);
      const live = now?.live ?? false;
      derivedFrom.push({ ...link, current: live && now!.version === link.version, ...(live ? {} : { deleted: true as const }) });
    }
    const seen = new Set<string>();
    const derivatives: Derivative[] = [];
    for (const k of keys) {
      for (const v of this.view.bySource.get(k) ?? []) {
        const d = this.view.byVector.get(v)!;
        const key = `${d.derivative.kind}:${d.derivative.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        derivatives.push({ ...d.derivative });
      }
    }
    return { id, derivedFrom, derivatives };
  }

  async close(): Promise<void> {
    const runner = await this.runner?.catch(() => undefined);
    this.runner = undefined;
    await runner?.stop();
  }
}
