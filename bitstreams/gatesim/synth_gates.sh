#!/usr/bin/env bash
# Gate-level netlist of the vShard engine for simulation:
#   Yosys generic `synth -top vs_top -flatten` (internal gate cells $_AND_,
#   $_MUX_, $_DFF_PN0_, ... ; memories mapped to flops), `write_verilog -noattr`.
# The netlist is simulated with Yosys's own cell models (simcells.v).
# usage: synth_gates.sh OUT.v NCORES NVCPUS NNODES MAXSHARDS
set -euo pipefail
out="$1"; nc="$2"; nv="$3"; nn="$4"; ms="$5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
flist="$root/rtl/vshard.f"
[[ -f "$flist" ]] || { echo "synth_gates.sh: $flist not found" >&2; exit 2; }
srcs=""
while read -r f; do
  f="${f%%#*}"; f="$(echo "$f" | xargs)"
  [[ -z "$f" || "$f" == -* || "$f" == +* ]] && continue
  srcs+=" $root/$f"
done < "$flist"
cat > "$out.ys" <<YS
read_verilog -sv -DSYNTHESIS $srcs
chparam -set NCores $nc -set NVcpus $nv -set NNodes $nn -set MaxShards $ms vs_top
synth -top vs_top -flatten
opt_clean -purge
tee -o $out.stat stat
write_verilog -noattr $out.tmp
YS
yosys -q -l "$out.log" "$out.ys" >/dev/null
mv "$out.tmp" "$out"
