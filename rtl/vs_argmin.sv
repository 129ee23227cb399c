// vs_argmin: argmin over N keys with valid bits; ties go to the lowest index.
//
// A balanced binary tree, one generate block per level (level 0 = the
// leaves). An inner node keeps its left (lower-index) child unless the right
// child is valid and its key strictly smaller, or the left one is invalid;
// that makes ties resolve to the lowest index. N that is not a power of two
// is padded with invalid leaves. valid_o = 0 when no input is valid (idx_o
// and key_o are then 0).
//
// PipeEvery = 0: purely combinational (latency 0). PipeEvery = p > 0: the
// outputs of tree levels l >= 1 with l % p == 0 are registered, so the
// latency is floor(clog2(N) / p) cycles; every path has the same latency.
module vs_argmin #(
  /// Number of leaves (>= 1).
  parameter int N = 8,
  /// Key width in bits; keys compare as unsigned integers.
  parameter int KeyW = 16,
  /// Width of the index output (>= clog2(N), >= 1).
  parameter int IdxW = 8,
  /// Register every PipeEvery tree levels; 0 = combinational.
  parameter int PipeEvery = 0
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [N-1:0]      valid_i,
  input  logic [N*KeyW-1:0] key_i,
  output logic              valid_o,
  output logic [IdxW-1:0]   idx_o,
  output logic [KeyW-1:0]   key_o
);
  localparam int Height = (N > 1) ? $clog2(N) : 0;
  localparam int P = 1 << Height;  // padded leaf count

  if (N < 1 || IdxW < 1 || KeyW < 1 || PipeEvery < 0) begin : gen_bad_param
    $error("vs_argmin: N, KeyW and IdxW must be >= 1 and PipeEvery >= 0");
  end
  if (Height > IdxW) begin : gen_bad_idx
    $error("vs_argmin: IdxW is too small for N");
  end

  for (genvar l = 0; l <= Height; l++) begin : gen_lvl
    localparam int Nl = P >> l;  // nodes on this level
    logic [Nl-1:0]      v;
    logic [Nl*KeyW-1:0] k;
    logic [Nl*IdxW-1:0] ix;

    if (l == 0) begin : gen_leaves
      for (genvar j = 0; j < P; j++) begin : gen_leaf
        localparam logic [IdxW-1:0] J = j[IdxW-1:0];
        if (j < N) begin : gen_in
          assign v[j] = valid_i[j];
          assign k[j*KeyW +: KeyW] = valid_i[j] ? key_i[j*KeyW +: KeyW] : '0;
        end else begin : gen_pad
          assign v[j] = 1'b0;
          assign k[j*KeyW +: KeyW] = '0;
        end
        assign ix[j*IdxW +: IdxW] = J;
      end
    end else begin : gen_inner
      logic [Nl-1:0]      nv;
      logic [Nl*KeyW-1:0] nk;
      logic [Nl*IdxW-1:0] ni;
      for (genvar j = 0; j < Nl; j++) begin : gen_node
        logic            av, bv, take_b;
        logic [KeyW-1:0] ak, bk;
        logic [IdxW-1:0] ai, bi;
        assign av = gen_lvl[l-1].v[2*j];
        assign bv = gen_lvl[l-1].v[2*j+1];
        assign ak = gen_lvl[l-1].k[(2*j)*KeyW +: KeyW];
        assign bk = gen_lvl[l-1].k[(2*j+1)*KeyW +: KeyW];
        assign ai = gen_lvl[l-1].ix[(2*j)*IdxW +: IdxW];
        assign bi = gen_lvl[l-1].ix[(2*j+1)*IdxW +: IdxW];
        assign take_b = bv && (!av || (bk < ak));
        assign nv[j] = av || bv;
        assign nk[j*KeyW +: KeyW] = take_b ? bk : (av ? ak : '0);
        assign ni[j*IdxW +: IdxW] = take_b ? bi : (av ? ai : '0);
      end
      if (PipeEvery > 0 && (l % PipeEvery) == 0) begin : gen_reg
        logic [Nl-1:0]      v_q;
        logic [Nl*KeyW-1:0] k_q;
        logic [Nl*IdxW-1:0] ix_q;
        always_ff @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) begin
            v_q  <= '0;
            k_q  <= '0;
            ix_q <= '0;
          end else begin
            v_q  <= nv;
            k_q  <= nk;
            ix_q <= ni;
          end
        end
        assign v  = v_q;
        assign k  = k_q;
        assign ix = ix_q;
      end else begin : gen_comb
        assign v  = nv;
        assign k  = nk;
        assign ix = ni;
      end
    end
  end

  assign valid_o = gen_lvl[Height].v[0];
  assign key_o   = gen_lvl[Height].k[KeyW-1:0];
  assign idx_o   = gen_lvl[Height].ix[IdxW-1:0];

  // Clock and reset are unused when no level is registered.
  logic unused_clk;
  assign unused_clk = clk_i ^ rst_ni;
endmodule
