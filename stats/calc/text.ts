// Small pieces of the calculator's text output shared by the commands.
/** Significant digits in the calculator's text output. */
export const DIGITS = 4;

/**
 * A probability as given, in the shortest text that reads back to it
 * ("1e-9", "0.5"): rounded, 1 − 1e-7 would print as "1e0".
 *
 * @example
 * ```ts
 * import { formatTarget } from "./text.ts";
 * formatTarget(0.9999999); // "0.9999999"
 * ```
 */
export function formatTarget(target: number): string {
  return String(target);
}

/**
 * Aligns "name  value" lines, indented by two spaces.
 *
 * @example
 * ```ts
 * import { lines } from "./text.ts";
 * lines([["l", "1 MiB"], ["k = l·p", "13.1"]]);
 * ```
 */
export function lines(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([name]) => [...name].length));
  return pairs.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join(
    "\n",
  );
}

/**
 * A JSON number: Infinity (an error with N = 0) becomes null, as JSON has no infinity.
 *
 * @example
 * ```ts
 * import { jsonNumber } from "./text.ts";
 * jsonNumber(Infinity); // null
 * ```
 */
export function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
