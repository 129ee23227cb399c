// vs_shard_size: dynamic shard size (docs/spec.md 7.3 / 7.4), combinational.
//
//   L  = K_UNDER_LOAD if H >= LOAD_HOT_CORES else MaxShards
//   K0 = min(B, E, MAX_SHARDS, L)
//   K  = the largest k in 2..K0 with q(B,k) * bcost >= SYNC_COST_US, else 0
//   q(B,k) = (B * R[k]) >> 16 with the reciprocal table R of the spec
//
// k_o = 0 also when the victim is no sharding candidate (cand_i = 0).
// q_o = q(B, K) and r_o = B - q_o * K describe the block split.
module vs_shard_size #(
  /// The most shards one preemption may create (2..8).
  parameter int MaxShards = 8
) (
  input  logic        cand_i,       // SHARD_ENABLE, credit and E >= 1 hold
  input  logic [7:0]  blocks_i,     // B
  input  logic [15:0] bcost_i,      // block cost in us
  input  logic [8:0]  elig_i,       // E, shard-eligible cores
  input  logic [8:0]  hot_i,        // H, hot online cores
  input  logic [3:0]  max_shards_i, // MAX_SHARDS
  input  logic [8:0]  load_hot_i,   // LOAD_HOT_CORES
  input  logic [3:0]  k_load_i,     // K_UNDER_LOAD
  input  logic [15:0] sync_cost_i,  // SYNC_COST_US
  output logic [3:0]  k_o,
  output logic [7:0]  q_o,
  output logic [2:0]  r_o
);
  localparam logic [3:0] MaxShards4 = MaxShards[3:0];

  // R[k] = ceil(65536 / k): exact floor(B / k) for B in 0..255 (spec 7.4).
  function automatic logic [16:0] recip(input int k);
    case (k)
      2: recip = 17'd32768;
      3: recip = 17'd21846;
      4: recip = 17'd16384;
      5: recip = 17'd13108;
      6: recip = 17'd10923;
      7: recip = 17'd9363;
      default: recip = 17'd8192;
    endcase
  endfunction

  logic [3:0]  lim_l, k0;
  logic [71:0] qk;          // q(B, k) at bits 8k+7:8k, k = 0..8
  logic [24:0] prod;
  logic [23:0] work;
  logic [10:0] qk_times_k;

  always_comb begin
    lim_l = (hot_i >= load_hot_i) ? k_load_i : MaxShards4;
    k0 = max_shards_i;
    if (lim_l < k0) k0 = lim_l;
    if (elig_i < {5'd0, k0}) k0 = elig_i[3:0];
    if (blocks_i < {4'd0, k0}) k0 = blocks_i[3:0];

    qk = '0;
    prod = '0;
    for (int k = 2; k <= 8; k++) begin
      prod = {9'd0, blocks_i} * {8'd0, recip(k)};
      qk[k*8 +: 8] = prod[23:16];
    end

    k_o = 4'd0;
    for (int k = 2; k <= 8; k++) begin
      work = {16'd0, qk[k*8 +: 8]} * {8'd0, bcost_i};
      if (cand_i && k <= MaxShards && k[3:0] <= k0 && work >= {8'd0, sync_cost_i}) begin
        k_o = k[3:0];
      end
    end

    q_o = 8'd0;
    for (int k = 2; k <= 8; k++) begin
      if (k_o == k[3:0]) q_o = qk[k*8 +: 8];
    end
    qk_times_k = {3'd0, q_o} * {7'd0, k_o};
    r_o = blocks_i[2:0] - qk_times_k[2:0];
  end

  logic unused_prod;
  assign unused_prod = ^{prod[24], prod[15:0], qk[15:0], qk_times_k[10:3]};
endmodule
