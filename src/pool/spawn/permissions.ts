/**
 * Permissions of Deno workers: `WorkerPoolOptions.permissions` checked
 * against the host's own grants and turned into `deno run` flags, and the
 * check that the host holds what the pool itself needs.
 *
 * The rule: a worker never has a permission the host lacks. What the host
 * holds is known exactly only under `-A`; a host with narrower grants
 * cannot list them (Deno opens /proc only with every permission granted, and
 * `process.execArgv` is empty), so there each grant is verified with
 * `Deno.permissions.querySync` and what cannot be verified is left out: the
 * worker gets less, never more.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe } from "../../limits/validate.ts";
import { type DenoNamespace, denoNamespace, runtime } from "../../runtime.ts";
import { hostCommandLine, PERMISSION_KINDS } from "./deno_flags.ts";

/**
 * One permission's setting in a `WorkerPermissionsObject`: `"inherit"` (the
 * host's), `true` (all of it; the host must hold all of it), `false` (none),
 * or a list of paths, hosts, variables, API names or commands (each granted
 * to the host).
 *
 * @example
 * ```ts
 * import type {
 *   WorkerPermissionsObject,
 *   WorkerPermissionValue,
 * } from "memlimits";
 *
 * const read: WorkerPermissionValue = ["./data", new URL("file:///srv/cache/")];
 * const permissions: WorkerPermissionsObject = {
 *   read, // these paths only
 *   net: "inherit", // the host's own
 *   sys: true, // all of it: the host must hold all of it
 *   env: false, // none, as a missing entry
 * };
 * ```
 */
export type WorkerPermissionValue =
  | "inherit"
  | boolean
  | ReadonlyArray<string | URL>;

/**
 * Permissions of a Deno worker, in the shape of Deno's
 * `Deno.PermissionOptionsObject`: each entry may only narrow the host's.
 * `"inherit"` keeps the host's, `true` asks for all of it (the host must hold
 * all of it), `false` or a missing entry gives none, a list gives those
 * paths, hosts, variables, kinds or commands (each must be granted to the
 * host). `import` (loading remote modules) is the exception: missing, it is
 * inherited, so that the worker can load what the host can.
 *
 * @example
 * ```ts
 * import { WorkerPool, type WorkerPermissionsObject } from "memlimits";
 *
 * // Reads ./data and fetches from one host; no write, env, sys, run or ffi.
 * const permissions: WorkerPermissionsObject = {
 *   read: ["./data"],
 *   net: ["127.0.0.1:8000"],
 * };
 * await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
 *   permissions, // Deno only; a TypeError names an entry the host lacks
 * });
 * ```
 */
export interface WorkerPermissionsObject {
  /** File system read access: paths. */
  read?: WorkerPermissionValue;
  /** File system write access: paths. */
  write?: WorkerPermissionValue;
  /** Network access: `host`, `host:port`, `unix:/path`. */
  net?: WorkerPermissionValue;
  /** Environment variables: names. */
  env?: WorkerPermissionValue;
  /** OS information: API names such as `"hostname"`. */
  sys?: WorkerPermissionValue;
  /** Subprocesses: program names or paths. */
  run?: WorkerPermissionValue;
  /** Dynamic libraries: paths. */
  ffi?: WorkerPermissionValue;
  /** Remote module hosts (`host` or `host:port`). Missing: inherited. */
  import?: WorkerPermissionValue;
}

/**
 * `WorkerPoolOptions.permissions`: `"inherit"` (the host's own grants),
 * `"none"`, or a `WorkerPermissionsObject` that narrows them.
 *
 * @example
 * ```ts
 * import { WorkerPool, type WorkerPermissions } from "memlimits";
 *
 * // Pure tasks need nothing: a task that reads a file, opens a socket or
 * // starts a process rejects with Deno's NotCapable error.
 * const permissions: WorkerPermissions = "Deno" in globalThis
 *   ? "none"
 *   : "inherit"; // Bun and Node have no permission model
 * await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
 *   permissions,
 * });
 * ```
 */
export type WorkerPermissions = "inherit" | "none" | WorkerPermissionsObject;

type Kind = keyof WorkerPermissionsObject;
const KINDS: readonly Kind[] = PERMISSION_KINDS;

/** The descriptor field `Deno.permissions.querySync` takes for each kind. */
const FIELD: Record<Kind, string> = {
  read: "path",
  write: "path",
  ffi: "path",
  net: "host",
  import: "host",
  env: "variable",
  sys: "kind",
  run: "command",
};

/** Names `--allow-sys` accepts. */
const SYS_KINDS = [
  "hostname",
  "osRelease",
  "osUptime",
  "loadavg",
  "networkInterfaces",
  "systemMemoryInfo",
  "uid",
  "gid",
  "cpus",
  "homedir",
  "statfs",
  "getPriority",
  "setPriority",
  "userInfo",
];

/** Deno's default `--allow-import` hosts, with the port querySync needs. */
const DEFAULT_IMPORT_HOSTS = [
  "deno.land:443",
  "jsr.io:443",
  "esm.sh:443",
  "cdn.jsdelivr.net:443",
  "raw.githubusercontent.com:443",
  "gist.githubusercontent.com:443",
];

