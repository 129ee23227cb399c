#!/usr/bin/env python3
"""scripts/gen_evaluation.py on two tiny fake reports.

alpha: a merged 3-seed report of an overcommitted host (48 vCPUs on 32 cores)
with fifo, credit, credit2, shard-sw and shard-pre; beta: a single-seed
report of an undercommitted host without batch work, credit never
preempting. Their figures are chosen so that every verdict appears once
at least (worked out next to each check), and the marker errors leave the
document unchanged.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "gen_evaluation.py")

FIGS = {  # per-run object path -> default value
    ("wake_latency_us", "p50"): 5.0, ("wake_latency_us", "p99"): 9.0, ("wake_latency_us", "p999"): 12.0,
    ("wake_latency_us", "count"): 1000, ("request_latency_us", "p50"): 50.0,
    ("request_latency_us", "p99"): 300.0, ("request_latency_us", "p999"): 900.0,
    ("request_latency_us", "count"): 1000, ("batch_throughput_blocks_per_s",): 1000.0,
    ("batch_work_cores",): 10.0,
    ("batch_progress_lost_ms_per_s",): 1.0, ("batch_lost_us_per_preemption",): 10.0, ("preemptions",): 100,
    ("shards",): 0, ("commits",): 0, ("aborts",): 0, ("credit_fairness_jain",): 1.0,
    ("mean_decision_us",): 1.0,
}


def put(d, path, v):
    for k in path[:-1]:
        d = d.setdefault(k, {})
    d[path[-1]] = v


def policy(kind, multi, **over):
    """over: figure path joined by '.' -> value or (mean, ci95)."""
    p = {"policy": kind}
    body = {}
    for path, v in FIGS.items():
        val = over.get(".".join(path), v)
        mean, ci = val if isinstance(val, tuple) else (val, 0.0)
        put(body, path, {"mean": mean, "ci95": ci, "n": 3, "min": mean - ci, "max": mean + ci} if multi else mean)
    if multi:
        p["summary"] = body
    else:
        p.update(body)
    return p


ALPHA = {
    "scenario": "alpha", "host": {"nodes": 2, "cores": 32, "vcpus": 48}, "duration_ms": 1000.0,
    "warmup_ms": 100.0, "seed": 7, "seeds": [7, 8, 9], "engine": "model",
    "order": ["fifo", "credit", "credit2", "shard-sw", "shard-pre"],
    "policies": {
        "fifo": policy("fifo", True, **{"request_latency_us.p99": (900.0, 50.0),
                                        "batch_throughput_blocks_per_s": (1000.0, 5.0),
                                        "batch_work_cores": (10.0, 0.05), "preemptions": 0}),
        "credit": policy("credit", True, **{"request_latency_us.p99": (400.0, 20.0),
                                            "request_latency_us.p999": (4000.0, 300.0),
                                            "batch_throughput_blocks_per_s": (990.0, 5.0),
                                            "batch_work_cores": (9.9, 0.05),
                                            "batch_lost_us_per_preemption": (40.0, 2.0)}),
        "credit2": policy("credit2", True, **{"request_latency_us.p99": (300.0, 10.0),
                                              "request_latency_us.p999": (900.0, 100.0),
                                              "batch_throughput_blocks_per_s": (995.0, 5.0),
                                              "batch_work_cores": (9.95, 0.05),
                                              "batch_lost_us_per_preemption": (10.0, 1.0)}),
        "shard-sw": policy("shard", True, **{"request_latency_us.p99": (250.0, 5.0)}),
        "shard-pre": policy("shard", True, **{"request_latency_us.p99": (240.0, 5.0),
                                              "request_latency_us.p999": (400.0, 60.0),
                                              "batch_throughput_blocks_per_s": (985.0, 3.0),
                                              "batch_work_cores": (9.85, 0.03),
                                              "batch_lost_us_per_preemption": (12.0, 1.0)}),
    },
}

BETA = {
    "scenario": "beta", "host": {"nodes": 1, "cores": 32, "vcpus": 20}, "duration_ms": 500.0,
    "warmup_ms": 50.0, "seed": 3, "engine": "model", "order": ["fifo", "credit", "shard-pre"],
    "policies": {
        "fifo": policy("fifo", False, **{"request_latency_us.p99": 500.0, "batch_throughput_blocks_per_s": 0.0, "batch_work_cores": 0.0,
                                         "preemptions": 0}),
        "credit": policy("credit", False, **{"request_latency_us.p99": 500.0,
                                             "batch_throughput_blocks_per_s": 0.0, "batch_work_cores": 0.0, "preemptions": 0}),
        "shard-pre": policy("shard", False, **{"request_latency_us.p99": 510.0,
                                               "batch_throughput_blocks_per_s": 0.0, "batch_work_cores": 0.0, "preemptions": 0}),
    },
}

DOC = """# Evaluation

Hand-written introduction.

<!-- BEGIN GENERATED: run -->
stale run text
<!-- END GENERATED: run -->

## Targets

