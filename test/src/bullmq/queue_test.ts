// A BullMQ queue shared by two consumer processes ("machines"), each with its
// own WorkerPool and BullMQ Worker using processor(): memory bombs, a spinner
// and a flaky job among ordinary ones, against a real Redis.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Job, Queue, QueueEvents } from "bullmq";
import { isDeno, test } from "../../harness.ts";
import {
  descendantPids,
  MiB,
  processState,
  residentBytes,
} from "../pool/helpers.ts";
import { finished, logsOf } from "./queue_helpers.ts";
import { type RedisServer, startRedis } from "./redis_server.ts";

const JOBS = 40;
const KINDS: Record<number, string> = {
  5: "heapBomb",
  17: "typedBomb",
  23: "spin",
  31: "throwOnce",
};
const MEMORY_LIMIT = 192 * MiB;
const PROCESS_MEMORY_LIMIT = 1024 * MiB;
// Far above a bomb's time to its memory limit (2 s seen, at a load of 18 on
// 2 cores), so that the bombs are stopped by memory, the spinner by time.
const TIMEOUT = 10_000;

/** n of job i's Σ k² (k < n), and its value n(n−1)(2n−1)/6. */
const nOf = (i: number) => 50_000 + 1000 * i;
const squares = (n: number) => (n - 1) * n * (2 * n - 1) / 6;

/** A consumer process, and the JSON lines it printed. */
interface Consumer {
  child: ChildProcess;
  /** The next JSON line it prints. */
  next(): Promise<Record<string, unknown>>;
  /** Resolves when it exited and its pipes closed: its exit code. */
  closed: Promise<number | null>;
}

function startConsumer(redis: RedisServer, queueName: string): Consumer {
  const script = fileURLToPath(
    new URL("./consumer_process.ts", import.meta.url),
  );
  const command = isDeno ? Deno.execPath() : process.execPath;
  const runtimeArgs = isDeno ? ["run", "-A", "--no-check", script] : [script];
  const child = spawn(command, [
    ...runtimeArgs,
    String(redis.port),
    queueName,
    String(PROCESS_MEMORY_LIMIT),
    String(MEMORY_LIMIT),
    String(TIMEOUT),
  ], { stdio: ["pipe", "pipe", "inherit"] });
  const closed = new Promise<number | null>((resolve) =>
    child.once("close", (code) => resolve(code))
  );
  const lines: string[] = [];
  let waiting: (() => void) | undefined;
  let buffered = "";
  child.stdout!.on("data", (chunk) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    lines.push(...parts.filter((l) => l.startsWith("{")));
    waiting?.();
  });
  return {
    child,
    closed,
    async next() {
      while (lines.length === 0) {
        const more = new Promise<void>((resolve) => waiting = resolve);
        const ended = closed.then(() => {
          throw new Error(`consumer ${child.pid} exited before printing`);
        });
        await Promise.race([more, ended]);
      }
      return JSON.parse(lines.shift()!);
    },
  };
}

/** Resident bytes of `pid` and every process under it, now. */
function treeBytes(pid: number): number {
  return [pid, ...descendantPids(pid)].reduce(
    (sum, p) => sum + residentBytes(p),
    0,
  );
}

