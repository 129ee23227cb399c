// vs_vcpu_ram: the vCPU table, one read port (synchronous, one cycle) and
// one write port: an unpacked array of logic vectors that synthesis maps to
// block or distributed RAM. A read of the address written in the same cycle
// returns the old word (read-first); the engine never needs the other order.
//
// Note (Yosys 0.23): when synth_xilinx maps a memory to RAMB18E1/RAMB36E1 its
// own techmap prints "Resizing cell port ... DIADI from 64 bits to N bits" on
// the primitive, for any memory (a plain 1024 x 16 Verilog array does it
// too). The small configuration maps to RAM64M and is clean; for large/max
// use synth_xilinx -nobram for a warning-free run (docs/rtl.md).
module vs_vcpu_ram #(
  /// Word width in bits.
  parameter int Width = 66,
  /// Number of words (>= 1).
  parameter int Depth = 64,
  /// Address width (>= 1, >= clog2(Depth)).
  parameter int AW = 6
) (
  input  logic             clk_i,
  input  logic [AW-1:0]    raddr_i,
  output logic [Width-1:0] rdata_o,
  input  logic             we_i,
  input  logic [AW-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i
`ifdef FORMAL
  // Formal only (tests/formal): every word, for the invariants in vs_top.
  , output logic [Width*Depth-1:0] f_mem_o
`endif
);
  logic [Width-1:0] mem [Depth];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) mem[waddr_i] <= wdata_i;
    rdata_q <= mem[raddr_i];
  end
  assign rdata_o = rdata_q;
`ifdef FORMAL
  for (genvar i = 0; i < Depth; i++) begin : gen_f_mem
    assign f_mem_o[i*Width +: Width] = mem[i];
  end
`endif
endmodule
