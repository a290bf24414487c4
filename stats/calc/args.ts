// The calculator's option parsing: node:util's parseArgs splits the arguments
// into tokens (`--name value`, `--name=value`, flags, `-h`), the same on Deno,
// Bun and Node; the checks on those tokens are ours. Not `strict: true`, whose
// errors the calculator cannot promise: it refuses a value that starts with a
// dash (`--target -1e-9` is "ambiguous" instead of "expected a probability …"),
// lets a repeated option silently replace the first (a typo must not change a
// limit unnoticed), and its messages span several lines and do not say which
// options there are.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

/** One option a command accepts. */
export interface OptionSpec {
  /** The name without dashes, e.g. `safe` for `--safe`. */
  name: string;
  /** Placeholder for its value in help, e.g. `N`; absent for flags such as `--json`. */
  value?: string;
  /** One line of help. */
  help: string;
  /** May be given more than once (e.g. `--target` for `table`). */
  repeatable?: boolean;
}

/** Options as given, before their values are interpreted. */
export interface ParsedOptions {
  /** Values of options that take one, in the order given. */
  values: Map<string, string[]>;
  /** Flags that were given. */
  flags: Set<string>;
}

/**
 * Parses `argv` (everything after the command name) against `specs`.
 * `-h` is `--help`. A value may start with one dash (`--target -1` reads
 * "-1", to be refused by the option's own parser), never with two.
 *
 * @throws UsageError for a positional argument, an unknown option, a missing value, or a repeated option
 *
 * @example
 * ```ts
 * import { parseOptions } from "./args.ts";
 * parseOptions(["--safe", "100KiB", "--json"], [{ name: "safe", value: "N", help: "" }, { name: "json", help: "" }], "recommend");
 * ```
 */
export function parseOptions(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  command: string,
): ParsedOptions {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const known = specs.map((spec) => `--${spec.name}`).join(", ");
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(specs.map((spec) => [spec.name, {
      type: spec.value === undefined ? "boolean" as const : "string" as const,
      ...(spec.name === "help" ? { short: "h" } : {}),
    }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const parsed: ParsedOptions = { values: new Map(), flags: new Set() };
  for (const token of tokens) {
    if (
      token.kind !== "option" ||
      !token.rawName.startsWith("--") && token.name !== "help"
    ) {
      const raw = token.kind === "positional"
        ? token.value
        : token.kind === "option"
        ? token.rawName
        : "--";
      throw new UsageError(
        command,
        `unexpected argument ${JSON.stringify(raw)}; options are ${known}`,
      );
    }
    const spec = byName.get(token.name);
    if (spec === undefined) {
      throw new UsageError(
        token.rawName,
        `unknown option for ${command}; options are ${known}`,
      );
    }
    if (spec.value === undefined) {
      if (token.value !== undefined) {
        throw new UsageError(`--${spec.name}`, "is a flag and takes no value");
      }
      parsed.flags.add(spec.name);
      continue;
    }
    // parseArgs takes the next argument as the value whatever it is; one that
    // starts with "--" is the next option, so this one has none.
    if (
      token.value === undefined ||
      (!token.inlineValue && token.value.startsWith("--"))
    ) {
      throw UsageError.expected(
        `--${spec.name}`,
        `a value (${spec.value}) after it`,
      );
    }
    const values = parsed.values.get(spec.name) ?? [];
    if (values.length > 0 && !spec.repeatable) {
      throw new UsageError(
        `--${spec.name}`,
        "given more than once; give it once",
      );
    }
    values.push(token.value);
    parsed.values.set(spec.name, values);
  }
  return parsed;
}
