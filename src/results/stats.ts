/** Descriptive statistics of a sample; every function returns NaN for an empty sample. */

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Sample standard deviation (n − 1): the samples estimate the rate, they are not the population. */
export function stddev(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  if (values.length === 1) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** stddev / mean; 0 for a constant sample, NaN when the mean is 0 (nothing to compare against). */
export function coefficientOfVariation(values: readonly number[]): number {
  const m = mean(values);
  return m === 0 ? NaN : stddev(values) / m;
}
