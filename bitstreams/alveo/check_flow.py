#!/usr/bin/env python3
"""Checks the Alveo Vitis flow (bitstreams/alveo) as far as a machine without
Vitis can: that its files agree with each other, with the RTL, with the
register map and with the xrt backend that loads the xclbin.

  kernel.xml          parses; kernel vs_engine, user-managed; its ports are
                      ports of vs_krnl_top.sv with the same widths; the
                      register arguments sit at the regs.h offsets; the
                      AXI4-Lite range covers the register map.
  vs_movers.cc        every argument of vs_mm2s / vs_s2mm has an INTERFACE
                      pragma of the right kind (m_axi for pointers, axis for
                      streams, s_axilite for the rest and for return).
  connectivity_*.cfg  every nk= kernel exists; every stream_connect joins an
                      output stream to an input stream of the same width;
                      every sp= names a memory-pointer argument; every slr=
                      names a compute unit; all four kernels are linked.
  driver              the mover arguments backend_xrt.cc looks up by name
                      exist with the same kind; its default engine kernel is
                      kernel.xml's; the noop test's synthetic movers have the
                      same argument lists.
  Makefile            without v++ on PATH, `make` stops with the message that
                      says so (exit status non-zero, nothing built).
  vs_krnl_top.sv      (with --verilator BIN) lints clean with -Wall together
                      with the engine, in the Makefile's default configuration.

Nothing here runs Vitis or proves the xclbin works on a card: that flow is
untested here (docs/hardware.md section 5). Standard library only.

usage: check_flow.py [--root REPO] [--verilator BIN]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


class Checker:
    def __init__(self):
        self.failures = []
        self.passes = 0

    def check(self, ok, what):
        if ok:
            self.passes += 1
        else:
            self.failures.append(what)
        return ok


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def regs_offsets(root):
    """kName -> offset from include/vshard/regs.h."""
    text = read(os.path.join(root, "include", "vshard", "regs.h"))
    return {m.group(1): int(m.group(2), 0)
            for m in re.finditer(r"inline constexpr uint32_t (k\w+) = (0x[0-9A-Fa-f]+|\d+);", text)}


def sv_ports(text):
    """Port name -> width in bits of the first module's port list."""
    # The port list: the parenthesised list that ends with ");" after the
    # module's #( parameter list ).
    plist = re.search(r"\)\s*\((.*?)\);", strip_comments(text), flags=re.S).group(1)
    ports = {}
    for m in re.finditer(r"\b(input|output)\s+logic\s*(\[(\d+):0\])?\s*(\w+)", plist):
        ports[m.group(4)] = (m.group(1), int(m.group(3)) + 1 if m.group(3) else 1)
    return ports


def hls_functions(text):
    """extern "C" functions: name -> (args [(name, kind)], pragmas {port: mode})."""
    text = strip_comments(text)
    out = {}
    for m in re.finditer(r'extern "C" void (\w+)\(([^)]*)\)\s*\{', text):
        args = []
        for a in m.group(2).split(","):
            a = " ".join(a.split())
            name = re.search(r"(\w+)$", a).group(1)
            if "hls::stream" in a:
                kind = "stream"
            elif "*" in a:
                kind = "pointer"
            else:
                kind = "scalar"
            args.append((name, kind))
        body_start = m.end()
        nxt = text.find('extern "C"', body_start)
        body = text[body_start: nxt if nxt >= 0 else len(text)]
        pragmas = {}
        for p in re.finditer(r"#pragma HLS INTERFACE mode\s*=\s*(\w+)\s+port\s*=\s*(\w+)", body):
            pragmas.setdefault(p.group(2), set()).add(p.group(1))
        out[m.group(1)] = (args, pragmas)
    return out


