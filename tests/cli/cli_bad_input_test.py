#!/usr/bin/env python3
"""Bad input at the edges of every `vshard` subcommand, end to end.

A table of command lines, each given one kind of bad input: a missing file,
an empty file, a directory, a binary blob, a huge file (a sparse 2 GiB file,
larger than every reader's limit), an unwritable output path, an unknown
flag, an out-of-range or malformed number, an unknown name. For each row the
command must

- exit non-zero, by itself (not killed by a signal, not by the time limit),
- print at most two non-empty lines on stderr (the error, and CLI11's
  "Run with --help" hint), the first naming the problem (a word the row
  lists: the file, the flag, the value),
- print no stack trace, no "terminate called", no sanitizer report,
- and leave no output file behind when it was refused.

Rows whose subcommand this build does not have (diff and bench engine need
Verilator) are reported as skipped; the rest must all be present.

usage: cli_bad_input_test.py VSHARD SCENARIO_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

TIME_LIMIT_S = 60
CRASH_MARKERS = ("terminate called", "Traceback", "Segmentation", "Aborted", "core dumped",
                 "AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:", "std::", "what():")

# Subcommands (as `vshard --help` lists them, with nested ones) every build has.
REQUIRED = {"replay", "gen", "info", "sim", "sweep", "serve", "keygen"}


def make_inputs(tmp):
    paths = {}
    paths["missing"] = os.path.join(tmp, "no-such-file")
    paths["empty"] = os.path.join(tmp, "empty")
    open(paths["empty"], "wb").close()
    paths["dir"] = os.path.join(tmp, "a-directory")
    os.mkdir(paths["dir"])
    paths["blob"] = os.path.join(tmp, "blob.bin")
    with open(paths["blob"], "wb") as f:
        f.write(bytes((i * 131 + 17) % 256 for i in range(4096)))
    paths["huge"] = os.path.join(tmp, "huge")
    with open(paths["huge"], "wb") as f:
        f.truncate(2 << 30)  # sparse: no disk space used
    # Key files must be mode 0600 to get past the mode check to the parser.
    for k in ("empty", "blob", "huge"):
        os.chmod(paths[k], 0o600)
    paths["unwritable"] = os.path.join(tmp, "no-such-dir", "out")
    return paths


def rows(scenario, serve_key):
    """(subcommand, argv, words the first error line must contain (any of))."""
    r = []
    files = ("missing", "empty", "dir", "blob", "huge")
    for kind in files:
        r.append(("replay", ["replay", "{%s}" % kind], ["{%s}" % kind]))
        r.append(("sim", ["sim", "{%s}" % kind], ["{%s}" % kind]))
        r.append(("sweep", ["sweep", "merge", "{%s}" % kind], ["{%s}" % kind]))
        r.append(("sweep", ["sweep", "plan", "--seeds", "2", "{%s}" % kind], ["{%s}" % kind]))
        r.append(("diff", ["diff", "--replay", "{%s}" % kind, "--out", "{tmp}/diff-out"], ["{%s}" % kind]))
        r.append(("serve", ["serve", "--listen", "udp://127.0.0.1:0", "--key-file", "{%s}" % kind],
                  ["{%s}" % kind]))
    # The replay log is text without parameters and a '# params' line out of range.
    r += [
        ("gen", ["gen", "--out", "{unwritable}"], ["{unwritable}"]),
        ("keygen", ["keygen", "7", "{unwritable}"], ["{unwritable}"]),
        ("sim", ["sim", scenario, "--policy", "fifo", "--duration-ms", "1", "--json", "{blob}/out"],
         ["{blob}"]),
        ("sim", ["sim", scenario, "--policy", "fifo", "--duration-ms", "1", "--json", "{dir}"], ["{dir}"]),
        ("sim", ["sim", scenario, "--policy", "fifo", "--duration-ms", "1", "--out", "{blob}"], ["{blob}"]),
        # unknown flags
        ("replay", ["replay", "--no-such-flag", "x"], ["--no-such-flag"]),
        ("gen", ["gen", "--out", "{tmp}/g0", "--no-such-flag"], ["--no-such-flag"]),
        ("info", ["info", "--no-such-flag"], ["--no-such-flag"]),
        ("sim", ["sim", scenario, "--no-such-flag"], ["--no-such-flag"]),
        ("sweep", ["sweep", "plan", "--seeds", "2", scenario, "--no-such-flag"], ["--no-such-flag"]),
        ("sweep", ["sweep", "merge", "{empty}", "--no-such-flag"], ["--no-such-flag"]),
        ("serve", ["serve", "--listen", "shm://x", "--no-such-flag"], ["--no-such-flag"]),
        ("keygen", ["keygen", "1", "{tmp}/k2", "--no-such-flag"], ["--no-such-flag"]),
        ("diff", ["diff", "--no-such-flag"], ["--no-such-flag"]),
        ("bench", ["bench", "engine", "--no-such-flag"], ["--no-such-flag"]),
        ("bench", ["bench", "offload", "--no-such-flag"], ["--no-such-flag"]),
        (None, ["no-such-command"], ["no-such-command"]),
        # out-of-range and malformed numbers
        ("gen", ["gen", "--out", "{tmp}/g1", "--events", "-1"], ["--events", "-1"]),
        ("gen", ["gen", "--out", "{tmp}/g2", "--events", "99999999999999999999999"], ["--events", "9999"]),
        ("gen", ["gen", "--out", "{tmp}/g3", "--events", "12abc"], ["--events", "12abc"]),
        ("gen", ["gen", "--out", "{tmp}/g4", "--bad-fraction", "2"], ["--bad-fraction", "2"]),
        ("gen", ["gen", "--out", "{tmp}/g5", "--config-fraction", "-0.5"], ["--config-fraction", "-0.5"]),
        ("gen", ["gen", "--out", "{tmp}/g6", "--events", "2000000000"], ["--events", "2000000000"]),
        ("keygen", ["keygen", "0", "{tmp}/k0"], ["host_id", "0"]),
        ("keygen", ["keygen", "4294967296", "{tmp}/k1"], ["host_id", "4294967296"]),
        ("sim", ["sim", scenario, "--seeds", "0"], ["--seeds", "0"]),
        ("sim", ["sim", scenario, "--seeds", "-3"], ["--seeds", "-3"]),
        ("sim", ["sim", scenario, "--jobs", "0"], ["--jobs", "0"]),
        ("sim", ["sim", scenario, "--duration-ms", "-5"], ["--duration-ms", "-5"]),
        ("sim", ["sim", scenario, "--duration-ms", "nan"], ["--duration-ms", "nan"]),
        ("sim", ["sim", scenario, "--duration-ms", "1e300"], ["--duration-ms", "1e300"]),
        ("sim", ["sim", scenario, "--engine-config", "SHARD_ENABLE=99999999999"], ["SHARD_ENABLE"]),
        ("sim", ["sim", scenario, "--engine-config", "NO_SUCH_REGISTER=1"], ["NO_SUCH_REGISTER"]),
        ("sim", ["sim", scenario, "--policy", "no-such-policy"], ["no-such-policy"]),
        ("sim", ["sim", scenario, "--engine", "no-such-engine"], ["no-such-engine"]),
        ("sweep", ["sweep", "plan", "--seeds", "0", scenario], ["--seeds", "0"]),
        ("serve", ["serve", "--listen", "tcp://127.0.0.1:1"], ["tcp://"]),
        ("serve", ["serve", "--listen", "udp://127.0.0.1:99999", "--key-file", serve_key], ["99999"]),
        ("serve", ["serve", "--listen", "udp://no-such-host.invalid:7878", "--key-file", serve_key],
         ["no-such-host.invalid"]),
        ("serve", ["serve", "--listen", "shm://x", "--busy-poll-us", "-1"], ["--busy-poll-us", "-1"]),
        ("serve", ["serve", "--listen", "shm://x", "--engine", "no-such-engine"], ["no-such-engine"]),
        ("info", ["info", "no-such-engine"], ["no-such-engine"]),
        ("info", ["info", "model?config=xxl"], ["xxl"]),
        ("info", ["info", "model?no-such-key=1"], ["no-such-key"]),
        ("info", ["info", "verilator?config=max"], ["max"]),
        ("info", ["info", "udp://127.0.0.1:7878"], ["key"]),
        ("diff", ["diff", "--config", "xxl"], ["xxl"]),
        ("diff", ["diff", "--events", "-4"], ["--events", "-4"]),
        ("diff", ["diff", "--stall-prob", "1.5"], ["--stall-prob", "1.5"]),
        ("bench", ["bench", "engine", "--config", "xxl"], ["xxl"]),
        ("bench", ["bench", "engine", "--events", "0"], ["--events", "0"]),
        ("bench", ["bench", "engine", "--events", "10", "--json", "{blob}/out"], ["{blob}"]),
        ("bench", ["bench", "offload", "--samples", "0"], ["--samples", "0"]),
        ("bench", ["bench", "offload", "--scenario", "{missing}"], ["{missing}"]),
        ("replay", ["replay", "--config", "xxl", "{empty}"], ["xxl"]),
    ]
    return r


def subcommands(vshard):
    out = subprocess.run([vshard, "--help"], capture_output=True, text=True, timeout=30).stdout
    have = set()
    in_sub = False
    for line in out.splitlines():
        if line.startswith("Subcommands:"):
            in_sub = True
            continue
        if in_sub:
            m = re.match(r"\s{2}(\S+)\s", line)
            if m:
                have.add(m.group(1))
    return have


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    vshard, scenario_dir = sys.argv[1], sys.argv[2]
    scenario = os.path.join(scenario_dir, "demo-small.toml")
    have = subcommands(vshard)
    missing_required = REQUIRED - have
    if missing_required:
        print(f"FAIL: vshard lacks the subcommands {sorted(missing_required)}")
        return 1
    failures = []
    ran = skipped = 0
    with tempfile.TemporaryDirectory(prefix="vshard-badin-") as tmp:
        paths = make_inputs(tmp)
        paths["tmp"] = tmp
        serve_key = os.path.join(tmp, "serve.key")
        subprocess.run([vshard, "keygen", "1", serve_key], check=True, capture_output=True, timeout=30)
        for sub, argv, words in rows(scenario, serve_key):
            if sub is not None and sub not in have:
                skipped += 1
                print(f"skip (no '{sub}' in this build): vshard {' '.join(argv)}")
                continue
            argv = [a.format(**paths) for a in argv]
            words = [w.format(**paths) for w in words]
            before = set(os.listdir(tmp))
            label = "vshard " + " ".join(argv)
            try:
                p = subprocess.run([vshard, *argv], capture_output=True, text=True, errors="replace",
                                   timeout=TIME_LIMIT_S, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                failures.append(f"{label}: still running after {TIME_LIMIT_S} s")
                continue
            ran += 1
            err_lines = [l for l in p.stderr.splitlines() if l.strip()]
            problems = []
            if p.returncode == 0:
                problems.append("exit 0")
            elif p.returncode < 0 or p.returncode >= 128:
                problems.append(f"killed or crashed (exit {p.returncode})")
            if not err_lines:
                problems.append("nothing on stderr")
            elif len(err_lines) > 2:
                problems.append(f"{len(err_lines)} lines on stderr")
            elif not any(w in err_lines[0] for w in words):
                problems.append(f"the error does not name {words}")
            for m in CRASH_MARKERS:
                if m in p.stderr:
                    problems.append(f"'{m}' on stderr")
            new = set(os.listdir(tmp)) - before
            if new:
                problems.append(f"left {sorted(new)} behind")
            status = "ok  " if not problems else "FAIL"
            print(f"{status} {label}\n     -> exit {p.returncode}: {err_lines[0] if err_lines else ''}")
            if problems:
                failures.append(f"{label}: {'; '.join(problems)}\n  stderr: {p.stderr.strip()[:600]}")
    print(f"\n{ran} rows run, {skipped} skipped, {len(failures)} failed")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
