#!/usr/bin/env python3
"""Golden reports of `vshard sim`: the simulator's results before and after a
refactoring of host/ and sim/hostsim (issue 14) must be bit-identical.

Each case runs `vshard sim` on a shipped scenario under every policy (the
baselines fifo, credit, vtslice; the peers credit2, eevdf; vShard on the
software, hardware and prestaged decision paths) and compares its JSON report
with tests/sim/data/golden/<case>.json, value for value (floats compared as
the report writes them, so any change in the last digit fails). The cases
were chosen to reach the code a refactoring could disturb: demo-mixed has
shards, commits and aborts on the prestaged path; capped-2to1 has weights and
caps (parks in the host accounting and in the engine); spare-remote has four
SNC nodes with distances 12/21 (steals, pulls, remote placements).

Fields left out of the comparison, because they are not results:
  wall_s, cpu_s, sim_events_per_s  timing of the run on this machine
  scenario_file                    the path the scenario was given by
  version                          the project version string

usage: golden_test.py VSHARD SCENARIO_DIR GOLDEN_DIR [--regen]
  --regen rewrites the golden files from this build (review the diff!).
"""
import json
import os
import subprocess
import sys
import tempfile

POLICIES = "fifo,credit,credit2,eevdf,vtslice,shard-sw,shard-hw,shard-pre"
# (case name, scenario, extra arguments)
CASES = [
    ("demo-mixed", "demo-mixed.toml", []),
    ("capped-2to1", "capped-2to1.toml", ["--duration-ms", "1000"]),
    ("spare-remote", "spare-remote.toml", ["--duration-ms", "500"]),
]
NOT_RESULTS = ("wall_s", "cpu_s", "sim_events_per_s")
TOP_NOT_RESULTS = ("scenario_file", "version")


def normalise(report):
    for k in TOP_NOT_RESULTS:
        report.pop(k, None)
    for pol in report["policies"].values():
        for k in NOT_RESULTS:
            pol.pop(k, None)
    return json.dumps(report, indent=1, sort_keys=True) + "\n"


def run_case(vshard, scenarios, scenario, extra, tmp):
    out = os.path.join(tmp, "report.json")
    cmd = [vshard, "sim", "--quiet", "--jobs", "1", "--policy", POLICIES, "--json", out,
           *extra, os.path.join(scenarios, scenario)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    with open(out) as f:
        return normalise(json.load(f))


def first_difference(want, got):
    w, g = want.splitlines(), got.splitlines()
    for i, (a, b) in enumerate(zip(w, g)):
        if a != b:
            return f"line {i + 1}: golden {a.strip()!r}, now {b.strip()!r}"
    return f"golden has {len(w)} lines, now {len(g)}"


def main():
    args = [a for a in sys.argv[1:] if a != "--regen"]
    regen = "--regen" in sys.argv[1:]
    if len(args) != 3:
        raise SystemExit(__doc__)
    vshard, scenarios, golden = args
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, scenario, extra in CASES:
            got = run_case(vshard, scenarios, scenario, extra, tmp)
            path = os.path.join(golden, name + ".json")
            if regen:
                with open(path, "w") as f:
                    f.write(got)
                print(f"wrote {path}")
                continue
            with open(path) as f:
                want = f.read()
            if want == got:
                print(f"ok   {name}")
            else:
                failed += 1
                print(f"FAIL {name}: the report differs from {path}: {first_difference(want, got)}")
    if failed:
        raise SystemExit(f"{failed} golden report(s) differ")


if __name__ == "__main__":
    main()
