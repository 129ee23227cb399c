// vs_refill: ACCOUNT's refill (docs/spec.md 6.2, the cap reset of 6.5) on
// the read side of the vCPU table, for vs_exec (docs/rtl.md "ACCOUNT: the
// lazy refill").
//
// With LazyRefill, each table word carries the refill round it was last
// written in (rnd, vs_pkg::RndW bits). ACCOUNT advances the round (start_i),
// so every word then owes the rounds since its write: k = round - rnd
// (mod 2^RndW), pending_o when k != 0. The word read (word_i, from
// vs_accept) goes through the refill unit when it is pending, and
// everything in the engine sees the refilled word (word_o): k refills at
// once. A write always stores rnd = round_o, so the write of a word read
// refilled stores the refills; a word read but not written stays pending
// and is refilled again from the same stored value on its next read (never
// twice).
//
// k refills at once (spec 6.2 applied k times with the same CREDIT_CAP,
// REFILL_PER_WEIGHT and weight, a = weight * REFILL_PER_WEIGHT >= 0): the
// first is clamp(credit + a, -cap, cap); after it the credit is >= -cap, so
// each further one only meets the upper bound, and k of them give
// min(cap, clamp(credit + a, -cap, cap) + (k - 1) * a). (The configuration
// does not change under a pending word: vs_accept holds back a CONFIG of
// CREDIT_CAP or REFILL_PER_WEIGHT that changes either while round_busy_o,
// and VCPU_CFG writes the weight of a word it read, refilled.)
//
// The only writes that exist to store a refill are the background sweep's,
// kept here: words 0..NVcpus-1 in a cycle, read in cycles where no event
// uses the read port (sweep_rd_i, vs_accept), written back in the next
// cycle, which writes no other word, when pending (sweep_wb_o; vs_exec).
// The searches read the running vCPUs' credits from the core table's
// mirror, which ACCOUNT refills itself (vs_core_table's refill port), so a
// RUNNING word may owe rounds too: refilled, it gives its mirror's credit.
//
// How many rounds a word can owe: the sweep's laps bound it. A word visited
// in the current lap owes at most the ACCOUNTs since the lap's first read
// (owed_cur_q); every word owes at most the ACCOUNTs since the previous
// lap's first read (owed_q). So the next ACCOUNT is taken only while owed_q <
// 2^RndW - 1 (account_ok_o), and a word can never owe more rounds than its
// stamp can count. No word owes anything when owed_q = 0: then the sweep
// stops, and only then may CREDIT_CAP or REFILL_PER_WEIGHT change
// (round_busy_o); a CONFIG waiting for that restarts a lap that has seen an
// ACCOUNT (restart_i), so it waits one lap. In a dense stream, where the sweep gets few free cycles,
// ACCOUNTs go on while a lap lasts up to 2^RndW - 2 of them (docs/rtl.md).
//
module vs_refill #(
  parameter int NVcpus = 64,
  parameter bit LazyRefill = 1'b1
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          soft_rst_i,           // INIT writes every word in the current round
  input  logic [14:0]   credit_cap_i,         // CREDIT_CAP
  input  logic [7:0]    refill_per_weight_i,  // REFILL_PER_WEIGHT
  input  logic          start_i,              // ACCOUNT executes: a new round (only if account_ok_o)
  input  logic          sweep_rd_i,           // the sweep's word is read this cycle (vs_accept)
  input  logic          restart_i,            // a CONFIG waits for round_busy_o (vs_accept)
  input  vs_pkg::vcpu_t word_i,               // the word read, as the table stands
  output vs_pkg::vcpu_t word_o,               // ... refilled if it owes the round's refill
  output logic          pending_o,            // word_i owes it
  output logic [16:0]   amount_o,             // weight * REFILL_PER_WEIGHT of word_i
  output logic [vs_pkg::RndW-1:0] round_o,    // the current round: every write stores it
  output logic          sweep_active_o,       // some word may owe a refill: the sweep runs
  output logic [11:0]   sweep_index_o,        // its next word
  output logic          sweep_wb_o,           // word_i is the word the sweep read last cycle
  output logic          round_busy_o,         // some word may owe a refill
  output logic          account_ok_o          // a new round cannot overflow a word's stamp
);
  localparam int LastVcpuI = NVcpus - 1;
  localparam logic [11:0] LastVcpu = LastVcpuI[11:0];

  localparam int RndW = vs_pkg::RndW;
  localparam logic [RndW-1:0] MaxOwed = '1;

  logic [RndW-1:0] round_q, round_d;
  logic [RndW-1:0] owed_q, owed_d;          // bound on the rounds any word owes
  logic [RndW-1:0] owed_cur_q, owed_cur_d;  // ... any word visited in this lap
  logic [11:0]     index_q, index_d;
  logic            wb_q;

  // spec 6.2 / 6.5: credit = clamp(credit + weight * REFILL_PER_WEIGHT), used = 0,
  // k times, with the values in force at those ACCOUNTs (vs_accept holds
  // back the CONFIGs that change them while a word may owe a refill)
  logic [RndW-1:0]      owed;
  logic [15:0]          first, credit;
  logic [RndW+16:0]     more;    // (k - 1) * a
  logic signed [RndW+18:0] sum;  // first + (k - 1) * a, exact
  assign owed      = round_q - word_i.rnd;
  assign pending_o = (owed != '0);
  assign amount_o  = {1'b0, {8'd0, word_i.weight} * {8'd0, refill_per_weight_i}};
  vs_credit u_credit (
    .credit_i(word_i.credit), .sub_i(1'b0), .amount_i(amount_o), .cap_i(credit_cap_i), .credit_o(first)
  );
  logic [RndW-1:0] owed_less;   // k - 1
  assign owed_less = owed - {{(RndW-1){1'b0}}, 1'b1};
  assign more   = {{(RndW-1){1'b0}}, amount_o} * {17'd0, owed_less};
  assign sum    = $signed({{(RndW+3){first[15]}}, first}) + $signed({2'b00, more});
  assign credit = (sum > $signed({{(RndW+4){1'b0}}, credit_cap_i})) ? {1'b0, credit_cap_i} : sum[15:0];
  // one assignment of the whole word (see vs_pkg::vcpu_t)
  assign word_o = (LazyRefill && pending_o) ? {word_i.rnd, word_i.state, word_i.lat, credit, word_i.weight,
                                               word_i.home, word_i.blocks, word_i.bcost, word_i.core,
                                               word_i.shards, word_i.erun, word_i.cap, 16'd0}
                                            : word_i;

  always_comb begin
    round_d    = round_q;
    owed_d     = owed_q;
    owed_cur_d = owed_cur_q;
    index_d    = index_q;
    if (sweep_rd_i) begin
      index_d = index_q + 12'd1;
      if (index_q == LastVcpu) begin
        // a lap ends: every word has been visited since the last lap began
        index_d    = 12'd0;
        owed_d     = owed_cur_q;
        owed_cur_d = '0;
      end
    end
    if (restart_i && (owed_cur_q != '0)) begin
      // a CONFIG waits for no word to owe a refill: a lap from word 0 now,
      // with no ACCOUNT to come before the CONFIG, ends that (one lap, not
      // the rest of this one and another). Always safe: owed_q still bounds
      // every word, and no word has been visited in the new lap yet.
      index_d    = 12'd0;
      owed_cur_d = '0;
    end
    if (LazyRefill && start_i) begin
      // every word owes one more round from the next cycle (a sweep read
      // never coincides with ACCOUNT's EXEC: vs_accept)
      round_d    = round_q + {{(RndW-1){1'b0}}, 1'b1};
      owed_d     = owed_d + {{(RndW-1){1'b0}}, 1'b1};
      // a lap whose first word is still to be read is all after this
      // ACCOUNT: so one lap after an ACCOUNT no word owes anything
      if (index_d != 12'd0) owed_cur_d = owed_cur_d + {{(RndW-1){1'b0}}, 1'b1};
    end
    if (soft_rst_i) begin
      // INIT writes every word in the current round
      owed_d     = '0;
      owed_cur_d = '0;
      index_d    = 12'd0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      round_q    <= '0;
      owed_q     <= '0;
      owed_cur_q <= '0;
      index_q    <= '0;
      wb_q       <= 1'b0;
    end else begin
      round_q    <= round_d;
      owed_q     <= owed_d;
      owed_cur_q <= owed_cur_d;
      index_q    <= index_d;
      wb_q       <= sweep_rd_i && !soft_rst_i;
    end
  end

  assign round_o        = round_q;
  assign sweep_active_o = (owed_q != '0);
  assign sweep_index_o  = index_q;
  assign sweep_wb_o     = wb_q;
  assign round_busy_o   = (owed_q != '0) || wb_q;
  assign account_ok_o   = (owed_q != MaxOwed);
endmodule
