/**
 * One pool and one shape of bench/peers_safety.ts, in a process of its own
 * (so that a host the shape kills is recorded, not lost):
 *   node bench/peers_safety_child.ts <memlimits|piscina|tinypool> <shape>
 *
 * Starts the pool with one worker at its best memory setting for a 256 MiB
 * limit, warms it, prints {"t":"ready"}, runs the shape, prints how it ended
 * ({"t":"ended", ...}), then checks that the pool still runs a tiny task and
 * prints {"t":"after", ...}. The parent samples this process tree's memory
 * and kills it if it grows to 3 GiB.
 */
import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import { LimitExceeded, MiB, WorkerPool } from "../mod.ts";

const LIMIT_MIB = 256;
const [poolName, shape] = process.argv.slice(2);
const print = (line: object) => console.log(JSON.stringify(line));

interface Pool {
  /** Runs `name` and says how it ended. */
  run(
    name: string,
  ): Promise<{ outcome: "stopped" | "value" | "error"; detail: string }>;
  close(): Promise<void>;
}

function memlimits(): Pool {
  const pool = new WorkerPool(
    new URL("../test/src/pool/fixtures/tasks.ts", import.meta.url),
    { size: 1, memoryLimit: LIMIT_MIB * MiB },
  );
  return {
    async run(name) {
      const r = await pool.run(name, name === "add" ? [1, 2] : []);
      if (r.ok) return { outcome: "value", detail: String(r.value) };
      const e = r.error;
      return e instanceof LimitExceeded && e.kind === "memory"
        ? { outcome: "stopped", detail: `LimitExceeded (memory)` }
        : { outcome: "error", detail: `${e}` };
    },
    close: () => pool.close(),
  };
}

function peer(kind: "piscina" | "tinypool"): Pool {
  const options = {
    filename: new URL("./peer_tasks.ts", import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
    resourceLimits: { maxOldGenerationSizeMb: LIMIT_MIB },
  };
  const pool = kind === "piscina"
    ? new Piscina(options)
    : new Tinypool(options);
  return {
    async run(name) {
      try {
        const value = await pool.run(name === "add" ? [1, 2] : undefined, {
          name: name === "add" ? "addPair" : name,
        });
        return { outcome: "value", detail: String(value) };
      } catch (error) {
        const code = (error as { code?: string }).code;
        return code === "ERR_WORKER_OUT_OF_MEMORY"
          ? { outcome: "stopped", detail: code }
          : { outcome: "error", detail: `${error}`.slice(0, 120) };
      }
    },
    close: () => pool.destroy(),
  };
}

const pool = poolName === "memlimits"
  ? memlimits()
  : peer(poolName as "piscina" | "tinypool");
for (let i = 0; i < 20; i++) await pool.run("add");
print({ t: "ready" });
const began = performance.now();
const ended = await pool.run(shape);
print({ t: "ended", ...ended, ms: Math.round(performance.now() - began) });
const after = await pool.run("add");
print({ t: "after", works: after.outcome === "value" && after.detail === "3" });
await pool.close();
