// A user's host program, the same for the Bun and the Deno project: it
// imports memlimits by its package name, runs an in-thread limit, a pool task
// whose value comes from the project's own dependency, a memory bomb that
// `memoryLimit` stops, and the statistics. It prints one JSON report; a part
// that throws reports its error instead, so that the test can say which.
import {
  LimitExceeded,
  limitGlobalMemory,
  limitWithToken,
  MiB,
  type Result,
  start,
  Token,
  WorkerPool,
} from "memlimits";
import {
  DEFAULT_SAMPLING_RATE,
  ibeta,
  interruptProbability,
  recommendLimit,
  triggerProbability,
} from "memlimits/stats";

const report: Record<string, unknown> = {};

function outcome<T>(r: Result<T>): unknown {
  if (r.ok) return { ok: true, value: r.value };
  const { error } = r;
  return error instanceof LimitExceeded
    ? { ok: false, kind: error.kind }
    : { ok: false, error: String(error) };
}

async function part(name: string, fn: () => Promise<unknown> | unknown) {
  try {
    report[name] = await fn();
  } catch (error) {
    report[name] = {
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

{
  using _engine = start();
  await part(
    "inThreadMemory",
    async () =>
      outcome(await limitGlobalMemory(() => 6 * 7, { limit: 64 * 1024 * MiB })),
  );
  await part("inThreadToken", async () => {
    const token = new Token();
    const pending = limitWithToken(
      (signal) =>
        new Promise((resolve) => signal.addEventListener("abort", resolve)),
      { token },
    );
    token.cancel("stopped by the host");
    return outcome(await pending);
  });
}

{
  await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
    size: 1,
    memoryLimit: 128 * MiB,
  });
  await part(
    "poolGreet",
    async () => outcome(await pool.run("greet", ["pool"])),
  );
  await part("poolBomb", async () => outcome(await pool.run("bomb", [])));
  await part(
    "poolAfterBomb",
    async () => outcome(await pool.run("greet", ["again"])),
  );
}

await part("stats", () => {
  const limit = recommendLimit(12_800, 1e-9, DEFAULT_SAMPLING_RATE);
  return {
    ibeta: ibeta(0.5, 2, 3),
    interruptProbability: interruptProbability(4, 4, 0.5),
    triggerProbability: triggerProbability(2, 0.5),
    recommendedLimit: limit,
    atRecommendedLimit: interruptProbability(
      12_800,
      limit,
      DEFAULT_SAMPLING_RATE,
    ),
  };
});

console.log(JSON.stringify(report));
