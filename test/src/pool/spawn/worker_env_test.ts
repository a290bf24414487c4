import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import { WorkerPool } from "../../../../mod.ts";

const TASKS = new URL("../fixtures/pool_tasks.ts", import.meta.url);
const SECRET = "MEMLIMITS_TEST_SECRET";

test("env: workers get the host's environment by default; {} hides a variable the host has; given variables are theirs", async () => {
  process.env[SECRET] = "s3cret";
  try {
    {
      await using pool = new WorkerPool(TASKS, { size: 1 });
      const r = await pool.run("envVar", [SECRET]);
      assert.deepEqual([r.ok, r.ok && r.value], [true, "s3cret"]);
    }
    {
      await using pool = new WorkerPool(TASKS, { size: 1, env: {} });
      const r = await pool.run("envVar", [SECRET]);
      assert.deepEqual([r.ok, r.ok && r.value], [true, null]);
      // Not the host's PATH either (Deno sets one of its own for npm bins).
      const path = await pool.run("envVar", ["PATH"]);
      assert.ok(path.ok && path.value !== process.env.PATH, `${path}`);
    }
    {
      const env = { APP_MODE: "worker" };
      await using pool = new WorkerPool(TASKS, { size: 1, env });
      env.APP_MODE = "changed later"; // the pool copied its option
      const mode = await pool.run("envVar", ["APP_MODE"]);
      assert.deepEqual([mode.ok, mode.ok && mode.value], [true, "worker"]);
      const secret = await pool.run("envVar", [SECRET]);
      assert.deepEqual([secret.ok, secret.ok && secret.value], [true, null]);
    }
  } finally {
    delete process.env[SECRET];
  }
});
