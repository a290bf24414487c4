/**
 * A Redis server of the test's own (Debian's redis-server): on a free port,
 * its files in a temporary directory, no persistence; stopped and removed
 * by `stop()`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The server's command: $REDIS_SERVER, else redis-server on the PATH. */
const COMMAND = process.env.REDIS_SERVER ?? "redis-server";

/** A running server. */
export interface RedisServer {
  /** Its port on 127.0.0.1. */
  port: number;
  /** What a BullMQ `connection` option takes to reach it. */
  connection: { host: string; port: number };
  /** Stops it, waits for its exit and removes its directory. */
  stop(): Promise<void>;
}

/** A TCP port nobody listens on now (the OS's pick). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a server and resolves once it accepts connections. Rejects if it
 * cannot start (no redis-server: `apt-get install redis-server`), after up
 * to three ports (another process may take the free port first).
 */
export async function startRedis(): Promise<RedisServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), "memlimits-redis-"));
    const port = await freePort();
    const child = spawn(COMMAND, [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    // After an exit, or a failure to start (ENOENT): the end of the process.
    const closed = new Promise((resolve) => {
      child.once("close", resolve);
      child.once("error", resolve);
    });
    try {
      await ready(child);
    } catch (error) {
      lastError = error as Error;
      await stopped(child, closed);
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return {
      port,
      connection: { host: "127.0.0.1", port },
      async stop() {
        await stopped(child, closed);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error(
    `redis-server did not start (${lastError?.message}); the BullMQ tests need Debian's redis-server package (apt-get install redis-server) or REDIS_SERVER set to one`,
  );
}

/** Resolves when `child` says it accepts connections; rejects if it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes("Ready to accept connections")) {
        child.stdout!.off("data", onData);
        child.stdout!.resume(); // keep draining its log
        child.off("exit", onExit);
        child.off("error", onExit);
        resolve();
      }
    };
    const onExit = (codeOrError: unknown) => {
      child.stdout!.off("data", onData);
      reject(
        new Error(
          codeOrError instanceof Error
            ? codeOrError.message
            : `it exited (${codeOrError}): ${output.slice(-500)}`,
        ),
      );
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk) => output += chunk);
    child.once("exit", onExit);
    child.once("error", onExit);
  });
}

/** Ends `child` with SIGTERM if it runs; resolves once it exited and its pipes closed. */
function stopped(
  child: ChildProcess,
  closed: Promise<unknown>,
): Promise<unknown> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
  }
  return closed;
}
