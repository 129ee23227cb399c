#!/usr/bin/env python3
"""Generates the vShard register map from its one description.

Reads regs/vshard_regs.json and writes
  rtl/vs_regs_pkg.sv     package vs_regs_pkg (offsets, fields, resets, enums)
  include/vshard/regs.h  namespace vshard::regs (constexpr offsets, masks, ...)
  docs/registers.md      Markdown tables
  rtl/vs_cfg_check.sv    module vs_cfg_check (the CONFIG key/index/range checks)
  rtl/vs_cfg_regs.sv     module vs_cfg_regs (the configuration registers, resets, read port)

Usage:
  scripts/gen_regs.py [--json FILE] [--out-dir DIR]   regenerate (default: the repo)
  scripts/gen_regs.py --check [--out-dir DIR]         exit 1 if a file is stale

Python standard library only. Reset values and ranges may be formulas over
the engine parameters (NCores, NVcpus, NNodes, MaxShards) and array indices:
integers, + - * //, floor(a / b), min(a, b), max(a, b), comparisons, and/or,
and `a if cond else b`, written with letters, digits, '_', spaces and
+ - * / ( ) , < > = ! : only. A text (doc) is one line: no control
characters and no backslash at its end (it goes into // comments).
"""

import argparse
import ast
import functools
import itertools
import json
import os
import re
import sys
import tempfile
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_JSON = os.path.join(REPO, "regs", "vshard_regs.json")
OUTPUTS = ("rtl/vs_regs_pkg.sv", "include/vshard/regs.h", "docs/registers.md", "rtl/vs_cfg_check.sv",
           "rtl/vs_cfg_regs.sv")
ACCESS = ("RO", "RW", "W1C", "WO")


class RegsError(Exception):
    """A problem in the register description; the message says what to fix."""


def parse_int(value, what):
    if isinstance(value, bool):
        raise RegsError(f"{what}: expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            pass
    raise RegsError(f"{what}: expected an integer (decimal or 0x hex), got {value!r}")


def snake_upper(name):
    """MaxShards -> MAX_SHARDS, NCores -> N_CORES."""
    return re.sub(r"(?<=[A-Za-z0-9])(?=[A-Z][a-z])", "_", name).upper()


def camel(name):
    """SLICE_US -> SliceUs."""
    return "".join(p[:1].upper() + p[1:].lower() for p in name.split("_") if p)


# ---------------------------------------------------------------- formulas


class Formula:
    """A small arithmetic expression over parameters and array indices."""

    _BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "/"}
    _CMPOPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=",
               ast.Gt: ">", ast.GtE: ">="}

    def __init__(self, text, allowed, what):
        self.text = str(text)
        self.what = what
        try:
            # Python warns on stderr about some text it still parses ("1else":
            # invalid decimal literal); such a formula is refused like one that
            # does not parse, and the user sees one error line (found by
            # tests/fuzz/gen_regs_fuzz.py).
            with warnings.catch_warnings():
                warnings.simplefilter("error", SyntaxWarning)
                self.tree = ast.parse(self.text, mode="eval").body
        except (SyntaxError, SyntaxWarning) as e:
            why = e.msg if isinstance(e, SyntaxError) else str(e)
            raise RegsError(f"{what}: formula {self.text!r} does not parse: {why}")
        self.names = set()
        self._check(self.tree, set(allowed))

    def _fail(self, why):
        raise RegsError(f"{self.what}: formula {self.text!r}: {why}")

    def _check(self, n, allowed):
        if isinstance(n, ast.Constant):
            if not isinstance(n.value, int) or isinstance(n.value, bool):
                self._fail("only integer constants are allowed")
        elif isinstance(n, ast.Name):
            if n.id not in allowed:
                self._fail(f"unknown name {n.id!r} (allowed: {', '.join(sorted(allowed))})")
            self.names.add(n.id)
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            self._check(n.operand, allowed)
        elif isinstance(n, ast.BinOp) and type(n.op) in self._BINOPS:
            self._check(n.left, allowed)
            self._check(n.right, allowed)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            f = n.func.id
            if n.keywords:
                self._fail("keyword arguments are not allowed")
            if f in ("min", "max") and len(n.args) == 2:
                for a in n.args:
                    self._check(a, allowed)
            elif (f == "floor" and len(n.args) == 1 and isinstance(n.args[0], ast.BinOp)
                  and isinstance(n.args[0].op, ast.Div)):
                self._check(n.args[0].left, allowed)
                self._check(n.args[0].right, allowed)
            else:
                self._fail(f"unsupported call {f}(...): use min(a, b), max(a, b) or floor(a / b)")
        elif isinstance(n, ast.IfExp):
            for a in (n.test, n.body, n.orelse):
                self._check(a, allowed)
        elif isinstance(n, ast.Compare) and len(n.ops) == 1 and type(n.ops[0]) in self._CMPOPS:
            self._check(n.left, allowed)
            self._check(n.comparators[0], allowed)
        elif isinstance(n, ast.BoolOp):
            for a in n.values:
                self._check(a, allowed)
        else:
            self._fail(f"unsupported construct {type(n).__name__}")

    @property
    def is_const(self):
        return not self.names

    def eval(self, env=None):
        return self._eval(self.tree, env or {})

    def _eval(self, n, env):
        if isinstance(n, ast.Constant):
            return n.value
        if isinstance(n, ast.Name):
            return env[n.id]
        if isinstance(n, ast.UnaryOp):
            return -self._eval(n.operand, env)
        if isinstance(n, ast.BinOp):
            a, b = self._eval(n.left, env), self._eval(n.right, env)
            if isinstance(n.op, ast.Add):
                return a + b
            if isinstance(n.op, ast.Sub):
                return a - b
            if isinstance(n.op, ast.Mult):
                return a * b
            if b == 0:
                self._fail(f"division by zero with {env}")
            return a // b
        if isinstance(n, ast.Call):
            f = n.func.id
            if f == "floor":
                a, b = self._eval(n.args[0].left, env), self._eval(n.args[0].right, env)
                if b == 0:
                    self._fail(f"division by zero with {env}")
                return a // b
            a, b = self._eval(n.args[0], env), self._eval(n.args[1], env)
            return min(a, b) if f == "min" else max(a, b)
        if isinstance(n, ast.IfExp):
            return self._eval(n.body, env) if self._eval(n.test, env) else self._eval(n.orelse, env)
        if isinstance(n, ast.Compare):
            a, b = self._eval(n.left, env), self._eval(n.comparators[0], env)
            return int({ast.Eq: a == b, ast.NotEq: a != b, ast.Lt: a < b, ast.LtE: a <= b,
                        ast.Gt: a > b, ast.GtE: a >= b}[type(n.ops[0])])
        if isinstance(n, ast.BoolOp):
            vals = [self._eval(v, env) for v in n.values]
            return int(all(vals)) if isinstance(n.op, ast.And) else int(any(vals))
        raise AssertionError(n)

    # Translation. `names` maps a formula name to the target expression;
    # `lit` formats a non-negative integer constant.
    def render(self, names, lit, andop, orop):
        return self._render(self.tree, names, lit, andop, orop)

    def _render(self, n, names, lit, andop, orop):
        r = lambda x: self._render(x, names, lit, andop, orop)  # noqa: E731
        if isinstance(n, ast.Constant):
            if n.value < 0:
                self._fail("negative constants are only allowed in constant formulas")
            return lit(n.value)
        if isinstance(n, ast.Name):
            return names[n.id]
        if isinstance(n, ast.UnaryOp):
            self._fail("negation is only allowed in constant formulas")
        if isinstance(n, ast.BinOp):
            return f"({r(n.left)} {self._BINOPS[type(n.op)]} {r(n.right)})"
        if isinstance(n, ast.Call):
            f = n.func.id
            if f == "floor":
                return f"({r(n.args[0].left)} / {r(n.args[0].right)})"
            a, b = r(n.args[0]), r(n.args[1])
            cmp = "<" if f == "min" else ">"
            return f"(({a} {cmp} {b}) ? {a} : {b})"
        if isinstance(n, ast.IfExp):
            return f"({r(n.test)} ? {r(n.body)} : {r(n.orelse)})"
        if isinstance(n, ast.Compare):
            return f"({r(n.left)} {self._CMPOPS[type(n.ops[0])]} {r(n.comparators[0])})"
        if isinstance(n, ast.BoolOp):
            op = f" {andop} " if isinstance(n.op, ast.And) else f" {orop} "
            return "(" + op.join(r(v) for v in n.values) + ")"
        raise AssertionError(n)


# ---------------------------------------------------------------- the model


class Field:
    def __init__(self, name, lsb, width, access, reset, doc, enum=None, signed=False):
        self.name, self.lsb, self.width, self.access = name, lsb, width, access
        self.reset, self.doc, self.enum, self.signed = reset, doc, enum, signed

    @property
    def mask(self):
        return ((1 << self.width) - 1) << self.lsb

    @property
    def bits(self):
        return f"{self.lsb + self.width - 1}:{self.lsb}" if self.width > 1 else f"{self.lsb}"


class Register:
    def __init__(self, name, offset, access, doc, fields, block, constant=False,
                 dims=(), strides=(), index=()):
        self.name, self.offset, self.access, self.doc = name, offset, access, doc
        self.fields, self.block, self.constant = fields, block, constant
        self.dims, self.strides, self.index = list(dims), list(strides), list(index)

    @property
    def mask(self):
        m = 0
        for f in self.fields:
            m |= f.mask
        return m

    @property
    def single_value(self):
        return len(self.fields) == 1 and self.fields[0].name == "VALUE"

    @property
    def reset_is_const(self):
        return all(f.reset.is_const for f in self.fields)

    def reset_value(self, env, index_env=None):
        v = 0
        e = dict(env)
        e.update(index_env or {})
        for f in self.fields:
            v |= (f.reset.eval(e) & ((1 << f.width) - 1)) << f.lsb
        return v

    def offsets(self):
        if not self.dims:
            return [(self.offset, ())]
        out = []
        for idx in itertools.product(*[range(d) for d in self.dims]):
            out.append((self.offset + sum(i * s for i, s in zip(idx, self.strides)), idx))
        return out


class CfgKey:
    def __init__(self, key, name, width, signed, min_, max_, reset, doc):
        self.key, self.name, self.width, self.signed = key, name, width, signed
        self.min, self.max, self.reset, self.doc = min_, max_, reset, doc


class CfgArray:
    def __init__(self, key, name, dims, index, width, min_, max_, reset, valid_index, doc):
        self.key, self.name, self.dims, self.index = key, name, dims, index
        self.width, self.min, self.max, self.reset = width, min_, max_, reset
        self.valid_index, self.doc = valid_index, doc

    @property
    def count(self):
        n = 1
        for d in self.dims:
            n *= d
        return n

    def strides(self):
        s, out = 1, []
        for d in reversed(self.dims):
            out.insert(0, s)
            s *= d
        return out

    def index_bits(self):
        """(lsb, width) of each index inside key - base (dims are powers of two)."""
        out, lsb = [], 0
        for d in reversed(self.dims):
            w = d.bit_length() - 1
            out.insert(0, (lsb, w))
            lsb += w
        return out


class Enum:
    def __init__(self, name, prefix, width, doc, values, cpp_prefix=None):
        self.name, self.prefix, self.width, self.doc, self.values = name, prefix, width, doc, values
        self.cpp_prefix = cpp_prefix or camel(prefix)


# ---------------------------------------------------------------- shape

# The description's shape, checked before anything reads it, so a wrong
# type is a RegsError naming its path rather than a traceback (found by
# tests/fuzz/gen_regs_fuzz.py). ("obj", {key: (shape, required)}),
# ("list", item shape, most items); leaves: "ident" (a name the generated
# SystemVerilog and C++ use), "str", "int" (integer or integer text),
# "formula" (integer or short formula text), "bits" ("hi:lo" or n), "bool".
# Unknown keys are allowed (comments, future fields).
MAX_FORMULA = 300  # characters; deeper expressions than real ones need

IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Numbers, bit ranges and formulas are copied as text into generated comments
# and C++ string literals: only the characters they need (no quote, backslash,
# '#' or line break can end a literal or a comment early).
EXPR_RE = re.compile(r"[A-Za-z0-9_ +\-*/(),<>=!:]*\Z")
# A text (doc) goes into // comments of the generated SystemVerilog and C++:
# one line, no control character (a CR or LF would end the comment and make
# the rest of the doc code; found by tests/fuzz/gen_regs_fuzz.py), and no
# backslash at its end (C++ would join the next generated line to the comment).
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _obj(**keys):
    return ("obj", {k.rstrip("_"): (v, not k.endswith("_")) for k, v in keys.items()})


# A trailing "_" marks an optional key.
_FIELD = _obj(name="ident", bits="bits", reset="formula", doc_="str", access_="str", enum_="ident")
_REGISTER = _obj(name="ident", offset="int", access="str", doc_="str", constant_="bool",
                 fields_=("list", _FIELD, 64), fields_from_enum_="ident",
                 array_=_obj(dims=("list", "int", 4), strides=("list", "int", 4), index=("list", "ident", 4)))
SHAPE = _obj(
    name_="str", doc_="str", version=_obj(major="int", minor="int"), magic="int", addr_bits="int",
    params=("list", _obj(name="ident", cpp="ident", min="int", max="int", doc_="str"), 8),
    configs=("list", _obj(name="ident"), 16),
    descriptor=_obj(bytes="int", doc_="str", fields=("list", _obj(name="ident", bits="bits", doc_="str"), 64)),
    enums=("list", _obj(name="ident", prefix="ident", width="int", doc_="str", cpp_prefix_="ident",
                        values=("list", _obj(name="ident", value="int", doc_="str"), 256)), 64),
    flags=("list", _obj(name="ident", bit="int", width_="int", doc_="str"), 8),
    blocks=("list", _obj(name="ident", doc_="str", registers=("list", _REGISTER, 256)), 64),
    config=_obj(base="int", stride="int", doc_="str",
                keys=("list", _obj(name="ident", key="int", width="int", signed_="bool", min="formula",
                                   max="formula", reset="formula", doc_="str"), 256),
                arrays_=("list", _obj(name="ident", key="int", dims=("list", "int", 4), index=("list", "ident", 4),
                                      width="int", min="int", max="int", reset="formula",
                                      valid_index="formula", doc_="str"), 16)),
)


def check_shape(v, shape, path):
    def bad(expected):
        raise RegsError(f"{path}: expected {expected}, got {json.dumps(v)[:60]}")
    if isinstance(shape, tuple) and shape[0] == "obj":
        if not isinstance(v, dict):
            bad("an object")
        for key, (sub, required) in shape[1].items():
            if key in v:
                check_shape(v[key], sub, f"{path}.{key}")
            elif required:
                raise RegsError(f"{path}: missing required key {key!r}")
    elif isinstance(shape, tuple) and shape[0] == "list":
        if not isinstance(v, list):
            bad("a list")
        if len(v) > shape[2]:
            raise RegsError(f"{path}: {len(v)} items, at most {shape[2]} are supported")
        for i, item in enumerate(v):
            check_shape(item, shape[1], f"{path}[{i}]")
    elif shape == "ident":
        if not isinstance(v, str) or not IDENT_RE.match(v):
            bad("a name of letters, digits and '_' (not starting with a digit)")
    elif shape == "str":
        if not isinstance(v, str):
            bad("a string")
        m = CONTROL_RE.search(v)
        if m:
            raise RegsError(f"{path}: control character U+{ord(m.group()):04X} at character {m.start()}: a text "
                            "is one line without control characters (it goes into generated // comments)")
        if v.endswith("\\"):
            raise RegsError(f"{path}: ends with a backslash, which would join the next generated C++ line "
                            "to its // comment")
    elif shape == "bool":
        if not isinstance(v, bool):
            bad("true or false")
    elif shape in ("int", "bits", "formula"):
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            bad("an integer or a string")
        if isinstance(v, str) and len(v) > MAX_FORMULA:
            raise RegsError(f"{path}: {len(v)} characters, at most {MAX_FORMULA}")
        if isinstance(v, str) and not EXPR_RE.match(v):
            c = next(c for c in v if not EXPR_RE.match(c))
            raise RegsError(f"{path}: character {c!r} is not allowed in a number or formula (letters, digits, "
                            "'_', spaces and + - * / ( ) , < > = ! :)")
        if isinstance(v, int) and v.bit_length() > 64:
            raise RegsError(f"{path}: {v} does not fit in 64 bits")
    else:
        raise AssertionError(shape)


def in_range(v, lo, hi, what):
    if not lo <= v <= hi:
        raise RegsError(f"{what}: {v} is outside {lo}..{hi}")
    return v


class Desc:
    """The whole register description, loaded and checked."""

    def __init__(self, path):
        try:
            with open(path, encoding="utf-8") as f:
                j = json.load(f)
        except OSError as e:
            raise RegsError(f"cannot read {path}: {e.strerror}")
        except json.JSONDecodeError as e:
            raise RegsError(f"{path}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}")
        except UnicodeDecodeError as e:
            raise RegsError(f"{path}: byte {e.start}: not UTF-8 text")
        except RecursionError:
            raise RegsError(f"{path}: invalid JSON: nested too deeply")
        check_shape(j, SHAPE, "top")
        self.path = path
        self.j = j
        req = lambda obj, key, what: self._req(obj, key, what)  # noqa: E731
        self.major = parse_int(req(req(j, "version", "top"), "major", "version"), "version.major")
        self.minor = parse_int(req(j["version"], "minor", "version"), "version.minor")
        self.magic = parse_int(req(j, "magic", "top"), "magic")
        self.addr_bits = in_range(parse_int(req(j, "addr_bits", "top"), "addr_bits"), 2, 32, "addr_bits")
        self.doc = j.get("doc", "")

        self.params = []
        for p in req(j, "params", "top"):
            self.params.append({"name": req(p, "name", "param"), "cpp": req(p, "cpp", "param"),
                                "min": parse_int(req(p, "min", "param"), "param.min"),
                                "max": parse_int(req(p, "max", "param"), "param.max"),
                                "doc": p.get("doc", "")})
        self.param_names = [p["name"] for p in self.params]
        self.configs = []
        for c in req(j, "configs", "top"):
            name = req(c, "name", "config")
            vals = {}
            for p in self.params:
                v = parse_int(req(c, p["name"], f"config {name}"), f"config {name}.{p['name']}")
                if not p["min"] <= v <= p["max"]:
                    raise RegsError(f"config {name}: {p['name']} = {v} is outside "
                                    f"{p['min']}..{p['max']}")
                vals[p["name"]] = v
            self.configs.append((name, vals))
        # Parameter sets every formula is checked against: the named
        # configurations and every corner of the parameter ranges.
        self.envs = [v for _, v in self.configs]
        for corner in itertools.product(*[(p["min"], p["max"]) for p in self.params]):
            self.envs.append(dict(zip(self.param_names, corner)))

        d = req(j, "descriptor", "top")
        self.desc_bytes = in_range(parse_int(req(d, "bytes", "descriptor"), "descriptor.bytes"), 1, 64, "descriptor.bytes")
        self.desc_doc = d.get("doc", "")
        self.desc_fields = []
        used = 0
        for f in req(d, "fields", "descriptor"):
            lsb, width = self._bits(req(f, "bits", "descriptor field"), f"descriptor.{f.get('name')}",
                                    self.desc_bytes * 8)
            m = ((1 << width) - 1) << lsb
            if used & m:
                raise RegsError(f"descriptor field {f['name']} overlaps another field")
            used |= m
            self.desc_fields.append((req(f, "name", "descriptor field"), lsb, width, f.get("doc", "")))

        self.enums = {}
        for e in req(j, "enums", "top"):
            name = req(e, "name", "enum")
            width = in_range(parse_int(req(e, "width", f"enum {name}"), f"enum {name}.width"), 1, 32, f"enum {name}.width")
            vals, seen_v, seen_n = [], set(), set()
            for v in req(e, "values", f"enum {name}"):
                vn = req(v, "name", f"enum {name} value")
                vv = parse_int(req(v, "value", f"enum {name}.{vn}"), f"enum {name}.{vn}")
                if not 0 <= vv < (1 << width):
                    raise RegsError(f"enum {name}.{vn} = {vv} does not fit in {width} bits")
                if vv in seen_v or vn in seen_n:
                    raise RegsError(f"enum {name}: duplicate value or name at {vn}")
                seen_v.add(vv)
                seen_n.add(vn)
                vals.append((vn, vv, v.get("doc", "")))
            if not vals:
                raise RegsError(f"enum {name}: no values")
            self.enums[name] = Enum(name, req(e, "prefix", f"enum {name}"), width, e.get("doc", ""), vals,
                                   e.get("cpp_prefix"))

        self.flags = []
        for f in req(j, "flags", "top"):
            name = req(f, "name", "flag")
            bit = in_range(parse_int(req(f, "bit", f"flag {name}"), f"flag {name}.bit"), 0, 7, f"flag {name}.bit")
            width = in_range(parse_int(f.get("width", 1), f"flag {name}.width"), 1, 8, f"flag {name}.width")
            if bit + width > 8:
                raise RegsError(f"flag {name}: bits {bit}+{width} do not fit in the 8-bit flags byte")
            self.flags.append((name, bit, width, f.get("doc", "")))

        self.blocks = []
        self.registers = []
        for b in req(j, "blocks", "top"):
            bname = req(b, "name", "block")
            regs = [self._register(r, bname) for r in req(b, "registers", f"block {bname}")]
            self.blocks.append((bname, b.get("doc", ""), regs))
            self.registers.extend(regs)

        c = req(j, "config", "top")
        self.cfg_base = parse_int(req(c, "base", "config"), "config.base")
        self.cfg_stride = parse_int(req(c, "stride", "config"), "config.stride")
        self.cfg_doc = c.get("doc", "")
        self.cfg_keys = [self._cfg_key(k) for k in req(c, "keys", "config")]
        self.cfg_arrays = [self._cfg_array(a) for a in c.get("arrays", [])]
        self._check_cfg_keys()
        self._check_offsets()

    @staticmethod
    def _req(obj, key, what):
        if not isinstance(obj, dict) or key not in obj:
            raise RegsError(f"{what}: missing required key {key!r}")
        return obj[key]

    @staticmethod
    def _bits(text, what, limit=32):
        parts = str(text).split(":")
        try:
            if len(parts) == 1:
                hi = lo = int(parts[0])
            elif len(parts) == 2:
                hi, lo = int(parts[0]), int(parts[1])
            else:
                raise ValueError
        except ValueError:
            raise RegsError(f"{what}: bits {text!r} must be 'hi:lo' or 'n'")
        if not 0 <= lo <= hi < limit:
            raise RegsError(f"{what}: bits {text!r} must satisfy 0 <= lo <= hi < {limit}")
        return lo, hi - lo + 1

    def _check_fits(self, formula, width, signed, what, extra_envs=None):
        for env in self.envs:
            for ix in (extra_envs or [{}]):
                e = dict(env)
                e.update(ix)
                v = formula.eval(e)
                lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
                if not lo <= v <= hi:
                    raise RegsError(f"{what}: value {v} (with {e}) does not fit in "
                                    f"{width} {'signed ' if signed else ''}bits")

    def _register(self, r, block):
        name = self._req(r, "name", f"block {block} register")
        what = f"register {name}"
        offset = parse_int(self._req(r, "offset", what), f"{what}.offset")
        access = self._req(r, "access", what)
        if access not in ACCESS:
            raise RegsError(f"{what}: access {access!r} must be one of {', '.join(ACCESS)}")
        dims, strides, index = (), (), ()
        if "array" in r:
            a = r["array"]
            dims = [in_range(parse_int(x, f"{what}.array.dims"), 1, 256, f"{what}.array.dims")
                    for x in self._req(a, "dims", f"{what}.array")]
            strides = [parse_int(x, f"{what}.array.strides") for x in self._req(a, "strides", f"{what}.array")]
            index = list(self._req(a, "index", f"{what}.array"))
            if not (len(dims) == len(strides) == len(index)) or not dims:
                raise RegsError(f"{what}.array: dims, strides and index must have the same non-zero length")
        allowed = set(self.param_names) | set(index)
        fields = []
        if "fields_from_enum" in r:
            en = self.enums.get(r["fields_from_enum"])
            if en is None:
                raise RegsError(f"{what}: fields_from_enum names unknown enum {r['fields_from_enum']!r}")
            for vn, vv, vdoc in en.values:
                if vv == 0:
                    continue
                if vv >= 32:
                    raise RegsError(f"{what}: enum value {en.prefix}_{vn} = {vv} has no bit in a 32-bit register")
                fields.append(Field(vn, vv, 1, access, Formula(0, (), what), vdoc))
        else:
            for f in self._req(r, "fields", what):
                fname = self._req(f, "name", f"{what} field")
                fwhat = f"{what}.{fname}"
                lsb, width = self._bits(self._req(f, "bits", fwhat), fwhat)
                facc = f.get("access", access)
                if facc not in ACCESS:
                    raise RegsError(f"{fwhat}: access {facc!r} must be one of {', '.join(ACCESS)}")
                reset = Formula(self._req(f, "reset", fwhat), allowed, f"{fwhat}.reset")
                if f.get("enum") and f["enum"] not in self.enums:
                    raise RegsError(f"{fwhat}: unknown enum {f['enum']!r}")
                fields.append(Field(fname, lsb, width, facc, reset, f.get("doc", ""), f.get("enum")))
        used = 0
        ix_envs = [dict(zip(index, ix)) for ix in itertools.product(*[range(d) for d in dims])] or [{}]
        for f in fields:
            if used & f.mask:
                raise RegsError(f"{what}: field {f.name} overlaps another field")
            used |= f.mask
            self._check_fits(f.reset, f.width, False, f"{what}.{f.name}.reset", ix_envs)
        if not fields:
            raise RegsError(f"{what}: no fields")
        return Register(name, offset, access, r.get("doc", ""), fields, block,
                        bool(r.get("constant", False)), dims, strides, index)

    def _cfg_key(self, k):
        name = self._req(k, "name", "config key")
        what = f"config key {name}"
        key = parse_int(self._req(k, "key", what), f"{what}.key")
        width = in_range(parse_int(self._req(k, "width", what), f"{what}.width"), 1, 32, f"{what}.width")
        signed = bool(k.get("signed", False))
        p = set(self.param_names)
        mn = Formula(self._req(k, "min", what), p, f"{what}.min")
        mx = Formula(self._req(k, "max", what), p, f"{what}.max")
        rs = Formula(self._req(k, "reset", what), p, f"{what}.reset")
        if not mn.is_const:
            raise RegsError(f"{what}: min must be a constant")
        for f, w in ((mn, "min"), (mx, "max"), (rs, "reset")):
            self._check_fits(f, width, signed, f"{what}.{w}")
        for env in self.envs:
            a, b, c = mn.eval(env), mx.eval(env), rs.eval(env)
            if not a <= c <= b:
                raise RegsError(f"{what}: reset {c} is outside {a}..{b} with {env}")
        return CfgKey(key, name, width, signed, mn, mx, rs, k.get("doc", ""))

    def _cfg_array(self, a):
        name = self._req(a, "name", "config array")
        what = f"config array {name}"
        key = parse_int(self._req(a, "key", what), f"{what}.key")
        dims = [in_range(parse_int(x, f"{what}.dims"), 0, 256, f"{what}.dims") for x in self._req(a, "dims", what)]
        index = list(self._req(a, "index", what))
        if len(dims) != len(index) or not dims:
            raise RegsError(f"{what}: dims and index must have the same non-zero length")
        for d in dims:
            if d < 2 or d & (d - 1):
                raise RegsError(f"{what}: every dimension must be a power of two >= 2 (got {d})")
        width = in_range(parse_int(self._req(a, "width", what), f"{what}.width"), 1, 32, f"{what}.width")
        mn = parse_int(self._req(a, "min", what), f"{what}.min")
        mx = parse_int(self._req(a, "max", what), f"{what}.max")
        allowed = set(self.param_names) | set(index)
        rs = Formula(self._req(a, "reset", what), set(index), f"{what}.reset")
        vi = Formula(self._req(a, "valid_index", what), allowed, f"{what}.valid_index")
        arr = CfgArray(key, name, dims, index, width, mn, mx, rs, vi, a.get("doc", ""))
        if not 0 <= mn <= mx < (1 << width):
            raise RegsError(f"{what}: range {mn}..{mx} does not fit in {width} bits")
        if key % arr.count:
            raise RegsError(f"{what}: key {key:#x} must be a multiple of the element count {arr.count}")
        for ix in itertools.product(*[range(d) for d in dims]):
            v = rs.eval(dict(zip(index, ix)))
            if not mn <= v <= mx:
                raise RegsError(f"{what}: reset {v} at {ix} is outside {mn}..{mx}")
        return arr

    def _check_cfg_keys(self):
        seen = {}
        keys = [(k.key, k.name) for k in self.cfg_keys]
        for a in self.cfg_arrays:
            keys += [(a.key + n, a.name) for n in range(a.count)]
        for key, name in keys:
            if key in seen:
                raise RegsError(f"config key {key:#x} is used by both {seen[key]} and {name}")
            seen[key] = name

    def cfg_offset(self, key):
        return self.cfg_base + self.cfg_stride * key

    def _check_offsets(self):
        seen = {}
        limit = 1 << self.addr_bits
        entries = []
        for r in self.registers:
            for off, idx in r.offsets():
                entries.append((off, r.name + "".join(f"[{i}]" for i in idx)))
        for k in self.cfg_keys:
            entries.append((self.cfg_offset(k.key), f"CFG_{k.name}"))
        for a in self.cfg_arrays:
            for n in range(a.count):
                entries.append((self.cfg_offset(a.key + n), f"CFG_{a.name}[{n}]"))
        for off, name in entries:
            if off < 0:
                raise RegsError(f"register {name}: offset {off} is negative")
            if off % 4:
                raise RegsError(f"register {name}: offset {off:#05x} is not 4-byte aligned")
            if off >= limit:
                raise RegsError(f"register {name}: offset {off:#05x} is outside the "
                                f"{self.addr_bits}-bit address space")
            if off in seen:
                raise RegsError(f"registers {seen[off]} and {name} share offset {off:#05x}")
            seen[off] = name

    def params_used(self, formulas):
        used = set()
        for f in formulas:
            used |= f.names
        return [p for p in self.params if p["name"] in used]


