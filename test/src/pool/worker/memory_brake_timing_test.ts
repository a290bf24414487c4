/**
 * The memory brake's tests whose verdict depends on timing under load: how
 * far past its bound a process grows before its brake's thread gets a core
 * and freezes it. `npm test -- timing` runs these files on their own.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { test } from "../../../harness.ts";
import { eventually, MiB, processState, residentBytes } from "../helpers.ts";
import {
  frozenChild,
  realtimeAllowed,
  startChild,
} from "./brake_child_process.ts";

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
