/**
 * The calculator's commands as functions, for the web page and other callers
 * that have their inputs already parsed: each `<command>Result(options)` returns
 * the object that `calc <command> --json` prints, and `<command>Text(result)`
 * the text it prints otherwise. No `node:` module is reached from here, so it
 * bundles for a browser. Sizes in the options are words (memprof's commands)
 * or bytes (`overshoot`), as the `--json` output names them.
 *
 * @example
 * ```ts
 * import { overshootResult, parseAllocationRate } from "./api.ts";
 * const bytesPerSecond = parseAllocationRate("rate", "100MiB/s", 8);
 * console.log(overshootResult({ target: 1e-9, bytesPerSecond }).overshoot.bytes); // 21729909
 * ```
 *
 * @module
 */
export {
  type DetectOptions,
  type DetectResult,
  detectResult,
  detectText,
} from "./commands/detect.ts";
export {
  type ObservedCommon,
  type ObservedEnough,
  type ObservedNotEnough,
  type ObservedOptions,
  type ObservedResult,
  observedResult,
  observedText,
} from "./commands/observed.ts";
export {
  type IntervalSource,
  type OvershootOptions,
  type OvershootResult,
  overshootResult,
  overshootText,
  samplingIntervalMs,
} from "./commands/overshoot.ts";
export {
  type ProbabilityOptions,
  type ProbabilityResult,
  probabilityResult,
  probabilityText,
} from "./commands/probability.ts";
export {
  DEFAULT_RATIO,
  type RateOptions,
  type RateResult,
  rateResult,
  rateText,
} from "./commands/rate.ts";
export {
  type RecommendOptions,
  type RecommendResult,
  recommendResult,
  recommendText,
} from "./commands/recommend.ts";
export {
  type SafeOptions,
  type SafeResult,
  safeResult,
  safeText,
} from "./commands/safe.ts";
export {
  accuracyText,
  type TableOptions,
  type TableResult,
  tableResult,
  type TableRow,
  tableText,
} from "./commands/table.ts";
export type { AccuracyRow } from "../mod.ts";
export { UsageError } from "./errors.ts";
export { formatNumber, parseNumber } from "./numbers.ts";
export { parseObservations } from "./observations.ts";
export { type FormValues, runCommand } from "./run_command.ts";
export { COMMANDS } from "./commands.ts";
export type { Command, Io, Model, Output } from "./command.ts";
export type { OptionSpec, ParsedOptions } from "./args.ts";
export { parseTarget, positiveSize, TARGET_ACCEPTS } from "./options.ts";
export { type Settings, type SettingsJson } from "./settings.ts";
export {
  ALLOCATION_RATE_ACCEPTS,
  DEFAULT_WORD_SIZE,
  formatBytes,
  formatSize,
  parseAllocationRate,
  parseSize,
  POSITIVE_SIZE_ACCEPTS,
  type Size,
  SIZE_ACCEPTS,
  type WordSize,
} from "./sizes.ts";
