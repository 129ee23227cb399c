// vs_argmin2: the least and the second least of N keys with valid bits, in
// vs_argmin's order (least key first, ties to the lower index), in one
// combinational tree.
//
// Why: vs_search's forwarded idle result (vs_forward) can follow a write to
// the core it names only if it knows who comes next. The search that a
// WAKE reads right after a placement on its node's best idle core named
// that core; with the runner-up registered beside it, the new best is the
// runner-up or the written core, and the WAKE need not wait a cycle.
//
// A balanced binary tree over the leaves padded to a power of two with
// invalid ones. A node merges the pairs (a1, a2) of its left (lower-index)
// child and (b1, b2) of its right child:
//   first  = b1 if b1 comes before a1, else a1;
//   second = the earlier of a1 and b2 if b1 came first, else of a2 and b1;
// "x before y", x from the left child and y from the right, is y invalid
// or (x valid and x's key <= y's key), so ties keep the lower index.
// An invalid result has key and index 0.
module vs_argmin2 #(
  /// Number of leaves (>= 1).
  parameter int N = 8,
  /// Key width in bits; keys compare as unsigned integers.
  parameter int KeyW = 16,
  /// Width of the index outputs (>= clog2(N), >= 1).
  parameter int IdxW = 8
) (
  input  logic [N-1:0]      valid_i,
  input  logic [N*KeyW-1:0] key_i,
  output logic              valid_o,   // the least
  output logic [IdxW-1:0]   idx_o,
  output logic [KeyW-1:0]   key_o,
  output logic              valid2_o,  // the second least (valid when two leaves are)
  output logic [IdxW-1:0]   idx2_o,
  output logic [KeyW-1:0]   key2_o
);
  localparam int Height = (N > 1) ? $clog2(N) : 0;
  localparam int P = 1 << Height;  // padded leaf count
  localparam int EW = 1 + KeyW + IdxW;  // an entry: {valid, key, index}

  if (N < 1 || IdxW < 1 || KeyW < 1) begin : gen_bad_param
    $error("vs_argmin2: N, KeyW and IdxW must be >= 1");
  end
  if (Height > IdxW) begin : gen_bad_idx
    $error("vs_argmin2: IdxW is too small for N");
  end

  // the earlier of x (left) and y (right) in the order above
  function automatic logic [EW-1:0] earlier(input logic [EW-1:0] x, input logic [EW-1:0] y);
    logic take_y;
    take_y  = y[EW-1] && (!x[EW-1] || (y[EW-2 -: KeyW] < x[EW-2 -: KeyW]));
    earlier = take_y ? y : x;
  endfunction

  // One signal pair per tree node (gen_lvl[l].gen_n[j]), not one packed
  // vector per level, for Verilator's sake (docs/rtl.md, "Verilator speed").
  for (genvar l = 0; l <= Height; l++) begin : gen_lvl
    localparam int Nl = P >> l;  // nodes on this level
    for (genvar j = 0; j < Nl; j++) begin : gen_n
      logic [EW-1:0] e1, e2;  // first and second of this node

      if (l == 0) begin : gen_leaf
        localparam logic [IdxW-1:0] J = j[IdxW-1:0];
        if (j < N) begin : gen_in
          assign e1 = valid_i[j] ? {1'b1, key_i[j*KeyW +: KeyW], J} : '0;
        end else begin : gen_pad
          assign e1 = '0;
        end
        assign e2 = '0;
      end else begin : gen_inner
        logic [EW-1:0] a1, a2, b1, b2;
        logic          b_first;
        assign a1 = gen_lvl[l-1].gen_n[2*j].e1;
        assign a2 = gen_lvl[l-1].gen_n[2*j].e2;
        assign b1 = gen_lvl[l-1].gen_n[2*j+1].e1;
        assign b2 = gen_lvl[l-1].gen_n[2*j+1].e2;
        assign b_first = b1[EW-1] && (!a1[EW-1] || (b1[EW-2 -: KeyW] < a1[EW-2 -: KeyW]));
        assign e1 = b_first ? b1 : a1;
        assign e2 = b_first ? earlier(a1, b2) : earlier(a2, b1);
      end
    end
  end

  assign {valid_o, key_o, idx_o}    = gen_lvl[Height].gen_n[0].e1;
  assign {valid2_o, key2_o, idx2_o} = gen_lvl[Height].gen_n[0].e2;
endmodule
