// vs_regs: the register block of regs/vshard_regs.json on AXI4-Lite:
// identity, CTRL / STATUS, sticky errors, SCRATCH, the ring registers (plain
// storage for a DMA front-end; RingRegs = 0 drops it: the rings block then
// reads 0 and ignores writes), the counters, the prestaged table (read
// only) and the configuration (vs_cfg_regs, generated, spec 5).
//
// Writes: one at a time (AW and W together, answered with B). The address
// and data are registered at the handshake (a one-entry write buffer) and the
// write takes effect from that register in a later cycle, so no AXI4-Lite
// input reaches the engine's logic in the cycle it arrives: only the
// ready/valid bits meet combinationally. A write that needs a quiet engine
// (SOFT_RESET; configuration while CTRL.ENABLE = 0) waits in the buffer until
// the engine is between events and holds new events meanwhile (hold_o); a
// configuration write while enabled sets E_CFG_LOCKED and one out of range
// E_BAD_ARG (sticky, the register keeps its value). Partial writes (WSTRB !=
// 0xF) are acknowledged and ignored. B comes the cycle after the write takes
// effect: at best two cycles after the handshake.
//
// Reads: the address is registered at the AR handshake and the data read
// from that register in the next cycle: R is valid two cycles after the
// handshake. (Before 2026-12-02 both decoded the AXI4-Lite inputs directly;
// in Verilator that put the whole register decode, and everything SOFT_RESET
// and hold_o reach, into the input-combinational region evaluated on every
// eval(): docs/verification.md "Simulation speed".)
module vs_regs #(
  parameter int NCores = 8,
  parameter int NVcpus = 64,
  parameter int NNodes = 2,
  parameter int MaxShards = 4,
  parameter bit RingRegs = 1'b1  // vs_top
) (
  input  logic         clk_i,
  input  logic         rst_ni,
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
  // engine status
  input  logic         engine_quiet_i,   // between events, prestage update done
  input  logic         idle_i,           // ... and every decision taken (STATUS.IDLE)
  // in-band CONFIG (vs_exec), checked there
  input  logic         config_we_i,
  input  logic [15:0]  config_key_i,
  input  logic [31:0]  config_value_i,
  // errors and counters
  input  logic         error_i,
  input  logic [7:0]   error_code_i,
  input  logic [31:0]  error_seq_i,
  input  logic         event_accepted_i,
  input  logic         decision_taken_i,
  input  logic         count_preempt_i,
  input  logic         count_shard_i,
  input  logic         count_commit_i,
  input  logic         count_abort_i,
  // the prestaged table (vs_prestage), node n at [n*W +: W]
  input  logic [NNodes*2-1:0]  prestage_kind_i,
  input  logic [NNodes*8-1:0]  prestage_core_i,
  input  logic [NNodes*12-1:0] prestage_vcpu_i,
  input  logic [NNodes*32-1:0] prestage_epoch_i,
  // to the engine
  output vs_regs_pkg::cfg_t           cfg_o,
  output logic [NNodes*NNodes*8-1:0]  numa_dist_o,
  output logic                        enable_o,
  output logic                        soft_rst_o,
  output logic                        hold_o
);
  logic        enable_q, enable_d;
  logic [31:0] sticky_q, sticky_d;
  logic [31:0] last_seq_q, last_seq_d;
  logic [7:0]  last_code_q, last_code_d;
  logic [31:0] scratch_q, scratch_d;
  logic [13*32-1:0] ring_q, ring_d;  // ring registers 0x080..0x0B0, plain storage
  logic [31:0] cnt_ev_q, cnt_ev_d, cnt_dec_q, cnt_dec_d, cnt_err_q, cnt_err_d;
  logic [31:0] cnt_pre_q, cnt_pre_d, cnt_sh_q, cnt_sh_d, cnt_com_q, cnt_com_d;
  logic [31:0] cnt_abt_q, cnt_abt_d;
  // The engine's counts (vs_exec: PREEMPT, SHARD, COMMIT held, ABORT), one
  // cycle late: the strobes are registered before the 32-bit increments, so
  // the placement's logic in EXEC does not run on into a counter's carry
  // chain (docs/rtl.md "The clock: where the longest paths are"). A counter
  // read is a register read of at least two cycles after STATUS.IDLE, so no
  // read sees the difference.
  logic        count_pre_q, count_sh_q, count_com_q, count_abt_q;
  logic        bvalid_q, bvalid_d;
  logic        rvalid_q, rvalid_d;
  logic [31:0] rdata_q, rdata_d;

  // ---- writes ------------------------------------------------------------------
  // aw_fire: the buffered write takes effect this cycle (it did at the
  // handshake before the buffer; the name stayed)
  logic        aw_take, aw_fire, ar_fire, wr_quiet_needed, core_quiet;
  logic        wbuf_q;         // the write buffer holds a write
  logic [11:0] wa_q;           // its address, data and "WSTRB = 0xF"
  logic [31:0] wd_q;
  logic        wfull_q;
  logic        wa_cfg;
  logic [15:0] wa_key;
  logic [7:0]  cfg_axi_err;
  assign wa_cfg = (wa_q[11:8] == 4'h1) || (wa_q[11:8] == 4'h2);
  assign wa_key = {8'd0, wa_q[9:2] - 8'h40};
  assign core_quiet = engine_quiet_i;
  // one write at a time: the buffer is empty and the last B has been taken
  assign aw_take = s_axil_awvalid_i && s_axil_wvalid_i && !wbuf_q && !bvalid_q;
  assign wr_quiet_needed = (wa_q[11:2] == vs_regs_pkg::CTRL_OFFSET[11:2] && wd_q[1]) ||
                           (wa_cfg && !enable_q);
  assign aw_fire = wbuf_q && (!wr_quiet_needed || core_quiet);
  assign s_axil_awready_o = aw_take;
  assign s_axil_wready_o  = aw_take;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = 2'b00;
  assign bvalid_d = aw_fire ? 1'b1 : (s_axil_bready_i ? 1'b0 : bvalid_q);

  vs_cfg_check #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) u_cfg_check_axi (
    .key_i(wa_key), .value_i(wd_q), .err_o(cfg_axi_err)
  );

  logic        axi_cfg_we, axi_cfg_reject, axi_full;
  logic [7:0]  axi_reject_code;
  assign axi_full = wfull_q;
  always_comb begin
    axi_cfg_we = 1'b0;
    axi_cfg_reject = 1'b0;
    axi_reject_code = vs_pkg::ErrNone;
    if (aw_fire && wa_cfg && axi_full) begin
      if (enable_q) begin
        axi_cfg_reject = 1'b1;
        axi_reject_code = vs_pkg::ErrCfgLocked;
      end else if (cfg_axi_err != vs_pkg::ErrNone) begin
        // spec 5: any rejected value (unknown key, bad node, out of range)
        axi_cfg_reject = 1'b1;
        axi_reject_code = vs_pkg::ErrBadArg;
      end else begin
        axi_cfg_we = 1'b1;
      end
    end
  end
  assign soft_rst_o = aw_fire && axi_full && (wa_q[11:2] == vs_regs_pkg::CTRL_OFFSET[11:2]) && wd_q[1];

  assign hold_o = wbuf_q && wr_quiet_needed;

  // ---- configuration (spec 5): CONFIG events and AXI4-Lite writes ---------------
  logic [31:0] cfg_rdata;
  logic [15:0] cfg_rkey;
  logic        rbuf_q;         // a read address is registered: R in the next cycle
  logic [11:0] ra_q;           // ... that address
  assign cfg_rkey = {8'd0, ra_q[9:2] - 8'h40};
  vs_cfg_regs #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) u_cfg_regs (
    .clk_i, .rst_ni, .soft_rst_i(soft_rst_o),
    .we_i(config_we_i || axi_cfg_we),
    .key_i(config_we_i ? config_key_i : wa_key),
    .value_i(config_we_i ? config_value_i : wd_q),
    .rkey_i(cfg_rkey), .rdata_o(cfg_rdata), .cfg_o, .numa_dist_o
  );

  // ---- control, errors, ring storage, counters ------------------------------
  // Implemented bits of the ring registers (the SIZE_LOG2 registers have 5).
  localparam logic [13*32-1:0] RingMask = {
      32'hFFFF_FFFF, 32'hFFFF_FFFF, 32'hFFFF_FFFF, 32'hFFFF_FFFF, 32'hFFFF_FFFF,  // 12..8
      32'h0000_001F, 32'hFFFF_FFFF, 32'hFFFF_FFFF, 32'hFFFF_FFFF, 32'hFFFF_FFFF,  // 7..3
      32'h0000_001F, 32'hFFFF_FFFF, 32'hFFFF_FFFF};                              // 2..0
  always_comb begin
    enable_d = enable_q;
    scratch_d = scratch_q;
    sticky_d = sticky_q;
    last_seq_d = last_seq_q;
    last_code_d = last_code_q;
    ring_d = ring_q;
    if (aw_fire && axi_full) begin
      if (wa_q[11:2] == vs_regs_pkg::CTRL_OFFSET[11:2]) enable_d = wd_q[0];
      if (wa_q[11:2] == vs_regs_pkg::SCRATCH_OFFSET[11:2]) scratch_d = wd_q;
      if (wa_q[11:2] == vs_regs_pkg::ERR_STICKY_OFFSET[11:2]) sticky_d = sticky_d & ~wd_q;
      for (int r = 0; r < 13; r++) begin
        if (wa_q[11:2] == (vs_regs_pkg::EVQ_BASE_LO_OFFSET[11:2] + r[9:0])) begin
          ring_d[r*32 +: 32] = wd_q & RingMask[r*32 +: 32];
        end
      end
    end
    if (axi_cfg_reject) sticky_d[axi_reject_code[4:0]] = 1'b1;
    if (error_i) begin
      sticky_d[error_code_i[4:0]] = 1'b1;
      last_seq_d = error_seq_i;
      last_code_d = error_code_i;
    end
    // SOFT_RESET (regs/vshard_regs.json): ERR_STICKY and LAST_ERR_* go back to
    // reset; ring registers and SCRATCH keep their values, and CTRL.ENABLE
    // takes the bit written with SOFT_RESET like any CTRL write.
    if (soft_rst_o) begin
      sticky_d = 32'd0;
      last_seq_d = 32'd0;
      last_code_d = 8'd0;
    end
  end


  always_comb begin
    cnt_ev_d  = cnt_ev_q + {31'd0, event_accepted_i};
    cnt_dec_d = cnt_dec_q + {31'd0, decision_taken_i};
    cnt_err_d = cnt_err_q + {31'd0, error_i};
    cnt_pre_d = cnt_pre_q + {31'd0, count_pre_q};
    cnt_sh_d  = cnt_sh_q + {31'd0, count_sh_q};
    cnt_com_d = cnt_com_q + {31'd0, count_com_q};
    cnt_abt_d = cnt_abt_q + {31'd0, count_abt_q};
    if (soft_rst_o) begin
      cnt_ev_d = 32'd0; cnt_dec_d = 32'd0; cnt_err_d = 32'd0; cnt_pre_d = 32'd0;
      cnt_sh_d = 32'd0; cnt_com_d = 32'd0; cnt_abt_d = 32'd0;
    end
  end
  // ---- register reads ----------------------------------------------------------
  logic [31:0] rd_val;
  always_comb begin
    rd_val = 32'd0;
    if (ra_q[11:8] == 4'h1 || ra_q[11:8] == 4'h2) begin
      rd_val = cfg_rdata;  // configuration: key = (addr - 0x100) / 4
    end else if (ra_q[11:10] == 2'b01) begin
      // prestage: 0x400 + 8n entry, +4 epoch
      for (int n = 0; n < NNodes; n++) begin
        if (ra_q[9:3] == n[6:0]) begin
          rd_val = ra_q[2] ? prestage_epoch_i[n*32 +: 32]
                         : {4'd0, prestage_vcpu_i[n*12 +: 12], prestage_core_i[n*8 +: 8], 6'd0,
                            prestage_kind_i[n*2 +: 2]};
        end
      end
    end else begin
      case ({ra_q[11:2], 2'b00})
        vs_regs_pkg::MAGIC_OFFSET:         rd_val = vs_regs_pkg::MAGIC_VALUE;
        vs_regs_pkg::VERSION_OFFSET:       rd_val = vs_regs_pkg::VERSION_VALUE;
        vs_regs_pkg::NCORES_OFFSET:        rd_val = NCores;
        vs_regs_pkg::NVCPUS_OFFSET:        rd_val = NVcpus;
        vs_regs_pkg::NNODES_OFFSET:        rd_val = NNodes;
        vs_regs_pkg::MAX_SHARDS_OFFSET:    rd_val = MaxShards;
        vs_regs_pkg::DESC_BYTES_OFFSET:    rd_val = 32'd16;
        vs_regs_pkg::CTRL_OFFSET:          rd_val = {31'd0, enable_q};
        vs_regs_pkg::STATUS_OFFSET:        rd_val = {29'd0, enable_q, (sticky_q != 32'd0), idle_i};
        vs_regs_pkg::ERR_STICKY_OFFSET:    rd_val = sticky_q;
        vs_regs_pkg::LAST_ERR_SEQ_OFFSET:  rd_val = last_seq_q;
        vs_regs_pkg::LAST_ERR_CODE_OFFSET: rd_val = {24'd0, last_code_q};
        vs_regs_pkg::SCRATCH_OFFSET:       rd_val = scratch_q;
        vs_regs_pkg::EVQ_BASE_LO_OFFSET: rd_val = ring_q[0*32 +: 32];
        vs_regs_pkg::EVQ_BASE_HI_OFFSET: rd_val = ring_q[1*32 +: 32];
        vs_regs_pkg::EVQ_SIZE_LOG2_OFFSET: rd_val = ring_q[2*32 +: 32];
        vs_regs_pkg::EVQ_HEAD_OFFSET: rd_val = ring_q[3*32 +: 32];
        vs_regs_pkg::EVQ_TAIL_OFFSET: rd_val = ring_q[4*32 +: 32];
        vs_regs_pkg::DQ_BASE_LO_OFFSET: rd_val = ring_q[5*32 +: 32];
        vs_regs_pkg::DQ_BASE_HI_OFFSET: rd_val = ring_q[6*32 +: 32];
        vs_regs_pkg::DQ_SIZE_LOG2_OFFSET: rd_val = ring_q[7*32 +: 32];
        vs_regs_pkg::DQ_HEAD_OFFSET: rd_val = ring_q[8*32 +: 32];
        vs_regs_pkg::DQ_TAIL_OFFSET: rd_val = ring_q[9*32 +: 32];
        vs_regs_pkg::DOORBELL_OFFSET: rd_val = ring_q[10*32 +: 32];
        vs_regs_pkg::PRESTAGE_BASE_LO_OFFSET: rd_val = ring_q[11*32 +: 32];
        vs_regs_pkg::PRESTAGE_BASE_HI_OFFSET: rd_val = ring_q[12*32 +: 32];
        vs_regs_pkg::EVENTS_OFFSET:        rd_val = cnt_ev_q;
        vs_regs_pkg::DECISIONS_OFFSET:     rd_val = cnt_dec_q;
        vs_regs_pkg::ERRORS_OFFSET:        rd_val = cnt_err_q;
        vs_regs_pkg::PREEMPTS_OFFSET:      rd_val = cnt_pre_q;
        vs_regs_pkg::SHARDS_OFFSET:        rd_val = cnt_sh_q;
        vs_regs_pkg::COMMITS_OFFSET:       rd_val = cnt_com_q;
        vs_regs_pkg::ABORTS_OFFSET:        rd_val = cnt_abt_q;
        default:                           rd_val = 32'd0;
      endcase
    end
  end

  // ar_take: the AR handshake; ar_fire: the registered address is read this cycle
  logic ar_take;
  assign ar_take = s_axil_arvalid_i && !rvalid_q && !rbuf_q;
  assign ar_fire = rbuf_q;
  assign s_axil_arready_o = !rvalid_q && !rbuf_q;
  assign rvalid_d = ar_fire ? 1'b1 : (s_axil_rready_i ? 1'b0 : rvalid_q);
  assign rdata_d  = ar_fire ? rd_val : rdata_q;
  assign s_axil_rvalid_o = rvalid_q;
  assign s_axil_rdata_o  = rdata_q;
  assign s_axil_rresp_o  = 2'b00;
  assign enable_o = enable_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      enable_q    <= 1'b1;
      sticky_q    <= '0;
      last_seq_q  <= '0;
      last_code_q <= '0;
      scratch_q   <= '0;
      ring_q      <= '0;
      cnt_ev_q    <= '0;
      cnt_dec_q   <= '0;
      cnt_err_q   <= '0;
      cnt_pre_q   <= '0;
      cnt_sh_q    <= '0;
      cnt_com_q   <= '0;
      cnt_abt_q   <= '0;
      {count_pre_q, count_sh_q, count_com_q, count_abt_q} <= '0;
      bvalid_q    <= 1'b0;
      rvalid_q    <= 1'b0;
      rdata_q     <= '0;
      wbuf_q      <= 1'b0;
      wa_q        <= '0;
      wd_q        <= '0;
      wfull_q     <= 1'b0;
      rbuf_q      <= 1'b0;
      ra_q        <= '0;
    end else begin
      enable_q    <= enable_d;
      sticky_q    <= sticky_d;
      last_seq_q  <= last_seq_d;
      last_code_q <= last_code_d;
      scratch_q   <= scratch_d;
      ring_q      <= RingRegs ? ring_d : '0;
      cnt_ev_q    <= cnt_ev_d;
      cnt_dec_q   <= cnt_dec_d;
      cnt_err_q   <= cnt_err_d;
      cnt_pre_q   <= cnt_pre_d;
      cnt_sh_q    <= cnt_sh_d;
      cnt_com_q   <= cnt_com_d;
      cnt_abt_q   <= cnt_abt_d;
      {count_pre_q, count_sh_q, count_com_q, count_abt_q} <=
          soft_rst_o ? 4'd0 : {count_preempt_i, count_shard_i, count_commit_i, count_abort_i};
      bvalid_q    <= bvalid_d;
      rvalid_q    <= rvalid_d;
      rdata_q     <= rdata_d;
      // the write buffer: filled at the handshake, emptied when it takes effect
      if (aw_take) begin
        wbuf_q  <= 1'b1;
        wa_q    <= s_axil_awaddr_i;
        wd_q    <= s_axil_wdata_i;
        wfull_q <= (s_axil_wstrb_i == 4'hF);
      end else if (aw_fire) begin
        wbuf_q  <= 1'b0;
      end
      // the read address: registered at the handshake, read in the next cycle
      rbuf_q <= ar_take;
      if (ar_take) ra_q <= s_axil_araddr_i;
    end
  end

  // Bits not every parameter set needs (byte offsets, upper error-code bits).
  logic unused_bits;
  assign unused_bits = ^{wa_q[1:0], ra_q[1:0], axi_reject_code[7:5]};
endmodule
