#!/usr/bin/env python3
"""Writes the generated blocks of docs/evaluation.md from simulator reports.

Reads RESULTS/<scenario>/report.json (written by `vshard sim --seeds N --out
RESULTS/<scenario>`, see scripts/evaluate) and replaces, in the document,
only the text between

    <!-- BEGIN GENERATED: NAME -->
    <!-- END GENERATED: NAME -->

for these NAMEs (everything outside the markers is hand-written and kept):

    run              how and when the results were made (seeds, jobs, wall time)
    table SCENARIO   the policy table of one scenario, every figure mean ± CI
    summary          vShard (shard-pre by default) against the best peer, per figure
    targets          the evaluation's targets per scenario, with the CIs

Every scenario with results needs its `table SCENARIO` block and every block
needs results; a missing, unknown, repeated or unbalanced marker is an error
and the document is left unchanged. Python standard library only.

usage: gen_evaluation.py --results DIR --doc FILE [--scenarios A B ...]
                         [--vshard shard-pre] [--seeds N --jobs J --wall-s T --cpus C --date D]
       gen_evaluation.py --markers-only --results DIR --doc FILE --scenarios A B ...
"""
import argparse
import json
import math
import os
import re
import sys


class GenError(Exception):
    pass


# ---------------------------------------------------------------- reports --

# The figures the blocks show: key, JSON path in a per-run object, column
# title, decimals, and whether lower is better.
FIGURES = {
    "wake_p50": (("wake_latency_us", "p50"), "wake p50 µs", 1, True),
    "wake_p99": (("wake_latency_us", "p99"), "wake p99 µs", 1, True),
    "wake_p999": (("wake_latency_us", "p999"), "wake p99.9 µs", 1, True),
    "req_p50": (("request_latency_us", "p50"), "request p50 µs", 1, True),
    "req_p99": (("request_latency_us", "p99"), "request p99 µs", 1, True),
    "req_p999": (("request_latency_us", "p999"), "request p99.9 µs", 1, True),
    "req_count": (("request_latency_us", "count"), "requests", 0, False),
    "tput": (("batch_throughput_blocks_per_s",), "batch blocks/s", 0, False),
    "work": (("batch_work_cores",), "batch work (cores)", 2, False),
    "lost": (("batch_progress_lost_ms_per_s",), "lost ms/s", 1, True),
    "lost_pre": (("batch_lost_us_per_preemption",), "lost µs/preempt", 1, True),
    "preempt": (("preemptions",), "preempt", 0, True),
    "shards": (("shards",), "shards", 0, False),
    "commits": (("commits",), "commits", 0, False),
    "aborts": (("aborts",), "aborts", 0, True),
    "jain": (("credit_fairness_jain",), "jain", 3, False),
    "dec": (("mean_decision_us",), "dec µs", 2, True),
}


class Value:
    """A figure over the seeds: mean and 95 % CI half-width."""

    def __init__(self, mean, ci=0.0, n=1):
        self.mean, self.ci, self.n = float(mean), float(ci), int(n)


class Report:
    def __init__(self, name, path):
        self.name, self.path = name, path
        try:
            with open(path, encoding="utf-8") as f:
                self.j = json.load(f)
        except OSError as e:
            raise GenError(f"{path}: cannot read ({e.strerror}); run scripts/evaluate first")
        except json.JSONDecodeError as e:
            raise GenError(f"{path}: not JSON (line {e.lineno}): {e.msg}")
        try:
            self.order = list(self.j["order"])
            self.multi = "seeds" in self.j
            self.seeds = list(self.j["seeds"]) if self.multi else [self.j["seed"]]
            self.host = self.j["host"]
            for label in self.order:
                self.value(label, "req_p99")
        except (KeyError, TypeError) as e:
            raise GenError(f"{path}: not a vshard sim report (missing {e})")

    def value(self, label, fig):
        p = self.j["policies"][label]
        path = FIGURES[fig][0]
        if self.multi:
            s = p["summary"]
            for k in path:
                s = s[k]
            return Value(s["mean"], s["ci95"], s["n"])
        v = p
        for k in path:
            v = v[k]
        return Value(v)

    def is_vshard(self, label):
        return self.j["policies"][label]["policy"] == "shard"

    def peers(self):
        return [l for l in self.order if not self.is_vshard(l)]

    def has_batch(self):
        return any(self.value(l, "tput").mean > 0 for l in self.order)

    def overcommitted(self):
        return self.host["vcpus"] > self.host["cores"]


