/**
 * Permissions of Node workers, through Node's permission model
 * (`--permission` and its `--allow-*` flags): `WorkerPoolOptions.permissions`
 * checked against the host's own and turned into the worker's flags. The
 * rule is Deno's (permissions.ts): a worker never has a right the host
 * lacks. A host without `--permission` has every right, and its workers get
 * every right under `"inherit"`.
 *
 * The worker itself must still read its own files (this library's), the
 * task module, and /proc for memory limits: those reads are granted, and
 * nothing else. It gets no child processes (so no `chrt`: its brake runs
 * unprivileged) and no FFI (so it falls back from the subreaper to the
 * environment marker) unless the permissions give them.
 */
import { describe } from "../../limits/validate.ts";

/** What a Node host holds, from its command line. */
export interface NodeHost {
  /** The host's `process.execArgv`. */
  execArgv: readonly string[];
}

/** Paths the worker reads for itself: its entry files' root, the task module, /proc. */
export interface WorkerNeeds {
  reads: string[];
}

/** The host's permission flags, and whether it runs under `--permission`. */
function hostFlags(host: NodeHost): { restricted: boolean; flags: string[] } {
  const flags = host.execArgv.filter((f) =>
    f === "--permission" || f === "--experimental-permission" ||
    f.startsWith("--allow-")
  );
  return {
    restricted: flags.includes("--permission") ||
      flags.includes("--experimental-permission"),
    flags,
  };
}

/** Whether the host's flags grant `flag` (an `--allow-*` without list) in full. */
function hostHas(flags: string[], flag: string): boolean {
  return flags.some((f) => f === flag || f === `${flag}=*`);
}

/** Paths the host may `kind` ("fs-read", "fs-write"): "*" for all. */
function hostPaths(flags: string[], kind: string): string[] {
  const prefix = `--allow-${kind}=`;
  return flags.filter((f) => f.startsWith(prefix)).flatMap((f) =>
    f.slice(prefix.length).split(",")
  );
}

function coversPath(granted: string[], path: string): boolean {
  return granted.some((g) =>
    g === "*" || path === g || path.startsWith(g.endsWith("/") ? g : g + "/") ||
    (g.endsWith("*") && path.startsWith(g.slice(0, -1)))
  );
}

const BOOLEAN_FLAGS = {
  run: ["--allow-child-process"],
  net: ["--allow-net"],
  ffi: ["--allow-addons", "--allow-ffi"],
} as const;

/**
 * The Node worker's permission flags for `permissions` (already known to
 * be `"inherit"`, `"none"` or an object), given the host's command line and
 * what the worker needs for itself. Throws a TypeError naming an entry that
 * would widen the host's rights, or one Node's model cannot express.
 */
export function nodePermissionFlags(
  permissions: unknown,
  host: NodeHost,
  needs: WorkerNeeds,
): string[] {
  const { restricted, flags } = hostFlags(host);
  const value = permissions ?? "inherit";
  if (value === "inherit") return flags;
  const own = needs.reads.map((p) => `--allow-fs-read=${p}`);
  if (value === "none") return ["--permission", ...own];
  const object = value as Record<string, unknown>;
  const out = ["--permission", ...own];
  for (const [kind, entry] of Object.entries(object)) {
    const name = `options.permissions.${kind}`;
    const narrows = kind === "read" || kind === "write" ||
      kind in BOOLEAN_FLAGS;
    if (entry === undefined || (entry === false && narrows)) continue;
    if (kind === "read" || kind === "write") {
      const fsKind = kind === "read" ? "fs-read" : "fs-write";
      const granted = restricted ? hostPaths(flags, fsKind) : ["*"];
      if (entry === "inherit" || entry === true) {
        if (entry === true && !granted.includes("*")) {
          throw new TypeError(
            `${name}: true asks for all ${kind} access, which the host does not have (a worker may only narrow the host's permissions)`,
          );
        }
        for (const p of granted) out.push(`--allow-${fsKind}=${p}`);
        continue;
      }
      if (!Array.isArray(entry)) {
        throw new TypeError(
          `${name} must be "inherit", a boolean or an array, got ${
            describe(entry)
          }`,
        );
      }
      entry.forEach((item, i) => {
        const path = item instanceof URL ? item.pathname : item;
        if (typeof path !== "string" || path === "") {
          throw new TypeError(
            `${name}[${i}] must be a non-empty string or a file: URL, got ${
              describe(item)
            }`,
          );
        }
        if (!coversPath(granted, path)) {
          throw new TypeError(
            `${name}[${i}] ("${path}") is not granted to the host: a worker may only narrow the host's permissions`,
          );
        }
        out.push(`--allow-${fsKind}=${path}`);
      });
      continue;
    }
    if (kind in BOOLEAN_FLAGS) {
      const wanted = BOOLEAN_FLAGS[kind as keyof typeof BOOLEAN_FLAGS];
      if (entry !== true && entry !== "inherit") {
        throw new TypeError(
          `${name} must be "inherit" or a boolean on Node (its permission model grants ${
            wanted.join(" and ")
          } in full or not at all), got ${describe(entry)}`,
        );
      }
      const held = wanted.filter((f) => !restricted || hostHas(flags, f));
      if (entry === true && held.length < wanted.length) {
        throw new TypeError(
          `${name}: true asks for ${
            wanted.join(" and ")
          }, which the host does not have (a worker may only narrow the host's permissions)`,
        );
      }
      out.push(...held);
      continue;
    }
    // env, sys, import: Node's model has no such permission to narrow.
    if (entry !== true && entry !== "inherit") {
      throw new TypeError(
        `${name} cannot be narrowed on Node: its permission model has no ${kind} permission (give "inherit" or true, or leave it out)`,
      );
    }
  }
  // Worker threads run under the same permissions: allowed where the host allows them.
  if (!restricted || hostHas(flags, "--allow-worker")) {
    out.push("--allow-worker");
  }
  return out;
}
