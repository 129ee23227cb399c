#!/usr/bin/env python3
"""The observability commands end to end (docs/observability.md):

- `vshard sim --trace` writes JSON that parses, has the structure
  scripts/trace-timeline checks (a named track per core, X slices only there
  and never overlapping, known instant names, all inside the window), and is
  bounded by --trace-max-events with the drop counted;
- `vshard sim --metrics`, `vshard info --metrics` (model device) and a
  hostile exposition (observe_metrics_sample) parse with prometheus_client's
  OpenMetrics parser, with the values the report, the device and the sample
  hold;
- scripts/trace-timeline draws a PNG and refuses broken traces with exit
  status 1 and a message, writing no PNG;
- bad options are refused before the simulation runs.

usage: observe_cli_test.py VSHARD METRICS_SAMPLE SOURCE_DIR
Runs under an interpreter with python3-matplotlib and
python3-prometheus-client (tests/observe/CMakeLists.txt picks it).
"""

import copy
import json
import math
import os
import re
import subprocess
import sys
import tempfile

try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
    import matplotlib  # noqa: F401  (scripts/trace-timeline needs it)
except ImportError as e:
    sys.exit(f"observe_cli_test: {e}: install python3-prometheus-client and python3-matplotlib "
             f"(scripts/install-deps), or run under /usr/bin/python3")

VSHARD, SAMPLE, SRC = sys.argv[1:4]
TIMELINE = os.path.join(SRC, "scripts", "trace-timeline")
SCENARIO = os.path.join(SRC, "scenarios", "demo-mixed.toml")
MARKS = {"wake", "preempt", "shard", "abort", "commit"}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")


def run(cmd, timeout=120):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def parse_metrics(text, what):
    try:
        return {f.name: f for f in text_string_to_metric_families(text)}
    except Exception as e:  # the parser raises ValueError and others
        failures.append(f"{what}: OpenMetrics parser: {e}")
        print(f"FAIL: {what}: OpenMetrics parser: {e}\n{text[:2000]}")
        return {}


def sample(fams, family, suffix, **labels):
    f = fams.get(family)
    if f is None:
        return None
    for s in f.samples:
        if s.name == family + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
            return s
    return None


def check_trace_structure(t, lo_us, hi_us, what):
    check(isinstance(t, dict) and isinstance(t.get("traceEvents"), list), f"{what}: JSON Object Format")
    names = {}
    for e in t["traceEvents"]:
        if e["ph"] == "M" and e["name"] == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
    check(any(e["ph"] == "M" and e["name"] == "process_name" for e in t["traceEvents"]), f"{what}: process_name")
    cores = {k for k, n in names.items() if re.fullmatch(r"core \d+", n)}
    check(len(cores) == 8, f"{what}: 8 core tracks (demo-mixed), got {len(cores)}")
    by_core = {}
    for e in t["traceEvents"]:
        if e["ph"] == "X":
            k = (e["pid"], e["tid"])
            check(k in cores, f"{what}: slice {e['name']} on a core track")
            check(e["dur"] >= 0 and lo_us - 1e-3 <= e["ts"] and e["ts"] + e["dur"] <= hi_us + 1e-3,
                  f"{what}: slice inside the window: {e}")
            check(e["args"]["kind"] in ("run", "shard") and isinstance(e["args"]["vcpu"], int)
                  and isinstance(e["args"]["vm"], int), f"{what}: slice args {e['args']}")
            by_core.setdefault(k, []).append((e["ts"], e["ts"] + e["dur"]))
        elif e["ph"] == "i":
            check(e["name"] in MARKS and e["s"] == "t" and (e["pid"], e["tid"]) in names,
                  f"{what}: instant {e}")
            check(lo_us <= e["ts"] <= hi_us, f"{what}: instant inside the window: {e}")
        else:
            check(e["ph"] == "M", f"{what}: phase {e['ph']}")
    for k, v in by_core.items():
        v.sort()
        for a, b in zip(v, v[1:]):
            check(b[0] >= a[1] - 0.002, f"{what}: overlapping slices on {names[k]}: {a} {b}")
    counts = {}
    for e in t["traceEvents"]:
        if e["ph"] != "M":
            counts[e["name"] if e["ph"] == "i" else "X"] = counts.get(e["name"] if e["ph"] == "i" else "X", 0) + 1
    return counts


