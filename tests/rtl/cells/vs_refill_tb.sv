// Self-checking testbench of rtl/vs_refill.sv (CTest rtl_cell_refill,
// through `verilator --binary --timing --assert`): NVcpus 1, 5 and 64 with
// the lazy refill and NVcpus 8 without it, side by side, each against a
// reference of spec 6.2 / 6.5 and of the sweep's contract with vs_accept.
//
// Why: with the lazy refill every credit an event sees after an ACCOUNT
// comes through this cell. A word refilled too often or never, a refill
// with the wrong weight or cap, k owed rounds computed other than as k
// refills one after the other, a used count not reset, or a bound on the
// owed rounds that lets a stamp wrap (so a word that owes 64 rounds looks
// current) corrupts the credits of every vCPU; the engine-level diff finds
// it only after many events, if at all.
// Each cycle the bench drives what vs_exec and vs_accept would: a new round
// (start_i) only while account_ok_o, as vs_accept guarantees; a sweep read
// (sweep_rd_i) only while the sweep is active; now and then a soft reset
// and a lap restart (restart_i, a CONFIG waiting for the round);
// and a random word read that owes at most what the reference bound allows
// (any number of rounds up to it, credit, weight, used, REFILL_PER_WEIGHT
// and CREDIT_CAP, including credits beyond the cap on both sides). Phases
// alternate between frequent ACCOUNTs with a starved sweep (the bound climbs
// to its limit, 2^RndW - 1, and ACCOUNT is refused) and a sweep with the
// read port to itself (the bound falls back to 0 after a lap or two). Checked
// every cycle: pending_o (the word owes a round), word_o (the word refilled
// if it owes k > 0 rounds and the refill is lazy: spec 6.2's clamp(credit +
// weight * REFILL_PER_WEIGHT, -CREDIT_CAP, CREDIT_CAP) applied k times one
// after the other, used = 0, every other field unchanged; otherwise the
// word itself), amount_o, and after every posedge the round, the bound, the
// sweep's index and activity, sweep_wb_o, round_busy_o and account_ok_o.
// Prints "vs_refill_tb: PASS" or stops with $fatal.
//
// Mutants tried (copies of the cell, not committed); each made this bench
// fail: the lap ending one word early (index_q == LastVcpu - 1), used kept
// instead of reset, round_busy_o without the write-back cycle, k refills
// as k * amount under one clamp (min/max of credit + k * a), the bound
// never falling (owed_d kept at a lap's end), and the current lap's bound
// never counting an ACCOUNT (so a word would owe more than the bound: the
// bench keeps the table's true owed rounds and checks the bound every
// cycle).
module vs_refill_chk #(
  parameter int NVcpus = 8,
  parameter bit LazyRefill = 1'b1,
  parameter int Seed = 1
) (
  input logic clk,
  input logic rst_n
);
  localparam int RndW = vs_pkg::RndW;
  localparam int MaxOwed = (1 << RndW) - 1;
  logic          soft_rst, start, sweep_rd, restart;
  logic [14:0]   cap;
  logic [7:0]    rpw;
  vs_pkg::vcpu_t word, word_out;
  logic          pending, active, wb, busy, account_ok;
  logic [RndW-1:0] round;
  logic [16:0]   amount;
  logic [11:0]   index;

  vs_refill #(.NVcpus(NVcpus), .LazyRefill(LazyRefill)) u_dut (
    .clk_i(clk), .rst_ni(rst_n), .soft_rst_i(soft_rst), .credit_cap_i(cap), .refill_per_weight_i(rpw),
    .start_i(start), .sweep_rd_i(sweep_rd), .restart_i(restart), .word_i(word), .word_o(word_out), .pending_o(pending),
    .amount_o(amount), .round_o(round), .sweep_active_o(active), .sweep_index_o(index), .sweep_wb_o(wb),
    .round_busy_o(busy), .account_ok_o(account_ok)
  );

  // the reference: round, the owed-rounds bounds (every word; the words
  // visited in this lap), the sweep's index, the write-back cycle
  int   r_round, r_owed, r_owed_cur, r_index;
  logic r_wb;
  // the table: the rounds each word really owes (ACCOUNTs since its last
  // write: the sweep's write-back, or an event's write of a word it read);
  // the cell's bound must never be below any of them
  int   t_owed[NVcpus];
  int unsigned errors = 0;
  int unsigned starts = 0, rounds = 0, sweeps_done = 0, refills = 0, multi = 0, clamps_hi = 0, clamps_lo = 0;
  int unsigned soft_resets = 0, refused = 0, quiet = 0, restarts = 0;

  task automatic fail(input string what);
    errors++;
    if (errors <= 10) $display("vs_refill_tb: NVcpus %0d lazy %0d: %s", NVcpus, LazyRefill, what);
  endtask

  initial begin
    r_round = 0; r_owed = 0; r_owed_cur = 0; r_index = 0; r_wb = 1'b0;
    for (int i = 0; i < NVcpus; i++) t_owed[i] = 0;
    soft_rst = 1'b0; start = 1'b0; sweep_rd = 1'b0; restart = 1'b0; cap = 15'd100; rpw = 8'd1; word = '0;
    void'($urandom(Seed));
  end

  int cycle = 0;
  always @(negedge clk) begin
    if (rst_n) begin
      int c, capi, k, a;
      logic starved;
      vs_pkg::vcpu_t e_word;
      cycle++;
      // 1. The registers after the last posedge.
      if (int'(round) != r_round || active !== (r_owed != 0) || wb !== r_wb ||
          index !== 12'(r_index) || busy !== (r_owed != 0 || r_wb) || account_ok !== (r_owed != MaxOwed))
        fail($sformatf("round %0d active %0d index %0d wb %0d busy %0d ok %0d, expected %0d %0d %0d %0d %0d %0d",
                       round, active, index, wb, busy, account_ok, r_round, r_owed != 0, r_index, r_wb,
                       r_owed != 0 || r_wb, r_owed != MaxOwed));
      for (int i = 0; i < NVcpus; i++) begin
        if (LazyRefill && (t_owed[i] > r_owed || t_owed[i] > MaxOwed))
          fail($sformatf("word %0d owes %0d rounds, above the bound %0d", i, t_owed[i], r_owed));
      end
      if (r_owed == MaxOwed) refused++;
      if (r_owed == 0 && !r_wb) quiet++;
      // 2. This cycle's inputs, within the contract of vs_exec / vs_accept:
      // phases of 3 000 cycles, ACCOUNTs often and the sweep starved, then
      // the sweep alone.
      starved = ((cycle / 3000) % 2) == 0;
      soft_rst = ($urandom % 2500) == 0;
      start = (r_owed != MaxOwed) && (starved ? ($urandom % 4) == 0 : ($urandom % 400) == 0);
      sweep_rd = (r_owed != 0) && !start && (starved ? ($urandom % 8) == 0 : ($urandom % 3) != 0);
      restart = ($urandom % 300) == 0;  // a CONFIG waiting for the round (any time: always safe)
      if ($urandom % 16 == 0) begin
        cap = 15'($urandom % 32767 + 1);
        rpw = 8'($urandom % 4 == 0 ? 0 : $urandom);
      end
      word = vs_pkg::vcpu_t'({$urandom, $urandom, $urandom, $urandom});
      // the word owes k <= the bound rounds (a stamp of round - k)
      k = (r_owed == 0 || $urandom % 3 == 0) ? 0 : 1 + int'($urandom % r_owed);
      if (!LazyRefill) k = 0;
      word.rnd = RndW'(r_round - k);
      #1;
      // 3. The word read, against spec 6.2 / 6.5 applied k times.
      e_word = word;
      if (pending !== (k != 0)) fail($sformatf("pending_o %0d for a word owing %0d rounds", pending, k));
      a = int'(word.weight) * int'(rpw);
      if (amount !== 17'(a)) fail($sformatf("amount_o %0d", amount));
      if (k != 0) begin
        c = int'($signed(word.credit));
        capi = int'(cap);
        for (int i = 0; i < k; i++) begin
          c = c + a;
          if (c > capi) begin
            c = capi; clamps_hi++;
          end else if (c < -capi) begin
            c = -capi; clamps_lo++;
          end
        end
        e_word.credit = 16'(c);
        e_word.used = 16'd0;
        refills++;
        if (k > 1) multi++;
      end
      if (word_out !== e_word)
        fail($sformatf("word_o credit %0d used %0d, expected %0d %0d (in: credit %0d weight %0d used %0d, k %0d)",
                       $signed(word_out.credit), word_out.used, $signed(e_word.credit), e_word.used,
                       $signed(word.credit), word.weight, word.used, k));
      // 4. The registers after the next posedge, and the table: the sweep's
      // word and now and then an event's word are written in this round.
      if (sweep_rd) t_owed[r_index] = 0;
      if ($urandom % 4 == 0) t_owed[$urandom % NVcpus] = 0;
      if (sweep_rd) begin
        r_index++;
        if (r_index == NVcpus) begin
          r_index = 0; r_owed = r_owed_cur; r_owed_cur = 0; sweeps_done++;
        end
      end
      if (restart && r_owed_cur != 0) begin
        r_index = 0; r_owed_cur = 0; restarts++;
      end
      if (start) starts++;
      if (LazyRefill && start) begin
        r_round = (r_round + 1) % (1 << RndW); r_owed++; rounds++;
        for (int i = 0; i < NVcpus; i++) t_owed[i]++;
        if (r_index != 0) r_owed_cur++;  // a lap not begun is all after this ACCOUNT
      end
      if (soft_rst) begin
        for (int i = 0; i < NVcpus; i++) t_owed[i] = 0;  // INIT writes every word
        r_owed = 0; r_owed_cur = 0; r_index = 0; soft_resets++;
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
    repeat (60000) @(posedge clk);
    @(negedge clk);
    errors = u_v1.errors + u_v5.errors + u_v64.errors + u_eager.errors;
    if (errors != 0) $fatal(1, "vs_refill_tb: FAIL, %0d mismatches", errors);
    // The stimulus must reach what the bench is for: complete laps of
    // every size, k > 1 owed rounds, refills clamped on both sides, the
    // bound at its limit (ACCOUNT refused) and back at 0, soft resets.
    if (u_v1.sweeps_done < 100 || u_v5.sweeps_done < 100 || u_v64.sweeps_done < 100 ||
        u_v64.multi < 1000 || u_v64.clamps_hi < 100 || u_v64.clamps_lo < 100 || u_v64.refused < 100 ||
        u_v64.quiet < 100 || u_v64.soft_resets == 0 || u_v64.restarts < 20 || u_eager.starts < 100)
      $fatal(1, "vs_refill_tb: FAIL, stimulus too weak (laps %0d/%0d/%0d, k > 1 %0d, clamps %0d/%0d, refused %0d, quiet %0d, soft resets %0d, eager starts %0d)",
             u_v1.sweeps_done, u_v5.sweeps_done, u_v64.sweeps_done, u_v64.multi, u_v64.clamps_hi,
             u_v64.clamps_lo, u_v64.refused, u_v64.quiet, u_v64.soft_resets, u_eager.starts);
    $display("vs_refill_tb: PASS (NVcpus 1/5/64 lazy: %0d/%0d/%0d rounds, %0d/%0d/%0d laps, %0d refills (%0d of k > 1), %0d/%0d clamped, %0d cycles refused, %0d quiet; eager: %0d starts ignored)",
             u_v1.rounds, u_v5.rounds, u_v64.rounds, u_v1.sweeps_done, u_v5.sweeps_done, u_v64.sweeps_done,
             u_v64.refills, u_v64.multi, u_v64.clamps_hi, u_v64.clamps_lo, u_v64.refused, u_v64.quiet, u_eager.starts);
    $finish;
  end
endmodule