# ---------------------------------------------------------------- emitters

HEADER_NOTE = ("Generated by scripts/gen_regs.py from regs/vshard_regs.json. Do not edit:\n"
               "change the JSON and run `python3 scripts/gen_regs.py` (or `ninja regs`).")


class Names:
    """Refuses two generated identifiers with the same name."""

    def __init__(self, lang):
        self.lang, self.seen = lang, set()

    def __call__(self, name):
        if name in self.seen:
            raise RegsError(f"generated {self.lang} identifier {name} is defined twice: "
                            f"rename a register, field or key in the JSON")
        self.seen.add(name)
        return name


def sv_hex(v, width):
    return f"{width}'h{v & ((1 << width) - 1):0{(width + 3) // 4}x}"


def sv_lit(v):
    return f"32'd{v}"


def gen_sv(d):
    o = []
    nm = Names("SystemVerilog")
    w = o.append
    aw = d.addr_bits
    for line in HEADER_NOTE.split("\n"):
        w(f"// {line}")
    w("//")
    w("// vShard register map and the constants hardware and software share")
    w(f"// (docs/spec.md v{d.major}.{d.minor}, docs/registers.md). Reference as vs_regs_pkg::NAME.")
    w("")
    w("package vs_regs_pkg;")
    w("")
    w("  // A package of constants: a design uses some of them, and the helper")
    w("  // functions keep a wide intermediate of which they return a slice.")
    w("  /* verilator lint_off UNUSEDPARAM */")
    w("  /* verilator lint_off UNUSEDSIGNAL */")
    w("")
    w("  // ---- identity and bus")
    w(f"  localparam int unsigned {nm('SPEC_VERSION_MAJOR')} = {d.major};")
    w(f"  localparam int unsigned {nm('SPEC_VERSION_MINOR')} = {d.minor};")
    w(f"  localparam logic [31:0] {nm('MAGIC_VALUE')} = {sv_hex(d.magic, 32)};")
    w(f"  localparam logic [31:0] {nm('VERSION_VALUE')} = {sv_hex(d.major << 16 | d.minor, 32)};")
    w(f"  localparam int unsigned {nm('ADDR_W')} = {aw};  // AXI4-Lite byte address width")
    w("")
    w("  // ---- engine parameter ranges (spec section 1) and named configurations")
    for p in d.params:
        u = snake_upper(p["name"])
        w(f"  localparam int unsigned {nm(u + '_MIN')} = {p['min']};")
        w(f"  localparam int unsigned {nm(u + '_MAX')} = {p['max']};")
    for cname, vals in d.configs:
        for p in d.params:
            w(f"  localparam int unsigned {nm(cname.upper() + '_' + snake_upper(p['name']))} = {vals[p['name']]};")
    w("")
    w(f"  // ---- descriptors: {d.desc_bytes} bytes, byte i = bits 8i+7:8i")
    w(f"  localparam int unsigned {nm('DESC_BYTES')} = {d.desc_bytes};")
    w(f"  localparam int unsigned {nm('DESC_W')} = {d.desc_bytes * 8};")
    for name, lsb, width, doc in d.desc_fields:
        w(f"  localparam int unsigned {nm('DESC_' + name + '_LSB')} = {lsb};  // {doc}")
        w(f"  localparam int unsigned {nm('DESC_' + name + '_W')} = {width};")
    w("")
    w("  // ---- enums")
    for e in d.enums.values():
        w(f"  // {e.doc}")
        w(f"  typedef enum logic [{e.width - 1}:0] {{")
        for i, (vn, vv, vdoc) in enumerate(e.values):
            comma = "," if i + 1 < len(e.values) else ""
            w(f"    {nm(e.prefix + '_' + vn)} = {e.width}'h{vv:0{(e.width + 3) // 4}x}{comma}  // {vdoc}")
        w(f"  }} {nm(e.name + '_e')};")
    w("")
    w("  // ---- descriptor flag bits")
    for name, bit, width, doc in d.flags:
        if width == 1:
            w(f"  localparam int unsigned {nm(name + '_BIT')} = {bit};  // {doc}")
        else:
            w(f"  localparam int unsigned {nm(name + '_LSB')} = {bit};  // {doc}")
            w(f"  localparam int unsigned {nm(name + '_W')} = {width};")
    for bname, bdoc, regs in d.blocks:
        w("")
        w(f"  // ---- {bname}: {bdoc}")
        for r in regs:
            acc = r.access
            w(f"  // {r.name} ({acc}): {r.doc}")
            w(f"  localparam logic [{aw - 1}:0] {nm(r.name + '_OFFSET')} = {sv_hex(r.offset, aw)};")
            w(f"  localparam logic [31:0] {nm(r.name + '_MASK')} = {sv_hex(r.mask, 32)};")
            if r.single_value:
                w(f"  localparam int unsigned {nm(r.name + '_W')} = {r.fields[0].width};")
            else:
                for f in r.fields:
                    w(f"  localparam int unsigned {nm(r.name + '_' + f.name + '_LSB')} = {f.lsb};"
                      f"  // {f.access} {f.doc}")
                    w(f"  localparam int unsigned {nm(r.name + '_' + f.name + '_W')} = {f.width};")
            if r.dims:
                if len(r.dims) == 1:
                    w(f"  localparam int unsigned {nm(r.name + '_COUNT')} = {r.dims[0]};")
                    w(f"  localparam int unsigned {nm(r.name + '_STRIDE')} = {r.strides[0]};")
                else:
                    for ix, dim, st in zip(r.index, r.dims, r.strides):
                        w(f"  localparam int unsigned {nm(r.name + '_' + ix.upper() + '_COUNT')} = {dim};")
                        w(f"  localparam int unsigned {nm(r.name + '_' + ix.upper() + '_STRIDE')} = {st};")
                fn = nm(r.name.lower() + "_offset")
                args = ", ".join(f"input int unsigned {ix}" for ix in r.index)
                expr = " + ".join(f"({ix} * 32'd{st})" for ix, st in zip(r.index, r.strides))
                w(f"  function automatic logic [{aw - 1}:0] {fn}({args});")
                w(f"    logic [31:0] off;")
                w(f"    off = 32'h{r.offset:x} + {expr};")
                w(f"    {fn} = off[{aw - 1}:0];")
                w(f"  endfunction")
            if r.reset_is_const:
                w(f"  localparam logic [31:0] {nm(r.name + '_RESET')} = {sv_hex(r.reset_value({}), 32)};")
            else:
                used = d.params_used([f.reset for f in r.fields])
                names = {p["name"]: p["cpp"] for p in used}
                names.update({ix: ix for ix in r.index})
                args = [f"input int unsigned {p['cpp']}" for p in used]
                args += [f"input int unsigned {ix}" for ix in r.index]
                fn = nm(r.name.lower() + "_reset")
                parts = []
                for f in r.fields:
                    if f.reset.is_const and f.reset.eval() == 0:
                        continue
                    ex = f.reset.render(names, sv_lit, '&&', '||')
                    parts.append(f"({ex} << {f.lsb})" if f.lsb else ex)
                w(f"  function automatic logic [31:0] {fn}({', '.join(args)});")
                w(f"    {fn} = {' | '.join(parts) if parts else sv_lit(0)};")
                w(f"  endfunction")
    # configuration
    w("")
    w(f"  // ---- configuration (spec section 5): key k at {sv_hex(d.cfg_base, aw)} + {d.cfg_stride}*k")
    w(f"  localparam logic [{aw - 1}:0] {nm('CFG_OFFSET')} = {sv_hex(d.cfg_base, aw)};")
    w(f"  localparam int unsigned {nm('CFG_STRIDE')} = {d.cfg_stride};")
    w(f"  localparam int unsigned {nm('CFG_NUM_SCALAR_KEYS')} = {len(d.cfg_keys)};")
    for k in d.cfg_keys:
        u = "CFG_" + k.name
        w(f"  // {k.name}: {k.doc}")
        w(f"  localparam logic [15:0] {nm(u + '_KEY')} = {sv_hex(k.key, 16)};")
        w(f"  localparam logic [{aw - 1}:0] {nm(u + '_OFFSET')} = {sv_hex(d.cfg_offset(k.key), aw)};")
        w(f"  localparam int unsigned {nm(u + '_W')} = {k.width};")
        ty = "int" if k.signed else "int unsigned"
        w(f"  localparam {ty} {nm(u + '_MIN')} = {k.min.eval()};")
        for f, sfx in ((k.max, "MAX"), (k.reset, "RESET")):
            if f.is_const:
                if sfx == "RESET":
                    w(f"  localparam logic [31:0] {nm(u + '_RESET')} = {sv_hex(f.eval(), 32)};")
                else:
                    w(f"  localparam {ty} {nm(u + '_' + sfx)} = {f.eval()};")
            else:
                used = d.params_used([f])
                fn = nm(f"cfg_{k.name.lower()}_{sfx.lower()}")
                args = ", ".join(f"input int unsigned {p['cpp']}" for p in used)
                expr = f.render({p["name"]: p["cpp"] for p in used}, sv_lit, "&&", "||")
                w(f"  function automatic logic [31:0] {fn}({args});")
                w(f"    {fn} = {expr};")
                w(f"  endfunction")
    for a in d.cfg_arrays:
        u = "CFG_" + a.name
        w(f"  // {a.name}: {a.doc}")
        w(f"  localparam logic [15:0] {nm(u + '_KEY')} = {sv_hex(a.key, 16)};")
        w(f"  localparam logic [{aw - 1}:0] {nm(u + '_OFFSET')} = {sv_hex(d.cfg_offset(a.key), aw)};")
        w(f"  localparam int unsigned {nm(u + '_COUNT')} = {a.count};")
        for ix, dim in zip(a.index, a.dims):
            w(f"  localparam int unsigned {nm(u + '_' + ix.upper() + '_COUNT')} = {dim};")
        w(f"  localparam int unsigned {nm(u + '_W')} = {a.width};")
        w(f"  localparam int unsigned {nm(u + '_MIN')} = {a.min};")
        w(f"  localparam int unsigned {nm(u + '_MAX')} = {a.max};")
        fn = nm(f"cfg_{a.name.lower()}_key")
        args = ", ".join(f"input int unsigned {ix}" for ix in a.index)
        expr = " + ".join(f"({ix} * 32'd{s})" for ix, s in zip(a.index, a.strides()))
        w(f"  function automatic logic [15:0] {fn}({args});")
        w(f"    logic [31:0] k;")
        w(f"    k = 32'h{a.key:x} + {expr};")
        w(f"    {fn} = k[15:0];")
        w(f"  endfunction")
        fn = nm(f"cfg_{a.name.lower()}_reset")
        w(f"  function automatic logic [31:0] {fn}({args});")
        w(f"    {fn} = {a.reset.render({ix: ix for ix in a.index}, sv_lit, '&&', '||')};")
        w(f"  endfunction")

    w("")
    w("  // Every scalar configuration register, one field per key named as the key")
    w("  // in lower case, in key order: the first key is in the most significant bits.")
    w("  // vs_cfg_regs outputs it (cfg_o).")
    w("  typedef struct packed {")
    for k in sorted(d.cfg_keys, key=lambda k: k.key):
        w(f"    logic [{k.width - 1}:0] {nm(k.name.lower())};  // {sv_hex(k.key, 16)} {k.name}"
          + (" (two's complement)" if k.signed else ""))
    w(f"  }} {nm('cfg_t')};")

    all_f = [k.max for k in d.cfg_keys] + [k.reset for k in d.cfg_keys]
    rv_params = d.params_used(all_f)
    ix_params = d.params_used([a.valid_index for a in d.cfg_arrays])

    def in_array(a, var="key"):
        return f"({var} >= {sv_hex(a.key, 16)}) && ({var} <= {sv_hex(a.key + a.count - 1, 16)})"

    def decode(a, indent):
        lines = [f"{indent}rel = key - {sv_hex(a.key, 16)};"]
        for ix, (lsb, wd) in zip(a.index, a.index_bits()):
            lines.append(f"{indent}{ix} = {{{32 - wd}'d0, rel[{lsb + wd - 1}:{lsb}]}};")
        return lines

    arr_locals = ["    logic [15:0] rel;"] + [
        f"    int unsigned {ix};" for ix in sorted({ix for a in d.cfg_arrays for ix in a.index})]

    w("")
    w("  // Is key a configuration key (else E_BAD_KEY)?")
    w("  function automatic logic cfg_key_known(input logic [15:0] key);")
    w("    case (key)")
    w("      " + ", ".join(sv_hex(k.key, 16) for k in d.cfg_keys) + ": cfg_key_known = 1'b1;")
    arr = " || ".join(f"({in_array(a)})" for a in d.cfg_arrays) or "1'b0"
    w(f"      default: cfg_key_known = {arr};")
    w("    endcase")
    w("  endfunction")
    nm("cfg_key_known")
    if d.cfg_arrays:
        w("")
        w("  // For a known key: are its array indices in range (else E_BAD_NODE)?")
        args = ", ".join(["input logic [15:0] key"] + [f"input int unsigned {p['cpp']}" for p in ix_params])
        w(f"  function automatic logic cfg_index_ok({args});")
        w(f"{chr(10).join(arr_locals)}")
        w("    cfg_index_ok = 1'b1;")
        w("    rel = 16'h0;")
        for ix in sorted({ix for a in d.cfg_arrays for ix in a.index}):
            w(f"    {ix} = 0;")
        for a in d.cfg_arrays:
            w(f"    if ({in_array(a)}) begin")
            for line in decode(a, "      "):
                w(line)
            names = {p["name"]: p["cpp"] for p in ix_params}
            names.update({ix: ix for ix in a.index})
            w(f"      cfg_index_ok = {a.valid_index.render(names, sv_lit, '&&', '||')};")
            w("    end")
        w("  endfunction")
        nm("cfg_index_ok")

    def value_check(minv, maxf, signed, names):
        if signed:
            return (f"($signed(value) >= -32'sd{-minv}) && ($signed(value) <= 32'sd{maxf.eval()})"
                    if minv < 0 else
                    f"($signed(value) >= 32'sd{minv}) && ($signed(value) <= 32'sd{maxf.eval()})")
        hi = maxf.render(names, sv_lit, "&&", "||") if not maxf.is_const else sv_lit(maxf.eval())
        if minv == 0:
            return f"(value <= {hi})"
        return f"(value >= {sv_lit(minv)}) && (value <= {hi})"

    names = {p["name"]: p["cpp"] for p in rv_params}
    pargs = [f"input int unsigned {p['cpp']}" for p in rv_params]
    w("")
    w("  // For a known key: is value in its valid range, with no bits above its")
    w("  // width except the sign extension of a signed key (else E_BAD_ARG)?")
    w(f"  function automatic logic cfg_value_ok({', '.join(['input logic [15:0] key', 'input logic [31:0] value'] + pargs)});")
    w("    case (key)")
    for k in d.cfg_keys:
        w(f"      {sv_hex(k.key, 16)}: cfg_value_ok = {value_check(k.min.eval(), k.max, k.signed, names)};")
    dflt = " || ".join(f"(({in_array(a)}) && {value_check(a.min, Formula(a.max, (), ''), False, {})})"
                       for a in d.cfg_arrays) or "1'b0"
    w(f"      default: cfg_value_ok = {dflt};")
    w("    endcase")
    w("  endfunction")
    nm("cfg_value_ok")

    w("")
    w("  // Reset value of a known key, as the register reads (signed keys sign-extended).")
    w(f"  function automatic logic [31:0] cfg_reset({', '.join(['input logic [15:0] key'] + pargs)});")
    if d.cfg_arrays:
        w(f"{chr(10).join(arr_locals)}")
        w("    rel = 16'h0;")
        for ix in sorted({ix for a in d.cfg_arrays for ix in a.index}):
            w(f"    {ix} = 0;")
    w("    case (key)")
    for k in d.cfg_keys:
        if k.reset.is_const:
            v = sv_hex(k.reset.eval(), 32)
        else:
            v = k.reset.render(names, sv_lit, "&&", "||")
        w(f"      {sv_hex(k.key, 16)}: cfg_reset = {v};")
    w("      default: begin")
    w("        cfg_reset = 32'h0;")
    for a in d.cfg_arrays:
        w(f"        if ({in_array(a)}) begin")
        for line in decode(a, "          "):
            w(line)
        w(f"          cfg_reset = cfg_{a.name.lower()}_reset({', '.join(a.index)});")
        w("        end")
    w("      end")
    w("    endcase")
    w("  endfunction")
    nm("cfg_reset")
    w("")
    w("  /* verilator lint_on UNUSEDSIGNAL */")
    w("  /* verilator lint_on UNUSEDPARAM */")
    w("")
    w("endpackage")
    w("")
    return "\n".join(o)


