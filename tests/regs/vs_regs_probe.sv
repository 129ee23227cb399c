// vs_regs_probe: exposes the helper functions of the generated vs_regs_pkg
// as combinational outputs, so regs_sv_test can compare them with the C++
// functions of include/vshard/regs.h for every key and many values.
// Parameters enter as inputs (the functions are plain combinational logic),
// so one verilated model covers every configuration.
module vs_regs_probe (
  input  logic [15:0] key_i,
  input  logic [31:0] value_i,
  input  logic [31:0] cores_i,
  input  logic [31:0] nodes_i,
  input  logic [31:0] max_shards_i,
  input  logic [31:0] i_i,
  input  logic [31:0] j_i,
  output logic        known_o,
  output logic        index_ok_o,
  output logic        value_ok_o,
  output logic [31:0] reset_o,
  output logic [15:0] numa_key_o,
  output logic [31:0] numa_reset_o,
  output logic [11:0] pre_entry_o,
  output logic [11:0] pre_epoch_o,
  output logic [31:0] ncores_reset_o,
  output logic [31:0] max_shards_reset_o
);
  assign known_o = vs_regs_pkg::cfg_key_known(key_i);
  assign index_ok_o = vs_regs_pkg::cfg_index_ok(key_i, nodes_i);
  assign value_ok_o = vs_regs_pkg::cfg_value_ok(key_i, value_i, cores_i, max_shards_i);
  assign reset_o = vs_regs_pkg::cfg_reset(key_i, cores_i, max_shards_i);
  assign numa_key_o = vs_regs_pkg::cfg_numa_dist_key(i_i, j_i);
  assign numa_reset_o = vs_regs_pkg::cfg_numa_dist_reset(i_i, j_i);
  assign pre_entry_o = vs_regs_pkg::pre_entry_offset(i_i);
  assign pre_epoch_o = vs_regs_pkg::pre_epoch_offset(i_i);
  assign ncores_reset_o = vs_regs_pkg::ncores_reset(cores_i);
  assign max_shards_reset_o = vs_regs_pkg::max_shards_reset(max_shards_i);
endmodule
