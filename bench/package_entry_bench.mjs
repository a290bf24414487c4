// Should Bun get the TypeScript sources (a "bun" export condition) or the
// compiled JavaScript that Node gets? Both variants of the packed package are
// installed into fresh Bun projects under the OS's temp dir and timed side by
// side, runs interleaved: importing `memlimits` and `memlimits/stats` in a
// fresh process, and a pool's first result (a worker process started on the
// package's worker entry, .ts or .js) plus its close.
// Usage: node bench/package_entry_bench.mjs [runs=15]
import {
  cpSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  bin,
  cleanEnv,
  npmTarball,
  removeWorkspace,
  root,
  run,
  workspace,
} from "../test/consumer/packages.mjs";

const runs = Number(process.argv[2] ?? 15);
const env = {
  ...cleanEnv,
  BUN_INSTALL_CACHE_DIR: join(workspace, "bun-cache"),
};

const IMPORT_SCRIPT = `import "memlimits"; import "memlimits/stats";\n`;
const TASKS =
  `export function add(a: number, b: number): number { return a + b; }\n`;
const POOL_SCRIPT = `
import { WorkerPool } from "memlimits";
const started = performance.now();
{
  await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), { size: 1 });
  const r = await pool.run("add", [1, 2]);
  if (!r.ok || r.value !== 3) throw new Error("wrong result");
}
console.log(performance.now() - started);
`;

async function project(name) {
  const dir = join(workspace, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name, private: true, type: "module" }),
  );
  const add = await run(bin("bun"), ["add", (await npmTarball()).path], {
    cwd: dir,
    env,
  });
  if (add.status !== 0) throw new Error(add.stderr);
  writeFileSync(join(dir, "import.ts"), IMPORT_SCRIPT);
  writeFileSync(join(dir, "tasks.ts"), TASKS);
  writeFileSync(join(dir, "pool.ts"), POOL_SCRIPT);
  return dir;
}

/** Adds the TypeScript sources to the installed package, with a "bun" condition to them. */
function handBunTheSources(dir) {
  const pkg = join(dir, "node_modules", "memlimits");
  cpSync(join(root, "mod.ts"), join(pkg, "mod.ts"));
  cpSync(join(root, "src"), join(pkg, "src"), { recursive: true });
  cpSync(join(root, "stats"), join(pkg, "stats"), {
    recursive: true,
    filter: (path) => !path.includes(`${join("stats", "docs")}`),
  });
  const manifestPath = join(pkg, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  // bun links installed files to its cache: write a new file, not through the link.
  rmSync(manifestPath);
  manifest.exports["."] = { bun: "./mod.ts", ...manifest.exports["."] };
  manifest.exports["./stats"] = {
    bun: "./stats/mod.ts",
    ...manifest.exports["./stats"],
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}

async function timed(dir, script) {
  const started = process.hrtime.bigint();
  const result = await run(bin("bun"), [script], { cwd: dir, env });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${script} in ${dir}: ${result.stderr}`);
  }
  return { wall, inside: Number(result.stdout.trim() || NaN) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const js = await project("bun-js");
  const ts = await project("bun-ts");
  handBunTheSources(ts);
  const resolved = await run(bin("bun"), [
    "-e",
    `console.log(import.meta.resolve("memlimits"))`,
  ], {
    cwd: ts,
    env,
  });
  if (!resolved.stdout.trim().endsWith("/mod.ts")) {
    throw new Error("bun condition not taken");
  }

  const samples = {
    js: { import: [], pool: [], poolInside: [] },
    ts: { import: [], pool: [], poolInside: [] },
  };
  for (let i = 0; i < runs; i++) {
    for (
      const [variant, dir] of i % 2 === 0
        ? [["js", js], ["ts", ts]]
        : [["ts", ts], ["js", js]]
    ) {
      samples[variant].import.push((await timed(dir, "import.ts")).wall);
      const pool = await timed(dir, "pool.ts");
      samples[variant].pool.push(pool.wall);
      samples[variant].poolInside.push(pool.inside);
    }
  }
  const bunVersion = (await run(bin("bun"), ["--version"])).stdout.trim();
  console.log(
    `Bun ${bunVersion}, ${runs} interleaved runs each; medians in ms\n`,
  );
  console.log("| what | compiled JS | TS sources (bun condition) | TS / JS |");
  console.log("| --- | ---: | ---: | ---: |");
  for (
    const [label, key] of [
      ["import memlimits + memlimits/stats (fresh process, wall)", "import"],
      ["pool: start, first result, close (fresh process, wall)", "pool"],
      ["pool: start, first result, close (in the host)", "poolInside"],
    ]
  ) {
    const a = median(samples.js[key]);
    const b = median(samples.ts[key]);
    console.log(
      `| ${label} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${
        (b / a).toFixed(2)
      } |`,
    );
  }
} finally {
  removeWorkspace();
}