def load_reports(results, names):
    if names is None:
        if not os.path.isdir(results):
            raise GenError(f"{results}: no such directory; run scripts/evaluate first")
        names = sorted(d for d in os.listdir(results) if os.path.isfile(os.path.join(results, d, "report.json")))
        if not names:
            raise GenError(f"{results}: no <scenario>/report.json; run scripts/evaluate first")
    return {n: Report(n, os.path.join(results, n, "report.json")) for n in names}


# ----------------------------------------------------------------- format --

def num(x, dec):
    if math.isnan(x) or math.isinf(x):
        return "-"
    return f"{x:,.{dec}f}".replace(",", " ") if abs(x) >= 10000 else f"{x:.{dec}f}"


def pm(v, dec):
    return num(v.mean, dec) if v.n <= 1 else f"{num(v.mean, dec)} ± {num(v.ci, dec)}"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def seeds_text(r):
    s = r.seeds
    return f"seed {s[0]}" if len(s) == 1 else f"seeds {s[0]}..{s[-1]} (n = {len(s)})"


# ----------------------------------------------------------------- blocks --

TABLE_COLS = ["wake_p50", "wake_p99", "wake_p999", "req_p50", "req_p99", "req_p999", "tput", "work", "lost",
              "lost_pre", "preempt", "shards", "aborts", "jain", "dec"]


def block_table(r):
    h = r.host
    head = (f"{h['nodes']} node(s), {h['cores']} cores, {h['vcpus']} vCPUs; "
            f"{num(r.j['duration_ms'], 0)} ms simulated (warm-up {num(r.j['warmup_ms'], 0)} ms); "
            f"{seeds_text(r)}; engine `{r.j['engine']}`. Each cell: mean ± half-width of the 95 % "
            f"confidence interval over the seeds.")
    rows = []
    for label in r.order:
        rows.append([f"`{label}`"] + [pm(r.value(label, f), FIGURES[f][2]) for f in TABLE_COLS])
    return head + "\n\n" + table(["policy"] + [FIGURES[f][1] for f in TABLE_COLS], rows)


def best_peer(r, fig):
    """(label, Value) of the best non-vShard policy for fig, or (None, why)."""
    lower = FIGURES[fig][3]
    cands = r.peers()
    if not cands:
        return None, "no peer in the results"
    if fig.startswith("req") or fig.startswith("wake"):
        cands = [l for l in cands if r.value(l, "req_count").mean > 0]
        if not cands:
            return None, "no latency requests"
    if fig in ("tput", "work", "lost_pre") and not r.has_batch():
        return None, "no batch work"
    if fig == "lost_pre":
        cands = [l for l in cands if r.value(l, "preempt").mean > 0]
        if not cands:
            return None, "no peer preempts"
    key = (lambda l: r.value(l, fig).mean) if lower else (lambda l: -r.value(l, fig).mean)
    best = min(cands, key=key)  # ties: the first in the report's order
    return best, r.value(best, fig)


SUMMARY_FIGS = ["req_p99", "req_p999", "wake_p99", "work", "tput", "lost_pre"]


def ratio(a, b):
    return "-" if b == 0 else f"{a / b:.2f}"


def block_summary(reports, vshard):
    rows = []
    for name, r in reports.items():
        if vshard not in r.order:
            rows.append([name, "all", "-", "-", f"`{vshard}` not run", "-"])
            continue
        for fig in SUMMARY_FIGS:
            dec = FIGURES[fig][2]
            label, v = best_peer(r, fig)
            mine = r.value(vshard, fig)
            title = FIGURES[fig][1] + (" (lower is better)" if FIGURES[fig][3] else " (higher is better)")
            if label is None:
                rows.append([name, title, f"n/a ({v})", "-", pm(mine, dec), "-"])
            else:
                rows.append([name, title, f"`{label}`", pm(v, dec), pm(mine, dec), ratio(mine.mean, v.mean)])
    head = ["scenario", "figure", "best peer", "peer", f"`{vshard}`", f"`{vshard}` / peer"]
    return table(head, rows)


