// vs_cfg_probe: the generated vs_cfg_regs and vs_cfg_check side by side, for
// cfg_rtl_tb.cc (one verilated model per configuration: both modules take
// their ranges and resets from parameters). The parameters are also outputs,
// so the testbench checks against the configuration it was really built with.
module vs_cfg_probe #(
  parameter int NCores = 8,
  parameter int NNodes = 2,
  parameter int MaxShards = 4
) (
  input  logic clk_i,
  input  logic rst_ni,
  // vs_cfg_regs
  input  logic soft_rst_i,
  input  logic we_i,
  input  logic [15:0] key_i,
  input  logic [31:0] value_i,
  input  logic [15:0] rkey_i,
  output logic [31:0] rdata_o,
  output vs_regs_pkg::cfg_t cfg_o,
  output logic [NNodes*NNodes*8-1:0] numa_dist_o,
  // vs_cfg_check
  input  logic [15:0] ckey_i,
  input  logic [31:0] cvalue_i,
  output logic [7:0]  err_o,
  // the configuration
  output logic [31:0] ncores_o,
  output logic [31:0] nnodes_o,
  output logic [31:0] max_shards_o
);
  vs_cfg_regs #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) u_regs (
    .clk_i, .rst_ni, .soft_rst_i, .we_i, .key_i, .value_i, .rkey_i, .rdata_o, .cfg_o, .numa_dist_o
  );
  vs_cfg_check #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) u_check (
    .key_i(ckey_i), .value_i(cvalue_i), .err_o
  );
  assign ncores_o = NCores;
  assign nnodes_o = NNodes;
  assign max_shards_o = MaxShards;
endmodule
