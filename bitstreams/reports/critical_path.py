#!/usr/bin/env python3
"""Longest register-to-register path of a Yosys synth_xilinx netlist, in LUT
levels and in nanoseconds under a stated per-cell delay model, and the most
LUT levels on any register-to-register path (the deepest path, which need
not be the slowest: carries, slice muxes and DSPs weigh differently).

Yosys's `ltp` counts every cell on a path as one level: a MUXF7/8/9 (a slice
mux between LUT outputs) and each CARRY4/8 segment of an adder or comparator
count as much as a LUT, so wide compares and wide muxes look several times
deeper than they are. This reads the JSON netlist (`write_json`) instead and
weighs each cell type by DELAY_NS below. It is an estimate, not a timing
analysis: no placement, no routing beyond the per-LUT allowance, no fanout.

Path boundaries (arrival 0 at their outputs, path ends at their inputs):
flip-flops (FD*), block RAMs (RAMB*, synchronous read), ports (IBUF/OBUF),
clock buffers, and the clocked write inputs of distributed RAMs (their read
address -> data path is combinational and weighs as a LUT). DSP48E2 cells are combinational when all their *REG parameters
are 0 (as synth_xilinx maps this design) and then carry DSP_COMB_NS.

usage: critical_path.py NETLIST.json [--top vs_top] [--slowest N] [--into NET]
--into NET prints the slowest path that ends in net NET (a name Yosys kept,
e.g. ram_raddr or u_exec.state_q) cell by cell: type, arrival, the named
net it drives if any, and its RTL line if the mapping kept one. ABC's LUTs
keep neither, so read the named nets and carry chains between them.
Standard library only.
"""
import argparse
import json
import re
import sys

# Assumed UltraScale+ (-2 speed grade) delays, ns. A LUT includes its input
# route; slice muxes and carry segments are fast dedicated paths.
LUT_NS = 0.5
DELAY_NS = {
    "LUT1": LUT_NS, "LUT2": LUT_NS, "LUT3": LUT_NS, "LUT4": LUT_NS, "LUT5": LUT_NS, "LUT6": LUT_NS,
    "MUXF7": 0.1, "MUXF8": 0.1, "MUXF9": 0.1,
    "CARRY4": 0.1, "CARRY8": 0.15,
    "INV": 0.0,  # absorbed into the next LUT by Vivado
}
DSP_COMB_NS = 3.0  # DSP48E2 with every pipeline register off, A/B to P
# Distributed RAM (LUTRAM): the read is asynchronous, so read address -> data
# is a LUT-like path; the write (data, write address, enable) is clocked, so
# those inputs end a path. Which inputs are read addresses, by port name:
LUTRAM = re.compile(r"RAM(32|64|128|256|512)(M|M8|M16|X\d+[SD])")
LUTRAM_READ_PORT = re.compile(r"ADDR[A-G]|ADDRH|A\d+|DPRA\d*|RADR.*")
BOUNDARY = re.compile(r"FD[CPRS]E(_1)?|FD[CPRS]?|LD[CP]E?|RAMB\d+E\d|IBUF|OBUF|OBUFT|IOBUF|BUFG|BUFGCE")


def _dsp_is_combinational(cell):
    p = cell.get("parameters", {})
    return all(int(v, 2) == 0 for k, v in p.items() if k.endswith("REG") and set(v) <= set("01"))


# Yosys's generic LUT cell ($lut, WIDTH inputs), as ABC leaves it before the
# final techmap to LUT1..6 (+ MUXF7/8 for 7 and 8 inputs): a netlist written
# before that techmap (synth_report.py --lut-map python) is read the same way.
# A 1-input $lut is an inverter or a buffer (INV or a wire after the techmap).
SHREG = re.compile(r"\$__XILINX_SHREG_")  # SRL before its techmap: clocked, a boundary


def lut_width(cell):
    """Inputs of a $lut cell, or 0 for any other cell."""
    if cell["type"] != "$lut":
        return 0
    w = cell.get("parameters", {}).get("WIDTH", "0")
    return int(w, 2) if set(w) <= set("01") else int(w)


def cell_delay(cell):
    t = cell["type"]
    if t in DELAY_NS:
        return DELAY_NS[t]
    if t == "$lut":
        w = lut_width(cell)
        return 0.0 if w <= 1 else LUT_NS + 0.1 * max(0, w - 6)
    if LUTRAM.fullmatch(t):
        return LUT_NS
    if t == "DSP48E2" and _dsp_is_combinational(cell):
        return DSP_COMB_NS
    return None  # a boundary (or an unknown cell type, reported)


