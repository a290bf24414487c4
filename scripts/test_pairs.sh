#!/bin/bash
# Runs N pairs of `npm test` at once (default 5), each side in a fresh clone
# of this checkout's HEAD, to see that the suite holds under load (issue 9).
# Logs and a summary line per pair go to ${PAIRS_DIR:-/tmp/memlimits-pairs}.
set -u
N=${1:-5}
root=$(git rev-parse --show-toplevel)
out=${PAIRS_DIR:-/tmp/memlimits-pairs}
rm -rf "$out" && mkdir -p "$out"
for side in a b; do
  git clone -q "$root" "$out/clone_$side"
  (cd "$out/clone_$side" && npm ci > /dev/null 2>&1)
done
commit=$(git -C "$out/clone_a" rev-parse --short HEAD)
last() { grep -E '^[0-9]+ passed' "$1" | tail -1; }
for i in $(seq 1 "$N"); do
  start=$(date +%s)
  for side in a b; do
    (cd "$out/clone_$side" && npm test > "$out/run${i}_$side.log" 2>&1) &
  done
  wait
  echo "pair $i ($commit): a: $(last "$out/run${i}_a.log"); b: $(last "$out/run${i}_b.log"); $(($(date +%s) - start)) s" |
    tee -a "$out/summary.txt"
done
