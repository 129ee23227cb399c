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
// The victim search is done in two steps (since 2026-12-02). The cost of core
// c for node n is (distance(n, node[c]) << VICT_DIST_SHIFT) + base(c), and
// the distance depends on c only through its node: so among the cores of one
// node g the order by {far, cost} for any n is the order by base. One tree
// per core node g (NNodes trees over NCores cores, on the 17-bit base) finds
// the cheapest victimable core of g, ties to the lowest id; then per waking
// node n the least of the NNodes group winners by {far, cost, core id} (the
// id makes every key unique, so ties still go to the lowest core id; all
// pairs compared at once, not a tree) is victim(n). Same result as one tree
// per n over every core; the
// distance lookup, shift and add are done NNodes x NNodes times instead of
// NNodes x NCores. (CORE_CFG refuses a node >= NNodes, E_BAD_NODE, so every
// core is in one group; the assertion below checks it.)
//
// The NNodes idle trees and the victim result of every node are registered here
// (idle_*_o, victim_*_o): in cycle t they describe the state of cycle t-1.
// The prestaged table reads them so (vs_prestage updates one cycle after
// the event's write). The placement of a WAKE/COMMIT reads the forwarded
// results (fwd_*_o, Forward = 1): the registered ones brought up to date with
// last cycle's write of one core (vs_forward), so a WAKE taken during the
// EXEC of the event before it sees that event's write; where that cannot be
// told without the trees, fwd_stale_o[n] says so and vs_exec waits a
// cycle. The idle trees then also give the runner-up (vs_argmin2), so the
// idle result is known after any write of one core (a placement on the
// node's best idle core, a TICK that raises its util); only the victim
// result can still be stale. With Forward = 0, fwd_* are the registered results and nothing is
// ever stale (vs_accept then never takes a WAKE during an EXEC).
// The shard tree and the counts are combinational: SHARD uses them in the
// cycle after each target was claimed.
module vs_search #(
  parameter int NCores = 8,
  parameter int NNodes = 2,
  parameter bit Forward = 1'b1  // vs_top
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
  // what was written last cycle (the core table's two ports; the configuration)
  input  logic                        core_we_i,
  input  logic [7:0]                  core_wr_i,
  input  logic                        mirror_we_i,
  input  logic [7:0]                  mirror_wr_i,
  input  logic                        config_we_i,
  // idle(n) / victim(n) of the state as it is now (the placement's view)
  output logic [NNodes-1:0]           fwd_idle_valid_o,
  output logic [NNodes*8-1:0]         fwd_idle_core_o,
  output logic [NNodes*8-1:0]         fwd_idle_dist_o,
  output logic [NNodes-1:0]           fwd_victim_valid_o,
  output logic [NNodes-1:0]           fwd_victim_far_o,
  output logic [NNodes*8-1:0]         fwd_victim_core_o,
  output logic [NNodes*12-1:0]        fwd_victim_vcpu_o,
  output logic [NNodes-1:0]           fwd_stale_o,  // node n's fwd_* are not known this cycle
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

  // spec 7.2: the credit and slice part of the victim cost (credit as 16-bit
  // offset binary, then the configured shifts), and the whole key {far, cost}
  // of a core at distance d from the node (the 18-bit cost cannot overflow)
  function automatic logic [16:0] victim_base_f(input logic [15:0] credit, input logic [15:0] slice,
                                                input logic [3:0] credit_shift, input logic [3:0] slice_shift);
    logic [16:0] credit_term, slice_term;
    credit_term   = {1'b0, ~credit[15], credit[14:0]} >> credit_shift;
    slice_term    = {1'b0, slice} >> slice_shift;
    victim_base_f = credit_term + slice_term;
  endfunction
  function automatic logic [18:0] victim_key_f(input logic [7:0] d, input logic [16:0] base,
                                               input logic [2:0] dist_shift, input logic [7:0] wake_max_dist);
    logic [14:0] distance_term;
    distance_term = {7'd0, d} << dist_shift;
    victim_key_f  = {d > wake_max_dist, {3'd0, distance_term} + {1'b0, base}};  // 1.1: near first
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
    assign victim_base[c*17 +: 17] = victim_base_f(credit, slice, cfg_i.vict_credit_shift,  // spec 7.2
                                                   cfg_i.vict_slice_shift);
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
  logic [NNodes*16-1:0] idle_key_d;    // the trees' keys (vs_forward compares with them)
  logic [NNodes-1:0]    idle2_valid_d;  // the idle runner-up (Forward = 1: vs_argmin2)
  logic [NNodes*8-1:0]  idle2_core_d;
  logic [NNodes*16-1:0] idle2_key_d;
  logic [NNodes*19-1:0] victim_key_d;

  // spec 7.2, first step: per core node g, the victimable core of g with the
  // least base (ties: lowest id)
  logic [NNodes-1:0]    group_valid;
  logic [NNodes*8-1:0]  group_core;
  logic [NNodes*17-1:0] group_base;
  logic [NNodes*12-1:0] group_vcpu;  // the vCPU the group's winner runs
  for (genvar g = 0; g < NNodes; g++) begin : gen_group
    logic [NCores-1:0] on_group;
    for (genvar c = 0; c < NCores; c++) begin : gen_member
      assign on_group[c] = victimable_o[c] && (node_i[c*3 +: 3] == g[2:0]);
    end
    vs_argmin #(.N(NCores), .KeyW(17), .IdxW(8), .PipeEvery(0)) u_group (
      .clk_i, .rst_ni, .valid_i(on_group), .key_i(victim_base),
      .valid_o(group_valid[g]), .idx_o(group_core[g*8 +: 8]), .key_o(group_base[g*17 +: 17])
    );
    // picked here, beside the second step, not after it
    always_comb begin
      group_vcpu[g*12 +: 12] = 12'd0;
      for (int c = 0; c < NCores; c++) begin
        group_vcpu[g*12 +: 12] = group_vcpu[g*12 +: 12] | (vcpu_i[c*12 +: 12] & {12{group_core[g*8 +: 8] == c[7:0]}});
      end
    end
  end

  for (genvar n = 0; n < NNodes; n++) begin : gen_node
    logic [NCores*16-1:0] idle_key;
    for (genvar c = 0; c < NCores; c++) begin : gen_leaf
      logic [7:0]  distance;
      assign distance = numa_at(numa_dist_i, n, node_i[c*3 +: 3]);
      assign idle_key[c*16 +: 16] = {distance, util_i[c*8 +: 8]};  // spec 7.1
    end
    // spec 7.2, second step: the least {far, cost} over the groups' winners
    // within VICT_MAX_DIST of n, the core id appended to the key
    logic [NNodes-1:0]    cand_ok;
    logic [NNodes*27-1:0] cand_key;
    for (genvar g = 0; g < NNodes; g++) begin : gen_cand
      logic [7:0] distance;
      assign distance = numa_at(numa_dist_i, n, g[2:0]);
      assign cand_ok[g] = group_valid[g] && (distance <= cfg_i.vict_max_dist);
      assign cand_key[g*27 +: 27] = {victim_key_f(distance, group_base[g*17 +: 17], cfg_i.vict_dist_shift,
                                                  cfg_i.wake_max_dist), group_core[g*8 +: 8]};
    end
    logic        idle_v, victim_v;
    logic [7:0]  idle_idx, victim_idx;
    logic [15:0] idle_k;
    logic [18:0] victim_k;
    if (Forward) begin : gen_idle2
      // with the runner-up, for vs_forward (Top2)
      vs_argmin2 #(.N(NCores), .KeyW(16), .IdxW(8)) u_idle (
        .valid_i(idle_o), .key_i(idle_key), .valid_o(idle_v), .idx_o(idle_idx), .key_o(idle_k),
        .valid2_o(idle2_valid_d[n]), .idx2_o(idle2_core_d[n*8 +: 8]), .key2_o(idle2_key_d[n*16 +: 16])
      );
    end else begin : gen_idle1
      vs_argmin #(.N(NCores), .KeyW(16), .IdxW(8), .PipeEvery(0)) u_idle (
        .clk_i, .rst_ni, .valid_i(idle_o), .key_i(idle_key),
        .valid_o(idle_v), .idx_o(idle_idx), .key_o(idle_k)
      );
      assign idle2_valid_d[n] = 1'b0;
      assign idle2_core_d[n*8 +: 8] = '0;
      assign idle2_key_d[n*16 +: 16] = '0;
    end
    // the least candidate, all pairs compared at once (one comparison deep,
    // not a tree: the keys are unique, so exactly one valid candidate beats
    // every other valid one)
    logic [NNodes*NNodes-1:0] cand_lt;  // [g*NNodes+h]: g's key < h's (g < h; 0 otherwise)
    for (genvar g = 0; g < NNodes; g++) begin : gen_pair
      for (genvar h = 0; h < NNodes; h++) begin : gen_with
        if (h > g) begin : gen_lt
          assign cand_lt[g*NNodes+h] = cand_key[g*27 +: 27] < cand_key[h*27 +: 27];
        end else begin : gen_unused
          assign cand_lt[g*NNodes+h] = 1'b0;
        end
      end
    end
    logic [NNodes-1:0] cand_win;
    always_comb begin
      for (int g = 0; g < NNodes; g++) begin
        cand_win[g] = cand_ok[g];
        for (int h = 0; h < NNodes; h++) begin
          if (h > g) cand_win[g] = cand_win[g] && (!cand_ok[h] || cand_lt[g*NNodes+h]);
          if (h < g) cand_win[g] = cand_win[g] && (!cand_ok[h] || !cand_lt[h*NNodes+g]);
        end
      end
    end
    logic [26:0] cand_k;       // the winner's key (AND-OR; 0 when there is none)
    logic [11:0] victim_vcpu;  // the winning group's vCPU
    always_comb begin
      cand_k      = 27'd0;
      victim_vcpu = 12'd0;
      for (int g = 0; g < NNodes; g++) begin
        cand_k      = cand_k | (cand_key[g*27 +: 27] & {27{cand_win[g]}});
        victim_vcpu = victim_vcpu | (group_vcpu[g*12 +: 12] & {12{cand_win[g]}});
      end
    end
    assign victim_v   = |cand_win;
    assign victim_idx = cand_k[7:0];
    assign victim_k   = cand_k[26:8];
    assign idle_valid_d[n]            = idle_v;
    assign idle_core_d[n*8 +: 8]      = idle_idx;
    assign idle_dist_d[n*8 +: 8]      = idle_k[15:8];
    assign victim_valid_d[n]          = victim_v;
    assign victim_far_d[n]            = victim_k[18];
    assign victim_core_d[n*8 +: 8]    = victim_idx;
    assign victim_vcpu_d[n*12 +: 12]  = victim_vcpu;
    assign idle_key_d[n*16 +: 16]     = idle_k;
    assign victim_key_d[n*19 +: 19]   = victim_k;
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

  // ---- the results as of now (the WAKE overlap, docs/rtl.md) -----------------
  if (Forward) begin : gen_fwd
    // last cycle's write: one core (either port, or both on the same core),
    // or something vs_forward cannot follow (two cores; CONFIG, whose keys
    // every core's search reads)
    logic                 changed_q, unknown_q;
    logic [7:0]           core_q;
    logic [NNodes*16-1:0] idle_key_q;
    logic [NNodes*19-1:0] victim_key_q;
    logic [NNodes-1:0]    idle2_valid_q;
    logic [NNodes*8-1:0]  idle2_core_q;
    logic [NNodes*16-1:0] idle2_key_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        changed_q     <= 1'b0;
        unknown_q     <= 1'b0;
        core_q        <= '0;
        idle_key_q    <= '0;
        victim_key_q  <= '0;
        idle2_valid_q <= '0;
        idle2_core_q  <= '0;
        idle2_key_q   <= '0;
      end else begin
        changed_q     <= core_we_i || mirror_we_i || config_we_i;
        unknown_q     <= config_we_i || (core_we_i && mirror_we_i && (core_wr_i != mirror_wr_i));
        core_q        <= core_we_i ? core_wr_i : mirror_wr_i;
        idle_key_q    <= idle_key_d;
        victim_key_q  <= victim_key_d;
        idle2_valid_q <= idle2_valid_d;
        idle2_core_q  <= idle2_core_d;
        idle2_key_q   <= idle2_key_d;
      end
    end

    // that core's state now (AND-OR multiplexers; 0s for an id >= NCores)
    logic [2:0]  c_node;
    logic        c_online, c_lat;
    logic [7:0]  c_util;
    logic [1:0]  c_occ;
    logic [11:0] c_vcpu;
    logic [15:0] c_credit, c_slice;
    always_comb begin
      c_node = '0; c_online = 1'b0; c_lat = 1'b0; c_util = '0; c_occ = '0; c_vcpu = '0;
      c_credit = '0; c_slice = '0;
      for (int c = 0; c < NCores; c++) begin
        if (core_q == c[7:0]) begin
          c_node   = c_node   | node_i[c*3 +: 3];
          c_online = c_online | online_i[c];
          c_lat    = c_lat    | lat_i[c];
          c_util   = c_util   | util_i[c*8 +: 8];
          c_occ    = c_occ    | occ_i[c*2 +: 2];
          c_vcpu   = c_vcpu   | vcpu_i[c*12 +: 12];
          c_credit = c_credit | credit_i[c*16 +: 16];
          c_slice  = c_slice  | slice_i[c*16 +: 16];
        end
      end
    end
    logic        c_idle, c_victimable;
    logic [16:0] c_base;
    assign c_idle       = c_online && (c_occ == vs_pkg::OccIdle);
    assign c_victimable = c_online && (c_occ == vs_pkg::OccRun) && !c_lat;
    assign c_base       = victim_base_f(c_credit, c_slice, cfg_i.vict_credit_shift, cfg_i.vict_slice_shift);

    for (genvar n = 0; n < NNodes; n++) begin : gen_node
      logic [7:0]  distance;
      logic        idle_stale, victim_stale, idle_is_core, victim_is_core;
      logic [15:0] idle_k;
      logic [18:0] victim_k;
      assign distance = numa_at(numa_dist_i, n, c_node);
      vs_forward #(.KeyW(16), .IdxW(8), .Top2(1'b1)) u_idle (  // spec 7.1
        .changed_i(changed_q), .unknown_i(unknown_q), .core_i(core_q), .core_ok_i(c_idle),
        .core_key_i({distance, c_util}), .reg_ok_i(idle_valid_o[n]), .reg_idx_i(idle_core_o[n*8 +: 8]),
        .reg_key_i(idle_key_q[n*16 +: 16]), .sec_ok_i(idle2_valid_q[n]), .sec_idx_i(idle2_core_q[n*8 +: 8]),
        .sec_key_i(idle2_key_q[n*16 +: 16]), .ok_o(fwd_idle_valid_o[n]), .idx_o(fwd_idle_core_o[n*8 +: 8]),
        .key_o(idle_k), .is_core_o(idle_is_core), .stale_o(idle_stale)
      );
      vs_forward #(.KeyW(19), .IdxW(8)) u_victim (  // spec 7.2
        .changed_i(changed_q), .unknown_i(unknown_q), .core_i(core_q),
        .core_ok_i(c_victimable && (distance <= cfg_i.vict_max_dist)),
        .core_key_i(victim_key_f(distance, c_base, cfg_i.vict_dist_shift, cfg_i.wake_max_dist)),
        .reg_ok_i(victim_valid_o[n]), .reg_idx_i(victim_core_o[n*8 +: 8]), .reg_key_i(victim_key_q[n*19 +: 19]),
        .sec_ok_i(1'b0), .sec_idx_i(8'd0), .sec_key_i(19'd0),
        .ok_o(fwd_victim_valid_o[n]), .idx_o(fwd_victim_core_o[n*8 +: 8]), .key_o(victim_k),
        .is_core_o(victim_is_core), .stale_o(victim_stale)
      );
      assign fwd_idle_dist_o[n*8 +: 8]    = idle_k[15:8];
      assign fwd_victim_far_o[n]          = victim_k[18];
      assign fwd_victim_vcpu_o[n*12 +: 12] = victim_is_core ? c_vcpu : victim_vcpu_o[n*12 +: 12];
      assign fwd_stale_o[n]               = idle_stale || victim_stale;
      logic unused_fwd_key;
      assign unused_fwd_key = ^{idle_k[7:0], victim_k[17:0], idle_is_core};
    end
  end else begin : gen_no_fwd
    assign fwd_idle_valid_o   = idle_valid_o;
    assign fwd_idle_core_o    = idle_core_o;
    assign fwd_idle_dist_o    = idle_dist_o;
    assign fwd_victim_valid_o = victim_valid_o;
    assign fwd_victim_far_o   = victim_far_o;
    assign fwd_victim_core_o  = victim_core_o;
    assign fwd_victim_vcpu_o  = victim_vcpu_o;
    assign fwd_stale_o        = '0;
    logic unused_fwd;
    assign unused_fwd = ^{core_we_i, core_wr_i, mirror_we_i, mirror_wr_i, config_we_i, idle_key_d,
                          victim_key_d, idle2_valid_d, idle2_core_d, idle2_key_d};
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

`ifndef SYNTHESIS
  // The victim groups cover every core only if every node is < NNodes
  // (CORE_CFG's E_BAD_NODE check, spec 3).
  always @(posedge clk_i) begin
    for (int c = 0; c < NCores; c++) begin
      assert (!rst_ni || int'(node_i[c*3 +: 3]) < NNodes)
        else $error("vs_search: core %0d is on node %0d, outside the NNodes victim groups", c, node_i[c*3 +: 3]);
    end
  end
`endif
endmodule
