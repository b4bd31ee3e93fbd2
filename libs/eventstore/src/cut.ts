// Points in the log's past: a cut (one position per store, as `cut()` gives it) or a time, and how either is read.
import { z } from 'zod';

/** Stream positions of the three stores at one moment: what `cut()` returns and `asOf` takes. */
export const CutSchema = z.strictObject({
  hvs: z.number().int().min(0).optional(),
  mail: z.number().int().min(0).optional(),
  nvm: z.number().int().min(0).optional(),
});
export type Cut = z.infer<typeof CutSchema>;

/** Where an as-of view or a fork stands: a time (the last event recorded at or before it) or a cut. */
export type AsOf = Date | Cut;

export const AsOfSchema = z.union([
  z.date().refine((d) => !Number.isNaN(d.getTime()), 'an invalid Date'),
  CutSchema.refine((c) => Object.keys(c).length > 0, 'a cut names at least one store: { hvs, mail, nvm }'),
]);

/**
 * Parses the text form of an as-of point (HTTP `?asOf=`, CLI `--as-of`, MCP `as_of`): an ISO 8601 time, or a cut
 * written `hvs:12,mail:3,nvm:40` (or as its JSON). Undefined when the text is neither.
 */
export function parseAsOf(text: string): AsOf | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = CutSchema.safeParse(JSON.parse(trimmed));
      return parsed.success && Object.keys(parsed.data).length > 0 ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
  if (/^(hvs|mail|nvm):\d+(,(hvs|mail|nvm):\d+)*$/.test(trimmed)) {
    const cut: Record<string, number> = {};
    for (const part of trimmed.split(',')) {
      const [store, position] = part.split(':');
      cut[store!] = Number(position);
    }
    return cut as Cut;
  }
  // A time: ISO 8601 with a date part (a bare number is not taken for epoch ms, to keep cuts and times apart).
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The text form of an as-of point, as parseAsOf reads it back. */
export function formatAsOf(asOf: AsOf): string {
  if (asOf instanceof Date) return asOf.toISOString();
  return (['hvs', 'mail', 'nvm'] as const)
    .filter((k) => asOf[k] !== undefined)
    .map((k) => `${k}:${asOf[k]}`)
    .join(',');
}