/** One permission as granted: all of it, or the `allow` entries. */
interface Grant {
  all: boolean;
  allow: string[];
}

const NONE: Grant = { all: false, allow: [] };
const ALL: Grant = { all: true, allow: [] };

/** The worker's permission flags, and whether they let it read every file. */
export interface WorkerPermissionFlags {
  /** `deno run` flags; never empty (an empty set would make Deno's node:child_process add `-A`). */
  flags: string[];
  /** False when the worker may not read every file: the task module is then preloaded. */
  readsAnyFile: boolean;
}

/**
 * The host whose permissions a worker's narrow: its Deno namespace (a
 * stand-in in tests), and whether it holds every permission in full (then
 * its command line is readable, and it passes `-A` on).
 */
export interface PermissionHost {
  deno: DenoNamespace;
  holdsAll: boolean;
}

/** This process as a `PermissionHost` (undefined on Bun and Node). */
export function currentPermissionHost(): PermissionHost | undefined {
  const deno = denoNamespace();
  if (!deno) return undefined;
  return { deno, holdsAll: hostCommandLine() !== undefined };
}

/** Whether the host holds `entry` of `kind` in full. */
export function granted(
  deno: DenoNamespace,
  kind: Kind,
  entry: string,
): boolean {
  try {
    const status = deno.permissions.querySync({
      name: kind,
      [FIELD[kind]]: entry,
    });
    return status.state === "granted" && !status.partial;
  } catch {
    return false; // a descriptor Deno cannot parse is not granted
  }
}

/** The outermost directory at or above `path` that the host may `kind` (read/write/ffi). */
function grantedRoot(
  host: PermissionHost,
  kind: Kind,
  path: string,
): string | undefined {
  if (!granted(host.deno, kind, path)) return undefined;
  let root = path;
  while (dirname(root) !== root && granted(host.deno, kind, dirname(root))) {
    root = dirname(root);
  }
  return root;
}

/**
 * What the host can be shown to hold of `kind` without its command line:
 * all of it, or the entries among the places the pool knows of (working
 * directory, main module, task module; the Deno executable; every sys API;
 * Deno's default import hosts) that `querySync` confirms.
 */
function probedGrant(
  host: PermissionHost,
  kind: Kind,
  taskModule: string,
): Grant {
  const { deno } = host;
  const status = deno.permissions.querySync({ name: kind });
  if (status.state === "granted" && !status.partial) return ALL;
  let candidates: string[] = [];
  if (kind === "read" || kind === "write" || kind === "ffi") {
    const places = [process.cwd()];
    if (deno.mainModule.startsWith("file:")) {
      places.push(dirname(fileURLToPath(deno.mainModule)));
    }
    if (taskModule.startsWith("file:")) {
      places.push(dirname(fileURLToPath(taskModule)));
    }
    const roots = places.map((p) => grantedRoot(host, kind, p)).filter((r) =>
      r !== undefined
    );
    candidates = roots.filter((r, i) =>
      roots.indexOf(r) === i &&
      !roots.some((o) => o !== r && r.startsWith(o === "/" ? o : o + "/"))
    );
    return { ...NONE, allow: candidates };
  }
  if (kind === "run") candidates = [deno.execPath()];
  if (kind === "sys") candidates = SYS_KINDS;
  if (kind === "import") {
    candidates = [...DEFAULT_IMPORT_HOSTS];
    if (/^https?:/.test(taskModule)) {
      const url = new URL(taskModule);
      candidates.push(
        `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`,
      );
    }
  }
  return {
    ...NONE,
    allow: candidates.filter((c) => granted(host.deno, kind, c)),
  };
}

/**
 * The host's grant of `kind`. Its command line is readable only with every
 * permission granted in full (a `--deny-*` flag closes /proc too), and then it
 * holds everything; otherwise, what can be verified.
 */
function hostGrant(
  host: PermissionHost,
  kind: Kind,
  taskModule: string,
): Grant {
  return host.holdsAll ? ALL : probedGrant(host, kind, taskModule);
}

/** An entry of a permission list, as the worker's flag will carry it. */
function entryText(kind: Kind, name: string, entry: unknown): string {
  const pathKind = kind === "read" || kind === "write" || kind === "ffi" ||
    kind === "run";
  let text: string;
  const accepted = `a non-empty string${pathKind ? " or a file: URL" : ""}`;
  if (entry instanceof URL && pathKind) {
    if (entry.protocol !== "file:") {
      throw new RangeError(
        `${name} must be a path or a file: URL, got ${entry.href}`,
      );
    }
    text = fileURLToPath(entry);
  } else if (typeof entry === "string") {
    if (entry === "") {
      throw new RangeError(`${name} must be ${accepted}, got ""`);
    }
    text = entry;
  } else {
    throw new TypeError(`${name} must be ${accepted}, got ${describe(entry)}`);
  }
  if (text.includes(",")) {
    throw new RangeError(`${name} must not contain a comma, got "${text}"`);
  }
  // A relative path means the host's working directory, as for Deno's flags.
  if (kind !== "run" && pathKind) text = resolve(process.cwd(), text);
  return text;
}