def check_kernel_xml(c, root, ports, regs):
    tree = ET.parse(os.path.join(HERE, "kernel.xml"))
    k = tree.getroot().find("kernel")
    c.check(k is not None and k.get("name") == "vs_engine", "kernel.xml: kernel name is not vs_engine")
    c.check(k.get("hwControlProtocol") == "user_managed",
            "kernel.xml: hwControlProtocol must be user_managed (the engine has no ap_start)")
    xml_ports = {p.get("name"): p for p in k.find("ports")}
    for name, p in xml_ports.items():
        if p.get("portType") == "stream":
            tdata = name + "_tdata"
            ok = c.check(tdata in ports, "kernel.xml: stream port %s has no %s in vs_krnl_top.sv" % (name, tdata))
            if ok:
                c.check(int(p.get("dataWidth")) == ports[tdata][1],
                        "kernel.xml: %s dataWidth %s != %d bits in vs_krnl_top.sv"
                        % (name, p.get("dataWidth"), ports[tdata][1]))
                want_dir = "input" if p.get("mode") == "read_only" else "output"
                c.check(ports[tdata][0] == want_dir,
                        "kernel.xml: %s is %s but %s is an %s" % (name, p.get("mode"), tdata, ports[tdata][0]))
        else:
            c.check(name + "_awaddr" in ports, "kernel.xml: AXI4-Lite port %s not in vs_krnl_top.sv" % name)
            addr_bits = ports.get(name + "_awaddr", ("", 0))[1]
            c.check(addr_bits == regs["kAddrBits"],
                    "vs_krnl_top.sv: %s_awaddr is %d bits, regs.h kAddrBits is %d"
                    % (name, addr_bits, regs["kAddrBits"]))
            c.check(int(p.get("range"), 0) >= 1 << regs["kAddrBits"],
                    "kernel.xml: %s range %s does not cover the register map" % (name, p.get("range")))
    for sv in ("ap_clk", "ap_rst_n"):
        c.check(sv in ports, "vs_krnl_top.sv: Vitis needs port %s" % sv)
    for a in k.find("args"):
        port = a.get("port")
        c.check(port in xml_ports, "kernel.xml: arg %s on unknown port %s" % (a.get("name"), port))
        if xml_ports.get(port) is not None and xml_ports[port].get("portType") != "stream":
            key = "k" + a.get("name").title().replace("_", "")
            c.check(key in regs, "kernel.xml: register arg %s is not in regs.h" % a.get("name"))
            if key in regs:
                c.check(int(a.get("offset"), 0) == regs[key],
                        "kernel.xml: %s at %s, regs.h says 0x%03X" % (a.get("name"), a.get("offset"), regs[key]))
    return {name: ("stream", int(p.get("dataWidth")), "in" if p.get("mode") == "read_only" else "out")
            for name, p in xml_ports.items() if p.get("portType") == "stream"}


def check_movers(c, movers):
    for fn in ("vs_mm2s", "vs_s2mm"):
        if not c.check(fn in movers, "vs_movers.cc: no extern \"C\" %s" % fn):
            continue
        args, pragmas = movers[fn]
        for name, kind in args:
            want = {"pointer": "m_axi", "stream": "axis", "scalar": "s_axilite"}[kind]
            c.check(want in pragmas.get(name, set()),
                    "vs_movers.cc: %s argument %s (%s) has no INTERFACE mode=%s" % (fn, name, kind, want))
            if kind == "pointer":
                c.check("s_axilite" in pragmas.get(name, set()),
                        "vs_movers.cc: %s pointer %s needs its address on s_axilite" % (fn, name))
        c.check("s_axilite" in pragmas.get("return", set()), "vs_movers.cc: %s has no s_axilite return" % fn)


def stream_direction(text, fn, arg):
    """'out' if fn writes the stream arg, 'in' if it reads it."""
    body = text[text.index('void %s(' % fn):]
    body = body[:body.find('extern "C"', 1)] if 'extern "C"' in body[1:] else body
    if re.search(r"\b%s\.write\(" % arg, body):
        return "out"
    if re.search(r"\b%s\.read\(" % arg, body):
        return "in"
    return "?"


