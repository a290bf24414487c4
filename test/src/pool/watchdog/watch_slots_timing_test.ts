/**
 * The watchdog's sleep and its wakes (watch_slots.ts), timed: a wake that
 * comes before the watchdog has gone to sleep must not be lost, or the
 * watchdog sleeps on through a job, a ready worker or `pool.close()` (which
 * then never resolves). A lost wake shows as a sleep to its 3 s bound.
 * And the wait the watchdog plans while jobs run: a job armed meanwhile
 * that is due sooner must wake it.
 */
import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import {
  epochMs,
  generationAfter,
  WatchSlots,
} from "../../../../src/pool/watchdog/watch_slots.ts";

/** Milliseconds `sleep` took, bounded at 3 s (a lost wake waits that long). */
function timedSleep(slots: WatchSlots, hasWork?: () => boolean): number {
  const started = performance.now();
  slots.sleep(3000, true, hasWork);
  return performance.now() - started;
}

test("watch slots: a stop asked for before the watchdog sleeps ends its sleep at once", () => {
  const slots = new WatchSlots(1);
  slots.stop();
  const ms = timedSleep(slots);
  assert.ok(ms < 1000, `slept ${ms.toFixed(0)} ms after the stop`);
});

test("watch slots: work found once the sleep is announced keeps the watchdog awake", () => {
  const slots = new WatchSlots(1);
  slots.assign(0, process.pid);
  // A worker made ready before the watchdog announced its sleep: the wake
  // saw no sleeper, the check after the announcement sees the work.
  slots.markReady(0);
  assert.ok(slots.isReady(0));
  const ms = timedSleep(slots, () => slots.isReady(0));
  assert.ok(ms < 1000, `slept ${ms.toFixed(0)} ms with work pending`);
  // A job armed before the sleep: the default check sees it running.
  slots.arm(0, { id: 1, baseBytes: 0 });
  assert.ok(timedSleep(slots) < 1000);
});

test("watch slots: with nothing to do, the sleep lasts until its bound", () => {
  const slots = new WatchSlots(1);
  const started = performance.now();
  slots.sleep(300, true);
  assert.ok(performance.now() - started >= 250);
});

test("watch slots: a job armed while the watchdog looks ends the wait it plans after", () => {
  const slots = new WatchSlots(1);
  slots.assign(0, process.pid);
  const seen = slots.beginLook();
  // Armed after the look read the slot: its plan may not include it.
  slots.arm(0, { id: 1, baseBytes: 0, timeout: 10_000 });
  const started = performance.now();
  slots.waitUntil(seen, epochMs() + 3000);
  const ms = performance.now() - started;
  assert.ok(ms < 1000, `waited ${ms.toFixed(0)} ms`);
});

test("watch slots: an arm wakes a waiting watchdog only if its job is due before the planned wake", () => {
  const slots = new WatchSlots(2);
  slots.assign(0, process.pid);
  slots.assign(1, process.pid);
  /** Plans a wake `ms` from now (a stale `seen`: the wait ends at once) and tells whether `arm` woke it. */
  const woken = (ms: number, arm: () => void) => {
    const seen = slots.beginLook();
    slots.waitUntil(seen - 1, epochMs() + ms);
    arm();
    return slots.beginLook() !== seen;
  };
  const MiB = 2 ** 20;
  // Due at its deadline, 5 ms from now.
  assert.ok(
    woken(3000, () => slots.arm(0, { id: 1, baseBytes: 0, timeout: 5 })),
  );
  // Due within MAX_WAIT_MS: sampled for its usage, or its memory.
  assert.ok(woken(3000, () => slots.arm(1, { id: 2, baseBytes: 0 })));
  assert.ok(
    woken(
      3000,
      () => slots.arm(0, { id: 3, baseBytes: 0, memoryLimit: 256 * MiB }),
    ),
  );
  // A watchdog that wakes within a tick sees any of them in time.
  assert.ok(
    !woken(0.5, () => slots.arm(1, { id: 4, baseBytes: 0, timeout: 5 })),
  );
  // A job sent ahead with a timeout is looked for within a tenth of it;
  // without one it is watched with the running job's memory limit.
  const generation = slots.arm(0, {
    id: 5,
    baseBytes: 0,
    memoryLimit: 256 * MiB,
  });
  assert.ok(
    !woken(3000, () => slots.armAhead(0, generationAfter(generation), 6, 66)),
  );
  assert.ok(
    woken(
      3000,
      () => slots.armAhead(0, generationAfter(generation, 2), 7, 77, 100),
    ),
  );
  const other = slots.arm(1, { id: 8, baseBytes: 0, memoryLimit: 256 * MiB });
  assert.ok(
    !woken(5, () => slots.armAhead(1, generationAfter(other), 9, 99, 100)),
  );
});
