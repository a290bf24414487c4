/**
 * How the pool starts each of its workers, worked out once from its checked
 * options: the command line of this runtime with the V8 heap cap set above
 * the memory limit, the memory brake where the pool limits memory, the
 * workers' environment and how long a worker may take to load its module.
 */
import type { CheckedPoolOptions } from "../check_options.ts";
import { BRAKE_ARG } from "../worker/memory_brake.ts";
import { heapCapFor, spawnCommand } from "./command_line.ts";
import { workerEnv } from "./worker_env.ts";
import type { WorkerProcess } from "./worker_process.ts";

/**
 * A function that starts one worker process of the pool `options` describe,
 * as a `Process` (`WorkerProcess` or a class the pool derives from it).
 */
export function workerStarter<W extends WorkerProcess>(
  options: CheckedPoolOptions,
  Process: new (...args: ConstructorParameters<typeof WorkerProcess>) => W,
): () => W {
  const { moduleUrl, memoryLimit } = options;
  const heapCap = heapCapFor(memoryLimit ?? options.processMemoryLimit);
  const env = workerEnv(options.env);
  return () => {
    const command = spawnCommand(
      moduleUrl,
      heapCap,
      options.denoWorker,
      options.nodePermissions,
    );
    // Workers of a pool with a memory limit brake themselves near it.
    if (memoryLimit !== undefined) command.args.push(BRAKE_ARG);
    command.env = env;
    return new Process(moduleUrl, heapCap, command, options.startTimeout);
  };
}
