// What every benchmark prints beside its figures: which runtime ran it, and
// order statistics of its samples.

/** "Deno 2.9.6", "Bun 1.4.5" or "Node 26.10.0": the runtime running this benchmark. */
export const runtimeLabel: string = (() => {
  const g = globalThis as {
    Bun?: { version: string };
    Deno?: { version: { deno: string } };
  };
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  return `Node ${process.versions.node}`;
})();

/** The q-quantile of `xs` (nearest rank, 0 ≤ q ≤ 1); `xs` is not modified. */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** The median of `xs` (the lower one for an even count). */
export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
