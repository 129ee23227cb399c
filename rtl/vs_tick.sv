// vs_tick: the arithmetic of one TICK of core c (docs/spec.md 7.5 TICK,
// 6.1, 6.5), combinational:
//   util'  = util + ((sample - util) >>> UTIL_SHIFT)     (EWMA, exact in 9 bits)
//   slice' = slice - elapsed, 0 if elapsed > slice
//   debit  = (elapsed * CREDIT_PER_MS) >> 10              (6.1, us -> ms)
//   used'  = used[u] + elapsed, saturating at 65535       (6.5)
//   park   = u runs whole on c, is capped and used' >= cap
module vs_tick (
  input  logic [7:0]  util_i,           // the core's util and slice left
  input  logic [15:0] slice_i,
  input  logic [7:0]  sample_i,         // TICK b8: the util sample
  input  logic [15:0] elapsed_i,        // TICK c16: us since the last TICK
  input  logic [2:0]  util_shift_i,
  input  logic [7:0]  credit_per_ms_i,
  input  logic        runs_whole_i,     // the core's occupancy is RUN (not SHARD)
  input  logic [15:0] used_i,           // u = the vCPU on the core: used and cap
  input  logic [15:0] cap_i,
  output logic [7:0]  util_o,
  output logic [15:0] slice_o,
  output logic [13:0] debit_o,
  output logic [15:0] used_o,
  output logic        park_o
);
  logic signed [8:0] diff, step;
  logic [9:0]        util_w;
  logic [23:0]       product;
  logic [16:0]       used_w;
  always_comb begin
    diff    = $signed({1'b0, sample_i}) - $signed({1'b0, util_i});
    step    = diff >>> util_shift_i;
    util_w  = {2'b00, util_i} + {step[8], step};
    util_o  = util_w[7:0];
    slice_o = (elapsed_i > slice_i) ? 16'd0 : (slice_i - elapsed_i);
    product = {8'd0, elapsed_i} * {16'd0, credit_per_ms_i};
    debit_o = product[23:10];  // spec 6.1
    used_w  = {1'b0, used_i} + {1'b0, elapsed_i};
    used_o  = used_w[16] ? 16'hFFFF : used_w[15:0];
    park_o  = runs_whole_i && (cap_i != 16'd0) && (used_o >= cap_i);
  end
  logic unused;
  assign unused = ^{util_w[9:8], product[9:0]};
endmodule