with tempfile.TemporaryDirectory(prefix="vshard-observe-") as d:
    # in a directory that does not exist yet: made, as --json's is
    trace_path, metrics_path, report_path = (os.path.join(d, "new", n) for n in ("t.json", "m.prom", "r.json"))

    # ---- vshard sim --trace / --metrics ----
    r = run([VSHARD, "sim", SCENARIO, "--policy", "credit,shard", "--prestage", "on", "--duration-ms", "400",
             "--trace", trace_path, "--trace-from-ms", "100", "--trace-to-ms", "300", "--metrics", metrics_path,
             "--json", report_path, "--quiet", "--jobs", "1"])
    check(r.returncode == 0, f"vshard sim --trace: exit {r.returncode}: {r.stderr}")
    with open(trace_path, encoding="utf-8") as f:
        t = json.load(f)
    counts = check_trace_structure(t, 100e3, 300e3, "sim trace")
    print("sim trace events:", counts)
    for m in ("wake", "preempt", "commit"):
        check(counts.get(m, 0) > 0, f"sim trace: some '{m}' instants (prestaged shard policy)")
    check(counts.get("X", 0) > 0, "sim trace: some slices")
    check(t["otherData"]["policy"] == "shard" and t["otherData"]["dropped_events"] == 0,
          f"sim trace: otherData {t['otherData']}")
    r = run([sys.executable, TIMELINE, trace_path, "--check"])
    check(r.returncode == 0 and "structure ok" in r.stdout, f"trace-timeline --check: {r.returncode} {r.stderr}")

    with open(metrics_path, encoding="utf-8") as f:
        fams = parse_metrics(f.read(), "vshard sim --metrics")
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    for pol in ("credit", "shard"):
        for fam, key in (("vshard_sched_preemptions", "preemptions"), ("vshard_sched_shards", "shards"),
                         ("vshard_sched_commits", "commits"), ("vshard_sched_aborts", "aborts")):
            s = sample(fams, fam, "_total", policy=pol, scenario="demo-mixed", seed="1")
            want = report["policies"][pol][key]
            check(s is not None and s.value == want, f"sim metrics {fam} {pol}: {s} != report {want}")
        s = sample(fams, "vshard_sim_wake_p99_seconds", "", policy=pol)
        want = report["policies"][pol]["wake_latency_us"]["p99"] / 1e6
        check(s is not None and math.isclose(s.value, want, rel_tol=1e-9), f"sim metrics wake p99 {pol}: {s} {want}")
    check(fams.get("vshard_sched_wakes") is not None and fams["vshard_sched_wakes"].type == "counter",
          "sim metrics: vshard_sched_wakes is a counter")
    check(fams.get("vshard_sched_decision_seconds") is not None
          and fams["vshard_sched_decision_seconds"].unit == "seconds", "sim metrics: decision seconds unit")

    # bounded trace: the drop is counted, and said by the renderer
    small = os.path.join(d, "small.json")
    r = run([VSHARD, "sim", SCENARIO, "--policy", "shard", "--duration-ms", "300", "--trace", small,
             "--trace-max-events", "50", "--quiet", "--jobs", "1"])
    check(r.returncode == 0, f"--trace-max-events 50: exit {r.returncode}: {r.stderr}")
    with open(small, encoding="utf-8") as f:
        ts = json.load(f)
    n = sum(1 for e in ts["traceEvents"] if e["ph"] != "M")
    check(n == 50 and ts["otherData"]["recorded_events"] == 50 and ts["otherData"]["dropped_events"] > 0,
          f"bounded trace: {n} events, otherData {ts['otherData']}")
    png = os.path.join(d, "small.png")
    r = run([sys.executable, TIMELINE, small, png])
    check(r.returncode == 0 and "dropped" in r.stderr, f"trace-timeline on a bounded trace: {r.returncode} {r.stderr}")

    # ---- the PNG ----
    png = os.path.join(d, "t.png")
    r = run([sys.executable, TIMELINE, trace_path, png, "--from-ms", "150", "--to-ms", "170"])
    check(r.returncode == 0, f"trace-timeline: exit {r.returncode}: {r.stderr}")
    with open(png, "rb") as f:
        check(f.read(8) == b"\x89PNG\r\n\x1a\n", "trace-timeline: writes a PNG")

    # ---- broken traces: exit 1, a message, no PNG ----
    def broken(name, mutate, expect):
        bad = copy.deepcopy(t)
        text = mutate(bad)
        path = os.path.join(d, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text if isinstance(text, str) else json.dumps(bad))
        out = os.path.join(d, name + ".png")
        r = run([sys.executable, TIMELINE, path, out])
        check(r.returncode == 1 and re.search(expect, r.stderr) and not os.path.exists(out),
              f"trace-timeline on {name}: exit {r.returncode}, stderr {r.stderr!r} (want /{expect}/), "
              f"png written: {os.path.exists(out)}")

    def first(bad, ph):
        return next(e for e in bad["traceEvents"] if e["ph"] == ph)

    def overlap(bad):
        xs = [e for e in bad["traceEvents"] if e["ph"] == "X"]
        a = xs[0]
        b = copy.deepcopy(a)
        b["ts"] = a["ts"] + a["dur"] / 2 if a["dur"] > 0.01 else a["ts"]
        b["dur"] = max(a["dur"], 1.0)
        bad["traceEvents"].append(b)

    def off_core(bad):
        queue = next(e["tid"] for e in bad["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"
                     and e["args"]["name"] == "wake queue")
        first(bad, "X")["tid"] = queue

    with open(trace_path, encoding="utf-8") as f:
        raw = f.read()
    broken("truncated", lambda bad: raw[: len(raw) // 2], r"not JSON")
    broken("array-format", lambda bad: json.dumps(bad["traceEvents"]), r"traceEvents")
    broken("overlap", overlap, r"slices overlap on core \d+")
    broken("off-core", off_core, r"not a core track")
    broken("unknown-instant", lambda bad: first(bad, "i").update(name="explode"), r"unknown instant event 'explode'")
    broken("negative-dur", lambda bad: first(bad, "X").update(dur=-5), r"negative dur")
    broken("no-ts", lambda bad: first(bad, "i").pop("ts"), r"'ts' is not a finite number")
    broken("unknown-phase", lambda bad: first(bad, "i").update(ph="B"), r"unknown phase 'B'")
    r = run([sys.executable, TIMELINE, os.path.join(d, "missing.json"), os.path.join(d, "x.png")])
    check(r.returncode == 1 and "cannot read" in r.stderr, f"trace-timeline on a missing file: {r.stderr}")

    # ---- vshard info --metrics ----
    for spec, cores in (("model", 8), ("model?config=large", 64)):
        r = run([VSHARD, "info", "--metrics", spec])
        check(r.returncode == 0, f"vshard info --metrics {spec}: exit {r.returncode}: {r.stderr}")
        check(r.stdout.endswith("# EOF\n"), f"info --metrics {spec}: ends with # EOF")
        fams = parse_metrics(r.stdout, f"vshard info --metrics {spec}")
        s = sample(fams, "vshard_device", "_info", device=spec)
        check(s is not None and s.labels.get("backend") == "model" and s.labels.get("magic") == "0x56534844",
              f"info --metrics {spec}: identity {s}")
        s = sample(fams, "vshard_device_cores", "", device=spec)
        check(s is not None and s.value == cores, f"info --metrics {spec}: cores {s}")
        for c in ("events", "decisions", "errors", "preempts", "shards", "commits", "aborts"):
            f = fams.get("vshard_device_" + c)
            check(f is not None and f.type == "counter", f"info --metrics {spec}: device counter {c}")
        f = fams.get("vshard_driver_doorbells")
        check(f is not None and f.type == "counter", f"info --metrics {spec}: driver counters")
        s = sample(fams, "vshard_device_config", "", key="SHARD_MIN_CREDIT")
        check(s is not None and s.value < 0, f"info --metrics {spec}: signed SHARD_MIN_CREDIT {s}")

    # ---- hostile label values and SchedStats ----
    r = run([SAMPLE])
    check(r.returncode == 0, f"metrics sample: exit {r.returncode}")
    out = subprocess.run([SAMPLE], capture_output=True, timeout=60).stdout.decode("utf-8")  # must be UTF-8
    fams = parse_metrics(out, "hostile exposition")
    want = [
        "plain",
        'quote " and backslash \\ and newline \n end',
        "\\n is not a newline",
        "trailing backslash \\",
        '{braces},commas="equals"',
        "invalid utf-8: \ufffd\ufffd and a lone continuation \ufffd",
        "utf-8: \u00e9t\u00e9 \u20ac \U0001F600",
        "# EOF",
    ]
    f = fams.get("vshard_test_hostile")
    got = [s.labels["value"] for s in f.samples] if f else []
    check(got == want, f"hostile label values round-trip: {got!r}")
    check(f is not None and f.documentation == 'label values that "need" escaping \\ or\nreplacing',
          f"hostile help round-trips: {f.documentation if f else None!r}")
    s = sample(fams, "vshard_sched_wakes", "_total", policy="shard", scenario='a "b"')
    check(s is not None and s.value == 123456789012345, f"SchedStats wakes: {s}")
    for fam, v in (("vshard_sched_preemptions", 42), ("vshard_sched_shard_preemptions", 7),
                   ("vshard_sched_shards", 21), ("vshard_sched_commits", 1000), ("vshard_sched_aborts", 3)):
        s = sample(fams, fam, "_total", policy="shard")
        check(s is not None and s.value == v, f"SchedStats {fam}: {s}")
    s = sample(fams, "vshard_sched_decision_seconds", "_total", policy="shard")
    check(s is not None and math.isclose(s.value, 1234.5e-6), f"SchedStats decision seconds: {s}")
    s = sample(fams, "vshard_sched_wakes", "_total", policy="credit")
    check(s is not None and s.value == 5, f"SchedStats second policy in the same family: {s}")

    # ---- bad options: refused before the run, nothing left behind ----
    for args, expect in (
        (["--policy", "credit", "--trace", os.path.join(d, "x.json"), "--trace-policy", "shard"],
         r"--trace-policy shard: not one of this run's policies \(credit\)"),
        (["--trace", os.path.join(d, "y.json"), "--trace-from-ms", "60"], r"past the end of the run"),
        (["--trace", os.path.join(trace_path, "x.json")], r"--trace .*cannot create the directory"),
        (["--metrics", os.path.join(metrics_path, "m.prom")], r"--metrics .*cannot create the directory"),
        (["--trace", d], r"--trace .*is a directory"),
        (["--trace", os.path.join(d, "y.json"), "--trace-from-ms", "50", "--trace-to-ms", "40"], r"not after"),
        (["--trace", os.path.join(d, "y.json"), "--trace-max-events", "0"], r"out of range"),
    ):
        r = run([VSHARD, "sim", SCENARIO, "--duration-ms", "50", "--quiet", "--jobs", "1"] + args)
        check(r.returncode != 0 and re.search(expect, r.stderr), f"vshard sim {args}: {r.returncode} {r.stderr!r}")
    check(not os.path.exists(os.path.join(d, "x.json")) and not os.path.exists(os.path.join(d, "y.json")),
          "refused options leave no trace file")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("observe_cli_test: all checks passed")
