/**
 * The watchdog's sleep and its wakes (watch_slots.ts), timed: a wake that
 * comes before the watchdog has gone to sleep must not be lost, or the
 * watchdog sleeps on through a job, a ready worker or `pool.close()` (which
 * then never resolves). A lost wake shows as a sleep to its 3 s bound.
 */
import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import { WatchSlots } from "../../../../src/pool/watchdog/watch_slots.ts";

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
