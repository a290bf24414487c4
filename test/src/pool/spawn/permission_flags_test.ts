/**
 * A Deno worker's permission flags from `WorkerPoolOptions.permissions` and
 * the host's grants, with the host a stand-in: a Deno namespace whose
 * `permissions.querySync` answers from a table of grants, as Deno does. No
 * process starts and no `Deno` global is read, so these run on every runtime.
 * (permissions_test.ts runs real hosts with real flags.)
 */
import assert from "node:assert/strict";
import { isNode, test } from "../../../harness.ts";
import type {
  DenoNamespace,
  DenoPermissionStatus,
  PermissionDescriptor,
} from "../../../../src/runtime.ts";
import {
  type PermissionHost,
  workerPermissionFlags,
} from "../../../../src/pool/spawn/permissions.ts";

type Kind =
  | "read"
  | "write"
  | "net"
  | "env"
  | "sys"
  | "run"
  | "ffi"
  | "import";

/**
 * A host's grant of one kind, as its flags gave it: `"all"` (`--allow-read`),
 * a list (`--allow-read=/a,/b`), or all but a list (`--allow-read
 * --deny-read=/etc`). A kind the table leaves out is not granted.
 */
type Granted = "all" | string[] | { allBut: string[] };
type GrantTable = Partial<Record<Kind, Granted>>;

/** The descriptor field Deno reads for each kind. */
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

/** Whether granting `grant` grants `entry` (both of `kind`), as Deno matches them. */
function covers(kind: Kind, grant: string, entry: string): boolean {
  if (grant === entry) return true;
  switch (kind) {
    case "read":
    case "write":
    case "ffi": // a directory covers what lies beneath it
      return entry.startsWith(grant === "/" ? "/" : `${grant}/`);
    case "net":
    case "import": // a host without a port covers every port
      return !grant.includes(":") && entry.startsWith(`${grant}:`);
    default:
      return false;
  }
}

/**
 * A stand-in for the `Deno` namespace of a host started with the grants of
 * `table`. `querySync` answers as Deno 2 does: a kind without a field is
 * granted only when all of it is (partially when some of it is denied);
 * an entry is granted when a grant covers it, denied when a denial does,
 * granted partially when it holds a denied entry, and "prompt" otherwise.
 * `queries` records what was asked.
 */
function standIn(
  table: GrantTable,
  mainModule = "file:///home/u/app/main.ts",
): DenoNamespace & { queries: string[] } {
  const queries: string[] = [];
  const querySync = (d: PermissionDescriptor): DenoPermissionStatus => {
    const kind = d.name as Kind;
    const field = FIELD[kind];
    if (field === undefined) throw new TypeError(`unknown name ${d.name}`);
    const entry = d[field];
    queries.push(entry === undefined ? kind : `${kind}:${entry}`);
    const granted = table[kind] ?? [];
    if (granted === "all") return { state: "granted", partial: false };
    if (Array.isArray(granted)) {
      const ok = entry !== undefined &&
        granted.some((g) => covers(kind, g, entry));
      return { state: ok ? "granted" : "prompt", partial: false };
    }
    // All but the denied entries.
    if (entry === undefined) return { state: "granted", partial: true };
    if (granted.allBut.some((g) => covers(kind, g, entry))) {
      return { state: "denied", partial: false };
    }
    const holdsDenied = granted.allBut.some((g) => covers(kind, entry, g));
    return { state: "granted", partial: holdsDenied };
  };
  return {
    mainModule,
    execPath: () => "/usr/bin/deno",
    permissions: { querySync },
    queries,
  };
}

/** A host started with narrow grants, as a careful user runs one. */
const NARROW: GrantTable = {
  read: ["/home/u/app"],
  write: ["/home/u/app/out"],
  net: ["example.com"],
  env: "all",
  sys: ["hostname", "cpus"],
  run: ["/usr/bin/deno"],
  ffi: [],
  import: ["deno.land", "jsr.io:443"],
};

/** A host started with every permission (`-A`). */
const ALL: GrantTable = {
  read: "all",
  write: "all",
  net: "all",
  env: "all",
  sys: "all",
  run: "all",
  ffi: "all",
  import: "all",
};

const TASKS = "file:///home/u/app/tasks/work.ts";

const narrowHost = (table = NARROW): PermissionHost => ({
  deno: standIn(table),
  holdsAll: false,
});
const allHost = (): PermissionHost => ({ deno: standIn(ALL), holdsAll: true });

/** The worker's flags and whether it reads every file, for `permissions` on `host`. */
function flags(permissions: unknown, host: PermissionHost) {
  return workerPermissionFlags(permissions, TASKS, host);
}

