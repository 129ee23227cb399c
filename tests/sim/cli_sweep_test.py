#!/usr/bin/env python3
"""The seed-sweep command lines, end to end on a tiny run (demo-small, 150 ms):

- `vshard sim --seeds 3` gives the same report with --jobs 1 and --jobs 2;
- `vshard sweep plan ... | sh` then `vshard sweep merge` gives the same table
  and JSON as the --seeds 3 run (timing fields aside);
- --seeds 1 keeps the single-seed format;
- bad --seeds / --jobs, a cut JSON file and mismatched reports are refused
  with errors that name the problem.

usage: cli_sweep_test.py VSHARD SCENARIO_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

VSHARD = ""
SCENARIOS = ""
TIMING = ("wall_s", "cpu_s", "sim_events_per_s")


def run(*args, ok=True):
    p = subprocess.run([VSHARD, *args], capture_output=True, text=True, timeout=60)
    if ok and p.returncode != 0:
        raise AssertionError(f"vshard {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p


def without_timing(report):
    for pol in report["policies"].values():
        pol.pop("timing", None)
        for k in TIMING:
            pol.pop(k, None)
        for r in pol.get("runs", []):
            for k in TIMING:
                r.pop(k, None)
    return report


def load(path):
    with open(path) as f:
        return json.load(f)


class SweepCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vshard_cli_sweep_")
        self.dir = self.tmp.name
        self.scenario = os.path.join(SCENARIOS, "demo-small.toml")
        self.common = ["--duration-ms", "150", "--policy", "fifo,credit,shard-pre", "--quiet"]

    def tearDown(self):
        self.tmp.cleanup()

    def sim(self, *args, ok=True):
        return run("sim", self.scenario, *self.common, *args, ok=ok)

    def test_jobs_do_not_change_the_report(self):
        a = os.path.join(self.dir, "a.json")
        b = os.path.join(self.dir, "b.json")
        ta = self.sim("--seeds", "3", "--jobs", "1", "--json", a).stdout
        tb = self.sim("--seeds", "3", "--jobs", "2", "--json", b).stdout
        self.assertEqual(ta, tb)
        self.assertIn("±", ta)
        self.assertEqual(without_timing(load(a)), without_timing(load(b)))
        self.assertEqual(load(a)["seeds"], [1, 2, 3])  # demo-small's seed is 1

    def test_plan_then_merge_equals_the_seeds_run(self):
        ref = os.path.join(self.dir, "ref.json")
        table = self.sim("--seeds", "3", "--seed", "4", "--json", ref).stdout
        out = os.path.join(self.dir, "sweep")
        plan = run("sweep", "plan", "--seeds", "3", "--seed", "4", "--duration-ms", "150",
                   "--policy", "fifo,credit,shard-pre", "--out", out, self.scenario).stdout.splitlines()
        self.assertEqual(len(plan), 3)
        for seed, line in zip((4, 5, 6), plan):
            self.assertIn(f"--seed {seed} --seeds 1 --json {out}/demo-small/seed-{seed}.json", line)
            subprocess.run(line, shell=True, check=True, timeout=60)  # as GNU parallel or Slurm would
        files = sorted(os.path.join(out, "demo-small", f) for f in os.listdir(os.path.join(out, "demo-small")))
        self.assertEqual([os.path.basename(f) for f in files], ["seed-4.json", "seed-5.json", "seed-6.json"])
        single = load(files[0])
        self.assertNotIn("seeds", single)
        merged_path = os.path.join(self.dir, "merged", "report.json")
        merged_table = run("sweep", "merge", *files, "--out", os.path.dirname(merged_path), "--quiet").stdout
        self.assertEqual(merged_table, table)
        self.assertEqual(without_timing(load(merged_path)), without_timing(load(ref)))
        for plot in ("latency_cdf.png", "throughput.svg", "request_tail.png"):
            self.assertTrue(os.path.exists(os.path.join(self.dir, "merged", plot)), plot)
        # a missing seed: merged with a warning naming it
        p = run("sweep", "merge", files[0], files[2])
        self.assertIn("seeds 5 are missing", p.stderr)

    def test_one_seed_keeps_the_single_seed_format(self):
        j = os.path.join(self.dir, "one.json")
        table = self.sim("--seeds", "1", "--json", j).stdout
        self.assertNotIn("±", table)
        self.assertIn("events/s", table)
        report = load(j)
        self.assertNotIn("seeds", report)
        self.assertIn("batch_lost_us_per_preemption", report["policies"]["credit"])
        # merging one report prints the same table (its timing comes from the file)
        self.assertEqual(run("sweep", "merge", j, "--quiet").stdout, table)

    def test_errors_name_the_problem(self):
        p = self.sim("--seeds", "0", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--seeds 0", p.stderr)
        p = self.sim("--jobs", "0", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--jobs 0", p.stderr)
        p = run("sweep", "plan", "--seeds", "0", self.scenario, ok=False)
        self.assertIn("--seeds 0", p.stderr)
        good = os.path.join(self.dir, "good.json")
        self.sim("--json", good, "--seed", "1")
        cut = os.path.join(self.dir, "cut.json")
        with open(good) as f, open(cut, "w") as g:
            g.write(f.read()[:500])
        p = run("sweep", "merge", good, cut, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(cut, p.stderr)
        self.assertIn("not a JSON report", p.stderr)
        other = os.path.join(self.dir, "other.json")
        run("sim", self.scenario, "--duration-ms", "100", "--policy", "fifo,credit,shard-pre", "--quiet",
            "--seed", "2", "--json", other)
        p = run("sweep", "merge", good, other, ok=False)
        self.assertIn(other, p.stderr)
        self.assertIn("duration_ms", p.stderr)
        p = run("sweep", "merge", good, good, ok=False)
        self.assertIn("'seed'", p.stderr)
        p = run("sweep", "merge", os.path.join(self.dir, "absent.json"), ok=False)
        self.assertIn("absent.json", p.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    VSHARD, SCENARIOS = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]], verbosity=2)
