#!/usr/bin/env python3
"""Yosys synth_xilinx resource counts and logic depth of the vShard engine.

For each named configuration (docs/spec.md section 1) this runs
    read_verilog -sv (rtl/vshard.f); chparam (NCores, NVcpus, NNodes, MaxShards) <top>;
    synth_xilinx -family xcup -top <top> -flatten; write_json; stat
with <top> = vs_top (the engine, default) or, with --top vs_card_top, the
engine with its DMA ring front-end (issue 16; the Alveo ring layout's kernel).
and records LUTs, flip-flops, BRAM (RAMB18/36 as 36 Kb equivalents), LUTRAM,
DSPs, carry cells, and the longest register-to-register path from the JSON
netlist (critical_path.py: LUT levels and an estimate in ns under a stated
per-cell delay model, with the RTL lines the path runs through). Results go to
<out>/<config>.json and, with --doc, as a table between the markers
"<!-- synth-table:begin -->" and "<!-- synth-table:end -->" in docs/hardware.md.

usage: synth_report.py [--configs small,large,max] [--out DIR] [--doc] [--share auto|on|off]
                       [--lut-map auto|yosys|python] [--timeout S] [--top vs_top|vs_card_top]
                       [--frontend] [--reuse]
--doc replaces the rows of the configurations run and keeps the others (vs_top only).
--frontend synthesises both tops (or reuses their results with --reuse) and
prints the front-end's cost: vs_card_top minus vs_top, and its LUTs as a share
of vs_top's. Results of vs_card_top go to <out>/<config>-vs_card_top.json.
Standard library only. Large configurations take long: run once, not in CTest.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import critical_path  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONFIGS = {
    "tiny": (4, 16, 2, 2),
    "small": (8, 64, 2, 4),
    "large": (64, 1024, 4, 8),
    "max": (256, 4096, 8, 8),
}
SHARE_MAX_CORES = 8  # --share auto: synth_xilinx's `share` pass only up to this many cores


def rtl_sources():
    flist = os.path.join(ROOT, "rtl", "vshard.f")
    if not os.path.exists(flist):
        sys.exit(f"synth_report.py: {flist} not found: the RTL engine is not in this tree")
    srcs = []
    for raw in open(flist):
        line = raw.split("#")[0].split("//")[0].strip()
        if not line or line[0] in "-+":
            continue
        for cand in (os.path.join(ROOT, line), os.path.join(ROOT, "rtl", line), line):
            if os.path.exists(cand):
                srcs.append(os.path.abspath(cand))
                break
        else:
            sys.exit(f"synth_report.py: {flist} names {line}, which does not exist")
    return srcs


TOPS = ("vs_top", "vs_card_top")


def stem(name, top):
    """File name stem of a configuration's results: large, large-vs_card_top."""
    return name if top == "vs_top" else f"{name}-{top}"


def parse(log, top="vs_top"):
    cells = {}
    # the last "Number of cells" block of the flattened top
    mark = f"=== {top} ==="
    stat = log[log.rfind(mark):] if mark in log else log
    for m in re.finditer(r"^\s+(\S+)\s+(\d+)\s*$", stat, re.M):
        cells[m.group(1)] = int(m.group(2))
    lut = sum(v for k, v in cells.items() if re.fullmatch(r"LUT[1-6]", k))
    ff = sum(v for k, v in cells.items() if re.fullmatch(r"FD[CPRS]E(_1)?|FD[CPRS]?|LD[CP]E?", k))
    b36 = cells.get("RAMB36E2", 0) + cells.get("RAMB36E1", 0)
    b18 = cells.get("RAMB18E2", 0) + cells.get("RAMB18E1", 0)
    lutram = sum(v for k, v in cells.items() if k.startswith("RAM") and not k.startswith("RAMB"))
    dsp = sum(v for k, v in cells.items() if k.startswith("DSP48"))
    carry = cells.get("CARRY8", 0) + cells.get("CARRY4", 0)
    muxf = sum(v for k, v in cells.items() if k.startswith("MUXF"))
    return {"LUT": lut, "FF": ff, "BRAM36": b36 + b18 / 2, "LUTRAM": lutram, "DSP": dsp,
            "CARRY": carry, "MUXF": muxf, "cells": cells}


