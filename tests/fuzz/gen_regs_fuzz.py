#!/usr/bin/env python3
"""Mutation fuzzer of scripts/gen_regs.py's JSON input (Python standard library only).

The register generator is Python, so libFuzzer does not apply; this feeds it
mutations of the seed descriptions in --corpus: byte edits of the JSON text
(flips, deletions, duplications, JSON punctuation, deep nesting, truncation)
and edits of the parsed structure (a value replaced by one of another type,
an edge integer or a formula that divides by zero or does not parse; keys
dropped; list items duplicated or dropped). Each mutant runs through
gen_regs.main() in this process. Invariants:
  * the generator writes its three files and exits 0, or exits non-zero
    with exactly one line on stderr, "gen_regs: error: ...", and writes
    nothing under --out-dir;
  * it never raises (a traceback is a bug);
  * an accepted description checks clean against what it wrote (--check),
    and what it wrote has no control character but the line feed and no
    C++ line ending in a backslash (a doc that left its // comment).
A failing mutant is saved under --work/failures/ with its traceback, and
the exit status is 1. Each mutant and what the generator writes from it go
to a scratch directory in /dev/shm when the machine has one (file writes on
the build disk took half the time of a run), removed at the end. Seeded
(--seed): the same run replays.

SIGTERM or SIGINT ends a run after the mutant in flight, with the summary
line as at the end of a full run (a long campaign can be stopped and its
count kept); --progress S prints the count every S seconds meanwhile.

  gen_regs_fuzz.py [--seconds S | --runs N] [--seed N] [--corpus DIR] [--work DIR] [--progress S]
"""