def verdict(a, t, k, lower):
    """Target: a <= k*t (lower) or a >= k*t. Holds only on the means; CIs
    overlapping the threshold are said."""
    thr, thr_ci = k * t.mean, k * t.ci
    holds = a.mean <= thr if lower else a.mean >= thr
    overlap = abs(a.mean - thr) <= a.ci + thr_ci
    return ("holds" if holds else "fails") + (" (CI overlap)" if overlap else "")


def block_targets(reports, vshard):
    rows = []
    counts = {"holds": 0, "holds (CI overlap)": 0, "fails": 0, "fails (CI overlap)": 0, "n/a": 0}

    def row(name, target, mine, thr, v):
        counts["n/a" if v.startswith("n/a") else v] += 1
        rows.append([name, target, mine, thr, f"**{v}**" if v.startswith("fails") else v])

    for name, r in reports.items():
        if vshard not in r.order:
            row(name, "all", "-", "-", f"n/a (`{vshard}` not run)")
            continue
        # request p99 not higher than the best peer's
        label, peer = best_peer(r, "req_p99")
        mine = r.value(vshard, "req_p99")
        if label is None:
            row(name, "request p99 ≤ best peer", pm(mine, 1), "-", f"n/a ({peer})")
        else:
            row(name, f"request p99 ≤ best peer (`{label}`)", pm(mine, 1), pm(peer, 1),
                verdict(mine, peer, 1.0, True))
        # batch throughput not lower than the best peer's by more than 1 %,
        # measured as batch work (core-seconds of blocks per second): blocks/s
        # would reward a policy that serves the workloads with short blocks
        label, peer = best_peer(r, "work")
        mine = r.value(vshard, "work")
        if label is None:
            row(name, "batch work ≥ 0.99 × best peer", pm(mine, 2), "-", f"n/a ({peer})")
        else:
            row(name, f"batch work ≥ 0.99 × best peer (`{label}`)", pm(mine, 2),
                "0.99 × " + pm(peer, 2), verdict(mine, peer, 0.99, False))
        # progress lost per preemption at most half of credit's and credit2's
        mine = r.value(vshard, "lost_pre")
        for peer_label in ("credit", "credit2"):
            target = f"lost µs/preempt ≤ ½ × `{peer_label}`"
            if not r.has_batch():
                row(name, target, pm(mine, 1), "-", "n/a (no batch work)")
            elif peer_label not in r.order:
                row(name, target, pm(mine, 1), "-", f"n/a (`{peer_label}` not run)")
            elif r.value(peer_label, "preempt").mean == 0:
                row(name, target, pm(mine, 1), "-", f"n/a (`{peer_label}` did not preempt)")
            else:
                peer = r.value(peer_label, "lost_pre")
                row(name, target, pm(mine, 1), "0.5 × " + pm(peer, 1), verdict(mine, peer, 0.5, True))
        # overcommitted hosts: request p99.9 at least 2x below credit2's and eevdf's
        if r.overcommitted():
            mine = r.value(vshard, "req_p999")
            for peer_label in ("credit2", "eevdf"):
                target = f"request p99.9 ≤ ½ × `{peer_label}` (overcommitted)"
                if peer_label not in r.order:
                    row(name, target, pm(mine, 1), "-", f"n/a (`{peer_label}` not run)")
                elif mine.mean == 0 and r.value(vshard, "req_count").mean == 0:
                    row(name, target, pm(mine, 1), "-", "n/a (no latency requests)")
                else:
                    peer = r.value(peer_label, "req_p999")
                    row(name, target, pm(mine, 1), "0.5 × " + pm(peer, 1), verdict(mine, peer, 0.5, True))
            if "credit" in r.order and mine.mean > 0:
                c = r.value("credit", "req_p999")
                rows.append([name, "request p99.9: `credit` / `" + vshard + "` (reported, no threshold)",
                             pm(mine, 1), pm(c, 1), f"{c.mean / mine.mean:.1f}x"])
    judged = sum(v for k, v in counts.items() if k != "n/a")
    held = counts["holds"] + counts["holds (CI overlap)"]
    text = table(["scenario", "target", f"`{vshard}`", "threshold", "verdict"], rows)
    text += (f"\n\n{held} of {judged} targets hold on the means ({counts['holds (CI overlap)']} of them with "
             f"CIs overlapping the threshold); {counts['fails']} fail clearly, "
             f"{counts['fails (CI overlap)']} fail within the CIs; {counts['n/a']} cannot be judged "
             f"from these results.")
    return text


