// Vitis RTL kernel wrapper of the engine with its DMA ring front-end
// (rtl/vs_card_top.sv), kernel `vs_card` of the ring layout (bitstreams/alveo,
// LAYOUT=ring). Vitis port names: ap_clk, ap_rst_n, s_axi_control (the
// engine's AXI4-Lite register map, user-managed control: ap_ctrl_none, since
// the identity block sits at offset 0 where an ap_ctrl_hs kernel has its
// ap_start), m_axi_gmem (AXI4 master, 64-bit addresses, 128-bit data: the
// event ring, decision ring and prestaged table in host memory, or in a card
// bank, see connectivity_<board>_ring*.cfg). The three 64-bit pointer
// arguments of kernel_card.xml (evq_base, dq_base, prestage_base) are the
// front-end's EVQ_BASE, DQ_BASE and PRESTAGE_BASE registers.
//
// AxCACHE is 4'b0011 (normal non-cacheable bufferable, what Vitis HLS m_axi
// ports drive), AxPROT 3'b000, AxLOCK 0 (no exclusive access), AxQOS 0.
// IDs are 4 bits (reads: one per outstanding burst, answered in any order
// across IDs; writes always 0). ap_rst_n goes straight to the RTL's
// asynchronous-reset flip-flops; Vitis drives it synchronously to ap_clk, so
// its release is clean, and recommends registering it inside the kernel for
// fan-out: not done (as in vs_krnl_top.sv; a timing question for Vivado).
// UNTESTED on hardware here (no Vitis, no card); lint-checked with Verilator
// (bitstreams/alveo/check_flow.py).
module vs_krnl_card #(
  /// Physical cores the engine schedules (vs_top).
  parameter int unsigned NCores = 64,
  /// vCPUs in the engine's table.
  parameter int unsigned NVcpus = 1024,
  /// NUMA nodes (one prestaged line each).
  parameter int unsigned NNodes = 4,
  /// Shards per preemption at most.
  parameter int unsigned MaxShards = 8
) (
  input  logic         ap_clk,
  input  logic         ap_rst_n,
  // AXI4-Lite control: the register map (include/vshard/regs.h).
  input  logic [11:0]  s_axi_control_awaddr,
  input  logic         s_axi_control_awvalid,
  output logic         s_axi_control_awready,
  input  logic [31:0]  s_axi_control_wdata,
  input  logic [3:0]   s_axi_control_wstrb,
  input  logic         s_axi_control_wvalid,
  output logic         s_axi_control_wready,
  output logic [1:0]   s_axi_control_bresp,
  output logic         s_axi_control_bvalid,
  input  logic         s_axi_control_bready,
  input  logic [11:0]  s_axi_control_araddr,
  input  logic         s_axi_control_arvalid,
  output logic         s_axi_control_arready,
  output logic [31:0]  s_axi_control_rdata,
  output logic [1:0]   s_axi_control_rresp,
  output logic         s_axi_control_rvalid,
  input  logic         s_axi_control_rready,
  // AXI4 master to the rings and the prestaged table.
  output logic [3:0]   m_axi_gmem_awid,
  output logic [63:0]  m_axi_gmem_awaddr,
  output logic [7:0]   m_axi_gmem_awlen,
  output logic [2:0]   m_axi_gmem_awsize,
  output logic [1:0]   m_axi_gmem_awburst,
  output logic         m_axi_gmem_awlock,
  output logic [3:0]   m_axi_gmem_awcache,
  output logic [2:0]   m_axi_gmem_awprot,
  output logic [3:0]   m_axi_gmem_awqos,
  output logic         m_axi_gmem_awvalid,
  input  logic         m_axi_gmem_awready,
  output logic [127:0] m_axi_gmem_wdata,
  output logic [15:0]  m_axi_gmem_wstrb,
  output logic         m_axi_gmem_wlast,
  output logic         m_axi_gmem_wvalid,
  input  logic         m_axi_gmem_wready,
  input  logic [3:0]   m_axi_gmem_bid,
  input  logic [1:0]   m_axi_gmem_bresp,
  input  logic         m_axi_gmem_bvalid,
  output logic         m_axi_gmem_bready,
  output logic [3:0]   m_axi_gmem_arid,
  output logic [63:0]  m_axi_gmem_araddr,
  output logic [7:0]   m_axi_gmem_arlen,
  output logic [2:0]   m_axi_gmem_arsize,
  output logic [1:0]   m_axi_gmem_arburst,
  output logic         m_axi_gmem_arlock,
  output logic [3:0]   m_axi_gmem_arcache,
  output logic [2:0]   m_axi_gmem_arprot,
  output logic [3:0]   m_axi_gmem_arqos,
  output logic         m_axi_gmem_arvalid,
  input  logic         m_axi_gmem_arready,
  input  logic [3:0]   m_axi_gmem_rid,
  input  logic [127:0] m_axi_gmem_rdata,
  input  logic [1:0]   m_axi_gmem_rresp,
  input  logic         m_axi_gmem_rlast,
  input  logic         m_axi_gmem_rvalid,
  output logic         m_axi_gmem_rready
);
  logic idle;
  vs_card_top #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards)) u_card (
    .clk_i(ap_clk), .rst_ni(ap_rst_n),
    .s_axil_awaddr_i(s_axi_control_awaddr), .s_axil_awvalid_i(s_axi_control_awvalid),
    .s_axil_awready_o(s_axi_control_awready), .s_axil_wdata_i(s_axi_control_wdata),
    .s_axil_wstrb_i(s_axi_control_wstrb), .s_axil_wvalid_i(s_axi_control_wvalid),
    .s_axil_wready_o(s_axi_control_wready), .s_axil_bresp_o(s_axi_control_bresp),
    .s_axil_bvalid_o(s_axi_control_bvalid), .s_axil_bready_i(s_axi_control_bready),
    .s_axil_araddr_i(s_axi_control_araddr), .s_axil_arvalid_i(s_axi_control_arvalid),
    .s_axil_arready_o(s_axi_control_arready), .s_axil_rdata_o(s_axi_control_rdata),
    .s_axil_rresp_o(s_axi_control_rresp), .s_axil_rvalid_o(s_axi_control_rvalid),
    .s_axil_rready_i(s_axi_control_rready),
    .m_axi_awid_o(m_axi_gmem_awid), .m_axi_awaddr_o(m_axi_gmem_awaddr), .m_axi_awlen_o(m_axi_gmem_awlen),
    .m_axi_awsize_o(m_axi_gmem_awsize), .m_axi_awburst_o(m_axi_gmem_awburst),
    .m_axi_awvalid_o(m_axi_gmem_awvalid), .m_axi_awready_i(m_axi_gmem_awready),
    .m_axi_wdata_o(m_axi_gmem_wdata), .m_axi_wstrb_o(m_axi_gmem_wstrb), .m_axi_wlast_o(m_axi_gmem_wlast),
    .m_axi_wvalid_o(m_axi_gmem_wvalid), .m_axi_wready_i(m_axi_gmem_wready),
    .m_axi_bid_i(m_axi_gmem_bid), .m_axi_bresp_i(m_axi_gmem_bresp), .m_axi_bvalid_i(m_axi_gmem_bvalid),
    .m_axi_bready_o(m_axi_gmem_bready),
    .m_axi_arid_o(m_axi_gmem_arid), .m_axi_araddr_o(m_axi_gmem_araddr), .m_axi_arlen_o(m_axi_gmem_arlen),
    .m_axi_arsize_o(m_axi_gmem_arsize), .m_axi_arburst_o(m_axi_gmem_arburst),
    .m_axi_arvalid_o(m_axi_gmem_arvalid), .m_axi_arready_i(m_axi_gmem_arready),
    .m_axi_rid_i(m_axi_gmem_rid), .m_axi_rdata_i(m_axi_gmem_rdata), .m_axi_rresp_i(m_axi_gmem_rresp),
    .m_axi_rlast_i(m_axi_gmem_rlast), .m_axi_rvalid_i(m_axi_gmem_rvalid), .m_axi_rready_o(m_axi_gmem_rready),
    .idle_o(idle)
  );
  assign m_axi_gmem_awlock  = 1'b0;
  assign m_axi_gmem_awcache = 4'b0011;
  assign m_axi_gmem_awprot  = 3'b000;
  assign m_axi_gmem_awqos   = 4'b0000;
  assign m_axi_gmem_arlock  = 1'b0;
  assign m_axi_gmem_arcache = 4'b0011;
  assign m_axi_gmem_arprot  = 3'b000;
  assign m_axi_gmem_arqos   = 4'b0000;
  // idle_o is for simulators (they may stop clocking); a card has no use for it.
  logic unused;
  assign unused = idle;
endmodule
