// A calculator command run from a form rather than a command line: the same
// option readers, checks and messages as `calc`, for the web page.
import type { ParsedOptions } from "./args.ts";
import type { Output } from "./command.ts";
import { COMMANDS } from "./commands.ts";
import { UsageError } from "./errors.ts";

/** Option values by name without dashes: a string, several for repeatable options, `true` for a flag. */
export type FormValues = Record<string, string | readonly string[] | true>;

/**
 * Runs command `name` on option values given by name, with the checks and
 * error messages of the command line: `json` is what `--json` prints, `text`
 * the text. For `observed`, `input` is the content of the file named by
 * `from` (which only names it in messages).
 *
 * @param name the command, e.g. `overshoot`
 * @param values its options, e.g. `{ "alloc-rate": "100MiB/s", target: "1e-9" }`
 * @param input the text `observed --from` reads
 * @throws UsageError (a RangeError) naming the option, or `source:line`, for bad input;
 *   RangeError from the statistics core where it has no answer
 * @example
 * ```ts
 * import { runCommand } from "./run_command.ts";
 * runCommand("overshoot", { "alloc-rate": "100MiB/s", target: "1e-9" }).json; // { command: "overshoot", … }
 * runCommand("observed", { from: "pasted", target: "0.05" }, "1\n2\n3\n");
 * ```
 */
export function runCommand(
  name: string,
  values: FormValues,
  input = "",
): Output {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    throw UsageError.expected(
      "command",
      `one of ${COMMANDS.map((c) => c.name).join(", ")}`,
      name,
    );
  }
  const options: ParsedOptions = { values: new Map(), flags: new Set() };
  for (const [key, value] of Object.entries(values)) {
    if (value === true) options.flags.add(key);
    else {options.values.set(
        key,
        typeof value === "string" ? [value] : [...value],
      );}
  }
  return command.run(options, { readText: () => input });
}
