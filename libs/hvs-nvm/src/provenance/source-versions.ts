// The invalidation projection: follows the hvs and nvm logs from their head and keeps the current version of every
// source a cache entry names, so a cache answers "is this entry still current?" without asking the writer.
import { ProjectionRunner, type EventStorePort, type Projection, type RecordedEvent } from '@hvs-nvm/eventstore';
import { sourceKey, sourceOfStream, storeOf, streamOf, type SourceLink, type SourceStores } from './sources.js';

/** Sources whose version is kept; past it the oldest are forgotten (and looked up again when next needed). */
const MAX_WATCHED = 100_000;

/** The latest version of each watched source, as the logs say. */
class VersionView {
  readonly versions = new Map<string, number>();

  watch(key: string): void {
    if (this.versions.has(key)) return;
    if (this.versions.size >= MAX_WATCHED) this.versions.delete(this.versions.keys().next().value!);
    this.versions.set(key, 0);
  }

  /** Versions only grow: whichever of the log and a direct lookup saw more is right. */
  observe(key: string, version: number): void {
    const known = this.versions.get(key);
    if (known !== undefined && version > known) this.versions.set(key, version);
  }
}

/** One store's events onto the view: a pure reducer, run by the shared ProjectionRunner. */
function projectionOf(store: 'hvs' | 'nvm', view: VersionView): Projection {
  return {
    name: `source-versions-${store}`,
    apply(event: RecordedEvent) {
      const source = sourceOfStream(store, event.streamId);
      if (source) view.observe(sourceKey(source.kind, source.id), event.revision + 1);
    },
  };
}

export class SourceVersions {
  private readonly view = new VersionView();
  private runners?: Promise<ProjectionRunner[]>;

  constructor(private readonly stores: SourceStores) {}

  /** Starts following both logs from their head (what came before is looked up per source, on first use). */
  private start(): Promise<ProjectionRunner[]> {
    const p = (this.runners ??= Promise.all(
      (['hvs', 'nvm'] as const).map(async (store) => {
        const log: EventStorePort = this.stores[store];
        const runner = new ProjectionRunner(log, projectionOf(store, this.view), { fromCheckpoint: await log.headPosition() });
        await runner.start();
        return runner;
      }),
    ));
    p.catch(() => {
      if (this.runners === p) this.runners = undefined;
    });
    return p;
  }

  /**
   * Whether every link is at its current version. First waits until both projections have applied the logs up to
   * their head as of this call, so a change acknowledged before it is never missed; a source the projection has not
   * watched since before that change is looked up once in the log.
   */
  async allCurrent(linkSets: readonly (readonly SourceLink[])[]): Promise<boolean[]> {
    const runners = await this.start();
    await Promise.all(runners.map((r) => r.sync()));
    const unknown = new Map<string, SourceLink>();
    for (const links of linkSets) {
      for (const l of links) {
        const key = sourceKey(l.kind, l.id);
        const known = this.view.versions.get(key);
        // Watching before the lookup: a change the projection applies meanwhile is kept, not lost to the lookup.
        if (known === undefined || known < l.version) {
          this.view.watch(key);
          unknown.set(key, l);
        }
      }
    }
    await Promise.all(
      [...unknown].map(async ([key, l]) => {
        const tip = await this.stores[storeOf(l.kind)].streamTip(streamOf(l.kind, l.id));
        // A source with no stream at all (its log was purged) is as gone as a deleted one.
        this.view.observe(key, tip ? tip.revision + 1 : Number.MAX_SAFE_INTEGER);
      }),
    );
    return linkSets.map((links) => links.every((l) => this.view.versions.get(sourceKey(l.kind, l.id)) === l.version));
  }

  async close(): Promise<void> {
    const runners = await this.runners?.catch(() => []);
    this.runners = undefined;
    await Promise.all((runners ?? []).map((r) => r.stop()));
  }
}
