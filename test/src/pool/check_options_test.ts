import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { Token } from "../../../mod.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { withoutUsage } from "../fixture.ts";
import { TASKS } from "./helpers.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

test("pool options: a wrong type is a TypeError naming the type, a wrong number a RangeError naming the range", () => {
  assert.throws(() => new WorkerPool(TASKS, { size: "2" as Loose }), {
    name: "TypeError",
    message: "options.size must be an integer from 1 to 1024, got string",
  });
  assert.throws(() => new WorkerPool(TASKS, { size: null as Loose }), {
    name: "TypeError",
    message: "options.size must be an integer from 1 to 1024, got null",
  });
  for (const size of [0, 1025, 2.5, NaN, -1]) {
    assert.throws(() => new WorkerPool(TASKS, { size }), {
      name: "RangeError",
      message: `options.size must be an integer from 1 to 1024, got ${size}`,
    });
  }
  assert.throws(() => new WorkerPool(TASKS, { memoryLimit: "64" as Loose }), {
    name: "TypeError",
    message: "options.memoryLimit must be a number of bytes, got string",
  });
  assert.throws(
    () => new WorkerPool(TASKS, { processMemoryLimit: 2n as Loose }),
    {
      name: "TypeError",
      message:
        "options.processMemoryLimit must be a number of bytes, got bigint",
    },
  );
  assert.throws(() => new WorkerPool(TASKS, [] as Loose), {
    name: "TypeError",
    message: "options must be an object, got object (Array)",
  });
});

test("pool options: an unknown key is a TypeError naming it and listing the options, and nothing starts", () => {
  for (const options of [{ sise: 2 }, { size: 1, memoryLimt: 1 }]) {
    const key = Object.keys(options).at(-1);
    assert.throws(() => new WorkerPool(TASKS, options as Loose), {
      name: "TypeError",
      message: `options.${key} is not a WorkerPool option; accepted: ` +
        "size, memoryLimit, processMemoryLimit, minAvailableMemory, startTimeout, " +
        "denoConfig, permissions, maxQueue, minSize, idleTimeout, maxTasksPerWorker, env",
    });
  }
  // A misspelt key is refused even when its value is undefined.
  assert.throws(
    () => new WorkerPool(TASKS, { size: 1, timeout: undefined } as Loose),
    /options\.timeout is not a WorkerPool option/,
  );
});

test("run limits: an unknown key is a TypeError listing the run limits, before the task runs", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  // Misspelt, the timeout was ignored and the task ran to its end.
  await assert.rejects(pool.run("busyFor", [300], { timout: 5 } as Loose), {
    name: "TypeError",
    message:
      "limits.timout is not a run limit; accepted: memoryLimit, allocationLimit, timeout, cpuLimit, signal, token",
  });
  await assert.rejects(
    pool.run("add", [1, 2], { timeout: 1000, memory: 1 } as Loose),
    { name: "TypeError", message: /^limits\.memory is not a run limit;/ },
  );
  await assert.rejects(
    pool.run("add", [1, 2], { cancel: undefined } as Loose),
    { name: "TypeError", message: /^limits\.cancel is not a run limit;/ },
  );
  // Every accepted key is accepted.
  const r = await pool.run("add", [1, 2], {
    memoryLimit: undefined,
    allocationLimit: undefined,
    timeout: 5000,
    cpuLimit: undefined,
    signal: undefined,
    token: new Token(),
  });
  assert.deepEqual(withoutUsage(r), { ok: true, value: 3 });
});

test("run limits: a wrong type is a TypeError naming the type, a wrong value a RangeError", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const refused: [unknown, string, string][] = [
    [
      { timeout: "5" },
      "TypeError",
      "limits.timeout must be a number of milliseconds, got string",
    ],
    [
      { cpuLimit: null },
      "TypeError",
      "limits.cpuLimit must be a number of milliseconds, got null",
    ],
    [
      { timeout: -1 },
      "RangeError",
      "limits.timeout must be a positive finite number of milliseconds, got -1",
    ],
    [
      { memoryLimit: "1" },
      "TypeError",
      "limits.memoryLimit must be a number of bytes, got string",
    ],
    [
      { allocationLimit: true },
      "TypeError",
      "limits.allocationLimit must be a number of bytes, got boolean",
    ],
    [
      { signal: new AbortController() },
      "TypeError",
      "limits.signal must be an AbortSignal, got object (AbortController)",
    ],
    [
      { token: new AbortController().signal },
      "TypeError",
      "limits.token must be a Token, got object (AbortSignal)",
    ],
  ];
  for (const [limits, name, message] of refused) {
    await assert.rejects(pool.run("add", [1, 2], limits as Loose), {
      name,
      message,
    });
  }
  await assert.rejects(pool.run("add", [1, 2], null as Loose), {
    name: "TypeError",
    message: "limits must be an object, got null",
  });
  await assert.rejects(pool.run(7 as Loose, []), {
    name: "TypeError",
    message: "exportName must be a string, got number",
  });
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
});

test("pool options: maxQueue, minSize, idleTimeout, maxTasksPerWorker and env refuse bad values, naming the option", () => {
  const refused = (
    options: Loose,
    name: "TypeError" | "RangeError",
    message: string,
  ) => assert.throws(() => new WorkerPool(TASKS, options), { name, message });
  for (const maxQueue of [-1, NaN, 1.5, -Infinity]) {
    refused(
      { maxQueue },
      "RangeError",
      `options.maxQueue must be an integer from 0, or Infinity, got ${maxQueue}`,
    );
  }
  refused(
    { maxQueue: "10" },
    "TypeError",
    "options.maxQueue must be an integer from 0, or Infinity, got string",
  );
  for (const maxTasksPerWorker of [0, -2, NaN, 0.5]) {
    refused(
      { maxTasksPerWorker },
      "RangeError",
      `options.maxTasksPerWorker must be an integer from 1, or Infinity, got ${maxTasksPerWorker}`,
    );
  }
  for (const minSize of [-1, NaN, 1.5, 3, Infinity]) {
    refused(
      { size: 2, minSize },
      "RangeError",
      `options.minSize must be an integer from 0 to options.size (2), got ${minSize}`,
    );
  }
  for (const idleTimeout of [0, -5, NaN]) {
    refused(
      { idleTimeout },
      "RangeError",
      `options.idleTimeout must be a positive finite number of milliseconds, got ${idleTimeout}`,
    );
  }
  refused(
    { idleTimeout: "1s" },
    "TypeError",
    "options.idleTimeout must be a number of milliseconds, got string",
  );
  refused(
    { env: "A=1" },
    "TypeError",
    "options.env must be an object of strings, got string",
  );
  refused(
    { env: { PORT: 8080 } },
    "TypeError",
    "options.env.PORT must be a string, got number",
  );
});
