// Vitis RTL kernel wrapper of the vShard engine (bitstreams/alveo, data-mover
// layout LAYOUT=movers; the default ring layout wraps vs_card_top in vs_krnl_card.sv).
// Vitis port names: ap_clk, ap_rst_n, s_axi_control (the engine's AXI4-Lite
// register map, user-managed control: ap_ctrl_none), s_axis_evt, m_axis_dec.
// UNTESTED on hardware here (no Vitis, no card); lint-checked with Verilator.
module vs_krnl_top #(
  parameter int unsigned NCores = 64,
  parameter int unsigned NVcpus = 1024,
  parameter int unsigned NNodes = 4,
  parameter int unsigned MaxShards = 8
) (
  input  logic         ap_clk,
  input  logic         ap_rst_n,
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
  input  logic [127:0] s_axis_evt_tdata,
  input  logic         s_axis_evt_tvalid,
  output logic         s_axis_evt_tready,
  input  logic         s_axis_evt_tlast,
  input  logic [15:0]  s_axis_evt_tkeep,
  output logic [127:0] m_axis_dec_tdata,
  output logic         m_axis_dec_tvalid,
  input  logic         m_axis_dec_tready,
  output logic         m_axis_dec_tlast,
  output logic [15:0]  m_axis_dec_tkeep
);
  logic idle;
  logic [NNodes*32-1:0] pre_entry, pre_epoch;  // only the ring front-end (vs_card_top) copies them
  vs_top #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards)) u_engine (
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
    .s_axis_evt_tdata_i(s_axis_evt_tdata), .s_axis_evt_tvalid_i(s_axis_evt_tvalid),
    .s_axis_evt_tready_o(s_axis_evt_tready),
    .m_axis_dec_tdata_o(m_axis_dec_tdata), .m_axis_dec_tvalid_o(m_axis_dec_tvalid),
    .m_axis_dec_tready_i(m_axis_dec_tready), .m_axis_dec_tlast_o(m_axis_dec_tlast),
    .idle_o(idle), .pre_entry_o(pre_entry), .pre_epoch_o(pre_epoch)
  );
  assign m_axis_dec_tkeep = 16'hFFFF;
  logic unused;
  assign unused = ^{s_axis_evt_tlast, s_axis_evt_tkeep, idle, pre_entry, pre_epoch};
endmodule
