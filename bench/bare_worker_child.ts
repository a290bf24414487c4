/**
 * The throughput floor's worker (bench/peers_bench.ts): runs the task named
 * in each message on its arguments and answers with the value, over the
 * pool's transport (a child's IPC channel with structured-clone
 * serialization), with none of the pool's work around it.
 */
import * as tasks from "./peer_tasks.ts";

type Tasks = Record<string, (...args: unknown[]) => unknown>;
const table = tasks as unknown as Tasks;

process.on("message", (message) => {
  const { id, name, args } = message as {
    id: number;
    name: string;
    args: unknown[];
  };
  process.send!({ id, value: table[name](...args) });
});
process.on("disconnect", () => process.exit(0));
process.send!("ready");
