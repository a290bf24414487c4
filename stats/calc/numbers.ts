// Number formatting for the calculator and the generated docs. Only
// Number.prototype.toPrecision/toExponential and integer rounding are used: the
// ECMAScript spec fixes their digits exactly, so the text is identical on V8
// (Deno) and JavaScriptCore (Bun). No locale-dependent formatting.
import { UsageError } from "./errors.ts";

/** Groups the digits of a non-negative integer string by thousands: "1234567" -> "1,234,567". */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Removes trailing zeros after a decimal point: "1.500" -> "1.5", "2.000" -> "2". */
function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * Formats a number with about `digits` significant digits for people to read:
 * plain decimals from 0.001 up, grouped integers once the integer part has more
 * digits than that ("12,345"), and exponent notation for tiny values ("1.58e-9").
 * Infinity is "∞".
 *
 * @example
 * ```ts
 * import { formatNumber } from "./numbers.ts";
 * formatNumber(0.000123); // "1.23e-4"
 * formatNumber(1234567); // "1,234,567"
 * formatNumber(3.14159, 4); // "3.142"
 * ```
 */
export function formatNumber(x: number, digits = 3): string {
  if (Number.isNaN(x)) return "NaN";
  if (x < 0) return `-${formatNumber(-x, digits)}`;
  if (x === Infinity) return "∞";
  if (x === 0) return "0";
  const rounded = Number(x.toPrecision(digits)); // decide on the rounded value: 999.96 -> "1,000"
  if (rounded < 1e-3) return formatExponent(x, digits);
  if (rounded >= 10 ** digits) {
    return x < 1e21
      ? groupThousands(Math.round(x).toFixed(0))
      : formatExponent(x, digits);
  }
  const [integer, fraction] = trimZeros(x.toPrecision(digits)).split(".");
  return fraction === undefined
    ? groupThousands(integer)
    : `${groupThousands(integer)}.${fraction}`;
}

/**
 * Formats a number in exponent notation with `digits` significant digits and
 * no trailing zeros: 4e-15 stays "4e-15", 1.5e-9 is "1.5e-9".
 *
 * @example
 * ```ts
 * import { formatExponent } from "./numbers.ts";
 * formatExponent(4e-15); // "4e-15"
 * ```
 */
export function formatExponent(x: number, digits = 3): string {
  const [mantissa, exponent] = x.toExponential(digits - 1).split("e");
  return `${trimZeros(mantissa)}e${exponent.replace(/^\+/, "")}`;
}

/**
 * Rounds to `digits` significant digits and returns the shortest text that
 * reads back to that value: the form used in CSV files, stable across runtimes
 * even if the last bits of a computation differ.
 *
 * @example
 * ```ts
 * import { formatForCsv } from "./numbers.ts";
 * formatForCsv(1 / 3); // "0.333333333"
 * ```
 */
export function formatForCsv(x: number, digits = 9): string {
  if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
  return String(Number(x.toPrecision(digits)));
}

// A decimal number with an optional sign and exponent, and nothing else
// (no hex, no underscores, no "Infinity", no empty string, unlike Number()).
const NUMBER = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)$/;

/**
 * Splits `text` into a finite decimal number and the rest (a unit or nothing),
 * or returns undefined when it does not start with a decimal number.
 */
export function splitNumber(
  text: string,
): { value: number; rest: string } | undefined {
  const match =
    /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/.exec(
      text,
    );
  if (match === null) return undefined;
  return { value: Number(match[1]), rest: match[2] };
}

/**
 * Parses a plain decimal number given to `option`, strictly: the whole text
 * must be a number, finite, and inside the range that `accepts` describes.
 *
 * @example
 * ```ts
 * import { parseNumber } from "./numbers.ts";
 * parseNumber("--target", "4e-15", (t) => t > 0 && t < 1, "a probability in (0, 1)"); // 4e-15
 * ```
 */
export function parseNumber(
  option: string,
  text: string,
  inRange: (value: number) => boolean,
  accepts: string,
): number {
  const match = NUMBER.exec(text.trim());
  const value = match === null ? NaN : Number(text.trim());
  if (!Number.isFinite(value) || !inRange(value)) {
    throw UsageError.expected(option, accepts, text);
  }
  return value;
}
