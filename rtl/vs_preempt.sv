// vs_preempt: the preemption in flight, for vs_exec (docs/spec.md 7.3-7.5):
// its context from the EXEC of the WAKE/COMMIT that preempts to the last
// SHARD, the shard sizing of the victim, and the PREEMPT and SHARD decisions.
//
//   EXEC  (load_i) v takes core p from u: v, v's expected run, p, u and
//         whether a COMMIT held are kept;
//   VICT  (vict_i) entry_i is u's entry: the sharding candidate (7.3), K and
//         s(K) (vs_shard_size), the surcharge (6.4), the PREEMPT decision;
//         with K >= 1 the SHARD sequence starts at shard 0, block 0;
//   SHARD (shard_i) shard i on target t_i (shard_target_i, the argmin of the
//         eligible cores from u's home, shard_home_o): first_i = i * s,
//         count_i = s; LAST on i = K - 1 (last_o).
// vs_exec writes u's entry from k_o, left_o and credit_after_o, the core
// table from the SHARD decisions, and moves the FSM.
//
// u's credit after the surcharge (spec 6.4) is computed for every K in
// 1..MaxShards in parallel with the shard sizing (a credit unit per K, from
// u's credit and the configuration only) and chosen by K: the product
// K * SHARD_CREDIT and the clamp are not behind K on VICT's path
// (docs/rtl.md "The clock: where the longest paths are").
//
// u's credit (credit_o; the candidate test and the surcharge start from
// it) and home (shard_home_o; the shard searches' node): with FromMirror,
// the mirror of p (vs_core_table), taken in EXEC before v's write replaces
// it. u runs whole on p until then, so the mirror is u's credit refilled
// and its home (vs_top's a_mirror), and VICT starts from registers: no
// refill product (vs_refill, on the RAM word) in front of the shard sizing
// and the credit unit, and no RAM read in front of the eligibility of every
// core (docs/rtl.md "The clock: where the longest paths are"). Without it
// (the eager refill, where the word read in VICT is not refilled), the
// entry's credit and home.
module vs_preempt #(
  parameter int NCores = 8,
  parameter int MaxShards = 4,
  parameter bit FromMirror = 1'b1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  vs_regs_pkg::cfg_t cfg_i,
  input  logic [31:0]       seq_i,           // the event's sequence number (decisions)
  // EXEC: the preemption (vs_place)
  input  logic              load_i,
  input  logic [11:0]       preemptor_i,     // v
  input  logic [15:0]       erun_i,          // v's expected run (spec 7.4 T)
  input  logic [7:0]        victim_core_i,   // p
  input  logic [11:0]       victim_i,        // u
  input  logic              committed_i,     // a COMMIT held: flag COMMITTED
  input  logic [NCores*16-1:0] core_credit_i, // the mirrored credits (vs_core_table)
  input  logic [NCores*3-1:0]  core_home_i,   // ... and homes
  // VICT
  input  logic              vict_i,
  input  vs_pkg::vcpu_t     entry_i,         // T[u], read in EXEC
  input  logic [8:0]        eligible_i,      // E: shard-eligible cores (vs_search)
  input  logic [8:0]        hot_i,
  output logic [15:0]       credit_o,        // u's credit, refilled
  output logic [3:0]        k_o,             // K (0: no sharding)
  output logic [7:0]        taken_o,         // K * s(K), blocks given to the shards
  output logic [7:0]        left_o,          // B - K * s(K), blocks u keeps
  output logic [16:0]       surcharge_o,     // K * SHARD_CREDIT + SYNC_CREDIT (spec 6.4)
  output logic [15:0]       credit_after_o,  // u's credit minus the surcharge, clamped (K >= 1)
  output logic [127:0]      preempt_o,       // the PREEMPT decision
  // SHARD
  input  logic              shard_i,
  input  logic [7:0]        shard_target_i,  // t_i
  output logic [127:0]      shard_o,         // the SHARD decision of shard i
  output logic              last_o,          // i = K - 1
  output logic [2:0]        shard_home_o,    // node the shard search serves: u's home
  // the context, for vs_exec and the formal properties
  output logic [11:0]       preemptor_o,
  output logic [7:0]        victim_core_o,
  output logic [11:0]       victim_o,
  output logic [3:0]        shard_count_o,
  output logic [3:0]        shard_index_o
);
  logic [11:0] preemptor_q;       // v, the vCPU that takes the core
  logic [15:0] erun_q;            // its expected run
  logic [7:0]  victim_core_q;     // p
  logic [11:0] victim_q;          // u, preempted (its entry is read in EXEC)
  logic        committed_q;
  logic [3:0]  count_q;           // K
  logic [7:0]  size_q;            // s(K), blocks per shard
  logic [3:0]  index_q;           // i
  logic [7:0]  first_q;           // first block of shard i

  // Spec 7.3 / 7.4 on the victim's whole entry. The candidate conditions on
  // blocks, bcost and E are implied by K >= 1 (vs_shard_size); v's erun gives T.
  logic       cand;
  logic [7:0] size;
  if (FromMirror) begin : gen_mirror
    logic [15:0] credit_q, p_credit;  // u's credit: taken in EXEC / p's mirror now
    logic [2:0]  home_q, p_home;      // u's home: the same
    always_comb begin
      p_credit = '0;
      p_home = '0;
      for (int c = 0; c < NCores; c++) begin
        if (victim_core_i == c[7:0]) begin
          p_credit = core_credit_i[c*16 +: 16];
          p_home = core_home_i[c*3 +: 3];
        end
      end
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        credit_q <= '0;
        home_q <= '0;
      end else if (load_i) begin
        credit_q <= p_credit;
        home_q <= p_home;
      end
    end
    assign credit_o = credit_q;
    assign shard_home_o = home_q;  // VICT and SHARD
  end else begin : gen_entry
    logic [2:0] home_q;  // u's home, from its entry in VICT
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) home_q <= '0;
      else if (vict_i) home_q <= entry_i.home;
    end
    assign credit_o = entry_i.credit;
    assign shard_home_o = vict_i ? entry_i.home : home_q;  // VICT searches from the entry just read
  end
  assign cand = cfg_i.shard_enable && (entry_i.shards == 4'd0) &&
                ($signed(credit_o) >= $signed(cfg_i.shard_min_credit));
  vs_shard_size #(.MaxShards(MaxShards)) u_shard_size (
    .cand_i(cand), .blocks_i(entry_i.blocks), .bcost_i(entry_i.bcost), .erun_i(erun_q),
    .elig_i(eligible_i), .hot_i(hot_i), .max_shards_i(cfg_i.max_shards),
    .load_hot_i(cfg_i.load_hot_cores), .k_load_i(cfg_i.k_under_load), .sync_cost_i(cfg_i.sync_cost_us),
    .k_o(k_o), .size_o(size), .taken_o(taken_o), .left_o(left_o)
  );

  // spec 6.4: the surcharge k * SHARD_CREDIT + SYNC_CREDIT and credit[u]
  // minus it, clamped, for each k = 0..MaxShards; K picks one (u's credit
  // when K = 0: unused, vs_exec keeps the entry's).
  logic [17*MaxShards+16:0] amount_k;  // k at bits 17k+16:17k
  logic [16*MaxShards+15:0] credit_k;  // k at bits 16k+15:16k
  assign amount_k[16:0] = {9'd0, cfg_i.sync_credit};
  assign credit_k[15:0] = credit_o;
  for (genvar k = 1; k <= MaxShards; k++) begin : gen_surcharge
    localparam int KI = k;
    localparam logic [11:0] K12 = KI[11:0];
    assign amount_k[17*k +: 17] = {5'd0, K12 * {4'd0, cfg_i.shard_credit}} + {9'd0, cfg_i.sync_credit};
    vs_credit u_credit (
      .credit_i(credit_o), .sub_i(1'b1), .amount_i(amount_k[17*k +: 17]), .cap_i(cfg_i.credit_cap),
      .credit_o(credit_k[16*k +: 16])
    );
  end
  always_comb begin
    surcharge_o = amount_k[16:0];
    credit_after_o = credit_o;
    for (int k = 1; k <= MaxShards; k++) begin
      if (k_o == k[3:0]) begin
        surcharge_o = amount_k[17*k +: 17];
        credit_after_o = credit_k[16*k +: 16];
      end
    end
  end

  // spec 4: PREEMPT(u, p, K, v), flags {COMMITTED, NOSHARD}; SHARD(u, t_i, i, first_i, count_i), flag LAST
  assign preempt_o = vs_pkg::decision(vs_pkg::DecPreempt, {6'd0, committed_q, (k_o == 4'd0)}, {4'd0, victim_q},
                                      seq_i, victim_core_q, {4'd0, k_o}, {4'd0, preemptor_q}, 32'd0);
  assign last_o    = (index_q == count_q - 4'd1);
  assign shard_o   = vs_pkg::decision(vs_pkg::DecShard, {7'd0, last_o}, {4'd0, victim_q}, seq_i, shard_target_i,
                                      {4'd0, index_q}, {8'd0, first_q}, {24'd0, size_q});

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      preemptor_q   <= '0;
      erun_q        <= '0;
      victim_core_q <= '0;
      victim_q      <= '0;
      committed_q   <= 1'b0;
      count_q       <= '0;
      size_q        <= '0;
      index_q       <= '0;
      first_q       <= '0;
    end else begin
      if (load_i) begin
        preemptor_q   <= preemptor_i;
        erun_q        <= erun_i;
        victim_core_q <= victim_core_i;
        victim_q      <= victim_i;
        committed_q   <= committed_i;
      end
      if (vict_i && k_o != 4'd0) begin
        count_q <= k_o;
        size_q  <= size;
        index_q <= 4'd0;
        first_q <= 8'd0;
      end
      if (shard_i) begin
        index_q <= index_q + 4'd1;
        first_q <= first_q + size_q;
      end
    end
  end

  assign preemptor_o   = preemptor_q;
  assign victim_core_o = victim_core_q;
  assign victim_o      = victim_q;
  assign shard_count_o = count_q;
  assign shard_index_o = index_q;

  logic unused;  // the keys and fields the other cells read
  assign unused = ^{cfg_i.slice_us, cfg_i.credit_per_ms, cfg_i.refill_per_weight, cfg_i.lat_boost,
                    cfg_i.util_shift, cfg_i.wake_max_dist, cfg_i.vict_max_dist, cfg_i.vict_dist_shift,
                    cfg_i.vict_credit_shift, cfg_i.vict_slice_shift, cfg_i.shard_util_max, cfg_i.shard_min_freq,
                    cfg_i.shard_max_dist, entry_i.rnd, entry_i.weight, entry_i.erun, entry_i.cap, entry_i.used,
                    core_credit_i, core_home_i, entry_i.credit, entry_i.home};

`ifndef SYNTHESIS
  // spec 6: credit - amount, clamped to [-cap, cap] (the reference of vs_credit)
  function automatic logic [15:0] clamp_sub(input logic [15:0] credit, input logic [16:0] amount,
                                            input logic [14:0] cap);
    int wide;
    wide = int'($signed(credit)) - int'(amount);
    if (wide > int'(cap)) wide = int'(cap);
    if (wide < -int'(cap)) wide = -int'(cap);
    return wide[15:0];
  endfunction
  always @(posedge clk_i) begin
    if (rst_ni && vict_i) begin
      // The victim entry read for a preemption: a non-latency vCPU that ran
      // on the victim core until EXEC (7.2).
      assert (!entry_i.lat && entry_i.state == vs_pkg::VstRunning && entry_i.core == victim_core_q)
        else $error("vs_preempt: victim vCPU %0d read as lat %0d state %0d core %0d, not on core %0d",
                    victim_q, entry_i.lat, entry_i.state, entry_i.core, victim_core_q);
      // ... and its credit, refilled, and home are the ones taken from p's mirror in EXEC.
      assert (credit_o == entry_i.credit && shard_home_o == entry_i.home)
        else $error("vs_preempt: victim vCPU %0d: credit %0d home %0d from core %0d's mirror, its entry %0d %0d",
                    victim_q, $signed(credit_o), shard_home_o, victim_core_q, $signed(entry_i.credit), entry_i.home);
      // The 7.3 conditions vs_shard_size leaves out are implied by K >= 1;
      // the credit and blocks K picks are those of its surcharge and split.
      if (k_o != 4'd0) begin
        assert (credit_after_o == clamp_sub(credit_o, surcharge_o, cfg_i.credit_cap) &&
                left_o == entry_i.blocks - taken_o)
          else $error("vs_preempt: K = %0d: credit %0d blocks %0d, expected %0d and %0d", k_o,
                      $signed(credit_after_o), left_o, $signed(clamp_sub(credit_o, surcharge_o, cfg_i.credit_cap)),
                      entry_i.blocks - taken_o);
        assert (entry_i.blocks != 8'd0 && eligible_i != 9'd0 &&
                {8'd0, entry_i.blocks} * {8'd0, entry_i.bcost} >= {16'd0, cfg_i.sync_cost_us} &&
                taken_o <= entry_i.blocks)
          else $error("vs_preempt: K = %0d for B = %0d, bcost = %0d, E = %0d", k_o, entry_i.blocks,
                      entry_i.bcost, eligible_i);
      end
    end
  end
`endif
endmodule
