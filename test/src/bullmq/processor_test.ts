// processor() against a real Redis and a real BullMQ Worker: what a job
// becomes for each way its task can end, read back from Redis.
import assert from "node:assert/strict";
import { UnrecoverableError } from "bullmq";
import { Redis } from "ioredis";
import { LimitExceeded, Token } from "../../../mod.ts";
import {
  processor,
  type ProcessorOptions,
  usageLines,
} from "../../../src/bullmq/mod.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { test } from "../../harness.ts";
import { calcWithInput } from "../../stats/calc/calc_run.ts";
import { eventually, MiB, processExists } from "../pool/helpers.ts";
import { finished, logsOf, QUEUE_TASKS, withQueue } from "./queue_helpers.ts";

/** The usage lines of a job's log, parsed. */
async function usageOf(
  queue: Parameters<typeof logsOf>[0],
  id: string,
): Promise<Record<string, unknown>[]> {
  return (await logsOf(queue, id))
    .filter((line) => line.startsWith('{"memlimits":"usage"'))
    .map((line) => JSON.parse(line));
}

/** Checks that `usage` is a usage line's measurements: numbers, not negative. */
function assertMeasured(usage: Record<string, unknown>): void {
  for (const field of ["wallMs", "cpuMs", "peakMemory"]) {
    const value = usage[field];
    assert.ok(
      typeof value === "number" && value >= 0,
      `${field}: ${JSON.stringify(usage)}`,
    );
  }
}

test("bullmq processor: a job completes with its task's value, the task sees the job, the log has the usage", async () => {
  await withQueue({ exportName: "sumOfSquares" }, async ({ queue }) => {
    const n = 100_000;
    const { id } = await queue.add("squares", { n });
    const job = await finished(queue, id!);
    assert.equal(await job.getState(), "completed");
    assert.equal(job.returnvalue, (n - 1) * n * (2 * n - 1) / 6);
    assert.equal(job.attemptsMade, 1);
    const [usage, ...more] = await usageOf(queue, id!);
    assert.deepEqual(more, []);
    assert.equal(usage.attemptsMade, 0);
    assert.equal(usage.outcome, "ok");
    assertMeasured(usage);
  });
  await withQueue({ exportName: "info" }, async ({ queue }) => {
    const { id } = await queue.add("who", { x: [1, "two"] });
    const job = await finished(queue, id!);
    assert.deepEqual(job.returnvalue, {
      data: { x: [1, "two"] },
      job: { id, name: "who", attemptsMade: 0 },
    });
  });
});

test("bullmq processor: a job stopped by a limit fails at once with an UnrecoverableError, its LimitExceeded as cause", async () => {
  await withQueue(
    { exportName: "typedBomb", limits: { memoryLimit: 64 * MiB } },
    async ({ queue, errors }) => {
      const { id } = await queue.add("bomb", {}, { attempts: 3 });
      const job = await finished(queue, id!);
      assert.equal(await job.getState(), "failed");
      assert.equal(job.attemptsMade, 1, "not retried");
      const [error, ...more] = errors.get(id!)!;
      assert.deepEqual(more, []);
      assert.ok(error instanceof UnrecoverableError, String(error));
      const cause = error.cause;
      assert.ok(cause instanceof LimitExceeded, String(cause));
      assert.equal(cause.kind, "memory");
      assert.equal(cause.limit, 64 * MiB);
      assert.ok(cause.observed! > 64 * MiB);
      const match = error.message.match(
        /^memlimits stopped the job: memory limit of 64 MiB exceeded \(observed (\d+(?:\.\d+)?) MiB\)$/,
      );
      assert.ok(match, error.message);
      assert.ok(Math.abs(Number(match[1]) - cause.observed! / MiB) <= 0.05);
      assert.equal(job.failedReason, error.message);
      const [usage] = await usageOf(queue, id!);
      assert.equal(usage.outcome, "memory");
      assertMeasured(usage);
      assert.ok((usage.peakMemory as number) > 64 * MiB);
    },
  );
});

