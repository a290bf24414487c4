/**
 * Sizes and durations as people read them in messages: binary units for
 * bytes, milliseconds or seconds for time.
 */
import { GiB, KiB, MiB } from "./units.ts";

const TiB = 1024 * GiB;
const BYTE_UNITS: readonly [number, string][] = [
  [TiB, "TiB"],
  [GiB, "GiB"],
  [MiB, "MiB"],
  [KiB, "KiB"],
];

/** `value` whole if it is whole, else with one decimal. */
function oneDecimal(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * A number of bytes in the largest binary unit it reaches, whole when it is
 * a whole number of that unit, else with one decimal: "256 MiB",
 * "256.8 MiB", "512 B".
 *
 * @example
 * ```ts
 * import { formatBytes } from "./format.ts";
 * console.log(formatBytes(256 * 2 ** 20)); // "256 MiB"
 * console.log(formatBytes(269_265_715)); // "256.8 MiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const size = Math.abs(bytes);
  for (const [unit, name] of BYTE_UNITS) {
    if (size >= unit) return `${oneDecimal(bytes / unit)} ${name}`;
  }
  return `${Math.round(bytes)} B`;
}

/**
 * A duration in milliseconds: below 10 s in ms, whole or with one decimal
 * ("500 ms", "503.2 ms"); from there in seconds, to the millisecond ("12 s",
 * "12.5 s", "30.012 s").
 *
 * @example
 * ```ts
 * import { formatMs } from "./format.ts";
 * console.log(formatMs(503.24)); // "503.2 ms"
 * console.log(formatMs(12_500)); // "12.5 s"
 * ```
 */
export function formatMs(ms: number): string {
  if (Number.isFinite(ms) && Math.abs(ms) >= 10_000) {
    return `${Number((ms / 1000).toFixed(3))} s`;
  }
  return `${oneDecimal(ms)} ms`;
}
