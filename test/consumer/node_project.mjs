// A Node project of its own (the machine's Node, 20 or later), outside the
// checkout, that installs the packed tarball with npm: it imports
// memlimits/stats from the compiled JavaScript, type-checks against the
// declaration files, and runs the calculator through `npx memlimits`.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import {
  assertCalcMatches,
  cleanEnv,
  npmTarball,
  run,
  typeErrors,
  workspace,
} from "./packages.mjs";
import { checkStats } from "./projects.mjs";

// npm's cache in the workspace, and no registry: the tarball is all it needs.
const env = {
  ...cleanEnv,
  npm_config_cache: join(workspace, "npm-cache"),
  npm_config_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

const STATS_SCRIPT = `
import {
  DEFAULT_SAMPLING_RATE,
  ibeta,
  interruptProbability,
  recommendLimit,
  triggerProbability,
} from "memlimits/stats";
const limit = recommendLimit(12_800, 1e-9, DEFAULT_SAMPLING_RATE);
console.log(JSON.stringify({ stats: {
  ibeta: ibeta(0.5, 2, 3),
  interruptProbability: interruptProbability(4, 4, 0.5),
  triggerProbability: triggerProbability(2, 0.5),
  recommendedLimit: limit,
  atRecommendedLimit: interruptProbability(12_800, limit, DEFAULT_SAMPLING_RATE),
} }));
`;

// Wrong on purpose at lines 8 and 19: the declarations must reject them.
// Lines 9 to 18: a typed pool with the pool's options, events and figures.
const TYPED_SCRIPT = `
import { ibeta, type AccuracyRow } from "memlimits/stats";
import { MiB, WorkerPool, type WorkerPoolOptions, type PoolResult, QueueFullError } from "memlimits";
const options: WorkerPoolOptions = { size: 1, memoryLimit: 64 * MiB };
const p: number = ibeta(0.5, 2, 3);
const rows: AccuracyRow[] = [];
export { options, p, rows, WorkerPool };
export const wrong: string = ibeta(0.5, 2, 3);
type Tasks = { countPrimes(below: number): number; later(): Promise<string> };
const pool = new WorkerPool<Tasks>(new URL("file:///tasks.js"), {
  size: 2, minSize: 0, idleTimeout: 1000, maxTasksPerWorker: 10, maxQueue: 8, env: {},
});
export const primes: Promise<PoolResult<number>> = pool.run("countPrimes", [10]);
export const later: Promise<PoolResult<string>> = pool.run("later");
pool.addEventListener("workerexit", (e) => console.log(e.detail.pid, e.detail.reason));
pool.addEventListener("settled", (e) => console.log(e.detail.usage.waitMs, e.detail.limit));
export const p99: number = pool.stats().wallMs.p99;
export const full = new QueueFullError(8).maxQueue + pool.queueSize;
export const misspelt = pool.run("countPrime", [10]);
`;

describe("Node project", () => {
  let dir;
  before(async () => {
    dir = join(workspace, "node-project");
    const manifest = { name: "node-consumer", private: true, type: "module" };
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
    const { path } = await npmTarball();
    const install = await run("npm", ["install", path], { cwd: dir, env });
    assert.equal(
      install.status,
      0,
      `npm install failed:\n${install.stdout}\n${install.stderr}`,
    );
  });

  test("imports memlimits/stats from the installed JavaScript", async () => {
    writeFileSync(join(dir, "stats.mjs"), STATS_SCRIPT);
    const result = await run(process.execPath, ["stats.mjs"], {
      cwd: dir,
      env,
    });
    assert.equal(result.status, 0, result.stderr);
    checkStats(JSON.parse(result.stdout));
  });

  test("the declaration files type both entry points for TypeScript (NodeNext)", async () => {
    writeFileSync(join(dir, "typed.ts"), TYPED_SCRIPT);
    // Exactly the deliberate errors. Anything else (a module not found, an
    // implicit any) means the declarations do not serve a user.
    const { errors, output } = await typeErrors(dir, "typed.ts", env);
    assert.equal(errors.length, 2, output);
    assert.match(errors[0], /typed\.ts\(8,14\): error TS2322/);
    assert.match(errors[1], /typed\.ts\(19,34\): error TS2345/);
  });

  test("npx memlimits prints what deno task calc prints, with the same exit status", async () => {
    await assertCalcMatches("npx", ["memlimits"], { cwd: dir, env });
  });
});
