import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";

const ERROR_TASKS = new URL("./fixtures/error_tasks.ts", import.meta.url);

/** The Error a run rejects with. */
async function rejection(run: Promise<unknown>): Promise<Error> {
  const error = await run.then(
    () => assert.fail("run() should reject"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof Error, `expected an Error, got ${error}`);
  return error;
}

test("task errors: an Error's own properties cross to the host, with its name, message and stack", async () => {
  await using pool = new WorkerPool(ERROR_TASKS, { size: 1 });
  const error = await rejection(pool.run("withProperties"));
  const e = error as Error & { code?: unknown; detail?: unknown };
  assert.equal(e.name, "Error");
  assert.equal(e.message, "x");
  assert.match(String(e.stack), /error_tasks\.ts/);
  assert.equal(e.code, "E_FOO");
  assert.deepEqual(e.detail, { n: 1 });
  assert.deepEqual(Object.keys(e).sort(), ["code", "detail", "name"]);
  assert.equal(Object.hasOwn(e, "cause"), false);

  const http = await rejection(pool.run("subclass", [404]));
  assert.equal(http.name, "HttpError");
  assert.equal(http.message, "HTTP 404");
  assert.equal((http as Error & { status?: number }).status, 404);
});

test("task errors: properties that cannot be cloned are left out, the others arrive", async () => {
  await using pool = new WorkerPool(ERROR_TASKS, { size: 1 });
  const e = await rejection(pool.run("withUncloneable")) as
    & Error
    & Record<string, unknown>;
  assert.equal(e.name, "TypeError");
  assert.equal(e.message, "mixed");
  assert.equal(e.code, "E_BAR");
  assert.deepEqual(e.when, new Date(0));
  for (const key of ["callback", "nested", "broken", "hidden", "shared"]) {
    assert.equal(Object.hasOwn(e, key), false, key);
  }
  // The worker is not harmed by what it could not send.
  assert.equal(
    (await rejection(pool.run("subclass", [500]))).message,
    "HTTP 500",
  );
});

test("task errors: an Error cause arrives as an Error with its own properties; a value cause cloned", async () => {
  await using pool = new WorkerPool(ERROR_TASKS, { size: 1 });
  const outer = await rejection(pool.run("errorCause"));
  assert.equal(outer.message, "outer");
  // Not enumerable, as `new Error(message, { cause })` makes it.
  assert.equal(Object.keys(outer).includes("cause"), false);
  const inner = outer.cause;
  assert.ok(inner instanceof Error, `cause: ${inner}`);
  assert.equal(inner.name, "RangeError");
  assert.equal(inner.message, "inner");
  assert.equal((inner as Error & { code?: string }).code, "E_INNER");
  assert.match(String(inner.stack), /error_tasks\.ts/);

  const valued = await rejection(pool.run("valueCause"));
  assert.deepEqual(valued.cause, { n: 1, when: new Date(0) });

  const dropped = await rejection(pool.run("uncloneableCause"));
  assert.equal(dropped.message, "outer");
  assert.equal(Object.hasOwn(dropped, "cause"), false);
});

test("task errors: a cause chain that loops arrives cut where it loops", async () => {
  await using pool = new WorkerPool(ERROR_TASKS, { size: 1 });
  const a = await rejection(pool.run("causeLoop"));
  assert.equal(a.message, "a");
  const b = a.cause;
  assert.ok(b instanceof Error);
  assert.equal(b.message, "b");
  assert.equal(Object.hasOwn(b, "cause"), false);
});

test('task errors: an own "__proto__" key stays a property and does not change the prototype', async () => {
  await using pool = new WorkerPool(ERROR_TASKS, { size: 1 });
  const e = await rejection(pool.run("protoKey"));
  assert.equal(Object.getPrototypeOf(e), Error.prototype);
  assert.equal((e as Error & { polluted?: boolean }).polluted, undefined);
  assert.deepEqual(
    Object.getOwnPropertyDescriptor(e, "__proto__")?.value,
    { polluted: true },
  );
});

test("task errors: a result holding shared memory rejects with a DataCloneError, and the worker lives on", async () => {
  await using pool = new WorkerPool(ERROR_TASKS, { size: 1 });
  const pid = pool.workerPids[0];
  const e = await rejection(pool.run("returnsShared"));
  assert.equal(e.name, "DataCloneError");
  assert.match(
    e.message,
    /^the result of task "returnsShared" could not be cloned: .*SharedArrayBuffer/,
  );
  assert.equal(
    (await rejection(pool.run("subclass", [418]))).message,
    "HTTP 418",
  );
  assert.deepEqual(pool.workerPids, [pid]);
});

test("task errors: a symbol result rejects with a DataCloneError; other primitives cross as they are", async () => {
  await using pool = new WorkerPool(ERROR_TASKS, { size: 1 });
  const pid = pool.workerPids[0];
  const e = await rejection(pool.run("returnsSymbol"));
  assert.equal(e.name, "DataCloneError");
  assert.match(
    e.message,
    /^the result of task "returnsSymbol" could not be cloned/,
  );
  const primitives = [1.5, -0, NaN, "text", true, null, undefined, 2n ** 70n];
  const r = await pool.run("echoArgs", primitives);
  assert.deepEqual([r.ok, r.ok && r.value], [true, primitives]);
  assert.deepEqual(pool.workerPids, [pid]);
});
