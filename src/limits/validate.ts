/** Argument checks shared by the limit functions: TypeError for a wrong type, RangeError for a wrong value. */

/** Checks that `task` is a function. */
export function checkTask(task: unknown): void {
  if (typeof task !== "function") {
    throw new TypeError(`task must be a function, got ${describe(task)}`);
  }
}

/** Checks that `value` is a positive finite number of bytes. */
export function checkBytes(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `${name} must be a number of bytes, got ${describe(value)}`,
    );
  }
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(
      `${name} must be a positive finite number of bytes (0 < ${name} < Infinity), got ${value}`,
    );
  }
  return value;
}

/** Checks that `options` is an object, or undefined when `optional`. */
export function checkOptions(
  options: unknown,
  optional: boolean,
): Record<string, unknown> {
  if (options === undefined && optional) return {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `options must be an object${optional ? " or undefined" : ""}, got ${
        describe(options)
      }`,
    );
  }
  return options as Record<string, unknown>;
}

function describe(value: unknown): string {
  return value === null ? "null" : typeof value;
}
