#!/usr/bin/env bash
# Tests scripts/lint-rtl on throwaway designs (in a temporary directory):
# a clean top that uses vs_regs_pkg passes; a top with an implicit net and a
# width mismatch fails, naming the Verilator and Yosys findings; bad
# arguments are usage errors (exit 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lint="$root/scripts/lint-rtl"
tmp="$(mktemp -d /tmp/lint_rtl_test.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "lint_rtl_test: FAIL: $*" >&2; exit 1; }

cat > "$tmp/vs_top.sv" <<'SV'
module vs_top #(
  parameter int unsigned NCores = 8,     /// cores
  parameter int unsigned NVcpus = 64,    /// vCPUs
  parameter int unsigned NNodes = 2,     /// nodes
  parameter int unsigned MaxShards = 4   /// shards
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [15:0] key_i,
  output logic [31:0] q_o
);
  localparam logic [31:0] NVcpusW = NVcpus;
  logic [31:0] q_d, q_q;
  always_comb begin
    q_d = vs_regs_pkg::cfg_reset(key_i, NCores, MaxShards);
    if (!vs_regs_pkg::cfg_index_ok(key_i, NNodes)) q_d = NVcpusW;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) q_q <= vs_regs_pkg::MAGIC_VALUE;
    else q_q <= q_d;
  end
  assign q_o = q_q;
endmodule
SV
printf '// clean design\n%s\nvs_top.sv  # top\n' "$root/rtl/vs_regs_pkg.sv" > "$tmp/good.f"

mkdir -p "$tmp/bad"
cat > "$tmp/bad/vs_top.sv" <<'SV'
module vs_top #(
  parameter int unsigned NCores = 8,
  parameter int unsigned NVcpus = 64,
  parameter int unsigned NNodes = 2,
  parameter int unsigned MaxShards = 4
) (
  input  logic       a_i,
  output logic [7:0] q_o
);
  vs_sub u_sub (.a_i(a_i), .y_o(tmp));
  assign q_o = {NCores[3:0], NVcpus[1:0], tmp, 1'b0} + NNodes[7:0] + MaxShards[7:0];
endmodule
SV
cat > "$tmp/bad/vs_sub.sv" <<'SV'
module vs_sub (input logic a_i, output logic [3:0] y_o);
  assign y_o = {3'd0, a_i};
endmodule
SV
printf 'bad/vs_sub.sv\nbad/vs_top.sv\n' > "$tmp/bad.f"

# Clean design: exit 0, every configuration named.
out="$("$lint" -f "$tmp/good.f" --config small,large,4/16/2/2 --log-dir "$tmp/logs-good" 2>&1)" \
  || fail "clean design reported findings: $out"
for want in "verilator small (8/64/2/4): clean" "verilator large (64/1024/4/8): clean" \
            "verilator 4/16/2/2 (4/16/2/2): clean" "yosys synth_xilinx small" "all clean"; do
  grep -qF "$want" <<< "$out" || fail "clean run does not say '$want': $out"
done

# Broken design: exit 1 with the findings of both tools printed.
set +e
out="$("$lint" -f "$tmp/bad.f" --config small --log-dir "$tmp/logs-bad" 2>&1)"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "broken design: exit $rc, want 1: $out"
for want in "%Warning-IMPLICIT" "%Warning-WIDTH" "is implicitly declared" \
            "Resizing cell port vs_top.u_sub.y_o" "FAILED"; do
  grep -qF "$want" <<< "$out" || fail "broken run does not report '$want': $out"
done

# Usage errors: exit 2 with a message.
expect_usage() {
  local want="$1"; shift
  set +e
  out="$("$lint" "$@" 2>&1)"
  rc=$?
  set -e
  [[ $rc -eq 2 ]] || fail "'$*': exit $rc, want 2: $out"
  grep -qF "$want" <<< "$out" || fail "'$*' does not say '$want': $out"
}
expect_usage "unknown configuration 'tiny'" -f "$tmp/good.f" --config tiny
expect_usage "not found" -f "$tmp/none.f"
printf 'missing.sv\n' > "$tmp/missing.f"
expect_usage "names 'missing.sv', which does not exist" -f "$tmp/missing.f"
expect_usage "unknown option '--bogus'" --bogus
echo "lint_rtl_test: ok"