# synth_xilinx without its coarse `share` pass (resource sharing of $mul/$shift
# cells with exclusive activation; on `large` it ran for over 40 minutes on a
# 2-core machine). The rest is synth_xilinx's own script, run in its stages.
# Without `share` the counts are an upper bound: cells share could merge stay.
NOSHARE_SCRIPT = """synth_xilinx -family xcup -top TOP -flatten -run begin:coarse
techmap -map +/cmp2lut.v -map +/cmp2lcu.v -D LUT_WIDTH=6
alumacc
opt
memory -nomap
opt_clean
synth_xilinx -family xcup -top TOP -flatten -run map_memory:
"""


# --lut-map python: stop synth_xilinx before its final techmap of ABC's $lut
# cells to LUT1..6/MUXF7/MUXF8 (on `max` that techmap derives one template per
# distinct LUT function and ran for over an hour without finishing) and do the
# same accounting here: a $lut of 2..6 inputs is one LUT, 7 inputs two LUT6 and a
# MUXF7, 8 inputs four LUT6, two MUXF7 and a MUXF8; 1 input is an inverter or a
# buffer (no LUT, as INV is not counted after the techmap). What the skipped
# steps would still do (xilinx_dffopt, opt_lut_ins) only removes LUT inputs or
# LUTs, so the count is an upper bound. The rest of the tail is synth_xilinx's own.
LUT_TAIL = """opt_expr -mux_undef -noclkinv
abc -luts 2:2,3,6:5,10,20
clean
techmap -map +/xilinx/ff_map.v
xilinx_srl -fixed -minlen 3
clean
"""
LUTMAP_PY_MIN_CORES = 65  # --lut-map auto: python above 64 cores


def count_generic_luts(netlist, top="vs_top"):
    """LUT and MUXF equivalents of the $lut cells of a netlist written before the final techmap."""
    lut = muxf = 0
    for c in netlist["modules"][top]["cells"].values():
        w = critical_path.lut_width(c)
        if w >= 2:
            lut += 1 if w <= 6 else 1 << (w - 6)
            muxf += 0 if w <= 6 else (1 << (w - 6)) - 1
    return lut, muxf


def rtl_version():
    """The last commit that changed rtl/, with '+dirty' if rtl/ has local changes
    (the path's line numbers refer to that version)."""
    try:
        rev = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--", "rtl"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "rtl"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return rev + ("+dirty" if dirty else "")