# ---------------------------------------------------------------- RTL modules

# The parameters of the generated configuration modules (their interface is
# fixed: vs_top instantiates them). A configuration formula may use only these.
RTL_PARAMS = (("NCores", 8, "Physical cores."), ("NNodes", 2, "NUMA nodes (bounds the NUMA_DIST indices)."),
              ("MaxShards", 4, "Most shards one preemption may create."))


def rtl_cfg_check_desc(d):
    """Refuses a description the fixed vs_cfg_regs / vs_cfg_check interface cannot carry.

    Returns the configuration array; the result is kept on `d` (generate()
    and both configuration modules ask for it)."""
    if getattr(d, "_rtl_cfg_array", None) is not None:
        return d._rtl_cfg_array
    allowed = {p for p, _, _ in RTL_PARAMS}
    for k in d.cfg_keys:
        for f in (k.max, k.reset):
            extra = f.names - allowed
            if extra:
                raise RegsError(f"config key {k.name}: formula {f.text!r} uses {', '.join(sorted(extra))}: the "
                                f"RTL configuration modules only have the parameters {', '.join(sorted(allowed))}")
        if k.signed and not k.max.is_const:
            raise RegsError(f"config key {k.name}: a signed key needs a constant max (the RTL check compares "
                            f"it as a signed constant)")
        if k.key >= 1 << 16:
            raise RegsError(f"config key {k.name}: key {k.key:#x} does not fit the 16-bit key")
    if len(d.cfg_arrays) != 1:
        raise RegsError(f"config: the RTL configuration modules carry exactly one array (NUMA_DIST, port "
                        f"numa_dist_o), the description has {len(d.cfg_arrays)}")
    a = d.cfg_arrays[0]
    nmax = next((p["max"] for p in d.params if p["name"] == "NNodes"), None)
    if len(a.dims) != 2 or nmax is None or any(dim < nmax for dim in a.dims):
        raise RegsError(f"config array {a.name}: the RTL stores it as NNodes x NNodes: it needs 2 dimensions "
                        f"of at least NNodes' maximum")
    if a.key + a.count > 1 << 16:
        raise RegsError(f"config array {a.name}: its keys do not fit the 16-bit key")
    # The check reads only the formula's names and NNodes: one parameter set
    # per distinct value of those is enough (the same answers, far fewer
    # evaluations than every set of d.envs).
    seen = set()
    for env in d.envs:
        key = tuple(sorted((n, env[n]) for n in (a.valid_index.names | {"NNodes"}) if n in env))
        if key in seen:
            continue
        seen.add(key)
        for ix in itertools.product(*[range(dim) for dim in a.dims]):
            e = dict(env)
            e.update(zip(a.index, ix))
            if bool(a.valid_index.eval(e)) != all(i < env["NNodes"] for i in ix):
                raise RegsError(f"config array {a.name}: valid_index {a.valid_index.text!r} must mean every "
                                f"index < NNodes (the RTL stores NNodes x NNodes entries)")
    d._rtl_cfg_array = a
    return a


