// A Node project of its own, outside the checkout, that uses memlimits/bullmq
// as a user does: memlimits installed from the packed tarball, BullMQ and
// ioredis as the project's own dependencies (linked from the checkout's
// node_modules: the consumer tests use no registry), a Redis server of the
// test's own, the pinned Node 26 (the pool's limits need Node 25+).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  bin,
  cleanEnv,
  npmTarball,
  root,
  run,
  typeErrors,
  workspace,
} from "./packages.mjs";

const env = {
  ...cleanEnv,
  npm_config_cache: join(workspace, "npm-cache"),
  npm_config_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

const TASKS = `
export function job(data, { name }) {
  if (name === "add") return data.a + data.b;
  const kept = []; // "bomb": keeps 1 MiB typed arrays until stopped
  for (;;) kept.push(new Uint8Array(2 ** 20).fill(1));
}
`;

// Two jobs on a real queue; prints what became of them as one JSON line.
const HOST = `
import { Queue, UnrecoverableError, Worker } from "bullmq";
import { MiB, WorkerPool } from "memlimits";
import { processor } from "memlimits/bullmq";
const connection = { host: "127.0.0.1", port: Number(process.argv[2]) };
const pool = new WorkerPool(new URL("./tasks.mjs", import.meta.url), {
  size: 2,
  memoryLimit: 64 * MiB,
});
const errors = {};
const worker = new Worker("q", processor(pool, "job"), {
  connection,
  concurrency: 2,
});
worker.on("failed", (job, error) => {
  errors[job.name] = {
    unrecoverable: error instanceof UnrecoverableError,
    cause: error.cause?.name,
    kind: error.cause?.kind,
  };
});
const queue = new Queue("q", { connection });
const jobs = [
  await queue.add("add", { a: 1, b: 2 }),
  await queue.add("bomb", {}, { attempts: 3 }),
];
const report = {};
for (const { id, name } of jobs) {
  for (;;) {
    const state = await queue.getJobState(id);
    if (state === "completed" || state === "failed") {
      const job = await queue.getJob(id);
      report[name] = { state, value: job.returnvalue ?? null,
        attemptsMade: job.attemptsMade, failedReason: job.failedReason ?? null };
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
await worker.close();
await pool.close();
await queue.close();
console.log(JSON.stringify({ ...report, errors }));
`;

/** A free TCP port, the OS's pick. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("Node project with BullMQ", () => {
  let dir;
  let redis;
  let port;
  before(async () => {
    dir = join(workspace, "bullmq-project");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "bullmq-consumer",
        private: true,
        type: "module",
      }),
    );
    const { path } = await npmTarball();
    const install = await run("npm", ["install", path], { cwd: dir, env });
    assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
    port = await freePort();
    const redisDir = mkdtempSync(join(workspace, "redis-"));
    redis = spawn(process.env.REDIS_SERVER ?? "redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      redisDir,
      "--save",
      "",
      "--appendonly",
      "no",
    ], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((resolve, reject) => {
      let output = "";
      redis.stdout.on("data", (chunk) => {
        output += chunk;
        if (output.includes("Ready to accept connections")) resolve();
      });
      redis.once("error", reject);
      redis.once("exit", (code) => reject(new Error(`redis-server: ${code}`)));
    });
  });
  after(async () => {
    if (!redis) return;
    const closed = new Promise((resolve) => redis.once("close", resolve));
    redis.kill("SIGTERM");
    await closed;
  });

  test("memlimits works without bullmq; memlimits/bullmq names the missing peer", async () => {
    const core = await run(bin("node"), [
      "--input-type=module",
      "-e",
      'import { WorkerPool } from "memlimits"; console.log(typeof WorkerPool);',
    ], { cwd: dir, env });
    assert.equal(core.status, 0, core.stderr);
    assert.equal(core.stdout.trim(), "function");
    const subpath = await run(bin("node"), [
      "--input-type=module",
      "-e",
      'await import("memlimits/bullmq");',
    ], { cwd: dir, env });
    assert.notEqual(subpath.status, 0);
    assert.match(subpath.stderr, /Cannot find package 'bullmq'/);
  });

  test("with bullmq installed, a queue's jobs run in the pool: a value, and a bomb stopped once", async () => {
    // What `npm install bullmq ioredis` would add, from the checkout.
    for (const name of ["bullmq", "ioredis"]) {
      symlinkSync(
        realpathSync(join(root, "node_modules", name)),
        join(dir, "node_modules", name),
      );
    }
    writeFileSync(join(dir, "tasks.mjs"), TASKS);
    writeFileSync(join(dir, "host.mjs"), HOST);
    const result = await run(bin("node"), ["host.mjs", String(port)], {
      cwd: dir,
      env,
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1));
    assert.deepEqual(report.add, {
      state: "completed",
      value: 3,
      attemptsMade: 1,
      failedReason: null,
    });
    assert.equal(report.bomb.state, "failed");
    assert.equal(report.bomb.attemptsMade, 1);
    assert.match(
      report.bomb.failedReason,
      /^memlimits stopped the job: memory limit of 64 MiB exceeded \(observed \d+(\.\d+)? MiB\)$/,
    );
    // The UnrecoverableError is the project's own BullMQ's.
    assert.deepEqual(report.errors, {
      bomb: { unrecoverable: true, cause: "LimitExceeded", kind: "memory" },
    });
  });

  test("the declaration files type memlimits/bullmq with the project's BullMQ (NodeNext)", async () => {
    // Wrong on purpose at the last line: the declarations must reject it.
    writeFileSync(
      join(dir, "typed.ts"),
      `import { Worker } from "bullmq";
import { MiB, WorkerPool } from "memlimits";
import { type JobInfo, processor, usageLines } from "memlimits/bullmq";
const pool = new WorkerPool(new URL("./tasks.mjs", import.meta.url), { size: 1, memoryLimit: 64 * MiB });
export const worker = new Worker("q", processor(pool, "job", { timeout: 1000 }, { retry: ["timeout"] }), { connection: { host: "127.0.0.1" }, autorun: false });
export const info: JobInfo = { id: "1", name: "n", attemptsMade: 0 };
export const lines = usageLines;
export const wrong = processor(pool, "job", {}, { retry: ["oops"] });
`,
    );
    const { errors, output } = await typeErrors(dir, "typed.ts", env);
    assert.equal(errors.length, 1, output);
    assert.match(errors[0], /typed\.ts\(8,/);
  });

  test("docs/bullmq.md's one-liner exports the queue's usage lines, which npx memlimits observed reads", async () => {
    // As the guide has it, on this test's Redis (the queue of the test above).
    const exported = await run(bin("node"), [
      "--input-type=module",
      "-e",
      `import { Queue } from "bullmq";
import { usageLines } from "memlimits/bullmq";
const queue = new Queue("q", { connection: { host: "127.0.0.1", port: ${port} } });
for await (const line of usageLines(queue)) console.log(line);
await queue.close();`,
    ], { cwd: dir, env });
    assert.equal(exported.status, 0, exported.stderr);
    const lines = exported.stdout.trim().split("\n");
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).outcome).sort(),
      ["memory", "ok"],
    );
    writeFileSync(join(dir, "usage.jsonl"), exported.stdout);
    const observed = await run("npx", [
      "memlimits",
      "observed",
      "--from",
      "usage.jsonl",
      "--field",
      "peakMemory",
      "--target",
      "0.5",
      "--json",
    ], { cwd: dir, env });
    assert.equal(observed.status, 0, observed.stderr);
    const result = JSON.parse(observed.stdout);
    assert.equal(result.runs, 2);
    assert.equal(
      result.largest,
      Math.max(...lines.map((l) => JSON.parse(l).peakMemory)),
    );
  });
});
