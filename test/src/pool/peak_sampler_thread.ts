// Test helper thread (helpers.ts PeakSampler): samples the resident memory of
// the pids in its shared buffer every 0.5 ms, keeping the highest reading
// of each, independently of the pool's own watch. Not a test file.
import { readFileSync } from "node:fs";
import { workerData } from "node:worker_threads";

const { buffer, count } = workerData as {
  buffer: SharedArrayBuffer;
  count: number;
};
// Int32: [0] stop flag, [1 + i] pids. Float64 after: peak bytes per pid.
const ints = new Int32Array(buffer, 0, 1 + count);
const peaks = new Float64Array(
  buffer,
  Math.ceil((1 + count) * 4 / 8) * 8,
  count,
);
while (Atomics.load(ints, 0) === 0) {
  for (let i = 0; i < count; i++) {
    try {
      const pages = Number(
        readFileSync(`/proc/${ints[1 + i]}/statm`, "utf8").split(" ")[1],
      );
      peaks[i] = Math.max(peaks[i], pages * 4096);
    } catch {
      // gone
    }
  }
  Atomics.wait(ints, 0, 0, 0.5);
}
