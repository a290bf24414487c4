/**
 * Argument checks shared by the statistics functions: the limit models here,
 * `ibeta` in special/ (its point and shapes) and the calculator (the largest
 * size it accepts). Each throws a `RangeError` (or `TypeError` for
 * non-numbers) that names the parameter and the accepted range, before any
 * work is done.
 */

/** The accepted range of a numeric parameter. */
interface Range {
  readonly min: number;
  readonly max: number;
  /** True when `min` itself is excluded. */
  readonly minOpen?: boolean;
  /** True when `max` itself is excluded. */
  readonly maxOpen?: boolean;
}

function describe(range: Range): string {
  const lo = range.min === -Infinity
    ? "(-Infinity"
    : `${range.minOpen ? "(" : "["}${range.min}`;
  const hi = range.max === Infinity
    ? "Infinity)"
    : `${range.max}${range.maxOpen ? ")" : "]"}`;
  return `${lo}, ${hi}`;
}

/** Throws unless `value` is a number in `range` (NaN is never accepted). */
export function checkRange(name: string, value: number, range: Range): void {
  if (typeof value !== "number") {
    throw new TypeError(
      `${name} must be a number in ${describe(range)}, got ${typeof value}`,
    );
  }
  const aboveMin = range.minOpen ? value > range.min : value >= range.min;
  const belowMax = range.maxOpen ? value < range.max : value <= range.max;
  if (!(aboveMin && belowMax)) {
    throw new RangeError(
      `${name} must be a number in ${describe(range)}, got ${value}`,
    );
  }
}

/**
 * The largest size, count or shape parameter accepted: far beyond any real
 * allocation count, and below where intermediate products (up to the fourth
 * power of a shape parameter in the continued fraction) would overflow.
 */
export const MAX_MAGNITUDE = 1e50;

// The ranges are constants and the fast paths allocate nothing.
const SIZE: Range = { min: 0, max: MAX_MAGNITUDE };
const POSITIVE: Range = { min: 0, minOpen: true, max: MAX_MAGNITUDE };
const RATE: Range = { min: 0, minOpen: true, max: 1 };
const TARGET: Range = { min: 0, minOpen: true, max: 1, maxOpen: true };
const UNIT: Range = { min: 0, max: 1 };

/** A size or count: [0, 1e50]. */
export function checkSize(name: string, value: number): void {
  if (!(typeof value === "number" && value >= 0 && value <= MAX_MAGNITUDE)) {
    checkRange(name, value, SIZE);
  }
}

/** A positive number: (0, 1e50]. */
export function checkPositive(name: string, value: number): void {
  if (!(typeof value === "number" && value > 0 && value <= MAX_MAGNITUDE)) {
    checkRange(name, value, POSITIVE);
  }
}

/** A sampling rate: (0, 1]. */
export function checkRate(name: string, value: number): void {
  if (!(typeof value === "number" && value > 0 && value <= 1)) {
    checkRange(name, value, RATE);
  }
}

/** A target probability: (0, 1). */
export function checkTarget(name: string, value: number): void {
  if (!(typeof value === "number" && value > 0 && value < 1)) {
    checkRange(name, value, TARGET);
  }
}

/** A point of the unit interval: [0, 1]. */
export function checkUnit(name: string, value: number): void {
  if (!(typeof value === "number" && value >= 0 && value <= 1)) {
    checkRange(name, value, UNIT);
  }
}

/** A shape parameter of the beta distribution: (0, 1e50]. */
export function checkShape(name: string, value: number): void {
  checkPositive(name, value);
}
