// Helpers shared by the benchmark groups of scripts/bench.ts.

/** One reported figure: `{"name": ..., "value": ..., "unit": ...}` in `--json` output. */
export interface Figure {
  /** Metric name. */
  name: string;
  /** Measured value. */
  value: number;
  /** Unit of `value`. */
  unit: string;
}

/**
 * Median of the values (mean of the two middle ones for an even count).
 *
 * @param values Samples.
 * @returns The median.
 */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Rounds for display.
 *
 * @param x The value.
 * @param digits Decimal places. @default {2}
 * @returns The rounded value.
 */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
