/** verdictResult: the machine's floor says whether the floor was crossed or neared under pressure. */
import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import { LimitExceeded } from "../../../../mod.ts";
import { verdictResult } from "../../../../src/pool/accounting/usage.ts";
import { VerdictKind } from "../../../../src/pool/watchdog/watch_slots.ts";

const floor = 1000 * 2 ** 20;

function errorOf(observed: number): LimitExceeded {
  const r = verdictResult({
    kind: VerdictKind.MachineMemory,
    limit: floor,
    observed,
    wallMs: 5,
    cpuMs: 1,
    peak: 0,
  }, 0);
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof LimitExceeded);
  return r.error;
}

test("verdictResult: the machine's floor, crossed or neared under memory pressure", () => {
  const below = errorOf(floor - 1);
  assert.equal(below.kind, "memory");
  assert.equal(below.limit, floor);
  assert.equal(below.observed, floor - 1);
  assert.match(
    below.message,
    /^the machine's available memory \(1000 MiB, 1048575999 bytes\) fell below the pool's minAvailableMemory floor of 1000 MiB, 1048576000 bytes:/,
  );
  const near = errorOf(floor + 100 * 2 ** 20);
  assert.equal(near.kind, "memory");
  assert.equal(near.observed, floor + 100 * 2 ** 20);
  assert.match(
    near.message,
    /neared, under memory pressure \(\/proc\/pressure\/memory\), the pool's minAvailableMemory floor/,
  );
});
