#!/usr/bin/env bash
# One formal check with Yosys + yosys-smtbmc + z3 (no SymbiYosys):
#   read_verilog -sv -formal -DFORMAL -DSYNTHESIS (the RTL's own `assert ... else
#   $error` checks are simulation-only and not parsed by Yosys; `ifdef FORMAL
#   blocks are); chparam; prep -flatten -top; [--abstract]; async2sync;
#   write_smt2; yosys-smtbmc -s z3 --unroll [-i] -t DEPTH.
# usage: run_formal.sh -w WORKDIR -t TOP -m bmc|ind -d DEPTH [-p "NAME VAL ..."]
#                      [--abstract] [-x 'sed-expr' -X file-to-mutate] [--expect-fail] FILES...
# Modes:
#   bmc    the assertions hold in steps 0..DEPTH-1 from reset.
#   ind    k-induction with k = DEPTH, both halves: the base case (BMC of
#          DEPTH+1 steps from reset: the reset cycle plus k) and the induction
#          step (yosys-smtbmc -i: k consecutive states that satisfy the
#          assertions, none of them the initial state, are always followed by
#          one that does). Together: the assertions hold in every reachable state.
# --abstract: map memories to flops and cut every multiplier and shifter
#   output loose (Yosys `cutpoint`: a free value each cycle). An
#   over-approximation: assertions proved on it hold on the real design; a
#   failure may be spurious. Without it z3 spends minutes per step on the
#   engine's arithmetic, which the occupancy invariants do not depend on.
# --expect-fail inverts the result: the mutation test of a property file,
# showing that the properties can fail (in ind mode the induction step is
# run first, the base case only if the step holds). Without it, a failure's
# counterexample is written to WORKDIR/cex.vcd; a mutant's is not written.
set -euo pipefail
work="" top="" mode="bmc" depth=10 params="" mut_expr="" mut_file="" expect_fail=0 abstract=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -w) work="$2"; shift 2 ;;
    -t) top="$2"; shift 2 ;;
    -m) mode="$2"; shift 2 ;;
    -d) depth="$2"; shift 2 ;;
    -p) params="$2"; shift 2 ;;
    -x) mut_expr="$2"; shift 2 ;;
    -X) mut_file="$2"; shift 2 ;;
    --expect-fail) expect_fail=1; shift ;;
    --abstract) abstract=1; shift ;;
    *) break ;;
  esac
done
[[ -n "$work" && -n "$top" && $# -gt 0 ]] || { echo "run_formal.sh: need -w, -t and files" >&2; exit 2; }
case "$mode" in bmc|ind) ;; *) echo "run_formal.sh: unknown mode '$mode' (bmc or ind)" >&2; exit 2 ;; esac
[[ "$depth" =~ ^[0-9]+$ && "$depth" -ge 1 ]] || { echo "run_formal.sh: depth must be a positive integer, not '$depth'" >&2; exit 2; }
for tool in yosys yosys-smtbmc z3; do
  command -v "$tool" >/dev/null || { echo "run_formal.sh: $tool not found; run scripts/install-deps" >&2; exit 2; }
done
mkdir -p "$work"
files=()
for f in "$@"; do
  if [[ -n "$mut_file" && "$(basename "$f")" == "$(basename "$mut_file")" ]]; then
    sed -e "$mut_expr" "$f" > "$work/mutant_$(basename "$f")"
    cmp -s "$f" "$work/mutant_$(basename "$f")" && { echo "run_formal.sh: mutation '$mut_expr' changed nothing in $f" >&2; exit 2; }
    files+=("$work/mutant_$(basename "$f")")
  else
    files+=("$f")
  fi
done
chp=""
if [[ -n "$params" ]]; then
  set -- $params
  while [[ $# -gt 1 ]]; do chp+=" -set $1 $2"; shift 2; done
  chp="chparam$chp $top"
fi
abs_cmds=""
if [[ $abstract -eq 1 ]]; then
  abs_cmds='memory_map
opt -fast
cutpoint t:$mul t:$shl t:$shr t:$sshr t:$sshl
opt_clean'
fi
cat > "$work/model.ys" <<YS
read_verilog -sv -formal -DFORMAL -DSYNTHESIS ${files[*]}
$chp
prep -flatten -top $top
$abs_cmds
async2sync
dffunmap
write_smt2 -wires $work/model.smt2
YS
yosys -q -l "$work/yosys.log" "$work/model.ys" >/dev/null

# smtbmc LOG FLAGS...: run one yosys-smtbmc, print its last lines, echo its status word.
smtbmc() {
  local log="$1"; shift
  set +e
  yosys-smtbmc -s z3 --unroll "$@" "$work/model.smt2" > "$log" 2>&1
  local rc=$?
  set -e
  tail -n 3 "$log" | tr -d '\r' | sed 's/.*\r//' >&2
  local st
  st="$(grep -o 'Status: [A-Z]*' "$log" | tail -1 || true)"
  [[ $rc -eq 0 && "$st" == "Status: PASSED" ]] && echo PASSED || echo "FAILED(${st:-no status, rc $rc})"
}

# A mutant's counterexample is not kept: asking z3 for every wire at every
# step to write it took as long as finding it (45-100 s of the engine mutants).
dump=(--dump-vcd "$work/cex.vcd")
[[ $expect_fail -eq 1 ]] && dump=()
result=""
case "$mode" in
  bmc)   result="$(smtbmc "$work/smtbmc.log" -t "$depth" "${dump[@]}")" ;;
  ind)
    # A mutant fails either half; it tries the step first (the engine mutants
    # fail there) and the base case only if the step holds.
    halves=(base step)
    [[ $expect_fail -eq 1 ]] && halves=(step base)
    result=PASSED
    for half in "${halves[@]}"; do
      if [[ $half == base ]]; then
        r="$(smtbmc "$work/base.log" -t "$((depth + 1))" "${dump[@]}")"; where="in the base case"
      else
        r="$(smtbmc "$work/smtbmc.log" -i -t "$depth" "${dump[@]}")"; where="in the induction step"
      fi
      if [[ "$r" != PASSED ]]; then result="$r $where"; break; fi
    done ;;
esac
echo "run_formal.sh: $top $mode -t $depth: $result" >&2
if [[ $expect_fail -eq 1 ]]; then
  # Only a real counterexample counts, not a solver or tool error.
  if [[ "$result" == "FAILED(Status: FAILED)"* ]]; then echo "run_formal.sh: mutant caught (expected)"; exit 0; fi
  if [[ "$result" == PASSED ]]; then
    echo "run_formal.sh: the mutant was NOT caught: the properties are too weak" >&2; exit 1
  fi
  echo "run_formal.sh: the mutant run ended without a counterexample ($result): see $work/*.log" >&2; exit 1
fi
if [[ "$result" == PASSED ]]; then exit 0; fi
echo "run_formal.sh: counterexample in $work/cex.vcd" >&2
exit 1
