// A small strict option parser: `--name value`, `--name=value` and flags, each
// option checked against the command's list. Strict on purpose: a typo must
// not silently fall back to a default limit.
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
 * `-h` is `--help`.
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
  const parsed: ParsedOptions = { values: new Map(), flags: new Set() };
  const known = specs.map((spec) => `--${spec.name}`).join(", ");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] === "-h" ? "--help" : argv[i];
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(arg);
    if (match === null) {
      throw new UsageError(
        command,
        `unexpected argument ${JSON.stringify(arg)}; options are ${known}`,
      );
    }
    const [, name, inline] = match;
    const spec = byName.get(name);
    if (spec === undefined) {
      throw new UsageError(
        `--${name}`,
        `unknown option for ${command}; options are ${known}`,
      );
    }
    if (spec.value === undefined) {
      if (inline !== undefined) {
        throw new UsageError(`--${name}`, "is a flag and takes no value");
      }
      parsed.flags.add(name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      // A value may itself start with "-" only to be rejected later (e.g. "-1"), never "--".
      if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) {
        throw UsageError.expected(
          `--${name}`,
          `a value (${spec.value}) after it`,
        );
      }
      value = argv[++i];
    }
    const values = parsed.values.get(name) ?? [];
    if (values.length > 0 && !spec.repeatable) {
      throw new UsageError(`--${name}`, "given more than once; give it once");
    }
    values.push(value);
    parsed.values.set(name, values);
  }
  return parsed;
}
