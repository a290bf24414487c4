/**
 * The slots the pool's main thread shares with its watchdog thread
 * (watch_slots.ts), driven from this thread alone: each side's transitions
 * are called in turn, through two views of one buffer as the two threads
 * hold them.
 *
 * - A slot's state machine: Empty -assign-> Alive -arm-> Running, then
 *   Running -claim-> Alive (the main thread takes the job back) or
 *   Running -decide-> Verdict (the watchdog takes it), whichever comes
 *   first; release -> Empty from any state. claim and decide change nothing
 *   in any other state, and decide takes only the job whose state word the
 *   watchdog read (not one armed since).
 * - The watchdog's sleep and its wakes, which are timed, are in
 *   watch_slots_timing_test.ts.
 */
import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import {
  epochMs,
  generationAfter,
  generationOf,
  generationsBetween,
  State,
  VerdictKind,
  type WatchedJob,
  WatchSlots,
} from "../../../../src/pool/watchdog/watch_slots.ts";

const MiB = 2 ** 20;

/** The main thread's view and the watchdog's, on one buffer of `count` slots. */
function sides(count = 2): { main: WatchSlots; watchdog: WatchSlots } {
  const main = new WatchSlots(count);
  return { main, watchdog: new WatchSlots(count, main.buffer) };
}

const JOB: WatchedJob = {
  id: 7,
  timeout: 1000,
  memoryLimit: 64 * MiB,
  cpuLimit: 500,
  baseBytes: 30 * MiB,
};

/** A slot with worker 4242 assigned and `job` armed. */
function running(job: WatchedJob = JOB) {
  const s = sides();
  s.main.assign(0, 4242);
  s.main.markReady(0);
  return { ...s, generation: s.main.arm(0, job) };
}

test("watch slots: the state and verdict codes", () => {
  assert.deepEqual(State, { Empty: 0, Alive: 1, Running: 2, Verdict: 3 });
  assert.deepEqual(VerdictKind, {
    Memory: 1,
    Timeout: 2,
    ProcessMemory: 3,
    Cpu: 4,
    MachineMemory: 5,
  });
});

test("watch slots: a new buffer has every slot Empty, no process limit and no stop", () => {
  const { main, watchdog } = sides(3);
  assert.equal(main.count, 3);
  for (let slot = 0; slot < 3; slot++) {
    assert.equal(watchdog.state(slot), State.Empty);
    assert.equal(watchdog.pid(slot), 0);
    assert.equal(watchdog.jobId(slot), 0);
    assert.equal(watchdog.isReady(slot), false);
    assert.equal(watchdog.runs(slot), 0);
  }
  assert.equal(watchdog.anyRunning(), false);
  assert.ok(Number.isNaN(watchdog.processLimit));
  assert.equal(watchdog.processPeak, 0);
  assert.equal(watchdog.stopped, false);
  // The header, as both sides see it.
  main.processLimit = 512 * MiB;
  watchdog.processPeak = 100 * MiB;
  assert.equal(watchdog.processLimit, 512 * MiB);
  assert.equal(main.processPeak, 100 * MiB);
  main.stop();
  assert.equal(watchdog.stopped, true);
  // A view made from the buffer keeps what is in it.
  assert.equal(new WatchSlots(3, main.buffer).processLimit, 512 * MiB);
});

test("watch slots: assign makes a slot Alive with its worker; markReady marks it ready and leaves it Alive", () => {
  const { main, watchdog } = sides();
  main.assign(1, 4242);
  assert.equal(watchdog.state(1), State.Alive);
  assert.equal(watchdog.pid(1), 4242);
  assert.equal(watchdog.isReady(1), false);
  assert.equal(watchdog.state(0), State.Empty, "the other slot");
  main.markReady(1);
  assert.equal(watchdog.isReady(1), true);
  assert.equal(watchdog.state(1), State.Alive);
  assert.equal(watchdog.anyRunning(), false, "Alive is not Running");
});

