/** Random draws for a Poisson sampling process. */

/** An exponentially distributed duration with the given mean. */
export function exponential(mean: number): number {
  // 1 - random() is in (0, 1], so the logarithm is finite.
  return -mean * Math.log(1 - Math.random());
}

/** A geometrically distributed count of calls with the given mean (Infinity stays Infinity). */
export function geometric(mean: number): number {
  return mean === Infinity ? Infinity : Math.floor(exponential(mean));
}