test("permission flags: the stand-in answers as Deno does for a host's grants", () => {
  // The expectations of the cases below rest on these answers, seen from
  // `deno run --allow-read=/home/u/app --allow-net=example.com,...`.
  const { permissions } = standIn(NARROW);
  const state = (d: PermissionDescriptor) => {
    const s = permissions.querySync(d);
    return s.partial ? `${s.state}, partial` : s.state;
  };
  assert.equal(state({ name: "read" }), "prompt");
  assert.equal(state({ name: "read", path: "/home/u/app/data/x" }), "granted");
  assert.equal(state({ name: "read", path: "/home/u" }), "prompt");
  assert.equal(state({ name: "read", path: "/home/u/application" }), "prompt");
  assert.equal(state({ name: "env" }), "granted");
  assert.equal(state({ name: "net", host: "example.com:443" }), "granted");
  assert.equal(state({ name: "import", host: "jsr.io:443" }), "granted");
  assert.equal(state({ name: "import", host: "jsr.io:8443" }), "prompt");
  assert.equal(state({ name: "ffi" }), "prompt");
  const denying = standIn({ read: { allBut: ["/etc"] } }).permissions;
  const status = (d: PermissionDescriptor) => denying.querySync(d);
  assert.deepEqual(status({ name: "read" }), {
    state: "granted",
    partial: true,
  });
  assert.deepEqual(status({ name: "read", path: "/etc/passwd" }), {
    state: "denied",
    partial: false,
  });
  assert.deepEqual(status({ name: "read", path: "/" }), {
    state: "granted",
    partial: true,
  });
  assert.deepEqual(status({ name: "read", path: "/home/u/app" }), {
    state: "granted",
    partial: false,
  });
});

test('permission flags: "inherit" under -A passes --allow-all on, and reads every file', () => {
  const host = allHost();
  assert.deepEqual(flags("inherit", host), {
    flags: ["--allow-all"],
    readsAnyFile: true,
  });
  assert.deepEqual(flags(undefined, host), {
    flags: ["--allow-all"],
    readsAnyFile: true,
  });
});

test('permission flags: "inherit" under narrow grants gives what querySync confirms of the places the pool knows', () => {
  assert.deepEqual(flags("inherit", narrowHost()), {
    flags: [
      // The main module's and the task module's folder, up to the outermost granted.
      "--allow-read=/home/u/app",
      // Granted below those places only: it cannot be seen, so it is left out.
      "--deny-write",
      // Hosts cannot be listed.
      "--deny-net",
      "--allow-env",
      "--allow-sys=hostname,cpus",
      "--allow-run=/usr/bin/deno",
      "--deny-ffi",
      // Deno's default import hosts that are granted, with their port.
      "--allow-import=deno.land:443,jsr.io:443",
    ],
    readsAnyFile: false,
  });
  // Every kind granted in full: each passed on whole, but not as -A (the
  // host's command line was not readable).
  assert.deepEqual(flags("inherit", narrowHost(ALL)), {
    flags: [
      "--allow-read",
      "--allow-write",
      "--allow-net",
      "--allow-env",
      "--allow-sys",
      "--allow-run",
      "--allow-ffi",
      "--allow-import",
    ],
    readsAnyFile: true,
  });
  // Each known place walked up to its outermost granted folder: the main
  // module's (/srv/tool/bin) and the task module's (/home/u/app/tasks).
  const twoRoots = standIn(
    { ...NARROW, read: ["/home/u/app", "/srv/tool"] },
    "file:///srv/tool/bin/main.ts",
  );
  assert.deepEqual(
    workerPermissionFlags("inherit", TASKS, {
      deno: twoRoots,
      holdsAll: false,
    })?.flags[0],
    "--allow-read=/srv/tool,/home/u/app",
  );
  // A task module on a remote host: that host is probed for import too.
  const deno = standIn({
    ...NARROW,
    import: ["deno.land", "example.org:8080"],
  });
  assert.deepEqual(
    workerPermissionFlags(
      "inherit",
      "http://example.org:8080/tasks.ts",
      { deno, holdsAll: false },
    )?.flags.at(-1),
    "--allow-import=deno.land:443,example.org:8080",
  );
  assert.ok(
    deno.queries.includes("import:example.org:8080"),
    deno.queries.join(),
  );
});

