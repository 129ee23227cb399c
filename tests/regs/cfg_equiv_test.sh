#!/usr/bin/env bash
# Proves the generated configuration RTL bit-exact against the hand-written
# configuration logic it replaces in rtl/vs_top.sv (frozen in
# tests/regs/vs_cfg_handwritten.sv): vs_cfg_equiv's `ok` holds in every cycle
# after rst_ni (Yosys sat, k-induction), for the named configurations of
# regs/vshard_regs.json and two odd ones; and the generated vs_cfg_check is
# combinationally equivalent to the hand-written one of the same commit
# (a miter proved with sat; tests/regs/vs_cfg_check_handwritten.sv). Then a mutant of each generated module (one
# reset value, one range) must be refuted, so the proofs can fail.
# usage: tests/regs/cfg_equiv_test.sh [WORK_DIR]
# exit 0 proved, 1 a proof failed, 2 a tool is missing
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/tests/regs"
work="${1:-}"
if [[ -z "$work" ]]; then
  work="$(mktemp -d /tmp/vshard-cfg-equiv.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
command -v yosys >/dev/null || { echo "cfg_equiv_test: yosys not found; run scripts/install-deps" >&2; exit 2; }
command -v python3 >/dev/null || { echo "cfg_equiv_test: python3 not found" >&2; exit 2; }

git_old="$here/vs_cfg_check_handwritten.sv"

configs="$(python3 -c '
import json, sys
for c in json.load(open(sys.argv[1]))["configs"]:
    print(c["name"], c["NCores"], c["NNodes"], c["MaxShards"])
print("odd-1", 1, 1, 2)
print("odd-2", 7, 3, 3)' "$root/regs/vshard_regs.json")"

# prove NAME NCORES NNODES MAXSHARDS CHECK_SV REGS_SV: 0 when both proofs hold
prove() {
  local name="$1" nc="$2" nn="$3" ms="$4" check_sv="$5" regs_sv="$6" ok=0
  local p="chparam -set NCores $nc -set NNodes $nn -set MaxShards $ms"
  yosys -p "read_verilog -sv $root/rtl/vs_pkg.sv $git_old $check_sv; $p vs_cfg_check vs_cfg_check_handwritten;"\
" proc; opt; memory; opt; flatten;"\
" miter -equiv -make_assert -flatten vs_cfg_check_handwritten vs_cfg_check miter; hierarchy -top miter;"\
" sat -verify -prove-asserts miter" >"$work/$name.check.log" 2>&1 || ok=1
  yosys -p "read_verilog -sv $root/rtl/vs_regs_pkg.sv $root/rtl/vs_pkg.sv $check_sv $regs_sv"\
" $here/vs_cfg_handwritten.sv $here/vs_cfg_equiv.sv; $p vs_cfg_equiv; hierarchy -top vs_cfg_equiv;"\
" proc; flatten; memory; opt; async2sync;"\
" sat -tempinduct -prove ok 1 -set-at 1 rst_ni 0 -seq 1 -verify" >"$work/$name.regs.log" 2>&1 || ok=$((ok | 2))
  return $ok
}

status=0
while read -r name nc nn ms; do
  rc=0
  prove "$name" "$nc" "$nn" "$ms" "$root/rtl/vs_cfg_check.sv" "$root/rtl/vs_cfg_regs.sv" || rc=$?
  if [[ $rc -eq 0 ]]; then
    echo "$name ($nc/$nn/$ms): vs_cfg_check and vs_cfg_regs proved equal to the hand-written logic"
  else
    [[ $((rc & 1)) -ne 0 ]] && echo "cfg_equiv_test: $name: vs_cfg_check differs; log $work/$name.check.log" >&2
    [[ $((rc & 2)) -ne 0 ]] && echo "cfg_equiv_test: $name: vs_cfg_regs differs; log $work/$name.regs.log" >&2
    status=1
  fi
done <<<"$configs"

# Mutants (small configuration): each proof must catch its mutant.
sed "s/(value_i <= NCores32)/(value_i < NCores32)/" "$root/rtl/vs_cfg_check.sv" >"$work/mut_check.sv"
sed "s/ShardCreditRst = 8'd4;/ShardCreditRst = 8'd5;/" "$root/rtl/vs_cfg_regs.sv" >"$work/mut_regs.sv"
if cmp -s "$work/mut_check.sv" "$root/rtl/vs_cfg_check.sv" || cmp -s "$work/mut_regs.sv" "$root/rtl/vs_cfg_regs.sv"; then
  echo "cfg_equiv_test: a mutation did not apply (the generated text changed): update the sed patterns" >&2
  status=1
else
  rc=0
  prove mutant-check 8 2 4 "$work/mut_check.sv" "$root/rtl/vs_cfg_regs.sv" || rc=$?
  [[ $((rc & 1)) -ne 0 ]] || { echo "cfg_equiv_test: the vs_cfg_check mutant was not refuted" >&2; status=1; }
  rc=0
  prove mutant-regs 8 2 4 "$root/rtl/vs_cfg_check.sv" "$work/mut_regs.sv" || rc=$?
  [[ $((rc & 2)) -ne 0 ]] || { echo "cfg_equiv_test: the vs_cfg_regs mutant was not refuted" >&2; status=1; }
  [[ $status -ne 0 ]] || echo "mutants: both refuted"
fi
exit $status
