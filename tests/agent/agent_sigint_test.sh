#!/bin/sh
# SIGINT stops a running `vshard agent` cleanly: the summary of what ran is
# printed and the exit status is 130. Bounded: the run is killed after 20 s.
set -u
vshard=$1
scenario=$2
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
timeout -s KILL 20 "$vshard" agent --scenario "$scenario" --duration-s 30 --vcpus threads --no-floors >"$out" 2>"$err" &
pid=$!
# Once the agent phase has started (it says so on stderr), and a little into it.
i=0
while ! grep -q "phase agent" "$err" && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
# timeout(1) forwards the signal to the agent
kill -INT "$pid"
wait "$pid"
rc=$?
cat "$err" "$out"
[ "$rc" -eq 130 ] || { echo "FAIL: exit status $rc, expected 130"; exit 1; }
grep -q "interrupted (SIGINT/SIGTERM): stopped cleanly" "$out" || { echo "FAIL: no summary line"; exit 1; }
grep -q "^checks (agent):" "$out" || { echo "FAIL: no agent phase in the summary"; exit 1; }
echo "PASS"
