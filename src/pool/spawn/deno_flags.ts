/**
 * The host's configuration, for Deno workers: which deno.json, import map,
 * lock file and module-resolution flags the host runs with, as flags for the
 * worker's `deno run`. A worker's entry (`worker.process.ts`) lies in this
 * library's directory, from where Deno would find the wrong deno.json (or
 * none), so the host's configuration is always passed explicitly.
 *
 * Where it comes from, best first:
 * 1. `WorkerPoolOptions.denoConfig`, when given;
 * 2. the host's own command line (`/proc/self/cmdline`), which Deno lets a
 *    program read only with every permission granted in full (`-A`):
 *    `--config`,
 *    `--no-config`, `--import-map`, `--lock`, `--node-modules-dir`, ...;
 * 3. the deno.json / deno.jsonc Deno found for the host, looked up the way
 *    Deno does: from the main module's directory upwards (`deno run`), or
 *    from the working directory (`deno test`, `deno bench`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe } from "../../limits/validate.ts";
import { denoNamespace, grantedWithoutAsking } from "../../runtime.ts";

/** The host's Deno command line, split at the subcommand. */
export interface HostCommandLine {
  /** `run`, `test`, `bench`, `serve`, ... (`run` for `deno main.ts`). */
  subcommand: string;
  /** The flags before the script (for `test`/`bench`: before `--`). */
  flags: string[];
}

const SUBCOMMANDS = new Set([
  "run",
  "test",
  "bench",
  "serve",
  "eval",
  "repl",
  "check",
]);

/** Flags that take their value as the next argument when not given with `=`. */
const VALUE_FLAGS = new Set([
  "-c",
  "--config",
  "--import-map",
  "--lock",
  "--cert",
  "--location",
  "--seed",
  "--conditions",
  "--preload",
  "--require",
  "--ext",
  "-L",
  "--log-level",
  "--node-modules-linker",
  "--min-dep-age",
  "--inspect-publish-uid",
]);

/** Flags whose value is optional: the next argument is theirs unless it is a flag. */
const OPTIONAL_VALUE_FLAGS = new Set(["--lock"]);

/**
 * Splits a Deno command line (`argv[0]` included) into subcommand and flags.
 * For `run`, the flags end at the first positional argument (the script);
 * for `test` and `bench`, whose positional arguments are files, at `--`.
 */
export function parseDenoCommandLine(argv: string[]): HostCommandLine {
  let i = 1;
  let subcommand = "run";
  if (i < argv.length && SUBCOMMANDS.has(argv[i])) subcommand = argv[i++];
  const positionalsEnd = subcommand === "test" || subcommand === "bench";
  const flags: string[] = [];
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") break;
    if (!arg.startsWith("-")) {
      if (positionalsEnd) continue;
      break;
    }
    flags.push(arg);
    const next = argv[i + 1];
    if (VALUE_FLAGS.has(arg) && next !== undefined) {
      if (OPTIONAL_VALUE_FLAGS.has(arg) && next.startsWith("-")) continue;
      flags.push(next);
      i++;
    }
  }
  return { subcommand, flags };
}

let cachedHost: HostCommandLine | null | undefined;

/**
 * The host's command line, or undefined where it cannot be read: not Linux,
 * or a host without `--allow-all` (Deno opens nothing under /proc without
 * it). Read once: it does not change.
 */
export function hostCommandLine(): HostCommandLine | undefined {
  if (cachedHost !== undefined) return cachedHost ?? undefined;
  cachedHost = null;
  if (process.platform !== "linux" || !allowAllPassed()) return undefined;
  try {
    const raw = readFileSync("/proc/self/cmdline", "utf8");
    cachedHost = parseDenoCommandLine(raw.split("\0").slice(0, -1));
  } catch {
    // not readable after all: the host's flags stay unknown
  }
  return cachedHost ?? undefined;
}

/** Deno's permission kinds, in the order of its flags. */
export const PERMISSION_KINDS = [
  "read",
  "write",
  "net",
  "env",
  "sys",
  "run",
  "ffi",
  "import",
] as const;

/**
 * Whether the host may have been started with `-A`: every permission is
 * granted, in full or but for some `--deny-*` entries. The /proc read, which
 * needs `-A` itself, then settles it; it is not attempted otherwise.
 */
function allowAllPassed(): boolean {
  const deno = denoNamespace();
  if (!deno) return false;
  for (const name of PERMISSION_KINDS) {
    if (!grantedWithoutAsking({ name }, deno)) return false;
  }
  return true;
}

/** Splits `--flag=value` into name and value (undefined without `=`). */
function splitFlag(flag: string): [string, string | undefined] {
  const eq = flag.indexOf("=");
  return eq < 0 ? [flag, undefined] : [flag.slice(0, eq), flag.slice(eq + 1)];
}

/** A path the host gave relative to its working directory, made absolute. */
function absolute(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) && !isAbsolute(path)) return path; // a URL
  return resolve(process.cwd(), path);
}

