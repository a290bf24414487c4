// Runs the whole suite: static checks with Deno, then the tests on Deno, Bun and Node.
// Ends with one line "N passed, N failed" that sums the three runtimes (a failed static
// check counts as one failure), and exits non-zero if anything failed.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

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

const only = process.argv.slice(2); // optional: run only these steps, e.g. "deno-test"
const want = (name) => only.length === 0 || only.includes(name);

const deno = bin("deno");
const staticChecks = [
  ["fmt", deno, ["fmt", "--check"]],
  ["lint", deno, ["lint"]],
  ["check", deno, ["check", "."]],
  ["doc-lint", deno, ["doc", "--lint", "mod.ts", "stats/mod.ts"]],
];

let passed = 0;
let failed = 0;
const failures = [];

for (const [name, command, args] of staticChecks) {
  if (!want(name)) continue;
  const { code } = await run(name, command, args);
  if (code !== 0) {
    failed += 1;
    failures.push(name);
  }
}

if (want("deno-test")) {
  const { code, output } = await run("deno-test", deno, [
    "test",
    "-A",
    "--no-check",
    "--sanitize-ops",
    "--sanitize-resources",
    "test/",
  ]);
  const m = output.match(/\|\s*(\d+) passed[^|]*\|\s*(\d+) failed/g);
  const last = m
    ? m[m.length - 1].match(/(\d+) passed[^|]*\|\s*(\d+) failed/)
    : null;
  const p = last ? Number(last[1]) : 0;
  const f = last ? Number(last[2]) : 0;
  passed += p;
  failed += f;
  if (code !== 0 && f === 0) failed += 1; // crashed or failed without a count
  if (code !== 0) failures.push("deno-test");
  process.stdout.write(`deno: ${p} passed, ${f} failed\n`);
}

if (want("bun-test")) {
  const { code, output } = await run("bun-test", bin("bun"), [
    "test",
    "--timeout",
    "120000",
    "./test/",
  ]);
  // The summary comes last; a test's own output may contain such a line too.
  const lastCount = (pattern) =>
    Number([...output.matchAll(pattern)].at(-1)?.[1] ?? 0);
  const p = lastCount(/^\s*(\d+) pass$/gm);
  const f = lastCount(/^\s*(\d+) fail$/gm);
  passed += p;
  failed += f;
  if (code !== 0 && f === 0) failed += 1;
  if (code !== 0) failures.push("bun-test");
  process.stdout.write(`bun: ${p} passed, ${f} failed\n`);
}

if (want("node-test")) {
  // Type stripping runs the .ts files as they are; one file at a time, as on
  // Deno and Bun, since the pool tests measure memory.
  const { code, output } = await run("node-test", bin("node"), [
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=1",
    "--test-timeout=120000",
    "test/**/*_test.ts",
  ]);
  // The spec reporter's summary ("ℹ pass N") comes last.
  const lastCount = (pattern) =>
    Number([...output.matchAll(pattern)].at(-1)?.[1] ?? 0);
  const p = lastCount(/^ℹ pass (\d+)$/gm);
  const f = lastCount(/^ℹ fail (\d+)$/gm) +
    lastCount(/^ℹ cancelled (\d+)$/gm);
  passed += p;
  failed += f;
  if (code !== 0 && f === 0) failed += 1;
  if (code !== 0) failures.push("node-test");
  process.stdout.write(`node: ${p} passed, ${f} failed\n`);
}

if (failures.length > 0) {
  process.stdout.write(`\nfailed steps: ${failures.join(", ")}\n`);
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failures.length > 0 ? 1 : 0);
