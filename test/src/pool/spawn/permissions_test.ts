import { fileURLToPath } from "node:url";
/**
 * `WorkerPoolOptions.permissions`: on Deno a worker never has a permission
 * the host lacks; on Bun only "inherit" is accepted. Hosts with narrow
 * permissions are real `deno run` processes started with those flags.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBun, isDeno, isNode, test } from "../../../harness.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import { TASKS } from "../helpers.ts";
import { withoutUsage } from "../../fixture.ts";

/** memlimits' own files, which a narrow host must be able to read (its watchdog thread). */
const LIBRARY = fileURLToPath(new URL("../../../../", import.meta.url)).replace(
  /\/$/,
  "",
);

const PERMISSION_TASKS = new URL(
  "../fixtures/permission_tasks.ts",
  import.meta.url,
);
const HOST = new URL("../fixtures/pool_host.ts", import.meta.url);
/** A port for the socket refusals (no connection is made: the permission check comes first). */
const REFUSED_PORT = 47_931;

interface HostOutput {
  results?: Record<string, unknown>[];
  threw?: string;
}

/** Runs fixtures/pool_host.ts under `deno run <flags>` in `cwd`. */
function runHost(
  flags: string[],
  spec: {
    tasks: URL | string;
    options?: Record<string, unknown>;
    runs?: [string, unknown[], Record<string, unknown>?][];
  },
  cwd: string,
): HostOutput {
  const child = spawnSync(
    Deno.execPath(),
    [
      "run",
      "--no-check",
      ...flags,
      new URL(HOST).pathname,
      JSON.stringify({
        tasks: String(spec.tasks),
        options: spec.options ?? {},
        runs: spec.runs ?? [],
      }),
    ],
    { cwd, encoding: "utf8", timeout: 90_000 },
  );
  assert.equal(child.status, 0, `host failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!);
}

/** A scratch directory with data/inside.txt and data/sub/deeper.txt, removed by `done()`. */
function scratch(): { dir: string; data: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), "memlimits-perm-"));
  const data = join(dir, "data");
  mkdirSync(join(data, "sub"), { recursive: true });
  writeFileSync(join(data, "inside.txt"), "inside");
  writeFileSync(join(data, "sub", "deeper.txt"), "deeper");
  writeFileSync(join(dir, "outside.txt"), "outside");
  return { dir, data, done: () => rmSync(dir, { recursive: true }) };
}

test(
  'permissions (Deno, -A host): "none" rejects reading, spawning and connecting, and runs a pure task',
  async () => {
    const { dir, done } = scratch();
    // A port of the kernel's choosing: another test run may be listening too.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const accepted = listener.accept().then((conn) => conn.close());
    try {
      const file = join(dir, "outside.txt");
      // The same tasks succeed in a pool that inherits this host's -A: the
      // refusals below come from the permissions, not from the tasks.
      {
        await using pool = new WorkerPool(PERMISSION_TASKS, { size: 1 });
        assert.deepEqual(withoutUsage(await pool.run("readFile", [file])), {
          ok: true,
          value: "outside",
        });
        assert.deepEqual(withoutUsage(await pool.run("spawnProcess")), {
          ok: true,
          value: 0,
        });
        assert.deepEqual(withoutUsage(await pool.run("openSocket", [port])), {
          ok: true,
          value: true,
        });
        await accepted;
      }
      await using pool = new WorkerPool(PERMISSION_TASKS, {
        size: 1,
        permissions: "none",
      });
      assert.deepEqual(withoutUsage(await pool.run("pure", [1000])), {
        ok: true,
        value: 499500,
      });
      await assert.rejects(pool.run("readFile", [file]), {
        name: "NotCapable",
        message: /Requires read access/,
      });
      await assert.rejects(pool.run("spawnProcess"), {
        name: "NotCapable",
        message: /Requires run access/,
      });
      await assert.rejects(pool.run("openSocket", [port]), {
        name: "NotCapable",
        message: /Requires net access/,
      });
      // The worker survived its refusals.
      assert.deepEqual(withoutUsage(await pool.run("pure", [3])), {
        ok: true,
        value: 3,
      });
    } finally {
      listener.close();
      done();
    }
  },
  { skip: !isDeno },
);

test(
  'permissions (Deno): a task module that fails to load under "none" still reports its error',
  async () => {
    await using pool = new WorkerPool(
      new URL("../fixtures/broken_module.ts", import.meta.url),
      { size: 1, permissions: "none" },
    );
    await assert.rejects(
      pool.run("anything"),
      /task module failed to load: this module refuses to load/,
    );
  },
  { skip: !isDeno },
);

test(
  "permissions (Deno): a host with --allow-read=<dir> gets workers that read inside <dir> and not outside",
  () => {
    const { dir, data, done } = scratch();
    try {
      const out = runHost(
        [
          `--allow-read=${data},${LIBRARY}`,
          "--allow-env",
          `--allow-run=${Deno.execPath()}`,
        ],
        {
          tasks: PERMISSION_TASKS,
          options: { size: 1 },
          runs: [
            ["readFile", [join(data, "inside.txt")]],
            ["readFile", [join(dir, "outside.txt")]],
            ["spawnProcess", []],
            ["openSocket", [REFUSED_PORT]],
            ["pure", [4]],
          ],
        },
        data,
      );
      const [inside, outside, spawned, socket, pure] = out.results!;
      assert.deepEqual(withoutUsage(inside), { ok: true, value: "inside" });
      assert.match(
        String(outside.rejected),
        /^NotCapable: Requires read access/,
      );
      // The host may run Deno (the pool needs it), so its workers may too.
      assert.deepEqual(withoutUsage(spawned), { ok: true, value: 0 });
      assert.match(String(socket.rejected), /^NotCapable: Requires net access/);
      assert.deepEqual(withoutUsage(pure), { ok: true, value: 6 });

      // A task module inside <dir> that imports a file outside it loads, as it
      // would in the host (static imports need no read permission).
      writeFileSync(
        join(dir, "helper.ts"),
        "export const twice = (n: number) => 2 * n;\n",
      );
      writeFileSync(
        join(data, "local_tasks.ts"),
        'import { twice } from "../helper.ts";\nexport const quadruple = (n: number) => twice(twice(n));\n',
      );
      const local = runHost(
        [
          `--allow-read=${data},${LIBRARY}`,
          "--allow-env",
          `--allow-run=${Deno.execPath()}`,
        ],
        {
          tasks: `file://${join(data, "local_tasks.ts")}`,
          options: { size: 1 },
          runs: [["quadruple", [5]]],
        },
        data,
      );
      assert.deepEqual(local.results!.map(withoutUsage), [{
        ok: true,
        value: 20,
      }]);
    } finally {
      done();
    }
  },
  { skip: !isDeno },
);