# The ablation: the vShard policy with sharding switched off (SHARD_ENABLE=0,
# everything else equal), from <results>/<scenario>/noshard.json next to the
# scenario's report (scripts/evaluate writes it). What sharding itself adds.
ABLATION_FIGS = ["work", "req_p99", "lost_pre", "preempt"]


def load_ablations(results, names):
    out = {}
    for name in names:
        path = os.path.join(results, name, "noshard.json")
        if os.path.isfile(path):
            out[name] = Report(name, path)
    return out


def block_ablation(reports, ablations, vshard):
    rows = []
    for name, r in reports.items():
        if vshard not in r.order or not r.has_batch():
            continue
        off = ablations.get(name)
        if off is None or vshard not in off.order:
            rows.append([name, pm(r.value(vshard, "shards"), 0)] + ["-"] * (2 * len(ABLATION_FIGS)) +
                        ["n/a (no run without sharding)"])
            continue
        row = [name, pm(r.value(vshard, "shards"), 0)]
        for fig in ABLATION_FIGS:
            dec = FIGURES[fig][2]
            row += [pm(r.value(vshard, fig), dec), pm(off.value(vshard, fig), dec)]
        w_on, w_off = r.value(vshard, "work").mean, off.value(vshard, "work").mean
        row.append("-" if w_off == 0 else f"{100 * (w_on / w_off - 1):+.1f} %")
        rows.append(row)
    head = ["scenario", "shards"]
    for fig in ABLATION_FIGS:
        head += [FIGURES[fig][1] + " with", "without"]
    head.append("batch work: sharding adds")
    return table(head, rows)


def block_run(reports, a):
    peers = sorted({l for r in reports.values() for l in r.peers()})
    vs = sorted({l for r in reports.values() for l in r.order if r.is_vshard(l)})
    seeds = sorted({len(r.seeds) for r in reports.values()})
    parts = [f"{len(reports)} scenarios ({', '.join('`' + n + '`' for n in reports)})",
             f"{'/'.join(map(str, seeds))} seeds each",
             f"peers {', '.join('`' + p + '`' for p in peers) or 'none'}",
             f"vShard {', '.join('`' + p + '`' for p in vs) or 'none'}"]
    text = "Results in this page: " + "; ".join(parts) + "."
    if a.wall_s is not None:
        m, s = divmod(round(a.wall_s), 60)
        text += (f" Made by `scripts/evaluate --seeds {a.seeds} --jobs {a.jobs}`"
                 + (f" on {a.date}" if a.date else "")
                 + f": {m} min {s} s wall on a machine with {a.cpus} online CPUs.")
    return text


# ---------------------------------------------------------------- markers --

MARK = re.compile(r"^\s*<!--\s*(BEGIN|END) GENERATED:\s*(.*?)\s*-->\s*$")