test('permission flags: "none" denies every kind but import, which is inherited', () => {
  assert.deepEqual(flags("none", narrowHost()), {
    flags: [
      "--deny-read",
      "--deny-write",
      "--deny-net",
      "--deny-env",
      "--deny-sys",
      "--deny-run",
      "--deny-ffi",
      "--allow-import=deno.land:443,jsr.io:443",
    ],
    readsAnyFile: false,
  });
  assert.deepEqual(flags("none", allHost()), {
    flags: [
      "--deny-read",
      "--deny-write",
      "--deny-net",
      "--deny-env",
      "--deny-sys",
      "--deny-run",
      "--deny-ffi",
      "--allow-import",
    ],
    readsAnyFile: false,
  });
});

test("permission flags: an object narrows the host's grants; a missing kind is denied, a missing import inherited", () => {
  const cases: [unknown, string[], boolean][] = [
    [{ read: ["/home/u/app/data"] }, [
      "--allow-read=/home/u/app/data",
      "--deny-write",
      "--deny-net",
      "--deny-env",
      "--deny-sys",
      "--deny-run",
      "--deny-ffi",
      "--allow-import=deno.land:443,jsr.io:443",
    ], false],
    // A file: URL is a path; a trailing slash goes.
    [{ read: [new URL("file:///home/u/app/data/")], import: false }, [
      "--allow-read=/home/u/app/data",
      "--deny-write",
      "--deny-net",
      "--deny-env",
      "--deny-sys",
      "--deny-run",
      "--deny-ffi",
      "--deny-import",
    ], false],
    [{
      read: "inherit",
      write: ["/home/u/app/out/logs"],
      net: ["example.com:443", "example.com:8080"],
      env: ["HOME", "PATH"],
      sys: ["cpus"],
      run: ["/usr/bin/deno"],
      ffi: false,
      import: ["jsr.io:443"],
    }, [
      "--allow-read=/home/u/app",
      "--allow-write=/home/u/app/out/logs",
      "--allow-net=example.com:443,example.com:8080",
      "--allow-env=HOME,PATH",
      "--allow-sys=cpus",
      "--allow-run=/usr/bin/deno",
      "--deny-ffi",
      "--allow-import=jsr.io:443",
    ], false],
    // true for a kind the host holds in full.
    [{ env: true }, [
      "--deny-read",
      "--deny-write",
      "--deny-net",
      "--allow-env",
      "--deny-sys",
      "--deny-run",
      "--deny-ffi",
      "--allow-import=deno.land:443,jsr.io:443",
    ], false],
  ];
  for (const [permissions, expected, readsAnyFile] of cases) {
    assert.deepEqual(
      flags(permissions, narrowHost()),
      { flags: expected, readsAnyFile },
      JSON.stringify(permissions),
    );
  }
  // Under -A, true is all of it, and all of read reads every file.
  assert.deepEqual(flags({ read: true, net: ["example.com"] }, allHost()), {
    flags: [
      "--allow-read",
      "--deny-write",
      "--allow-net=example.com",
      "--deny-env",
      "--deny-sys",
      "--deny-run",
      "--deny-ffi",
      "--allow-import",
    ],
    readsAnyFile: true,
  });
});

test("permission flags: an entry or a true that would widen the host's grants is a TypeError naming it", () => {
  const widen: [unknown, string][] = [
    [
      { read: ["/etc"] },
      'options.permissions.read[0] ("/etc") is not granted to the host, in full: a worker may only narrow the host\'s permissions',
    ],
    [
      { read: ["/home/u/app/data", "/home/u"] },
      'options.permissions.read[1] ("/home/u") is not granted to the host, in full: a worker may only narrow the host\'s permissions',
    ],
    [
      { net: ["example.org:443"] },
      'options.permissions.net[0] ("example.org:443") is not granted to the host, in full: a worker may only narrow the host\'s permissions',
    ],
    [
      { run: ["/bin/sh"] },
      'options.permissions.run[0] ("/bin/sh") is not granted to the host, in full: a worker may only narrow the host\'s permissions',
    ],
    [
      { net: true },
      "options.permissions.net: true asks for all net access, which the host does not have (a worker may only narrow the host's permissions)",
    ],
    [
      { read: true },
      "options.permissions.read: true asks for all read access, which the host does not have (a worker may only narrow the host's permissions)",
    ],
  ];
  for (const [permissions, message] of widen) {
    assert.throws(() => flags(permissions, narrowHost()), {
      name: "TypeError",
      message,
    });
  }
  // All of read but /etc: /etc and what lies in it are refused, and so is
  // a folder that holds it (granted only in part), and so is true.
  const denying = narrowHost({ ...NARROW, read: { allBut: ["/etc"] } });
  assert.deepEqual(
    flags({ read: ["/home/u"] }, denying)?.flags[0],
    "--allow-read=/home/u",
  );
  for (
    const [read, message] of [
      [
        ["/etc/ssl"],
        /^options\.permissions\.read\[0\] \("\/etc\/ssl"\) is not granted/,
      ],
      [["/"], /^options\.permissions\.read\[0\] \("\/"\) is not granted/],
      [true, /^options\.permissions\.read: true asks for all read access/],
    ] as const
  ) {
    assert.throws(() => flags({ read }, denying), {
      name: "TypeError",
      message,
    });
  }
});

