// Self-checking testbench of rtl/vs_refill.sv (CTest rtl_cell_refill,
// through `verilator --binary --timing --assert`): NVcpus 1, 5 and 64 with
// the lazy refill and NVcpus 8 without it, side by side, each against a
// reference of spec 6.2 / 6.5 and of the sweep's contract with vs_accept.
//
// Why: with the lazy refill every credit an event sees after an ACCOUNT
// comes through this cell. A word refilled twice or never, a refill with
// the wrong weight or cap, a used count not reset, or a sweep that stops
// early (so the round never completes and the next ACCOUNT waits forever,
// or completes early and a word misses its refill) corrupts the credits of
// every vCPU; the engine-level diff finds it only after many events.
// Each cycle the bench drives what vs_exec and vs_accept would: a new round
// (start_i) only when the round is complete, as vs_accept guarantees; a
// sweep read (sweep_rd_i) only while the sweep is active; now and then a
// soft reset; and a random word read (any refill round, credit, weight,
// used, REFILL_PER_WEIGHT and CREDIT_CAP, including credits beyond the cap
// on both sides). Checked every cycle: pending_o (the word's round differs
// from the current one), word_o (the word refilled if it is pending and
// the refill is lazy, with credit = clamp(credit + weight * REFILL_PER_WEIGHT,
// -CREDIT_CAP, CREDIT_CAP) and used = 0, every other field unchanged;
// otherwise the word itself), amount_o, and after every posedge the round,
// the sweep's index and activity, sweep_wb_o and round_busy_o. Prints
// "vs_refill_tb: PASS" or stops with $fatal.
//
// Mutants tried (copies of the cell, not committed); each made this bench
// fail: the sweep ending one word early (index_q == LastVcpu - 1), used
// kept instead of reset, and round_busy_o without the write-back cycle
// (active_q alone).
module vs_refill_chk #(
  parameter int NVcpus = 8,
  parameter bit LazyRefill = 1'b1,
  parameter int Seed = 1
) (
  input logic clk,
  input logic rst_n
);
  logic          soft_rst, start, sweep_rd;
  logic [14:0]   cap;
  logic [7:0]    rpw;
  vs_pkg::vcpu_t word, word_out;
  logic          pending, round, active, wb, busy;
  logic [16:0]   amount;
  logic [11:0]   index;

  vs_refill #(.NVcpus(NVcpus), .LazyRefill(LazyRefill)) u_dut (
    .clk_i(clk), .rst_ni(rst_n), .soft_rst_i(soft_rst), .credit_cap_i(cap), .refill_per_weight_i(rpw),
    .start_i(start), .sweep_rd_i(sweep_rd), .word_i(word), .word_o(word_out), .pending_o(pending),
    .amount_o(amount), .round_o(round), .sweep_active_o(active), .sweep_index_o(index), .sweep_wb_o(wb),
    .round_busy_o(busy)
  );

  // the reference: round, sweep activity and index, write-back cycle
  logic r_round, r_active, r_wb;
  int   r_index;
  int unsigned errors = 0;
  int unsigned starts = 0, rounds = 0, sweeps_done = 0, refills = 0, clamps_hi = 0, clamps_lo = 0, soft_resets = 0;

  task automatic fail(input string what);
    errors++;
    if (errors <= 10) $display("vs_refill_tb: NVcpus %0d lazy %0d: %s", NVcpus, LazyRefill, what);
  endtask

  initial begin
    r_round = 1'b0; r_active = 1'b0; r_wb = 1'b0; r_index = 0;
    soft_rst = 1'b0; start = 1'b0; sweep_rd = 1'b0; cap = 15'd100; rpw = 8'd1; word = '0;
    void'($urandom(Seed));
  end

  always @(negedge clk) begin
    if (rst_n) begin
      int c, capi, expect_credit;
      vs_pkg::vcpu_t e_word;
      // 1. The registers after the last posedge.
      if (round !== r_round || active !== r_active || wb !== r_wb || (r_active && index !== 12'(r_index)) ||
          busy !== (r_active || r_wb))
        fail($sformatf("round %0d active %0d index %0d wb %0d busy %0d, expected %0d %0d %0d %0d %0d", round,
                       active, index, wb, busy, r_round, r_active, r_index, r_wb, r_active || r_wb));
      // 2. This cycle's inputs, within the contract of vs_exec / vs_accept.
      soft_rst = ($urandom % 700) == 0;
      start = !(r_active || r_wb) && (($urandom % 3) == 0);
      sweep_rd = r_active && (($urandom % 3) != 0);
      if ($urandom % 16 == 0) begin
        cap = 15'($urandom % 32767 + 1);
        rpw = 8'($urandom);
      end
      word = vs_pkg::vcpu_t'({$urandom, $urandom, $urandom, $urandom});
      if ($urandom % 2 == 0) word.rnd = r_round;  // a word written in this round
      #1;
      // 3. The word read, against spec 6.2 / 6.5.
      e_word = word;
      if (pending !== (word.rnd != r_round)) fail($sformatf("pending_o %0d for round %0d", pending, word.rnd));
      if (amount !== 17'(word.weight * rpw)) fail($sformatf("amount_o %0d", amount));
      if (LazyRefill && (word.rnd != r_round)) begin
        c = int'($signed(word.credit)) + int'(word.weight) * int'(rpw);
        capi = int'(cap);
        expect_credit = c;
        if (c > capi) begin
          expect_credit = capi; clamps_hi++;
        end else if (c < -capi) begin
          expect_credit = -capi; clamps_lo++;
        end
        e_word.credit = 16'(expect_credit);
        e_word.used = 16'd0;
        refills++;
      end
      if (word_out !== e_word)
        fail($sformatf("word_o credit %0d used %0d, expected %0d %0d (in: credit %0d weight %0d used %0d)",
                       $signed(word_out.credit), word_out.used, $signed(e_word.credit), e_word.used,
                       $signed(word.credit), word.weight, word.used));
      // 4. The registers after the next posedge.
      if (sweep_rd) begin
        if (r_index == NVcpus - 1) begin
          r_active = 1'b0; sweeps_done++;
        end
        r_index++;
      end
      if (start) starts++;
      if (LazyRefill && start) begin
        r_round = !r_round; r_active = 1'b1; r_index = 0; rounds++;
      end
      if (soft_rst) begin
        r_active = 1'b0; soft_resets++;
      end
      r_wb = sweep_rd && !soft_rst;
    end
  end
endmodule

module vs_refill_tb;
  logic clk = 1'b0;
  logic rst_n = 1'b0;
  always #5 clk = ~clk;

  vs_refill_chk #(.NVcpus(1), .Seed(1)) u_v1 (.clk, .rst_n);
  vs_refill_chk #(.NVcpus(5), .Seed(2)) u_v5 (.clk, .rst_n);
  vs_refill_chk #(.NVcpus(64), .Seed(3)) u_v64 (.clk, .rst_n);
  vs_refill_chk #(.NVcpus(8), .LazyRefill(1'b0), .Seed(4)) u_eager (.clk, .rst_n);

  initial begin
    int unsigned errors;
    repeat (3) @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;
    repeat (30000) @(posedge clk);
    @(negedge clk);
    errors = u_v1.errors + u_v5.errors + u_v64.errors + u_eager.errors;
    if (errors != 0) $fatal(1, "vs_refill_tb: FAIL, %0d mismatches", errors);
    // The stimulus must reach what the bench is for: complete sweeps of
    // every size, refills clamped on both sides, soft resets mid-sweep.
    if (u_v1.sweeps_done < 100 || u_v5.sweeps_done < 100 || u_v64.sweeps_done < 100 ||
        u_v64.clamps_hi < 100 || u_v64.clamps_lo < 100 || u_v64.soft_resets == 0 || u_eager.starts < 100)
      $fatal(1, "vs_refill_tb: FAIL, stimulus too weak (sweeps %0d/%0d/%0d, clamps %0d/%0d, soft resets %0d, eager starts %0d)",
             u_v1.sweeps_done, u_v5.sweeps_done, u_v64.sweeps_done, u_v64.clamps_hi, u_v64.clamps_lo,
             u_v64.soft_resets, u_eager.starts);
    $display("vs_refill_tb: PASS (NVcpus 1/5/64 lazy: %0d/%0d/%0d rounds, %0d/%0d/%0d sweeps, %0d refills, %0d/%0d clamped; eager: %0d starts ignored)",
             u_v1.rounds, u_v5.rounds, u_v64.rounds, u_v1.sweeps_done, u_v5.sweeps_done, u_v64.sweeps_done,
             u_v64.refills, u_v64.clamps_hi, u_v64.clamps_lo, u_eager.starts);
    $finish;
  end
endmodule
