import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { isDeno, test } from "../../../harness.ts";
import { readProcText } from "../../../../src/pool/linux/proc_fields.ts";
import { isStopped } from "../../../../src/pool/linux/signals.ts";
import { eventually, processState, residentBytes } from "../helpers.ts";

const MiB = 2 ** 20;
const CHILD = fileURLToPath(
  new URL("../fixtures/brake_child.ts", import.meta.url),
);

/** Starts the brake's test process as a group leader; resolves with its first line. */
function startChild(args: string[]) {
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

test("memory brake: a process over its armed bound freezes itself within a few MiB of it", async () => {
  const { child, output, ended } = startChild([]);
  try {
    assert.ok(await eventually(() => output().includes("\n"), 20_000));
    const { works, base } = JSON.parse(output().split("\n")[0]);
    assert.equal(works, true, "the brake's thread is up");
    assert.ok(
      await eventually(() => processState(child.pid!) === "T", 20_000),
      `the process froze (it printed ${JSON.stringify(output())})`,
    );
    const grew = residentBytes(child.pid!) - base;
    assert.ok(grew > 64 * MiB, `grew ${grew / MiB} MiB`);
    assert.ok(grew <= 1.1 * 64 * MiB, `grew ${(grew / MiB).toFixed(1)} MiB`);
    assert.ok(!output().includes("done"));
  } finally {
    process.kill(-child.pid!, "SIGKILL");
    await ended;
  }
});

/** Whether this system lets a process put a thread under SCHED_FIFO (as the brake asks `chrt` to). */
const realtimeAllowed = spawnSync("chrt", ["--fifo", "1", "true"]).status === 0;

/** The scheduling policy of a thread (field 41 of its stat line): 0 ordinary, 1 SCHED_FIFO. */
function policyOf(pid: number, tid: number): number {
  const stat = readProcText(`/proc/${pid}/task/${tid}/stat`)!;
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[41 - 3]);
}

/**
 * Starts the child armed `boundMiB` above its size (`how`: "late", "rearm",
 * see brake_child.ts); resolves with its first line, once frozen.
 */
async function frozenChild(boundMiB: number, ...how: string[]) {
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

test(
  "memory brake: with busy processes in sessions of their own on every core, it still freezes within 1.1 × its bound",
  async () => {
    // Ordinary, the brake's thread waited up to seconds for a core here
    // (realtime.ts): one run overshot a 256 MiB bound by 46 MiB.
    const spinners = Array.from(
      { length: availableParallelism() + 1 },
      () =>
        spawn("sh", ["-c", "while :; do :; done"], {
          detached: true,
          stdio: "ignore",
        }),
    );
    const gone = spinners.map((s) => new Promise((r) => s.once("exit", r)));
    try {
      for (let run = 0; run < 3; run++) {
        const child = await frozenChild(256);
        try {
          assert.equal(child.realtime, true, `run ${run}: under SCHED_FIFO`);
          assert.ok(
            child.grew <= 1.1 * 256 * MiB,
            `run ${run}: grew ${
              (child.grew / MiB).toFixed(1)
            } MiB over a 256 MiB bound`,
          );
        } finally {
          process.kill(-child.child.pid!, "SIGKILL");
          await child.ended;
        }
      }
    } finally {
      for (const s of spinners) s.kill("SIGKILL");
      await Promise.all(gone);
    }
  },
  { skip: !realtimeAllowed },
);

for (const how of ["late", "rearm"]) {
  const when = how === "late"
    ? "armed 200 ms after it started (its thread asleep until woken)"
    : "armed again right after a disarm (its thread ticking)";
  test(`memory brake: ${when}, it freezes within 1.1 × its bound`, async () => {
    const child = await frozenChild(64, how);
    try {
      assert.ok(child.grew > 64 * MiB, `grew ${child.grew / MiB} MiB`);
      assert.ok(
        child.grew <= 1.1 * 64 * MiB,
        `grew ${(child.grew / MiB).toFixed(1)} MiB`,
      );
    } finally {
      process.kill(-child.child.pid!, "SIGKILL");
      await child.ended;
    }
  });
}

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
