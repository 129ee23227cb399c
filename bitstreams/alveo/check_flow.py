#!/usr/bin/env python3
"""Checks the Alveo Vitis flow (bitstreams/alveo) as far as a machine without
Vitis can: that its files agree with each other, with the RTL, with the
register map and with the xrt backend that loads the xclbin. Two layouts
(Makefile LAYOUT=ring, the default, and LAYOUT=movers):

  kernel_card.xml     (ring) parses; kernel vs_card, user-managed; its ports
  kernel.xml          (movers) and kernel vs_engine likewise: every port is a
                      port of the wrapper (vs_krnl_card.sv, vs_krnl_top.sv)
                      with the same widths and directions; an AXI4 master has
                      every AXI4 signal Vitis connects, 64-bit addresses, a
                      64-bit range; the register arguments sit at the offsets
                      of regs.h and regs/vshard_regs.json; every pointer
                      argument is 8 bytes on a master port, at the offset of
                      its register's LO word with the HI word at +4 (a 64-bit
                      kernel argument is one 8-byte range), and is one the
                      driver looks up; the AXI4-Lite range covers the map.
  vs_movers.cc        every argument of vs_mm2s / vs_s2mm has an INTERFACE
                      pragma of the right kind (m_axi for pointers, axis for
                      streams, s_axilite for the rest and for return).
  connectivity_<board>_<layout>[_<mem>].cfg
                      every board has movers, ring_host and ring_device;
                      every nk= kernel exists and the layout's kernels are
                      all linked; every stream_connect joins an output stream
                      to an input stream of the same width, every stream is
                      connected; every sp= names a memory pointer or master
                      port, and every master port of an RTL kernel has one:
                      HOST[0] in ring_host, a DDR/HBM bank in ring_device;
                      every slr= names a compute unit.
  driver              the mover arguments backend_xrt.cc looks up by name
                      exist with the same kind; its default engine kernels
                      are the two kernel XMLs'; its ring pointer arguments
                      are kernel_card.xml's; the noop test's synthetic
                      kernels have the same argument lists and offsets.
  Makefile            LAYOUT defaults to ring and RINGMEM to host; `make -n`
                      links vs_card + vs_plan_top with
                      connectivity_u250_ring_host.cfg by default and the four
                      mover-layout kernels with LAYOUT=movers; without v++
                      on PATH, `make` stops with the message that says so
                      (exit status non-zero, nothing built).
  vs_krnl_card.sv     (with --verilator BIN) lint clean with -Wall together
  vs_krnl_top.sv      with the RTL (rtl/vshard.f), in the Makefile's default
                      configuration.

--selftest runs the checks on copies of this directory with one defect each
(a pointer at the wrong offset, a 4-byte pointer, a port the wrapper lacks,
the rings on a card bank in a ring_host file, the default layout changed...)
and fails unless every defect is reported.

Nothing here runs Vitis or proves the xclbin works on a card: that flow is
untested here (docs/hardware.md section 5). Standard library only.

usage: check_flow.py [--root REPO] [--verilator BIN] [--selftest]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))

# The two layouts: kernel XML, wrapper, kernels linked.
LAYOUTS = {
    "ring": {"xml": "kernel_card.xml", "sv": "vs_krnl_card.sv", "kernel": "vs_card",
             "kernels": ["vs_card", "vs_plan_top"]},
    "movers": {"xml": "kernel.xml", "sv": "vs_krnl_top.sv", "kernel": "vs_engine",
               "kernels": ["vs_engine", "vs_mm2s", "vs_plan_top", "vs_s2mm"]},
}
CFG_KINDS = ("movers", "ring_host", "ring_device")
# The AXI4 master signals Vitis connects: suffix -> (direction, width or None for any).
AXI4_MASTER = {
    "awvalid": ("output", 1), "awready": ("input", 1), "awaddr": ("output", 64), "awlen": ("output", 8),
    "awsize": ("output", 3), "awburst": ("output", 2), "awlock": ("output", 1), "awcache": ("output", 4),
    "awprot": ("output", 3), "awqos": ("output", 4), "awid": ("output", None),
    "wvalid": ("output", 1), "wready": ("input", 1), "wdata": ("output", None),
    "wstrb": ("output", None), "wlast": ("output", 1),
    "bvalid": ("input", 1), "bready": ("output", 1), "bresp": ("input", 2), "bid": ("input", None),
    "arvalid": ("output", 1), "arready": ("input", 1), "araddr": ("output", 64), "arlen": ("output", 8),
    "arsize": ("output", 3), "arburst": ("output", 2), "arlock": ("output", 1), "arcache": ("output", 4),
    "arprot": ("output", 3), "arqos": ("output", 4), "arid": ("output", None),
    "rvalid": ("input", 1), "rready": ("output", 1), "rdata": ("input", None), "rresp": ("input", 2),
    "rlast": ("input", 1), "rid": ("input", None),
}


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


def json_offsets(root):
    """REGISTER_NAME -> offset from regs/vshard_regs.json."""
    d = json.loads(read(os.path.join(root, "regs", "vshard_regs.json")))
    return {r["name"]: int(str(r["offset"]), 0) for b in d["blocks"] for r in b["registers"]}


def reg_key(name):
    """MAGIC -> kMagic, EVQ_BASE_LO -> kEvqBaseLo (regs.h spelling)."""
    return "k" + name.title().replace("_", "")


def sv_ports(text):
    """Port name -> (direction, width in bits) of the first module's port list."""
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


