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
module vs_forward #(
  parameter int KeyW = 16,
  parameter int IdxW = 8
) (
  input  logic            changed_i,  // one core's state was written last cycle
  input  logic            unknown_i,  // ... or more than one core / the configuration
  input  logic [IdxW-1:0] core_i,     // that core, c
  input  logic            core_ok_i,  // c is eligible now
  input  logic [KeyW-1:0] core_key_i, // c's key now
  input  logic            reg_ok_i,   // R: the registered result
  input  logic [IdxW-1:0] reg_idx_i,
  input  logic [KeyW-1:0] reg_key_i,
  output logic            ok_o,       // the result now (when !stale_o)
  output logic [IdxW-1:0] idx_o,
  output logic [KeyW-1:0] key_o,
  output logic            is_core_o,  // the result is c (its other fields: read them now)
  output logic            stale_o
);
  logic reg_is_core, core_first, take_core;
  assign reg_is_core = reg_ok_i && (reg_idx_i == core_i);
  // c before R in vs_argmin's order: a lesser key, or an equal key and a lower index
  assign core_first  = (core_key_i < reg_key_i) || ((core_key_i == reg_key_i) && (core_i < reg_idx_i));
  assign take_core   = changed_i && !unknown_i && core_ok_i &&
                       (reg_is_core ? (core_key_i <= reg_key_i) : (!reg_ok_i || core_first));
  assign stale_o     = changed_i && (unknown_i || (reg_is_core && !take_core));
  assign is_core_o   = take_core;
  assign ok_o        = take_core || reg_ok_i;  // R was c and c dropped out: stale_o
  assign idx_o       = take_core ? core_i : reg_idx_i;
  assign key_o       = take_core ? core_key_i : reg_key_i;
endmodule
