// vs_search: the searches of docs/spec.md section 7 over all cores at once.
//
//   * per node n, idle(n) (spec 7.1): the online idle core with the least
//     {NUMA_DIST[n][node], util}, ties to the lowest core id;
//   * per node n, victim(n) (spec 7.2): among cores running a non-latency
//     vCPU whole within VICT_MAX_DIST of n, the least
//     {far, (distance << VICT_DIST_SHIFT) + (credit' >> VICT_CREDIT_SHIFT)
//      + (slice >> VICT_SLICE_SHIFT)}, credit' = credit as offset binary;
//     far = distance > WAKE_MAX_DIST (1.1: near victims first);
//   * the shard target (spec 7.4) for node shard_home_i: the eligible core
//     (7.3: idle, util < SHARD_UTIL_MAX, freq >= SHARD_MIN_FREQ, within
//     SHARD_MAX_DIST) with the least {distance, 3 - freq, util};
//   * E (eligible cores) and H (hot cores, util >= SHARD_UTIL_MAX) of 7.4.
//
// The 2*NNodes idle and victim trees (vs_argmin) are registered here
// (search_*_o): an event reads the results of the state as it stood after
// the previous event's last write (vs_exec accepts an event every other
// cycle, so the registered results are always current). The shard tree and
// the counts are combinational: SHARD uses them in the cycle after each
// target was claimed.
module vs_search #(
  parameter int NCores = 8,
  parameter int NNodes = 2
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  vs_regs_pkg::cfg_t           cfg_i,
  input  logic [NNodes*NNodes*8-1:0]  numa_dist_i,  // [i][j] at (i*NNodes+j)*8
  // core state (vs_core_table)
  input  logic [NCores*3-1:0]         node_i,
  input  logic [NCores-1:0]           online_i,
  input  logic [NCores*8-1:0]         util_i,
  input  logic [NCores*2-1:0]         freq_i,
  input  logic [NCores*2-1:0]         occ_i,
  input  logic [NCores*12-1:0]        vcpu_i,
  input  logic [NCores*16-1:0]        slice_i,
  input  logic [NCores-1:0]           lat_i,
  input  logic [NCores*16-1:0]        credit_i,
  input  logic [2:0]                  shard_home_i,
  // registered idle(n) / victim(n), node n at [n*W +: W]
  output logic [NNodes-1:0]           idle_valid_o,
  output logic [NNodes*8-1:0]         idle_core_o,
  output logic [NNodes*8-1:0]         idle_dist_o,
  output logic [NNodes-1:0]           victim_valid_o,
  output logic [NNodes-1:0]           victim_far_o,
  output logic [NNodes*8-1:0]         victim_core_o,
  output logic [NNodes*12-1:0]        victim_vcpu_o,
  // shard target of shard_home_i, E and H (combinational)
  output logic                        shard_valid_o,
  output logic [7:0]                  shard_core_o,
  output logic [8:0]                  eligible_o,
  output logic [8:0]                  hot_o,
  // per-core predicates (the engine's assertions read them)
  output logic [NCores-1:0]           idle_o,        // online and idle
  output logic [NCores-1:0]           victimable_o   // online, runs a non-latency vCPU whole
);
  // NUMA_DIST[i][j] for i, j < NNodes.
  function automatic logic [7:0] numa_at(input logic [NNodes*NNodes*8-1:0] tbl,
                                         input int i, input logic [2:0] j);
    numa_at = 8'd0;
    for (int jj = 0; jj < NNodes; jj++) begin
      if (j == jj[2:0]) numa_at = tbl[(i*NNodes+jj)*8 +: 8];
    end
  endfunction

  // ---- per-core predicates and keys ------------------------------------------
  logic [NCores-1:0]    hot, eligible;
  logic [NCores*17-1:0] victim_base;  // credit and slice part of the victim cost
  logic [NCores*18-1:0] shard_key;

  for (genvar c = 0; c < NCores; c++) begin : gen_core
    logic [7:0]  util;
    logic [1:0]  freq, occ;
    logic [2:0]  node;
    logic [15:0] credit, slice;
    logic [16:0] credit_term, slice_term;
    logic [7:0]  shard_dist;
    assign util   = util_i[c*8 +: 8];
    assign freq   = freq_i[c*2 +: 2];
    assign occ    = occ_i[c*2 +: 2];
    assign node   = node_i[c*3 +: 3];
    assign credit = credit_i[c*16 +: 16];
    assign slice  = slice_i[c*16 +: 16];
    assign idle_o[c]       = online_i[c] && (occ == vs_pkg::OccIdle);
    assign victimable_o[c] = online_i[c] && (occ == vs_pkg::OccRun) && !lat_i[c];
    assign hot[c]          = online_i[c] && (util >= cfg_i.shard_util_max);  // spec 7.4 H
    // spec 7.2: credit as 16-bit offset binary, then the configured shifts
    assign credit_term = {1'b0, ~credit[15], credit[14:0]} >> cfg_i.vict_credit_shift;
    assign slice_term  = {1'b0, slice} >> cfg_i.vict_slice_shift;
    assign victim_base[c*17 +: 17] = credit_term + slice_term;
    // spec 7.3: shard target eligibility for node shard_home_i
    always_comb begin
      shard_dist = 8'd0;
      for (int i = 0; i < NNodes; i++) begin
        if (shard_home_i == i[2:0]) shard_dist = numa_at(numa_dist_i, i, node);
      end
    end
    assign eligible[c] = idle_o[c] && (util < cfg_i.shard_util_max) &&
                         (freq >= cfg_i.shard_min_freq) && (shard_dist <= cfg_i.shard_max_dist);
    // spec 7.4: nearest, then fastest (3 - freq), then least utilised
    assign shard_key[c*18 +: 18] = {shard_dist, 2'd3 - freq, util};
  end

  // ---- NNodes idle trees and NNodes victim trees -----------------------------
  logic [NNodes-1:0]    idle_valid_d, victim_valid_d, victim_far_d;
  logic [NNodes*8-1:0]  idle_core_d, idle_dist_d, victim_core_d;
  logic [NNodes*12-1:0] victim_vcpu_d;

  for (genvar n = 0; n < NNodes; n++) begin : gen_node
    logic [NCores*16-1:0] idle_key;
    logic [NCores-1:0]    victim_ok;
    logic [NCores*19-1:0] victim_key;
    for (genvar c = 0; c < NCores; c++) begin : gen_leaf
      logic [7:0]  distance;
      logic [14:0] distance_term;
      logic        far;
      assign distance      = numa_at(numa_dist_i, n, node_i[c*3 +: 3]);
      assign distance_term = {7'd0, distance} << cfg_i.vict_dist_shift;
      assign far       = distance > cfg_i.wake_max_dist;  // spec 7.2 (1.1): near victims first
      assign idle_key[c*16 +: 16] = {distance, util_i[c*8 +: 8]};  // spec 7.1
      assign victim_ok[c] = victimable_o[c] && (distance <= cfg_i.vict_max_dist);
      // key {far [1], cost [18]}; the 18-bit cost sum cannot overflow
      assign victim_key[c*19 +: 19] = {far, {3'd0, distance_term} + {1'b0, victim_base[c*17 +: 17]}};
    end
    logic        idle_v, victim_v;
    logic [7:0]  idle_idx, victim_idx;
    logic [15:0] idle_k;
    logic [18:0] victim_k;
    vs_argmin #(.N(NCores), .KeyW(16), .IdxW(8), .PipeEvery(0)) u_idle (
      .clk_i, .rst_ni, .valid_i(idle_o), .key_i(idle_key),
      .valid_o(idle_v), .idx_o(idle_idx), .key_o(idle_k)
    );
    vs_argmin #(.N(NCores), .KeyW(19), .IdxW(8), .PipeEvery(0)) u_victim (
      .clk_i, .rst_ni, .valid_i(victim_ok), .key_i(victim_key),
      .valid_o(victim_v), .idx_o(victim_idx), .key_o(victim_k)
    );
    logic [11:0] victim_vcpu;
    always_comb begin
      victim_vcpu = 12'd0;
      for (int c = 0; c < NCores; c++) begin
        victim_vcpu = victim_vcpu | (vcpu_i[c*12 +: 12] & {12{victim_idx == c[7:0]}});
      end
    end
    assign idle_valid_d[n]            = idle_v;
    assign idle_core_d[n*8 +: 8]      = idle_idx;
    assign idle_dist_d[n*8 +: 8]      = idle_k[15:8];
    assign victim_valid_d[n]          = victim_v;
    assign victim_far_d[n]            = victim_k[18];
    assign victim_core_d[n*8 +: 8]    = victim_idx;
    assign victim_vcpu_d[n*12 +: 12]  = victim_vcpu;
    logic unused_key;
    assign unused_key = ^{idle_k[7:0], victim_k[17:0]};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      idle_valid_o   <= '0;
      idle_core_o    <= '0;
      idle_dist_o    <= '0;
      victim_valid_o <= '0;
      victim_far_o   <= '0;
      victim_core_o  <= '0;
      victim_vcpu_o  <= '0;
    end else begin
      idle_valid_o   <= idle_valid_d;
      idle_core_o    <= idle_core_d;
      idle_dist_o    <= idle_dist_d;
      victim_valid_o <= victim_valid_d;
      victim_far_o   <= victim_far_d;
      victim_core_o  <= victim_core_d;
      victim_vcpu_o  <= victim_vcpu_d;
    end
  end

  // ---- shard target search (one tree, node shard_home_i), E and H ------------
  logic [17:0] shard_k;
  vs_argmin #(.N(NCores), .KeyW(18), .IdxW(8), .PipeEvery(0)) u_shard (
    .clk_i, .rst_ni, .valid_i(eligible), .key_i(shard_key),
    .valid_o(shard_valid_o), .idx_o(shard_core_o), .key_o(shard_k)
  );
  logic unused_shard_key;
  assign unused_shard_key = ^shard_k;

  always_comb begin
    eligible_o = 9'd0;
    hot_o      = 9'd0;
    for (int c = 0; c < NCores; c++) begin
      eligible_o = eligible_o + {8'd0, eligible[c]};
      hot_o      = hot_o + {8'd0, hot[c]};
    end
  end

  logic unused_cfg;
  assign unused_cfg = ^{cfg_i.slice_us, cfg_i.credit_per_ms, cfg_i.credit_cap,
                        cfg_i.refill_per_weight, cfg_i.lat_boost, cfg_i.util_shift,
                        cfg_i.shard_enable, cfg_i.max_shards, cfg_i.shard_min_credit,
                        cfg_i.load_hot_cores, cfg_i.k_under_load, cfg_i.sync_cost_us,
                        cfg_i.shard_credit, cfg_i.sync_credit};
endmodule