test("bullmq queue: two consumer processes, memory bombs, a spinner, a flaky job: each job ends as it should, the consumers live", async () => {
  const redis = await startRedis();
  const queueName = "machines";
  const queue = new Queue(queueName, { connection: redis.connection });
  const events = new QueueEvents(queueName, { connection: redis.connection });
  const stalled: string[] = [];
  events.on("stalled", ({ jobId }) => stalled.push(jobId));
  const consumers: Consumer[] = [];
  const peaks = [0, 0];
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    await events.waitUntilReady();
    consumers.push(startConsumer(redis, queueName));
    consumers.push(startConsumer(redis, queueName));
    const pids: number[] = [];
    for (const consumer of consumers) {
      const ready = await consumer.next();
      assert.equal(ready.ready, true);
      pids.push(ready.pid as number);
    }
    // The consumers' whole process trees, sampled by the test itself.
    sampler = setInterval(() => {
      pids.forEach((pid, i) => peaks[i] = Math.max(peaks[i], treeBytes(pid)));
    }, 10);

    const added = await queue.addBulk(
      Array.from({ length: JOBS }, (_, i) => {
        const kind = KINDS[i] ?? "sumOfSquares";
        return {
          name: kind,
          data: kind === "sumOfSquares" ? { kind, n: nOf(i) } : { kind },
          opts: { attempts: 3 },
        };
      }),
    );
    const jobs: Job[] = [];
    for (const { id } of added) jobs.push(await finished(queue, id!, 60_000));

    // Alive at the end, before being asked to stop.
    for (const pid of pids) {
      assert.ok(
        !["Z", "gone"].includes(processState(pid)),
        `consumer ${pid} is ${processState(pid)}`,
      );
    }
    clearInterval(sampler);
    sampler = undefined;

    for (const [i, job] of jobs.entries()) {
      const kind = KINDS[i] ?? "sumOfSquares";
      const state = await job.getState();
      const what = `job ${job.id} (${kind}): ${job.failedReason}`;
      if (kind === "sumOfSquares") {
        assert.equal(state, "completed", what);
        assert.equal(job.returnvalue, squares(nOf(i)), what);
        assert.equal(job.attemptsMade, 1, what);
      } else if (kind === "heapBomb" || kind === "typedBomb") {
        assert.equal(state, "failed", what);
        assert.equal(job.attemptsMade, 1, `${what}: one attempt`);
        assert.match(
          job.failedReason,
          /^memlimits stopped the job: memory limit of 192 MiB exceeded \(observed \d+(\.\d+)? MiB\)$/,
        );
      } else if (kind === "spin") {
        assert.equal(state, "failed", what);
        assert.equal(job.attemptsMade, 1, what);
        assert.match(
          job.failedReason,
          /^memlimits stopped the job: timeout of 10000 ms exceeded \(observed \d+ ms\)$/,
        );
      } else {
        assert.equal(state, "completed", what);
        assert.equal(job.returnvalue, "second");
        assert.equal(job.attemptsMade, 2, "completed on its second attempt");
      }
      // A stalled job is started again without a failed attempt.
      assert.equal(job.attemptsStarted, job.attemptsMade, `${what}: stalled`);
      const usage = (await logsOf(queue, job.id!))
        .filter((l) => l.startsWith('{"memlimits":"usage"'))
        .map((l) => JSON.parse(l));
      assert.equal(usage.length, 1, `${what}: one usage line`);
      const outcome = kind.endsWith("Bomb")
        ? "memory"
        : kind === "spin"
        ? "timeout"
        : "ok";
      assert.equal(usage[0].outcome, outcome, what);
      assert.equal(typeof usage[0].peakMemory, "number", what);
    }
    assert.deepEqual(stalled, [], "no job stalled");

    const reports = [];
    for (const consumer of consumers) {
      consumer.child.stdin!.end("stop\n");
      reports.push(await consumer.next());
      assert.equal(await consumer.closed, 0, "the consumer exits cleanly");
    }
    console.log(
      `\nconsumer trees' peak RSS (sampled by the test): ${
        peaks.map((b) => `${(b / MiB).toFixed(0)} MiB`).join(", ")
      }; pools' peakProcessBytes: ${
        reports.map((r) =>
          `${((r.peakProcessBytes as number) / MiB).toFixed(0)} MiB`
        ).join(", ")
      }; jobs processed: ${reports.map((r) => r.processed).join(", ")}`,
    );
    for (const [i, report] of reports.entries()) {
      assert.equal(report.stalled, 0, "the consumer saw no stalled job");
      assert.deepEqual(report.errors, []);
      assert.ok((report.processed as number) > 0, "both consumers took jobs");
      assert.ok(peaks[i] > 0 && peaks[i] < PROCESS_MEMORY_LIMIT, `${peaks[i]}`);
      assert.ok((report.peakProcessBytes as number) < PROCESS_MEMORY_LIMIT);
    }
  } finally {
    if (sampler !== undefined) clearInterval(sampler);
    for (const consumer of consumers) {
      if (consumer.child.exitCode === null) consumer.child.kill("SIGKILL");
      await consumer.closed;
    }
    await events.close();
    await queue.close();
    await redis.stop();
  }
});
