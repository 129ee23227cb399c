// Self-checking testbench of rtl/vs_preempt.sv (CTest rtl_cell_preempt,
// through `verilator --binary --timing --assert`): MaxShards 2, 4 and 8
// side by side, each against a reference of spec 7.3-7.5.
//
// Why: the cell carries one preemption from the EXEC of the WAKE/COMMIT
// that preempts to its last SHARD. A context register loaded at the wrong
// time (the preemptor's expected run, which sizes the shards, or the
// COMMITTED flag of the PREEMPT), a shard sequence that does not restart at
// shard 0, block 0, or a SHARD with the wrong first block, count or LAST
// flag gives the host a wrong split of the victim's work.
// The bench drives the cell as vs_exec does: load_i for one cycle (random
// v, v's expected run, p, u, COMMITTED), VICT the next cycle with u's entry
// (random blocks, block cost, home, shards, often a candidate; its credit
// and home the ones the mirror held for p at load_i, random otherwise), the
// searches' E and H and a random configuration, then one SHARD cycle per
// shard with a random target, and idle gaps in between. The shard sizing
// itself (K, s(K)) is vs_shard_size's, tested against the golden model by
// rtl_cell_shard_size; here a second vs_shard_size fed from the bench's
// own copy of the context (and its own candidate test of 7.3) gives the
// reference K and s, so a context or candidate error shows as a different K.
// Checked every cycle: credit_o in VICT (p's mirrored credit at load_i: the
// cell also asserts it equals the entry's), k_o, taken_o, left_o (B - K * s),
// surcharge_o (K * SHARD_CREDIT + SYNC_CREDIT), credit_after_o (the credit
// minus the surcharge, clamped to +-CREDIT_CAP, for K >= 1: the cell picks
// it by K among one credit unit per K), the PREEMPT decision field by
// field, shard_home_o (p's mirrored home at load_i, in VICT and through the
// SHARDs), each SHARD decision (u, t_i, i, first_i = i * s, count s, LAST
// on i = K - 1), last_o and the context outputs. Prints "vs_preempt_tb: PASS" or stops with $fatal.
//
// Mutants tried (copies of the cell, not committed); each made this bench
// fail: victim_q loaded every cycle (not only on load_i), the shard index
// not restarted in VICT, and COMMITTED and NOSHARD swapped in the PREEMPT
// flags; the mirrored credit picked by the registered p (victim_core_q)
// instead of the p of load_i; the credit of K - 1 shards chosen for K
// (credit_k index off by one); u's home taken from p's mirror every cycle,
// not only at load_i (the SHARDs then search from another node). (erun_q
// or the credit loaded every cycle is
// not caught, and cannot be: VICT, their only reader, always comes the
// cycle after load_i.)
module vs_preempt_chk #(
  parameter int NCores = 8,
  parameter int MaxShards = 4,
  parameter int Seed = 1
) (
  input logic clk,
  input logic rst_n
);
  // The configuration is a register in the engine (vs_cfg_regs): the bench
  // draws the next one at the negative edge (cfg_n) and it takes effect at
  // the positive edge, so the cell's combinational logic sees it change in
  // the NBA region as in the engine. (Written directly from this timed
  // process, Verilator 5.006 did not re-evaluate the per-K credit units on
  // a CREDIT_CAP change until their other inputs changed.)
  vs_regs_pkg::cfg_t cfg, cfg_n;
  always @(posedge clk) cfg <= cfg_n;
  logic [31:0]   seq;
  logic          load, vict, shard;
  logic [11:0]   preemptor, victim;
  logic [15:0]   erun, credit;
  logic [NCores*16-1:0] core_credit;
  logic [NCores*3-1:0]  core_home;
  logic [7:0]    victim_core, target;
  logic          committed;
  vs_pkg::vcpu_t entry;
  logic [8:0]    elig, hot;
  logic [3:0]    k, count, index;
  logic [7:0]    taken, left;
  logic [16:0]   surcharge;
  logic [15:0]   credit_after;
  logic [127:0]  preempt_dec, shard_dec;
  logic          last;
  logic [2:0]    home;
  logic [11:0]   preemptor_o, victim_o;
  logic [7:0]    victim_core_o;

  vs_preempt #(.NCores(NCores), .MaxShards(MaxShards)) u_dut (
    .clk_i(clk), .rst_ni(rst_n), .cfg_i(cfg), .seq_i(seq), .load_i(load), .preemptor_i(preemptor),
    .erun_i(erun), .victim_core_i(victim_core), .victim_i(victim), .committed_i(committed),
    .core_credit_i(core_credit), .core_home_i(core_home), .vict_i(vict), .entry_i(entry), .eligible_i(elig), .hot_i(hot),
    .credit_o(credit), .k_o(k), .taken_o(taken), .left_o(left), .surcharge_o(surcharge),
    .credit_after_o(credit_after),
    .preempt_o(preempt_dec), .shard_i(shard), .shard_target_i(target), .shard_o(shard_dec), .last_o(last),
    .shard_home_o(home), .preemptor_o(preemptor_o), .victim_core_o(victim_core_o), .victim_o(victim_o),
    .shard_count_o(count), .shard_index_o(index)
  );

  // the reference context and its shard sizing
  logic [11:0] r_preemptor, r_victim;
  logic [15:0] r_erun, r_credit;
  logic [7:0]  r_victim_core, r_size;
  logic        r_committed, r_cand;
  logic [2:0]  r_home;
  logic [3:0]  r_k, r_count, r_index;
  logic [7:0]  r_taken, r_left, r_first, r_s;  // r_s: s(K) kept from VICT
  int          r_after;                 // credit - surcharge, clamped (spec 6.4)
  vs_shard_size #(.MaxShards(MaxShards)) u_ref_size (
    .cand_i(r_cand), .blocks_i(entry.blocks), .bcost_i(entry.bcost), .erun_i(r_erun), .elig_i(elig),
    .hot_i(hot), .max_shards_i(cfg.max_shards), .load_hot_i(cfg.load_hot_cores), .k_load_i(cfg.k_under_load),
    .sync_cost_i(cfg.sync_cost_us), .k_o(r_k), .size_o(r_size), .taken_o(r_taken), .left_o(r_left)
  );
  assign r_cand = cfg.shard_enable && (entry.shards == 4'd0) && ($signed(entry.credit) >= $signed(cfg.shard_min_credit));

  int phase;  // 0 idle, 1 VICT next, 2 SHARD
  int unsigned errors = 0;
  int unsigned preemptions = 0, sharded = 0, shards = 0, clamped = 0, by_k[9];

  task automatic fail(input string what);
    errors++;
    if (errors <= 10) $display("vs_preempt_tb: MaxShards %0d: %s", MaxShards, what);
  endtask

  initial begin
    cfg = '0; cfg_n = '0; seq = '0; load = 1'b0; vict = 1'b0; shard = 1'b0; preemptor = '0; victim = '0; erun = '0;
    victim_core = '0; target = '0; committed = 1'b0; entry = '0; elig = '0; hot = '0;
    r_preemptor = '0; r_victim = '0; r_erun = '0; r_credit = '0; r_victim_core = '0; r_committed = 1'b0;
    r_home = '0; core_credit = '0; core_home = '0;
    r_count = '0; r_index = '0; r_first = '0; r_s = '0; r_after = 0;
    phase = 0;
    for (int i = 0; i < 9; i++) by_k[i] = 0;
    void'($urandom(Seed));
  end

  always @(negedge clk) begin
    if (rst_n) begin
      int unsigned s;
      // 1. This cycle's inputs (the context inputs change every cycle:
      // only load_i may take them).
      load = 1'b0; vict = 1'b0; shard = 1'b0;
      preemptor = 12'($urandom); erun = 16'($urandom % 3000); victim_core = 8'($urandom);
      victim = 12'($urandom); committed = 1'($urandom); target = 8'($urandom); seq = $urandom;
      elig = 9'($urandom % 12); hot = 9'($urandom % 12);
      for (int c = 0; c < NCores; c++) core_credit[c*16 +: 16] = 16'($signed($urandom % 600) - 300);
      for (int c = 0; c < NCores; c++) core_home[c*3 +: 3] = 3'($urandom);
      if ($urandom % 8 == 0) begin
        cfg_n.shard_enable = ($urandom % 8) != 0;
        cfg_n.max_shards = 4'($urandom % MaxShards + 1);
        cfg_n.shard_min_credit = 16'($signed($urandom % 400) - 200);
        cfg_n.load_hot_cores = 9'($urandom % 12);
        cfg_n.k_under_load = 4'($urandom % MaxShards + 1);
        cfg_n.sync_cost_us = 16'($urandom % 600);
        cfg_n.shard_credit = 8'($urandom);
        cfg_n.sync_credit = 8'($urandom);
        cfg_n.credit_cap = 15'(($urandom % 4 == 0) ? $urandom % 40 + 1 : $urandom % 3000 + 1);
      end
      entry = vs_pkg::vcpu_t'({$urandom, $urandom, $urandom, $urandom});
      entry.shards = (($urandom % 4) == 0) ? 4'($urandom) : 4'd0;
      entry.credit = 16'($signed($urandom % 600) - 300);
      entry.blocks = 8'($urandom % 64);
      entry.bcost = 16'($urandom % 200);
      if (phase == 0 && ($urandom % 3) == 0) begin
        load = 1'b1;
        victim_core = 8'($urandom % NCores);  // the victim search names a core
      end else if (phase == 1) begin
        // u ran on p until EXEC and is not latency-sensitive (7.2; the cell asserts it)
        vict = 1'b1;
        entry.lat = 1'b0; entry.state = vs_pkg::VstRunning; entry.core = r_victim_core;
        entry.credit = r_credit;  // u ran whole on p: the mirror had its credit and home (vs_top's a_mirror)
        entry.home = r_home;
      end else if (phase == 2) begin
        shard = 1'b1;
      end
      #1;
      // 2. The outputs of this cycle against the reference.
      if (preemptor_o !== r_preemptor || victim_o !== r_victim || victim_core_o !== r_victim_core)
        fail($sformatf("context v %0d u %0d p %0d, expected %0d %0d %0d", preemptor_o, victim_o, victim_core_o,
                       r_preemptor, r_victim, r_victim_core));
      if (vict) begin
        preemptions++;
        if (credit !== r_credit) fail($sformatf("VICT: credit %0d, expected %0d", credit, r_credit));
        if (k !== r_k || taken !== r_taken)
          fail($sformatf("VICT: K %0d taken %0d, expected %0d %0d (erun %0d)", k, taken, r_k, r_taken, r_erun));
        if (surcharge !== 17'(32'(r_k) * 32'(cfg.shard_credit) + 32'(cfg.sync_credit)))
          fail($sformatf("VICT: surcharge %0d for K %0d", surcharge, r_k));
        if (left !== entry.blocks - r_taken || left !== r_left)
          fail($sformatf("VICT: left %0d for B %0d, K %0d, taken %0d", left, entry.blocks, r_k, r_taken));
        r_after = int'($signed(r_credit)) - int'(r_k) * int'(cfg.shard_credit) - int'(cfg.sync_credit);
        if (r_after > int'(cfg.credit_cap)) r_after = int'(cfg.credit_cap);
        if (r_after < -int'(cfg.credit_cap)) r_after = -int'(cfg.credit_cap);
        if (r_k != 4'd0 && credit_after !== 16'(r_after)) begin
          fail($sformatf("VICT: credit after the surcharge %0d, expected %0d (credit %0d K %0d cap %0d)",
                         $signed(credit_after), r_after, $signed(r_credit), r_k, cfg.credit_cap));
        end
        if (r_k != 4'd0 && r_after == -int'(cfg.credit_cap)) clamped++;
        if (preempt_dec !== vs_pkg::decision(vs_pkg::DecPreempt, {6'd0, r_committed, r_k == 4'd0},
                                             {4'd0, r_victim}, seq, r_victim_core, {4'd0, r_k},
                                             {4'd0, r_preemptor}, 32'd0))
          fail($sformatf("VICT: PREEMPT %032h", preempt_dec));
        if (home !== r_home) fail($sformatf("VICT: shard home %0d, expected %0d", home, r_home));
      end
      if (shard) begin
        shards++;
        s = 32'(r_s);
        if (shard_dec !== vs_pkg::decision(vs_pkg::DecShard, {7'd0, r_index == r_count - 4'd1},
                                           {4'd0, r_victim}, seq, target, {4'd0, r_index}, {8'd0, r_first},
                                           32'(s)))
          fail($sformatf("SHARD %0d of %0d: %032h", r_index, r_count, shard_dec));
        if (last !== (r_index == r_count - 4'd1) || count !== r_count || index !== r_index || home !== r_home)
          fail($sformatf("SHARD: last %0d count %0d index %0d home %0d, expected %0d %0d %0d %0d", last, count,
                         index, home, r_index == r_count - 4'd1, r_count, r_index, r_home));
      end
      // 3. The reference after the next posedge.
      if (load) begin
        r_preemptor = preemptor; r_erun = erun; r_victim_core = victim_core; r_victim = victim;
        r_credit = core_credit[32'(victim_core)*16 +: 16];
        r_home = core_home[32'(victim_core)*3 +: 3];
        r_committed = committed;
        phase = 1;
      end else if (vict) begin
        by_k[r_k]++;
        if (r_k != 4'd0) begin
          sharded++;
          r_count = r_k; r_index = 4'd0; r_first = 8'd0; r_s = r_size;
          phase = 2;
        end else begin
          phase = 0;
        end
      end else if (shard) begin
        if (r_index == r_count - 4'd1) phase = 0;
        r_index = r_index + 4'd1;
        r_first = r_first + r_s;
      end
    end
  end
endmodule

module vs_preempt_tb;
  logic clk = 1'b0;
  logic rst_n = 1'b0;
  always #5 clk = ~clk;

  vs_preempt_chk #(.NCores(3), .MaxShards(2), .Seed(1)) u_m2 (.clk, .rst_n);
  vs_preempt_chk #(.NCores(8), .MaxShards(4), .Seed(2)) u_m4 (.clk, .rst_n);
  vs_preempt_chk #(.NCores(64), .MaxShards(8), .Seed(3)) u_m8 (.clk, .rst_n);

  initial begin
    int unsigned errors;
    repeat (3) @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;
    repeat (40000) @(posedge clk);
    @(negedge clk);
    errors = u_m2.errors + u_m4.errors + u_m8.errors;
    if (errors != 0) $fatal(1, "vs_preempt_tb: FAIL, %0d mismatches", errors);
    // The stimulus must reach what the bench is for: preemptions with and
    // without shards, and every K up to MaxShards.
    if (u_m2.by_k[2] < 50 || u_m4.by_k[4] < 50 || u_m8.by_k[8] < 20 || u_m8.by_k[0] < 100 || u_m4.by_k[3] < 50 ||
        u_m4.clamped < 20 || u_m4.sharded - u_m4.clamped < 20)
      $fatal(1, "vs_preempt_tb: FAIL, stimulus too weak (K=2 %0d, K=4 %0d, K=8 %0d, K=0 %0d, clamped %0d of %0d)",
             u_m2.by_k[2], u_m4.by_k[4], u_m8.by_k[8], u_m8.by_k[0], u_m4.clamped, u_m4.sharded);
    $display("vs_preempt_tb: PASS (MaxShards 2/4/8: %0d/%0d/%0d preemptions, %0d/%0d/%0d sharded, %0d/%0d/%0d SHARDs; K = 8: %0d; clamped at -cap: %0d/%0d/%0d)",
             u_m2.preemptions, u_m4.preemptions, u_m8.preemptions, u_m2.sharded, u_m4.sharded, u_m8.sharded,
             u_m2.shards, u_m4.shards, u_m8.shards, u_m8.by_k[8], u_m2.clamped, u_m4.clamped, u_m8.clamped);
    $finish;
  end
endmodule