test("watch slots: arm makes the slot Running with the job's limits, counted in runs", () => {
  const before = epochMs();
  const { main, watchdog, generation } = running();
  const after = epochMs();
  assert.equal(watchdog.state(0), State.Running);
  assert.equal(watchdog.anyRunning(), true);
  assert.equal(watchdog.jobId(0), 7);
  assert.equal(watchdog.runs(0), 1);
  assert.equal(watchdog.timeout(0), 1000);
  assert.equal(watchdog.memoryLimit(0), 64 * MiB);
  assert.equal(watchdog.cpuLimit(0), 500);
  assert.equal(watchdog.baseBytes(0), 30 * MiB);
  const started = watchdog.started(0);
  assert.ok(started >= before && started <= after, `started ${started}`);
  assert.equal(watchdog.deadline(0), started + 1000);
  assert.equal(watchdog.peak(0), 0);
  assert.ok(Number.isNaN(watchdog.cpuUsed(0)));
  // A job without limits: each is NaN, and so is its deadline.
  assert.equal(main.claim(0, generation), "claimed");
  main.arm(0, { id: 8, baseBytes: 10 * MiB });
  assert.equal(watchdog.jobId(0), 8);
  assert.equal(watchdog.runs(0), 2);
  for (
    const read of ["timeout", "deadline", "memoryLimit", "cpuLimit"] as const
  ) {
    assert.ok(Number.isNaN(watchdog[read](0)), read);
  }
  assert.equal(watchdog.baseBytes(0), 10 * MiB);
});

test("watch slots: the watchdog's readings of a running job; arm starts the next job's afresh", () => {
  const { main, watchdog, generation } = running();
  watchdog.notePeak(0, 40 * MiB);
  watchdog.notePeak(0, 35 * MiB); // a peak only rises
  watchdog.noteCpu(0, 120);
  watchdog.noteCpu(0, 90); // the last reading, not the highest
  watchdog.setDescendants(0, 3);
  assert.equal(main.peak(0), 40 * MiB);
  assert.equal(main.cpuUsed(0), 90);
  assert.equal(main.descendants(0), 3);
  assert.equal(main.claim(0, generation), "claimed");
  main.arm(0, { ...JOB, id: 8 });
  assert.equal(main.peak(0), 0);
  assert.ok(Number.isNaN(main.cpuUsed(0)));
  // Descendants are the worker's, not the job's: assign resets them.
  assert.equal(main.descendants(0), 3);
  main.assign(0, 4343);
  assert.equal(main.descendants(0), 0);
});

test("watch slots: runs counts the jobs armed and the jobs run unwatched, per worker", () => {
  const { main, watchdog, generation } = running(); // one job armed
  assert.equal(watchdog.runs(0), 1);
  assert.equal(main.claim(0, generation), "claimed");
  // A job the watchdog does not watch ran and ended: counted, the slot
  // stays Alive (it was never Running).
  main.ranUnwatched(0);
  assert.equal(watchdog.runs(0), 2);
  assert.equal(watchdog.state(0), State.Alive);
  main.arm(0, { ...JOB, id: 8 });
  assert.equal(watchdog.runs(0), 3);
  assert.equal(watchdog.runs(1), 0, "the other slot's count");
  main.assign(0, 4343);
  assert.equal(watchdog.runs(0), 0);
});

test("watch slots: claim takes a Running job back to Alive, once", () => {
  const { main, watchdog, generation } = running();
  assert.equal(main.claim(0, generation), "claimed");
  assert.equal(watchdog.state(0), State.Alive);
  assert.equal(watchdog.anyRunning(), false);
  assert.equal(main.claim(0, generation), "gone", "a second claim");
  assert.equal(watchdog.state(0), State.Alive);
  assert.equal(watchdog.pid(0), 4242, "the worker stays");
  assert.equal(watchdog.isReady(0), true);
});