def run(name, out, timeout, share=True, py_luts=False, top="vs_top"):
    nc, nv, nn, ms = CONFIGS[name]
    base = stem(name, top)
    ys = os.path.join(out, f"{base}.ys")
    with open(ys, "w") as f:
        f.write(f"read_verilog -sv -DSYNTHESIS -I{ROOT}/rtl {' '.join(rtl_sources())}\n")
        f.write(f"chparam -set NCores {nc} -set NVcpus {nv} -set NNodes {nn} -set MaxShards {ms} {top}\n")
        script = f"synth_xilinx -family xcup -top {top} -flatten\n" if share else NOSHARE_SCRIPT.replace("TOP", top)
        if py_luts:
            script = (script.replace("-flatten\n", "-flatten -run :map_luts\n") if share
                      else script.replace("-run map_memory:\n", "-run map_memory:map_luts\n")) + LUT_TAIL
        f.write(script)
        f.write(f"write_json {os.path.join(out, base + '.json.netlist')}\n")
        f.write("tee -o " + os.path.join(out, base + ".stat") + " stat\n")
    logf = os.path.join(out, f"{base}.log")
    rtl = rtl_version()
    t0 = time.time()
    with open(logf, "w") as lf:
        try:
            rc = subprocess.run(["yosys", "-q", "-l", logf, ys], stdout=subprocess.DEVNULL,
                                stderr=lf, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            sys.exit(f"synth_report.py: {base}: yosys ran past {timeout} s; raise --timeout")
    secs = time.time() - t0
    log = open(logf).read()
    if rc != 0:
        sys.exit(f"synth_report.py: {base}: yosys failed (exit {rc}); see {logf}")
    res = parse(log, top)
    with open(os.path.join(out, base + ".json.netlist")) as nf:
        netlist = json.load(nf)
    res["path"] = critical_path.analyze(netlist, top)
    if py_luts:
        res["LUT"], res["MUXF"] = count_generic_luts(netlist, top)
    del netlist
    flow = "synth_xilinx" if share else "synth_xilinx, no share"
    res.update({"config": name, "top": top, "params": [nc, nv, nn, ms], "seconds": round(secs, 1), "rtl": rtl,
                "flow": flow + (", LUTs counted from ABC" if py_luts else "")})
    with open(os.path.join(out, f"{base}.json"), "w") as f:
        json.dump(res, f, indent=1)
    return res


def frontend_cost(base, card):
    """One line: what vs_card_top adds to vs_top (the DMA ring front-end), LUTs also as a share of vs_top."""
    if base.get("flow") != card.get("flow"):
        sys.exit(f"synth_report.py: {base['config']}: vs_top ({base.get('flow')}) and vs_card_top "
                 f"({card.get('flow')}) were not synthesised the same way; re-run one")
    d = {k: card[k] - base[k] for k in ("LUT", "FF", "BRAM36", "LUTRAM", "DSP", "CARRY")}
    return (f"front-end ({base['config']}, {base['flow']}): vs_card_top - vs_top = LUT {d['LUT']:+d} "
            f"({100.0 * d['LUT'] / base['LUT']:.1f} % of vs_top's {base['LUT']}), FF {d['FF']:+d} "
            f"({100.0 * d['FF'] / base['FF']:.1f} % of {base['FF']}), BRAM36 {d['BRAM36']:+g}, "
            f"LUTRAM {d['LUTRAM']:+d}, DSP {d['DSP']:+d}, CARRY {d['CARRY']:+d}; longest path "
            f"{base['path']['lut_levels']} -> {card['path']['lut_levels']} LUT levels "
            f"({base['path']['ns']} -> {card['path']['ns']} ns)")


def table(results):
    rows = ["| config | NCores/NVcpus/NNodes/MaxShards | LUT | FF | BRAM (36Kb) | LUTRAM | DSP | CARRY4/8 | "
            "longest path: LUT levels | est. delay | est. Fmax | yosys time |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        path = r["path"]
        notes = [n for n, on in ((r.get("top", "vs_top"), r.get("top", "vs_top") != "vs_top"),
                                 ("no `share`", "no share" in r.get("flow", "")),
                                 ("LUTs from ABC", "LUTs counted from ABC" in r.get("flow", ""))) if on]
        label = r["config"] + (" (" + ", ".join(notes) + ")" if notes else "")
        fmax = f"{1000.0 / path['ns']:.0f} MHz" if path["ns"] else "-"
        rows.append(f"| {label} | {'/'.join(map(str, r['params']))} | {r['LUT']} | {r['FF']} | "
                    f"{r['BRAM36']:g} | {r['LUTRAM']} | {r['DSP']} | {r['CARRY']} | {path['lut_levels']} | "
                    f"{path['ns']:.1f} ns | {fmax} | {r['seconds']:.0f} s |")
    return "\n".join(rows)


def paths(results):
    def deepest(r):
        d = r["path"].get("max_lut_levels")
        return f"; the deepest path has {d} LUT levels" if d is not None else ""
    return "\n".join(f"- `{r['config']}` longest path ({r['path']['cells']} cells) runs through "
                     + " -> ".join(f"`{w}`" for w in r["path"]["path"])
                     + f" (rtl/ at {r.get('rtl', 'unknown')}){deepest(r)}" for r in results)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default="small,large,max")
    ap.add_argument("--out", default=os.path.join(os.getcwd(), "synth-reports"), help="output directory (default ./synth-reports)")
    ap.add_argument("--doc", action="store_true", help="write the table into docs/hardware.md")
    ap.add_argument("--timeout", type=int, default=6 * 3600)
    ap.add_argument("--share", choices=("auto", "on", "off"), default="auto",
                    help="run synth_xilinx's coarse `share` pass: on, off, or auto (default: on up to "
                         f"{SHARE_MAX_CORES} cores, off above, where it runs for hours; without it counts are an upper bound)")
    ap.add_argument("--lut-map", choices=("auto", "yosys", "python"), default="auto",
                    help="map ABC's LUTs with synth_xilinx's final techmap (yosys) or count them here (python; "
                         "an upper bound, see LUT_TAIL); auto: python above 64 cores")
    ap.add_argument("--reuse", action="store_true", help="use existing <out>/<config>.json instead of re-running")
    ap.add_argument("--top", choices=TOPS, default="vs_top",
                    help="module to synthesise: the engine (vs_top) or the engine with its DMA ring front-end")
    ap.add_argument("--frontend", action="store_true",
                    help="synthesise vs_top and vs_card_top and report the front-end's cost (the difference)")
    a = ap.parse_args()
    if a.doc and (a.top != "vs_top" or a.frontend):
        sys.exit("synth_report.py: --doc writes vs_top's table; run --top vs_card_top / --frontend without it")
    os.makedirs(a.out, exist_ok=True)

    def result(name, top):
        cached = os.path.join(a.out, f"{stem(name, top)}.json")
        if a.reuse and os.path.exists(cached):
            r = json.load(open(cached))
            if "path" not in r or "max_lut_levels" not in r["path"]:  # an older critical_path.py's
                netlist = os.path.join(a.out, stem(name, top) + ".json.netlist")
                if not os.path.exists(netlist):
                    sys.exit(f"synth_report.py: {cached} lacks this version's path figures and {netlist} is "
                             "missing; run without --reuse")
                with open(netlist) as nf:
                    r["path"] = critical_path.analyze(json.load(nf), top)
        else:
            print(f"== {name} ({top}): synth_xilinx ...", flush=True)
            share = a.share == "on" or (a.share == "auto" and CONFIGS[name][0] <= SHARE_MAX_CORES)
            py_luts = a.lut_map == "python" or (a.lut_map == "auto" and CONFIGS[name][0] >= LUTMAP_PY_MIN_CORES)
            r = run(name, a.out, a.timeout, share=share, py_luts=py_luts, top=top)
        print(f"   {name} ({top}): LUT {r['LUT']} FF {r['FF']} BRAM36 {r['BRAM36']:g} DSP {r['DSP']}"
              f" longest path {r['path']['lut_levels']} LUT levels, {r['path']['ns']} ns"
              f" ({r['seconds']:.0f} s)", flush=True)
        return r

    results = []
    for name in a.configs.split(","):
        if name not in CONFIGS:
            sys.exit(f"synth_report.py: unknown config '{name}'; choose from {', '.join(CONFIGS)}")
        if a.frontend:
            base, card = result(name, "vs_top"), result(name, "vs_card_top")
            print(frontend_cost(base, card))
            continue
        results.append(result(name, a.top))
    if a.frontend:
        return
    t = table(results)
    print(t)
    print(paths(results))
    if a.doc:
        doc = os.path.join(ROOT, "docs", "hardware.md")
        text = open(doc).read()
        b, e = "<!-- synth-table:begin -->", "<!-- synth-table:end -->"
        if b not in text or e not in text:
            sys.exit(f"synth_report.py: {doc} lacks the markers {b} / {e}")
        # Keep the rows (and path lines) of configurations not run this time,
        # unless their columns are not this version's.
        rows, lines = {}, {}
        old = text[text.index(b) + len(b):text.index(e)].strip().splitlines()
        same_columns = bool(old) and old[0] == t.splitlines()[0]
        for row in old:
            if not same_columns:
                break
            if row.startswith("| ") and not row.startswith("| config"):
                rows[row.split("|")[1].split()[0]] = row
            elif row.startswith("- `"):
                lines[row[3:].split("`")[0]] = row
        for row in t.splitlines()[2:]:
            rows[row.split("|")[1].split()[0]] = row
        for line in paths(results).splitlines():
            lines[line[3:].split("`")[0]] = line
        order = [c for c in CONFIGS if c in rows]
        t = "\n".join(t.splitlines()[:2] + [rows[c] for c in order] + [""] + [lines[c] for c in order if c in lines])
        text = text[:text.index(b) + len(b)] + "\n" + t + "\n" + text[text.index(e):]
        open(doc, "w").write(text)
        print(f"table written to {doc}")


if __name__ == "__main__":
    main()
