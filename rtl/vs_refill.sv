// vs_refill: ACCOUNT's refill (docs/spec.md 6.2, the cap reset of 6.5) on
// the read side of the vCPU table, for vs_exec (docs/rtl.md "ACCOUNT: the
// lazy refill").
//
// With LazyRefill, each table word carries the refill round it was last
// written in (rnd). ACCOUNT flips the round (start_i), so every word is then
// pending (rnd != round): it owes exactly this one refill. The word read
// (word_i, from vs_accept) goes through the refill unit when it is pending,
// and everything in the engine sees the refilled word (word_o). A write
// always stores rnd = round_o, so the write of a word read refilled stores
// the refill; a word read but not written stays pending and is refilled
// again from the same stored value on its next read (never twice).
//
// Writes that exist only to store a refill (vs_exec drives them):
//   * ACCT, right after ACCOUNT's EXEC: the vCPUs running whole (the vCPU on
//     each core), so that the core table's mirror, the searches and the
//     prestaged table see the refilled credits before any later event;
//   * the background sweep kept here: words 0..NVcpus-1 in order, read in
//     cycles where no event uses the read port (sweep_rd_i, vs_accept),
//     written back in the next (IDLE) cycle when pending (sweep_wb_o), so
//     that the round completes.
// Outside ACCT no RUNNING word is pending (a word becomes RUNNING only by an
// event's write), so the mirror never lags. The next ACCOUNT (and a CONFIG of
// CREDIT_CAP or REFILL_PER_WEIGHT, whose values the refill uses) waits until
// the round is complete (round_busy_o; vs_accept).
//
// Without LazyRefill (the eager sweep of vs_exec's ACCT, one word per cycle
// through vs_exec's credit unit), start_i is never raised: no word is ever
// pending, word_o = word_i and the round registers are constant.
module vs_refill #(
  parameter int NVcpus = 64,
  parameter bit LazyRefill = 1'b1
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          soft_rst_i,           // INIT writes every word in the current round
  input  logic [14:0]   credit_cap_i,         // CREDIT_CAP
  input  logic [7:0]    refill_per_weight_i,  // REFILL_PER_WEIGHT
  input  logic          start_i,              // ACCOUNT executes: a new round
  input  logic          sweep_rd_i,           // the sweep's word is read this cycle (vs_accept)
  input  vs_pkg::vcpu_t word_i,               // the word read, as the table stands
  output vs_pkg::vcpu_t word_o,               // ... refilled if it owes the round's refill
  output logic          pending_o,            // word_i owes it
  output logic [16:0]   amount_o,             // weight * REFILL_PER_WEIGHT of word_i
  output logic          round_o,              // the current round: every write stores it
  output logic          sweep_active_o,       // the sweep has words left
  output logic [11:0]   sweep_index_o,        // its next word
  output logic          sweep_wb_o,           // word_i is the word the sweep read last cycle
  output logic          round_busy_o          // the round is not complete
);
  localparam int LastVcpuI = NVcpus - 1;
  localparam logic [11:0] LastVcpu = LastVcpuI[11:0];

  logic        round_q, round_d;
  logic        active_q, active_d;
  logic [11:0] index_q, index_d;
  logic        wb_q;

  // spec 6.2 / 6.5: credit = clamp(credit + weight * REFILL_PER_WEIGHT), used = 0,
  // with the values in force at that ACCOUNT (vs_accept holds back the
  // CONFIGs that change them until the round is complete)
  logic [15:0] credit;
  assign pending_o = (word_i.rnd != round_q);
  assign amount_o  = {1'b0, {8'd0, word_i.weight} * {8'd0, refill_per_weight_i}};
  vs_credit u_credit (
    .credit_i(word_i.credit), .sub_i(1'b0), .amount_i(amount_o), .cap_i(credit_cap_i), .credit_o(credit)
  );
  // one assignment of the whole word (see vs_pkg::vcpu_t)
  assign word_o = (LazyRefill && pending_o) ? {word_i.rnd, word_i.state, word_i.lat, credit, word_i.weight,
                                               word_i.home, word_i.blocks, word_i.bcost, word_i.core,
                                               word_i.shards, word_i.erun, word_i.cap, 16'd0}
                                            : word_i;

  always_comb begin
    round_d  = round_q;
    active_d = active_q;
    index_d  = index_q;
    if (sweep_rd_i) begin
      index_d = index_q + 12'd1;
      if (index_q == LastVcpu) active_d = 1'b0;
    end
    if (LazyRefill && start_i) begin
      // every word is pending from the next cycle; the sweep starts at word 0
      round_d  = !round_q;
      active_d = 1'b1;
      index_d  = 12'd0;
    end
    if (soft_rst_i) active_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      round_q  <= 1'b0;
      active_q <= 1'b0;
      index_q  <= '0;
      wb_q     <= 1'b0;
    end else begin
      round_q  <= round_d;
      active_q <= active_d;
      index_q  <= index_d;
      wb_q     <= sweep_rd_i && !soft_rst_i;
    end
  end

  assign round_o        = round_q;
  assign sweep_active_o = active_q;
  assign sweep_index_o  = index_q;
  assign sweep_wb_o     = wb_q;
  assign round_busy_o   = active_q || wb_q;
endmodule
