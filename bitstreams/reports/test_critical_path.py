#!/usr/bin/env python3
"""Unit tests of critical_path.py on small hand-made netlists (CTest
synth_report_critical_path). Standard library only."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import critical_path as cp  # noqa: E402


def cell(typ, ins, outs, src="", params=None):
    conns, dirs = {}, {}
    for port, bits in ins.items():
        conns[port], dirs[port] = bits, "input"
    for port, bits in outs.items():
        conns[port], dirs[port] = bits, "output"
    return {"type": typ, "connections": conns, "port_directions": dirs,
            "attributes": {"src": src}, "parameters": params or {}}


def netlist(cells):
    return {"modules": {"vs_top": {"cells": cells}}}


class CriticalPath(unittest.TestCase):
    def test_weights_luts_muxes_and_carries(self):
        # FF -> LUT6 -> MUXF7 -> LUT2 -> CARRY4 -> FF, and a shorter side path.
        n = netlist({
            "ff0": cell("FDRE", {"D": [1]}, {"Q": [2]}, "/r/rtl/vs_top.sv:10.1-10.2"),
            "l0": cell("LUT6", {"I0": [2]}, {"O": [3]}, "/r/rtl/vs_top.sv:20.1-20.5"),
            "m0": cell("MUXF7", {"I0": [3], "S": [2]}, {"O": [4]}, "/r/rtl/vs_top.sv:20.1-20.5"),
            "l1": cell("LUT2", {"I0": [4]}, {"O": [5]}, "/r/rtl/vs_argmin.sv:7.1-7.9"),
            "c0": cell("CARRY4", {"S": [5]}, {"CO": [6]}, "/usr/share/yosys/xilinx/arith_map.v:1"),
            "ff1": cell("FDRE", {"D": [6]}, {"Q": [7]}),
            "side": cell("LUT1", {"I0": [7]}, {"O": [1]}),
        })
        r = cp.analyze(n)
        self.assertEqual(r["lut_levels"], 2)
        self.assertAlmostEqual(r["ns"], 2 * cp.LUT_NS + cp.DELAY_NS["MUXF7"] + cp.DELAY_NS["CARRY4"])
        self.assertEqual(r["cells"], 4)
        self.assertEqual(r["path"], ["vs_top.sv:20", "vs_argmin.sv:7"])

    def test_deepest_path_is_counted_apart_from_the_slowest(self):
        # FF -> DSP (3 ns) -> LUT -> FF is the slowest path (3.5 ns, 1 level);
        # FF -> four LUTs -> FF (2 ns) is the deepest (4 levels).
        n = netlist({
            "ff0": cell("FDRE", {"D": [9]}, {"Q": [1]}),
            "dsp": cell("DSP48E2", {"A": [1]}, {"P": [2]}, params={"AREG": "0", "PREG": "0"}),
            "l0": cell("LUT2", {"I0": [2]}, {"O": [3]}),
            "ff1": cell("FDRE", {"D": [3]}, {"Q": [4]}),
            "a": cell("LUT2", {"I0": [1]}, {"O": [5]}),
            "b": cell("LUT2", {"I0": [5]}, {"O": [6]}),
            "c": cell("LUT2", {"I0": [6]}, {"O": [7]}),
            "d": cell("LUT2", {"I0": [7]}, {"O": [9]}),
        })
        r = cp.analyze(n)
        self.assertAlmostEqual(r["ns"], cp.DSP_COMB_NS + cp.LUT_NS)
        self.assertEqual(r["lut_levels"], 1)
        self.assertEqual(r["max_lut_levels"], 4)

    def test_slowest_paths_by_their_named_nets(self):
        # Two register-to-register paths, named nets a > b (1.5 ns) and c (0.5 ns).
        n = netlist({
            "ff0": cell("FDRE", {"D": [9]}, {"Q": [1]}),
            "l0": cell("LUT2", {"I0": [1]}, {"O": [2]}),
            "l1": cell("LUT2", {"I0": [2]}, {"O": [3]}),
            "l2": cell("LUT2", {"I0": [3]}, {"O": [4]}),
            "ff1": cell("FDRE", {"D": [4]}, {"Q": [5]}),
            "l3": cell("LUT2", {"I0": [5]}, {"O": [9]}),
        })
        n["modules"]["vs_top"]["netnames"] = {"a": {"bits": [2], "hide_name": 0}, "b": {"bits": [4], "hide_name": 0},
                                              "c": {"bits": [9], "hide_name": 0}, "x": {"bits": [3], "hide_name": 1}}
        r = cp.analyze(n, slowest=5)
        self.assertEqual([(p["ns"], p["lut_levels"], p["nets"]) for p in r["slowest"]],
                         [(1.5, 3, ["a", "b"]), (1.0, 2, ["a"]), (0.5, 1, ["c"])])
        self.assertNotIn("slowest", cp.analyze(n))

    def test_into_a_named_net(self):
        # Two paths into net "out" (bit 6): via a > LUT > LUT (1.5 ns) and a
        # direct LUT (0.5 ns); the slower one is printed cell by cell.
        n = netlist({
            "ff0": cell("FDRE", {"D": [9]}, {"Q": [1]}),
            "l0": cell("LUT2", {"I0": [1]}, {"O": [2]}, "/r/rtl/vs_exec.sv:5.1-5.9"),
            "l1": cell("LUT2", {"I0": [2]}, {"O": [3]}),
            "l2": cell("LUT2", {"I0": [3]}, {"O": [6]}),
            "l3": cell("LUT2", {"I0": [1]}, {"O": [7]}),
            "ff1": cell("FDRE", {"D": [6]}, {"Q": [8]}),
            "ff2": cell("FDRE", {"D": [7]}, {"Q": [9]}),
        })
        n["modules"]["vs_top"]["netnames"] = {"a": {"bits": [2], "hide_name": 0},
                                              "r": {"bits": [1], "hide_name": 0},
                                              "out": {"bits": [6, 7], "hide_name": 0},
                                              "q": {"bits": [8], "hide_name": 0}}
        r = cp.analyze(n, into="out")["into"]
        self.assertEqual((r["ns"], r["lut_levels"], r["from"]), (1.5, 3, ["r"]))
        self.assertEqual([(c["type"], c["ns"], c["net"], c["src"]) for c in r["cells"]],
                         [("LUT2", 0.5, "a", "vs_exec.sv:5"), ("LUT2", 1.0, "", ""), ("LUT2", 1.5, "out", "")])
        with self.assertRaisesRegex(SystemExit, "no net ou in the netlist .names containing it: out"):
            cp.analyze(n, into="ou")
        with self.assertRaisesRegex(SystemExit, "net q is not driven by combinational logic"):
            cp.analyze(n, into="q")

    def test_block_ram_ends_a_path(self):
        # LUT -> RAMB36 -> LUT -> LUT: the RAM is synchronous, so the longest
        # path is the two LUTs after it, not three cells through it.
        n = netlist({
            "a": cell("LUT3", {"I0": [1]}, {"O": [2]}),
            "ram": cell("RAMB36E2", {"DINADIN": [2]}, {"DOUTBDOUT": [3]}),
            "b": cell("LUT3", {"I0": [3]}, {"O": [4]}),
            "c": cell("LUT3", {"I0": [4]}, {"O": [5]}),
        })
        self.assertEqual(cp.analyze(n)["lut_levels"], 2)

    def test_lutram_read_is_combinational_write_is_not(self):
        n = netlist({
            "wa": cell("LUT4", {"I0": [1]}, {"O": [2]}),   # feeds the write data only
            "ra": cell("LUT4", {"I0": [1]}, {"O": [3]}),   # feeds a read address
            "ram": cell("RAM64M8", {"DIA": [2], "ADDRA": [3], "WE": [2]}, {"DOA": [4]}),
            "out": cell("LUT4", {"I0": [4]}, {"O": [5]}),
        })
        r = cp.analyze(n)
        self.assertEqual(r["lut_levels"], 2)   # ra -> out (the RAM is not a LUT)
        self.assertAlmostEqual(r["ns"], 3 * cp.LUT_NS)
        n["modules"]["vs_top"]["cells"]["ram"]["connections"]["ADDRA"] = [9]
        self.assertEqual(cp.analyze(n)["lut_levels"], 1)   # write data does not flow through

    def test_combinational_dsp_counts_registered_dsp_does_not(self):
        dsp = cell("DSP48E2", {"A": [1]}, {"P": [2]}, params={"AREG": "0", "MREG": "0", "PREG": "0"})
        n = netlist({"dsp": dsp, "l": cell("LUT2", {"I0": [2]}, {"O": [3]})})
        self.assertAlmostEqual(cp.analyze(n)["ns"], cp.DSP_COMB_NS + cp.LUT_NS)
        dsp["parameters"]["PREG"] = "1"
        self.assertAlmostEqual(cp.analyze(n)["ns"], cp.LUT_NS)

    def test_generic_luts_before_the_final_techmap(self):
        # FF -> $lut(8) -> $lut(1) -> $lut(3) -> SRL -> $lut(7) -> FF: an 8-input
        # LUT is a LUT6 plus two mux levels, a 1-input one an inverter (free,
        # no level), and the shift register ends the path like a flip-flop.
        n = netlist({
            "ff0": cell("FDRE", {"D": [1]}, {"Q": [2]}),
            "a": cell("$lut", {"A": [2]}, {"Y": [3]}, params={"WIDTH": "00000000000000000000000000001000"}),
            "i": cell("$lut", {"A": [3]}, {"Y": [4]}, params={"WIDTH": "00000000000000000000000000000001", "LUT": "01"}),
            "b": cell("$lut", {"A": [4]}, {"Y": [5]}, params={"WIDTH": "00000000000000000000000000000011"}),
            "srl": cell("$__XILINX_SHREG_", {"D": [5]}, {"Q": [6]}),
            "c": cell("$lut", {"A": [6]}, {"Y": [7]}, params={"WIDTH": "00000000000000000000000000000111"}),
            "ff1": cell("FDRE", {"D": [7]}, {"Q": [1]}),
        })
        r = cp.analyze(n)
        self.assertEqual(r["lut_levels"], 2)
        self.assertAlmostEqual(r["ns"], 2 * cp.LUT_NS + 0.2)

    def test_unknown_cell_and_loop_are_errors(self):
        with self.assertRaises(SystemExit) as e:
            cp.analyze(netlist({"x": cell("FOO", {"A": [1]}, {"Y": [2]})}))
        self.assertIn("FOO", str(e.exception))
        with self.assertRaises(SystemExit) as e:
            cp.analyze(netlist({"a": cell("LUT2", {"I0": [2]}, {"O": [1]}),
                                "b": cell("LUT2", {"I0": [1]}, {"O": [2]})}))
        self.assertIn("loop", str(e.exception))
        with self.assertRaises(SystemExit):
            cp.analyze({"modules": {}})


if __name__ == "__main__":
    unittest.main()
