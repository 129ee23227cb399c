// Self-checking testbench of rtl/vs_argmin.sv (CTest rtl_cell_argmin,
// through `verilator --binary --timing --assert`): random keys and valid
// masks, including many equal keys, against a reference loop (minimum key,
// lowest index on ties, valid_o = any valid, idx/key 0 when none).
//
// Why: the engine's idle and victim searches are this tree; a wrong tie
// rule or an invalid leaf winning changes which core is chosen, and a
// pipelined variant whose latency differs from floor(clog2(N) / PipeEvery)
// would pair results with the wrong event. N 1, 2, 5, 8, 13 and 64 (powers
// of two and padded trees) combinational; PipeEvery 1 and 2 for N 1, 5, 8
// and 64, and 2 / 3 for N 13 / 64. The pipelined outputs are compared with
// the reference of Latency cycles earlier while the inputs change every
// cycle, so an output one cycle early or late mismatches. Prints
// "vs_argmin_tb: PASS" and exits 0, or stops with $fatal on a mismatch.
//
// Mutants tried (copies of the cell in a temp dir, not committed); each made
// this bench fail: ties to the higher index (`bk <= ak`), and the registered
// levels chosen by `l % PipeEvery == 1` (PipeEvery 2: a latency off by one).
module vs_argmin_tb;
  logic clk = 1'b0;
  logic rst_n = 1'b0;
  always #5 clk = ~clk;

  int unsigned errors = 0;

  task automatic check(input string name, input logic got_v, input int got_i, input int got_k,
                       input logic exp_v, input int exp_i, input int exp_k);
    if (got_v !== exp_v || got_i != exp_i || got_k != exp_k) begin
      $display("vs_argmin_tb: %s: got valid %0d idx %0d key %0d, expected valid %0d idx %0d key %0d",
               name, got_v, got_i, got_k, exp_v, exp_i, exp_k);
      errors++;
    end
  endtask

  // One DUT configuration with its reference model and a latency shadow.
  `define ARGMIN_CASE(LBL, NN, KW, PE) \
    begin : LBL \
      localparam int N = NN; \
      localparam int KeyW = KW; \
      localparam int IdxW = 8; \
      localparam int Height = (N > 1) ? $clog2(N) : 0; \
      localparam int Lat = (PE > 0) ? Height / PE : 0; \
      logic [N-1:0] valid; \
      logic [N*KeyW-1:0] key; \
      logic vo; logic [IdxW-1:0] io; logic [KeyW-1:0] ko; \
      logic ev [Lat+1]; int ei [Lat+1]; int ek [Lat+1]; \
      vs_argmin #(.N(N), .KeyW(KeyW), .IdxW(IdxW), .PipeEvery(PE)) u_dut ( \
        .clk_i(clk), .rst_ni(rst_n), .valid_i(valid), .key_i(key), \
        .valid_o(vo), .idx_o(io), .key_o(ko)); \
      always @(negedge clk) begin \
        if (rst_n) begin \
          logic rv; int ri, rk; \
          rv = 1'b0; ri = 0; rk = 0; \
          for (int j = 0; j < N; j++) begin \
            if (valid[j] && (!rv || int'(key[j*KeyW +: KeyW]) < rk)) begin \
              rv = 1'b1; ri = j; rk = int'(key[j*KeyW +: KeyW]); \
            end \
          end \
          for (int s = Lat; s > 0; s--) begin ev[s] = ev[s-1]; ei[s] = ei[s-1]; ek[s] = ek[s-1]; end \
          ev[0] = rv; ei[0] = ri; ek[0] = rk; \
          if (Lat == 0) check(`"LBL`", vo, int'(io), int'(ko), rv, ri, rk); \
          else if (cycle >= Lat + 1) check(`"LBL`", vo, int'(io), int'(ko), ev[Lat-1], ei[Lat-1], ek[Lat-1]); \
          for (int j = 0; j < N; j++) begin \
            valid[j] = ($urandom % 4) != 0 && (phase != 1); \
            key[j*KeyW +: KeyW] = (phase == 2) ? KeyW'(3) : KeyW'($urandom); \
          end \
        end \
      end \
    end

  int cycle = 0;
  int phase = 0;  // 0 random, 1 nothing valid, 2 all keys equal

  // Inputs change at the negedge; the DUT registers them at the posedge. At
  // a negedge, a Lat-cycle DUT shows the inputs of Lat-1 negedges ago: the
  // shadow ev/ei/ek[0] is the reference of the current inputs, [s] of s
  // negedges ago.
  `ARGMIN_CASE(n1_c, 1, 4, 0)
  `ARGMIN_CASE(n2_c, 2, 3, 0)
  `ARGMIN_CASE(n5_c, 5, 3, 0)
  `ARGMIN_CASE(n8_c, 8, 2, 0)
  `ARGMIN_CASE(n13_c, 13, 4, 0)
  `ARGMIN_CASE(n64_c, 64, 6, 0)
  `ARGMIN_CASE(n1_p1, 1, 4, 1)
  `ARGMIN_CASE(n1_p2, 1, 4, 2)
  `ARGMIN_CASE(n5_p1, 5, 3, 1)
  `ARGMIN_CASE(n5_p2, 5, 3, 2)
  `ARGMIN_CASE(n8_p1, 8, 3, 1)
  `ARGMIN_CASE(n8_p2, 8, 3, 2)
  `ARGMIN_CASE(n13_p2, 13, 3, 2)
  `ARGMIN_CASE(n64_p1, 64, 5, 1)
  `ARGMIN_CASE(n64_p2, 64, 5, 2)
  `ARGMIN_CASE(n64_p3, 64, 5, 3)

  initial begin
    repeat (3) @(posedge clk);
    rst_n = 1'b1;
    for (int c = 0; c < 6000; c++) begin
      @(posedge clk);
      cycle = c;
      phase = (c % 500 < 20) ? 1 : (c % 500 < 60) ? 2 : 0;
    end
    if (errors != 0) $fatal(1, "vs_argmin_tb: FAIL, %0d mismatches", errors);
    $display("vs_argmin_tb: PASS");
    $finish;
  end
endmodule
