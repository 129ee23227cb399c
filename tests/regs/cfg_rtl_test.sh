#!/usr/bin/env bash
# The generated configuration RTL (rtl/vs_cfg_regs.sv, rtl/vs_cfg_check.sv)
# in each named configuration of regs/vshard_regs.json (small, large, max):
#   1. Verilator -Wall builds tests/regs/vs_cfg_probe.sv (both modules) with
#      cfg_rtl_tb.cc: any lint warning fails the build; the testbench then
#      checks resets, writes, soft reset and the CONFIG checks against the
#      generated C++ tables of include/vshard/regs.h;
#   2. Yosys reads both modules with the configuration's parameters
#      (read_verilog -sv; hierarchy; proc; opt): any warning fails.
# usage: tests/regs/cfg_rtl_test.sh [WORK_DIR]   (default: a new temporary directory)
# exit 0 clean, 1 a check or a warning, 2 a tool is missing
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-}"
if [[ -z "$work" ]]; then
  work="$(mktemp -d /tmp/vshard-cfg-rtl.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
for tool in verilator yosys python3; do
  command -v "$tool" >/dev/null || { echo "cfg_rtl_test: $tool not found; run scripts/install-deps" >&2; exit 2; }
done
export OBJCACHE="${OBJCACHE:-$(command -v ccache || true)}"

sv=("$root/rtl/vs_regs_pkg.sv" "$root/rtl/vs_pkg.sv" "$root/rtl/vs_cfg_check.sv" "$root/rtl/vs_cfg_regs.sv")
# name NCores NNodes MaxShards, one line per named configuration
configs="$(python3 -c '
import json, sys
for c in json.load(open(sys.argv[1]))["configs"]:
    print(c["name"], c["NCores"], c["NNodes"], c["MaxShards"])' "$root/regs/vshard_regs.json")"

status=0
while read -r name ncores nnodes maxshards; do
  echo "== $name: NCores=$ncores NNodes=$nnodes MaxShards=$maxshards"
  dir="$work/$name"
  if ! nice verilator --cc --exe --build -Wall -j 2 --top-module vs_cfg_probe -Mdir "$dir" \
      -GNCores="$ncores" -GNNodes="$nnodes" -GMaxShards="$maxshards" \
      -CFLAGS "-std=c++20 -O1 -I$root/include" \
      "${sv[@]}" "$root/tests/regs/vs_cfg_probe.sv" "$root/tests/regs/cfg_rtl_tb.cc" >"$dir.build.log" 2>&1; then
    echo "cfg_rtl_test: $name: Verilator build failed (lint warnings are errors); log $dir.build.log:" >&2
    grep -E "%(Warning|Error)" "$dir.build.log" >&2 || tail -30 "$dir.build.log" >&2
    status=1
    continue
  fi
  "$dir/Vvs_cfg_probe" || status=1
  for top in vs_cfg_regs vs_cfg_check; do
    log="$work/$name.yosys.$top.log"
    if ! yosys -p "read_verilog -sv ${sv[*]}; chparam -set NCores $ncores -set NNodes $nnodes -set MaxShards $maxshards $top; hierarchy -top $top; proc; opt" >"$log" 2>&1; then
      echo "cfg_rtl_test: $name: yosys failed on $top; log $log" >&2
      tail -20 "$log" >&2
      status=1
    elif grep -qi "warning" "$log"; then
      echo "cfg_rtl_test: $name: yosys warnings on $top:" >&2
      grep -i "warning" "$log" >&2
      status=1
    else
      echo "yosys $top: no warnings"
    fi
  done
done <<<"$configs"
exit $status
