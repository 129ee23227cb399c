#!/usr/bin/env bash
# One formal check with Yosys + yosys-smtbmc + z3 (no SymbiYosys):
#   read_verilog -sv -formal -DSYNTHESIS (the RTL's own `assert ... else $error`
#   checks are simulation-only and not parsed by Yosys); chparam; prep -flatten -top; async2sync;
#   write_smt2; yosys-smtbmc -s z3 --unroll [-i] -t DEPTH.
# usage: run_formal.sh -w WORKDIR -t TOP -m bmc|ind -d DEPTH [-p "NAME VAL ..."]
#                      [-x 'sed-expr' -X file-to-mutate] [--expect-fail] FILES...
# --expect-fail inverts the result: the mutation test of a property file,
# showing that the properties can fail. On a failure the counterexample is
# written to WORKDIR/cex.vcd.
set -euo pipefail
work="" top="" mode="bmc" depth=10 params="" mut_expr="" mut_file="" expect_fail=0
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
    *) break ;;
  esac
done
[[ -n "$work" && -n "$top" && $# -gt 0 ]] || { echo "run_formal.sh: need -w, -t and files" >&2; exit 2; }
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
cat > "$work/model.ys" <<YS
read_verilog -sv -formal -DFORMAL -DSYNTHESIS ${files[*]}
$chp
prep -flatten -top $top
async2sync
dffunmap
write_smt2 -wires $work/model.smt2
YS
yosys -q -l "$work/yosys.log" "$work/model.ys" >/dev/null
flags=(-s z3 --unroll -t "$depth" --dump-vcd "$work/cex.vcd")
[[ "$mode" == "ind" ]] && flags+=(-i)
set +e
yosys-smtbmc "${flags[@]}" "$work/model.smt2" > "$work/smtbmc.log" 2>&1
rc=$?
set -e
tail -n 3 "$work/smtbmc.log" | tr -d '\r' | sed 's/.*\r//'
status="$(grep -o 'Status: [A-Z]*' "$work/smtbmc.log" | tail -1 || true)"
if [[ $expect_fail -eq 1 ]]; then
  if [[ "$status" == "Status: FAILED" ]]; then echo "run_formal.sh: mutant caught (expected)"; exit 0; fi
  echo "run_formal.sh: the mutant was NOT caught: the properties are too weak ($status)" >&2; exit 1
fi
if [[ $rc -eq 0 && "$status" == "Status: PASSED" ]]; then exit 0; fi
echo "run_formal.sh: $top $mode -t $depth: $status; counterexample in $work/cex.vcd" >&2
exit 1
