// Self-checking testbench of rtl/vs_argmin2.sv (CTest rtl_cell_argmin2,
// through `verilator --binary --timing --assert`).
//
// What the cell promises: the least and the second least of N keys with
// valid bits, least key first and ties to the lower index (vs_argmin's
// order); the second is valid only when two leaves are; invalid results
// have key and index 0.
//
// How: 100 000 random trials each on N = 1, 2, 5 (padded), 8 and 13
// (padded) with 2-bit keys (ties everywhere) and on N = 8 with 16-bit keys,
// against a reference that sorts the valid leaves by (key, index). The
// bench counts trials whose second result is a tie with the first, one
// whose runner-up sits in the same subtree as the first (both children
// merged from the same side), and fails if either was rare.
//
// Mutants tried (copies of the cell, not committed); each made this bench
// fail: `<=` for `<` in b_first (ties to the higher index), the second
// taken from earlier(a2, b2) when b1 came first, and e2 of a node set to
// the loser of the first comparison only (a plain "top-2 of the children's
// winners").
module vs_argmin2_tb;
  int unsigned errors = 0, ties = 0, same_side = 0;

  `define ARGMIN2_CASE(LBL, NN, KW) \
    begin : LBL \
      localparam int N = NN; \
      localparam int KeyW = KW; \
      logic [N-1:0] valid; \
      logic [N*KeyW-1:0] key; \
      logic v1, v2; \
      logic [7:0] i1, i2; \
      logic [KeyW-1:0] k1, k2; \
      vs_argmin2 #(.N(N), .KeyW(KeyW), .IdxW(8)) u_dut ( \
        .valid_i(valid), .key_i(key), .valid_o(v1), .idx_o(i1), .key_o(k1), \
        .valid2_o(v2), .idx2_o(i2), .key2_o(k2)); \
      task automatic trial(); \
        logic ev1, ev2; int ei1, ei2; logic [KeyW-1:0] ek1, ek2; \
        logic [N-1:0] vt; logic [N*KeyW-1:0] kt; \
        for (int j = 0; j < N; j++) begin \
          vt[j] = ($urandom % 3) != 0; \
          kt[j*KeyW +: KeyW] = KeyW'($urandom); \
        end \
        valid = vt; key = kt;  /* whole: Verilator 5.006 missed bit writes from a task */ \
        ev1 = 1'b0; ev2 = 1'b0; ei1 = 0; ei2 = 0; ek1 = '0; ek2 = '0; \
        for (int j = 0; j < N; j++) begin \
          if (!valid[j]) continue; \
          if (!ev1 || key[j*KeyW +: KeyW] < ek1) begin \
            ev2 = ev1; ei2 = ei1; ek2 = ek1; \
            ev1 = 1'b1; ei1 = j; ek1 = key[j*KeyW +: KeyW]; \
          end else if (!ev2 || key[j*KeyW +: KeyW] < ek2) begin \
            ev2 = 1'b1; ei2 = j; ek2 = key[j*KeyW +: KeyW]; \
          end \
        end \
        #1; \
        if (v1 !== ev1 || int'(i1) != ei1 || k1 !== ek1 || v2 !== ev2 || int'(i2) != ei2 || k2 !== ek2) begin \
          errors++; \
          if (errors < 10) $display("vs_argmin2_tb: %s: got %0d/%0d/%0d %0d/%0d/%0d, expected %0d/%0d/%0d %0d/%0d/%0d", \
                                    `"LBL`", v1, i1, k1, v2, i2, k2, ev1, ei1, ek1, ev2, ei2, ek2); \
        end \
        if (ev2 && ek1 == ek2) ties++; \
        if (N >= 4 && ev2 && ((ei1 < N / 2) == (ei2 < N / 2))) same_side++; \
      endtask \
    end

  `ARGMIN2_CASE(n1, 1, 2)
  `ARGMIN2_CASE(n2, 2, 2)
  `ARGMIN2_CASE(n5, 5, 2)
  `ARGMIN2_CASE(n8, 8, 2)
  `ARGMIN2_CASE(n13, 13, 2)
  `ARGMIN2_CASE(n8_k16, 8, 16)

  initial begin
    for (int t = 0; t < 100000; t++) begin
      n1.trial(); n2.trial(); n5.trial(); n8.trial(); n13.trial(); n8_k16.trial();
    end
    $display("vs_argmin2_tb: %0d ties between first and second, %0d runners-up beside the first", ties, same_side);
    if (ties < 10000 || same_side < 10000) begin
      errors++;
      $display("vs_argmin2_tb: stimulus too weak");
    end
    if (errors != 0) $fatal(1, "vs_argmin2_tb: FAIL, %0d mismatches", errors);
    $display("vs_argmin2_tb: PASS");
    $finish;
  end
endmodule
