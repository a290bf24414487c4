/**
 * Values that cross to another process as they are: most arguments and
 * results, which then need no clone made to check that they can.
 */

/**
 * Whether `value` is a primitive that structured clone copies (every one
 * but a symbol).
 *
 * @example
 * ```ts
 * import { isPlainPrimitive } from "./plain_primitive.ts";
 * isPlainPrimitive(42); // true
 * isPlainPrimitive(Symbol("s")); // false
 * isPlainPrimitive({}); // false: a clone tells
 * ```
 */
export function isPlainPrimitive(value: unknown): boolean {
  const kind = typeof value;
  return value === null ||
    (kind !== "object" && kind !== "function" && kind !== "symbol");
}
