// vs_cfg_equiv: the generated vs_cfg_regs next to the hand-written reference
// (vs_cfg_handwritten.sv), both written only with what vs_cfg_check accepts
// (as vs_top does: a CONFIG event or an AXI4-Lite write with an error code
// stores nothing), both read at the same key. ok = 1 while the read values,
// every configuration register and NUMA_DIST agree; cfg_equiv_test.sh proves
// it always holds after rst_ni (k-induction with Yosys sat).
module vs_cfg_equiv #(parameter int NCores = 8, parameter int NNodes = 2, parameter int MaxShards = 4) (
  input logic clk_i, input logic rst_ni, input logic soft_rst, input logic we,
  input logic [15:0] key, input logic [31:0] val, input logic [6:0] rkey7, output logic ok);
  logic [7:0] err;
  logic [31:0] rd_old, rd_new;
  logic [175:0] f_old;
  vs_regs_pkg::cfg_t f_new;
  logic [NNodes*NNodes*8-1:0] n_old, n_new;
  logic we_ok;
  vs_cfg_check #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) c(.key_i(key), .value_i(val), .err_o(err));
  assign we_ok = we && (err == 8'd0);
  vs_cfg_handwritten #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) o(.clk_i, .rst_ni, .soft_rst, .cfg_we(we_ok),
    .cfg_key(key), .cfg_val(val), .ra(12'h100 + {3'b0, rkey7, 2'b0}), .rd_val(rd_old), .cfg_flat(f_old), .numa_o(n_old));
  vs_cfg_regs #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) n(.clk_i, .rst_ni, .soft_rst_i(soft_rst),
    .we_i(we_ok), .key_i(key), .value_i(val), .rkey_i({9'd0, rkey7}), .rdata_o(rd_new), .cfg_o(f_new), .numa_dist_o(n_new));
  assign ok = (rd_old == rd_new) && (f_old == f_new) && (n_old == n_new);
endmodule
