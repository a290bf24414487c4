// `detect`: headroom below a global memory limit (memprof's model).
import { detectionAllocations } from "../../mod.ts";
import type { Command } from "../command.ts";
import { memprofRun, TARGET_INPUT } from "../memprof_run.ts";
import { targetOption } from "../options.ts";
import {
  type Settings,
  type SettingsJson,
  settingsJson,
  settingsLine,
} from "../settings.ts";
import { formatSize, type Size, size } from "../sizes.ts";
import { DIGITS, formatTarget, lines } from "../text.ts";

/** The input of {@linkcode detectResult}. */
export interface DetectOptions extends Settings {
  /** t, the accepted chance of no interrupt yet. */
  target: number;
}

/** What `detect --json` prints. */
export interface DetectResult extends SettingsJson {
  /** The command's name. */
  command: "detect";
  /** t. */
  target: number;
  /** The allocation past the limit after which the chance of no interrupt yet is at most t. */
  allocations: Size;
}

/**
 * The allocation past an exceeded global memory limit after which the chance
 * that memprof has not yet sampled (and interrupted) is at most t.
 *
 * @example
 * ```ts
 * import { detectResult } from "./detect.ts";
 * detectResult({ target: 1e-9, rate: 1e-4, wordSize: 8 }).allocations; // { words: 207223, bytes: 1657784 }
 * ```
 */
export function detectResult(options: DetectOptions): DetectResult {
  const { target, rate, wordSize } = options;
  return {
    command: "detect",
    ...settingsJson(options),
    target,
    allocations: size(detectionAllocations(target, rate), wordSize),
  };
}

/**
 * `detect`'s text.
 *
 * @example
 * ```ts
 * import { detectResult, detectText } from "./detect.ts";
 * console.log(detectText(detectResult({ target: 1e-9, rate: 1e-4, wordSize: 8 })));
 * ```
 */
export function detectText(result: DetectResult): string {
  return [
    `Once a global memory limit is reached, the chance of not yet being interrupted is at most ${
      formatTarget(result.target)
    } after`,
    lines([[
      "n",
      `${
        formatSize(result.allocations.words, result.wordSize, DIGITS)
      } of further allocation`,
    ]]),
    "Leave at least that much headroom between the limit and real memory exhaustion.",
    settingsLine(result),
  ].join("\n");
}

/**
 * The `detect` command, as `calc detect` runs it.
 *
 * @example
 * ```ts
 * import { runCli } from "../main.ts";
 * console.log(runCli(["detect", "--help"]).stdout);
 * ```
 */
export const DETECT: Command = {
  name: "detect",
  synopsis: "--target t",
  summary:
    "allocation past a global memory limit after which the chance of no interrupt yet is ≤ t",
  model: "memprof",
  options: [{
    ...targetOption,
    help:
      "target probability t in (0, 1): the accepted chance of no interrupt yet (e.g. 1e-9)",
  }],
  takesRate: true,
  takesWordSize: true,
  run: memprofRun(
    "detect",
    { target: TARGET_INPUT },
    detectResult,
    detectText,
  ),
};