test("watch slots: decide takes a Running job to Verdict, and the verdict is read with what the job used", () => {
  const { main, watchdog } = running();
  watchdog.notePeak(0, 70 * MiB);
  watchdog.noteCpu(0, 250);
  const before = epochMs();
  assert.equal(
    watchdog.decide(0, {
      kind: VerdictKind.Memory,
      limit: 64 * MiB,
      observed: 66 * MiB,
    }, watchdog.stateWord(0)),
    true,
  );
  const decidedBy = epochMs() - main.started(0);
  assert.equal(main.state(0), State.Verdict);
  assert.equal(main.anyRunning(), false);
  const verdict = main.verdict(0);
  assert.ok(
    verdict.wallMs >= before - main.started(0) && verdict.wallMs <= decidedBy,
    `wallMs ${verdict.wallMs}`,
  );
  assert.deepEqual({ ...verdict, wallMs: 0 }, {
    kind: VerdictKind.Memory,
    limit: 64 * MiB,
    observed: 66 * MiB,
    wallMs: 0,
    cpuMs: 250,
    peak: 70 * MiB,
  });
  // Without a CPU reading: NaN, not 0.
  const other = running();
  other.watchdog.decide(0, {
    kind: VerdictKind.Timeout,
    limit: 1000,
    observed: 1003,
  }, other.watchdog.stateWord(0));
  const timeout = other.main.verdict(0);
  assert.equal(timeout.kind, VerdictKind.Timeout);
  assert.equal(timeout.observed, 1003);
  assert.ok(Number.isNaN(timeout.cpuMs));
  assert.equal(timeout.peak, 0);
});

test("watch slots: claim against decide: the first wins, the other is told so and changes nothing", () => {
  // The main thread first (the task settled): the watchdog must not kill.
  {
    const { main, watchdog, generation } = running();
    assert.equal(main.claim(0, generation), "claimed");
    assert.equal(
      watchdog.decide(0, {
        kind: VerdictKind.Timeout,
        limit: 1000,
        observed: 1001,
      }, watchdog.stateWord(0)),
      false,
    );
    assert.equal(main.state(0), State.Alive);
  }
  // The watchdog first: the main thread reads its verdict.
  {
    const { main, watchdog, generation } = running();
    assert.equal(
      watchdog.decide(
        0,
        { kind: VerdictKind.Cpu, limit: 500, observed: 512 },
        watchdog.stateWord(0),
      ),
      true,
    );
    assert.equal(main.claim(0, generation), "verdict");
    assert.equal(main.state(0), State.Verdict);
    const { kind, limit, observed } = main.verdict(0);
    assert.deepEqual({ kind, limit, observed }, {
      kind: VerdictKind.Cpu,
      limit: 500,
      observed: 512,
    });
    // A second verdict does not take the job again.
    assert.equal(
      watchdog.decide(
        0,
        { kind: VerdictKind.Memory, limit: 1, observed: 2 },
        watchdog.stateWord(0),
      ),
      false,
    );
    assert.equal(main.state(0), State.Verdict);
  }
});

test("watch slots: claim and decide change nothing in a slot with no running job", () => {
  const verdict = { kind: VerdictKind.Memory, limit: 1, observed: 2 };
  const { main, watchdog } = sides();
  // Empty.
  assert.equal(main.claim(0, 0), "gone");
  assert.equal(watchdog.decide(0, verdict, watchdog.stateWord(0)), false);
  assert.equal(main.state(0), State.Empty);
  // Alive, ready, between jobs.
  main.assign(0, 4242);
  main.markReady(0);
  assert.equal(main.claim(0, 0), "gone");
  assert.equal(watchdog.decide(0, verdict, watchdog.stateWord(0)), false);
  assert.equal(main.state(0), State.Alive);
  assert.equal(main.pid(0), 4242);
});

test("watch slots: release empties a slot from every state; assign starts the next worker afresh", () => {
  for (const reach of ["Alive", "Running", "Verdict"] as const) {
    const { main, watchdog, generation } = running();
    if (reach === "Alive") main.claim(0, generation);
    if (reach === "Verdict") {
      watchdog.decide(
        0,
        { kind: VerdictKind.Timeout, limit: 1, observed: 2 },
        watchdog.stateWord(0),
      );
    }
    assert.equal(main.state(0), State[reach]);
    main.release(0);
    assert.equal(watchdog.state(0), State.Empty, reach);
    assert.equal(watchdog.pid(0), 0, reach);
    assert.equal(watchdog.anyRunning(), false, reach);
    // Nothing to take back or to decide any more.
    assert.equal(main.claim(0, generation), "gone", reach);
    assert.equal(
      watchdog.decide(
        0,
        { kind: VerdictKind.Memory, limit: 1, observed: 2 },
        watchdog.stateWord(0),
      ),
      false,
      reach,
    );
    assert.equal(watchdog.state(0), State.Empty, reach);
    // The next worker: Alive, not ready, no runs, no descendants.
    watchdog.setDescendants(0, 2);
    main.assign(0, 5151);
    assert.equal(watchdog.state(0), State.Alive);
    assert.equal(watchdog.pid(0), 5151);
    assert.equal(watchdog.isReady(0), false);
    assert.equal(watchdog.runs(0), 0);
    assert.equal(watchdog.descendants(0), 0);
  }
});

