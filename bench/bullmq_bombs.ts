/**
 * What a memory bomb does to a BullMQ queue under three setups (not a test):
 * `node bench/bullmq_bombs.ts`. For the README's "Beyond one machine" table.
 *
 * Each scenario: two consumer processes (bullmq_bomb_consumer.ts, started
 * with `--max-old-space-size=200`, each a BullMQ Worker with concurrency 2,
 * lockDuration 5 s, stalledInterval 2 s) share a queue of 10 jobs with
 * `attempts: 3`, one of them a bomb that keeps allocating: arrays on the V8
 * heap ("heap") or typed arrays outside it ("typed"). Setups: an in-process
 * processor, BullMQ's sandboxed processor (a processor file, in child
 * processes, which inherit the heap cap) and memlimits/bullmq (a WorkerPool
 * of 2 with memoryLimit 256 MiB). Watched every 100 ms for up to 40 s, or
 * until every job has ended; a consumer whose process tree passes 4 GiB of
 * resident memory is killed by this script (the machine is shared).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { startRedis } from "../test/src/bullmq/redis_server.ts";
import { descendantPids, residentBytes } from "../test/src/pool/helpers.ts";
import { runtimeLabel } from "./summary.ts";

const MiB = 2 ** 20;
const CONSUMER = fileURLToPath(
  new URL("./bullmq_bomb_consumer.ts", import.meta.url),
);
const WATCH_MS = 40_000;
const KILL_ABOVE = 4096 * MiB;
const BOMB_AT = 3;

const redis = await startRedis();
const connection = redis.connection;

interface Consumer {
  child: ChildProcess;
  pid: number;
  exit?: string;
  peak: number;
  killedByScript: boolean;
}

function startConsumer(setup: string, queueName: string): Promise<Consumer> {
  const child = spawn(process.execPath, [
    "--max-old-space-size=200",
    CONSUMER,
    setup,
    String(redis.port),
    queueName,
  ], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const consumer: Consumer = {
    child,
    pid: child.pid!,
    peak: 0,
    killedByScript: false,
  };
  child.on("exit", (code, signal) => {
    consumer.exit = signal ?? `exit code ${code}`;
  });
  child.stderr!.on("data", () => {}); // V8's out-of-memory report
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      if (String(chunk).includes('"ready"')) resolve(consumer);
    });
    child.once("exit", () => reject(new Error("a consumer did not start")));
  });
}

function treeBytes(pid: number): number {
  return [pid, ...descendantPids(pid)].reduce(
    (sum, p) => sum + residentBytes(p),
    0,
  );
}

async function scenario(setup: string, bomb: string): Promise<string> {
  const queueName = `${setup}-${bomb}`;
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  let stalled = 0;
  events.on("stalled", () => stalled++);
  await events.waitUntilReady();
  const consumers = [
    await startConsumer(setup, queueName),
    await startConsumer(setup, queueName),
  ];
  const jobs = await queue.addBulk(
    Array.from({ length: 10 }, (_, i) => ({
      name: i === BOMB_AT ? bomb : "sumOfSquares",
      data: i === BOMB_AT
        ? { kind: bomb }
        : { kind: "sumOfSquares", n: 50_000 + 1000 * i },
      opts: { attempts: 3 },
    })),
  );
  const start = performance.now();
  let states: string[] = [];
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    for (const c of consumers) {
      if (c.exit !== undefined) continue;
      c.peak = Math.max(c.peak, treeBytes(c.pid));
      if (c.peak > KILL_ABOVE) {
        c.killedByScript = true;
        process.kill(-c.pid, "SIGKILL");
      }
    }
    states = await Promise.all(jobs.map((j) => queue.getJobState(j.id!)));
    const ended = states.every((s) => s === "completed" || s === "failed");
    const allDead = consumers.every((c) => c.exit !== undefined);
    if (ended || allDead || performance.now() - start > WATCH_MS) break;
  }
  const seconds = (performance.now() - start) / 1000;
  const bombJob = (await queue.getJob(jobs[BOMB_AT].id!))!;
  const others = states.filter((_, i) => i !== BOMB_AT);
  const count = (s: string) => others.filter((x) => x === s).length;
  const consumerText = consumers.map((c) =>
    c.killedByScript
      ? `killed at ${(c.peak / MiB).toFixed(0)} MiB`
      : c.exit === undefined
      ? `alive, peak ${(c.peak / MiB).toFixed(0)} MiB`
      : `died (${c.exit}), peak ${(c.peak / MiB).toFixed(0)} MiB`
  ).join("; ");
  for (const c of consumers) {
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  await queue.obliterate({ force: true });
  await events.close();
  await queue.close();
  const bombText = `${
    states[BOMB_AT]
  } after ${bombJob.attemptsMade} attempt(s)${
    bombJob.attemptsStarted > bombJob.attemptsMade
      ? `, ${bombJob.attemptsStarted} started`
      : ""
  }${bombJob.failedReason ? `: "${bombJob.failedReason}"` : ""}`;
  return `| ${setup} | ${bomb} | ${bombText} | ${
    count("completed")
  } completed, ${9 - count("completed")} not (${
    [...new Set(others.filter((s) => s !== "completed"))].join(", ") || "-"
  }) | ${stalled} | ${consumerText} | ${seconds.toFixed(1)} s |`;
}

const rows: string[] = [];
for (const setup of ["in-process", "sandboxed", "memlimits"]) {
  for (const bomb of ["heapBomb", "typedBomb"]) {
    const row = await scenario(setup, bomb);
    console.error(row);
    rows.push(row);
  }
}
await redis.stop();
console.log(
  `\n${runtimeLabel}; 2 consumers (--max-old-space-size=200, concurrency 2), 10 jobs with attempts: 3, one bomb\n`,
);
console.log(
  "| setup | bomb | the bomb's job | the 9 other jobs | stalled events | consumers at the end | time |",
);
console.log("| --- | --- | --- | --- | ---: | --- | ---: |");
for (const row of rows) console.log(row);
