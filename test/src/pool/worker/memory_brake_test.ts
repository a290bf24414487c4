/**
 * The memory brake: its thread's scheduling, disarming, and the frozen
 * state the watchdog reads. How close to its bound it freezes a process,
 * which depends on timing under load, is in memory_brake_timing_test.ts.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "../../../harness.ts";
import { readProcText } from "../../../../src/pool/linux/proc_fields.ts";
import { isStopped } from "../../../../src/pool/linux/signals.ts";
import { eventually } from "../helpers.ts";
import {
  frozenChild,
  realtimeAllowed,
  startChild,
} from "./brake_child_process.ts";

/** The scheduling policy of a thread (field 41 of its stat line): 0 ordinary, 1 SCHED_FIFO. */
function policyOf(pid: number, tid: number): number {
  const stat = readProcText(`/proc/${pid}/task/${tid}/stat`)!;
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[41 - 3]);
}

test(`memory brake: its thread runs under SCHED_FIFO where the system allows it (here: ${realtimeAllowed}), else as an ordinary thread`, async () => {
  const child = await frozenChild(64);
  try {
    assert.equal(child.realtime, realtimeAllowed);
    assert.equal(typeof child.tid, "number");
    assert.equal(
      policyOf(child.child.pid!, child.tid),
      realtimeAllowed ? 1 : 0,
    );
    assert.equal(
      policyOf(child.child.pid!, child.child.pid!),
      0,
      "the main thread stays ordinary",
    );
  } finally {
    process.kill(-child.child.pid!, "SIGKILL");
    await child.ended;
  }
});

/** Times the thread `tid` of `pid` gave up its core (a wait each). */
function switchesOf(pid: number, tid: number): number {
  const status = readProcText(`/proc/${pid}/task/${tid}/status`)!;
  return Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)![1]);
}

test("memory brake: armed 2 GiB below its bound, again every ms, its thread reads every few ms, not every ms", async () => {
  // 2 GiB cannot become resident in less than the longest wait (20 ms) on
  // any machine (memory_growth.ts), so the thread waits that long.
  const { child, output, ended } = startChild(["2048", "hold"]);
  try {
    assert.ok(await eventually(() => output().includes("\n"), 20_000));
    const { works, tid } = JSON.parse(output().split("\n")[0]);
    assert.equal(works, true, "the brake's thread is up");
    const before = switchesOf(child.pid!, tid);
    await new Promise((r) => setTimeout(r, 300));
    const waits = switchesOf(child.pid!, tid) - before;
    // Every millisecond, as near its bound: about 300.
    assert.ok(waits < 60, `${waits} waits in 300 ms`);
    assert.equal(await ended, 0);
    assert.match(output(), /\ndone\n/);
  } finally {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
});

test("memory brake: a disarmed brake lets the process grow", async () => {
  const { child, output, ended } = startChild(["disarm"]);
  try {
    assert.equal(await ended, 0);
    assert.match(output(), /"works":true[^\n]*\ndone\n/);
  } finally {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
});

test("memory brake: the watchdog tells a frozen process (isStopped) from a running one", async () => {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  const ended = new Promise((resolve) => child.once("exit", resolve));
  try {
    assert.equal(isStopped(child.pid!), false);
    process.kill(child.pid!, "SIGSTOP");
    assert.ok(await eventually(() => isStopped(child.pid!)));
    process.kill(child.pid!, "SIGCONT");
    assert.ok(await eventually(() => !isStopped(child.pid!)));
  } finally {
    child.kill("SIGKILL");
    await ended;
  }
  assert.equal(isStopped(child.pid!), false, "gone");
});
