// vs_card_top: the engine as a PCIe card sees it: vs_top behind its DMA ring
// front-end (vs_dma_frontend). The host writes registers over AXI4-Lite (the
// map of regs/vshard_regs.json) and otherwise only touches host memory: the
// front-end reads events from the event ring, writes decisions, the
// prestaged lines and the index writeback word there (docs/driver.md "Host
// memory", docs/rtl.md "DMA front-end").
//
// AXI4-Lite: one access at a time. The rings block (0x080-0x0BF) is the
// front-end's; every other address goes to the engine, whose answer comes
// back with two merges: ERR_STICKY also shows the front-end's sticky bits
// (E_RING_OVERFLOW, E_DMA; a write of 1s clears them too) and STATUS.ERROR
// them, STATUS.IDLE is the engine's and the front-end's. A CTRL write with
// SOFT_RESET resets the engine and the front-end's indices. Writes with
// partial byte strobes to the rings block are ignored, as the engine ignores
// them (bresp OKAY).
module vs_card_top #(
  /// Engine parameters (vs_top).
  parameter int NCores = 8,
  parameter int NVcpus = 64,
  parameter int NNodes = 2,
  parameter int MaxShards = 4,
  /// Event-read bursts in flight (vs_dma_frontend), 1..16.
  parameter int ReadTags = 16
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  // AXI4-Lite slave: the register map
  input  logic [11:0]  s_axil_awaddr_i,
  input  logic         s_axil_awvalid_i,
  output logic         s_axil_awready_o,
  input  logic [31:0]  s_axil_wdata_i,
  input  logic [3:0]   s_axil_wstrb_i,
  input  logic         s_axil_wvalid_i,
  output logic         s_axil_wready_o,
  output logic [1:0]   s_axil_bresp_o,
  output logic         s_axil_bvalid_o,
  input  logic         s_axil_bready_i,
  input  logic [11:0]  s_axil_araddr_i,
  input  logic         s_axil_arvalid_i,
  output logic         s_axil_arready_o,
  output logic [31:0]  s_axil_rdata_o,
  output logic [1:0]   s_axil_rresp_o,
  output logic         s_axil_rvalid_o,
  input  logic         s_axil_rready_i,
  // AXI4 master to host memory (vs_dma_frontend has the rules)
  output logic [3:0]   m_axi_awid_o,
  output logic [63:0]  m_axi_awaddr_o,
  output logic [7:0]   m_axi_awlen_o,
  output logic [2:0]   m_axi_awsize_o,
  output logic [1:0]   m_axi_awburst_o,
  output logic         m_axi_awvalid_o,
  input  logic         m_axi_awready_i,
  output logic [127:0] m_axi_wdata_o,
  output logic [15:0]  m_axi_wstrb_o,
  output logic         m_axi_wlast_o,
  output logic         m_axi_wvalid_o,
  input  logic         m_axi_wready_i,
  input  logic [3:0]   m_axi_bid_i,
  input  logic [1:0]   m_axi_bresp_i,
  input  logic         m_axi_bvalid_i,
  output logic         m_axi_bready_o,
  output logic [3:0]   m_axi_arid_o,
  output logic [63:0]  m_axi_araddr_o,
  output logic [7:0]   m_axi_arlen_o,
  output logic [2:0]   m_axi_arsize_o,
  output logic [1:0]   m_axi_arburst_o,
  output logic         m_axi_arvalid_o,
  input  logic         m_axi_arready_i,
  input  logic [3:0]   m_axi_rid_i,
  input  logic [127:0] m_axi_rdata_i,
  input  logic [1:0]   m_axi_rresp_i,
  input  logic         m_axi_rlast_i,
  input  logic         m_axi_rvalid_i,
  output logic         m_axi_rready_o,
  // Engine and front-end idle, host memory current.
  output logic         idle_o
);
  // ==========================================================================
  // AXI4-Lite: the host's accesses, split between front-end and engine
  // ==========================================================================
  // Engine side of the split.
  logic [11:0] e_awaddr, e_araddr;
  logic        e_awvalid, e_awready, e_wready, e_bvalid, e_arvalid, e_arready, e_rvalid;
  logic [31:0] e_wdata, e_rdata;
  logic [3:0]  e_wstrb;
  logic [1:0]  e_bresp, e_rresp;

  // The rings block is the 64 bytes at EVQ_BASE_LO (address bits 11:6).
  function automatic logic is_ring(input logic [5:0] a_hi);
    is_ring = (a_hi == vs_regs_pkg::EVQ_BASE_LO_OFFSET[11:6]);
  endfunction

  // Writes: accept address and data together; a rings-block write is done
  // at once, an engine write is forwarded and its response passed back.
  typedef enum logic [1:0] {WrIdle, WrEngine, WrResp} wr_state_e;
  wr_state_e   wst_q;
  logic [11:0] wa_q;
  logic [31:0] wd_q;
  logic [3:0]  ws_q;
  logic        bvalid_q;
  logic        w_accept, fe_we, fe_soft_rst;
  logic [31:0] fe_sticky_clr;
  assign w_accept         = (wst_q == WrIdle) && s_axil_awvalid_i && s_axil_wvalid_i;
  assign s_axil_awready_o = w_accept;
  assign s_axil_wready_o  = w_accept;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = 2'b00;
  assign e_awvalid        = (wst_q == WrEngine);
  assign e_awaddr         = wa_q;
  assign e_wdata          = wd_q;
  assign e_wstrb          = ws_q;
  assign fe_we            = w_accept && is_ring(s_axil_awaddr_i[11:6]) && (s_axil_wstrb_i == 4'hF);
  // Snooped when the engine takes the write (the engine applies it then too).
  assign fe_soft_rst   = e_awvalid && e_awready && (ws_q == 4'hF) &&
                         (wa_q[11:2] == vs_regs_pkg::CTRL_OFFSET[11:2]) && wd_q[1];
  assign fe_sticky_clr = (e_awvalid && e_awready && (ws_q == 4'hF) &&
                          (wa_q[11:2] == vs_regs_pkg::ERR_STICKY_OFFSET[11:2])) ? wd_q : 32'd0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wst_q    <= WrIdle;
      wa_q     <= '0;
      wd_q     <= '0;
      ws_q     <= '0;
      bvalid_q <= 1'b0;
    end else begin
      unique case (wst_q)
        WrIdle: if (w_accept) begin
          wa_q <= s_axil_awaddr_i;
          wd_q <= s_axil_wdata_i;
          ws_q <= s_axil_wstrb_i;
          if (is_ring(s_axil_awaddr_i[11:6])) begin
            bvalid_q <= 1'b1;
            wst_q    <= WrResp;
          end else begin
            wst_q <= WrEngine;
          end
        end
        WrEngine: if (e_awready) wst_q <= WrResp;
        WrResp: begin
          // The engine's B (or our own) goes out; then the next access.
          if (e_bvalid) bvalid_q <= 1'b1;
          if (bvalid_q && s_axil_bready_i) begin
            bvalid_q <= 1'b0;
            wst_q    <= WrIdle;
          end
        end
        default: wst_q <= WrIdle;
      endcase
    end
  end

  // Reads: a rings-block read is answered from the front-end; others are
  // forwarded and their data merged (ERR_STICKY, STATUS).
  typedef enum logic [1:0] {RdIdle, RdEngine, RdWait, RdResp} rd_state_e;
  rd_state_e   rst_q;
  logic [11:0] ra_q;
  logic [31:0] rdata_q;
  logic        r_accept;
  logic [31:0] fe_rdata, fe_sticky, merged;
  logic        fe_idle, eng_idle;
  assign r_accept         = (rst_q == RdIdle) && s_axil_arvalid_i;
  assign s_axil_arready_o = r_accept;
  assign s_axil_rvalid_o  = (rst_q == RdResp);
  assign s_axil_rdata_o   = rdata_q;
  assign s_axil_rresp_o   = 2'b00;
  assign e_arvalid        = (rst_q == RdEngine);
  assign e_araddr         = ra_q;

  always_comb begin
    merged = e_rdata;
    if (ra_q[11:2] == vs_regs_pkg::ERR_STICKY_OFFSET[11:2]) merged = e_rdata | fe_sticky;
    if (ra_q[11:2] == vs_regs_pkg::STATUS_OFFSET[11:2]) begin
      if (fe_sticky != 32'd0) merged[vs_regs_pkg::STATUS_ERROR_LSB] = 1'b1;
      if (!fe_idle) merged[vs_regs_pkg::STATUS_IDLE_LSB] = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rst_q   <= RdIdle;
      ra_q    <= '0;
      rdata_q <= '0;
    end else begin
      unique case (rst_q)
        RdIdle: if (r_accept) begin
          ra_q <= s_axil_araddr_i;
          if (is_ring(s_axil_araddr_i[11:6])) begin
            rdata_q <= fe_rdata;
            rst_q   <= RdResp;
          end else begin
            rst_q <= RdEngine;
          end
        end
        RdEngine: if (e_arready) rst_q <= RdWait;
        RdWait: if (e_rvalid) begin
          rdata_q <= merged;
          rst_q   <= RdResp;
        end
        RdResp: if (s_axil_rready_i) rst_q <= RdIdle;
        default: rst_q <= RdIdle;
      endcase
    end
  end

  // ==========================================================================
  // The engine and its front-end
  // ==========================================================================
  logic [127:0]         evt_tdata, dec_tdata;
  logic                 evt_tvalid, evt_tready, dec_tvalid, dec_tready, dec_tlast;
  logic [NNodes*32-1:0] pre_entry, pre_epoch;

  vs_top #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards)) u_engine (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i(e_awaddr), .s_axil_awvalid_i(e_awvalid), .s_axil_awready_o(e_awready),
    .s_axil_wdata_i(e_wdata), .s_axil_wstrb_i(e_wstrb), .s_axil_wvalid_i(e_awvalid),
    .s_axil_wready_o(e_wready), .s_axil_bresp_o(e_bresp), .s_axil_bvalid_o(e_bvalid),
    .s_axil_bready_i(1'b1),
    .s_axil_araddr_i(e_araddr), .s_axil_arvalid_i(e_arvalid), .s_axil_arready_o(e_arready),
    .s_axil_rdata_o(e_rdata), .s_axil_rresp_o(e_rresp), .s_axil_rvalid_o(e_rvalid),
    .s_axil_rready_i(1'b1),
    .s_axis_evt_tdata_i(evt_tdata), .s_axis_evt_tvalid_i(evt_tvalid), .s_axis_evt_tready_o(evt_tready),
    .m_axis_dec_tdata_o(dec_tdata), .m_axis_dec_tvalid_o(dec_tvalid), .m_axis_dec_tready_i(dec_tready),
    .m_axis_dec_tlast_o(dec_tlast),
    .idle_o(eng_idle), .pre_entry_o(pre_entry), .pre_epoch_o(pre_epoch)
  );

  vs_dma_frontend #(.NNodes(NNodes), .ReadTags(ReadTags)) u_frontend (
    .clk_i, .rst_ni,
    .reg_we_i(fe_we), .reg_waddr_i(s_axil_awaddr_i), .reg_wdata_i(s_axil_wdata_i),
    .reg_raddr_i(s_axil_araddr_i), .reg_rdata_o(fe_rdata),
    .soft_rst_i(fe_soft_rst), .sticky_clr_i(fe_sticky_clr), .sticky_o(fe_sticky),
    .evt_tdata_o(evt_tdata), .evt_tvalid_o(evt_tvalid), .evt_tready_i(evt_tready),
    .dec_tdata_i(dec_tdata), .dec_tvalid_i(dec_tvalid), .dec_tready_o(dec_tready),
    .eng_idle_i(eng_idle), .pre_entry_i(pre_entry), .pre_epoch_i(pre_epoch),
    .m_axi_awid_o, .m_axi_awaddr_o, .m_axi_awlen_o, .m_axi_awsize_o, .m_axi_awburst_o,
    .m_axi_awvalid_o, .m_axi_awready_i,
    .m_axi_wdata_o, .m_axi_wstrb_o, .m_axi_wlast_o, .m_axi_wvalid_o, .m_axi_wready_i,
    .m_axi_bid_i, .m_axi_bresp_i, .m_axi_bvalid_i, .m_axi_bready_o,
    .m_axi_arid_o, .m_axi_araddr_o, .m_axi_arlen_o, .m_axi_arsize_o, .m_axi_arburst_o,
    .m_axi_arvalid_o, .m_axi_arready_i,
    .m_axi_rid_i, .m_axi_rdata_i, .m_axi_rresp_i, .m_axi_rlast_i, .m_axi_rvalid_i, .m_axi_rready_o,
    .idle_o(fe_idle)
  );

  assign idle_o = fe_idle;  // includes the engine's idle_o

  logic unused;
  assign unused = ^{e_wready, e_bresp, e_rresp, dec_tlast};
endmodule
