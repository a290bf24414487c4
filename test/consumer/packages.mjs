// What the consumer tests install, made once per run from this checkout: the
// npm tarball (`npm pack`, which builds dist/ through `prepack`) and the files
// `deno publish` would put on JSR. Everything lives in one temporary directory
// under the OS's temp dir, removed by `removeWorkspace()`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout under test. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The pinned binary `name` from the checkout's node_modules. */
export const bin = (name) => join(root, "node_modules", ".bin", name);

/**
 * The environment for the consumers' tools: no colours, and none of the
 * npm_* variables that `npm test` sets for the checkout, which would point
 * npm in a consumer project back at the checkout.
 */
export const cleanEnv = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: "1" }).filter(([key]) =>
    !key.startsWith("npm_") && key !== "INIT_CWD" && key !== "FORCE_COLOR"
  ),
);

/** The temporary directory that holds the packages and the projects. */
export const workspace = mkdtempSync(join(tmpdir(), "memlimits-consumers-"));

/** Removes the temporary directory (call once, after the last test). */
export function removeWorkspace() {
  rmSync(workspace, { recursive: true, force: true });
}

/**
 * Runs `command` and resolves to its status and output (never rejects on a
 * non-zero status); killed after `timeout` ms. Asynchronous, so that the
 * slow steps (npm pack, deno publish, the calculator runs) overlap.
 */
export function run(command, args, { cwd, timeout = 120_000, env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, {
      cwd,
      env: env ?? cleanEnv,
      encoding: "utf8",
      timeout,
      maxBuffer: 64 * 2 ** 20,
    }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number" && !error.signal) {
        reject(error); // not started at all (ENOENT, …)
        return;
      }
      resolve({
        status: error ? (error.code ?? null) : 0,
        signal: error?.signal ?? null,
        stdout,
        stderr,
      });
    });
  });
}

/** Memoizes an async function of no arguments: the first call's promise. */
function once(fn) {
  let promise;
  return () => (promise ??= fn());
}

/**
 * Packs the checkout with `npm pack` (once) into the workspace.
 * Resolves to the tarball's path and the files it holds (relative paths).
 */
export const npmTarball = once(async () => {
  const result = await run(
    "npm",
    ["pack", "--json", "--pack-destination", workspace],
    { cwd: root },
  );
  if (result.status !== 0) {
    throw new Error(`npm pack failed:\n${result.stdout}\n${result.stderr}`);
  }
  // `npm pack --json` prints the JSON after prepack's own output, if any.
  const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf("[")));
  return {
    path: join(workspace, info.filename),
    files: info.files.map((f) => f.path).sort(),
  };
});

/**
 * Runs `deno publish --dry-run` (once) and copies the files it lists into
 * `<workspace>/jsr/memlimits`, the package as JSR would serve it.
 * Resolves to the run's status and output and the staged directory.
 */
export const jsrPackage = once(async () => {
  const result = await run(
    bin("deno"),
    ["publish", "--dry-run", "--allow-dirty"],
    { cwd: root },
  );
  const output = result.stdout + result.stderr;
  const files = [...output.matchAll(/^\s+(file:\/\/\S+) \(/gm)].map((m) =>
    relative(root, fileURLToPath(m[1]))
  );
  const dir = join(workspace, "jsr", "memlimits");
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  return { ...result, output, files: files.sort(), dir };
});

/** The calculator runs the consumer tests compare: text, --json, bad input. */
export const CALC_RUNS = [
  ["recommend", "--safe", "100KiB", "--target", "1e-9"],
  ["recommend", "--safe", "100KiB", "--target", "1e-9", "--json"],
  ["recommend", "--safe", "lots", "--target", "1e-9"],
];

/**
 * What `deno task calc ARGS` prints in the checkout for each of CALC_RUNS
 * (once): the reference an installed `memlimits` command must match.
 */
export const denoTaskCalc = once(() =>
  Promise.all(
    CALC_RUNS.map((args) =>
      run(bin("deno"), ["task", "-q", "calc", ...args], { cwd: root })
    ),
  )
);

/**
 * Asserts that `command PREFIX... ARGS` prints, for each of CALC_RUNS, what
 * `deno task calc ARGS` prints, with the same exit status.
 */
export async function assertCalcMatches(command, prefix, options) {
  const expected = await denoTaskCalc();
  const actual = await Promise.all(
    CALC_RUNS.map((args) => run(command, [...prefix, ...args], options)),
  );
  CALC_RUNS.forEach((args, i) => {
    const shown = ({ status, stdout, stderr }) => ({ status, stdout, stderr });
    assert.deepEqual(shown(actual[i]), shown(expected[i]), args.join(" "));
  });
}

/**
 * Type-checks `file` in the project at `dir` with the pinned tsc, as a
 * strict NodeNext project with Node's types; resolves with its error lines.
 */
export async function typeErrors(dir, file, env) {
  const result = await run(bin("tsc"), [
    "--noEmit",
    "--strict",
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--types",
    "node",
    "--typeRoots",
    join(root, "node_modules", "@types"),
    file,
  ], { cwd: dir, env });
  return {
    errors: result.stdout.split("\n").filter((l) => /error TS\d+/.test(l)),
    output: result.stdout,
  };
}