test("watch slots: each slot's words are its own", () => {
  const { main, watchdog } = sides(3);
  for (let slot = 0; slot < 3; slot++) main.assign(slot, 1000 + slot);
  main.arm(1, { id: 11, timeout: 100, memoryLimit: MiB, baseBytes: 2 * MiB });
  main.arm(2, { id: 12, cpuLimit: 300, baseBytes: 3 * MiB });
  watchdog.notePeak(2, 9 * MiB);
  watchdog.noteCpu(2, 33);
  watchdog.setDescendants(1, 5);
  watchdog.decide(
    1,
    { kind: VerdictKind.Timeout, limit: 100, observed: 101 },
    watchdog.stateWord(1),
  );
  assert.deepEqual(
    [0, 1, 2].map((slot) => [
      main.state(slot),
      main.pid(slot),
      main.jobId(slot),
      main.runs(slot),
      main.descendants(slot),
    ]),
    [
      [State.Alive, 1000, 0, 0, 0],
      [State.Verdict, 1001, 11, 1, 5],
      [State.Running, 1002, 12, 1, 0],
    ],
  );
  assert.deepEqual(
    [1, 2].map((slot) => [
      main.memoryLimit(slot),
      main.cpuLimit(slot),
      main.baseBytes(slot),
      main.peak(slot),
      main.cpuUsed(slot),
    ]),
    [[MiB, NaN, 2 * MiB, 0, NaN], [NaN, 300, 3 * MiB, 9 * MiB, 33]],
  );
  assert.equal(main.timeout(1), 100);
  assert.equal(main.deadline(1), main.started(1) + 100);
  assert.ok(Number.isNaN(main.timeout(2)));
  assert.ok(Number.isNaN(main.deadline(2)), "slot 1's verdict left it alone");
  assert.equal(main.verdict(1).observed, 101);
  assert.equal(main.anyRunning(), true, "slot 2 runs");
});

test("watch slots: a verdict reached for one job never takes the next job armed in the slot", () => {
  const { main, watchdog, generation } = running();
  // The watchdog sees job 7 running and starts measuring it ...
  const seen = watchdog.stateWord(0);
  // ... meanwhile job 7 settles and job 8 is armed in the same slot.
  assert.equal(main.claim(0, generation), "claimed");
  const generation8 = main.arm(0, { ...JOB, id: 8 });
  assert.equal(generation8, generation + 1);
  assert.equal(main.state(0), State.Running);
  assert.equal(
    watchdog.decide(0, {
      kind: VerdictKind.Timeout,
      limit: 1000,
      observed: 1002,
    }, seen),
    false,
  );
  assert.equal(main.state(0), State.Running, "job 8 still runs");
  assert.equal(main.jobId(0), 8);
  // Job 8's own verdict still works, and then its claim fails.
  assert.equal(
    watchdog.decide(
      0,
      { kind: VerdictKind.Memory, limit: 1, observed: 2 },
      watchdog.stateWord(0),
    ),
    true,
  );
  assert.equal(main.claim(0, generation8), "verdict");
  assert.equal(main.claim(0, generation), "gone", "job 7's is not job 8's");
  assert.equal(main.verdict(0).kind, VerdictKind.Memory);
});

