/**
 * Argument checks shared by the limit functions and the pool: a TypeError
 * for a wrong type (or an unknown key), a RangeError for a wrong value of
 * the right type.
 */

/**
 * The keys an options type accepts, as a set the compiler checks against the
 * type: every key of `T`, and nothing else (an object literal with an extra
 * key does not compile). Its insertion order is the order error messages list.
 */
export type AcceptedKeys<T> = { readonly [K in keyof T]-?: true };

/**
 * Checks that `object` (the parameter `name`) has no own key outside
 * `accepted`: a misspelt key (`timout`) would otherwise be ignored, and its
 * limit silently not applied. `what` says what a key is ("a run limit").
 */
export function checkKeys(
  name: string,
  object: object,
  accepted: Readonly<Record<string, true>>,
  what: string,
): void {
  for (const key of Object.keys(object)) {
    if (!Object.hasOwn(accepted, key)) {
      throw new TypeError(
        `${name}.${key} is not ${what}; accepted: ${
          Object.keys(accepted).join(", ")
        }`,
      );
    }
  }
}

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

/**
 * Checks that `options` is an object (or undefined when `optional`) with no
 * key outside `accepted`, keys of the options of `caller`.
 */
export function checkOptions(
  options: unknown,
  optional: boolean,
  accepted: Readonly<Record<string, true>>,
  caller: string,
): Record<string, unknown> {
  if (options === undefined && optional) return {};
  if (!isOptionsObject(options)) {
    throw new TypeError(
      `options must be an object${optional ? " or undefined" : ""}, got ${
        describe(options)
      }`,
    );
  }
  checkKeys("options", options, accepted, `an option of ${caller}()`);
  return options as Record<string, unknown>;
}

/** Whether `value` can be an options object: an object, not null or an array. */
export function isOptionsObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A value's type for an error message: `typeof`, with null told apart and an
 * object's class named (`object (AbortController)`).
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  let name: unknown;
  try {
    name = Object.getPrototypeOf(value)?.constructor?.name;
  } catch {
    // A proxy's trap threw: the type is enough.
  }
  return typeof name === "string" && name !== "" && name !== "Object"
    ? `object (${name})`
    : "object";
}