def _sv_params(w, used):
    """The fixed parameter list; a parameter no formula uses is kept (interface) and waived."""
    lines = []
    for i, (p, dflt, doc) in enumerate(RTL_PARAMS):
        comma = "," if i + 1 < len(RTL_PARAMS) else ""
        lines.append(f"  /// {doc}")
        if p in used:
            lines.append(f"  parameter int {p} = {dflt}{comma}")
        else:
            lines.append("  /* verilator lint_off UNUSEDPARAM */")
            lines.append(f"  parameter int {p} = {dflt}{comma}")
            lines.append("  /* verilator lint_on UNUSEDPARAM */")
    return lines


def _sv_header(w, what):
    for line in HEADER_NOTE.split("\n"):
        w(f"// {line}")
    w("//")
    for line in what:
        w(f"// {line}" if line else "//")


def _sv_param_locals(w, used):
    for p, _, _ in RTL_PARAMS:
        if p in used:
            w(f"  localparam logic [31:0] {p}32 = {p};")


def _sv_array_match(a, var):
    """SV condition: `var` is the key of array element (loop variables a.index)."""
    conds = [f"({var} >= {sv_hex(a.key, 16)})", f"({var} <= {sv_hex(a.key + a.count - 1, 16)})"]
    for ix, (lsb, wd) in zip(a.index, a.index_bits()):
        conds.append(f"({var}[{lsb + wd - 1}:{lsb}] == {ix}[{wd - 1}:0])")
    return " && ".join(conds)


def gen_sv_cfg_check(d):
    a = rtl_cfg_check_desc(d)
    o = []
    w = o.append
    used = set()
    for k in d.cfg_keys:
        used |= k.max.names
    used |= a.valid_index.names
    pnames = {p: f"{p}32" for p, _, _ in RTL_PARAMS}
    _sv_header(w, ["vs_cfg_check: the CONFIG checks of docs/spec.md section 5, in order:",
                   "key known (else E_BAD_KEY); array indices valid (else E_BAD_NODE);",
                   "value in range with no bits above its width, except the sign extension",
                   "of a signed key (else E_BAD_ARG). Shared by the CONFIG event and the",
                   "AXI4-Lite configuration writes; vs_cfg_regs stores what it accepts."])
    w("module vs_cfg_check #(")
    for line in _sv_params(w, used):
        w(line)
    w(") (")
    w("  input  logic [15:0] key_i,")
    w("  input  logic [31:0] value_i,")
    w("  output logic [7:0]  err_o")
    w(");")
    _sv_param_locals(w, used)
    w("")
    w("  // One pair of comparators shared by every key: the case selects the")
    w("  // bounds (33-bit two's complement, so that a signed key compares as")
    w("  // signed and an unsigned one as unsigned), not a comparator per key.")
    w("  logic        known, index_ok, value_ok, is_signed;")
    w("  logic [32:0] lo, hi, value_x;")
    w("")
    w("  always_comb begin")
    w("    known     = 1'b1;")
    w("    index_ok  = 1'b1;")
    w("    is_signed = 1'b0;")
    w("    lo        = 33'd0;")
    w("    hi        = 33'd0;")
    w("    case (key_i)")
    for k in sorted(d.cfg_keys, key=lambda k: k.key):
        sig = "is_signed = 1'b1; " if k.signed else ""
        w(f"      {sv_hex(k.key, 16)}: begin {sig}lo = {sv_hex(k.min.eval(), 33)}; "
          f"hi = {_sv_bound33(k.max, pnames)}; end  // {k.name}")
    w("      default: begin")
    in_arr = f"(key_i >= {sv_hex(a.key, 16)}) && (key_i <= {sv_hex(a.key + a.count - 1, 16)})"
    w(f"        if ({in_arr}) begin  // {a.name}[{']['.join(a.index)}]")
    names = dict(pnames)
    for ix, (lsb, wd) in zip(a.index, a.index_bits()):
        names[ix] = f"{{{32 - wd}'d0, key_i[{lsb + wd - 1}:{lsb}]}}"
    w(f"          index_ok = {a.valid_index.render(names, sv_lit, '&&', '||')};")
    w(f"          lo = {sv_hex(a.min, 33)};")
    w(f"          hi = {sv_hex(a.max, 33)};")
    w("        end else begin")
    w("          known = 1'b0;")
    w("        end")
    w("      end")
    w("    endcase")
    w("    value_x  = {is_signed & value_i[31], value_i};")
    w("    value_ok = ($signed(value_x) >= $signed(lo)) && ($signed(value_x) <= $signed(hi));")
    w("    if (!known) err_o = vs_pkg::ErrBadKey;")
    w("    else if (!index_ok) err_o = vs_pkg::ErrBadNode;")
    w("    else if (!value_ok) err_o = vs_pkg::ErrBadArg;")
    w("    else err_o = vs_pkg::ErrNone;")
    w("  end")
    w("endmodule")
    w("")
    return "\n".join(o)


def _sv_bound33(f, names):
    """SV 33-bit two's-complement bound: a constant, or {1'b0, formula} (a formula is never negative)."""
    if f.is_const:
        return sv_hex(f.eval(), 33)
    return f"{{1'b0, {f.render(names, sv_lit, '&&', '||')}}}"


def gen_sv_cfg_regs(d):
    a = rtl_cfg_check_desc(d)
    keys = sorted(d.cfg_keys, key=lambda k: k.key)
    o = []
    w = o.append
    used = set(a.valid_index.names) | {"NNodes"}  # NNodes sizes the array storage
    for k in keys:
        used |= k.reset.names
    pnames = {p: f"{p}32" for p, _, _ in RTL_PARAMS}
    arr = a.name.lower()
    aw = a.width
    _sv_header(w, ["vs_cfg_regs: the configuration registers of docs/spec.md section 5, with",
                   "their reset values from regs/vshard_regs.json. rst_ni and soft_rst_i",
                   "(priority over we_i) load the reset values; we_i writes key_i := value_i",
                   "(the low bits of the key's width), already checked by vs_cfg_check; the",
                   "read port returns a key's value as the register reads over AXI4-Lite",
                   "(signed keys sign-extended; 0 for an unknown key or array indices >= NNodes).",
                   f"{a.name}[i][j] is at bits (i*NNodes+j)*{aw} of {arr}_o."])
    w("module vs_cfg_regs #(")
    for line in _sv_params(w, used):
        w(line)
    w(") (")
    w("  input  logic clk_i,")
    w("  input  logic rst_ni,")
    w("  input  logic soft_rst_i,")
    w("  input  logic we_i,")
    w("  input  logic [15:0] key_i,")
    w("  input  logic [31:0] value_i,")
    w("  input  logic [15:0] rkey_i,")
    w("  output logic [31:0] rdata_o,")
    w("  output vs_regs_pkg::cfg_t cfg_o,")
    w(f"  output logic [NNodes*NNodes*{aw}-1:0] {arr}_o")
    w(");")
    _sv_param_locals(w, set().union(*[k.reset.names for k in keys]))
    w("")
    w("  // ---- reset values")
    for k in keys:
        c = camel(k.name)
        if k.reset.is_const:
            v = k.reset.eval()
            lit = f"{k.width}'d{v};" if v >= 0 else f"{sv_hex(v, k.width)};  // {v}"
            w(f"  localparam logic [{k.width - 1}:0] {c}Rst = {lit}")
        else:
            w(f"  localparam logic [31:0] {c}Rst32 = {k.reset.render(pnames, sv_lit, '&&', '||')};"
              f"  // {k.reset.text}")
            w(f"  localparam logic [{k.width - 1}:0] {c}Rst = {c}Rst32[{k.width - 1}:0];")
    ca = camel(a.name)
    w(f"  // {a.name}[{']['.join(a.index)}] = {a.reset.text}")
    w(f"  function automatic logic [NNodes*NNodes*{aw}-1:0] {arr}_reset();")
    w(f"    /* verilator lint_off UNUSEDSIGNAL */  // the generator checked every value fits {aw} bits")
    w("    logic [31:0] v;")
    w("    /* verilator lint_on UNUSEDSIGNAL */")
    w(f"    {arr}_reset = '0;")
    i0, i1 = a.index
    w(f"    for (int {i0} = 0; {i0} < NNodes; {i0}++) begin")
    w(f"      for (int {i1} = 0; {i1} < NNodes; {i1}++) begin")
    w(f"        v = {a.reset.render({ix: ix for ix in a.index}, sv_lit, '&&', '||')};")
    w(f"        {arr}_reset[({i0}*NNodes+{i1})*{aw} +: {aw}] = v[{aw - 1}:0];")
    w("      end")
    w("    end")
    w("  endfunction")
    w(f"  localparam logic [NNodes*NNodes*{aw}-1:0] {ca}Rst = {arr}_reset();")
    w("")
    w("  // ---- registers: one signal per key, cfg_o assembled in one assignment.")
    w("  // Not a cfg_t register written member by member: Yosys 0.23 can drop one")
    w("  // of two member assignments to a packed struct in an always_comb")
    w("  // (docs/rtl.md, the last section; DESIGN.md's SV subset).")
    for k in keys:
        n = k.name.lower()
        w(f"  logic [{k.width - 1}:0] {n}_q, {n}_d;")
    w(f"  logic [NNodes*NNodes*{aw}-1:0] {arr}_q, {arr}_d;")
    maxw = max([k.width for k in keys] + [aw])
    if maxw < 32:
        w("")
        w(f"  // No key is wider than {maxw} bits: the value's upper bits are never stored.")
        w("  /* verilator lint_off UNUSEDSIGNAL */")
        w("  logic value_hi_unused;")
        w(f"  assign value_hi_unused = ^value_i[31:{maxw}];")
        w("  /* verilator lint_on UNUSEDSIGNAL */")
    w("")
    w("  always_comb begin")
    for k in keys:
        n = k.name.lower()
        w(f"    {n}_d = {n}_q;")
    w(f"    {arr}_d = {arr}_q;")
    w("    if (we_i) begin")
    w("      case (key_i)")
    for k in keys:
        w(f"        {sv_hex(k.key, 16)}: {k.name.lower()}_d = value_i[{k.width - 1}:0];")
    w("        default: begin")
    w(f"          for (int {i0} = 0; {i0} < NNodes; {i0}++) begin")
    w(f"            for (int {i1} = 0; {i1} < NNodes; {i1}++) begin")
    w(f"              if ({_sv_array_match(a, 'key_i')}) begin")
    w(f"                {arr}_d[({i0}*NNodes+{i1})*{aw} +: {aw}] = value_i[{aw - 1}:0];")
    w("              end")
    w("            end")
    w("          end")
    w("        end")
    w("      endcase")
    w("    end")
    w("    if (soft_rst_i) begin")
    for k in keys:
        w(f"      {k.name.lower()}_d = {camel(k.name)}Rst;")
    w(f"      {arr}_d = {ca}Rst;")
    w("    end")
    w("  end")
    w("")
    w("  always_ff @(posedge clk_i or negedge rst_ni) begin")
    w("    if (!rst_ni) begin")
    for k in keys:
        w(f"      {k.name.lower()}_q <= {camel(k.name)}Rst;")
    w(f"      {arr}_q <= {ca}Rst;")
    w("    end else begin")
    for k in keys:
        n = k.name.lower()
        w(f"      {n}_q <= {n}_d;")
    w(f"      {arr}_q <= {arr}_d;")
    w("    end")
    w("  end")
    w("")
    w("  assign cfg_o = {")
    for i, k in enumerate(keys):
        w(f"    {k.name.lower()}_q{',' if i + 1 < len(keys) else ''}")
    w("  };")
    w(f"  assign {arr}_o = {arr}_q;")
    w("")
    w("  // ---- read port")
    w("  always_comb begin")
    w("    rdata_o = 32'd0;")
    w("    case (rkey_i)")
    for k in keys:
        f = f"{k.name.lower()}_q"
        if k.width == 32:
            v = f
        elif k.signed:
            v = f"{{{{{32 - k.width}{{{f}[{k.width - 1}]}}}}, {f}}}"
        else:
            v = f"{{{32 - k.width}'d0, {f}}}"
        w(f"      {sv_hex(k.key, 16)}: rdata_o = {v};")
    w("      default: begin")
    w(f"        for (int {i0} = 0; {i0} < NNodes; {i0}++) begin")
    w(f"          for (int {i1} = 0; {i1} < NNodes; {i1}++) begin")
    w(f"            if ({_sv_array_match(a, 'rkey_i')}) begin")
    rd = f"{arr}_q[({i0}*NNodes+{i1})*{aw} +: {aw}]"
    w(f"              rdata_o = {rd if aw == 32 else f'{{{32 - aw}' + chr(39) + 'd0, ' + rd + '}'};")
    w("            end")
    w("          end")
    w("        end")
    w("      end")
    w("    endcase")
    w("  end")
    w("endmodule")
    w("")
    return "\n".join(o)


