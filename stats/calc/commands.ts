// The calculator's commands, one file each under commands/. Every number comes
// from the statistics core (stats/mod.ts); the command files read options,
// convert units and format.
import type { Command } from "./command.ts";
import { DETECT } from "./commands/detect.ts";
import { OBSERVED } from "./commands/observed.ts";
import { OVERSHOOT } from "./commands/overshoot.ts";
import { PROBABILITY } from "./commands/probability.ts";
import { RATE } from "./commands/rate.ts";
import { RECOMMEND } from "./commands/recommend.ts";
import { SAFE } from "./commands/safe.ts";
import { TABLE } from "./commands/table.ts";

/**
 * The calculator's commands, in the order error messages list them (help
 * groups them by model).
 *
 * @example
 * ```ts
 * import { COMMANDS } from "./commands.ts";
 * console.log(COMMANDS.map((c) => c.name).join(", "));
 * ```
 */
export const COMMANDS: readonly Command[] = [
  RECOMMEND,
  SAFE,
  PROBABILITY,
  DETECT,
  RATE,
  TABLE,
  OVERSHOOT,
  OBSERVED,
];
