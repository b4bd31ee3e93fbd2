// Reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009): each ranked list gives a document w / (k + rank), summed.
// Only ranks count, so lists scored on different scales (cosine, BM25) fuse without calibration.

export interface RankedList {
  /** Ids best first. */
  ids: readonly string[];
  /** How much this list counts (default 1). */
  weight?: number;
}

export interface Fused {
  id: string;
  score: number;
  /** 1-based rank in each list, undefined where the id is absent. */
  ranks: (number | undefined)[];
}

/** The default constant of the original paper; it damps the lead of the first few ranks. */
export const DEFAULT_RRF_K = 60;

/** Fuses ranked lists by RRF; ties keep the order of first appearance (list by list, rank by rank). */
export function reciprocalRankFusion(lists: readonly RankedList[], k = DEFAULT_RRF_K): Fused[] {
  const byId = new Map<string, Fused>();
  let order = 0;
  const first = new Map<string, number>();
  lists.forEach((list, li) => {
    const w = list.weight ?? 1;
    list.ids.forEach((id, i) => {
      let f = byId.get(id);
      if (!f) {
        f = { id, score: 0, ranks: lists.map(() => undefined) };
        byId.set(id, f);
        first.set(id, order++);
      }
      if (f.ranks[li] !== undefined) return;
      f.ranks[li] = i + 1;
      f.score += w / (k + i + 1);
    });
  });
  return [...byId.values()].sort((a, b) => b.score - a.score || first.get(a.id)! - first.get(b.id)!);
}