def cpp_lit(v):
    return str(v)


def gen_cpp(d):
    o = []
    nm = Names("C++")
    w = o.append
    for line in HEADER_NOTE.split("\n"):
        w(f"// {line}")
    w("//")
    w(f"// vShard register map and the constants hardware and software share")
    w(f"// (docs/spec.md v{d.major}.{d.minor}, docs/registers.md). Self-contained: standard headers only.")
    w("#pragma once")
    w("")
    w("#include <cstddef>")
    w("#include <cstdint>")
    w("")
    w("namespace vshard::regs {")
    w("")
    w("// ---- identity and bus")
    w(f"inline constexpr uint32_t {nm('kSpecVersionMajor')} = {d.major};")
    w(f"inline constexpr uint32_t {nm('kSpecVersionMinor')} = {d.minor};")
    w(f"inline constexpr uint32_t {nm('kMagicValue')} = 0x{d.magic:08X};")
    w(f"inline constexpr uint32_t {nm('kVersionValue')} = 0x{d.major << 16 | d.minor:08X};")
    w(f"inline constexpr uint32_t {nm('kAddrBits')} = {d.addr_bits};  // AXI4-Lite byte address width")
    w("")
    w("// ---- engine parameters (spec section 1). Member names match vshard::Params,")
    w("// so every function template below taking `const P& p` accepts either.")
    w("struct EngineParams {")
    for p in d.params:
        w(f"  uint32_t {p['cpp']} = 0;  // {p['name']}: {p['doc']}")
    w("};")
    nm("EngineParams")
    w("struct ParamRange {")
    w("  const char* name;")
    w("  uint32_t min;")
    w("  uint32_t max;")
    w("};")
    w(f"inline constexpr ParamRange {nm('kParamRanges')}[] = {{")
    for p in d.params:
        w(f"    {{\"{p['name']}\", {p['min']}, {p['max']}}},")
    w("};")
    w("struct NamedConfig {")
    w("  const char* name;")
    w("  EngineParams params;")
    w("};")
    w(f"inline constexpr NamedConfig {nm('kNamedConfigs')}[] = {{")
    for cname, vals in d.configs:
        w(f"    {{\"{cname}\", {{{', '.join(str(vals[p['name']]) for p in d.params)}}}}},")
    w("};")
    w("")
    w(f"// ---- descriptors: {d.desc_bytes} bytes, little-endian, byte i = bits 8i+7:8i")
    w(f"inline constexpr uint32_t {nm('kDescriptorBytes')} = {d.desc_bytes};")
    for name, lsb, width, doc in d.desc_fields:
        c = camel(name)
        w(f"inline constexpr uint32_t {nm('kDesc' + c + 'Shift')} = {lsb};  // {doc}")
        w(f"inline constexpr uint32_t {nm('kDesc' + c + 'Width')} = {width};")
    w("")
    w("// ---- enums: values, and name tables in value order")
    w("struct EnumEntry {")
    w("  uint8_t value;")
    w("  const char* name;")
    w("};")
    for e in d.enums.values():
        w(f"// {e.doc}")
        for vn, vv, vdoc in e.values:
            w(f"inline constexpr uint8_t {nm('k' + e.cpp_prefix + camel(vn))} = 0x{vv:02X};  // {vdoc}")
        tname = nm("k" + camel(e.name) + "Entries")
        w(f"inline constexpr EnumEntry {tname}[] = {{")
        for vn, vv, _ in e.values:
            w(f"    {{0x{vv:02X}, \"{e.prefix}_{vn}\" }},".replace("\" }", "\"}"))
        w("};")
        fn = nm(e.name + "_name")
        w(f"// \"{e.prefix}_{e.values[0][0]}\", ...; nullptr for a value that is not defined.")
        w(f"constexpr const char* {fn}(uint32_t value) {{")
        w(f"  for (const EnumEntry& e : {tname}) {{")
        w("    if (e.value == value) return e.name;")
        w("  }")
        w("  return nullptr;")
        w("}")
    w("")
    w("// ---- descriptor flag bits (masks within the flags byte, and shifts)")
    for name, bit, width, doc in d.flags:
        c = camel(name)
        w(f"inline constexpr uint8_t {nm('k' + c)} = 0x{((1 << width) - 1) << bit:02X};  // {doc}")
        w(f"inline constexpr uint32_t {nm('k' + c + 'Shift')} = {bit};")
    w("")
    w("// ---- registers: kReg = byte offset, kRegMask = defined bits, kRegReset;")
    w("// per field kRegField = mask in place, kRegFieldShift, kRegFieldWidth.")
    w("enum class Access : uint8_t { kRO, kRW, kW1C, kWO };")
    nm("Access")
    for bname, bdoc, regs in d.blocks:
        w("")
        w(f"// {bname}: {bdoc}")
        for r in regs:
            c = camel(r.name)
            w(f"// {r.name} ({r.access}): {r.doc}")
            w(f"inline constexpr uint32_t {nm('k' + c)} = 0x{r.offset:03X};")
            w(f"inline constexpr uint32_t {nm('k' + c + 'Mask')} = 0x{r.mask:08X};")
            if r.single_value:
                w(f"inline constexpr uint32_t {nm('k' + c + 'Width')} = {r.fields[0].width};")
            else:
                for f in r.fields:
                    fc = c + camel(f.name)
                    w(f"inline constexpr uint32_t {nm('k' + fc)} = 0x{f.mask:08X};  // {f.access} {f.doc}")
                    w(f"inline constexpr uint32_t {nm('k' + fc + 'Shift')} = {f.lsb};")
                    w(f"inline constexpr uint32_t {nm('k' + fc + 'Width')} = {f.width};")
            if r.dims:
                if len(r.dims) == 1:
                    w(f"inline constexpr uint32_t {nm('k' + c + 'Count')} = {r.dims[0]};")
                    w(f"inline constexpr uint32_t {nm('k' + c + 'Stride')} = {r.strides[0]};")
                args = ", ".join(f"uint32_t {ix}" for ix in r.index)
                expr = " + ".join(f"{ix} * {st}" for ix, st in zip(r.index, r.strides))
                w(f"constexpr uint32_t {nm(r.name.lower())}({args}) {{ return 0x{r.offset:03X} + {expr}; }}")
            if r.reset_is_const:
                w(f"inline constexpr uint32_t {nm('k' + c + 'Reset')} = 0x{r.reset_value({}):08X};")
            else:
                used = d.params_used([f.reset for f in r.fields])
                names = {p["name"]: f"int64_t{{p.{p['cpp']}}}" for p in used}
                names.update({ix: f"int64_t{{{ix}}}" for ix in r.index})
                parts = [f"(static_cast<uint32_t>({f.reset.render(names, cpp_lit, '&&', '||')})"
                         + (f" << {f.lsb})" if f.lsb else ")")
                         for f in r.fields if not (f.reset.is_const and f.reset.eval() == 0)]
                args = ([f"const P& p"] if used else []) + [f"uint32_t {ix}" for ix in r.index]
                tmpl = "template <class P>\n" if used else ""
                w(f"{tmpl}constexpr uint32_t {nm(r.name.lower() + '_reset')}({', '.join(args)}) {{")
                w(f"  return {' | '.join(parts) if parts else '0'};")
                w("}")
    w("")
    w("// Every register, for dumps and bus tests (arrays once, with count and stride).")
    w("struct RegInfo {")
    w("  const char* name;")
    w("  uint32_t offset;")
    w("  Access access;")
    w("  uint32_t mask;")
    w("  uint32_t count;")
    w("  uint32_t stride;")
    w("};")
    w(f"inline constexpr RegInfo {nm('kRegisters')}[] = {{")
    for r in d.registers:
        cnt = 1
        for x in r.dims:
            cnt *= x
        st = r.strides[-1] if r.dims else 0
        w(f"    {{\"{r.name}\", 0x{r.offset:03X}, Access::k{r.access}, 0x{r.mask:08X}, {cnt}, {st}}},")
    w("};")

    # configuration
    w("")
    w(f"// ---- configuration (spec section 5): key k is the register at 0x{d.cfg_base:03X} + {d.cfg_stride}*k")
    w(f"inline constexpr uint32_t {nm('kCfg')} = 0x{d.cfg_base:03X};")
    w(f"inline constexpr uint32_t {nm('kCfgStride')} = {d.cfg_stride};")
    w(f"constexpr uint32_t {nm('cfg_offset')}(uint32_t key) {{ return 0x{d.cfg_base:03X} + {d.cfg_stride} * key; }}")
    w(f"inline constexpr uint32_t {nm('kNumScalarKeys')} = {len(d.cfg_keys)};")
    for k in d.cfg_keys:
        c = "Cfg" + camel(k.name)
        w(f"// {k.name}: {k.doc}")
        w(f"inline constexpr uint16_t {nm('k' + c + 'Key')} = 0x{k.key:02X};")
        w(f"inline constexpr uint32_t {nm('k' + c)} = 0x{d.cfg_offset(k.key):03X};")
        w(f"inline constexpr uint32_t {nm('k' + c + 'Width')} = {k.width};")
        w(f"inline constexpr int32_t {nm('k' + c + 'Min')} = {k.min.eval()};")
        for f, sfx in ((k.max, "Max"), (k.reset, "Reset")):
            if f.is_const:
                v = f.eval()
                if sfx == "Reset":
                    w(f"inline constexpr uint32_t {nm('k' + c + sfx)} = 0x{v & 0xFFFFFFFF:08X};"
                      + (f"  // {v}" if v < 0 else ""))
                else:
                    w(f"inline constexpr int32_t {nm('k' + c + sfx)} = {v};")
            else:
                used = d.params_used([f])
                names = {p["name"]: f"int64_t{{p.{p['cpp']}}}" for p in used}
                w("template <class P>")
                w(f"constexpr {'uint32_t' if sfx == 'Reset' else 'int32_t'} "
                  f"{nm('cfg_' + k.name.lower() + '_' + sfx.lower())}(const P& p) {{  // {f.text}")
                cast = "uint32_t" if sfx == "Reset" else "int32_t"
                w(f"  return static_cast<{cast}>({f.render(names, cpp_lit, '&&', '||')});")
                w("}")
    for a in d.cfg_arrays:
        c = "Cfg" + camel(a.name)
        w(f"// {a.name}: {a.doc}")
        w(f"inline constexpr uint16_t {nm('k' + c + 'Key')} = 0x{a.key:02X};")
        w(f"inline constexpr uint32_t {nm('k' + c)} = 0x{d.cfg_offset(a.key):03X};")
        w(f"inline constexpr uint32_t {nm('k' + c + 'Count')} = {a.count};")
        w(f"inline constexpr uint32_t {nm('k' + c + 'Width')} = {a.width};")
        w(f"inline constexpr int32_t {nm('k' + c + 'Min')} = {a.min};")
        w(f"inline constexpr int32_t {nm('k' + c + 'Max')} = {a.max};")
        args = ", ".join(f"uint32_t {ix}" for ix in a.index)
        expr = " + ".join(f"{ix} * {s}" for ix, s in zip(a.index, a.strides()))
        w(f"constexpr uint16_t {nm('cfg_' + a.name.lower() + '_key')}({args}) {{")
        w(f"  return static_cast<uint16_t>(0x{a.key:02X} + {expr});")
        w("}")
        w(f"constexpr uint32_t {nm('cfg_' + a.name.lower())}({args}) {{  // register offset")
        w(f"  return cfg_offset(cfg_{a.name.lower()}_key({', '.join(a.index)}));")
        w("}")
        rn = {ix: f"int64_t{{{ix}}}" for ix in a.index}
        w(f"constexpr uint32_t {nm('cfg_' + a.name.lower() + '_reset')}({args}) {{  // {a.reset.text}")
        w(f"  return static_cast<uint32_t>({a.reset.render(rn, cpp_lit, '&&', '||')});")
        w("}")

    w("")
    w("// One row per scalar key, in key order; max and reset may depend on the")
    w("// parameters (max_expr / reset_expr are the formulas, cfg_max / cfg_reset")
    w("// evaluate them).")
    w("struct CfgKeyInfo {")
    w("  uint16_t key;")
    w("  const char* name;")
    w("  uint8_t width;")
    w("  bool is_signed;")
    w("  int32_t min;")
    w("  const char* max_expr;")
    w("  const char* reset_expr;")
    w("};")
    w(f"inline constexpr CfgKeyInfo {nm('kCfgKeys')}[] = {{")
    for k in sorted(d.cfg_keys, key=lambda k: k.key):
        w(f"    {{0x{k.key:02X}, \"{k.name}\", {k.width}, {'true' if k.signed else 'false'}, "
          f"{k.min.eval()}, \"{k.max.text}\", \"{k.reset.text}\"}},")
    w("};")
    w("// The row of a scalar key; nullptr for an array key or an unknown key.")
    w(f"constexpr const CfgKeyInfo* {nm('cfg_key_info')}(uint32_t key) {{")
    w("  for (const CfgKeyInfo& k : kCfgKeys) {")
    w("    if (k.key == key) return &k;")
    w("  }")
    w("  return nullptr;")
    w("}")

    def in_array(a):
        return f"(key >= 0x{a.key:02X} && key <= 0x{a.key + a.count - 1:02X})"

    w("// Is key a configuration key (else E_BAD_KEY)?")
    arr = " || ".join(in_array(a) for a in d.cfg_arrays)
    w(f"constexpr bool {nm('cfg_key_known')}(uint32_t key) {{")
    w(f"  return cfg_key_info(key) != nullptr{' || ' + arr if arr else ''};")
    w("}")
    ix_params = d.params_used([a.valid_index for a in d.cfg_arrays])
    w("// For a known key: are its array indices in range (else E_BAD_NODE)?")
    w("template <class P>")
    w(f"constexpr bool {nm('cfg_index_ok')}(uint32_t key, const P& p) {{")
    if not ix_params:
        w("  (void)p;")
    for a in d.cfg_arrays:
        w(f"  if {in_array(a)} {{")
        w(f"    const uint32_t rel = key - 0x{a.key:02X};")
        for ix, (lsb, wd) in zip(a.index, a.index_bits()):
            w(f"    const uint32_t {ix} = (rel >> {lsb}) & 0x{(1 << wd) - 1:X};")
        names = {p["name"]: f"int64_t{{p.{p['cpp']}}}" for p in ix_params}
        names.update({ix: f"int64_t{{{ix}}}" for ix in a.index})
        w(f"    return {a.valid_index.render(names, cpp_lit, '&&', '||')};")
        w("  }")
    w("  return true;")
    w("}")
    rv_params = d.params_used([k.max for k in d.cfg_keys] + [k.reset for k in d.cfg_keys])
    names = {p["name"]: f"int64_t{{p.{p['cpp']}}}" for p in rv_params}
    w("// Largest valid value of a known key (as a signed number); 0 for an unknown key.")
    w("template <class P>")
    w(f"constexpr int64_t {nm('cfg_max')}(uint32_t key, const P& p) {{")
    if not rv_params:
        w("  (void)p;")
    w("  switch (key) {")
    for k in d.cfg_keys:
        w(f"    case 0x{k.key:02X}: return {k.max.render(names, cpp_lit, '&&', '||') if not k.max.is_const else k.max.eval()};")
    w("    default: break;")
    w("  }")
    for a in d.cfg_arrays:
        w(f"  if {in_array(a)} return {a.max};")
    w("  return 0;")
    w("}")
    w("// Smallest valid value of a known key; 0 for an unknown key.")
    w(f"constexpr int64_t {nm('cfg_min')}(uint32_t key) {{")
    w("  if (const CfgKeyInfo* k = cfg_key_info(key)) return k->min;")
    for a in d.cfg_arrays:
        w(f"  if {in_array(a)} return {a.min};")
    w("  return 0;")
    w("}")
    w("// Reset value of a known key as the register reads it (a signed key is")
    w("// sign-extended to 32 bits); 0 for an unknown key.")
    w("template <class P>")
    w(f"constexpr uint32_t {nm('cfg_reset')}(uint32_t key, const P& p) {{")
    if not rv_params:
        w("  (void)p;")
    w("  switch (key) {")
    for k in d.cfg_keys:
        v = (f"0x{k.reset.eval() & 0xFFFFFFFF:08X}" if k.reset.is_const
             else f"static_cast<uint32_t>({k.reset.render(names, cpp_lit, '&&', '||')})")
        w(f"    case 0x{k.key:02X}: return {v};")
    w("    default: break;")
    w("  }")
    for a in d.cfg_arrays:
        w(f"  if {in_array(a)} {{")
        w(f"    const uint32_t rel = key - 0x{a.key:02X};")
        args = []
        for ix, (lsb, wd) in zip(a.index, a.index_bits()):
            args.append(f"(rel >> {lsb}) & 0x{(1 << wd) - 1:X}")
        w(f"    return cfg_{a.name.lower()}_reset({', '.join(args)});")
        w("  }")
    w("  return 0;")
    w("}")
    w("// For a known key: is the 32-bit register value valid? In range, with no")
    w("// bits above the key's width except the sign extension of a signed key")
    w("// (else E_BAD_ARG).")
    w("template <class P>")
    w(f"constexpr bool {nm('cfg_value_ok')}(uint32_t key, uint32_t value, const P& p) {{")
    w("  if (!cfg_key_known(key)) return false;")
    w("  const CfgKeyInfo* k = cfg_key_info(key);")
    w("  const int64_t v = (k != nullptr && k->is_signed) ? int64_t{static_cast<int32_t>(value)}")
    w("                                                   : int64_t{value};")
    w("  return v >= cfg_min(key) && v <= cfg_max(key, p);")
    w("}")

    # The table the golden model and the driver take their configuration
    # resets and range checks from (issue 12: no value written twice).
    w("")
    w("// ---- the configuration as tables: what the golden model and the driver take")
    w("// their reset values and CONFIG checks from. P is EngineParams or vshard::Params;")
    w("// max and reset are functions of it (constants for most keys). reset is the")
    w("// key's value as a number (signed keys may be negative); the register reads it")
    w("// as cfg_reset_value().")
    w("template <class P>")
    w("struct CfgKeyDef {")
    w("  uint16_t key;")
    w("  const char* name;")
    w("  uint8_t width;")
    w("  bool is_signed;")
    w("  int64_t min;")
    w("  int64_t (*max)(const P&);")
    w("  int64_t (*reset)(const P&);")
    w("};")
    nm("CfgKeyDef")
    pn = {p["name"]: f"int64_t{{p.{p['cpp']}}}" for p in d.params}

    def lam(f):
        if f.is_const:
            return f"[](const P&) -> int64_t {{ return {f.eval()}; }}"
        return f"[](const P& p) -> int64_t {{ return {f.render(pn, cpp_lit, '&&', '||')}; }}"

    w("template <class P>")
    w(f"inline constexpr CfgKeyDef<P> {nm('kCfgKeyDefs')}[] = {{")
    for k in sorted(d.cfg_keys, key=lambda k: k.key):
        w(f"    {{0x{k.key:02X}, \"{k.name}\", {k.width}, {'true' if k.signed else 'false'}, {k.min.eval()},")
        w(f"     {lam(k.max)},{'' if k.max.is_const else '  // ' + k.max.text}")
        w(f"     {lam(k.reset)}}},{'' if k.reset.is_const else '  // ' + k.reset.text}")
    w("};")
    w("// Arrays: element keys key .. key + count - 1; which indices exist for the")
    w("// parameters is cfg_index_ok().")
    w("struct CfgArrayDef {")
    w("  uint16_t key;")
    w("  const char* name;")
    w("  uint32_t count;")
    w("  uint8_t width;")
    w("  int64_t min;")
    w("  int64_t max;")
    w("  uint32_t (*reset)(uint32_t rel);  // reset of the element at key + rel")
    w("};")
    nm("CfgArrayDef")
    w(f"inline constexpr CfgArrayDef {nm('kCfgArrayDefs')}[] = {{")
    for a in d.cfg_arrays:
        args = ", ".join(f"(rel >> {lsb}) & 0x{(1 << wd) - 1:X}" for lsb, wd in a.index_bits())
        w(f"    {{0x{a.key:02X}, \"{a.name}\", {a.count}, {a.width}, {a.min}, {a.max},")
        w(f"     [](uint32_t rel) -> uint32_t {{ return cfg_{a.name.lower()}_reset({args}); }}}},")
    w("};")
    w("// The table row of a scalar key; nullptr for an array key or an unknown key.")
    w("template <class P>")
    w(f"constexpr const CfgKeyDef<P>* {nm('cfg_key_def')}(uint32_t key) {{")
    w("  for (const CfgKeyDef<P>& k : kCfgKeyDefs<P>) {")
    w("    if (k.key == key) return &k;")
    w("  }")
    w("  return nullptr;")
    w("}")
    w("// Reset value of a key as the register reads it (signed keys sign-extended")
    w("// to 32 bits); 0 for an unknown key.")
    w("template <class P>")
    w(f"constexpr uint32_t {nm('cfg_reset_value')}(uint16_t key, const P& p) {{")
    w("  if (const CfgKeyDef<P>* k = cfg_key_def<P>(key)) return static_cast<uint32_t>(k->reset(p));")
    w("  for (const CfgArrayDef& a : kCfgArrayDefs) {")
    w("    if (key >= a.key && uint32_t{key} - a.key < a.count) return a.reset(uint32_t{key} - a.key);")
    w("  }")
    w("  return 0;")
    w("}")
    w("// The CONFIG checks of spec section 5 in their order, as vs_cfg_check does")
    w("// them: kErrBadKey (unknown key), kErrBadNode (array index >= its bound),")
    w("// kErrBadArg (value out of range, or bits above the width other than a signed")
    w("// key's sign extension), else kErrNone.")
    w("template <class P>")
    w(f"constexpr uint8_t {nm('cfg_check')}(uint16_t key, uint32_t value, const P& p) {{")
    w("  if (const CfgKeyDef<P>* k = cfg_key_def<P>(key)) {")
    w("    const int64_t v = k->is_signed ? int64_t{static_cast<int32_t>(value)} : int64_t{value};")
    w("    return v >= k->min && v <= k->max(p) ? kErrNone : kErrBadArg;")
    w("  }")
    w("  for (const CfgArrayDef& a : kCfgArrayDefs) {")
    w("    if (key >= a.key && uint32_t{key} - a.key < a.count) {")
    w("      if (!cfg_index_ok(key, p)) return kErrBadNode;")
    w("      return int64_t{value} >= a.min && int64_t{value} <= a.max ? kErrNone : kErrBadArg;")
    w("    }")
    w("  }")
    w("  return kErrBadKey;")
    w("}")
    w("")
    w("}  // namespace vshard::regs")
    w("")
    return "\n".join(o)


