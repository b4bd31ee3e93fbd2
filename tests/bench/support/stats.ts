// Timing and summary statistics: medians, spreads and percentiles over rounds.
export function now(): number {
  return performance.now();
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Median of the rounds and their spread ((max − min) / median), so noisy figures are visible. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  spread: number;
  rounds: number[];
}

export function summarise(rounds: readonly number[]): Summary {
  const m = median(rounds);
  const min = Math.min(...rounds);
  const max = Math.max(...rounds);
  return { median: m, min, max, spread: m === 0 ? 0 : (max - min) / m, rounds: [...rounds] };
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