/** The worker's grant of `kind` for one entry of the permissions object. */
function narrowedGrant(
  host: PermissionHost,
  kind: Kind,
  value: unknown,
  taskModule: string,
): Grant {
  const name = `options.permissions.${kind}`;
  if (value === "inherit") return hostGrant(host, kind, taskModule);
  if (value === false) return NONE;
  if (value === true) {
    const all = hostGrant(host, kind, taskModule);
    if (!all.all) {
      throw new TypeError(
        `${name}: true asks for all ${kind} access, which the host does not have (a worker may only narrow the host's permissions)`,
      );
    }
    return all;
  }
  if (typeof value === "string") {
    throw new RangeError(
      `${name} must be "inherit", a boolean or an array, got "${value}"`,
    );
  }
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${name} must be "inherit", a boolean or an array, got ${
        describe(value)
      }`,
    );
  }
  const allow = value.map((entry, i) => {
    const text = entryText(kind, `${name}[${i}]`, entry);
    if (!granted(host.deno, kind, text)) {
      throw new TypeError(
        `${name}[${i}] ("${text}") is not granted to the host, in full: a worker may only narrow the host's permissions`,
      );
    }
    return text;
  });
  return { all: false, allow };
}

/** The `deno run` flags for one permission. */
function flagsOf(kind: Kind, grant: Grant): string[] {
  if (grant.all) return [`--allow-${kind}`];
  if (grant.allow.length === 0) return [`--deny-${kind}`];
  return [`--allow-${kind}=${grant.allow.join(",")}`];
}

/**
 * `WorkerPoolOptions.permissions` checked for its shape: "inherit", "none",
 * or an object whose keys are permission kinds. A string that is not one of
 * the two is a RangeError; anything else (an array included) a TypeError.
 */
function checkShape(
  value: unknown,
): "inherit" | "none" | Record<string, unknown> {
  if (value === "inherit" || value === "none") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const key of Object.keys(value)) {
      if (!(KINDS as readonly string[]).includes(key)) {
        throw new TypeError(
          `options.permissions.${key} is not a permission; accepted: ${
            KINDS.join(", ")
          }`,
        );
      }
    }
    return value as Record<string, unknown>;
  }
  const Refusal = typeof value === "string" ? RangeError : TypeError;
  throw new Refusal(
    `options.permissions must be "inherit", "none" or an object like Deno.PermissionOptionsObject, got ${
      typeof value === "string"
        ? `"${value}"`
        : Array.isArray(value)
        ? "an array"
        : describe(value)
    }`,
  );
}

/**
 * Checks `WorkerPoolOptions.permissions` and, on Deno, returns the worker's
 * permission flags. Throws a TypeError for a value of the wrong type or an
 * unknown permission, a RangeError for a value of the right type that is not
 * accepted (a string other than the ones named, an empty entry), and a
 * TypeError for an entry that would widen the host's permissions (naming
 * the entry).
 * `host` is the Deno host (`currentPermissionHost()`); undefined on Bun and
 * Node, which have no permission model: there anything but "inherit" is
 * refused.
 */
export function workerPermissionFlags(
  permissions: unknown,
  taskModule: string,
  host: PermissionHost | undefined,
): WorkerPermissionFlags | undefined {
  const value = permissions === undefined ? "inherit" : permissions;
  if (!host) {
    // Node has a permission model of its own: node_permissions.ts makes its
    // flags, and only the shape is checked here.
    if (runtime === "node") {
      checkShape(value);
      return undefined;
    }
    if (value !== "inherit") {
      throw new TypeError(
        `options.permissions is for Deno and Node: this runtime has no permission model, so only "inherit" is accepted, got ${
          typeof value === "string" ? `"${value}"` : typeof value
        }`,
      );
    }
    return undefined;
  }
  const shaped = checkShape(value);
  let grants: Record<Kind, Grant>;
  if (shaped === "inherit") {
    // -A: pass it on as such (it also opens /dev and /proc).
    if (host.holdsAll) {
      return { flags: ["--allow-all"], readsAnyFile: true };
    }
    grants = Object.fromEntries(
      KINDS.map((k) => [k, hostGrant(host, k, taskModule)]),
    ) as Record<Kind, Grant>;
  } else if (shaped === "none") {
    grants = Object.fromEntries(
      KINDS.map((
        k,
      ) => [k, k === "import" ? hostGrant(host, k, taskModule) : NONE]),
    ) as Record<Kind, Grant>;
  } else {
    grants = Object.fromEntries(KINDS.map((k) => {
      const entry = shaped[k] ?? (k === "import" ? "inherit" : false);
      return [k, narrowedGrant(host, k, entry, taskModule)];
    })) as Record<Kind, Grant>;
  }
  return {
    flags: KINDS.flatMap((k) => flagsOf(k, grants[k])),
    // Without all of read, the task module's imports might lie outside what
    // the worker may read, even where the module itself does not.
    readsAnyFile: grants.read.all,
  };
}
