/**
 * Errors across the wire in both directions, without a worker: `toWire` (in
 * the worker: what a task threw, as a clonable record) and `fromWire` (in the
 * host: the Error rebuilt from it). The record crosses as the IPC channel
 * carries it, through `structuredClone`. task_errors_test.ts runs the same
 * rules end to end through real workers.
 */
import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import { fromWire, toWire } from "../../../../src/pool/wire/wire_error.ts";
import type { WireError } from "../../../../src/pool/wire/messages.ts";

const STACK = "Error: x\n    at task (file:///home/u/app/tasks.ts:3:9)";

/** A value that does not structured-clone. */
const callback = () => 1;

/** `toWire`, then the record as the host receives it. */
function across(thrown: unknown): Error {
  return fromWire(structuredClone(toWire(thrown)));
}

/** An Error with its stack set, so that the record can be written out. */
function withStack<E extends Error>(error: E, stack = STACK): E {
  error.stack = stack;
  return error;
}

test("wire error: an Error's name, message, stack and own enumerable properties cross; nothing else", () => {
  const error = withStack(
    Object.assign(new TypeError("x"), { code: "E_FOO", detail: { n: 1 } }),
  );
  Object.defineProperty(error, "hidden", { value: 1, enumerable: false });
  const wire = toWire(error);
  assert.deepEqual(wire, {
    name: "TypeError",
    message: "x",
    stack: STACK,
    properties: { code: "E_FOO", detail: { n: 1 } },
  });
  assert.equal(Object.hasOwn(wire, "cause"), false);
  assert.equal(Object.hasOwn(wire, "thrown"), false);

  const rebuilt = across(error) as Error & Record<string, unknown>;
  assert.ok(rebuilt instanceof Error);
  assert.equal(rebuilt.name, "TypeError");
  assert.equal(rebuilt.message, "x");
  assert.equal(rebuilt.stack, STACK);
  assert.equal(rebuilt.code, "E_FOO");
  assert.deepEqual(rebuilt.detail, { n: 1 });
  assert.equal(Object.hasOwn(rebuilt, "hidden"), false);
  assert.equal(Object.hasOwn(rebuilt, "cause"), false);
  assert.deepEqual(Object.keys(rebuilt).sort(), ["code", "detail", "name"]);
});

test("wire error: an Error without properties has no properties record; a subclass's fields are properties", () => {
  assert.deepEqual(toWire(withStack(new Error("plain"))), {
    name: "Error",
    message: "plain",
    stack: STACK,
  });
  class HttpError extends Error {
    status: number;
    constructor(status: number) {
      super(`HTTP ${status}`);
      this.name = "HttpError";
      this.status = status;
    }
  }
  // `name` is an own field here too, carried as the name, not a property.
  assert.deepEqual(toWire(withStack(new HttpError(404))), {
    name: "HttpError",
    message: "HTTP 404",
    stack: STACK,
    properties: { status: 404 },
  });
  const rebuilt = across(new HttpError(500));
  assert.equal(rebuilt.name, "HttpError");
  assert.equal(rebuilt.message, "HTTP 500");
  assert.equal((rebuilt as Error & { status?: number }).status, 500);
  // Rebuilt as an Error: the host does not have the task's classes.
  assert.equal(Object.getPrototypeOf(rebuilt), Error.prototype);
});

test("wire error: what does not cross is left out: functions, getters that throw, shared memory", () => {
  const error = withStack(
    Object.assign(new Error("mixed"), {
      code: "E_BAR",
      when: new Date(0),
      callback: () => 1,
      nested: { fn() {} },
      // structuredClone copies these; the IPC channel refuses them.
      shared: new SharedArrayBuffer(8),
      view: new Int32Array(new SharedArrayBuffer(8)),
      deep: {
        list: [new Map([["k", new Int32Array(new SharedArrayBuffer(4))]])],
      },
      buffer: new Uint8Array([1, 2]),
    }),
  );
  Object.defineProperty(error, "broken", {
    enumerable: true,
    get() {
      throw new Error("this getter throws");
    },
  });
  const wire = toWire(error);
  assert.deepEqual(wire.properties, {
    code: "E_BAR",
    when: new Date(0),
    buffer: new Uint8Array([1, 2]),
  });
  const rebuilt = across(error) as Error & Record<string, unknown>;
  assert.deepEqual(rebuilt.when, new Date(0));
  assert.deepEqual(rebuilt.buffer, new Uint8Array([1, 2]));
  for (
    const key of ["callback", "nested", "shared", "view", "deep", "broken"]
  ) {
    assert.equal(Object.hasOwn(rebuilt, key), false, key);
  }
  // Nothing that crosses: no properties record at all.
  assert.equal(
    Object.hasOwn(
      toWire(Object.assign(new Error("f"), { f() {} })),
      "properties",
    ),
    false,
  );
});