test("permission flags: a wrong type is a TypeError, a wrong value of the right type a RangeError, each naming the option", () => {
  const bad: [unknown, "TypeError" | "RangeError", string][] = [
    [
      "all",
      "RangeError",
      'options.permissions must be "inherit", "none" or an object like Deno.PermissionOptionsObject, got "all"',
    ],
    [
      5,
      "TypeError",
      'options.permissions must be "inherit", "none" or an object like Deno.PermissionOptionsObject, got number',
    ],
    [
      ["read"],
      "TypeError",
      'options.permissions must be "inherit", "none" or an object like Deno.PermissionOptionsObject, got an array',
    ],
    [
      { disk: true },
      "TypeError",
      "options.permissions.disk is not a permission; accepted: read, write, net, env, sys, run, ffi, import",
    ],
    [
      { read: 5 },
      "TypeError",
      'options.permissions.read must be "inherit", a boolean or an array, got number',
    ],
    [
      { read: "yes" },
      "RangeError",
      'options.permissions.read must be "inherit", a boolean or an array, got "yes"',
    ],
    [
      { read: [""] },
      "RangeError",
      'options.permissions.read[0] must be a non-empty string or a file: URL, got ""',
    ],
    [
      { env: [7] },
      "TypeError",
      "options.permissions.env[0] must be a non-empty string, got number",
    ],
    [
      { read: [new URL("https://example.com/")] },
      "RangeError",
      "options.permissions.read[0] must be a path or a file: URL, got https://example.com/",
    ],
    [
      { net: ["a,b"] },
      "RangeError",
      'options.permissions.net[0] must not contain a comma, got "a,b"',
    ],
  ];
  for (const [permissions, name, message] of bad) {
    for (const host of [narrowHost(), allHost()]) {
      assert.throws(() => flags(permissions, host), { name, message });
    }
  }
});

test('permission flags: without a Deno host there are no Deno flags; on Bun only "inherit" is accepted', () => {
  assert.equal(workerPermissionFlags("inherit", TASKS, undefined), undefined);
  assert.equal(workerPermissionFlags(undefined, TASKS, undefined), undefined);
  if (isNode) {
    // Node has a permission model of its own (node_permissions.ts): the
    // shape is checked here, the flags made there.
    assert.equal(workerPermissionFlags("none", TASKS, undefined), undefined);
    assert.equal(
      workerPermissionFlags({ read: false }, TASKS, undefined),
      undefined,
    );
    assert.throws(() => workerPermissionFlags(true, TASKS, undefined), {
      name: "TypeError",
      message:
        'options.permissions must be "inherit", "none" or an object like Deno.PermissionOptionsObject, got boolean',
    });
    return;
  }
  for (
    const [permissions, got] of [
      ["none", '"none"'],
      [{ read: false }, "object"],
      [true, "boolean"],
    ] as const
  ) {
    assert.throws(() => workerPermissionFlags(permissions, TASKS, undefined), {
      name: "TypeError",
      message:
        `options.permissions is for Deno and Node: this runtime has no permission model, so only "inherit" is accepted, got ${got}`,
    });
  }
});

test('permission flags: the grants are asked of the namespace passed in, and a -A host is not asked for "inherit"', () => {
  const deno = standIn(NARROW);
  workerPermissionFlags("inherit", TASKS, { deno, holdsAll: false });
  // Each kind asked for whole first, then the places and entries it may hold.
  for (
    const kind of ["read", "write", "net", "env", "sys", "run", "ffi", "import"]
  ) {
    assert.ok(deno.queries.includes(kind), `${kind}: ${deno.queries}`);
  }
  assert.ok(deno.queries.includes("read:/home/u/app/tasks"));
  assert.ok(deno.queries.includes("run:/usr/bin/deno"));
  // A host under -A is not asked at all for "inherit".
  const all = standIn(ALL);
  workerPermissionFlags("inherit", TASKS, { deno: all, holdsAll: true });
  assert.deepEqual(all.queries, []);
});