def md_escape(s):
    return s.replace("|", "\\|")


def gen_md(d):
    o = []
    w = o.append
    w("# vShard registers")
    w("")
    w(f"<!-- {HEADER_NOTE.replace(chr(10), ' ')} -->")
    w("")
    w(f"Generated from `regs/vshard_regs.json` by `scripts/gen_regs.py`; the same description")
    w("generates `rtl/vs_regs_pkg.sv` (package `vs_regs_pkg`) and `include/vshard/regs.h`")
    w(f"(namespace `vshard::regs`). Engine contract: `docs/spec.md` v{d.major}.{d.minor}.")
    w("")
    w(f"The register file is 32-bit words on an AXI4-Lite slave with a {d.addr_bits}-bit byte address.")
    w("Access: `RO` read-only (writes ignored), `RW` read/write, `W1C` write 1 to clear,")
    w("`WO` write-only (reads 0). Offsets not listed read 0 and ignore writes. Reset values that")
    w("depend on the engine parameters are given as formulas.")
    w("")
    w("## Engine parameters")
    w("")
    w("| parameter | range | " + " | ".join(f"`{c}`" for c, _ in d.configs) + " | meaning |")
    w("|---|---|" + "---|" * len(d.configs) + "---|")
    for p in d.params:
        w(f"| `{p['name']}` | {p['min']}..{p['max']} | "
          + " | ".join(str(v[p['name']]) for _, v in d.configs) + f" | {md_escape(p['doc'])} |")
    w("")
    w("## Register map")
    w("")
    w("| offset | name | access | reset | description |")
    w("|---|---|---|---|---|")

    def reset_text(r):
        if r.reset_is_const:
            return f"`0x{r.reset_value({}):08X}`"
        parts = [f"{f.name}={f.reset.text}" if not r.single_value else f.reset.text
                 for f in r.fields if not (f.reset.is_const and f.reset.eval() == 0)]
        return "`" + ", ".join(parts) + "`" if parts else "`0x00000000`"

    for bname, bdoc, regs in d.blocks:
        for r in regs:
            off = f"`0x{r.offset:03X}`"
            name = f"`{r.name}`"
            if r.dims:
                off = f"`0x{r.offset:03X}` + " + " + ".join(f"{s}·{ix}" for ix, s in zip(r.index, r.strides))
                name = f"`{r.name}[{']['.join(r.index)}]`, {'×'.join(str(x) for x in r.dims)}"
            w(f"| {off} | {name} | {r.access} | {reset_text(r)} | {md_escape(r.doc)} |")
        if bname == "counters":
            w(f"| `0x{d.cfg_base:03X}` + {d.cfg_stride}·k | `CFG[k]` | RW | see below | "
              f"configuration key k (section [Configuration](#configuration)) |")
    w("")
    for bname, bdoc, regs in d.blocks:
        w(f"## {bname.capitalize()}")
        w("")
        w(md_escape(bdoc))
        w("")
        for r in regs:
            if r.single_value:
                continue
            w(f"### `{r.name}` (`0x{r.offset:03X}`{', array' if r.dims else ''})")
            w("")
            w("| bits | field | access | reset | description |")
            w("|---|---|---|---|---|")
            for f in r.fields:
                doc = md_escape(f.doc) + (f" (enum `{f.enum}`)" if f.enum else "")
                w(f"| {f.bits} | `{f.name}` | {f.access} | `{f.reset.text}` | {doc} |")
            w("")
    w("## Configuration")
    w("")
    w(md_escape(d.cfg_doc))
    w("")
    w("| key | offset | name | width | valid values | reset | used in |")
    w("|---|---|---|---|---|---|---|")
    for k in d.cfg_keys:
        width = f"{k.width} signed" if k.signed else str(k.width)
        w(f"| `0x{k.key:02X}` | `0x{d.cfg_offset(k.key):03X}` | `{k.name}` | {width} | "
          f"{k.min.text}..{k.max.text} | `{k.reset.text}` | {md_escape(k.doc)} |")
    for a in d.cfg_arrays:
        term = lambda s, ix: ix if s == 1 else f"{s}·{ix}"  # noqa: E731
        key = f"`0x{a.key:02X}` + " + " + ".join(term(s, ix) for ix, s in zip(a.index, a.strides()))
        off = f"`0x{d.cfg_offset(a.key):03X}` + " + " + ".join(
            term(s * d.cfg_stride, ix) for ix, s in zip(a.index, a.strides()))
        w(f"| {key} | {off} | `{a.name}[{']['.join(a.index)}]` | {a.width} | {a.min}..{a.max} | "
          f"`{a.reset.text}` | {md_escape(a.doc)}; valid when `{a.valid_index.text}` |")
    w("")
    w("Reset values for the named configurations:")
    w("")
    w("| key | " + " | ".join(f"`{c}`" for c, _ in d.configs) + " |")
    w("|---|" + "---|" * len(d.configs))
    for k in d.cfg_keys:
        if not (k.reset.is_const and k.max.is_const):
            w(f"| `{k.name}` reset | " + " | ".join(str(k.reset.eval(v)) for _, v in d.configs) + " |")
            if not k.max.is_const:
                w(f"| `{k.name}` max | " + " | ".join(str(k.max.eval(v)) for _, v in d.configs) + " |")
    w("")
    w("## Descriptors")
    w("")
    w(md_escape(d.desc_doc))
    w("")
    w("| bits | field | description |")
    w("|---|---|---|")
    for name, lsb, width, doc in d.desc_fields:
        w(f"| {lsb + width - 1}:{lsb} | `{name}` | {md_escape(doc)} |")
    w("")
    w("Flag bits (within the `FLAGS` byte):")
    w("")
    w("| name | bits | description |")
    w("|---|---|---|")
    for name, bit, width, doc in d.flags:
        bits = f"{bit + width - 1}:{bit}" if width > 1 else str(bit)
        w(f"| `{name}` | {bits} | {md_escape(doc)} |")
    w("")
    w("## Enums")
    w("")
    w("In SystemVerilog each enum is `vs_regs_pkg::<name>_e` with members `<PREFIX>_<NAME>`;")
    w("in C++ the members are `vshard::regs::k<Prefix><Name>` (prefix in CamelCase; `Err` for")
    w("`err_code`) and `k<Name>Entries` lists them with their names.")
    for e in d.enums.values():
        w("")
        w(f"### `{e.name}` ({e.width} bits): {md_escape(e.doc)}")
        w("")
        w("| value | name | meaning |")
        w("|---|---|---|")
        for vn, vv, vdoc in e.values:
            w(f"| `0x{vv:02X}` | `{e.prefix}_{vn}` | {md_escape(vdoc)} |")
    w("")
    return "\n".join(o)