test("bullmq processor: options.retry: a timeout is an ordinary failure, retried per the job's attempts", async () => {
  await withQueue(
    {
      exportName: "spin",
      limits: { timeout: 300 },
      options: { retry: ["timeout"] },
    },
    async ({ queue, errors }) => {
      const { id } = await queue.add("spinner", {}, { attempts: 2 });
      const job = await finished(queue, id!);
      assert.equal(await job.getState(), "failed");
      assert.equal(job.attemptsMade, 2, "retried once");
      const failures = errors.get(id!)!;
      assert.equal(failures.length, 2);
      for (const error of failures) {
        assert.ok(!(error instanceof UnrecoverableError));
        assert.equal(error.name, "Error");
        assert.ok(error.cause instanceof LimitExceeded);
        assert.equal(error.cause.kind, "timeout");
        assert.match(
          error.message,
          /^memlimits stopped the job: timeout of 300 ms exceeded \(observed \d+ ms\)$/,
        );
      }
      const usage = await usageOf(queue, id!);
      assert.deepEqual(usage.map((u) => [u.attemptsMade, u.outcome]), [
        [0, "timeout"],
        [1, "timeout"],
      ]);
    },
  );
  // Without options.retry, the same job fails on its first attempt.
  await withQueue(
    { exportName: "spin", limits: { timeout: 300 } },
    async ({ queue, errors }) => {
      const { id } = await queue.add("spinner", {}, { attempts: 2 });
      const job = await finished(queue, id!);
      assert.equal(job.attemptsMade, 1);
      assert.ok(errors.get(id!)![0] instanceof UnrecoverableError);
      assert.match(job.failedReason, /timeout of 300 ms exceeded/);
    },
  );
});

test("bullmq processor: a task's own exception fails the attempt as it is, and the job is retried", async () => {
  await withQueue({ exportName: "fail" }, async ({ queue, errors }) => {
    const { id } = await queue.add("failing", { message: "no such image" }, {
      attempts: 2,
    });
    const job = await finished(queue, id!);
    assert.equal(await job.getState(), "failed");
    assert.equal(job.attemptsMade, 2);
    assert.equal(job.failedReason, "no such image");
    for (const error of errors.get(id!)!) {
      assert.ok(!(error instanceof UnrecoverableError));
      assert.equal(error.name, "TypeError");
      assert.equal(error.message, "no such image");
    }
    // A run whose task threw has no usage to log.
    assert.deepEqual(await usageOf(queue, id!), []);
  });
  await withQueue({ exportName: "throwOnce" }, async ({ queue }) => {
    const { id } = await queue.add("flaky", {}, { attempts: 3 });
    const job = await finished(queue, id!);
    assert.equal(await job.getState(), "completed");
    assert.equal(job.returnvalue, "second");
    assert.equal(job.attemptsMade, 2);
    const usage = await usageOf(queue, id!);
    assert.deepEqual(usage.map((u) => [u.attemptsMade, u.outcome]), [
      [1, "ok"],
    ]);
  });
});

test("bullmq processor: worker.cancelJob stops the run (its worker process is killed); so does the caller's token", async () => {
  await withQueue(
    { exportName: "sleep" },
    async ({ queue, worker, pool, errors }) => {
      assert.ok(await eventually(() => pool.idleCount === 1));
      const [pid] = pool.workerPids;
      const { id } = await queue.add("long", { ms: 60_000 }, { attempts: 3 });
      assert.ok(await eventually(() => pool.idleCount === 0), "the job runs");
      assert.ok(worker.cancelJob(id!, "shutting down"));
      const job = await finished(queue, id!);
      assert.equal(await job.getState(), "failed");
      assert.equal(job.attemptsMade, 1);
      const [error] = errors.get(id!)!;
      assert.ok(error instanceof UnrecoverableError);
      assert.ok(error.cause instanceof LimitExceeded);
      assert.equal(error.cause.kind, "token");
      assert.equal(
        error.message,
        "memlimits stopped the job: task cancelled: shutting down",
      );
      assert.ok(await eventually(() => !processExists(pid)), "worker killed");
      const [usage] = await usageOf(queue, id!);
      assert.equal(usage.outcome, "token");
    },
  );
  const token = new Token();
  await withQueue(
    { exportName: "sleep", limits: { token } },
    async ({ queue, pool, errors }) => {
      const { id } = await queue.add("long", { ms: 60_000 });
      assert.ok(await eventually(() => pool.idleCount === 0), "the job runs");
      token.cancel("deploy");
      const job = await finished(queue, id!);
      assert.equal(
        job.failedReason,
        "memlimits stopped the job: task cancelled: deploy",
      );
      assert.ok(errors.get(id!)![0] instanceof UnrecoverableError);
    },
  );
});

