// vs_forward: one registered search result brought up to date with the one
// core written since it was registered (docs/rtl.md "Hazards between
// back-to-back events", the WAKE overlap).
//
// The search trees of vs_search are registered: in cycle t they give the
// argmin over the state of cycle t-1. When cycle t-1 wrote the state of one
// core c (and nothing else the keys read), the argmin over the state of
// cycle t follows from the registered result R and c's key now, because
// every other core's key is unchanged:
//   * R is not c: the least of R and c (ties to the lower index, as in
//     vs_argmin); c may have become eligible or better, or dropped out;
//   * R is c: c again if it is still eligible and its key did not grow
//     (every other core was behind R's old key); otherwise the new argmin
//     is some core the registers do not hold: stale_o, and the reader waits
//     one cycle for the trees (vs_exec's precise stall).
// No write (changed_i = 0): R as it is. A write this cell cannot follow
// (two cores, or the configuration the keys read: unknown_i): stale_o.
// Top2 = 1: the registers also hold the runner-up R2 (vs_argmin2), the least
// of every core but R. Then R is c and c dropped out or its key grew is
// known too: the lesser of R2 and c (c only if eligible), and stale_o is
// only unknown_i.
module vs_forward #(
  parameter int KeyW = 16,
  parameter int IdxW = 8,
  parameter bit Top2 = 1'b0
) (
  input  logic            changed_i,  // one core's state was written last cycle
  input  logic            unknown_i,  // ... or more than one core / the configuration
  input  logic [IdxW-1:0] core_i,     // that core, c
  input  logic            core_ok_i,  // c is eligible now
  input  logic [KeyW-1:0] core_key_i, // c's key now
  input  logic            reg_ok_i,   // R: the registered result
  input  logic [IdxW-1:0] reg_idx_i,
  input  logic [KeyW-1:0] reg_key_i,
  input  logic            sec_ok_i,   // R2 (Top2 = 1; unused otherwise)
  input  logic [IdxW-1:0] sec_idx_i,
  input  logic [KeyW-1:0] sec_key_i,
  output logic            ok_o,       // the result now (when !stale_o)
  output logic [IdxW-1:0] idx_o,
  output logic [KeyW-1:0] key_o,
  output logic            is_core_o,  // the result is c (its other fields: read them now)
  output logic            stale_o
);
  logic reg_is_core, core_first, take_core, after_core;
  assign reg_is_core = reg_ok_i && (reg_idx_i == core_i);
  // c before R in vs_argmin's order: a lesser key, or an equal key and a lower index
  assign core_first  = (core_key_i < reg_key_i) || ((core_key_i == reg_key_i) && (core_i < reg_idx_i));
  assign take_core   = changed_i && !unknown_i && core_ok_i &&
                       (reg_is_core ? (core_key_i <= reg_key_i) : (!reg_ok_i || core_first));
  // R was c, and c dropped out or fell behind: the answer is R2 or c
  assign after_core  = changed_i && !unknown_i && reg_is_core && !take_core;
  if (Top2) begin : gen_top2
    logic core_before_sec, core_wins;
    assign core_before_sec = (core_key_i < sec_key_i) || ((core_key_i == sec_key_i) && (core_i < sec_idx_i));
    assign core_wins = core_ok_i && (!sec_ok_i || core_before_sec);
    assign stale_o   = changed_i && unknown_i;
    assign is_core_o = take_core || (after_core && core_wins);
    assign ok_o      = is_core_o || (after_core ? sec_ok_i : reg_ok_i);
    assign idx_o     = is_core_o ? core_i : after_core ? sec_idx_i : reg_idx_i;
    assign key_o     = is_core_o ? core_key_i : after_core ? sec_key_i : reg_key_i;
  end else begin : gen_top1
    assign stale_o   = changed_i && (unknown_i || after_core);
    assign is_core_o = take_core;
    assign ok_o      = take_core || reg_ok_i;  // R was c and c dropped out: stale_o
    assign idx_o     = take_core ? core_i : reg_idx_i;
    assign key_o     = take_core ? core_key_i : reg_key_i;
    logic unused_sec;
    assign unused_sec = ^{sec_ok_i, sec_idx_i, sec_key_i};
  end
endmodule