def check_master_port(c, xml_name, sv_name, name, p, ports):
    for suffix, (want_dir, want_w) in AXI4_MASTER.items():
        sig = name + "_" + suffix
        if not c.check(sig in ports, "%s: AXI4 master %s: %s has no port %s" % (xml_name, name, sv_name, sig)):
            continue
        d, w = ports[sig]
        c.check(d == want_dir, "%s: %s is an %s, AXI4 wants an %s" % (sv_name, sig, d, want_dir))
        if want_w is not None:
            c.check(w == want_w, "%s: %s is %d bits, AXI4 with 64-bit addresses wants %d" % (sv_name, sig, w, want_w))
    dw = int(p.get("dataWidth"))
    for sig in ("wdata", "rdata"):
        c.check(ports.get(name + "_" + sig, ("", 0))[1] == dw,
                "%s: %s dataWidth %d != %s_%s in %s" % (xml_name, name, dw, name, sig, sv_name))
    c.check(ports.get(name + "_wstrb", ("", 0))[1] == dw // 8,
            "%s: %s_wstrb is not dataWidth/8 = %d bits" % (sv_name, name, dw // 8))
    c.check(int(p.get("range"), 0) == (1 << 64) - 1,
            "%s: master %s range %s is not the 64-bit address space" % (xml_name, name, p.get("range")))


def check_kernel_xml(c, here, layout, regs, jregs, ptr_wants):
    """Checks one layout's kernel XML against its wrapper; returns {arg or port: (kind, width, dir)}."""
    L = LAYOUTS[layout]
    xml_name, sv_name = L["xml"], L["sv"]
    ports = sv_ports(read(os.path.join(here, sv_name)))
    k = ET.parse(os.path.join(here, xml_name)).getroot().find("kernel")
    if not c.check(k is not None, "%s: no <kernel>" % xml_name):
        return {}
    c.check(k.get("name") == L["kernel"], "%s: kernel name is %s, not %s" % (xml_name, k.get("name"), L["kernel"]))
    c.check(k.get("hwControlProtocol") == "user_managed",
            "%s: hwControlProtocol must be user_managed (the identity block is at offset 0, no ap_start)" % xml_name)
    for sv in ("ap_clk", "ap_rst_n"):
        c.check(sv in ports, "%s: Vitis needs port %s" % (sv_name, sv))
    xml_ports = {p.get("name"): p for p in k.find("ports")}
    out = {}
    for name, p in xml_ports.items():
        if p.get("portType") == "stream":
            tdata = name + "_tdata"
            ok = c.check(tdata in ports, "%s: stream port %s has no %s in %s" % (xml_name, name, tdata, sv_name))
            if ok:
                c.check(int(p.get("dataWidth")) == ports[tdata][1],
                        "%s: %s dataWidth %s != %d bits in %s"
                        % (xml_name, name, p.get("dataWidth"), ports[tdata][1], sv_name))
                want_dir = "input" if p.get("mode") == "read_only" else "output"
                c.check(ports[tdata][0] == want_dir,
                        "%s: %s is %s but %s is an %s" % (xml_name, name, p.get("mode"), tdata, ports[tdata][0]))
            out[name] = ("stream", int(p.get("dataWidth")), "in" if p.get("mode") == "read_only" else "out")
        elif p.get("mode") == "master":
            check_master_port(c, xml_name, sv_name, name, p, ports)
            out[name] = ("master", int(p.get("dataWidth")), "")
        else:
            c.check(name + "_awaddr" in ports, "%s: AXI4-Lite port %s not in %s" % (xml_name, name, sv_name))
            addr_bits = ports.get(name + "_awaddr", ("", 0))[1]
            c.check(addr_bits == regs["kAddrBits"], "%s: %s_awaddr is %d bits, regs.h kAddrBits is %d"
                    % (sv_name, name, addr_bits, regs["kAddrBits"]))
            c.check(int(p.get("range"), 0) >= 1 << regs["kAddrBits"],
                    "%s: %s range %s does not cover the register map" % (xml_name, name, p.get("range")))
    pointers = []
    for a in k.find("args"):
        name, port, q = a.get("name"), a.get("port"), a.get("addressQualifier")
        xp = xml_ports.get(port)
        if not c.check(xp is not None, "%s: arg %s on unknown port %s" % (xml_name, name, port)):
            continue
        if q == "1":
            pointers.append(name)
            c.check(xp.get("mode") == "master", "%s: pointer %s is on %s, not an AXI4 master" % (xml_name, name, port))
            c.check(a.get("size") == "0x8" and a.get("hostSize") == "0x8",
                    "%s: pointer %s is size %s / hostSize %s, not a 64-bit pointer (0x8)"
                    % (xml_name, name, a.get("size"), a.get("hostSize")))
            lo, hi = reg_key(name.upper() + "_LO"), reg_key(name.upper() + "_HI")
            off = int(a.get("offset"), 0)
            if c.check(lo in regs and hi in regs, "%s: pointer %s has no %s/%s in regs.h" % (xml_name, name, lo, hi)):
                c.check(off == regs[lo], "%s: %s at 0x%03X, regs.h %s is 0x%03X" % (xml_name, name, off, lo, regs[lo]))
                c.check(regs[hi] == off + 4, "%s: %s is 8 bytes at 0x%03X, so its HI word is at 0x%03X, but regs.h "
                        "%s is 0x%03X" % (xml_name, name, off, off + 4, hi, regs[hi]))
                c.check(jregs.get(name.upper() + "_LO") == off and jregs.get(name.upper() + "_HI") == off + 4,
                        "%s: %s offsets differ from regs/vshard_regs.json" % (xml_name, name))
            out[name] = ("pointer", 0, "")
        elif q == "0":
            key = reg_key(a.get("name"))
            c.check(xp.get("mode") == "slave", "%s: register arg %s is not on the AXI4-Lite port" % (xml_name, name))
            if c.check(key in regs, "%s: register arg %s is not in regs.h" % (xml_name, name)):
                c.check(int(a.get("offset"), 0) == regs[key],
                        "%s: %s at %s, regs.h says 0x%03X" % (xml_name, name, a.get("offset"), regs[key]))
                c.check(jregs.get(name) == regs[key], "%s: %s offset differs in regs/vshard_regs.json" % (xml_name, name))
        elif q != "4":
            c.check(False, "%s: arg %s has addressQualifier %s (0, 1 or 4 expected)" % (xml_name, name, q))
    if layout == "ring":
        c.check(sorted(pointers) == sorted(ptr_wants), "%s: pointer arguments %s, backend_xrt.cc looks up %s"
                % (xml_name, sorted(pointers), sorted(ptr_wants)))
    return out


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


def check_connectivity(c, cfg_path, kernels, kind):
    """kernels: name -> {arg or port: (kind, width, dir)}; kind: movers, ring_host or ring_device."""
    name = os.path.basename(cfg_path)
    text = read(cfg_path)
    want_kernels = LAYOUTS["ring" if kind.startswith("ring") else "movers"]["kernels"]
    cus = {}
    sps = {}
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
                c.check(kernels[kern].get(arg, ("",))[0] in ("pointer", "master"),
                        "%s: sp %s: %s has no memory-pointer argument or AXI4 master %s" % (name, val, kern, arg))
                sps[(cu, arg)] = mem
            c.check(re.fullmatch(r"(DDR|HBM|PLRAM)\[\d+(:\d+)?\]|HOST\[0\]", mem) is not None,
                    "%s: sp %s: memory %s is not DDR[i], HBM[i], PLRAM[i] or HOST[0]" % (name, val, mem))
        elif key == "slr":
            cu, _, slr = val.partition(":")
            c.check(cu in cus, "%s: slr names unknown compute unit %s" % (name, cu))
            c.check(re.fullmatch(r"SLR\d", slr) is not None, "%s: slr %s is not SLRn" % (name, val))
        else:
            c.check(False, "%s: unknown connectivity key %s" % (name, key))
    c.check(sorted(cus.values()) == sorted(want_kernels), "%s: links %s, the %s layout is %s"
            % (name, sorted(cus.values()), kind, sorted(want_kernels)))
    for cu, kern in cus.items():
        for arg, (akind, _w, _d) in kernels[kern].items():
            # Every stream port is connected (an open AXI-Stream would hang the engine).
            if akind == "stream":
                c.check(re.search(r"stream_connect=.*\b%s\.%s\b" % (re.escape(cu), arg), text) is not None,
                        "%s: stream %s.%s is not connected" % (name, cu, arg))
            # Every AXI4 master of an RTL kernel has its bank named, and the
            # ring layout's is where the file name says.
            if akind == "master":
                mem = sps.get((cu, arg))
                if c.check(mem is not None, "%s: AXI4 master %s.%s has no sp= bank" % (name, cu, arg)):
                    if kind == "ring_host":
                        c.check(mem == "HOST[0]", "%s: %s.%s is on %s, not the host-memory bank HOST[0]"
                                % (name, cu, arg, mem))
                    elif kind == "ring_device":
                        c.check(re.fullmatch(r"(DDR|HBM)\[\d+\]", mem) is not None,
                                "%s: %s.%s is on %s, not a card bank DDR[i]/HBM[i]" % (name, cu, arg, mem))


def check_driver(c, root, movers, card_xml):
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
    for layout, pattern in (("movers", r'mover_link\(card, device, xclbin_path, kernel\.empty\(\) \? "(\w+)"'),
                            ("ring", r'xrt_kernel_layout\(card\.xclbin, kernel\.empty\(\) \? "(\w+)"')):
        m = re.search(pattern, text)
        c.check(m is not None and m.group(1) == LAYOUTS[layout]["kernel"],
                "backend_xrt.cc: default %s kernel %s, the %s layout's is %s"
                % (layout, m.group(1) if m else "(not found)", layout, LAYOUTS[layout]["kernel"]))
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
    m = re.search(r"kGoodArgs = \{(.*?)\};", test)
    good = {a: int(o, 0) for a, o in re.findall(r'\{"(\w+)", (0x[0-9A-Fa-f]+)\}', m.group(1))} if m else {}
    k = ET.parse(card_xml).getroot().find("kernel")
    xml_ptrs = {a.get("name"): int(a.get("offset"), 0) for a in k.find("args") if a.get("addressQualifier") == "1"}
    c.check(good == xml_ptrs, "xrt_noop_test.cc: kGoodArgs %s != kernel_card.xml pointers %s" % (good, xml_ptrs))
    c.check(re.search(r'make_xclbin\(const std::vector<Arg>& args, const char\* kernel = "%s"'
                      % LAYOUTS["ring"]["kernel"], test) is not None,
            "xrt_noop_test.cc: its synthetic ring kernel is not named %s" % LAYOUTS["ring"]["kernel"])


def make_dry(here, *args):
    env = dict(os.environ, PATH="/usr/bin:/bin")
    r = subprocess.run(["make", "-n", "-C", here, "VPP=v++", "VIVADO=vivado", "PLATFORMINFO=", "xclbin"] + list(args),
                       env=env, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def check_makefile(c, here):
    mk = read(os.path.join(here, "Makefile"))
    c.check(re.search(r"^LAYOUT\s*\?=\s*ring\s*$", mk, flags=re.M) is not None,
            "Makefile: LAYOUT does not default to ring (the engine with its DMA front-end)")
    c.check(re.search(r"^RINGMEM\s*\?=\s*host\s*$", mk, flags=re.M) is not None,
            "Makefile: RINGMEM does not default to host")
    for args, cfg, xos in (((), "connectivity_u250_ring_host.cfg", ["vs_card", "vs_plan_top"]),
                           (("RINGMEM=device", "BOARD=u55c"), "connectivity_u55c_ring_device.cfg",
                            ["vs_card", "vs_plan_top"]),
                           (("LAYOUT=movers",), "connectivity_u250_movers.cfg",
                            ["vs_engine", "vs_plan_top", "vs_mm2s", "vs_s2mm"])):
        rc, out = make_dry(here, *args)
        link = [l for l in out.replace("\\\n", " ").splitlines() if l.strip().startswith("v++ -l")]
        what = "`make -n xclbin %s`" % " ".join(args)
        if c.check(rc == 0 and len(link) == 1, "Makefile: %s does not link one xclbin:\n%s" % (what, out)):
            c.check("--config %s " % cfg in link[0], "Makefile: %s does not link with %s" % (what, cfg))
            linked = re.findall(r"/(vs_\w+)\.xo\b", link[0])
            c.check(sorted(linked) == sorted(xos), "Makefile: %s links %s, expected %s" % (what, linked, xos))
    env = dict(os.environ, PATH="/usr/bin:/bin")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["make", "-C", here, "BUILD=" + os.path.join(tmp, "b"), "xclbin"],
                           env=env, capture_output=True, text=True, timeout=60)
        out = r.stdout + r.stderr
        if subprocess.run(["sh", "-c", "command -v v++"], env=env, capture_output=True).returncode == 0:
            print("note: v++ is on PATH; the no-Vitis message check is skipped")
            return
        c.check(r.returncode != 0, "Makefile: `make xclbin` without v++ succeeded")
        c.check("v++ not found" in out and "untested here" in out,
                "Makefile: `make xclbin` without v++ does not say so:\n" + out)
        c.check(not os.path.exists(os.path.join(tmp, "b")), "Makefile: made a build directory without v++")


def check_lint(c, root, here, verilator):
    mk = read(os.path.join(here, "Makefile"))
    params = {k: re.search(r"^%s\s*\?=\s*(\d+)" % k, mk, flags=re.M).group(1)
              for k in ("NCORES", "NVCPUS", "NNODES", "MAXSHARDS")}
    flist = []
    for l in read(os.path.join(root, "rtl", "vshard.f")).splitlines():
        l = l.strip()
        if not l or l.startswith(("#", "//")):
            continue
        if l.startswith("+incdir+"):  # include directories, relative to the repository
            flist += ["-I" + os.path.join(root, d) for d in l[len("+incdir+"):].split("+") if d]
        else:
            flist.append(os.path.join(root, l))
    for layout in ("ring", "movers"):
        sv = LAYOUTS[layout]["sv"]
        cmd = [verilator, "--lint-only", "-Wall", "--top-module", sv[:-3],
               "-GNCores=" + params["NCORES"], "-GNVcpus=" + params["NVCPUS"],
               "-GNNodes=" + params["NNODES"], "-GMaxShards=" + params["MAXSHARDS"]] + flist + \
              [os.path.join(here, sv)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        out = (r.stdout + r.stderr).strip()
        c.check(r.returncode == 0 and "%Warning" not in out and "%Error" not in out,
                "verilator -Wall on %s (%s):\n%s" % (sv, " ".join("%s=%s" % kv for kv in params.items()), out))


def run_checks(root, here, verilator=None):
    c = Checker()
    regs = regs_offsets(root)
    jregs = json_offsets(root)
    drv = read(os.path.join(root, "driver", "backend_xrt.cc"))
    ptr_wants = re.findall(r'\{"(\w+)", reg::k\w+Lo, reg::k\w+Hi\}', drv)
    c.check(len(ptr_wants) == 3, "backend_xrt.cc: expected 3 ring pointer arguments, found %s" % ptr_wants)
    kernels = {LAYOUTS[l]["kernel"]: check_kernel_xml(c, here, l, regs, jregs, ptr_wants) for l in LAYOUTS}
    movers_text = strip_comments(read(os.path.join(here, "vs_movers.cc")))
    movers = hls_functions(movers_text)
    check_movers(c, movers)
    word = re.search(r"typedef ap_axiu<(\d+),", movers_text)
    c.check(word is not None, "vs_movers.cc: no `typedef ap_axiu<W, ...>` stream word")
    width = int(word.group(1)) if word else 0
    for fn, (fargs, _p) in movers.items():
        kernels[fn] = {a: (k, width, stream_direction(movers_text, fn, a)) if k == "stream" else (k, 0, "")
                       for a, k in fargs}
    for fn, (fargs, _p) in hls_functions(read(os.path.join(root, "hls", "vs_plan_hls.cc"))).items():
        kernels[fn] = {a: (k, 0, "") for a, k in fargs}
    c.check("vs_plan_top" in kernels, "hls/vs_plan_hls.cc: no extern \"C\" vs_plan_top")
    cfgs = {}
    for f in sorted(os.listdir(here)):
        m = re.fullmatch(r"connectivity_(\w+?)_(%s)\.cfg" % "|".join(CFG_KINDS), f)
        if f.startswith("connectivity_") and c.check(m is not None, "%s: not connectivity_<board>_{%s}.cfg"
                                                     % (f, ",".join(CFG_KINDS))):
            cfgs.setdefault(m.group(1), set()).add(m.group(2))
            check_connectivity(c, os.path.join(here, f), kernels, m.group(2))
    c.check({"u250", "u55c"} <= set(cfgs), "connectivity files for u250 and u55c expected, found %s" % sorted(cfgs))
    for board, kinds in cfgs.items():
        c.check(kinds == set(CFG_KINDS), "board %s has connectivity for %s, expected %s"
                % (board, sorted(kinds), list(CFG_KINDS)))
    check_driver(c, root, movers, os.path.join(here, LAYOUTS["ring"]["xml"]))
    check_makefile(c, here)
    if verilator:
        check_lint(c, root, here, verilator)
    return c


# --selftest: one defect per copy of this directory, and the words of the
# failure that must report it. Each edit is (file, old, new).
DEFECTS = [
    ("pointer at the wrong offset", [("kernel_card.xml", 'offset="0x094"', 'offset="0x098"')], "dq_base at 0x098"),
    ("32-bit pointer", [("kernel_card.xml", 'size="0x8" offset="0x0AC" hostOffset="0x0" hostSize="0x8"',
                         'size="0x4" offset="0x0AC" hostOffset="0x0" hostSize="0x4"')], "not a 64-bit pointer"),
    ("pointer the driver does not know", [("kernel_card.xml", 'name="evq_base"', 'name="evq_ring"')],
     "pointer evq_ring has no"),
    ("pointer on the control port", [("kernel_card.xml", 'id="3" port="m_axi_gmem"', 'id="3" port="s_axi_control"')],
     "not an AXI4 master"),
    ("register argument off its offset", [("kernel_card.xml", 'offset="0x044"', 'offset="0x048"')],
     "STATUS at 0x048"),
    ("kernel renamed", [("kernel_card.xml", 'kernel name="vs_card"', 'kernel name="vs_ring"')],
     "kernel name is vs_ring"),
    ("XRT-managed control", [("kernel_card.xml", 'hwControlProtocol="user_managed"', 'hwControlProtocol="ap_ctrl_hs"')],
     "must be user_managed"),
    ("master wider than the wrapper", [("kernel_card.xml", 'dataWidth="128" portType="addressable"',
                                        'dataWidth="256" portType="addressable"')], "dataWidth 256"),
    ("wrapper without AxCACHE", [("vs_krnl_card.sv", "output logic [3:0]   m_axi_gmem_arcache,\n", "")],
     "no port m_axi_gmem_arcache"),
    ("32-bit addresses", [("vs_krnl_card.sv", "output logic [63:0]  m_axi_gmem_araddr",
                           "output logic [31:0]  m_axi_gmem_araddr")], "m_axi_gmem_araddr is 32 bits"),
    ("rings on a card bank in ring_host", [("connectivity_u250_ring_host.cfg", "m_axi_gmem:HOST[0]",
                                            "m_axi_gmem:DDR[0]")], "not the host-memory bank"),
    ("host memory in ring_device", [("connectivity_u55c_ring_device.cfg", "m_axi_gmem:HBM[0]",
                                     "m_axi_gmem:HOST[0]")], "not a card bank"),
    ("master without a bank", [("connectivity_u55c_ring_host.cfg", "sp=vs_card_1.m_axi_gmem:HOST[0]\n", "")],
     "has no sp= bank"),
    ("movers in the ring layout", [("connectivity_u250_ring_host.cfg", "nk=vs_plan_top:1:vs_plan_1\n",
                                    "nk=vs_plan_top:1:vs_plan_1\nnk=vs_mm2s:1:vs_mm2s_1\n")],
     "the ring_host layout is"),
    ("default layout movers", [("Makefile", "LAYOUT    ?= ring", "LAYOUT    ?= movers")],
     "LAYOUT does not default to ring"),
]


def selftest(root):
    missed = 0
    for what, edits, words in DEFECTS:
        with tempfile.TemporaryDirectory() as tmp:
            here = os.path.join(tmp, "alveo")
            shutil.copytree(HERE, here, ignore=shutil.ignore_patterns("build_*", "__pycache__"))
            for f, old, new in edits:
                text = read(os.path.join(here, f))
                if old not in text:
                    print("FAIL: selftest '%s': %s no longer contains %r" % (what, f, old))
                    missed += 1
                    continue
                with open(os.path.join(here, f), "w", encoding="utf-8") as fh:
                    fh.write(text.replace(old, new, 1))
            # The Makefile's ROOT is ../.. of its directory: point it back at the repository.
            mk = os.path.join(here, "Makefile")
            with open(mk, "w", encoding="utf-8") as fh:
                fh.write(read(mk).replace("ROOT      := $(abspath ../..)", "ROOT      := " + root))
            c = run_checks(root, here)
            if any(words in f for f in c.failures):
                print("caught: %s" % what)
            else:
                print("FAIL: selftest '%s' not reported (wanted %r); failures: %s" % (what, words, c.failures))
                missed += 1
    print("alveo flow selftest: %d defects, %d missed" % (len(DEFECTS), missed))
    return 1 if missed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=os.path.normpath(os.path.join(HERE, "..", "..")))
    ap.add_argument("--verilator", help="Verilator binary: also lint vs_krnl_card.sv and vs_krnl_top.sv")
    ap.add_argument("--selftest", action="store_true", help="check that defective copies of the flow are reported")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    if args.selftest:
        return selftest(root)
    c = run_checks(root, HERE, args.verilator)
    for f in c.failures:
        print("FAIL: " + f)
    print("alveo flow check: %d passed, %d failed%s" % (c.passes, len(c.failures),
                                                     "" if args.verilator else " (no lint: --verilator not given)"))
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
