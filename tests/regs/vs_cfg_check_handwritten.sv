// vs_cfg_check as written by hand before it was generated (commit d50985b;
// comments shortened), frozen as the reference of cfg_equiv_test.sh.
module vs_cfg_check_handwritten #(
  parameter int NCores = 8,
  parameter int NNodes = 2,
  parameter int MaxShards = 4
) (
  input  logic [15:0] key_i,
  input  logic [31:0] value_i,
  output logic [7:0]  err_o
);
  localparam logic [31:0] NCores32    = NCores;
  localparam logic [31:0] MaxShards32 = MaxShards;
  localparam logic [3:0]  NNodes4     = NNodes[3:0];
  logic [31:0] maxv, minv;
  logic        known, numa, sgn_ok;
  always_comb begin
    known  = 1'b1;
    numa   = 1'b0;
    minv   = 32'd0;
    maxv   = 32'd255;
    sgn_ok = 1'b0;
    if (key_i[15:6] == 10'd1) begin
      numa = 1'b1;
      minv = 32'd1;
      maxv = 32'd255;
    end else if (key_i[15:5] != 11'd0) begin
      known = 1'b0;
    end else begin
      case (key_i[4:0])
        5'h00: begin minv = 32'd1; maxv = 32'd65535; end
        5'h01: maxv = 32'd255;
        5'h02: begin minv = 32'd1; maxv = 32'd32767; end
        5'h03: maxv = 32'd255;
        5'h04: maxv = 32'd32767;
        5'h05: maxv = 32'd7;
        5'h06: maxv = 32'd255;
        5'h07: maxv = 32'd255;
        5'h08: maxv = 32'd7;
        5'h09: maxv = 32'd15;
        5'h0A: maxv = 32'd15;
        5'h0B: maxv = 32'd1;
        5'h0C: begin minv = 32'd1; maxv = MaxShards32; end
        5'h0D: begin sgn_ok = 1'b1; end
        5'h0E: maxv = 32'd255;
        5'h0F: maxv = 32'd3;
        5'h10: maxv = 32'd255;
        5'h11: maxv = NCores32;
        5'h12: begin minv = 32'd1; maxv = MaxShards32; end
        5'h13: maxv = 32'd65535;
        5'h14: maxv = 32'd255;
        5'h15: maxv = 32'd255;
        default: known = 1'b0;
      endcase
    end
    if (!known) begin
      err_o = vs_pkg::ErrBadKey;
    end else if (numa && ({1'b0, key_i[5:3]} >= NNodes4 || {1'b0, key_i[2:0]} >= NNodes4)) begin
      err_o = vs_pkg::ErrBadNode;
    end else if (sgn_ok) begin
      if (value_i[31:15] == 17'd0 || (value_i[31:15] == 17'h1FFFF && value_i[14:0] != 15'd0)) begin
        err_o = vs_pkg::ErrNone;
      end else begin
        err_o = vs_pkg::ErrBadArg;
      end
    end else if (value_i < minv || value_i > maxv) begin
      err_o = vs_pkg::ErrBadArg;
    end else begin
      err_o = vs_pkg::ErrNone;
    end
  end
endmodule
