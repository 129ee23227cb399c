// Self-checking testbench of rtl/vs_fifo.sv (CTest rtl_cell_fifo, through
// `verilator --binary --timing --assert`): Depth 4, 8 and 16 side by side,
// each against a reference queue.
//
// Why: the FIFO holds the engine's decisions, and one event may write two in
// one cycle (port 0 first); a lost, duplicated or reordered decision, a wrong
// free_o (the engine's only back-pressure) or data changing under a stalled
// consumer would corrupt the decision stream. Each cycle the bench pushes
// 0, 1 or 2 words on random ports (wr0 alone, wr1 alone, both: wr0's word
// must come out first) but never more than free_o, pops with a random
// out_ready whose probability changes by phase (always ready, never ready so
// the FIFO fills to the last entry, random), and flushes now and then with
// clear_i. At every negedge it checks out_valid_o, out_data_o (the queue's
// head, first-word fall-through), free_o = Depth - size and empty_o; that
// the word under valid && !ready stays put (AXI-Stream); and that the queue
// never exceeds Depth (the cell's own "write to a full FIFO" assertion is
// live through --assert). Prints "vs_fifo_tb: PASS" or "FAIL".
//
// Mutants tried (copies of the cell in a temp dir, not committed); each made
// this bench print FAIL: waddr1 = wptr_q + 1 also when wr0_i is low (wr1
// alone skips a slot), port 1 storing port 0's word when both write,
// clear_i not resetting the count (also caught by the cell's own
// assertion), and free_o one low when one entry is held.
module vs_fifo_chk #(
  parameter int Depth = 4,
  parameter int Seed = 1
) (
  input logic clk,
  input logic rst_n,
  input int   phase  // 0 random, 1 never ready (fill), 2 always ready, 3 random with clears
);
  localparam int W = 32;
  localparam int AW = $clog2(Depth);

  logic clear, wr0, wr1, rdy;
  logic [W-1:0] d0, d1;
  logic vo, empty;
  logic [W-1:0] dout;
  logic [AW:0] free;

  vs_fifo #(.Width(W), .Depth(Depth)) u_dut (
    .clk_i(clk), .rst_ni(rst_n), .clear_i(clear), .wr0_i(wr0), .wdata0_i(d0), .wr1_i(wr1), .wdata1_i(d1),
    .out_valid_o(vo), .out_data_o(dout), .out_ready_i(rdy), .free_o(free), .empty_o(empty));

  logic [W-1:0] q[$];
  int unsigned errors = 0;
  int unsigned pops = 0, pushes = 0, full_seen = 0, empty_seen = 0, both_seen = 0;
  logic [W-1:0] next_word = 32'h0;
  logic held = 1'b0;       // last cycle ended with valid && !ready (and no clear)
  logic [W-1:0] held_data;

  initial begin
    clear = 1'b0; wr0 = 1'b0; wr1 = 1'b0; rdy = 1'b0; d0 = '0; d1 = '0;
    next_word = W'(Seed) << 24;
  end

  task automatic fail(input string what);
    errors++;
    if (errors <= 10) $display("vs_fifo_tb: Depth %0d: %s (queue size %0d)", Depth, what, q.size());
  endtask

  always @(negedge clk) begin
    if (rst_n) begin
      int n;
      // 1. Outputs against the reference (the state after the last posedge).
      if (vo !== (q.size() != 0)) fail($sformatf("out_valid_o %0d", vo));
      if (empty !== (q.size() == 0)) fail($sformatf("empty_o %0d", empty));
      if (free !== (AW + 1)'(Depth - q.size())) fail($sformatf("free_o %0d", free));
      if (q.size() != 0 && dout !== q[0]) fail($sformatf("out_data_o %h, head %h", dout, q[0]));
      if (held && (!vo || dout !== held_data)) fail("data changed while valid && !ready");
      if (q.size() > Depth) fail("reference queue above Depth");
      if (q.size() == Depth) full_seen++;
      if (q.size() == 0) empty_seen++;
      // 2. New inputs for the next posedge, and the reference's step.
      clear = (phase == 3) && ($urandom % 64 == 0);
      case (phase)
        1: rdy = 1'b0;
        2: rdy = 1'b1;
        default: rdy = ($urandom % 3) != 0;
      endcase
      // Fewer pushes while draining, so the FIFO also runs empty.
      n = (phase == 2) ? (($urandom % 4 == 0) ? 1 + $urandom % 2 : 0) : $urandom % 3;
      if (n > Depth - q.size()) n = Depth - q.size();  // respect free_o
      wr0 = 1'b0; wr1 = 1'b0;
      if (n == 2) begin
        wr0 = 1'b1; wr1 = 1'b1;
      end else if (n == 1) begin
        if ($urandom % 2 == 0) wr0 = 1'b1; else wr1 = 1'b1;
      end
      d0 = wr0 ? next_word : W'($urandom);
      if (wr0) next_word++;
      d1 = wr1 ? next_word : W'($urandom);
      if (wr1) next_word++;
      held = vo && !rdy && !clear;
      held_data = dout;
      if (clear) begin
        q.delete();
      end else begin
        if (vo && rdy) begin
          void'(q.pop_front());
          pops++;
        end
        if (wr0) q.push_back(d0);
        if (wr1) q.push_back(d1);
        if (wr0 && wr1) both_seen++;
        pushes += int'(wr0) + int'(wr1);
      end
    end
  end
endmodule

module vs_fifo_tb;
  logic clk = 1'b0;
  logic rst_n = 1'b0;
  always #5 clk = ~clk;
  int phase = 0;

  vs_fifo_chk #(.Depth(4), .Seed(1)) u_d4 (.clk, .rst_n, .phase);
  vs_fifo_chk #(.Depth(8), .Seed(2)) u_d8 (.clk, .rst_n, .phase);
  vs_fifo_chk #(.Depth(16), .Seed(3)) u_d16 (.clk, .rst_n, .phase);

  initial begin
    repeat (3) @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;
    for (int c = 0; c < 40000; c++) begin
      @(posedge clk);
      // 200-cycle phases: random, fill (never ready), drain (always ready), random with clears
      phase = (c / 200) % 4;
    end
    @(negedge clk);
    if (u_d4.errors + u_d8.errors + u_d16.errors != 0)
      $fatal(1, "vs_fifo_tb: FAIL, %0d mismatches", u_d4.errors + u_d8.errors + u_d16.errors);
    // The stimulus must have reached the corners it is for.
    if (u_d4.full_seen == 0 || u_d8.full_seen == 0 || u_d16.full_seen == 0 || u_d4.empty_seen == 0 ||
        u_d8.empty_seen == 0 || u_d16.empty_seen == 0 || u_d4.both_seen == 0 || u_d16.pops < 10000)
      $fatal(1, "vs_fifo_tb: FAIL, stimulus too weak (full %0d/%0d/%0d, empty %0d/%0d/%0d, both ports %0d, pops %0d)",
             u_d4.full_seen, u_d8.full_seen, u_d16.full_seen, u_d4.empty_seen, u_d8.empty_seen, u_d16.empty_seen,
             u_d4.both_seen, u_d16.pops);
    $display("vs_fifo_tb: PASS (Depth 4/8/16: pushes %0d/%0d/%0d, full %0d/%0d/%0d and empty %0d/%0d/%0d cycles)",
             u_d4.pushes, u_d8.pushes, u_d16.pushes, u_d4.full_seen, u_d8.full_seen, u_d16.full_seen,
             u_d4.empty_seen, u_d8.empty_seen, u_d16.empty_seen);
    $finish;
  end
endmodule
