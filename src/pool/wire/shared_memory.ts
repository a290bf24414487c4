/**
 * Shared memory in a task's arguments. Structured clone accepts a
 * `SharedArrayBuffer`, but it cannot cross to another process (a Deno worker
 * dies reading it), so the pool refuses it before sending anything.
 */

/**
 * Whether `value` holds a `SharedArrayBuffer`, or a view on one, at any depth
 * that structured clone would copy (properties, array items, Map and Set
 * entries, an Error's cause). Walks with a stack and a visited set, so deep
 * or cyclic values are fine; the bytes of ordinary buffers are not visited.
 */
export function holdsSharedMemory(value: unknown): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== "object" || item === null || seen.has(item)) continue;
    seen.add(item);
    if (item instanceof SharedArrayBuffer) return true;
    if (ArrayBuffer.isView(item)) {
      if (item.buffer instanceof SharedArrayBuffer) return true;
      continue;
    }
    if (item instanceof ArrayBuffer) continue;
    if (item instanceof Map) {
      for (const [key, entry] of item) stack.push(key, entry);
    } else if (item instanceof Set) {
      for (const entry of item) stack.push(entry);
    } else if (item instanceof Error) {
      stack.push(item.cause);
    }
    for (const property of Object.values(item)) stack.push(property);
  }
  return false;
}
