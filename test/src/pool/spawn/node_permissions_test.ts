/** Permissions of Node workers, through Node's permission model (node_permissions.ts). */
import assert from "node:assert/strict";
import { isBun, isNode, test } from "../../../harness.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import { nodePermissionFlags } from "../../../../src/pool/spawn/node_permissions.ts";
import { withoutUsage } from "../../fixture.ts";

const TASKS = new URL("../fixtures/node_permission_tasks.ts", import.meta.url);
const NEEDS = { reads: ["/lib", "/tasks.ts"] };

test("node permissions: host flags → worker flags", () => {
  const rows: [string[], unknown, string[]][] = [
    // A host without --permission: every right under "inherit".
    [[], "inherit", []],
    [["--max-old-space-size=512"], undefined, []],
    [
      ["--permission", "--allow-fs-read=/data", "--allow-child-process"],
      "inherit",
      [
        "--permission",
        "--allow-fs-read=/data",
        "--allow-child-process",
      ],
    ],
    [[], "none", [
      "--permission",
      "--allow-fs-read=/lib",
      "--allow-fs-read=/tasks.ts",
    ]],
    [["--permission", "--allow-fs-read=*"], "none", [
      "--permission",
      "--allow-fs-read=/lib",
      "--allow-fs-read=/tasks.ts",
    ]],
    [[], { read: ["/data"], run: true }, [
      "--permission",
      "--allow-fs-read=/lib",
      "--allow-fs-read=/tasks.ts",
      "--allow-fs-read=/data",
      "--allow-child-process",
      "--allow-worker",
    ]],
    [["--permission", "--allow-fs-read=/data", "--allow-worker"], {
      read: ["/data/x"],
      net: false,
    }, [
      "--permission",
      "--allow-fs-read=/lib",
      "--allow-fs-read=/tasks.ts",
      "--allow-fs-read=/data/x",
      "--allow-worker",
    ]],
    [["--permission", "--allow-fs-write=/out"], {
      write: "inherit",
      ffi: "inherit",
    }, [
      "--permission",
      "--allow-fs-read=/lib",
      "--allow-fs-read=/tasks.ts",
      "--allow-fs-write=/out",
    ]],
  ];
  for (const [execArgv, permissions, flags] of rows) {
    assert.deepEqual(
      nodePermissionFlags(permissions, { execArgv }, NEEDS),
      flags,
      `${execArgv.join(" ")} with ${JSON.stringify(permissions)}`,
    );
  }
});

test("node permissions: an entry that widens the host's, or that Node cannot express, is a TypeError naming it", () => {
  const host = { execArgv: ["--permission", "--allow-fs-read=/data"] };
  assert.throws(() => nodePermissionFlags({ read: ["/etc"] }, host, NEEDS), {
    name: "TypeError",
    message:
      'options.permissions.read[0] ("/etc") is not granted to the host: a worker may only narrow the host\'s permissions',
  });
  assert.throws(() => nodePermissionFlags({ run: true }, host, NEEDS), {
    name: "TypeError",
    message: /options\.permissions\.run: true asks for --allow-child-process/,
  });
  assert.throws(
    () => nodePermissionFlags({ run: ["git"] }, { execArgv: [] }, NEEDS),
    /options\.permissions\.run must be "inherit" or a boolean on Node/,
  );
  assert.throws(
    () => nodePermissionFlags({ env: false }, { execArgv: [] }, NEEDS),
    /options\.permissions\.env cannot be narrowed on Node/,
  );
});

test(
  'node permissions: under "none", reading a file, spawning a process and starting a worker are refused with ERR_ACCESS_DENIED; a pure task runs',
  async () => {
    await using pool = new WorkerPool(TASKS, { size: 1, permissions: "none" });
    assert.deepEqual(withoutUsage(await pool.run("pure", [1, 2])), {
      ok: true,
      value: 3,
    });
    for (
      const [task, args] of [
        ["readFile", ["/etc/hostname"]],
        ["spawnProcess", []],
        ["startWorker", []],
      ] as const
    ) {
      await assert.rejects(pool.run(task, [...args]), (error: Error) => {
        assert.match(
          `${(error as { code?: string }).code} ${error.message}`,
          /ERR_ACCESS_DENIED/,
          task,
        );
        return true;
      });
    }
    // With the host's rights (this host has no --permission): all allowed.
    await using open = new WorkerPool(TASKS, { size: 1 });
    assert.equal((await open.run("spawnProcess", [])).ok, true);
  },
  { skip: !isNode },
);

test(
  'node permissions: on Bun anything but "inherit" stays a TypeError',
  () => {
    assert.throws(() => new WorkerPool(TASKS, { permissions: "none" }), {
      name: "TypeError",
      message: /only "inherit" is accepted/,
    });
  },
  { skip: !isBun },
);
