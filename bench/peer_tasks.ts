// Tasks for piscina and tinypool (bench/peers_bench.ts, bench/peers_safety.ts):
// their workers call one named export with one argument, so the corpus's
// `add(a, b)` takes its pair here; the ten shapes are the corpus's own.
import { add } from "../test/src/pool/fixtures/tasks.ts";

export * from "../test/src/pool/fixtures/tasks.ts";

/** `add` for a pool that passes one argument. */
export function addPair([a, b]: [number, number]): number {
  return add(a, b);
}
