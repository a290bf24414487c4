// What the consumer tests install, made once per run from this checkout: the
// npm tarball (`npm pack`, which builds dist/ through `prepack`) and the files
// `deno publish` would put on JSR. Everything lives in one temporary directory
// under the OS's temp dir, removed by `removeWorkspace()`.
import { execFileSync, spawnSync } from "node:child_process";
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
 * Runs `command` and returns its status and output (never throws on a
 * non-zero status), killed after `timeout` ms.
 */
export function run(command, args, { cwd, timeout = 120_000, env } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: env ?? cleanEnv,
    encoding: "utf8",
    timeout,
  });
  if (result.error) throw result.error;
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

let packed;
/**
 * Packs the checkout with `npm pack` (once) into the workspace.
 * Returns the tarball's path and the files it holds (relative paths).
 */
export function npmTarball() {
  if (packed) return packed;
  const out = execFileSync(
    "npm",
    ["pack", "--json", "--pack-destination", workspace],
    {
      cwd: root,
      env: cleanEnv,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  // `npm pack --json` prints the JSON after prepack's own output, if any.
  const [info] = JSON.parse(out.slice(out.indexOf("[")));
  packed = {
    path: join(workspace, info.filename),
    files: info.files.map((f) => f.path).sort(),
  };
  return packed;
}

let published;
/**
 * Runs `deno publish --dry-run` (once) and copies the files it lists into
 * `<workspace>/jsr/memlimits`, the package as JSR would serve it.
 * Returns the run's status and output and the staged directory.
 */
export function jsrPackage() {
  if (published) return published;
  const result = run(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], {
    cwd: root,
  });
  const output = result.stdout + result.stderr;
  const files = [...output.matchAll(/^\s+(file:\/\/\S+) \(/gm)].map((m) =>
    relative(root, fileURLToPath(m[1]))
  );
  const dir = join(workspace, "jsr", "memlimits");
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  published = { ...result, output, files: files.sort(), dir };
  return published;
}

/**
 * What `deno task calc ARGS` prints in the checkout: the reference the
 * installed `memlimits` command must match.
 */
export function denoTaskCalc(args) {
  return run(bin("deno"), ["task", "-q", "calc", ...args], { cwd: root });
}

/** The calculator runs the consumer tests compare: text, --json, bad input. */
export const CALC_RUNS = [
  ["recommend", "--safe", "100KiB", "--target", "1e-9"],
  ["recommend", "--safe", "100KiB", "--target", "1e-9", "--json"],
  ["recommend", "--safe", "lots", "--target", "1e-9"],
];