def check_connectivity(c, cfg_path, kernels):
    """kernels: name -> {arg: (kind, width, dir)}."""
    name = os.path.basename(cfg_path)
    text = read(cfg_path)
    cus = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("["):
            continue
        key, _, val = line.partition("=")
        if key == "nk":
            kern, count, cu = val.split(":")
            c.check(kern in kernels, "%s: nk names unknown kernel %s" % (name, kern))
            c.check(count == "1", "%s: nk %s: one compute unit expected" % (name, kern))
            cus[cu] = kern
        elif key == "stream_connect":
            src, dst = val.split(":")[:2]
            ends = []
            for end in (src, dst):
                cu, _, port = end.partition(".")
                kern = cus.get(cu)
                if not c.check(kern is not None, "%s: stream_connect names unknown compute unit %s" % (name, cu)):
                    break
                arg = kernels[kern].get(port)
                if not c.check(arg is not None and arg[0] == "stream",
                               "%s: %s has no stream port %s" % (name, kern, port)):
                    break
                ends.append(arg)
            if len(ends) == 2:
                c.check(ends[0][2] == "out" and ends[1][2] == "in",
                        "%s: stream_connect %s must go from an output stream to an input stream" % (name, val))
                c.check(ends[0][1] == ends[1][1],
                        "%s: stream_connect %s joins %d and %d bits" % (name, val, ends[0][1], ends[1][1]))
        elif key == "sp":
            end, _, mem = val.partition(":")
            cu, _, arg = end.partition(".")
            kern = cus.get(cu)
            if c.check(kern is not None, "%s: sp names unknown compute unit %s" % (name, cu)):
                c.check(kernels[kern].get(arg, ("",))[0] == "pointer",
                        "%s: sp %s: %s has no memory-pointer argument %s" % (name, val, kern, arg))
            c.check(re.fullmatch(r"(DDR|HBM|PLRAM)\[\d+(:\d+)?\]", mem) is not None,
                    "%s: sp %s: memory %s is not DDR[i], HBM[i] or PLRAM[i]" % (name, val, mem))
        elif key == "slr":
            cu, _, slr = val.partition(":")
            c.check(cu in cus, "%s: slr names unknown compute unit %s" % (name, cu))
            c.check(re.fullmatch(r"SLR\d", slr) is not None, "%s: slr %s is not SLRn" % (name, val))
        else:
            c.check(False, "%s: unknown connectivity key %s" % (name, key))
    c.check(sorted(cus.values()) == sorted(kernels), "%s: links %s, expected all of %s"
            % (name, sorted(cus.values()), sorted(kernels)))
    # Every stream port is connected (an open AXI-Stream would hang the engine).
    for cu, kern in cus.items():
        for arg, (kind, _w, _d) in kernels[kern].items():
            if kind == "stream":
                c.check(re.search(r"stream_connect=.*\b%s\.%s\b" % (re.escape(cu), arg), text) is not None,
                        "%s: stream %s.%s is not connected" % (name, cu, arg))


def check_driver(c, root, movers):
    text = read(os.path.join(root, "driver", "backend_xrt.cc"))
    wants = re.findall(r'\{&(?:mm2s|s2mm), "(vs_\w+)", "(\w+)", (true|false)', text)
    c.check(len(wants) == 8, "backend_xrt.cc: expected 8 mover arguments looked up by name, found %d" % len(wants))
    for fn, arg, pointer in wants:
        args = dict(movers.get(fn, ([], {}))[0])
        c.check(arg in args, "backend_xrt.cc looks up %s.%s, vs_movers.cc has no such argument" % (fn, arg))
        if arg in args:
            c.check((args[arg] == "pointer") == (pointer == "true"),
                    "backend_xrt.cc expects %s.%s %s a pointer; vs_movers.cc: %s"
                    % (fn, arg, "to be" if pointer == "true" else "not to be", args[arg]))
    # Every non-stream argument of a mover is one the driver sets.
    for fn, (args, _p) in movers.items():
        looked_up = {a for f, a, _ in wants if f == fn}
        for arg, kind in args:
            if kind != "stream":
                c.check(arg in looked_up, "vs_movers.cc: %s.%s is never set by backend_xrt.cc" % (fn, arg))
    c.check('"vs_engine"' in text, "backend_xrt.cc: default engine kernel vs_engine not found")
    test = read(os.path.join(root, "tests", "driver", "xrt_noop_test.cc"))
    kinds = {"0": "scalar", "4": "stream"}
    for fn in ("vs_mm2s", "vs_s2mm"):
        m = re.search(r'return \{"%s", \{(.*?)\}\};' % fn, test, flags=re.S)
        if not c.check(m is not None, "xrt_noop_test.cc: no synthetic %s" % fn):
            continue
        synth = [(a, kinds.get(q, "pointer")) for a, q in
                 re.findall(r'\{"(\w+)", 0x[0-9A-Fa-f]+(?:, (\d))?\}', m.group(1))]
        c.check(synth == movers[fn][0], "xrt_noop_test.cc: synthetic %s args %s != vs_movers.cc %s"
                % (fn, synth, movers[fn][0]))


