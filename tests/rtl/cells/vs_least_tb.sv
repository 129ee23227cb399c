// Self-checking testbench of rtl/vs_least.sv (CTest rtl_cell_least,
// through `verilator --binary --timing --assert`).
//
// What the cell promises: for M candidates whose valid keys differ,
// first_o is one-hot on the valid candidate with the least key (0 when none
// is valid) and, with Top2, second_o one-hot on the valid candidate with
// the second least (0 with fewer than two valid); without Top2 second_o is
// 0. An invalid candidate's key does not matter.
//
// How: 100 000 random trials each on M = 1, 2, 3, 4 and 8 with Top2 and on
// M = 4 without, against a reference that scans the valid candidates. The
// keys are {2 random bits, a random permutation of the candidates' numbers}
// (unique, and the order between equal random parts is not the index
// order), so most decisions hang on the low bits; one case has 24-bit keys
// (drawn again until the valid ones differ). An invalid candidate gets a
// key that would win (0), so a cell that looked at it would fail. The bench
// counts trials with a first and a second and fails if they were rare.
//
// Mutants tried (copies of the cell, not committed); each made this bench
// fail: `!valid_i[h] ||` dropped from beats (an invalid candidate's key
// counts), `lt[h*M+g]` for `!lt[h*M+g]` (the lower-numbered side's test
// inverted), and `|| first_o[h]` dropped from second_o (no second ever).
// One configuration of the cell with its reference (one instance per case).
module vs_least_case #(
  parameter int M = 4,
  parameter int KeyW = 6,
  parameter bit Top2 = 1'b1
);
  int unsigned errors = 0, with_second = 0;
  logic [M-1:0] valid, first, second;
  logic [M*KeyW-1:0] key;
  vs_least #(.M(M), .KeyW(KeyW), .Top2(Top2)) u_dut (
    .valid_i(valid), .key_i(key), .first_o(first), .second_o(second));

  task automatic trial();
    logic [M-1:0] vt, ef, es;
    logic [M*KeyW-1:0] kt;
    int perm[M];
    int best, next, tmp, r;
    bit dup;
    for (int j = 0; j < M; j++) perm[j] = j;
    for (int j = M - 1; j > 0; j--) begin
      r = int'($urandom % (j + 1));
      tmp = perm[j]; perm[j] = perm[r]; perm[r] = tmp;
    end
    dup = 1'b1;
    while (dup) begin  // not do-while: Verilator 5.006 declares its body's blocks twice
      dup = 1'b0;
      for (int j = 0; j < M; j++) begin
        vt[j] = ($urandom % 4) != 0;
        if (KeyW > 8) kt[j*KeyW +: KeyW] = KeyW'($urandom);
        else kt[j*KeyW +: KeyW] = KeyW'((($urandom % 4) << 4) | perm[j]);
        if (!vt[j]) kt[j*KeyW +: KeyW] = '0;
      end
      for (int g = 0; g < M; g++) begin
        for (int h = g + 1; h < M; h++) begin
          if (vt[g] && vt[h] && kt[g*KeyW +: KeyW] == kt[h*KeyW +: KeyW]) dup = 1'b1;
        end
      end
    end
    valid = vt; key = kt;  // whole: Verilator 5.006 missed bit writes from a task
    best = -1; next = -1;
    for (int j = 0; j < M; j++) begin
      if (!vt[j]) continue;
      if (best < 0 || kt[j*KeyW +: KeyW] < kt[best*KeyW +: KeyW]) begin
        next = best; best = j;
      end else if (next < 0 || kt[j*KeyW +: KeyW] < kt[next*KeyW +: KeyW]) begin
        next = j;
      end
    end
    ef = '0; es = '0;
    if (best >= 0) ef[best] = 1'b1;
    if (Top2 && next >= 0) es[next] = 1'b1;
    #1;
    if (first !== ef || second !== es) begin
      errors++;
      if (errors < 10) $display("vs_least_tb: M %0d KeyW %0d Top2 %0d: valid %b keys %h: got first %b second %b, expected %b %b",
                                M, KeyW, Top2, vt, kt, first, second, ef, es);
    end
    if (Top2 && next >= 0) with_second++;
  endtask
endmodule

module vs_least_tb;
  vs_least_case #(.M(1), .KeyW(6), .Top2(1'b1)) m1 ();
  vs_least_case #(.M(2), .KeyW(6), .Top2(1'b1)) m2 ();
  vs_least_case #(.M(3), .KeyW(6), .Top2(1'b1)) m3 ();
  vs_least_case #(.M(4), .KeyW(6), .Top2(1'b1)) m4 ();
  vs_least_case #(.M(8), .KeyW(6), .Top2(1'b1)) m8 ();
  vs_least_case #(.M(4), .KeyW(6), .Top2(1'b0)) m4_first ();
  vs_least_case #(.M(4), .KeyW(24), .Top2(1'b1)) m4_k24 ();

  initial begin
    int unsigned errors, with_second;
    for (int t = 0; t < 100000; t++) begin
      m1.trial(); m2.trial(); m3.trial(); m4.trial(); m8.trial(); m4_first.trial(); m4_k24.trial();
    end
    errors = m1.errors + m2.errors + m3.errors + m4.errors + m8.errors + m4_first.errors + m4_k24.errors;
    with_second = m2.with_second + m3.with_second + m4.with_second + m8.with_second + m4_k24.with_second;
    $display("vs_least_tb: %0d trials with a second", with_second);
    if (with_second < 200000) begin
      errors++;
      $display("vs_least_tb: stimulus too weak");
    end
    if (errors != 0) $fatal(1, "vs_least_tb: FAIL, %0d mismatches", errors);
    $display("vs_least_tb: PASS");
    $finish;
  end
endmodule
