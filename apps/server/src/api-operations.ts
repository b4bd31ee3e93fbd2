// The Api's provenance (audit trails, what was computed from what) and operations (health, stats).
import type { z } from 'zod';
import type { Api } from './api.js';
import { OPERATOR, type Caller } from './auth.js';
import type * as S from './schemas.js';

/** The audit trail of one thing; `memory` is a stored content (its vector and its block). */
export async function audit(api: Api, kind: z.output<typeof S.AuditKind>, id: string, caller: Caller = OPERATOR) {
  const actor = caller.actor ? { actor: caller.actor } : {};
  const entries = await api.deps.integration.audit(id, kind === 'memory' ? { ...actor, kind: 'vector' } : { ...actor, kind });
  return { kind, id, entries };
}

/** What a memory, fact, cache entry, block or vector was computed from, and what was computed from it. */
export function provenance(api: Api, id: string, caller: Caller = OPERATOR) {
  return api.deps.integration.provenance(id, caller.actor ? { actor: caller.actor } : {});
}

/**
 * `ok`, or `degraded` (HTTP 503) while a write could not be acknowledged (NATS down, JetStream not answering).
 * Only the operator sees where NATS is: an agent holding a token has no business connecting to it.
 */
export async function health(api: Api, caller: Caller = OPERATOR) {
  const { hvs, nvm } = api.deps;
  const s = hvs.stats();
  const probes = await Promise.all([hvs.probe(), nvm.eventStore.probe()]);
  const failed = probes.find((p) => !p.ok);
  return {
    status: failed ? ('degraded' as const) : ('ok' as const),
    ...(failed && !failed.ok ? { reason: failed.reason } : {}),
    position: s.position,
    embedded: s.embedded,
    durability: s.durability,
    ...(caller.kind === 'operator' ? { natsUrl: s.natsUrl } : {}),
  };
}

/** Counts only what `caller` may read: the number of blocks would otherwise tell an agent others' blocks exist. */
export async function stats(api: Api, caller: Caller = OPERATOR) {
  const { hvs, nvm, encoder } = api.deps;
  const { natsUrl, ...hvsStats } = hvs.stats();
  return {
    // As in health(): where NATS is, is for the operator.
    hvs: {
      ...hvsStats,
      ...(caller.kind === 'operator' ? { natsUrl } : {}),
      dimension: hvs.dimension,
      geometry: hvs.geometry,
      cache: hvs.cacheStats(),
    },
    nvm: { position: nvm.position, restoredFrom: nvm.restoredFromPosition },
    encoder: { name: encoder.name, dimension: encoder.dimension },
    blocks: (await api.nvmFor(caller).listBlocks()).length,
  };
}