test(
  "permissions (Deno): an object narrows the host's permissions, and widening is a TypeError naming the entry",
  () => {
    const { dir, data, done } = scratch();
    const flags = [
      `--allow-read=${data},${LIBRARY}`,
      "--allow-env",
      `--allow-run=${Deno.execPath()}`,
    ];
    try {
      const narrowed = runHost(flags, {
        tasks: PERMISSION_TASKS,
        options: { size: 1, permissions: { read: [join(data, "sub")] } },
        runs: [
          ["readFile", [join(data, "sub", "deeper.txt")]],
          ["readFile", [join(data, "inside.txt")]],
          ["spawnProcess", []],
        ],
      }, data);
      const [deeper, inside, spawned] = narrowed.results!;
      assert.deepEqual(withoutUsage(deeper), { ok: true, value: "deeper" });
      assert.match(
        String(inside.rejected),
        /^NotCapable: Requires read access/,
      );
      assert.match(
        String(spawned.rejected),
        /^NotCapable: Requires run access/,
      );

      const widen = (permissions: unknown) =>
        runHost(flags, {
          tasks: PERMISSION_TASKS,
          options: { size: 1, permissions },
        }, data).threw;
      assert.match(
        String(widen({ read: [data, dir] })),
        /^TypeError: options\.permissions\.read\[1\] \(".*"\) is not granted to the host/,
      );
      assert.match(
        String(widen({ read: true })),
        /^TypeError: options\.permissions\.read: true asks for all read access, which the host does not have/,
      );
      assert.match(
        String(widen({ net: ["127.0.0.1:47931"] })),
        /^TypeError: options\.permissions\.net\[0\] \("127\.0\.0\.1:47931"\) is not granted/,
      );
    } finally {
      done();
    }
  },
  { skip: !isDeno },
);

