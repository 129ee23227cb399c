// vs_credit: the credit unit (docs/spec.md section 6). One credit update:
// credit_o = clamp(credit_i +/- amount_i, -cap_i, cap_i), computed exactly on
// a 19-bit signed intermediate (|credit| <= 32768, amount < 2^17), so it never
// wraps. Used for the TICK debit, the ACCOUNT refill, the latency boost and
// the sharding surcharge.
module vs_credit (
  input  logic [15:0] credit_i,  // signed
  input  logic        sub_i,     // 1: subtract amount_i, 0: add it
  input  logic [16:0] amount_i,  // unsigned
  input  logic [14:0] cap_i,     // CREDIT_CAP, 1..32767
  output logic [15:0] credit_o   // signed, in [-cap_i, cap_i]
);
  logic signed [18:0] wide, amt, cap_p, cap_n;

  always_comb begin
    amt   = $signed({2'b00, amount_i});
    cap_p = $signed({4'b0000, cap_i});
    cap_n = -cap_p;
    wide  = $signed({{3{credit_i[15]}}, credit_i}) + (sub_i ? -amt : amt);
    if (wide > cap_p) begin
      credit_o = {1'b0, cap_i};
    end else if (wide < cap_n) begin
      credit_o = cap_n[15:0];
    end else begin
      credit_o = wide[15:0];
    end
  end

  logic unused_wide;
  assign unused_wide = ^{wide[18:16], cap_n[18:16]};
endmodule
