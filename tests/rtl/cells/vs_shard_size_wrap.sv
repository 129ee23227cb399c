// Three vs_shard_size instances (MaxShards 2, 5 and 8) on the same inputs,
// so one verilated model covers the parameter's edges and a middle value
// (driven by vs_shard_size_bench.cc).
module vs_shard_size_wrap (
  input  logic        cand_i,
  input  logic [7:0]  blocks_i,
  input  logic [15:0] bcost_i,
  input  logic [15:0] erun_i,
  input  logic [8:0]  elig_i,
  input  logic [8:0]  hot_i,
  input  logic [3:0]  max_shards_i,
  input  logic [8:0]  load_hot_i,
  input  logic [3:0]  k_load_i,
  input  logic [15:0] sync_cost_i,
  output logic [3:0]  k2_o,
  output logic [7:0]  size2_o,
  output logic [7:0]  taken2_o,
  output logic [7:0]  left2_o,
  output logic [3:0]  k5_o,
  output logic [7:0]  size5_o,
  output logic [7:0]  taken5_o,
  output logic [7:0]  left5_o,
  output logic [3:0]  k8_o,
  output logic [7:0]  size8_o,
  output logic [7:0]  taken8_o,
  output logic [7:0]  left8_o
);
  vs_shard_size #(.MaxShards(2)) u_m2 (
    .cand_i, .blocks_i, .bcost_i, .erun_i, .elig_i, .hot_i, .max_shards_i, .load_hot_i, .k_load_i,
    .sync_cost_i, .k_o(k2_o), .size_o(size2_o), .taken_o(taken2_o), .left_o(left2_o));
  vs_shard_size #(.MaxShards(5)) u_m5 (
    .cand_i, .blocks_i, .bcost_i, .erun_i, .elig_i, .hot_i, .max_shards_i, .load_hot_i, .k_load_i,
    .sync_cost_i, .k_o(k5_o), .size_o(size5_o), .taken_o(taken5_o), .left_o(left5_o));
  vs_shard_size #(.MaxShards(8)) u_m8 (
    .cand_i, .blocks_i, .bcost_i, .erun_i, .elig_i, .hot_i, .max_shards_i, .load_hot_i, .k_load_i,
    .sync_cost_i, .k_o(k8_o), .size_o(size8_o), .taken_o(taken8_o), .left_o(left8_o));
endmodule