/** Configuration flags of the host that matter to how a worker loads and runs modules. */
export function hostConfigurationFlags(host: HostCommandLine): string[] {
  const out: string[] = [];
  const { flags } = host;
  for (let i = 0; i < flags.length; i++) {
    const [name, inline] = splitFlag(flags[i]);
    const separate = inline === undefined && VALUE_FLAGS.has(name) &&
        flags[i + 1] !== undefined && !flags[i + 1].startsWith("-")
      ? flags[++i]
      : undefined;
    const value = inline ?? separate;
    switch (name) {
      case "-c":
      case "--config":
      case "--import-map":
      case "--cert":
        if (value !== undefined) {
          out.push(`${longName(name)}=${absolute(value)}`);
        }
        break;
      case "--lock":
        out.push(value === undefined ? "--lock" : `--lock=${absolute(value)}`);
        break;
      case "--no-config":
      case "--no-lock":
      case "--frozen":
      case "--frozen-lockfile":
      case "--node-modules-dir":
      case "--vendor":
      case "--node-modules-linker":
      case "--cached-only":
      case "--no-remote":
      case "--no-npm":
      case "--conditions":
      case "--location":
      case "--seed":
      case "--min-dep-age":
      case "--unsafely-ignore-certificate-errors":
        out.push(value === undefined ? name : `${name}=${value}`);
        break;
      default:
        if (name === "--unstable" || name.startsWith("--unstable-")) {
          out.push(flags[i]);
        }
    }
  }
  return out;
}

function longName(flag: string): string {
  return flag === "-c" ? "--config" : flag;
}

/** The V8 flags the host was started with (`--v8-flags=a,b`), in order. */
export function hostV8Flags(host: HostCommandLine | undefined): string[] {
  if (!host) return [];
  const out: string[] = [];
  for (const flag of host.flags) {
    const [name, value] = splitFlag(flag);
    if (name === "--v8-flags" && value) out.push(...value.split(","));
  }
  return out;
}

const CONFIG_NAMES = ["deno.json", "deno.jsonc"];

/**
 * The deno.json / deno.jsonc nearest above `start`, "none" if there is none,
 * or undefined if a directory on the way could not be looked at (no read
 * permission: the answer is unknown).
 */
function configAbove(start: string): string | "none" | undefined {
  for (let dir = start;; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const path = join(dir, name);
      // Ask first: a look without permission would prompt on a terminal.
      if (!grantedWithoutAsking({ name: "read", path })) return undefined;
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) return "none";
  }
}

/** Where Deno started looking for the host's config file. */
function discoveryStart(host: HostCommandLine | undefined): string {
  const main = denoNamespace()?.mainModule;
  const runsScript = host === undefined || host.subcommand === "run" ||
    host.subcommand === "serve";
  if (runsScript && main?.startsWith("file:")) {
    return dirname(fileURLToPath(main));
  }
  return process.cwd();
}

/**
 * Checks `WorkerPoolOptions.denoConfig` and returns it as an absolute path
 * (undefined when not given). Throws a TypeError for a value that is neither
 * a string nor a URL, a RangeError for an empty string or a URL that is not a
 * file: URL, and an Error for a file that does not exist (when the host may
 * look).
 */
export function checkDenoConfig(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let path: string;
  if (
    value instanceof URL ||
    (typeof value === "string" && value.startsWith("file:"))
  ) {
    const url = new URL(String(value));
    if (url.protocol !== "file:") {
      throw new RangeError(
        `options.denoConfig must be a path or a file: URL of a deno.json or deno.jsonc, got ${url.href}`,
      );
    }
    path = fileURLToPath(url);
  } else if (typeof value === "string") {
    if (value === "") {
      throw new RangeError(
        `options.denoConfig must be a path or a file: URL of a deno.json or deno.jsonc, got ""`,
      );
    }
    path = resolve(process.cwd(), value);
  } else {
    throw new TypeError(
      `options.denoConfig must be a path (a string) or a file: URL of a deno.json or deno.jsonc, got ${
        describe(value)
      }`,
    );
  }
  const mayLook = grantedWithoutAsking({ name: "read", path });
  if (mayLook && !existsSync(path)) {
    throw new Error(`options.denoConfig: no file at ${path}`);
  }
  return path;
}

/**
 * The worker's configuration flags: the host's (see the module comment),
 * with `denoConfig` (an absolute path from `checkDenoConfig`) taking the
 * place of the host's config file when given.
 */
export function denoConfigurationFlags(
  denoConfig: string | undefined,
): string[] {
  const host = hostCommandLine();
  const flags = host ? hostConfigurationFlags(host) : [];
  const setsConfig = (f: string) =>
    f.startsWith("--config=") || f === "--no-config";
  if (denoConfig !== undefined) {
    return [`--config=${denoConfig}`, ...flags.filter((f) => !setsConfig(f))];
  }
  if (flags.some(setsConfig)) return flags;
  const found = configAbove(discoveryStart(host));
  // Unknown (the host may not look): pass nothing, as before; the worker's
  // own lookup then starts from this library's directory.
  if (found === undefined) return flags;
  // None: say so, or the worker would pick up this library's own deno.json.
  return [found === "none" ? "--no-config" : `--config=${found}`, ...flags];
}
