// The user's task module. `shout-local` is the project's own dependency (an
// installed local package on Bun, a bare specifier of deno.json's import map
// on Deno); `@lib/` is a path alias (tsconfig paths on Bun, an import-map
// prefix on Deno).
import { shout } from "shout-local";
import { SUFFIX } from "@lib/suffix.ts";

export function greet(name: string): string {
  return shout(`hello ${name}`) + SUFFIX;
}

export function bomb(): never {
  const kept: Uint8Array[] = [];
  for (;;) kept.push(new Uint8Array(16 * 2 ** 20).fill(1));
}