import argparse
import contextlib
import hashlib
import importlib.util
import io
import json
import os
import pickle
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def load_gen_regs():
    spec = importlib.util.spec_from_file_location("gen_regs", os.path.join(REPO, "scripts", "gen_regs.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


EDGE_INTS = [0, 1, -1, 2, 3, 7, 8, 31, 32, 33, 255, 256, 4095, 4096, 65535, 65536, 2**31 - 1, 2**31,
             2**32 - 1, 2**32, 2**63, -2**63, 10**30]
FORMULAS = ["NCores", "NCores // 0", "floor(NCores / 0)", "floor(NCores / (NNodes - NNodes))", "min(1)",
            "max(NCores, NVcpus, 3)", "NCores ** 2", "NCores +", "(", "x", "i", "i * 4", "-NCores",
            "NCores if NNodes > 1 else -1", "1 and 0 or NCores", "1 < 2 < 3", "'a'", "1.5", "True",
            "9" * 5000, "1" + " + 1" * 400, "(" * 200 + "1" + ")" * 200, "__import__('os')", "lambda: 0",
            "NCores[0]", "f(x=1)", "floor(1)", "min(a=1, b=2)", "0x10", "0b101", "1_000"]
STRINGS = ["", "x", "RO", "RW", "W1C", "WO", "XX", "31:0", "0:31", "32:0", "7", "-1", "0x100", "0x1000",
           "abc", "A" * 300, "MaxShards", "\u00b5s", "\x00", "a b", "small", "31:16", "15:0"]
PUNCT = list('[]{}",:0123456789-x. \n\\')


def random_value(rng, depth=0):
    r = rng.random()
    if r < 0.3:
        return rng.choice(EDGE_INTS)
    if r < 0.5:
        return rng.choice(FORMULAS)
    if r < 0.7:
        return rng.choice(STRINGS)
    if r < 0.8:
        return rng.choice([True, False, None, 1.5, float("1e308")])
    if r < 0.9 or depth > 2:
        return [] if rng.random() < 0.5 else [random_value(rng, depth + 1)]
    return {} if rng.random() < 0.5 else {rng.choice(["name", "bits", "reset", "x"]): random_value(rng, depth + 1)}


def paths(obj, path=()):
    """The path (keys from the root) of every value in the structure."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append(path + (k,))
            out.extend(paths(v, path + (k,)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.append(path + (i,))
            out.extend(paths(v, path + (i,)))
    return out


def resolve(obj, path):
    """(container, key) of `path` in obj, or None if an earlier mutation removed it."""
    try:
        for k in path[:-1]:
            obj = obj[k]
        if isinstance(obj, (dict, list)):
            obj[path[-1]]
            return obj, path[-1]
    except (KeyError, IndexError, TypeError):
        pass
    return None


def mutate_structure(rng, seed):
    """seed: (pickled structure, the paths of its values), computed once per seed.

    The first edit picks one of the seed's values uniformly; a later edit of
    the same mutant picks again among the seed's paths that still resolve
    (after a deletion or an insertion they may point elsewhere, which is
    as good a pick), or among the mutant's own values when none does."""
    obj = pickle.loads(seed[0])
    for _ in range(rng.randint(1, 3)):
        picked = None
        for _ in range(4):
            if not seed[1]:
                break
            picked = resolve(obj, rng.choice(seed[1]))
            if picked:
                break
        if not picked:
            own = paths(obj)
            if not own:
                return json.dumps(random_value(rng))
            picked = resolve(obj, rng.choice(own))
        cont, key = picked
        r = rng.random()
        if r < 0.55:
            cont[key] = random_value(rng)
        elif r < 0.7:
            del cont[key]
        elif r < 0.8 and isinstance(cont, list):
            cont.insert(key, json.loads(json.dumps(cont[key])))
        elif r < 0.9 and isinstance(cont[key], int) and not isinstance(cont[key], bool):
            cont[key] = cont[key] + rng.choice([-1, 1, 2**32, -2**32])
        elif isinstance(cont, dict):
            cont[rng.choice(["doc", "extra", "name", "reset", "min", "max", "signed", "enum"])] = random_value(rng)
        else:
            cont[key] = random_value(rng)
    # Mostly compact (json's C encoder; the indented form is its Python one,
    # five times slower), indented now and then: the line and column of a
    # parse error are exercised by the byte edits of the indented seeds.
    return json.dumps(obj, indent=1 if rng.random() < 0.125 else None)


def mutate_bytes(rng, text):
    b = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 6)):
        if not b:
            b = bytearray(b"{")
        i = rng.randrange(len(b))
        r = rng.random()
        if r < 0.25:
            b[i] ^= 1 << rng.randrange(8)
        elif r < 0.45:
            del b[i:i + rng.randint(1, 64)]
        elif r < 0.6:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randint(1, 64)]
        elif r < 0.85:
            b[i:i] = rng.choice(PUNCT).encode()
        elif r < 0.9:
            n = rng.choice([100, 1000, 100000])
            b[i:i] = b"[" * n if rng.random() < 0.5 else b'{"a":' * n
        elif r < 0.95:
            b[i:i] = rng.choice([b"\xff", b"\xc3", b"\x00", "\u00b5".encode(), b"NaN", b"Infinity", b"1e999"])
        else:
            del b[i:]
    return bytes(b)


CONTROL = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]")


class Failure(Exception):
    pass