test("bullmq processor: every job's usage line is in its log when the job completes", async () => {
  await withQueue({ exportName: "sumOfSquares" }, async ({ queue, worker }) => {
    // Read on the "completed" event, through the queue's own connection:
    // the line must have reached Redis before the completion did.
    const seen: Promise<[string, number]>[] = [];
    worker.on("completed", (job) => {
      seen.push(
        usageOf(queue, job.id!).then((lines) => [job.id!, lines.length]),
      );
    });
    const jobs = await queue.addBulk(
      Array.from({ length: 20 }, (_, i) => ({
        name: "squares",
        data: { n: 100 + i },
      })),
    );
    for (const { id } of jobs) await finished(queue, id!);
    assert.ok(await eventually(() => seen.length === jobs.length));
    for (const [id, lines] of await Promise.all(seen)) {
      assert.equal(lines, 1, `job ${id}`);
    }
  });
});

/**
 * Redis reads (`total_reads_processed`: the times it read a client's
 * socket) per job, over `jobs` jobs of a queue consumed through
 * `processor(pool, "sumOfSquares", {}, options)`, after one job first
 * (whose usage line is awaited).
 */
async function redisReadsPerJob(
  options: ProcessorOptions,
  jobs: number,
): Promise<number> {
  let perJob = NaN;
  await withQueue(
    { exportName: "sumOfSquares", options },
    async ({ queue, worker, connection }) => {
      const admin = new Redis(connection);
      const reads = async () =>
        Number(
          (await admin.info("stats")).match(/total_reads_processed:(\d+)/)![1],
        );
      try {
        const completed = (count: number) =>
          new Promise<void>((resolve) => {
            let done = 0;
            const onCompleted = () => {
              if (++done < count) return;
              worker.off("completed", onCompleted);
              resolve();
            };
            worker.on("completed", onCompleted);
          });
        const first = completed(1);
        await queue.add("squares", { n: 10 });
        await first;
        await queue.pause();
        await queue.addBulk(
          Array.from({ length: jobs }, () => ({
            name: "squares",
            data: { n: 100 },
          })),
        );
        const all = completed(jobs);
        const before = await reads();
        await queue.resume();
        await all;
        perJob = (await reads() - before) / jobs;
      } finally {
        await admin.quit();
      }
    },
  );
  return perJob;
}

test("bullmq processor: a usage line leaves with its job's completion, in one Redis read", async () => {
  const jobs = 100;
  const without = await redisReadsPerJob({ usageLog: false }, jobs);
  const withLine = await redisReadsPerJob({}, jobs);
  // One read a job (the completion, which fetches the next) either way; a
  // line sent on its own would be a second.
  assert.ok(without >= 0.9 && without <= 1.3, `without a line: ${without}`);
  assert.ok(
    withLine <= without + 0.2,
    `reads a job with a line ${withLine}, without ${without}`,
  );
});

test("bullmq processor: the first usage line through a queue is awaited, a later one not; one that fails is a warning", async () => {
  await using pool = new WorkerPool(QUEUE_TASKS, { size: 1 });
  const run = processor<{ n: number }, number>(pool, "sumOfSquares");
  const queue = {}; // BullMQ's job.queue: the Worker with its connection
  let release = () => {};
  const logged: string[] = [];
  const job = (id: string, log: () => Promise<unknown>) => ({
    id,
    name: "squares",
    data: { n: 4 },
    attemptsMade: 0,
    queue,
    log: (line: string) => {
      logged.push(line);
      return log();
    },
  });
  let settled = false;
  const first = run(job("1", () => new Promise((r) => release = () => r(1))))
    .finally(() => settled = true);
  assert.ok(await eventually(() => logged.length === 1));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(settled, false, "waits for the first line");
  release();
  assert.equal(await first, 14);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  try {
    // A line that never lands keeps nothing waiting; a failed one is told.
    assert.equal(await run(job("2", () => new Promise(() => {}))), 14);
    assert.equal(
      await run(job("3", () => Promise.reject(new Error("connection lost")))),
      14,
    );
    assert.ok(await eventually(() => warnings.length === 1));
    assert.equal(
      warnings[0],
      "memlimits/bullmq: the usage line of job 3 was not written: connection lost",
    );
  } finally {
    process.off("warning", onWarning);
  }
  assert.equal(logged.length, 3);
  // A job without BullMQ's queue (not from a BullMQ Worker) is always awaited.
  let late = false;
  const lone = {
    ...job("4", () => new Promise((r) => setTimeout(() => r(late = true), 50))),
  };
  delete (lone as { queue?: unknown }).queue;
  await run(lone);
  assert.equal(late, true);
});

