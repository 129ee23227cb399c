#!/usr/bin/env bash
# iCE40-HX8K flow for the vShard engine behind the UART bridge:
#   Yosys synth_ice40 -> nextpnr-ice40 (hx8k, ct256) -> icepack.
# Writes <out>/vshard_hx8k.bin, <out>/report.txt (utilisation, post-route
# Fmax) and fails (exit 1) when the design does not fit or does not close
# timing at the target clock.
# The engine here is vs_top with its AXI-Stream ports behind the UART bridge,
# not vs_card_top: the DMA ring front-end (issue 16) needs an AXI4 path to
# host memory, which this board (no PCIe) does not have, and would not fit
# beside the engine (95 % of the LCs). Its modules in rtl/vshard.f are read
# and dropped as unused.
#
# usage: build.sh [-o OUTDIR] [-c NCORES] [-v NVCPUS] [-n NNODES] [-s MAXSHARDS]
#                 [-f TARGET_MHZ] [--seed N]
# defaults: OUTDIR=build-ice40 (under the current directory), 4/16/2/2, 12 MHz
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="build-ice40"
ncores=4 nvcpus=16 nnodes=2 maxshards=2 mhz=12 seed=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    -c) ncores="$2"; shift 2 ;;
    -v) nvcpus="$2"; shift 2 ;;
    -n) nnodes="$2"; shift 2 ;;
    -s) maxshards="$2"; shift 2 ;;
    -f) mhz="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for tool in yosys nextpnr-ice40 icepack; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found; run scripts/install-deps" >&2; exit 2; }
done
flist="$root/rtl/vshard.f"
[[ -f "$flist" ]] || { echo "build.sh: $flist not found: the RTL engine is not in this tree" >&2; exit 2; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
# RTL sources: rtl/vshard.f (paths relative to the repository root or to rtl/).
srcs=()
while read -r line; do
  line="${line%%#*}"; line="${line%%//*}"; line="$(echo "$line" | xargs)"
  [[ -z "$line" || "$line" == -* || "$line" == +* ]] && continue
  if [[ -f "$root/$line" ]]; then srcs+=("$root/$line")
  elif [[ -f "$root/rtl/$line" ]]; then srcs+=("$root/rtl/$line")
  elif [[ -f "$line" ]]; then srcs+=("$line")
  else echo "build.sh: $flist names $line, which does not exist" >&2; exit 2; fi
done < "$flist"
srcs+=("$root/bitstreams/common/vs_uart_rx.sv" "$root/bitstreams/common/vs_uart_tx.sv"
       "$root/bitstreams/common/vs_uart_bridge.sv" "$here/vs_ice40_top.sv")

cat > "$out/synth.ys" <<YS
read_verilog -sv -DSYNTHESIS -I$root/rtl ${srcs[*]}
chparam -set NCores $ncores -set NVcpus $nvcpus -set NNodes $nnodes -set MaxShards $maxshards vs_ice40_top
synth_ice40 -top vs_ice40_top -json $out/vshard_hx8k.json
tee -o $out/yosys_stat.txt stat
YS
echo "== yosys synth_ice40 ($ncores cores / $nvcpus vCPUs / $nnodes nodes / $maxshards shards)"
yosys -q -l "$out/yosys.log" "$out/synth.ys" >/dev/null

echo "== nextpnr-ice40 --hx8k --package ct256 --freq $mhz"
set +e
nextpnr-ice40 --hx8k --package ct256 --pcf "$here/hx8k-breakout.pcf" --json "$out/vshard_hx8k.json" \
  --asc "$out/vshard_hx8k.asc" --freq "$mhz" --seed "$seed" --timing-allow-fail \
  --report "$out/nextpnr_report.json" -l "$out/nextpnr.log" -q
pnr_rc=$?
set -e
if [[ $pnr_rc -ne 0 ]]; then
  echo "build.sh: nextpnr-ice40 failed (exit $pnr_rc); see $out/nextpnr.log:" >&2
  grep -iE "error|unable|fail" "$out/nextpnr.log" | head -5 >&2
  exit 1
fi
icepack "$out/vshard_hx8k.asc" "$out/vshard_hx8k.bin"

fmax="$(grep -E "Max frequency for clock" "$out/nextpnr.log" | tail -1 | sed -E 's/.*: ([0-9.]+) MHz.*/\1/')"
util="$(grep -E "^Info:[[:space:]]+(ICESTORM_(LC|RAM|PLL)|SB_IO):" "$out/nextpnr.log" | head -4 | sed 's/^Info:[[:space:]]*//')"
{
  echo "vShard iCE40-HX8K build: NCores=$ncores NVcpus=$nvcpus NNodes=$nnodes MaxShards=$maxshards"
  echo "target clock: $mhz MHz; post-route Fmax: ${fmax:-?} MHz (nextpnr seed $seed)"
  echo "$util"
  echo "bitstream: $out/vshard_hx8k.bin ($(stat -c %s "$out/vshard_hx8k.bin") bytes)"
} > "$out/report.txt"
cat "$out/report.txt"
if [[ -z "$fmax" ]] || ! awk -v f="$fmax" -v t="$mhz" 'BEGIN { exit !(f + 0 >= t + 0) }'; then
  echo "build.sh: FAIL: post-route Fmax ${fmax:-unknown} MHz is below the $mhz MHz target" >&2
  exit 1
fi
echo "build.sh: PASS: timing closed at $mhz MHz"
