#!/usr/bin/env python3
"""`vshard agent --trace` and `--metrics-file` end to end (docs/observability.md).

A short, bounded agent run on agent-shard (threads backend here) writes its
timeline and its counters; the test checks
  - the metrics file parses with prometheus_client's OpenMetrics parser
    while the run rewrites it, and its counters never go down;
  - the final counters equal the run's JSON report;
  - the trace passes scripts/trace-timeline's structure checks, its core
    tracks hold run and shard slices, and its preempt and shard marks are
    exactly the scheduler's counts (one round: the timeline is the round's);
  - a --metrics-file or --trace that cannot be written fails before the run,
    naming the path.

usage: agent_observe_test.py VSHARD SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def samples(text):
    """{(name, frozenset(labels)): value} of an OpenMetrics text."""
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def main():
    vshard, src = sys.argv[1], sys.argv[2]
    scenario = os.path.join(src, "scenarios", "agent-shard.toml")
    timeline = os.path.join(src, "scripts", "trace-timeline")
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL:", what)

    with tempfile.TemporaryDirectory() as d:
        rep, tr, met = (os.path.join(d, n) for n in ("run.json", "trace.json", "agent.prom"))
        cmd = [vshard, "agent", "--scenario", scenario, "--duration-s", "1.5", "--no-floors", "--vcpus", "threads",
               "--json", rep, "--trace", tr, "--metrics-file", met, "--metrics-period-ms", "50",
               # a loaded CI machine can keep the agent off a CPU past the 200 ms default
               "--heartbeat-bound-ms", "2000"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # Read the metrics file while the run rewrites it: every read is a whole
        # exposition (write + rename), and counters only grow.
        reads, last = 0, {}
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.03)
            try:
                with open(met) as f:
                    text = f.read()
            except FileNotFoundError:
                continue
            try:
                cur = samples(text)
            except Exception as e:  # a torn or malformed file
                check(False, "metrics file did not parse mid-run: %s" % e)
                break
            reads += 1
            for k, v in cur.items():
                if k[0].endswith("_total") and k in last:
                    check(v >= last[k], "counter %s went down: %s -> %s" % (k, last[k], v))
            last = cur
        if proc.poll() is None:
            proc.kill()
        out = proc.communicate()[0]
        check(proc.returncode == 0, "vshard agent exit status %s:\n%s" % (proc.returncode, out))
        check(reads >= 3, "only %d mid-run reads of the metrics file" % reads)
        if failures:
            sys.exit(1)

        report = json.load(open(rep))
        phases = {p["name"]: p for p in report["phases"]}
        final = samples(open(met).read())

        def metric(name, **labels):
            return final.get((name, frozenset(labels.items())))

        for ph in ("agent", "linux"):
            p = phases[ph]
            check(metric("vshard_agent_requests_completed_total", phase=ph) == p["requests"]["completed"],
                  "%s: requests completed differ from the report" % ph)
            check(metric("vshard_agent_blocks_claimed_total", phase=ph) == p["blocks"]["claimed"],
                  "%s: blocks claimed differ from the report" % ph)
            check(metric("vshard_agent_rounds_total", phase=ph) == 1, "%s: rounds != 1" % ph)
        sch = phases["agent"]["scheduler"]
        for key in ("preemptions", "shards", "wakes"):
            check(metric("vshard_sched_%s_total" % key, policy="shard", phase="agent") == sch[key],
                  "vshard_sched_%s_total differs from the report's %s" % (key, sch[key]))
        info = [k for k in final if k[0] == "vshard_agent_info"]
        check(len(info) == 1 and ("vcpus", "threads") in info[0][1], "agent info metric: %s" % info)

        # The trace.
        r = subprocess.run([timeline, tr, "--check"], capture_output=True, text=True)
        check(r.returncode == 0, "trace-timeline --check: %s%s" % (r.stdout, r.stderr))
        ev = json.load(open(tr))["traceEvents"]
        names = {e["tid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "thread_name"}
        xs = [e for e in ev if e["ph"] == "X"]
        check(all(names[e["tid"]].startswith("core ") for e in xs), "a slice off the core tracks")
        kinds = {e["args"].get("kind") for e in xs}
        check({"run", "shard"} <= kinds, "slice kinds %s: want run and shard" % kinds)
        marks = {}
        for e in ev:
            if e["ph"] == "i":
                marks[e["name"]] = marks.get(e["name"], 0) + 1
        check(sch["shards"] > 0, "agent-shard made no shards")
        check(marks.get("preempt", 0) == sch["preemptions"],
              "preempt marks %s != preemptions %s" % (marks.get("preempt", 0), sch["preemptions"]))
        check(marks.get("shard", 0) == sch["shards"], "shard marks %s != shards %s" % (marks.get("shard", 0),
                                                                                      sch["shards"]))
        check(marks.get("wake", 0) > 0, "no wake marks")

        # Unwritable outputs fail before the run, naming the path.
        for flag in ("--metrics-file", "--trace"):
            bad = os.path.join(d, "no", "such", "dir", "x")
            r = subprocess.run([vshard, "agent", "--scenario", scenario, "--duration-s", "30", "--no-floors",
                                "--vcpus", "threads", flag, bad], capture_output=True, text=True, timeout=60)
            check(r.returncode == 1 and bad in r.stderr, "%s %s: exit %s, stderr %r" % (flag, bad, r.returncode,
                                                                                       r.stderr))
            check("phase" not in r.stderr, "%s: the bad path was found only after a phase ran" % flag)

    if failures:
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
