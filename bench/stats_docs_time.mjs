// Wall time of the statistics tools as a user starts them, side by side with
// the runtime's bare start-up in the same run: `deno task docs` must take
// under 2 s after start-up, `npm start`'s statistics report about 1 s.
// Usage: node bench/stats_docs_time.mjs [runs=9]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const deno = join(root, "node_modules", ".bin", "deno");
const bun = join(root, "node_modules", ".bin", "bun");
const runs = Number(process.argv[2] ?? 9);
const out = mkdtempSync(join(tmpdir(), "memlimits-docs-bench-"));

function medianSeconds(command, args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, stdio: "ignore" });
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
    }
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const rows = [
  ["deno: bare start-up (deno eval 0)", deno, ["eval", "0"]],
  ["deno: docs generator (stats/docs/generate.ts)", deno, [
    "run",
    "-A",
    "stats/docs/generate.ts",
    out,
  ]],
  ["deno: start report (stats/start.ts)", deno, [
    "run",
    "-A",
    "stats/start.ts",
  ]],
  ["bun: bare start-up (bun -e 0)", bun, ["-e", "0"]],
  ["bun: docs generator (stats/docs/generate.ts)", bun, [
    "stats/docs/generate.ts",
    out,
  ]],
  ["bun: start report (stats/start.ts)", bun, ["stats/start.ts"]],
];
const results = rows.map((
  [label, command, args],
) => [label, medianSeconds(command, args)]);
rmSync(out, { recursive: true, force: true });

console.log(`| what (median of ${runs} runs) | wall time | after start-up |`);
console.log("| --- | ---: | ---: |");
for (const [label, seconds] of results) {
  const bare = label.startsWith("deno") ? results[0][1] : results[3][1];
  const after = label.includes("bare")
    ? ""
    : `${(seconds - bare).toFixed(2)} s`;
  console.log(`| ${label} | ${seconds.toFixed(2)} s | ${after} |`);
}