def run_one(gen, data, work):
    path = os.path.join(work, "input.json")
    out = os.path.join(work, "out")
    if not os.path.isdir(out) or os.listdir(out):  # an accepted input wrote there
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
    with open(path, "wb") as f:
        f.write(data)
    err, std = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
            rc = gen.main(["--json", path, "--out-dir", out])
    except BaseException:  # noqa: B902 -- anything escaping main() is a traceback for the user
        raise Failure("gen_regs raised:\n" + traceback.format_exc())
    written = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    if rc == 0:
        if sorted(written) != sorted(gen.OUTPUTS):
            raise Failure(f"exit 0 but wrote {written}")
        err2 = io.StringIO()
        try:
            with contextlib.redirect_stderr(err2), contextlib.redirect_stdout(io.StringIO()):
                rc2 = gen.main(["--check", "--json", path, "--out-dir", out])
        except BaseException:  # noqa: B902
            raise Failure("gen_regs --check raised:\n" + traceback.format_exc())
        if rc2 != 0:
            raise Failure("--check of what it just wrote fails:\n" + err2.getvalue())
        for rel in written:
            with open(os.path.join(out, rel), "rb") as f:
                text = f.read()
            bad = CONTROL.search(text)
            if bad:
                raise Failure(f"{rel}: control character {bad.group()!r} at byte {bad.start()}")
            if rel.endswith(".h") and re.search(rb"\\\n", text):
                raise Failure(f"{rel}: a line ends in a backslash")
        return True
    lines = err.getvalue().splitlines()
    if len(lines) != 1 or not lines[0].startswith("gen_regs: error: "):
        raise Failure(f"exit {rc} with stderr not one 'gen_regs: error:' line:\n" + err.getvalue()[:2000])
    if written:
        raise Failure(f"exit {rc} (rejected) but wrote {written}")
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, help="stop after this long")
    ap.add_argument("--runs", type=int, help="stop after this many mutants")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus", "gen_regs"))
    ap.add_argument("--work", default=os.path.join(REPO, "build", "fuzz-gen_regs"))
    ap.add_argument("--progress", type=float, default=0, help="print the count every this many seconds")
    args = ap.parse_args()
    if args.seconds is None and args.runs is None:
        args.seconds = 5
    os.makedirs(args.work, exist_ok=True)
    # Deep JSON nesting must meet the interpreter's usual recursion limit.
    sys.setrecursionlimit(1000)
    gen = load_gen_regs()
    rng = random.Random(args.seed)
    seeds = []
    for name in sorted(os.listdir(args.corpus)):
        with open(os.path.join(args.corpus, name), "rb") as f:
            seeds.append(f.read())
    # Each seed parsed once: (pickled structure, its value paths), or None
    # for the seeds that are no (usable) JSON.
    parsed_seeds = []
    for base in seeds:
        try:
            parsed = json.loads(base)
            parsed_seeds.append((pickle.dumps(parsed), paths(parsed)))
        except (ValueError, RecursionError):
            parsed_seeds.append(None)
    if not seeds:
        print(f"gen_regs_fuzz: no seeds in {args.corpus}", file=sys.stderr)
        return 2
    shm = "/dev/shm"
    scratch = tempfile.mkdtemp(prefix="gen_regs_fuzz.",
                               dir=shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else args.work)
    try:
        return fuzz(args, gen, rng, seeds, parsed_seeds, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def fuzz(args, gen, rng, seeds, parsed_seeds, scratch):
    start = time.monotonic()
    runs = accepted = 0
    failures = []
    stopped = []  # the signal that asked the run to end
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: stopped.append(signal.Signals(signum).name))
    next_progress = start + args.progress
    # The seeds themselves first, then mutants.
    queue = list(seeds)
    while not stopped:
        if args.runs is not None and runs >= args.runs:
            break
        if args.progress and time.monotonic() >= next_progress:
            next_progress += args.progress
            print(f"gen_regs_fuzz: {runs} inputs in {time.monotonic() - start:.0f} s, {accepted} accepted, "
                  f"{len(failures)} failing", flush=True)
        if args.seconds is not None and time.monotonic() - start >= args.seconds:
            break
        if queue:
            data = queue.pop(0)
        else:
            i = rng.randrange(len(seeds))
            base, parsed = seeds[i], parsed_seeds[i]
            if parsed is not None and rng.random() < 0.6:
                data = mutate_structure(rng, parsed).encode("utf-8")
            else:
                data = mutate_bytes(rng, base.decode("utf-8", "replace"))
        runs += 1
        try:
            accepted += run_one(gen, data, scratch)
        except Failure as e:
            digest = hashlib.sha1(data).hexdigest()[:16]
            fdir = os.path.join(args.work, "failures")
            os.makedirs(fdir, exist_ok=True)
            with open(os.path.join(fdir, digest + ".json"), "wb") as f:
                f.write(data)
            with open(os.path.join(fdir, digest + ".txt"), "w") as f:
                f.write(str(e))
            if digest not in [d for d, _ in failures]:
                failures.append((digest, str(e)))
            if len(failures) >= 20:
                break
    elapsed = time.monotonic() - start
    print(f"gen_regs_fuzz: {runs} inputs in {elapsed:.1f} s ({runs / max(elapsed, 1e-9):.0f}/s), "
          f"{accepted} accepted, {len(failures)} failing (seed {args.seed})"
          + (f"; stopped by {stopped[0]}" if stopped else ""))
    for digest, why in failures:
        print(f"\nFAIL {os.path.join(args.work, 'failures', digest + '.json')}\n{why.strip()[-1500:]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