<!-- BEGIN GENERATED: targets -->
<!-- END GENERATED: targets -->

Prose between blocks stays.

<!-- BEGIN GENERATED: summary -->
old summary
<!-- END GENERATED: summary -->

<!-- BEGIN GENERATED: ablation -->
<!-- END GENERATED: ablation -->

### alpha
<!-- BEGIN GENERATED: table alpha -->
<!-- END GENERATED: table alpha -->

### beta
<!-- BEGIN GENERATED: table beta -->
old
table
<!-- END GENERATED: table beta -->

Closing prose.
"""


class GenEvaluation(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vshard_gen_eval_")
        self.results = os.path.join(self.tmp.name, "results")
        for name, report in (("alpha", ALPHA), ("beta", BETA)):
            os.makedirs(os.path.join(self.results, name))
            with open(os.path.join(self.results, name, "report.json"), "w") as f:
                json.dump(report, f)
        # alpha's ablation: shard-pre without sharding (work 9.70 +- 0.02 against 9.85)
        noshard = dict(ALPHA, order=["shard-pre"], policies={
            "shard-pre": policy("shard", True, **{"batch_work_cores": (9.70, 0.02), "shards": 0,
                                                   "request_latency_us.p99": (250.0, 5.0)})})
        with open(os.path.join(self.results, "alpha", "noshard.json"), "w") as f:
            json.dump(noshard, f)
        self.doc = os.path.join(self.tmp.name, "evaluation.md")
        self.write(DOC)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, text):
        with open(self.doc, "w") as f:
            f.write(text)

    def read(self):
        with open(self.doc) as f:
            return f.read()

    def gen(self, *extra):
        return subprocess.run([sys.executable, GEN, "--results", self.results, "--doc", self.doc, *extra],
                              capture_output=True, text=True, timeout=60)

    def row(self, text, *cells):
        """The one table row containing all of cells."""
        rows = [l for l in text.splitlines() if l.startswith("|") and all(c in l for c in cells)]
        self.assertEqual(len(rows), 1, f"rows with {cells}: {rows}")
        return rows[0]

    def test_blocks(self):
        p = self.gen("--seeds", "3", "--jobs", "2", "--wall-s", "83.4", "--cpus", "2", "--date", "2024-01-02")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = self.read()
        # the prose is kept, the old block contents are gone
        for keep in ("Hand-written introduction.", "Prose between blocks stays.", "Closing prose.", "### beta"):
            self.assertIn(keep, out)
        for gone in ("stale run text", "old summary", "old\ntable"):
            self.assertNotIn(gone, out)
        self.assertIn("1 min 23 s wall on a machine with 2 online CPUs", out)
        self.assertIn("peers `credit`, `credit2`, `fifo`", out)
        # tables: merged figures with their CI, single-seed ones without
        self.assertIn("seeds 7..9 (n = 3)", out)
        self.row(out, "`credit2`", "300.0 ± 10.0", "995 ± 5")
        self.row(out, "`shard-pre`", "510.0", "| 0 |")
        # summary: best peer per figure and the ratio
        self.assertIn("| alpha | request p99 µs (lower is better) | `credit2` | 300.0 ± 10.0 | 240.0 ± 5.0 | 0.80 |", out)
        self.assertIn("| alpha | batch blocks/s (higher is better) | `fifo` | 1000 ± 5 | 985 ± 3 | 0.98 |", out)
        # lost per preemption: fifo does not preempt, so the best peer is credit2 (10 < 40)
        self.row(out, "| alpha | lost µs/preempt", "`credit2`", "1.20")
        self.row(out, "| beta | batch blocks/s", "n/a (no batch work)")
        self.row(out, "| beta | lost µs/preempt (lower is better)", "n/a (no batch work)")
        # targets
        # 240 +- 5 against 300 +- 10: holds, intervals apart
        self.assertRegex(self.row(out, "| alpha | request p99 ≤ best peer (`credit2`)"), r"\| holds \|$")
        # batch work 9.85 +- 0.03 against 0.99 x (10.0 +- 0.05) = 9.9 +- 0.0495: below, within the CIs
        self.assertRegex(self.row(out, "| alpha | batch work ≥ 0.99 × best peer (`fifo`)"),
                         r"\| \*\*fails \(CI overlap\)\*\* \|$")
        self.assertIn("| alpha | batch work (cores) (higher is better) | `fifo` | 10.00 ± 0.05 | 9.85 ± 0.03 | 0.98 |", out)
        # 12 +- 1 against 0.5 x 40 +- 2 = 20 +- 1: holds; against 0.5 x 10 +- 1 = 5 +- 0.5: fails
        self.assertRegex(self.row(out, "| alpha | lost µs/preempt ≤ ½ × `credit`"), r"\| holds \|$")
        self.assertRegex(self.row(out, "| alpha | lost µs/preempt ≤ ½ × `credit2`"), r"\| \*\*fails\*\* \|$")
        # overcommitted: p99.9 400 +- 60 against 0.5 x (900 +- 100) = 450 +- 50: holds, CIs overlap
        self.assertRegex(self.row(out, "| alpha | request p99.9 ≤ ½ × `credit2`"), r"\| holds \(CI overlap\) \|$")
        self.assertRegex(self.row(out, "| alpha | request p99.9 ≤ ½ × `eevdf`"), r"n/a \(`eevdf` not run\) \|$")
        self.assertRegex(self.row(out, "| alpha | request p99.9: `credit`"), r"\| 10\.0x \|$")
        # beta: one seed, 510 against 500: fails, no interval to overlap; not overcommitted
        self.assertRegex(self.row(out, "| beta | request p99 ≤ best peer (`fifo`)"), r"\| \*\*fails\*\* \|$")
        self.assertRegex(self.row(out, "| beta | lost µs/preempt ≤ ½ × `credit`"), r"n/a \(no batch work\) \|$")
        # alpha's fifo never preempts: not the best peer for lost per preemption
        self.assertNotIn("| alpha | lost µs/preempt (lower is better) | `fifo`", out)
        self.assertNotIn("| beta | request p99.9 ≤", out)
        # ablation: alpha's shard-pre with and without sharding; beta has no batch work: no row
        row = self.row(out, "| alpha | 0 ± 0 |")
        self.assertIn("| 9.85 ± 0.03 | 9.70 ± 0.02 |", row)      # batch work with, without
        self.assertIn("| 240.0 ± 5.0 | 250.0 ± 5.0 |", row)      # request p99 with, without
        self.assertTrue(row.endswith("| +1.5 % |"), row)         # 9.85 / 9.70 - 1
        self.assertNotIn("| beta | 0", out)
        self.assertIn("3 of 6 targets hold on the means (1 of them with CIs overlapping the threshold); "
                      "2 fail clearly, 1 fail within the CIs; 4 cannot be judged", out)
        # idempotent
        self.assertEqual(self.gen("--seeds", "3", "--jobs", "2", "--wall-s", "83.4", "--cpus", "2",
                                  "--date", "2024-01-02").returncode, 0)
        self.assertEqual(self.read(), out)

    def expect_error(self, doc, *needles, extra=()):
        self.write(doc)
        p = self.gen(*extra)
        self.assertEqual(p.returncode, 1, p.stderr)
        for n in needles:
            self.assertIn(n, p.stderr)
        self.assertEqual(self.read(), doc)  # left unchanged

    def test_marker_errors(self):
        self.expect_error(DOC.replace("<!-- END GENERATED: targets -->\n", ""),
                          "evaluation.md:15: BEGIN GENERATED: summary inside block 'targets'", "opened at line 11")
        self.expect_error(DOC.replace("<!-- END GENERATED: table beta -->", ""),
                          "BEGIN GENERATED: table beta has no END")
        self.expect_error(DOC.replace("<!-- BEGIN GENERATED: run -->\n", ""),
                          "END GENERATED: run without a BEGIN")
        self.expect_error(DOC.replace("<!-- END GENERATED: table alpha -->", "<!-- END GENERATED: table beta -->"),
                          "closes block 'table alpha'")
        self.expect_error(DOC.replace("<!-- BEGIN GENERATED: table alpha -->\n<!-- END GENERATED: table alpha -->", ""),
                          "no block for 'table alpha'", "<!-- BEGIN GENERATED: table alpha -->")
        self.expect_error(DOC + "<!-- BEGIN GENERATED: table gamma -->\n<!-- END GENERATED: table gamma -->\n",
                          "block 'table gamma': no results for scenario 'gamma'")
        self.expect_error(DOC + "<!-- BEGIN GENERATED: plots -->\n<!-- END GENERATED: plots -->\n",
                          "unknown block 'plots'")
        self.expect_error(DOC + "<!-- BEGIN GENERATED: run -->\n<!-- END GENERATED: run -->\n",
                          "block 'run' appears twice")
        self.expect_error(DOC.replace("<!-- END GENERATED: run -->", "<!-- END GENERATED run -->"),
                          "malformed marker")
        # checked before a long run: scripts/evaluate calls --markers-only first
        self.expect_error(DOC, "no block for 'table gamma'",
                          extra=("--markers-only", "--scenarios", "alpha", "beta", "gamma"))
        self.write(DOC)
        self.assertEqual(self.gen("--markers-only", "--scenarios", "alpha", "beta").returncode, 0)

    def test_report_errors(self):
        with open(os.path.join(self.results, "beta", "report.json"), "w") as f:
            f.write('{"scenario": "beta", "order": [')
        self.expect_error(DOC, "beta/report.json", "not JSON")
        self.expect_error(DOC, "gamma/report.json", "cannot read", extra=("--scenarios", "alpha", "gamma"))
        with open(os.path.join(self.results, "beta", "report.json"), "w") as f:
            json.dump({"scenario": "beta", "order": ["fifo"], "policies": {}}, f)
        self.expect_error(DOC, "beta/report.json", "not a vshard sim report")


if __name__ == "__main__":
    unittest.main(verbosity=2)