test("bullmq processor: options.usageLog false writes no usage line; the job's value is the same", async () => {
  await using pool = new WorkerPool(QUEUE_TASKS, { size: 1 });
  const logged: string[] = [];
  const job = (id: string) => ({
    id,
    name: "squares",
    data: { n: 4 },
    attemptsMade: 0,
    log: (line: string) => Promise.resolve(logged.push(line)),
  });
  const quiet = processor<{ n: number }, number>(
    pool,
    "sumOfSquares",
    { timeout: 10_000 },
    { usageLog: false },
  );
  assert.equal(await quiet(job("1")), 14);
  assert.equal(await quiet(job("2")), 14);
  assert.deepEqual(logged, []);
  // The same processor by default writes one line a job.
  const logging = processor<{ n: number }, number>(pool, "sumOfSquares", {
    timeout: 10_000,
  });
  assert.equal(await logging(job("3")), 14);
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^\{"memlimits":"usage"/);
});

test("bullmq processor: bad arguments throw a TypeError or RangeError naming the parameter", async () => {
  await using pool = new WorkerPool(QUEUE_TASKS, { size: 1 });
  const bad: [unknown[], ErrorConstructor, RegExp][] = [
    [[{}, "spin"], TypeError, /^pool must be a WorkerPool, got object$/],
    [[pool, 5], TypeError, /^exportName must be a string, got number$/],
    [[pool, ""], RangeError, /^exportName must be the name of a function/],
    [[pool, "spin", null], TypeError, /^limits must be an object, got null$/],
    [
      [pool, "spin", { timout: 5 }],
      TypeError,
      /^limits\.timout is not a run limit/,
    ],
    [
      [pool, "spin", { timeout: -1 }],
      RangeError,
      /^limits\.timeout must be a positive/,
    ],
    [
      [pool, "spin", {}, 3],
      TypeError,
      /^options must be an object or undefined, got number$/,
    ],
    [
      [pool, "spin", {}, { retyr: [] }],
      TypeError,
      /^options\.retyr is not an option of processor\(\); accepted: retry, usageLog$/,
    ],
    [
      [pool, "spin", {}, { retry: "timeout" }],
      TypeError,
      /^options\.retry must be an array of limit kinds \("memory", "allocations", "token", "timeout", "cpu"\), got string$/,
    ],
    [
      [pool, "spin", {}, { retry: [1] }],
      TypeError,
      /^options\.retry\[0\] must be a limit kind .*, got number$/,
    ],
    [
      [pool, "spin", {}, { retry: ["timeout", "time"] }],
      RangeError,
      /^options\.retry\[1\] must be a limit kind .*, got "time"$/,
    ],
    [
      [pool, "spin", {}, { usageLog: "no" }],
      TypeError,
      /^options\.usageLog must be a boolean, got string$/,
    ],
  ];
  for (const [args, type, message] of bad) {
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => (processor as any)(...args),
      (e: Error) => e.constructor === type && message.test(e.message),
      `processor(${
        args.map((a) => a === pool ? "pool" : JSON.stringify(a)).join(", ")
      })`,
    );
  }
  assert.equal(typeof processor(pool, "spin"), "function");
  assert.equal(processor(pool, "spin").length, 3, "takes BullMQ's signal");
});

test("bullmq usageLines: a queue's usage lines, which memlimits observed reads as they are", async () => {
  await withQueue({ exportName: "sumOfSquares" }, async ({ queue }) => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await queue.add("squares", { n: 1000 * (i + 1) })).id!);
    }
    for (const id of ids) await finished(queue, id);
    await queue.getJob(ids[0]).then((job) =>
      job!.log("a line of the task's own")
    );
    const lines: string[] = [];
    for await (const line of usageLines(queue)) lines.push(line);
    const expected = [];
    for (const id of ids) {
      expected.push(
        ...(await logsOf(queue, id)).filter((l) => l.startsWith("{")),
      );
    }
    assert.deepEqual(lines, expected);
    assert.equal(lines.length, 5);
    const run = calcWithInput(
      lines.join("\n"),
      "observed",
      "--from",
      "-",
      "--field",
      "peakMemory",
      "--target",
      "0.5",
      "--json",
    );
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.runs, 5);
    const peaks = lines.map((l) => JSON.parse(l).peakMemory as number);
    assert.equal(result.largest, Math.max(...peaks));
  });
});
