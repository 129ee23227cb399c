// vs_argmin: argmin over N keys with valid bits; ties go to the lowest index.
//
// A balanced binary tree, one generate block per level (level 0 = the
// leaves) and one per node within it. An inner node keeps its left
// (lower-index) child unless the right child is valid and its key strictly
// smaller, or the left one is invalid; that makes ties resolve to the lowest
// index. N that is not a power of two is padded with invalid leaves.
// valid_o = 0 when no input is valid (idx_o and key_o are then 0).
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

  // One signal set per tree node (gen_lvl[l].gen_n[j]) rather than one
  // packed vector per level: Verilator then evaluates each node on its own
  // instead of rewriting a whole level's vector slice by slice, which cost
  // ~18 % of the large bench's instructions (docs/rtl.md, "Verilator speed").
  for (genvar l = 0; l <= Height; l++) begin : gen_lvl
    localparam int Nl = P >> l;  // nodes on this level
    for (genvar j = 0; j < Nl; j++) begin : gen_n
      logic            v;
      logic [KeyW-1:0] k;
      logic [IdxW-1:0] ix;

      if (l == 0) begin : gen_leaf
        localparam logic [IdxW-1:0] J = j[IdxW-1:0];
        if (j < N) begin : gen_in
          assign v = valid_i[j];
          assign k = valid_i[j] ? key_i[j*KeyW +: KeyW] : '0;
        end else begin : gen_pad
          assign v = 1'b0;
          assign k = '0;
        end
        assign ix = J;
      end else begin : gen_inner
        logic            av, bv, take_b, nv;
        logic [KeyW-1:0] ak, bk, nk;
        logic [IdxW-1:0] ai, bi, ni;
        assign av = gen_lvl[l-1].gen_n[2*j].v;
        assign bv = gen_lvl[l-1].gen_n[2*j+1].v;
        assign ak = gen_lvl[l-1].gen_n[2*j].k;
        assign bk = gen_lvl[l-1].gen_n[2*j+1].k;
        assign ai = gen_lvl[l-1].gen_n[2*j].ix;
        assign bi = gen_lvl[l-1].gen_n[2*j+1].ix;
        assign take_b = bv && (!av || (bk < ak));
        assign nv = av || bv;
        assign nk = take_b ? bk : (av ? ak : '0);
        assign ni = take_b ? bi : (av ? ai : '0);
        if (PipeEvery > 0 && (l % PipeEvery) == 0) begin : gen_reg
          always_ff @(posedge clk_i or negedge rst_ni) begin
            if (!rst_ni) begin
              v  <= 1'b0;
              k  <= '0;
              ix <= '0;
            end else begin
              v  <= nv;
              k  <= nk;
              ix <= ni;
            end
          end
        end else begin : gen_comb
          assign v  = nv;
          assign k  = nk;
          assign ix = ni;
        end
      end
    end
  end

  assign valid_o = gen_lvl[Height].gen_n[0].v;
  assign key_o   = gen_lvl[Height].gen_n[0].k;
  assign idx_o   = gen_lvl[Height].gen_n[0].ix;

  // Clock and reset are unused when no level is registered.
  logic unused_clk;
  assign unused_clk = clk_i ^ rst_ni;
endmodule
