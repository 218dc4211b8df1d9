/** Small statistics over repeated measurements: medians, ranges and percentiles. */

export const median = (xs) => percentile(xs, 50);

/** Nearest-rank percentile of the values (p in 0..100); undefined for no values. */
export const percentile = (xs, p) => {
  if (xs.length === 0) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
};

/** The median and range of one figure across repetitions. */
export const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs });

export const round = (x, digits = 2) => (x === undefined || x === null || Number.isNaN(x) ? x : Number(x.toFixed(digits)));
