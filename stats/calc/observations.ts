// Values of observed runs, as `calc observed` reads them: one number per line,
// or one JSON object per line with the property to read named by `--field`.
import { UsageError } from "./errors.ts";

// A decimal number and nothing else, as parseNumber accepts it.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A line as shown in a message: cut after 60 characters. */
function cut(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads one value per non-blank line of `text`: a plain decimal number, or,
 * with `field`, a JSON object whose property `field` is a number. Every value
 * must be a finite non-negative number (bytes, milliseconds: usage is never
 * negative).
 *
 * @param text the file's content
 * @param source how to name the file in messages, e.g. `runs.jsonl` or `stdin`
 * @param field the property to read from JSON objects; absent for plain numbers
 * @returns the values in file order
 * @throws UsageError naming `source:line` for a line that is not such a value,
 *   and `--from` when there is no value at all
 *
 * @example
 * ```ts
 * import { parseObservations } from "./observations.ts";
 * parseObservations('{"peakMemory": 1024}\n{"peakMemory": 2048}\n', "runs.jsonl", "peakMemory"); // [1024, 2048]
 * parseObservations("12.5\n13\n", "cpu.txt"); // [12.5, 13]
 * ```
 */
export function parseObservations(
  text: string,
  source: string,
  field?: string,
): number[] {
  const values: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const where = `${source}:${i + 1}`;
    const value = field === undefined
      ? plainValue(line, where)
      : fieldValue(line, where, field);
    if (!(Number.isFinite(value) && value >= 0)) {
      throw UsageError.expected(
        where,
        `a non-negative number${field === undefined ? "" : ` in "${field}"`}`,
        field === undefined ? cut(line) : String(value),
      );
    }
    values.push(value);
  }
  if (values.length === 0) {
    throw new UsageError(
      "--from",
      `${source} holds no values: give one number per line, or one JSON object per line with --field`,
    );
  }
  return values;
}

function plainValue(line: string, where: string): number {
  if (NUMBER.test(line)) return Number(line);
  if (line.startsWith("{")) {
    throw new UsageError(
      where,
      "a JSON object; give --field NAME to say which property to read",
    );
  }
  throw UsageError.expected(where, "a non-negative number", cut(line));
}

function fieldValue(line: string, where: string, field: string): number {
  let object: unknown;
  try {
    object = JSON.parse(line);
  } catch {
    object = undefined;
  }
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    throw UsageError.expected(
      where,
      `a JSON object with the property "${field}" (--field)`,
      cut(line),
    );
  }
  if (!Object.hasOwn(object, field)) {
    throw new UsageError(
      where,
      `no property "${field}" in this object (--field)`,
    );
  }
  const value = (object as Record<string, unknown>)[field];
  if (typeof value !== "number") {
    throw new UsageError(
      where,
      `expected a non-negative number in "${field}", got ${
        cut(JSON.stringify(value))
      }`,
    );
  }
  return value;
}
