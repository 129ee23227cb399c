#!/bin/sh
# scripts/agent-compare on one short seed of agent-shard: the table is
# written between the markers of a copy of docs/agent.md (and nothing else
# of it changes), the timeline PNG is drawn, and a doc without the markers
# is refused. Bounded by CTest's TIMEOUT.
set -u
src=$1
vshard=$2
py=$3
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
printf 'before\n<!-- agent-compare:begin -->\nold\n<!-- agent-compare:end -->\nafter\n' >"$d/doc.md"
# Exit status 2 (a run's checks failed: a loaded machine can do that to a
# real-time run) still writes the table; this test is about the script.
"$py" "$src/scripts/agent-compare" --vshard "$vshard" --seeds 2 --duration-s 0.4 --rounds 1 --doc "$d/doc.md" \
  --trace-png "$d/t.png" --window-ms 0:50 "$src/scenarios/agent-shard.toml" >"$d/out" 2>"$d/err"
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || { cat "$d/err" "$d/out"; fail "agent-compare exit status $rc"; }
grep -q '^\*\*agent-shard\*\* (2 seeds' "$d/doc.md" || fail "no table in the doc"
grep -q '^| batch blocks/s |' "$d/doc.md" || fail "no blocks/s row"
grep -q 'old' "$d/doc.md" && fail "the old text between the markers is still there"
[ "$(head -n 1 "$d/doc.md")" = before ] && [ "$(tail -n 1 "$d/doc.md")" = after ] || fail "text outside the markers changed"
[ "$(head -c 4 "$d/t.png" | od -An -c | tr -d ' ')" = "211PNG" ] || fail "no PNG"
printf 'no markers\n' >"$d/bad.md"
"$py" "$src/scripts/agent-compare" --vshard "$vshard" --seeds 1 --duration-s 0.2 --rounds 1 --doc "$d/bad.md" \
  "$src/scenarios/agent-shard.toml" >/dev/null 2>"$d/err2" && fail "a doc without markers was accepted"
grep -q "markers" "$d/err2" || fail "the refusal does not name the markers"
echo PASS
