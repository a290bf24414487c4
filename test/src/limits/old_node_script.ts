// Child script for old_node_test.ts, bundled to JavaScript and run on a Node
// without V8's allocation counter (Node 20): allocation limits must be
// refused with the "not supported on this runtime" error, while the other
// limits still work. Prints what it saw as JSON. No `using`: Node 20 lacks it.
import {
  limitAllocations,
  limitWithToken,
  MiB,
  start,
  Token,
} from "../../../mod.ts";
import { currentMeter } from "../../../src/meters/mod.ts";
import { ibeta } from "../../../stats/mod.ts";

const engine = start();
let refused: string | null = null;
try {
  await limitAllocations(() => 1, { limit: 64 * MiB });
} catch (error) {
  refused = (error as Error).message;
}
const token = new Token();
const pending = limitWithToken(
  (signal) =>
    new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason))
    ),
  { token },
);
token.cancel("stop");
const cancelled = await pending;
engine.stop();
const meter = currentMeter();
console.log(JSON.stringify({
  version: process.version,
  meter: meter.name,
  countsAllocations: meter.countsAllocations,
  refused,
  tokenLimitOk: cancelled.ok,
  heapBytesPositive: meter.heapBytes() > 0,
  // The statistics work on Node 20 too.
  ibeta: ibeta(0.4, 2, 3),
}));
