/**
 * Starting fixtures/brake_child.ts, the memory brake's test process, for
 * memory_brake_test.ts and memory_brake_timing_test.ts (not a test file).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isDeno } from "../../../harness.ts";
import { eventually, processState, residentBytes } from "../helpers.ts";

const CHILD = fileURLToPath(
  new URL("../fixtures/brake_child.ts", import.meta.url),
);

/** Starts the brake's test process as a group leader; resolves with its first line. */
export function startChild(args: string[]) {
  const command = isDeno ? Deno.execPath() : process.execPath;
  const runtimeArgs = isDeno ? ["run", "-A", "--no-check", CHILD] : [CHILD];
  const child = spawn(command, [...runtimeArgs, ...args], {
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (chunk) => out += chunk);
  const ended = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code))
  );
  return { child, output: () => out, ended };
}

/** Whether this system lets a process put a thread under SCHED_FIFO (as the brake asks `chrt` to). */
export const realtimeAllowed =
  spawnSync("chrt", ["--fifo", "1", "true"]).status === 0;

/**
 * Starts the child armed `boundMiB` above its size (`how`: "late", "rearm",
 * see brake_child.ts); resolves with its first line, once frozen.
 */
export async function frozenChild(boundMiB: number, ...how: string[]) {
  const started = startChild([String(boundMiB), ...how]);
  const { child, output } = started;
  assert.ok(await eventually(() => output().includes("\n"), 20_000));
  const first = JSON.parse(output().split("\n")[0]);
  assert.equal(first.works, true, "the brake's thread is up");
  assert.ok(
    await eventually(() => processState(child.pid!) === "T", 60_000),
    `the process froze (it printed ${JSON.stringify(output())})`,
  );
  const grew = residentBytes(child.pid!) - first.base;
  return { ...started, ...first, grew };
}
