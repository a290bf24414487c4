/**
 * memlimits' WorkerPool against piscina and tinypool, safety (not a test):
 *   node bench/peers_safety.ts [pool ...]     (default: all three pools)
 *
 * Runs each of the ten shapes of the pool's corpus (test/src/pool/fixtures/
 * tasks.ts) on each pool at its best setting for a 256 MiB limit (memlimits
 * `memoryLimit`; piscina and tinypool `resourceLimits.maxOldGenerationSizeMb`),
 * one pool and shape at a time, each in a fresh child process
 * (bench/peers_safety_child.ts) under this runtime. This process samples
 * the child's process tree (the host and its worker processes) every 5 ms
 * from /proc and records, for each pool and shape:
 *
 * - stopped: the pool ended the task for its memory (LimitExceeded memory;
 *   ERR_WORKER_OUT_OF_MEMORY) and the host lived;
 * - grew unchecked: the tree reached 3 GiB and this process killed it (every
 *   shape grows without end, so that an unlimited pool cannot take the
 *   machine);
 * - host died: the child exited without reporting how the task ended;
 * - ended otherwise: the task ended with another error or a value.
 *
 * and the peak RSS growth of the tree over its size once the pool was warm.
 * Linux only (/proc). Heavy: up to 3 GiB at a time, about three minutes.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SHAPES } from "../test/src/pool/fixtures/tasks.ts";
import { runtimeLabel } from "./summary.ts";

const MiB = 2 ** 20;
const LIMIT = 256 * MiB;
const GUARD = 3 * 1024 * MiB;
const TIME_LIMIT_MS = 120_000;
const CHILD = fileURLToPath(
  new URL("./peers_safety_child.ts", import.meta.url),
);
const PAGE = 4096;

/** The pid and every descendant of it, from /proc/PID/task/TID/children. */
function tree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${pids[i]}/task`)) {
        const children = readFileSync(
          `/proc/${pids[i]}/task/${tid}/children`,
          "utf8",
        ).trim();
        if (children) pids.push(...children.split(" ").map(Number));
      }
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function resident(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) *
      PAGE;
  } catch {
    return 0;
  }
}

interface Row {
  pool: string;
  shape: string;
  verdict: "stopped" | "grew unchecked" | "host died" | "ended otherwise";
  detail: string;
  peakGrowth: number;
  ms: number;
  poolWorksAfter: boolean | undefined;
}

async function one(pool: string, shape: string): Promise<Row> {
  const child = spawn(process.execPath, [CHILD, pool, shape], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, Record<string, unknown>> = {};
  let stdout = "", stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    for (const line of stdout.split("\n").slice(0, -1)) {
      try {
        const message = JSON.parse(line);
        lines[message.t] = message;
      } catch {
        // not ours
      }
    }
    stdout = stdout.slice(stdout.lastIndexOf("\n") + 1);
  });
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let baseline = 0, peak = 0, guarded = false, timedOut = false;
  let known = new Set<number>([child.pid!]);
  const began = performance.now();
  let shapeBegan = 0;
  const killAll = () => {
    for (const pid of known) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  };
  const sampler = setInterval(() => {
    const pids = tree(child.pid!);
    for (const pid of pids) known.add(pid);
    const total = pids.reduce((sum, pid) => sum + resident(pid), 0);
    if (!lines.ready) return;
    if (baseline === 0) {
      baseline = total;
      shapeBegan = performance.now();
    }
    if (!lines.ended) peak = Math.max(peak, total);
    if (total >= GUARD && !lines.ended) {
      guarded = true;
      killAll();
    }
    if (performance.now() - began > TIME_LIMIT_MS) {
      timedOut = true;
      killAll();
    }
  }, 5);
  const exit = await new Promise<
    { code: number | null; signal: string | null }
  >(
    (resolve) =>
      child.once("close", (code, signal) => resolve({ code, signal })),
  );
  clearInterval(sampler);
  killAll(); // leftover workers of a host that died
  known = new Set();
  const ended = lines.ended as
    | { outcome: string; detail: string; ms: number }
    | undefined;
  const ms = ended?.ms ?? Math.round(performance.now() - shapeBegan);
  const base = { pool, shape, peakGrowth: peak - baseline, ms };
  const poolWorksAfter = lines.after?.works as boolean | undefined;
  if (guarded) {
    return {
      ...base,
      verdict: "grew unchecked",
      detail: "reached 3 GiB, killed by the bench",
      poolWorksAfter,
    };
  }
  if (timedOut) {
    return {
      ...base,
      verdict: "ended otherwise",
      detail: "still running after the time limit",
      poolWorksAfter,
    };
  }
  if (!ended) {
    const fatal = /FATAL ERROR[^\n]*/.exec(stderr)?.[0] ??
      stderr.trim().split("\n").at(-1) ?? "";
    return {
      ...base,
      verdict: "host died",
      detail: `exit ${exit.code ?? exit.signal}: ${fatal.slice(0, 100)}`,
      poolWorksAfter,
    };
  }
  return {
    ...base,
    verdict: ended.outcome === "stopped" ? "stopped" : "ended otherwise",
    detail: ended.detail,
    poolWorksAfter,
  };
}

const pools = process.argv.length > 2
  ? process.argv.slice(2)
  : ["memlimits", "piscina", "tinypool"];
const rows: Row[] = [];
for (const pool of pools) {
  for (const shape of SHAPES) {
    const row = await one(pool, shape);
    rows.push(row);
    console.error(JSON.stringify(row));
  }
}

const mib = (bytes: number) => (bytes / MiB).toFixed(0);
console.log(`## peers_safety on ${runtimeLabel}, ${new Date().toISOString()}

Ten shapes at a 256 MiB limit, one worker, each pool and shape in a fresh
process; peak = the RSS growth of the host plus its worker processes over
their size once the pool was warm, sampled every 5 ms.

| pool | shape | verdict | how it ended | peak MiB | peak / limit | ms | pool works after |
| --- | --- | --- | --- | ---: | ---: | ---: | --- |
${
  rows.map((r) =>
    `| ${r.pool} | ${r.shape} | ${r.verdict} | ${r.detail} | ${
      mib(r.peakGrowth)
    } | ${(r.peakGrowth / LIMIT).toFixed(2)} | ${r.ms} | ${
      r.poolWorksAfter === undefined ? "—" : r.poolWorksAfter ? "yes" : "no"
    } |`
  ).join("\n")
}

| pool | stopped | grew unchecked | host died | ended otherwise |
| --- | ---: | ---: | ---: | ---: |
${
  pools.map((pool) => {
    const mine = rows.filter((r) => r.pool === pool);
    const count = (v: Row["verdict"]) =>
      mine.filter((r) => r.verdict === v).length;
    return `| ${pool} | ${count("stopped")} | ${count("grew unchecked")} | ${
      count("host died")
    } | ${count("ended otherwise")} |`;
  }).join("\n")
}
`);