test("watch slots: advance moves a slot on to the job sent ahead, in the next generation", () => {
  const { main, watchdog, generation } = running();
  watchdog.notePeak(0, 50 * MiB);
  assert.equal(watchdog.hasAhead(0, watchdog.stateWord(0)), false);
  main.armAhead(0, generationAfter(generation), 9, 123456789012, 500);
  const word = watchdog.stateWord(0);
  assert.equal(watchdog.hasAhead(0, word), true);
  const now = epochMs();
  // Not its tag (the worker still shows an older one): no move.
  assert.equal(watchdog.advance(0, word, now, 5), false);
  assert.equal(watchdog.advance(0, word, now, NaN), false);
  assert.equal(main.jobId(0), 7);
  assert.equal(watchdog.advance(0, word, now, 123456789012), true);
  assert.equal(main.jobId(0), 9);
  assert.equal(main.state(0), State.Running);
  assert.equal(generationOf(main.stateWord(0)), generation + 1);
  assert.equal(main.started(0), now);
  assert.equal(main.deadline(0), now + 500);
  assert.equal(main.timeout(0), 500);
  assert.equal(main.memoryLimit(0), 64 * MiB, "the same memory limit");
  assert.equal(main.peak(0), 0, "the job sent ahead's own peak");
  assert.equal(main.hasAhead(0, main.stateWord(0)), false);
  assert.equal(main.runs(0), 2);
  // The job before is not the slot's any more; the one sent ahead is.
  assert.equal(main.claim(0, generation), "gone");
  assert.equal(main.claim(0, generation + 1), "claimed");
  // A second advance without a job sent ahead does nothing.
  assert.equal(
    watchdog.advance(0, watchdog.stateWord(0), now, 123456789012),
    false,
  );
});

test("watch slots: two jobs sent ahead: the watchdog moves on to the one the beacon shows, past one it never saw", () => {
  const { main, watchdog, generation } = running();
  const second = generationAfter(generation, 2);
  main.armAhead(0, generationAfter(generation), 9, 111, 500);
  main.armAhead(0, second, 10, 222, 700);
  const now = epochMs();
  // The worker ran job 9 between two ticks and started job 10.
  assert.equal(watchdog.advance(0, watchdog.stateWord(0), now, 222), true);
  assert.equal(main.jobId(0), 10);
  assert.equal(generationOf(main.stateWord(0)), second);
  assert.equal(main.deadline(0), now + 700);
  assert.equal(main.runs(0), 3, "job 9 ran too");
  assert.equal(main.claim(0, generationAfter(generation)), "gone");
  // A third, sent once the main thread moved on, reuses an entry of the ring.
  main.armAhead(0, generationAfter(generation, 3), 11, 333, undefined);
  assert.equal(watchdog.advance(0, watchdog.stateWord(0), now, 111), false);
  assert.equal(watchdog.advance(0, watchdog.stateWord(0), now, 333), true);
  assert.equal(main.jobId(0), 11);
  assert.ok(Number.isNaN(main.deadline(0)), "no timeout: no deadline");
});

test("watch slots: generations count on modulo 2^29, and how far apart two are is read across the wrap", () => {
  const last = 2 ** 29 - 1;
  assert.equal(generationAfter(last), 0);
  assert.equal(generationAfter(last, 2), 1);
  assert.equal(generationsBetween(last, 1), 2);
  assert.equal(generationsBetween(5, 5), 0);
  assert.equal(generationsBetween(6, 5), last, "behind: far ahead");
});

test("watch slots: advance against claim: the main thread first, the watchdog does not move on", () => {
  const { main, watchdog, generation } = running();
  main.armAhead(0, generationAfter(generation), 9, 123456789012, undefined);
  const seen = watchdog.stateWord(0);
  assert.equal(main.claim(0, generation), "claimed");
  assert.equal(watchdog.advance(0, seen, epochMs(), 123456789012), false);
  assert.equal(main.state(0), State.Alive);
  assert.equal(main.jobId(0), 7);
  // The main thread arms it itself, in the generation it was sent for.
  assert.equal(
    main.arm(0, { id: 9, baseBytes: 0 }),
    generationAfter(generation),
  );
  assert.equal(main.jobId(0), 9);
  assert.equal(
    watchdog.advance(0, watchdog.stateWord(0), epochMs(), 123456789012),
    false,
    "its entry is behind the slot now",
  );
});