# ---------------------------------------------------------------- main


def generate(desc, out_dir):
    # First: the package's signed value check also needs a constant max (it
    # raised KeyError on a formula before this check existed).
    rtl_cfg_check_desc(desc)
    texts = {OUTPUTS[0]: gen_sv(desc), OUTPUTS[1]: gen_cpp(desc), OUTPUTS[2]: gen_md(desc),
             OUTPUTS[3]: gen_sv_cfg_check(desc), OUTPUTS[4]: gen_sv_cfg_regs(desc)}
    for rel, text in texts.items():
        path = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != text:  # keep timestamps of unchanged files (no needless rebuilds)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    return texts


@functools.lru_cache(maxsize=None)
def arg_parser():
    """The command line (built once: the fuzzer calls main() in-process many times)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", default=DEFAULT_JSON, help="register description (default: %(default)s)")
    ap.add_argument("--out-dir", default=REPO, help="root the outputs are written under (default: the repo)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and exit 1 if a file under --out-dir differs")
    return ap


def main(argv=None):
    args = arg_parser().parse_args(argv)
    try:
        desc = Desc(args.json)
        if not args.check:
            generate(desc, args.out_dir)
            for rel in OUTPUTS:
                print(f"gen_regs: wrote {os.path.join(args.out_dir, rel)}")
            return 0
        with tempfile.TemporaryDirectory(prefix="gen_regs.") as tmp:
            texts = generate(desc, tmp)
        stale = []
        for rel, text in texts.items():
            path = os.path.join(args.out_dir, rel)
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() == text:
                        continue
                stale.append(f"{path} (differs from {os.path.relpath(args.json, REPO)})")
            except OSError:
                stale.append(f"{path} (missing)")
        if stale:
            print("gen_regs: stale generated files:", file=sys.stderr)
            for s in stale:
                print(f"  {s}", file=sys.stderr)
            fix = f"python3 {os.path.relpath(os.path.abspath(__file__), os.getcwd())}"
            if os.path.abspath(args.json) != DEFAULT_JSON:
                fix += f" --json {args.json}"
            if os.path.abspath(args.out_dir) != REPO:
                fix += f" --out-dir {args.out_dir}"
            print(f"gen_regs: fix with: {fix}", file=sys.stderr)
            return 1
        print(f"gen_regs: {len(texts)} generated files are up to date")
        return 0
    except RegsError as e:
        print(f"gen_regs: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