def check_makefile(c):
    env = dict(os.environ, PATH="/usr/bin:/bin")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["make", "-C", HERE, "BUILD=" + os.path.join(tmp, "b"), "xclbin"],
                           env=env, capture_output=True, text=True, timeout=60)
        out = r.stdout + r.stderr
        if subprocess.run(["sh", "-c", "command -v v++"], env=env, capture_output=True).returncode == 0:
            print("note: v++ is on PATH; the no-Vitis message check is skipped")
            return
        c.check(r.returncode != 0, "Makefile: `make xclbin` without v++ succeeded")
        c.check("v++ not found" in out and "untested here" in out,
                "Makefile: `make xclbin` without v++ does not say so:\n" + out)
        c.check(not os.path.exists(os.path.join(tmp, "b")), "Makefile: made a build directory without v++")


def check_lint(c, root, verilator):
    mk = read(os.path.join(HERE, "Makefile"))
    params = {k: re.search(r"^%s\s*\?=\s*(\d+)" % k, mk, flags=re.M).group(1)
              for k in ("NCORES", "NVCPUS", "NNODES", "MAXSHARDS")}
    flist = [os.path.join(root, l.strip()) for l in read(os.path.join(root, "rtl", "vshard.f")).splitlines()
             if l.strip() and not l.strip().startswith(("#", "//"))]
    cmd = [verilator, "--lint-only", "-Wall", "--top-module", "vs_krnl_top",
           "-GNCores=" + params["NCORES"], "-GNVcpus=" + params["NVCPUS"],
           "-GNNodes=" + params["NNODES"], "-GMaxShards=" + params["MAXSHARDS"]] + flist + \
          [os.path.join(HERE, "vs_krnl_top.sv")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    out = (r.stdout + r.stderr).strip()
    c.check(r.returncode == 0 and "%Warning" not in out and "%Error" not in out,
            "verilator -Wall on vs_krnl_top.sv (%s):\n%s" % (" ".join("%s=%s" % kv for kv in params.items()), out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=os.path.normpath(os.path.join(HERE, "..", "..")))
    ap.add_argument("--verilator", help="Verilator binary: also lint vs_krnl_top.sv")
    args = ap.parse_args()
    c = Checker()
    regs = regs_offsets(args.root)
    ports = sv_ports(read(os.path.join(HERE, "vs_krnl_top.sv")))
    engine = check_kernel_xml(c, args.root, ports, regs)
    movers_text = strip_comments(read(os.path.join(HERE, "vs_movers.cc")))
    movers = hls_functions(movers_text)
    check_movers(c, movers)
    kernels = {"vs_engine": engine}
    word = re.search(r"typedef ap_axiu<(\d+),", movers_text)
    c.check(word is not None, "vs_movers.cc: no `typedef ap_axiu<W, ...>` stream word")
    width = int(word.group(1)) if word else 0
    for fn, (fargs, _p) in movers.items():
        kernels[fn] = {a: (k, width, stream_direction(movers_text, fn, a)) if k == "stream" else (k, 0, "")
                       for a, k in fargs}
    for fn, (fargs, _p) in hls_functions(read(os.path.join(args.root, "hls", "vs_plan_hls.cc"))).items():
        kernels[fn] = {a: (k, 0, "") for a, k in fargs}
    c.check("vs_plan_top" in kernels, "hls/vs_plan_hls.cc: no extern \"C\" vs_plan_top")
    for cfg in sorted(f for f in os.listdir(HERE) if f.startswith("connectivity_") and f.endswith(".cfg")):
        check_connectivity(c, os.path.join(HERE, cfg), kernels)
    check_driver(c, args.root, movers)
    check_makefile(c)
    if args.verilator:
        check_lint(c, args.root, args.verilator)
    for f in c.failures:
        print("FAIL: " + f)
    print("alveo flow check: %d passed, %d failed%s" % (c.passes, len(c.failures),
                                                     "" if args.verilator else " (no lint: --verilator not given)"))
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
