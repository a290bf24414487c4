/** The host's check of what a worker sends (wire/messages.ts). */
import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import { readWorkerMessage } from "../../../../src/pool/wire/messages.ts";

const usage = { wallMs: 1, cpuMs: 0.5, peak: 100 };

test("worker messages: well-formed ones are read as they are", () => {
  const good = [
    { t: "ready", exports: ["add"], peaks: true, subreaper: true, rss: 1 },
    { t: "fatal", error: { name: "Error", message: "x" } },
    { t: "value", id: 3, token: 7, value: undefined, usage },
    { t: "threw", id: 3, token: 7, error: { name: "E", message: "m" }, usage },
    { t: "limit", id: 3, token: 7, kind: "allocations", limit: 1, usage },
    // With the worker's CPU time, which the next task's counts from.
    {
      t: "ready",
      exports: [],
      peaks: false,
      subreaper: false,
      rss: 1,
      processCpuMs: 80.5,
    },
    // With its run beacon's descriptor.
    {
      t: "ready",
      exports: [],
      peaks: false,
      subreaper: false,
      rss: 1,
      beacon: 23,
    },
    {
      t: "value",
      id: 3,
      token: 7,
      value: 1,
      usage: { ...usage, processCpuMs: 81 },
    },
  ];
  for (const message of good) {
    assert.equal(readWorkerMessage(message), message, JSON.stringify(message));
  }
});

test("worker messages: anything malformed is dropped (undefined)", () => {
  const bad: unknown[] = [
    null,
    "value",
    { t: "value", id: 3, value: "forged" }, // no token, no usage
    { t: "value", id: 3, token: 7, value: 1 }, // no usage
    { t: "value", id: "3", token: 7, value: 1, usage },
    { t: "value", id: 3, token: "7", value: 1, usage },
    { t: "value", id: 3, token: 7, usage }, // no value
    { t: "value", id: 3, token: 7, value: 1, usage: { wallMs: "1", cpuMs: 1 } },
    { t: "threw", id: 3, token: 7, error: "boom", usage },
    { t: "limit", id: 3, token: 7, kind: "everything", usage },
    { t: "ready", exports: "add", peaks: true, subreaper: true, rss: 1 },
    { t: "ready", exports: ["add"], peaks: true, rss: 1 },
    { t: "run", id: 3, token: 7 },
    {
      t: "value",
      id: 3,
      token: 7,
      value: 1,
      usage: { ...usage, processCpuMs: "81" },
    },
    {
      t: "ready",
      exports: [],
      peaks: false,
      subreaper: false,
      rss: 1,
      processCpuMs: null,
    },
    {
      t: "ready",
      exports: [],
      peaks: false,
      subreaper: false,
      rss: 1,
      beacon: "/dev/shm/x",
    },
    {
      t: "ready",
      exports: [],
      peaks: false,
      subreaper: false,
      rss: 1,
      beacon: 1.5,
    },
  ];
  for (const message of bad) {
    assert.equal(
      readWorkerMessage(message),
      undefined,
      JSON.stringify(message),
    );
  }
});
