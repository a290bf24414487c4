// Runs the whole suite: static checks with Deno, then the tests on Deno, Bun and
// Node, then the consumer tests (the packages installed into fresh projects).
// Ends with one line "N passed, N failed" that sums every step (a failed static
// check counts as one failure), and exits non-zero if anything failed.
//
// Arguments name the steps to run (e.g. "deno-test"). "timing" runs only the
// tests whose verdict depends on timing under load (the *_timing_test.ts
// files) on Deno, Bun and Node, or on the runtimes named with it.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
// deno-lint-ignore no-control-regex -- ANSI colour codes start with ESC
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");

// A step that hangs (a test waiting forever) is killed with its whole process
// group after this long and counted as failed, so CI ends with a verdict.
const STEP_TIMEOUT_MS = Number(
  process.env.MEMLIMITS_STEP_TIMEOUT_MS ?? 20 * 60 * 1000,
);

function run(label, command, args) {
  process.stdout.write(`\n== ${label}: ${[command, ...args].join(" ")}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a timeout kills its workers too
    });
    const timer = setTimeout(() => {
      process.stdout.write(
        `\n${label}: still running after ${
          STEP_TIMEOUT_MS / 60000
        } min, killed\n`,
      );
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, STEP_TIMEOUT_MS);
    let output = "";
    const tee = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on("data", tee(process.stdout));
    child.stderr.on("data", tee(process.stderr));
    child.on(
      "close",
      (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, signal, output: stripAnsi(output) });
      },
    );
  });
}

const args = process.argv.slice(2);
const timingOnly = args.includes("timing");
const only = args.filter((a) => a !== "timing"); // optional: run only these steps, e.g. "deno-test"
const runtimeSteps = ["deno-test", "bun-test", "node-test"];
const want = (name) =>
  timingOnly
    ? runtimeSteps.includes(name) && (only.length === 0 || only.includes(name))
    : only.length === 0 || only.includes(name);

/** The test files whose verdict depends on timing under load, relative to the root. */
function timingTests() {
  return readdirSync(join(root, "test"), { recursive: true })
    .filter((path) => path.endsWith("_timing_test.ts"))
    .map((path) => relative(root, join(root, "test", path)))
    .sort();
}

const deno = bin("deno");
const staticChecks = [
  ["fmt", deno, ["fmt", "--check"]],
  ["lint", deno, ["lint"]],
  ["check", deno, ["check", "."]],
  ["doc-lint", deno, [
    "doc",
    "--lint",
    "mod.ts",
    "stats/mod.ts",
    "src/bullmq/mod.ts",
  ]],
  // The README's examples, written as a user's project imports memlimits.
  ["readme-check", deno, ["check", "--doc-only", "README.md"]],
  // The JSDoc examples of the public API, which import "memlimits",
  // "memlimits/stats" and "memlimits/bullmq" as a user's project does
  // (deno.json maps them here). "src" and "stats" are every file of every
  // folder under them (deno check takes a folder whole): internal modules'
  // examples import their module by relative path.
  ["doc-check", deno, [
    "check",
    "--doc",
    "mod.ts",
    "src",
    "stats",
  ]],
];

let passed = 0;
let failed = 0;
const failures = [];
const failedNames = [];

for (const [name, command, args] of staticChecks) {
  if (!want(name)) continue;
  const { code } = await run(name, command, args);
  if (code !== 0) {
    failed += 1;
    failures.push(name);
  }
}

// The summary comes last; a test's own output may contain such a line too.
const lastCount = (output, pattern) =>
  Number([...output.matchAll(pattern)].at(-1)?.[1] ?? 0);

/** Reads "N passed | N failed" from `deno test`'s summary. */
function denoCounts(output) {
  return {
    passed: lastCount(output, /\|\s*(\d+) passed[^|]*\|\s*\d+ failed/g),
    failed: lastCount(output, /\|\s*\d+ passed[^|]*\|\s*(\d+) failed/g),
  };
}

/** Reads "N pass" and "N fail" from `bun test`'s summary. */
function bunCounts(output) {
  return {
    passed: lastCount(output, /^\s*(\d+) pass$/gm),
    failed: lastCount(output, /^\s*(\d+) fail$/gm),
  };
}

/** Reads "ℹ pass N", "ℹ fail N" and "ℹ cancelled N" from node:test's spec reporter. */
function nodeTestCounts(output) {
  return {
    passed: lastCount(output, /^ℹ pass (\d+)$/gm),
    failed: lastCount(output, /^ℹ fail (\d+)$/gm) +
      lastCount(output, /^ℹ cancelled (\d+)$/gm),
  };
}

/**
 * The names of the failed tests in a step's output, so that the end of a long
 * CI log (often all that is kept) says which test failed, not only which step.
 */
function failedTests(output) {
  const names = [
    // bun test: "(fail) suite > name [12.34ms]"
    ...[...output.matchAll(/^\(fail\) (.+?)(?: \[[\d.]+m?s\])?$/gm)],
    // node:test spec reporter: "✖ name (12.3ms)"
    ...[...output.matchAll(/^\s*✖ (.+?) \([\d.]+m?s\)$/gm)],
    // deno test, under FAILURES: "name => ./test/file.ts:12:3"
    ...[...output.matchAll(/^(.+ => \.?\/?test\/\S+:\d+:\d+)$/gm)],
  ].map((m) => m[1]);
  return [...new Set(names)];
}

// What each runtime runs: every test, or with "timing" only the timing files.
const timing = timingOnly ? timingTests() : [];
if (timingOnly && timing.length === 0) {
  // Without file arguments, deno test would run everything.
  process.stdout.write(
    "no *_timing_test.ts file under test/\n0 passed, 1 failed\n",
  );
  process.exit(1);
}
const denoFiles = timingOnly ? timing : ["test/"];
const bunFiles = timingOnly ? timing.map((f) => `./${f}`) : ["./test/"];
const nodeFiles = timingOnly ? timing : ["test/**/*_test.ts"];

// Each step: name, label in its count line, command, arguments, counter.
const testSteps = [
  ["deno-test", "deno", deno, [
    "test",
    "-A",
    "--no-check",
    "--sanitize-ops",
    "--sanitize-resources",
    ...denoFiles,
  ], denoCounts],
  ["bun-test", "bun", bin("bun"), [
    "test",
    "--timeout",
    "120000",
    ...bunFiles,
  ], bunCounts],
  // Type stripping runs the .ts files as they are; one file at a time, as on
  // Deno and Bun, since the pool tests measure memory.
  ["node-test", "node", bin("node"), [
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=1",
    "--test-timeout=120000",
    ...nodeFiles,
  ], nodeTestCounts],
  // memlimits as users install it: npm pack, deno publish --dry-run, and
  // fresh Bun, Deno and Node projects under the OS's temp dir.
  ["consumer", "consumer", process.execPath, [
    "--test-reporter=spec",
    "test/consumer/main.mjs",
  ], nodeTestCounts],
];

for (const [name, label, command, args, counts] of testSteps) {
  if (!want(name)) continue;
  const { code, output } = await run(name, command, args);
  const { passed: p, failed: f } = counts(output);
  passed += p;
  failed += f;
  if (code !== 0 && f === 0) failed += 1; // crashed or failed without a count
  if (code !== 0) failures.push(name);
  for (const test of failedTests(output)) failedNames.push(`${label}: ${test}`);
  process.stdout.write(`${label}: ${p} passed, ${f} failed\n`);
}

if (failures.length > 0) {
  process.stdout.write(`\nfailed steps: ${failures.join(", ")}\n`);
  for (const test of failedNames) process.stdout.write(`  ${test}\n`);
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failures.length > 0 ? 1 : 0);
