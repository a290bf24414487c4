/**
 * How fast one thread makes memory resident on this machine (not a test):
 * the figures behind the growth bound the watchdog and the brake assume
 * (src/pool/linux/memory_growth.ts). `node|bun bench/growth_rate.ts
 * [rounds]`; Deno needs `-A` (it reads /proc/self/statm).
 *
 * Each round grows the process by 1 GiB in three ways, timing the growth of
 * its resident memory: one 1 GiB typed array filled, 1 MiB arrays filled
 * one after another (as a bomb does), and 16 MiB arrays with one byte
 * written per page (faults without the fill). Freed between rounds (Node
 * and Deno need `--expose-gc` for that: `--v8-flags=--expose-gc` on Deno);
 * a round that grew by less than 0.9 GiB reused freed memory and is left
 * out.
 */
import { ResidentReader } from "../src/pool/linux/resident_memory.ts";
import { GiB, MiB } from "../src/units.ts";
import { MAX_GROWTH_PER_MS } from "../src/pool/linux/memory_growth.ts";
import { median, runtimeLabel } from "./summary.ts";

const ROUNDS = Number(process.argv[2] ?? 3);
const resident = new ResidentReader(process.pid);
const PAGE = 4096;

const ways: Record<string, () => unknown[]> = {
  "one 1 GiB array, filled": () => [new Uint8Array(GiB).fill(1)],
  "1 MiB arrays, filled": () =>
    Array.from({ length: 1024 }, () => new Uint8Array(MiB).fill(1)),
  "16 MiB arrays, a byte per page": () =>
    Array.from({ length: 64 }, () => {
      const a = new Uint8Array(16 * MiB);
      for (let i = 0; i < a.length; i += PAGE) a[i] = 1;
      return a;
    }),
};

/** Frees the last round's arrays, where the runtime lets a script ask. */
function collectGarbage(): void {
  const g = globalThis as {
    gc?: () => void;
    Bun?: { gc(force: boolean): void };
  };
  g.Bun?.gc(true);
  g.gc?.();
}

const rates: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, grow] of Object.entries(ways)) {
    const before = resident.read()!;
    const started = performance.now();
    let kept: unknown[] | undefined = grow();
    const ms = performance.now() - started;
    const grew = resident.read()! - before;
    rates[name] ??= [];
    if (grew >= 0.9 * GiB) rates[name].push(grew / GiB / (ms / 1000));
    kept = undefined;
    void kept;
    collectGarbage();
    await new Promise((r) => setTimeout(r, 100));
  }
}

console.log(`\n${runtimeLabel}; ${ROUNDS} rounds; GiB/s of resident growth\n`);
console.log("| way | median | rounds kept |");
console.log("| --- | ---: | --- |");
for (const [name, xs] of Object.entries(rates)) {
  console.log(
    `| ${name} | ${median(xs).toFixed(2)} | ${
      xs.map((x) => x.toFixed(2)).join(", ")
    } |`,
  );
}
console.log(
  `\nBound assumed for this machine (all cores): ${
    (MAX_GROWTH_PER_MS * 1000 / GiB).toFixed(0)
  } GiB/s`,
);
