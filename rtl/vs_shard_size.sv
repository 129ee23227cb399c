// vs_shard_size: dynamic shard size (docs/spec.md 7.3 / 7.4, version 1.1),
// combinational.
//
//   T   = max(erun[v], SYNC_COST_US)        v = the preemptor
//   s_T = the smallest 2^j, j in 0..7, with (bcost << j) >= T, else 128
//   L   = K_UNDER_LOAD if H >= LOAD_HOT_CORES else MaxShards
//   K0  = min(B, E, MAX_SHARDS, L)
//   K   = the largest k in 1..K0 with s(k) * bcost >= SYNC_COST_US, else 0
//   s(k) = min(s_T, q(B,k)),  q(B,k) = (B * R[k]) >> 16 (reciprocal table R)
//
// Shard i then gets s(K) blocks from block i * s(K); the victim keeps
// B - K * s(K) (left_o).
//
// How K is computed here (same result, shorter path): bcost >= 0, so
//   min(s_T, q) * bcost >= SYNC  <=>  s_T * bcost >= SYNC  and  q * bcost >= SYNC,
// and s_T * bcost >= SYNC  <=>  (bcost << 7) >= SYNC: if some j <= 7 gave
// (bcost << j) >= T >= SYNC then (bcost << 7) >= SYNC too, and otherwise
// s_T = 128. So K is the largest k <= K0 with q(B,k) * bcost >= SYNC, gated
// by (bcost << 7) >= SYNC: the eight products do not wait for s_T, which
// only shapes the split.
//
// s(k), k * s(k) and B - k * s(k) are computed for every k in parallel with
// K and chosen by K after it, so K is followed by one multiplexer, not by
// the minimum, the product and the subtraction (the victim's blocks are
// written in the cycle K is known: docs/rtl.md "The clock").
//
// The candidate conditions of 7.3 that involve B need no logic of their
// own: K >= 1 implies K0 >= 1, so B >= 1 and E >= 1, and s(K) <= B, so
// B * bcost >= s(K) * bcost >= SYNC. cand_i carries the rest (SHARD_ENABLE,
// shards[u] = 0, credit[u] >= SHARD_MIN_CREDIT); k_o = 0 when it is low.
module vs_shard_size #(
  /// The most shards one preemption may create (2..8).
  parameter int MaxShards = 8
) (
  input  logic        cand_i,       // SHARD_ENABLE, no shard of u running, credit gate
  input  logic [7:0]  blocks_i,     // B
  input  logic [15:0] bcost_i,      // block cost in us
  input  logic [15:0] erun_i,       // expected run of the preemptor in us
  input  logic [8:0]  elig_i,       // E, shard-eligible cores
  input  logic [8:0]  hot_i,        // H, hot online cores
  input  logic [3:0]  max_shards_i, // MAX_SHARDS
  input  logic [8:0]  load_hot_i,   // LOAD_HOT_CORES
  input  logic [3:0]  k_load_i,     // K_UNDER_LOAD
  input  logic [15:0] sync_cost_i,  // SYNC_COST_US
  output logic [3:0]  k_o,          // K, 0 = no shards
  output logic [7:0]  size_o,       // s(K), blocks per shard (0 when K = 0)
  output logic [7:0]  taken_o,      // K * s(K) <= B, blocks the shards take
  output logic [7:0]  left_o        // B - K * s(K), blocks the victim keeps
);
  localparam logic [3:0] MaxShards4 = MaxShards[3:0];

  // R[k] = ceil(65536 / k): exact floor(B / k) for B in 0..255 (spec 7.4).
  function automatic logic [16:0] recip(input int k);
    case (k)
      1: recip = 17'd65536;
      2: recip = 17'd32768;
      3: recip = 17'd21846;
      4: recip = 17'd16384;
      5: recip = 17'd13108;
      6: recip = 17'd10923;
      7: recip = 17'd9363;
      default: recip = 17'd8192;
    endcase
  endfunction

  logic [15:0] target_run;     // T
  logic [22:0] bcost_w;        // bcost on the 23 bits of (bcost << 7)
  logic [7:0]  size_target;    // s_T
  logic        size_target_ok; // s_T * bcost >= SYNC_COST_US
  logic [3:0]  lim_l, k0;
  logic [71:0] qk;             // q(B, k) at bits 8k+7:8k, k = 1..8 (bits 7:0 unused)
  logic [24:0] prod;
  logic [23:0] work;
  logic [7:0]  s_k;           // s(k) = min(s_T, q(B, k)), for each k in turn
  logic [11:0] taken_k;       // k * s(k) <= k * q(B, k) <= B: bits 11:8 are 0
  logic [3:0]  taken_hi;

  always_comb begin
    // spec 7.4: T and s_T; the loop runs from j = 7 down so the smallest j wins.
    target_run = (erun_i > sync_cost_i) ? erun_i : sync_cost_i;
    bcost_w = {7'd0, bcost_i};
    size_target = 8'd128;
    for (int j = 7; j >= 0; j--) begin
      if ((bcost_w << j) >= {7'd0, target_run}) size_target = 8'd1 << j;
    end
    size_target_ok = (bcost_w << 7) >= {7'd0, sync_cost_i};

    lim_l = (hot_i >= load_hot_i) ? k_load_i : MaxShards4;
    k0 = max_shards_i;
    if (lim_l < k0) k0 = lim_l;
    if (elig_i < {5'd0, k0}) k0 = elig_i[3:0];
    if (blocks_i < {4'd0, k0}) k0 = blocks_i[3:0];

    qk = '0;
    prod = '0;
    for (int k = 1; k <= 8; k++) begin
      prod = {9'd0, blocks_i} * {8'd0, recip(k)};
      qk[k*8 +: 8] = prod[23:16];
    end

    k_o = 4'd0;
    for (int k = 1; k <= 8; k++) begin
      work = {16'd0, qk[k*8 +: 8]} * {8'd0, bcost_i};
      if (cand_i && size_target_ok && k <= MaxShards && k[3:0] <= k0 &&
          work >= {8'd0, sync_cost_i}) begin
        k_o = k[3:0];
      end
    end

    // s(K) = min(s_T, q(B, K)); 0 when K = 0. K <= MaxShards, so the
    // quotients q(B, k) of larger k are never selected: leaving them out of
    // this choice lets synthesis drop their constant multipliers.
    size_o = 8'd0;
    taken_o = 8'd0;
    left_o = blocks_i;
    s_k = '0;
    taken_k = '0;
    taken_hi = '0;
    for (int k = 1; k <= 8; k++) begin
      s_k = (size_target < qk[k*8 +: 8]) ? size_target : qk[k*8 +: 8];
      taken_k = {4'd0, s_k} * k[11:0];
      taken_hi = taken_hi | taken_k[11:8];
      if (k <= MaxShards && k_o == k[3:0]) begin
        size_o = s_k;
        taken_o = taken_k[7:0];
        left_o = blocks_i - taken_k[7:0];
      end
    end
  end

  logic unused_prod;
  assign unused_prod = ^{prod[24], prod[15:0], qk[7:0], taken_hi};
endmodule
