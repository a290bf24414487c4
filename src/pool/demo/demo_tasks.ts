/** Task module of the `npm start` pool demo. */

/** CPU-bound and never ends: only a preemptive limit stops it. */
export function spinForever(): never {
  for (;;) {
    // no await, no checkpoint
  }
}

/** Keeps every string it makes: would take all the memory there is. */
export function memoryBomb(): never {
  const kept: string[] = [];
  for (let i = 0;; i++) kept.push(`row ${i}: ${"x".repeat(32)}${i}`);
}

/** An ordinary task: how many primes are below `n`. */
export function countPrimes(n: number): number {
  const composite = new Uint8Array(n);
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
}