def _src_short(src):
    """'/x/rtl/vs_top.sv:297.3-297.40|...' -> 'vs_top.sv:297' (first RTL location)."""
    for part in src.split("|"):
        m = re.match(r".*/([^/]+\.s?v):(\d+)", part)
        if m and "/share/yosys/" not in part:
            return f"{m.group(1)}:{m.group(2)}"
    return None


def analyze(netlist, top="vs_top", slowest=0, into=None):
    """The longest and the deepest path; with slowest = N, also the N slowest
    paths (ends) whose first three named nets differ, each as its named nets
    (result "slowest": [{"ns", "lut_levels", "nets"}]); with into = NET, the
    slowest path whose last cell drives a bit of net NET (result "into":
    {"ns", "lut_levels", "from", "cells": [{"type", "ns", "net", "src"}]},
    "from" the named nets into the path's first cell)."""
    mods = netlist.get("modules", {})
    if top not in mods:
        raise SystemExit(f"critical_path.py: no module {top} in the netlist (have: {', '.join(mods) or 'none'})")
    cells = mods[top]["cells"]
    names = list(cells)
    delay, driver = {}, {}
    unknown = set()
    for n in names:
        c = cells[n]
        d = cell_delay(c)
        if d is None and not BOUNDARY.fullmatch(c["type"]) and c["type"] != "DSP48E2" and not SHREG.match(c["type"]):
            unknown.add(c["type"])
        delay[n] = d
        for port, bits in c["connections"].items():
            if c.get("port_directions", {}).get(port) == "output":
                for b in bits:
                    if isinstance(b, int):
                        driver[b] = n
    if unknown:
        raise SystemExit(f"critical_path.py: no delay for cell types {', '.join(sorted(unknown))}; add them to DELAY_NS")
    # Combinational fan-in of each combinational cell.
    fanin = {}
    for n in names:
        if delay[n] is None:
            continue
        c = cells[n]
        srcs = set()
        lutram = LUTRAM.fullmatch(c["type"]) is not None
        for port, bits in c["connections"].items():
            if c.get("port_directions", {}).get(port) != "input":
                continue
            if lutram and not LUTRAM_READ_PORT.fullmatch(port):
                continue  # a clocked write input
            for b in bits:
                dn = driver.get(b) if isinstance(b, int) else None
                if dn is not None and delay[dn] is not None:
                    srcs.add(dn)
        fanin[n] = srcs
    # Longest path by depth-first evaluation (iterative; the netlist is a DAG
    # between boundaries, a loop is a combinational loop and is reported).
    # deepest: the most LUT levels on any path into a cell (issue 12's target
    # is in levels; the slowest path by delay need not be the deepest).
    arrival, levels, prev, deepest = {}, {}, {}, {}
    state = {}
    for root in fanin:
        if root in arrival:
            continue
        stack = [(root, iter(fanin[root]))]
        state[root] = 1
        while stack:
            n, it = stack[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt in arrival:
                    continue
                if state.get(nxt) == 1:
                    raise SystemExit(f"critical_path.py: combinational loop through {nxt}")
                state[nxt] = 1
                stack.append((nxt, iter(fanin[nxt])))
                continue
            stack.pop()
            best, bp = 0.0, None
            for s in sorted(fanin[n]):  # ties: the same choice in every run
                if arrival[s] > best:
                    best, bp = arrival[s], s
            arrival[n] = best + delay[n]
            lut = 1 if cells[n]["type"].startswith("LUT") or lut_width(cells[n]) >= 2 else 0
            levels[n] = (levels[bp] if bp else 0) + lut
            deepest[n] = max((deepest[s] for s in fanin[n]), default=0) + lut
            prev[n] = bp
            state[n] = 2
    if not arrival:
        return {"ns": 0.0, "lut_levels": 0, "cells": 0, "path": [], "max_lut_levels": 0}
    end = max(arrival, key=lambda n: arrival[n])
    path = _path_to(prev, end)
    # RTL locations along the path, consecutive repeats merged.
    where = []
    for n in path:
        s = _src_short(cells[n].get("attributes", {}).get("src", ""))
        if s and (not where or where[-1] != s):
            where.append(s)
    res = {"ns": round(arrival[end], 2), "lut_levels": levels[end], "cells": len(path), "path": where,
           "max_lut_levels": max(deepest.values())}
    if slowest:
        res["slowest"] = _slowest(mods[top], arrival, levels, prev, slowest)
    if into is not None:
        res["into"] = _into(mods[top], arrival, levels, prev, into)
    return res


def _path_to(prev, end):
    """The cells of the path that ends in `end`, first to last (prev: each
    cell's slowest fan-in, None at the path's start)."""
    path, n = [], end
    while n is not None:
        path.append(n)
        n = prev[n]
    path.reverse()
    return path


def _named_bits(mod):
    """Bit -> the name Yosys kept for it (hide_name 0), the first one seen."""
    named = {}
    for net, nn in mod.get("netnames", {}).items():
        if nn.get("hide_name", 1) == 0:
            for b in nn["bits"]:
                if isinstance(b, int):
                    named.setdefault(b, net)
    return named


def _out_bits(cell):
    for port, bits in cell["connections"].items():
        if cell.get("port_directions", {}).get(port) == "output":
            for b in bits:
                if isinstance(b, int):
                    yield b


def _into(mod, arrival, levels, prev, net):
    """The slowest path into net `net`, cell by cell."""
    cells = mod["cells"]
    nets = mod.get("netnames", {})
    if net not in nets:
        near = sorted(n for n in nets if net in n and nets[n].get("hide_name", 1) == 0)[:10]
        raise SystemExit(f"critical_path.py: no net {net} in the netlist"
                         + (f" (names containing it: {', '.join(near)})" if near else ""))
    bits = {b for b in nets[net]["bits"] if isinstance(b, int)}
    ends = [n for n in arrival if any(b in bits for b in _out_bits(cells[n]))]
    if not ends:
        raise SystemExit(f"critical_path.py: net {net} is not driven by combinational logic "
                         "(a register output, a port or a constant)")
    end = max(ends, key=lambda n: arrival[n])
    named = _named_bits(mod)
    path = _path_to(prev, end)
    out = []
    for n in path:
        c = cells[n]
        name = next((named[b] for b in _out_bits(c) if b in named), "")
        out.append({"type": c["type"], "ns": round(arrival[n], 2), "net": name,
                    "src": _src_short(c.get("attributes", {}).get("src", "")) or ""})
    first = cells[path[0]]
    start = []  # the named nets at the path's start (register outputs, ports)
    for port, bb in first["connections"].items():
        if first.get("port_directions", {}).get(port) == "input":
            for b in bb:
                if isinstance(b, int) and b in named and named[b] not in start:
                    start.append(named[b])
    return {"ns": round(arrival[end], 2), "lut_levels": levels[end], "from": start, "cells": out}


def _slowest(mod, arrival, levels, prev, count):
    """The `count` slowest paths, told apart by their first three named nets
    (a net Yosys kept a name for: hide_name 0)."""
    cells = mod["cells"]
    named = _named_bits(mod)
    out, seen = [], set()
    for end in sorted(arrival, key=lambda n: -arrival[n]):
        nets = []
        for n in reversed(_path_to(prev, end)):
            for b in _out_bits(cells[n]):
                if b in named and (not nets or nets[-1] != named[b]):
                    nets.append(named[b])
        nets.reverse()
        if tuple(nets[:3]) in seen:
            continue
        seen.add(tuple(nets[:3]))
        out.append({"ns": round(arrival[end], 2), "lut_levels": levels[end], "nets": nets})
        if len(out) == count:
            break
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("netlist")
    ap.add_argument("--top", default="vs_top")
    ap.add_argument("--slowest", type=int, default=0, metavar="N",
                    help="also list the N slowest paths (told apart by their first three named nets)")
    ap.add_argument("--into", metavar="NET",
                    help="also print the slowest path into net NET, cell by cell")
    a = ap.parse_args()
    try:
        with open(a.netlist) as f:
            netlist = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"critical_path.py: cannot read {a.netlist}: {e}")
    r = analyze(netlist, a.top, a.slowest, a.into)
    print(f"longest path: {r['ns']} ns, {r['lut_levels']} LUT levels, {r['cells']} cells")
    print(f"deepest path: {r['max_lut_levels']} LUT levels")
    print("through: " + " -> ".join(r["path"]))
    for p in r.get("slowest", []):
        print(f"{p['ns']:5.1f} ns {p['lut_levels']:3d} LUT levels: " + " > ".join(p["nets"]))
    if "into" in r:
        p = r["into"]
        print(f"slowest path into {a.into}: {p['ns']} ns, {p['lut_levels']} LUT levels, {len(p['cells'])} cells")
        print("  from: " + (", ".join(p["from"]) or "(no named net)"))
        for c in p["cells"]:
            print(f"  {c['ns']:5.2f} ns  {c['type']:<8} {c['net']:<40} {c['src']}".rstrip())


if __name__ == "__main__":
    main()