def find_blocks(lines, doc):
    """{name: (begin_index, end_index)} of the marker lines; errors name the line."""
    blocks, open_name, open_at = {}, None, None
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            if line.lstrip().startswith("<!--") and "GENERATED" in line:  # a typo must not pass as prose
                raise GenError(f"{doc}:{i + 1}: malformed marker: {line.strip()}")
            continue
        kind, name = m.group(1), m.group(2)
        if kind == "BEGIN":
            if open_name is not None:
                raise GenError(f"{doc}:{i + 1}: BEGIN GENERATED: {name} inside block '{open_name}' "
                               f"(opened at line {open_at + 1}, not closed)")
            if name in blocks:
                raise GenError(f"{doc}:{i + 1}: block '{name}' appears twice (first at line {blocks[name][0] + 1})")
            open_name, open_at = name, i
        else:
            if open_name is None:
                raise GenError(f"{doc}:{i + 1}: END GENERATED: {name} without a BEGIN")
            if name != open_name:
                raise GenError(f"{doc}:{i + 1}: END GENERATED: {name} closes block '{open_name}' "
                               f"(opened at line {open_at + 1})")
            blocks[name] = (open_at, i)
            open_name = None
    if open_name is not None:
        raise GenError(f"{doc}:{open_at + 1}: BEGIN GENERATED: {open_name} has no END GENERATED: {open_name}")
    return blocks


def check_blocks(blocks, names, doc):
    """The document has exactly the blocks for these scenarios."""
    wanted = ["run", "summary", "targets", "ablation"] + [f"table {n}" for n in names]
    for name in blocks:
        if name not in wanted:
            if name.startswith("table "):
                raise GenError(f"{doc}:{blocks[name][0] + 1}: block '{name}': no results for scenario "
                               f"'{name[6:]}' (remove the block or add the scenario)")
            raise GenError(f"{doc}:{blocks[name][0] + 1}: unknown block '{name}' "
                           f"(known: run, summary, targets, ablation, table <scenario>)")
    missing = [n for n in wanted if n not in blocks]
    if missing:
        raise GenError(f"{doc}: no block for {', '.join(repr(m) for m in missing)}: add "
                       f"'<!-- BEGIN GENERATED: {missing[0]} -->' and '<!-- END GENERATED: {missing[0]} -->' "
                       f"where it belongs")


def render(doc_text, doc, reports, a):
    lines = doc_text.split("\n")
    blocks = find_blocks(lines, doc)
    check_blocks(blocks, list(reports), doc)
    content = {"run": block_run(reports, a), "summary": block_summary(reports, a.vshard),
               "targets": block_targets(reports, a.vshard),
               "ablation": block_ablation(reports, load_ablations(a.results, list(reports)), a.vshard)}
    for name, r in reports.items():
        content[f"table {name}"] = block_table(r)
    out, i = [], 0
    for name, (b, e) in sorted(blocks.items(), key=lambda kv: kv[1][0]):
        out += lines[i:b + 1]
        out += ["", content[name], ""]
        out.append(lines[e])
        i = e + 1
    out += lines[i:]
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", required=True, help="directory of <scenario>/report.json")
    ap.add_argument("--doc", required=True, help="the Markdown file to update in place")
    ap.add_argument("--scenarios", nargs="+", help="scenario names (default: every results folder)")
    ap.add_argument("--vshard", default="shard-pre", help="the vShard policy compared with the peers")
    ap.add_argument("--seeds", type=int)
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--wall-s", type=float)
    ap.add_argument("--cpus", type=int)
    ap.add_argument("--date")
    ap.add_argument("--markers-only", action="store_true",
                    help="only check that the document has the blocks for --scenarios (before a long run)")
    a = ap.parse_args(argv)
    try:
        try:
            with open(a.doc, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise GenError(f"{a.doc}: cannot read ({e.strerror})")
        if a.markers_only:
            if not a.scenarios:
                raise GenError("--markers-only needs --scenarios")
            check_blocks(find_blocks(text.split("\n"), a.doc), a.scenarios, a.doc)
            return 0
        reports = load_reports(a.results, a.scenarios)
        new = render(text, a.doc, reports, a)
        tmp = a.doc + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(new)
        os.replace(tmp, a.doc)
    except GenError as e:
        print(f"gen_evaluation: error: {e}", file=sys.stderr)
        return 1
    print(f"gen_evaluation: {a.doc}: {len(reports)} scenario tables, summary, targets, ablation", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