test("wire error: the properties are a copy taken once, whatever a getter returns next", () => {
  let reads = 0;
  const error = new Error("counted");
  Object.defineProperty(error, "count", {
    enumerable: true,
    get: () => ++reads,
  });
  const wire = toWire(error);
  assert.deepEqual(wire.properties, { count: 1 });
  assert.equal(reads, 1);
  const object = { n: 1 };
  const holding = Object.assign(new Error("holds"), { object });
  const copied = toWire(holding);
  object.n = 2;
  assert.deepEqual(copied.properties, { object: { n: 1 } });
});

test('wire error: a "__proto__" key crosses as a plain property and never sets the prototype', () => {
  // Assigned rather than defined, such a key would set the prototype on Bun
  // and Node (Deno has no __proto__ accessor): this fails there.
  const error = new Error("proto");
  Object.defineProperty(error, "__proto__", {
    value: { polluted: true },
    enumerable: true,
    writable: true,
    configurable: true,
  });
  const wire = toWire(error);
  assert.deepEqual(
    Object.getOwnPropertyDescriptor(wire.properties, "__proto__")?.value,
    { polluted: true },
  );
  assert.equal(Object.getPrototypeOf(wire.properties), Object.prototype);
  const rebuilt = across(error) as Error & { polluted?: boolean };
  assert.equal(Object.getPrototypeOf(rebuilt), Error.prototype);
  assert.equal(rebuilt.polluted, undefined);
  assert.deepEqual(
    Object.getOwnPropertyDescriptor(rebuilt, "__proto__")?.value,
    { polluted: true },
  );
  // The same from a record written by hand, as a worker could send it.
  const properties = JSON.parse('{"__proto__": {"polluted": true}}');
  const byHand = fromWire({ name: "Error", message: "m", properties });
  assert.equal(Object.getPrototypeOf(byHand), Error.prototype);
  assert.equal((byHand as Error & { polluted?: boolean }).polluted, undefined);
  assert.ok(Object.hasOwn(byHand, "__proto__"));
});

test("wire error: an Error cause crosses as an Error with its own fields, at every depth; not enumerable", () => {
  const root = withStack(
    Object.assign(new RangeError("root"), { code: "E_ROOT" }),
    "RangeError: root\n    at deep",
  );
  const middle = withStack(new Error("middle", { cause: root }), "middle");
  const outer = withStack(new Error("outer", { cause: middle }));
  assert.deepEqual(toWire(outer), {
    name: "Error",
    message: "outer",
    stack: STACK,
    cause: {
      error: {
        name: "Error",
        message: "middle",
        stack: "middle",
        cause: {
          error: {
            name: "RangeError",
            message: "root",
            stack: "RangeError: root\n    at deep",
            properties: { code: "E_ROOT" },
          },
        },
      },
    },
  });
  const rebuilt = across(outer);
  assert.equal(Object.keys(rebuilt).includes("cause"), false);
  assert.equal(
    Object.getOwnPropertyDescriptor(rebuilt, "cause")?.enumerable,
    false,
  );
  const m = rebuilt.cause as Error;
  assert.ok(m instanceof Error);
  assert.equal(m.message, "middle");
  const r = m.cause as Error & { code?: string };
  assert.ok(r instanceof Error);
  assert.equal(r.name, "RangeError");
  assert.equal(r.message, "root");
  assert.equal(r.stack, "RangeError: root\n    at deep");
  assert.equal(r.code, "E_ROOT");
  assert.equal(Object.hasOwn(r, "cause"), false);
});

test("wire error: a cause that is not an Error is cloned; one that cannot cross is left out", () => {
  const valued = toWire(
    new Error("outer", { cause: { n: 1, when: new Date(0) } }),
  );
  assert.deepEqual(valued.cause, { value: { n: 1, when: new Date(0) } });
  assert.deepEqual(
    across(new Error("outer", { cause: { n: 1, when: new Date(0) } })).cause,
    { n: 1, when: new Date(0) },
  );
  assert.equal(across(new Error("s", { cause: "why" })).cause, "why");
  // A cause given as undefined is still a cause.
  const undefinedCause = across(new Error("u", { cause: undefined }));
  assert.ok(Object.hasOwn(undefinedCause, "cause"));
  assert.equal(undefinedCause.cause, undefined);

  for (
    const cause of [
      () => 1,
      new SharedArrayBuffer(8),
      { view: new Int32Array(new SharedArrayBuffer(8)) },
    ]
  ) {
    const wire = toWire(new Error("outer", { cause }));
    assert.equal(Object.hasOwn(wire, "cause"), false, String(cause));
    assert.equal(
      Object.hasOwn(across(new Error("o", { cause })), "cause"),
      false,
    );
  }
  // A cause whose getter throws.
  const getter = new Error("getter");
  Object.defineProperty(getter, "cause", {
    get() {
      throw new Error("no cause for you");
    },
  });
  assert.equal(Object.hasOwn(toWire(getter), "cause"), false);
});

