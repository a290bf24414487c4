/**
 * The run beacon (wire/run_beacon.ts): what the worker's end shows is what
 * the host's end reads through /proc at once, with no call of the worker's
 * per tag; anything that is not a beacon is refused.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import { test } from "../../../harness.ts";
import {
  BeaconReader,
  RunBeacon,
} from "../../../../src/pool/wire/run_beacon.ts";

// One beacon for the process, as a worker has (its mapping lasts as long
// as the process).
const beacon = RunBeacon.create();

test("run beacon: made through the runtime's FFI, a memfd this process holds", () => {
  assert.ok(beacon, "a beacon (Deno under -A, Bun, Node 26)");
  assert.match(
    readlinkSync(`/proc/self/fd/${beacon.fd}`),
    /^\/memfd:memlimits/,
  );
});

test("run beacon: the host's reader sees each tag as soon as it is shown, as /proc does", () => {
  const reader = BeaconReader.open(process.pid, beacon!.fd);
  assert.ok(reader);
  try {
    for (const tag of [1, 123_456_789_012, 2 ** 52, 7]) {
      beacon!.show(tag);
      assert.equal(reader.tag(), tag);
      // Read apart from the reader: the file's first 8 bytes.
      const bytes = readFileSync(`/proc/${process.pid}/fd/${beacon!.fd}`);
      assert.equal(bytes.readDoubleLE(0), tag);
    }
  } finally {
    reader.close();
  }
  assert.ok(Number.isNaN(reader.tag()), "NaN once closed");
  reader.close(); // idempotent
});

test("run beacon: a reader opens nothing that is not a beacon", () => {
  // A descriptor that reads as empty (stdin is /dev/null here), or none.
  const sleeper = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  const gone = Number(sleeper.stdout.trim());
  assert.equal(BeaconReader.open(gone, 0), undefined, "a process that ended");
  assert.equal(
    BeaconReader.open(process.pid, 987_654),
    undefined,
    "no such descriptor",
  );
});
