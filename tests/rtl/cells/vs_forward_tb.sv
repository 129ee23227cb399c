// Self-checking testbench of rtl/vs_forward.sv (CTest rtl_cell_forward,
// through `verilator --binary --timing --assert`).
//
// What the cell promises: given R, the argmin (least key, lowest index on
// ties, as vs_argmin) of N keys with valid bits, and the new valid bit and
// key of the one entry c that changed since, it gives the argmin of the new
// keys; or it says stale_o, and only when it cannot know it: R was c and c
// is no longer eligible or its key grew (or the change is one it is told it
// cannot follow, unknown_i). With no change it gives R.
//
// How: 200 000 random trials on N = 8 keys of 3 bits (many ties) and N = 5
// keys of 16 bits; each draws the old keys, computes R with a reference
// loop, changes one entry (its key kept, nudged by one, or redrawn; its
// valid bit flipped now and then), or none, or flags the change unknown,
// and compares the cell with the reference argmin of the new keys and the
// reference stale rule. The bench also counts the cases it reached (c wins,
// R kept, R is c and still first, stale) and fails if one was never hit, so
// it cannot pass without exercising them.
//
// Top2 = 1 (the idle searches, with vs_argmin2's runner-up R2 registered):
// two more cases of N = 8 / 3 bits and N = 5 / 16 bits, given R2 from the
// same reference; stale_o only when the change is unknown, and the answer
// when R was c and c dropped out or fell behind (R2 or c) must be the
// reference argmin; the bench counts that case too (hits[4]). Mutants tried:
// R2 always taken there (c not compared with it), and c compared with R2
// with ties to the higher index; both fail.
//
// Mutants tried (copies of the cell in a temp dir, not committed); each made
// this bench fail: ties to the higher index (`core_i > reg_idx_i`), R is c
// with an equal key treated as stale (`<` for `<=`), and c not taken when
// R is empty (`!reg_ok_i ||` dropped). (ok_o = R's valid bit when R was c
// and c dropped out is no mutant: stale_o is set then.)
module vs_forward_tb;
  int unsigned errors = 0;
  int unsigned hits[5];  // c taken, R kept, R is c and still first, stale, R was c and R2 or c now (Top2)

  `define FORWARD_CASE(LBL, NN, KW, T2) \
    begin : LBL \
      localparam int N = NN; \
      localparam int KeyW = KW; \
      logic changed, unknown, core_ok, reg_ok, sec_ok, ok, is_core, stale; \
      logic [7:0] core, reg_idx, sec_idx, idx; \
      logic [KeyW-1:0] core_key, reg_key, sec_key, key; \
      vs_forward #(.KeyW(KeyW), .IdxW(8), .Top2(T2)) u_dut ( \
        .changed_i(changed), .unknown_i(unknown), .core_i(core), .core_ok_i(core_ok), \
        .core_key_i(core_key), .reg_ok_i(reg_ok), .reg_idx_i(reg_idx), .reg_key_i(reg_key), \
        .sec_ok_i(sec_ok), .sec_idx_i(sec_idx), .sec_key_i(sec_key), \
        .ok_o(ok), .idx_o(idx), .key_o(key), .is_core_o(is_core), .stale_o(stale)); \
      task automatic argmin(input logic v[N], input logic [KeyW-1:0] k[N], input int skip, output logic rv, \
                            output int ri, output logic [KeyW-1:0] rk); \
        rv = 1'b0; ri = 0; rk = '0; \
        for (int j = 0; j < N; j++) begin \
          if (j != skip && v[j] && (!rv || k[j] < rk)) begin rv = 1'b1; ri = j; rk = k[j]; end \
        end \
      endtask \
      task automatic trial(); \
        logic ov[N], nv[N]; logic [KeyW-1:0] okey[N], nkey[N]; \
        logic rv, sv, ev, exp_stale; int ri, si, ei, c, mode; logic [KeyW-1:0] rk, sk, ek; \
        for (int j = 0; j < N; j++) begin \
          ov[j] = ($urandom % 4) != 0; okey[j] = KeyW'($urandom); nv[j] = ov[j]; nkey[j] = okey[j]; \
        end \
        argmin(ov, okey, -1, rv, ri, rk); \
        argmin(ov, okey, rv ? ri : -1, sv, si, sk);  /* R2: the least of every entry but R */ \
        if (!rv) begin sv = 1'b0; si = 0; sk = '0; end \
        mode = $urandom % 20;  /* 0-3 no change, 4-5 unknown, else one entry */ \
        c = (rv && ($urandom % 2 == 0)) ? ri : int'($urandom % N);  /* R itself half the time */ \
        if (mode >= 6) begin \
          case ($urandom % 4) \
            0: nkey[c] = okey[c]; \
            1: nkey[c] = okey[c] + KeyW'(1); \
            2: nkey[c] = okey[c] - KeyW'(1); \
            default: nkey[c] = KeyW'($urandom); \
          endcase \
          if ($urandom % 5 == 0) nv[c] = !ov[c]; \
        end \
        argmin(nv, nkey, -1, ev, ei, ek); \
        changed = (mode >= 4); unknown = (mode == 4 || mode == 5); core = 8'(c); \
        core_ok = nv[c]; core_key = nkey[c]; reg_ok = rv; reg_idx = 8'(ri); reg_key = rk; \
        sec_ok = sv; sec_idx = 8'(si); sec_key = sk; \
        #1; \
        exp_stale = unknown || (!T2 && changed && rv && ri == c && !(nv[c] && nkey[c] <= rk)); \
        if (stale !== exp_stale) begin \
          errors++; \
          if (errors < 10) $display("vs_forward_tb: %s: stale %0d, expected %0d (mode %0d, R %0d/%0d/%0d, c %0d)", \
                                    `"LBL`", stale, exp_stale, mode, rv, ri, rk, c); \
        end else if (!stale && (ok !== ev || (ev && (int'(idx) != ei || key != ek)) || \
                                is_core !== (changed && ev && ei == c))) begin \
          errors++; \
          if (errors < 10) \
            $display("vs_forward_tb: %s: got %0d/%0d/%0d core %0d, expected %0d/%0d/%0d (mode %0d, c %0d)", \
                     `"LBL`", ok, idx, key, is_core, ev, ei, ek, mode, c); \
        end \
        if (stale) hits[3]++; \
        else if (T2 && changed && rv && ri == c && !(nv[c] && nkey[c] <= rk)) hits[4]++; \
        else if (changed && ev && ei == c && !(rv && ri == c)) hits[0]++; \
        else if (changed && rv && ri != c && ev && ei == ri) hits[1]++; \
        else if (changed && rv && ri == c && ev && ei == c) hits[2]++; \
      endtask \
    end

  `FORWARD_CASE(n8_k3, 8, 3, 1'b0)
  `FORWARD_CASE(n5_k16, 5, 16, 1'b0)
  `FORWARD_CASE(t2_n8_k3, 8, 3, 1'b1)
  `FORWARD_CASE(t2_n5_k16, 5, 16, 1'b1)

  initial begin
    for (int t = 0; t < 100000; t++) begin
      n8_k3.trial();
      n5_k16.trial();
      t2_n8_k3.trial();
      t2_n5_k16.trial();
    end
    $display("vs_forward_tb: c taken %0d, R kept %0d, R is c and first %0d, stale %0d, R2 or c (Top2) %0d",
             hits[0], hits[1], hits[2], hits[3], hits[4]);
    for (int h = 0; h < 5; h++) begin
      if (hits[h] < 1000) begin
        errors++;
        $display("vs_forward_tb: case %0d reached only %0d times", h, hits[h]);
      end
    end
    if (errors != 0) $fatal(1, "vs_forward_tb: FAIL, %0d mismatches", errors);
    $display("vs_forward_tb: PASS");
    $finish;
  end
endmodule
