/**
 * Sizes and durations as people read them, for messages: binary units
 * (KiB, MiB, GiB, TiB) and milliseconds.
 */

const UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/**
 * `bytes` in the largest binary unit it reaches, with at most `digits`
 * decimals and no trailing zeros: "512 bytes", "64 KiB", "256.8 MiB".
 */
export function formatBytes(bytes: number, digits = 1): string {
  if (!Number.isFinite(bytes) || Math.abs(bytes) < 1024) {
    return `${trim(bytes, 0)} bytes`;
  }
  let value = bytes / 1024;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${trim(value, digits)} ${UNITS[unit]}`;
}

/** `ms` milliseconds: whole from 10 ms on, else with one decimal ("3.5 ms", "1003 ms"). */
export function formatMs(ms: number): string {
  return `${trim(ms, Math.abs(ms) >= 10 ? 0 : 1)} ms`;
}

/** `value` rounded to `digits` decimals, without trailing zeros. */
function trim(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}