test(
  "permissions (Deno): a host without what the pool needs gets an Error naming the flag",
  () => {
    const { data, done } = scratch();
    const run = `--allow-run=${Deno.execPath()}`;
    const spec = { tasks: PERMISSION_TASKS, options: { size: 1 } };
    try {
      assert.match(
        String(
          runHost(
            [`--allow-read=${data},${LIBRARY}`, "--allow-env"],
            spec,
            data,
          ).threw,
        ),
        new RegExp(`^Error: .*--allow-run=${Deno.execPath()}`),
      );
      assert.match(
        String(
          runHost([`--allow-read=${data},${LIBRARY}`, run], spec, data).threw,
        ),
        /^Error: .*run the host with --allow-env/,
      );
      // Its watchdog thread is started from memlimits' own files.
      assert.match(
        String(
          runHost([`--allow-read=${data}`, "--allow-env", run], spec, data)
            .threw,
        ),
        new RegExp(`^Error: .*watchdog thread.*--allow-read=${LIBRARY}`),
      );
      // Deno opens /proc only under --allow-all, whatever --allow-read says.
      assert.match(
        String(
          runHost(
            [`--allow-read=${data},${LIBRARY},/proc`, "--allow-env", run],
            {
              ...spec,
              options: { size: 1, memoryLimit: 64 * 2 ** 20 },
            },
            data,
          ).threw,
        ),
        /^Error: memory limits read each worker's \/proc\/PID\/statm, which Deno opens only under --allow-all: run the host with -A/,
      );
      // The same for a memory limit given to one run only, and the pool
      // stays usable.
      const [limited, unlimited] = runHost([
        `--allow-read=${LIBRARY}`,
        "--allow-env",
        run,
      ], {
        ...spec,
        runs: [["pure", [3], { memoryLimit: 64 * 2 ** 20 }], ["pure", [3]]],
      }, data).results!;
      assert.match(
        String(limited.rejected),
        /^Error: memory limits read each worker's \/proc\/PID\/statm, which Deno opens only under --allow-all/,
      );
      assert.deepEqual(withoutUsage(unlimited), { ok: true, value: 3 });
    } finally {
      done();
    }
  },
  { skip: !isDeno },
);

test(
  "permissions: a value of the wrong type is a TypeError, a wrong value of the right type a RangeError, naming it, and nothing starts",
  () => {
    const bad: [unknown, "TypeError" | "RangeError", RegExp][] = [
      [
        "all",
        "RangeError",
        /^options\.permissions must be "inherit", "none" or an object.*, got "all"$/,
      ],
      [null, "TypeError", /^options\.permissions must be .*, got null$/],
      [
        ["read"],
        "TypeError",
        /^options\.permissions must be .*, got an array$/,
      ],
      [
        { disk: true },
        "TypeError",
        /^options\.permissions\.disk is not a permission; accepted: read, write, net, env, sys, run, ffi, import$/,
      ],
      [
        { read: 5 },
        "TypeError",
        /^options\.permissions\.read must be "inherit", a boolean or an array, got number$/,
      ],
      [
        { read: "yes" },
        "RangeError",
        /^options\.permissions\.read must be "inherit", a boolean or an array, got "yes"$/,
      ],
      [
        { read: [""] },
        "RangeError",
        /^options\.permissions\.read\[0\] must be a non-empty string or a file: URL, got ""$/,
      ],
      [
        { read: [7] },
        "TypeError",
        /^options\.permissions\.read\[0\] must be a non-empty string or a file: URL, got number$/,
      ],
      [
        { read: [new URL("https://example.com/")] },
        "RangeError",
        /^options\.permissions\.read\[0\] must be a path or a file: URL, got https:/,
      ],
      [
        { net: ["a,b"] },
        "RangeError",
        /^options\.permissions\.net\[0\] must not contain a comma/,
      ],
    ];
    for (const [permissions, name, message] of bad) {
      // On Bun every value but "inherit" is refused before its shape matters.
      const expected = isDeno ? { name, message } : {
        name: "TypeError",
        message: /options\.permissions is for Deno and Node/,
      };
      assert.throws(
        () =>
          new WorkerPool(TASKS, {
            size: 1,
            permissions: permissions as "none",
          }),
        expected,
      );
    }
  },
  { skip: isNode },
);

test(
  'permissions (Bun): anything but "inherit" is refused, "inherit" runs',
  async () => {
    for (const permissions of ["none", { read: false }, { read: "inherit" }]) {
      assert.throws(
        () =>
          new WorkerPool(TASKS, {
            size: 1,
            permissions: permissions as "none",
          }),
        {
          name: "TypeError",
          message:
            /options\.permissions is for Deno and Node: this runtime has no permission model, so only "inherit" is accepted/,
        },
      );
    }
    await using pool = new WorkerPool(TASKS, {
      size: 1,
      permissions: "inherit",
    });
    assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
      ok: true,
      value: 3,
    });
  },
  { skip: !isBun },
);
