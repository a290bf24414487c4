/**
 * A distribution of non-negative values in fixed memory: counts in buckets
 * whose bounds grow geometrically (the DDSketch mapping), so that every
 * quantile it gives is within 1% of the true value, relatively, whatever the
 * number of values recorded. Exact: the count, the min and the max.
 *
 * Bucket i > 0 holds the values in (LOW·γ^(i−1), LOW·γ^i], with
 * γ = (1 + α) / (1 − α) and α = 1%; it answers LOW·γ^i · 2 / (γ + 1), which
 * is within α of every value in it. Bucket 0 holds the values up to LOW
 * (10⁻³: a µs, a thousandth of a byte), which are answered within LOW; the
 * top bucket holds everything above HIGH (10¹⁶). A quantile is also kept
 * within [min, max], which only brings it closer. 2,189 buckets: 17 KiB.
 */

/** The relative error of a quantile. */
export const RELATIVE_ERROR = 0.01;
const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
const LOW = 1e-3;
const HIGH = 1e16;
const BUCKETS = Math.ceil(Math.log(HIGH / LOW) / LOG_GAMMA) + 1;

/** A distribution's summary: NaN for every figure while it is empty. */
export interface Distribution {
  /** Values recorded. */
  count: number;
  /** The smallest value, exactly. */
  min: number;
  /** The median: at most 1% off, relatively. */
  p50: number;
  /** The 90th percentile: at most 1% off, relatively. */
  p90: number;
  /** The 99th percentile: at most 1% off, relatively. */
  p99: number;
  /** The largest value, exactly. */
  max: number;
}

export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #min = Infinity;
  #max = -Infinity;

  /** Adds `value`; NaN (not measured) is left out, negatives count as 0. */
  record(value: number): void {
    if (!(value >= 0)) {
      if (Number.isNaN(value)) return;
      value = 0;
    }
    this.#counts[bucketOf(value)]++;
    this.#count++;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /**
   * The nearest-rank `q` quantile (the smallest recorded value with at
   * least `q` of them at or below it), within 1%; NaN while empty.
   */
  quantile(q: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i];
      if (seen >= rank) {
        return Math.min(this.#max, Math.max(this.#min, answerOf(i)));
      }
    }
    return this.#max;
  }

  /** Count, min, p50, p90, p99 and max. */
  summary(): Distribution {
    const empty = this.#count === 0;
    return {
      count: this.#count,
      min: empty ? NaN : this.#min,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: empty ? NaN : this.#max,
    };
  }
}

function bucketOf(value: number): number {
  if (value <= LOW) return 0;
  if (value >= HIGH) return BUCKETS - 1;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(value / LOW) / LOG_GAMMA));
}

function answerOf(bucket: number): number {
  return bucket === 0 ? LOW : LOW * GAMMA ** bucket * 2 / (GAMMA + 1);
}