test("wire error: a cause chain that loops is cut where it loops", () => {
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  a.cause = b;
  const wire = toWire(a);
  assert.equal(wire.message, "a");
  const bWire = (wire.cause as { error: WireError }).error;
  assert.equal(bWire.message, "b");
  assert.equal(Object.hasOwn(bWire, "cause"), false);
  const rebuilt = across(a);
  assert.equal((rebuilt.cause as Error).message, "b");
  assert.equal(Object.hasOwn(rebuilt.cause as Error, "cause"), false);

  const self = new Error("self");
  self.cause = self;
  assert.equal(Object.hasOwn(toWire(self), "cause"), false);
});

test("wire error: a thrown value that is not an Error becomes an Error describing it, the value its cause", () => {
  const cases: [unknown, WireError][] = [
    ["boom", { name: "Error", message: "boom", thrown: "boom" }],
    [{ code: 1 }, {
      name: "Error",
      message: "{ code: 1 }",
      thrown: { code: 1 },
    }],
    [42, { name: "Error", message: "42", thrown: 42 }],
    [null, { name: "Error", message: "null", thrown: null }],
    [undefined, { name: "Error", message: "undefined", thrown: undefined }],
    // Values that cannot be cloned are sent as their String().
    [callback, {
      name: "Error",
      message: "[Function: callback]",
      thrown: String(callback), // its source, as this runtime prints it
    }],
    [Symbol("s"), { name: "Error", message: "Symbol(s)", thrown: "Symbol(s)" }],
  ];
  for (const [thrown, expected] of cases) {
    const wire = toWire(thrown);
    assert.deepEqual(wire, expected, String(expected.message));
    assert.ok("thrown" in wire, "thrown is present even when undefined");
  }
  const fromString = across("boom");
  assert.ok(fromString instanceof Error);
  assert.equal(fromString.name, "Error");
  assert.equal(fromString.message, "boom");
  assert.equal(fromString.cause, "boom");
  assert.deepEqual(across({ code: 1 }).cause, { code: 1 });
  const fromUndefined = across(undefined);
  assert.equal(fromUndefined.message, "undefined");
  assert.ok(Object.hasOwn(fromUndefined, "cause"));
  assert.equal(fromUndefined.cause, undefined);
  // Shared memory thrown as such: described, and not sent.
  const shared = toWire({ view: new Int32Array(new SharedArrayBuffer(4)) });
  assert.equal(shared.thrown, "[object Object]");
  assert.match(shared.message, /^\{ view: Int32Array\(1\) \[ 0 \] \}$/);
});

test("wire error: an Error whose keys cannot be listed still crosses with its name and message", () => {
  const target = withStack(Object.assign(new Error("proxied"), { code: 1 }));
  const proxied = new Proxy(target, {
    ownKeys() {
      throw new Error("no keys");
    },
  });
  const wire = toWire(proxied);
  assert.equal(wire.name, "Error");
  assert.equal(wire.message, "proxied");
  // (V8's stack getter does not answer through a proxy; JavaScriptCore's does.)
  assert.equal(Object.hasOwn(wire, "properties"), false);
  assert.equal(across(proxied).message, "proxied");
});

test("wire error: fromWire rebuilds a record written by hand, without a stack or properties", () => {
  const e = fromWire({ name: "RangeError", message: "out of range" });
  assert.ok(e instanceof Error);
  assert.equal(e.name, "RangeError");
  assert.equal(e.message, "out of range");
  assert.equal(typeof e.stack, "string"); // the host's own
  assert.equal(Object.hasOwn(e, "cause"), false);
  assert.deepEqual(Object.keys(e), ["name"]);

  const withValueCause = fromWire({
    name: "Error",
    message: "m",
    properties: { code: "E" },
    cause: { value: [1, 2] },
  });
  assert.deepEqual(withValueCause.cause, [1, 2]);
  assert.deepEqual(Object.keys(withValueCause).sort(), ["code", "name"]);
  // Each property is writable and configurable, as an assigned one is.
  const descriptor = Object.getOwnPropertyDescriptor(withValueCause, "code");
  assert.deepEqual(descriptor, {
    value: "E",
    enumerable: true,
    writable: true,
    configurable: true,
  });
});
