#!/usr/bin/env python3
"""Tests of scripts/gen_regs.py (standard library unittest; run by CTest)."""

import copy
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import gen_regs  # noqa: E402

JSON = os.path.join(REPO, "regs", "vshard_regs.json")


def load():
    with open(JSON, encoding="utf-8") as f:
        return json.load(f)


def find_reg(j, name):
    for b in j["blocks"]:
        for r in b["registers"]:
            if r["name"] == name:
                return r
    raise KeyError(name)


class GenRegsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="test_gen_regs.")
        self.addCleanup(self.tmp.cleanup)

    def run_gen(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = gen_regs.main(list(args))
        return rc, out.getvalue(), err.getvalue()

    def write_json(self, j):
        path = os.path.join(self.tmp.name, "regs.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(j, f)
        return path

    def expect_error(self, j, *words):
        rc, _, err = self.run_gen("--json", self.write_json(j), "--out-dir", self.tmp.name)
        self.assertEqual(rc, 2, err)
        for w in words:
            self.assertIn(w, err)
        for rel in gen_regs.OUTPUTS:  # nothing is written from a bad description
            self.assertFalse(os.path.exists(os.path.join(self.tmp.name, rel)), rel)

    def test_generate_then_check_is_clean_and_deterministic(self):
        out = os.path.join(self.tmp.name, "out")
        self.assertEqual(self.run_gen("--out-dir", out)[0], 0)
        first = {}
        for rel in gen_regs.OUTPUTS:
            with open(os.path.join(out, rel), encoding="utf-8") as f:
                first[rel] = f.read()
        rc, stdout, _ = self.run_gen("--check", "--out-dir", out)
        self.assertEqual(rc, 0)
        self.assertIn("up to date", stdout)
        self.assertEqual(self.run_gen("--out-dir", out)[0], 0)
        for rel in gen_regs.OUTPUTS:
            with open(os.path.join(out, rel), encoding="utf-8") as f:
                self.assertEqual(f.read(), first[rel], rel)

    def test_check_names_stale_and_missing_files_and_the_fix(self):
        out = os.path.join(self.tmp.name, "out")
        self.run_gen("--out-dir", out)
        with open(os.path.join(out, "include/vshard/regs.h"), "a", encoding="utf-8") as f:
            f.write("// hand edit\n")
        os.remove(os.path.join(out, "docs/registers.md"))
        rc, _, err = self.run_gen("--check", "--out-dir", out)
        self.assertEqual(rc, 1)
        self.assertIn("regs.h (differs", err)
        self.assertIn("registers.md (missing)", err)
        self.assertNotIn("vs_regs_pkg.sv", err)
        self.assertIn("fix with: python3", err)
        self.assertIn("--out-dir", err)

    def test_check_from_the_command_line(self):
        # The script itself (as CTest and CI run it) on the checked-in files.
        p = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "gen_regs.py"), "--check"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_outputs_carry_the_description(self):
        out = os.path.join(self.tmp.name, "out")
        self.run_gen("--out-dir", out)
        with open(os.path.join(out, "rtl/vs_regs_pkg.sv"), encoding="utf-8") as f:
            sv = f.read()
        self.assertIn("package vs_regs_pkg;", sv)
        self.assertIn("localparam logic [11:0] ABORTS_OFFSET = 12'h0d8;", sv)
        self.assertIn("cfg_max_shards_reset = ((32'd4 < max_shards) ? 32'd4 : max_shards);", sv)
        self.assertIn("E_CFG_LOCKED = 8'h0c", sv)
        self.assertNotIn("import ", sv)  # DESIGN.md: packages are referenced, never imported
        with open(os.path.join(out, "docs/registers.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("| `0x11` | `0x144` | `LOAD_HOT_CORES` | 9 | 0..NCores | `floor(3 * NCores / 4)` |", md)

    def test_configuration_modules_come_from_the_description(self):
        out = os.path.join(self.tmp.name, "out")
        j = load()
        j["config"]["keys"][20]["reset"] = 5  # SHARD_CREDIT
        j["config"]["keys"][17]["max"] = "max(NCores, 2)"  # LOAD_HOT_CORES
        rc, _, err = self.run_gen("--json", self.write_json(j), "--out-dir", out)
        self.assertEqual(rc, 0, err)
        with open(os.path.join(out, "rtl/vs_cfg_regs.sv"), encoding="utf-8") as f:
            regs = f.read()
        self.assertIn("Do not edit", regs)
        self.assertIn("localparam logic [7:0] ShardCreditRst = 8'd5;", regs)
        self.assertIn("localparam logic [15:0] ShardMinCreditRst = 16'hfed4;  // -300", regs)
        self.assertIn("16'h000d: rdata_o = {{16{shard_min_credit_q[15]}}, shard_min_credit_q};", regs)
        # one register per key, assembled into cfg_o in one assignment (Yosys 0.23)
        self.assertNotIn("cfg_d.", regs)
        with open(os.path.join(out, "rtl/vs_cfg_check.sv"), encoding="utf-8") as f:
            check = f.read()
        self.assertIn("16'h0011: begin lo = 33'h000000000; hi = {1'b0, ((NCores32 > 32'd2) ? NCores32 : 32'd2)}; end", check)
        with open(os.path.join(out, "rtl/vs_regs_pkg.sv"), encoding="utf-8") as f:
            pkg = f.read()
        self.assertIn("    logic [15:0] slice_us;", pkg)
        self.assertIn("  } cfg_t;", pkg)
        with open(os.path.join(out, "include/vshard/regs.h"), encoding="utf-8") as f:
            h = f.read()
        self.assertIn("{0x14, \"SHARD_CREDIT\", 8, false, 0,", h)
        self.assertIn("[](const P&) -> int64_t { return 5; }},", h)

    def test_configuration_the_rtl_modules_cannot_carry(self):
        j = load()
        j["config"]["keys"][17]["reset"] = "min(NVcpus, NCores)"
        self.expect_error(j, "LOAD_HOT_CORES", "uses NVcpus", "RTL configuration modules")
        j = load()
        j["config"]["arrays"][0]["valid_index"] = "i < NNodes and j < 2"
        self.expect_error(j, "NUMA_DIST", "every index < NNodes")
        j = load()
        j["config"]["arrays"] = []
        self.expect_error(j, "exactly one array")
        j = load()
        j["config"]["keys"][13]["max"] = "MaxShards"  # SHARD_MIN_CREDIT is signed
        self.expect_error(j, "SHARD_MIN_CREDIT", "signed key needs a constant max")

    def test_overlapping_fields(self):
        j = load()
        find_reg(j, "CTRL")["fields"][1]["bits"] = "1:0"
        self.expect_error(j, "register CTRL", "SOFT_RESET overlaps")

    def test_shared_offset(self):
        j = load()
        find_reg(j, "SCRATCH")["offset"] = "0x050"
        self.expect_error(j, "LAST_ERR_CODE", "SCRATCH", "share offset 0x050")

    def test_config_register_collides_with_a_register(self):
        j = load()
        j["config"]["keys"][0]["key"] = "0xC0"  # 0x100 + 4*0xC0 = 0x400 = PRE_ENTRY[0]
        self.expect_error(j, "share offset 0x400")

    def test_unaligned_and_out_of_range_offsets(self):
        j = load()
        find_reg(j, "SCRATCH")["offset"] = "0x056"
        self.expect_error(j, "SCRATCH", "not 4-byte aligned")
        j = load()
        find_reg(j, "SCRATCH")["offset"] = "0x1000"
        self.expect_error(j, "SCRATCH", "outside the 12-bit address space")

    def test_formula_with_unknown_name(self):
        j = load()
        j["config"]["keys"][12]["reset"] = "min(4, MaxShard)"
        self.expect_error(j, "MAX_SHARDS.reset", "unknown name 'MaxShard'")

    def test_formula_with_unsupported_call(self):
        j = load()
        j["config"]["keys"][17]["reset"] = "round(NCores * 3 // 4)"
        self.expect_error(j, "LOAD_HOT_CORES.reset", "unsupported")

    def test_formula_python_warns_about_is_one_error_line(self):
        # "1else" parses with a SyntaxWarning on stderr ("invalid decimal
        # literal"): refused, and the only line is the generator's (the
        # fuzzer found the stray warning).
        j = load()
        j["config"]["arrays"][0]["reset"] = "10 if i == j 1else 20"
        rc, _, err = self.run_gen("--json", self.write_json(j), "--out-dir", self.tmp.name)
        self.assertEqual(rc, 2, err)
        self.assertEqual(err.splitlines(), ["gen_regs: error: config array NUMA_DIST.reset: formula "
                                            "'10 if i == j 1else 20' does not parse: invalid decimal literal"])

    def test_text_that_would_leave_its_comment(self):
        # A doc goes into // comments of the generated SystemVerilog and C++:
        # a line break would end the comment and make the rest of the doc code
        # (the fuzzer found a CR), a trailing backslash would join the next
        # generated C++ line to the comment.
        for doc, word in (("two\nlines; int x = 1;", "U+000A"), ("a\rb", "U+000D"), ("a\tb", "U+0009"),
                          ("a\x85b", "U+0085"), ("ends in \\", "backslash")):
            j = load()
            find_reg(j, "SCRATCH")["doc"] = doc
            self.expect_error(j, "registers[", "doc", word)

    def test_characters_a_formula_may_not_have(self):
        # Numbers and formulas are copied into generated comments and C++
        # string literals: a quote, '#', a backslash or a line break is refused.
        for text in ('NCores # "', 'NCores + "1"', "(NCores\n)", "NCores \\", "1.5"):
            j = load()
            j["config"]["keys"][12]["reset"] = text
            self.expect_error(j, "keys[12].reset", "is not allowed in a number or formula")

    def test_reset_outside_valid_range_for_some_parameters(self):
        j = load()
        j["config"]["keys"][18]["reset"] = 3  # K_UNDER_LOAD max is MaxShards, which may be 2
        self.expect_error(j, "K_UNDER_LOAD", "reset 3 is outside 1..2")

    def test_value_wider_than_the_field(self):
        j = load()
        j["config"]["keys"][5]["max"] = 8  # UTIL_SHIFT is 3 bits
        self.expect_error(j, "UTIL_SHIFT.max", "does not fit in 3 bits")
        j = load()
        find_reg(j, "LAST_ERR_CODE")["fields"][0]["reset"] = 256
        self.expect_error(j, "LAST_ERR_CODE.VALUE.reset", "does not fit in 8 bits")

    def test_enum_value_too_wide_and_duplicates(self):
        j = load()
        j["enums"][3]["values"][0]["value"] = 4  # occ is 2 bits
        self.expect_error(j, "enum occ.IDLE", "does not fit in 2 bits")
        j = load()
        j["enums"][0]["values"][1]["value"] = "0x01"
        self.expect_error(j, "enum evt_type: duplicate")

    def test_duplicate_config_key(self):
        j = load()
        j["config"]["keys"][1]["key"] = "0x00"
        self.expect_error(j, "config key 0x0 is used by both SLICE_US and CREDIT_PER_MS")

    def test_generated_name_collision(self):
        j = load()
        j2 = copy.deepcopy(find_reg(j, "SCRATCH"))
        j2["offset"] = "0x058"
        j["blocks"][1]["registers"].append(j2)
        self.expect_error(j, "identifier", "SCRATCH_OFFSET", "defined twice")

    def test_bad_json_and_missing_file(self):
        path = os.path.join(self.tmp.name, "broken.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"version": {"major": 1,}')
        rc, _, err = self.run_gen("--json", path, "--out-dir", self.tmp.name)
        self.assertEqual(rc, 2)
        self.assertIn("broken.json:1:", err)
        self.assertIn("invalid JSON", err)
        rc, _, err = self.run_gen("--json", os.path.join(self.tmp.name, "nope.json"))
        self.assertEqual(rc, 2)
        self.assertIn("cannot read", err)

    def test_formula_evaluation_and_rendering(self):
        f = gen_regs.Formula("floor(3 * NCores / 4)", {"NCores"}, "t")
        self.assertEqual([f.eval({"NCores": n}) for n in (1, 4, 7, 256)], [0, 3, 5, 192])
        g = gen_regs.Formula("10 if i == j else 20", {"i", "j"}, "t")
        self.assertEqual(g.eval({"i": 2, "j": 2}), 10)
        self.assertEqual(g.eval({"i": 2, "j": 3}), 20)
        self.assertEqual(g.render({"i": "i", "j": "j"}, str, "&&", "||"), "((i == j) ? 10 : 20)")
        h = gen_regs.Formula("min(4, MaxShards)", {"MaxShards"}, "t")
        self.assertEqual(h.eval({"MaxShards": 2}), 2)
        self.assertEqual(h.eval({"MaxShards": 8}), 4)
        self.assertEqual(gen_regs.Formula("-300", (), "t").eval(), -300)
        with self.assertRaises(gen_regs.RegsError):
            gen_regs.Formula("NCores / 4", {"NCores"}, "t")  # bare / is not integer
        with self.assertRaises(gen_regs.RegsError):
            gen_regs.Formula("__import__('os')", set(), "t")


if __name__ == "__main__":
    unittest.main(verbosity=1)
