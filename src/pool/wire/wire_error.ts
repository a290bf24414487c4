/**
 * A task's exception turned into a `WireError`, in the worker, so that it can
 * cross to the host (`fromWire` rebuilds it there). An Error keeps
 * its name, message and stack, its own enumerable properties (`code`,
 * `detail`, ...) and its cause, as far as they structured-clone: what cannot
 * be cloned is left out rather than failing the report of the error.
 */
import { inspect } from "node:util";
import type { WireError } from "./messages.ts";
import { holdsSharedMemory } from "./shared_memory.ts";

/** Carried apart (or, for `name`, read through the prototype): not properties. */
const OWN_FIELDS = new Set(["name", "message", "stack", "cause"]);

/** Converts what a task threw (or a module failed to load with). */
export function toWire(error: unknown): WireError {
  return wire(error, new Set());
}

/** `seen`: the Errors above this one in its cause chain, which may loop. */
function wire(error: unknown, seen: Set<unknown>): WireError {
  if (!(error instanceof Error)) {
    // Not an Error (`throw "boom"`, `throw { code: 1 }`): describe it, and
    // send the value itself when it can cross.
    const cloned = clone(error);
    const message = typeof error === "string" ? error : inspect(error);
    return {
      name: "Error",
      message,
      thrown: cloned.ok ? error : String(error),
    };
  }
  seen.add(error);
  const result: WireError = {
    name: error.name,
    message: error.message,
    stack: error.stack,
  };
  const properties = cloneableProperties(error);
  if (properties !== undefined) result.properties = properties;
  if (Object.hasOwn(error, "cause")) {
    const cause = read(error, "cause");
    if (cause.ok && cause.value instanceof Error) {
      if (!seen.has(cause.value)) {
        result.cause = { error: wire(cause.value, seen) };
      }
    } else if (cause.ok) {
      const cloned = clone(cause.value);
      if (cloned.ok) result.cause = { value: cloned.value };
    }
  }
  return result;
}

/** The own enumerable properties that clone, or undefined if there are none. */
function cloneableProperties(
  error: Error,
): Record<string, unknown> | undefined {
  let keys: string[];
  try {
    keys = Object.keys(error);
  } catch {
    return undefined; // a proxy whose ownKeys trap throws
  }
  let properties: Record<string, unknown> | undefined;
  for (const key of keys) {
    if (OWN_FIELDS.has(key)) continue;
    const property = read(error, key);
    // The copy is sent: it clones again, whatever a getter would return next.
    const cloned = property.ok ? clone(property.value) : property;
    // Defined, not assigned: a "__proto__" key stays a key.
    if (cloned.ok) {
      Object.defineProperty(properties ??= {}, key, {
        value: cloned.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return properties;
}

type Attempt = { ok: true; value: unknown } | { ok: false };

/** Reads a property that may be a getter that throws. */
function read(object: object, key: string): Attempt {
  try {
    return { ok: true, value: (object as Record<string, unknown>)[key] };
  } catch {
    return { ok: false };
  }
}

/**
 * A copy of `value`, if it can cross: it structured-clones and holds no
 * shared memory (which structuredClone copies but the IPC channel refuses).
 */
function clone(value: unknown): Attempt {
  if (holdsSharedMemory(value)) return { ok: false };
  try {
    return { ok: true, value: structuredClone(value) };
  } catch {
    return { ok: false };
  }
}

/**
 * The Error `toWire` sent, rebuilt on the host: its name, message, stack,
 * own properties and cause.
 */
export function fromWire(wire: WireError): Error {
  // A thrown value that is not an Error becomes the cause.
  const error = "thrown" in wire
    ? new Error(wire.message, { cause: wire.thrown })
    : new Error(wire.message);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  // The task's Error's own properties and cause (wire_error.ts), defined
  // rather than assigned: a key such as "__proto__" stays a plain property.
  const define = (key: string, value: unknown, enumerable: boolean) =>
    Object.defineProperty(error, key, {
      value,
      enumerable,
      writable: true,
      configurable: true,
    });
  for (const [key, value] of Object.entries(wire.properties ?? {})) {
    define(key, value, true);
  }
  if (wire.cause !== undefined) {
    // Not enumerable, as `new Error(message, { cause })` makes it.
    define(
      "cause",
      "error" in wire.cause ? fromWire(wire.cause.error) : wire.cause.value,
      false,
    );
  }
  return error;
}
