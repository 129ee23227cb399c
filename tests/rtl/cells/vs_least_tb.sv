// Self-checking testbench of rtl/vs_least.sv (CTest rtl_cell_least,
// through `verilator --binary --timing --assert`).
//
// What the cell promises: for M groups, each offering its least candidate
// a (valid, key) and, with Top2, its second b (valid only with a, key
// above a's), all valid keys different: first_o is one-hot on the group
// whose a is the least valid candidate (0 when none is valid); with Top2,
// second_o (an a) or second2_o (a b) is one-hot on the second least valid
// candidate (both 0 with fewer than two valid); without Top2 both are 0.
// An invalid candidate's key does not matter.
//
// How: 100 000 random trials each on M = 1, 2, 3, 4 and 8 with Top2 and on
// M = 4 without, against a reference that sorts every valid a and b. The
// keys are {2 random bits, a random permutation of 0 .. 2M-1} (unique, and
// the order between equal random parts is not the group order), so most
// decisions hang on the low bits; one case has 24-bit keys (drawn again
// until the valid ones differ). An invalid candidate gets key 0, which
// would win, so a cell that looked at it would fail. The bench counts how
// often the second was another group's a and how often the winning group's
// b, and fails if either was rare.
//
// Mutants tried (copies of the cell, not committed); each made this bench
// fail: `!valid_i[h] ||` dropped from beats (an invalid candidate's key
// counts), `lt[h*M+g]` for `!lt[h*M+g]` (the lower-numbered side's test
// inverted), `|| first_o[h]` dropped from second_o (a never second), and
// the test against the winning group's b dropped from second_o.
// One configuration of the cell with its reference (one instance per case).
module vs_least_case #(
  parameter int M = 4,
  parameter int KeyW = 6,
  parameter bit Top2 = 1'b1
);
  int unsigned errors = 0, second_a = 0, second_b = 0;
  logic [M-1:0] valid, valid2, first, second, second2;
  logic [M*KeyW-1:0] key, key2;
  vs_least #(.M(M), .KeyW(KeyW), .Top2(Top2)) u_dut (
    .valid_i(valid), .key_i(key), .valid2_i(valid2), .key2_i(key2),
    .first_o(first), .second_o(second), .second2_o(second2));

  task automatic trial();
    logic [M-1:0] va, vb, ef, es, es2;
    logic [M*KeyW-1:0] ka, kb;
    logic [KeyW-1:0] k[2*M];  // candidate i: a_i (i < M), b_(i-M)
    bit v[2*M];
    int perm[2*M];
    int best, next, tmp, r;
    bit dup;
    for (int j = 0; j < 2 * M; j++) perm[j] = j;
    for (int j = 2 * M - 1; j > 0; j--) begin
      r = int'($urandom % (j + 1));
      tmp = perm[j]; perm[j] = perm[r]; perm[r] = tmp;
    end
    dup = 1'b1;
    while (dup) begin  // not do-while: Verilator 5.006 declares its body's blocks twice
      dup = 1'b0;
      for (int j = 0; j < 2 * M; j++) begin
        if (KeyW > 8) k[j] = KeyW'($urandom);
        else k[j] = KeyW'((($urandom % 4) << 4) | perm[j]);
      end
      for (int g = 0; g < M; g++) begin
        if (k[M+g] < k[g]) begin  // a before b within the group
          tmp = int'(k[g]); k[g] = k[M+g]; k[M+g] = KeyW'(tmp);
        end
        v[g] = ($urandom % 4) != 0;
        v[M+g] = Top2 && v[g] && ($urandom % 3) != 0;
        if (!v[g]) k[g] = '0;
        if (!v[M+g]) k[M+g] = '0;
      end
      for (int i = 0; i < 2 * M; i++) begin
        for (int j = i + 1; j < 2 * M; j++) begin
          if (v[i] && v[j] && k[i] == k[j]) dup = 1'b1;
        end
      end
    end
    for (int g = 0; g < M; g++) begin
      va[g] = v[g]; vb[g] = v[M+g];
      ka[g*KeyW +: KeyW] = k[g]; kb[g*KeyW +: KeyW] = k[M+g];
    end
    valid = va; key = ka; valid2 = vb; key2 = kb;  // whole: Verilator 5.006 missed bit writes from a task
    best = -1; next = -1;
    for (int j = 0; j < 2 * M; j++) begin
      if (!v[j]) continue;
      if (best < 0 || k[j] < k[best]) begin
        next = best; best = j;
      end else if (next < 0 || k[j] < k[next]) begin
        next = j;
      end
    end
    ef = '0; es = '0; es2 = '0;
    if (best >= 0) ef[best] = 1'b1;  // always an a: each b comes after its a
    if (Top2 && next >= 0) begin
      if (next < M) es[next] = 1'b1;
      else es2[next-M] = 1'b1;
    end
    #1;
    if (first !== ef || second !== es || second2 !== es2) begin
      errors++;
      if (errors < 10) $display("vs_least_tb: M %0d KeyW %0d Top2 %0d: a %b/%h b %b/%h: got %b %b %b, expected %b %b %b",
                                M, KeyW, Top2, va, ka, vb, kb, first, second, second2, ef, es, es2);
    end
    if (Top2 && next >= 0 && next < M) second_a++;
    if (Top2 && next >= M) second_b++;
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
    int unsigned errors, second_a, second_b;
    for (int t = 0; t < 100000; t++) begin
      m1.trial(); m2.trial(); m3.trial(); m4.trial(); m8.trial(); m4_first.trial(); m4_k24.trial();
    end
    errors = m1.errors + m2.errors + m3.errors + m4.errors + m8.errors + m4_first.errors + m4_k24.errors;
    second_a = m2.second_a + m3.second_a + m4.second_a + m8.second_a + m4_k24.second_a;
    second_b = m1.second_b + m2.second_b + m3.second_b + m4.second_b + m8.second_b + m4_k24.second_b;
    $display("vs_least_tb: second least: %0d times another group's least, %0d times the winning group's second",
             second_a, second_b);
    if (second_a < 100000 || second_b < 100000) begin
      errors++;
      $display("vs_least_tb: stimulus too weak");
    end
    if (errors != 0) $fatal(1, "vs_least_tb: FAIL, %0d mismatches", errors);
    $display("vs_least_tb: PASS");
    $finish;
  end
endmodule
