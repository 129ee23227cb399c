// vs_dma_frontend: the card's DMA ring front-end. It serves the host-memory
// protocol of docs/driver.md ("Host memory") in hardware, so that a host
// with a card reads no device register on its wake path:
//   * events: after a DOORBELL write it reads 16-byte descriptors from the
//     event ring in host memory (INCR bursts of up to 16 beats, several in
//     flight, each with its own ARID) and feeds them to the engine in ring
//     order;
//   * decisions: it writes the engine's decisions into the decision ring,
//     in bursts of what is ready, while the ring has room (a full ring
//     back-pressures the engine; nothing is dropped);
//   * prestaged lines: when node n's {PRE_ENTRY, PRE_EPOCH} changes it
//     writes the 64-bit word {epoch, entry} at PRESTAGE_BASE + 64 (1 + n),
//     one beat, one 8-byte aligned store, before any decision queued after
//     the change;
//   * writeback: the 64-bit word {DQ_TAIL, EVQ_HEAD} at PRESTAGE_BASE, DQ_TAIL
//     counting only decisions whose writes have their B response.
// It owns the ring registers (regs block "rings", 0x080-0x0BF). docs/rtl.md
// "DMA front-end" has the long version; vs_card_top puts it in front of
// vs_top.
//
// Host memory is reached through one AXI4 master: 64-bit addresses, 128-bit data (a descriptor per
// beat, byte i = data[8i +: 8]), AxSIZE = 16 bytes, INCR bursts that cross neither a 4 KB boundary nor
// a 16-descriptor boundary of a ring (so never its wrap). Reads use ARID = buffer tag; writes use ID 0
// (B responses in order). An error response (SLVERR, DECERR) sets the sticky E_DMA and stops new DMA
// until CTRL.SOFT_RESET.
//
// Rules kept from the software front-end (driver/ring_frontend.cc): ring indices are free-running
// 32-bit counters, slot = index mod 2^SIZE_LOG2; a DOORBELL (or EVQ_TAIL) write v with v - EVQ_HEAD >
// size is ignored and sets E_RING_OVERFLOW; register writes take effect only with all four byte
// strobes (as in vs_top). Rings are served while both SIZE_LOG2 are in 1..20; nothing is written to
// the prestaged table before PRESTAGE_BASE has been written, and each write of PRESTAGE_BASE_HI (the
// half written last: LO, then HI) rewrites the whole table once. CTRL.SOFT_RESET (soft_rst_i) zeroes
// the four indices and the sticky bits and clears E_DMA's stop; DMA already in flight completes first
// (its data is dropped), so the bus never sees a broken burst. Base addresses keep their low bits as
// written but are used 16-byte aligned (bits 3:0 ignored); the prestaged table wants 64-byte alignment
// (bits 5:0 ignored).
module vs_dma_frontend #(
  /// NUMA nodes of the engine (one prestaged line each), 1..8.
  parameter int NNodes = 2,
  /// Event-read bursts in flight (buffer tags of 16 descriptors), 1..16.
  parameter int ReadTags = 8
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // ---- register port (vs_card_top routes the rings block here) ----------
  input  logic                 reg_we_i,      // one full-word write
  input  logic [11:0]          reg_waddr_i,
  input  logic [31:0]          reg_wdata_i,
  input  logic [11:0]          reg_raddr_i,
  output logic [31:0]          reg_rdata_o,   // combinational, for reg_raddr_i
  input  logic                 soft_rst_i,    // CTRL.SOFT_RESET written
  input  logic [31:0]          sticky_clr_i,  // ERR_STICKY W1C bits written
  output logic [31:0]          sticky_o,      // E_RING_OVERFLOW, E_DMA
  // ---- the engine's streams and prestaged table ---------------------------
  output logic [127:0]         evt_tdata_o,
  output logic                 evt_tvalid_o,
  input  logic                 evt_tready_i,
  input  logic [127:0]         dec_tdata_i,
  input  logic                 dec_tvalid_i,
  output logic                 dec_tready_o,
  input  logic                 eng_idle_i,
  input  logic [NNodes*32-1:0] pre_entry_i,
  input  logic [NNodes*32-1:0] pre_epoch_i,
  // ---- AXI4 master to host memory -----------------------------------------
  output logic [3:0]           m_axi_awid_o,
  output logic [63:0]          m_axi_awaddr_o,
  output logic [7:0]           m_axi_awlen_o,
  output logic [2:0]           m_axi_awsize_o,
  output logic [1:0]           m_axi_awburst_o,
  output logic                 m_axi_awvalid_o,
  input  logic                 m_axi_awready_i,
  output logic [127:0]         m_axi_wdata_o,
  output logic [15:0]          m_axi_wstrb_o,
  output logic                 m_axi_wlast_o,
  output logic                 m_axi_wvalid_o,
  input  logic                 m_axi_wready_i,
  input  logic [3:0]           m_axi_bid_i,
  input  logic [1:0]           m_axi_bresp_i,
  input  logic                 m_axi_bvalid_i,
  output logic                 m_axi_bready_o,
  output logic [3:0]           m_axi_arid_o,
  output logic [63:0]          m_axi_araddr_o,
  output logic [7:0]           m_axi_arlen_o,
  output logic [2:0]           m_axi_arsize_o,
  output logic [1:0]           m_axi_arburst_o,
  output logic                 m_axi_arvalid_o,
  input  logic                 m_axi_arready_i,
  input  logic [3:0]           m_axi_rid_i,
  input  logic [127:0]         m_axi_rdata_i,
  input  logic [1:0]           m_axi_rresp_i,
  input  logic                 m_axi_rlast_i,
  input  logic                 m_axi_rvalid_i,
  output logic                 m_axi_rready_o,
  // Nothing to do: the engine idle, no event fetched and not consumed, no
  // write waiting for its response, the table in host memory current.
  output logic                 idle_o
);
  localparam int TagW = (ReadTags > 1) ? $clog2(ReadTags) : 1;
  localparam int TrkDepth = 8;              // writes awaiting B
  localparam logic [4:0] MaxLog2 = 5'd20;   // largest ring: 2^20 descriptors
  localparam logic [4:0] NTags = ReadTags[4:0];
  localparam int LastTagI = ReadTags - 1;
  localparam logic [TagW-1:0] LastTag = LastTagI[TagW-1:0];

  if (NNodes < 1 || NNodes > 8) begin : gen_bad_nodes
    $error("vs_dma_frontend: NNodes must be 1..8");
  end
  if (ReadTags < 1 || ReadTags > 16) begin : gen_bad_tags
    $error("vs_dma_frontend: ReadTags must be 1..16");
  end

  // ==========================================================================
  // Ring registers
  // ==========================================================================
  logic [63:0] evq_base_q, dq_base_q, pre_base_q;
  logic [4:0]  evq_log2_q, dq_log2_q;
  logic [31:0] evq_head_q;    // consumed by the engine
  logic [31:0] evq_tail_q;    // written by the host (DOORBELL)
  logic [31:0] evq_fetch_q;   // next descriptor to request
  logic [31:0] dq_head_q;     // written by the host
  logic [31:0] dq_iss_q;      // decision slots given to write bursts
  logic [31:0] dq_done_q;     // decisions whose writes have their B response
  logic        pre_armed_q;   // PRESTAGE_BASE written since reset
  logic        ovf_q, dma_err_q;
  logic        drain_q;       // soft reset: let in-flight DMA finish first

  logic [31:0] evq_size, dq_size;
  logic        rings_ok;
  assign evq_size = 32'd1 << evq_log2_q;
  assign dq_size  = 32'd1 << dq_log2_q;
  assign rings_ok = (evq_log2_q != 5'd0) && (evq_log2_q <= MaxLog2) &&
                    (dq_log2_q != 5'd0) && (dq_log2_q <= MaxLog2);

  // Writes to the rings block (full-word writes only; vs_card_top checks).
  logic wr_evq_lo, wr_evq_hi, wr_evq_log2, wr_evq_head, wr_evq_tail, wr_dq_lo, wr_dq_hi,
        wr_dq_log2, wr_dq_head, wr_dq_tail, wr_pre_lo, wr_pre_hi;
  logic [31:0] bell_room;
  logic        bell_ok;
  assign wr_evq_lo   = reg_we_i && (reg_waddr_i == vs_regs_pkg::EVQ_BASE_LO_OFFSET);
  assign wr_evq_hi   = reg_we_i && (reg_waddr_i == vs_regs_pkg::EVQ_BASE_HI_OFFSET);
  assign wr_evq_log2 = reg_we_i && (reg_waddr_i == vs_regs_pkg::EVQ_SIZE_LOG2_OFFSET);
  assign wr_evq_head = reg_we_i && (reg_waddr_i == vs_regs_pkg::EVQ_HEAD_OFFSET);
  assign wr_evq_tail = reg_we_i && ((reg_waddr_i == vs_regs_pkg::EVQ_TAIL_OFFSET) ||
                                    (reg_waddr_i == vs_regs_pkg::DOORBELL_OFFSET));
  assign wr_dq_lo    = reg_we_i && (reg_waddr_i == vs_regs_pkg::DQ_BASE_LO_OFFSET);
  assign wr_dq_hi    = reg_we_i && (reg_waddr_i == vs_regs_pkg::DQ_BASE_HI_OFFSET);
  assign wr_dq_log2  = reg_we_i && (reg_waddr_i == vs_regs_pkg::DQ_SIZE_LOG2_OFFSET);
  assign wr_dq_head  = reg_we_i && (reg_waddr_i == vs_regs_pkg::DQ_HEAD_OFFSET);
  assign wr_dq_tail  = reg_we_i && (reg_waddr_i == vs_regs_pkg::DQ_TAIL_OFFSET);
  assign wr_pre_lo   = reg_we_i && (reg_waddr_i == vs_regs_pkg::PRESTAGE_BASE_LO_OFFSET);
  assign wr_pre_hi   = reg_we_i && (reg_waddr_i == vs_regs_pkg::PRESTAGE_BASE_HI_OFFSET);
  // A doorbell past the free space is refused (spec E_RING_OVERFLOW).
  assign bell_room = reg_wdata_i - evq_head_q;
  assign bell_ok   = (bell_room <= evq_size);

  always_comb begin
    reg_rdata_o = 32'd0;
    unique case (reg_raddr_i)
      vs_regs_pkg::EVQ_BASE_LO_OFFSET:      reg_rdata_o = evq_base_q[31:0];
      vs_regs_pkg::EVQ_BASE_HI_OFFSET:      reg_rdata_o = evq_base_q[63:32];
      vs_regs_pkg::EVQ_SIZE_LOG2_OFFSET:    reg_rdata_o = {27'd0, evq_log2_q};
      vs_regs_pkg::EVQ_HEAD_OFFSET:         reg_rdata_o = evq_head_q;
      vs_regs_pkg::EVQ_TAIL_OFFSET:         reg_rdata_o = evq_tail_q;
      vs_regs_pkg::DQ_BASE_LO_OFFSET:       reg_rdata_o = dq_base_q[31:0];
      vs_regs_pkg::DQ_BASE_HI_OFFSET:       reg_rdata_o = dq_base_q[63:32];
      vs_regs_pkg::DQ_SIZE_LOG2_OFFSET:     reg_rdata_o = {27'd0, dq_log2_q};
      vs_regs_pkg::DQ_HEAD_OFFSET:          reg_rdata_o = dq_head_q;
      vs_regs_pkg::DQ_TAIL_OFFSET:          reg_rdata_o = dq_done_q;
      vs_regs_pkg::DOORBELL_OFFSET:         reg_rdata_o = evq_tail_q;
      vs_regs_pkg::PRESTAGE_BASE_LO_OFFSET: reg_rdata_o = pre_base_q[31:0];
      vs_regs_pkg::PRESTAGE_BASE_HI_OFFSET: reg_rdata_o = pre_base_q[63:32];
      default:                              reg_rdata_o = 32'd0;
    endcase
  end

  logic clr_ovf;
  assign sticky_o = ({31'd0, ovf_q} << vs_regs_pkg::E_RING_OVERFLOW) |
                    ({31'd0, dma_err_q} << vs_regs_pkg::E_DMA);
  assign clr_ovf  = |(sticky_clr_i & (32'd1 << vs_regs_pkg::E_RING_OVERFLOW));

  // DMA may start only when nothing of before a soft reset is in flight.
  logic dma_on;
  assign dma_on = rings_ok && !dma_err_q && !drain_q;

  // ==========================================================================
  // Event reads: AR issue, per-tag reassembly buffer, feed to the engine
  // ==========================================================================
  logic [ReadTags*5-1:0] tag_len_q;   // beats of the burst in this tag
  logic [ReadTags*5-1:0] tag_cnt_q;   // beats arrived
  logic [TagW-1:0]       tag_wr_q, tag_rd_q;
  logic [4:0]            tags_used_q;
  logic [3:0]            rd_beat_q;   // next beat of tag_rd to hand out
  logic [ReadTags-1:0]   tag_busy_q;  // a burst was issued on the tag, not yet handed out

  // The next burst: up to 16 descriptors, to the next 16-descriptor
  // boundary of the ring, its wrap, and the next 4 KB boundary.
  logic [31:0] ev_avail, ev_slot, ev_to_wrap;
  logic [63:0] ev_addr;
  logic [8:0]  ev_to_4k;
  logic [4:0]  ev_len;
  assign ev_avail   = evq_tail_q - evq_fetch_q;
  assign ev_slot    = evq_fetch_q & (evq_size - 32'd1);
  assign ev_to_wrap = evq_size - ev_slot;
  assign ev_addr    = {evq_base_q[63:4], 4'd0} + {28'd0, ev_slot, 4'd0};
  assign ev_to_4k   = 9'd256 - {1'b0, ev_addr[11:4]};
  always_comb begin
    ev_len = 5'd16 - {1'b0, ev_slot[3:0]};
    if (ev_avail < {27'd0, ev_len}) ev_len = ev_avail[4:0];
    if (ev_to_wrap < {27'd0, ev_len}) ev_len = ev_to_wrap[4:0];
    if (ev_to_4k < {4'd0, ev_len}) ev_len = ev_to_4k[4:0];
  end

  logic        ar_valid_q;
  logic [63:0] ar_addr_q;
  logic [7:0]  ar_len_q;
  logic [3:0]  ar_id_q;
  logic        ar_issue;
  assign ar_issue = dma_on && (ev_avail != 32'd0) && (tags_used_q < NTags) &&
                    (!ar_valid_q || m_axi_arready_i);

  assign m_axi_arid_o    = ar_id_q;
  assign m_axi_araddr_o  = ar_addr_q;
  assign m_axi_arlen_o   = ar_len_q;
  assign m_axi_arsize_o  = 3'd4;
  assign m_axi_arburst_o = 2'b01;
  assign m_axi_arvalid_o = ar_valid_q;
  assign m_axi_rready_o  = 1'b1;

  // Reassembly buffer: beat b of tag t at t*16 + b. Written by R, read in
  // ring order; one write and one registered read per cycle. Distributed
  // RAM: 128 entries are small for a block RAM, and Yosys 0.23's RAMB36E1
  // mapping of this shape warns about its own port widths.
  (* ram_style = "distributed" *)
  logic [127:0]    ebuf [ReadTags*16];
  logic [TagW-1:0] r_tag;
  logic            r_fire, r_known, r_ok;
  logic [4:0]      r_cnt;
  assign r_fire  = m_axi_rvalid_i;  // rready is always 1
  assign r_tag   = m_axi_rid_i[TagW-1:0];
  assign r_known = ({1'b0, m_axi_rid_i} < NTags) && tag_busy_q[r_tag];
  assign r_cnt   = tag_cnt_q[r_tag*5 +: 5];
  // A beat for a tag with no burst, or past its burst's length, is a bus error.
  assign r_ok    = r_known && (r_cnt < tag_len_q[r_tag*5 +: 5]);

  always_ff @(posedge clk_i) begin
    if (r_fire && r_ok) ebuf[{r_tag, r_cnt[3:0]}] <= m_axi_rdata_i;
  end

  // Hand-out: the beat at the head is readable once it has arrived; the
  // registered read feeds a one-entry output stage towards the engine.
  logic [4:0]   head_len, head_cnt;
  logic         head_ready, out_valid_q, buf_rd, head_last, evt_fire;
  logic [127:0] out_data_q;
  assign head_len   = tag_len_q[tag_rd_q*5 +: 5];
  assign head_cnt   = tag_cnt_q[tag_rd_q*5 +: 5];
  assign head_ready = (tags_used_q != 5'd0) && ({1'b0, rd_beat_q} < head_cnt);
  assign evt_fire   = out_valid_q && evt_tready_i && !drain_q && !dma_err_q;
  // While draining after a soft reset, arrived beats are read and dropped.
  assign buf_rd     = head_ready && (drain_q || !out_valid_q || evt_fire);
  assign head_last  = ({1'b0, rd_beat_q} + 5'd1 == head_len);

  always_ff @(posedge clk_i) begin
    if (buf_rd) out_data_q <= ebuf[{tag_rd_q, rd_beat_q}];
  end
  assign evt_tdata_o  = out_data_q;
  // After a read error nothing more reaches the engine (the beat that
  // failed is at least two cycles from the output stage).
  assign evt_tvalid_o = out_valid_q && !drain_q && !dma_err_q;

  // ==========================================================================
  // Writes: decision bursts, prestaged lines, the writeback word
  // ==========================================================================
  // Decisions from the engine wait here for their burst.
  logic         dq_valid, dq_pop, dq_empty;
  logic [127:0] dq_data;
  logic [4:0]   dq_free;
  logic [4:0]   dq_count;
  vs_fifo #(.Width(128), .Depth(16)) u_decq (
    .clk_i, .rst_ni, .clear_i(soft_rst_i),
    .wr0_i(dec_tvalid_i && dec_tready_o), .wdata0_i(dec_tdata_i),
    .wr1_i(1'b0), .wdata1_i(128'd0),
    .out_valid_o(dq_valid), .out_data_o(dq_data), .out_ready_i(dq_pop),
    .free_o(dq_free), .empty_o(dq_empty)
  );
  assign dec_tready_o = (dq_free != 5'd0);
  assign dq_count = 5'd16 - dq_free;

  // Outstanding writes, in order (B responses come back in order for ID 0):
  // {kind, decision index after it}; kind 0 other, 1 decisions, 2 writeback.
  logic        trk_push, trk_valid, trk_empty;
  logic [33:0] trk_in, trk_out;
  logic [3:0]  trk_free;
  logic        b_fire;
  assign b_fire = m_axi_bvalid_i;  // bready is always 1
  vs_fifo #(.Width(34), .Depth(TrkDepth)) u_trk (
    .clk_i, .rst_ni, .clear_i(1'b0),
    .wr0_i(trk_push), .wdata0_i(trk_in), .wr1_i(1'b0), .wdata1_i(34'd0),
    .out_valid_o(trk_valid), .out_data_o(trk_out), .out_ready_i(b_fire),
    .free_o(trk_free), .empty_o(trk_empty)
  );
  assign m_axi_bready_o = 1'b1;

  // Prestaged lines: what was last written, and whether it must be again.
  logic [NNodes*32-1:0] sh_entry_q, sh_epoch_q;
  logic [NNodes-1:0]    sh_stale_q, pre_diff;
  logic [2:0]           pre_node;
  logic [NNodes-1:0]    pre_sel;   // one-hot pre_node
  logic                 pre_any;
  for (genvar n = 0; n < NNodes; n++) begin : gen_diff
    assign pre_sel[n] = (pre_node == n);
    assign pre_diff[n] = sh_stale_q[n] || (sh_entry_q[n*32 +: 32] != pre_entry_i[n*32 +: 32]) ||
                         (sh_epoch_q[n*32 +: 32] != pre_epoch_i[n*32 +: 32]);
  end
  always_comb begin
    pre_node = 3'd0;
    pre_any  = 1'b0;
    for (int n = NNodes - 1; n >= 0; n--) begin
      if (pre_diff[n]) begin
        pre_node = n[2:0];
        pre_any  = 1'b1;
      end
    end
  end

  // Writeback word: what was last written.
  logic [31:0] wb_evq_q, wb_dq_q;
  logic        wb_stale_q, wb_busy_q, wb_need;
  assign wb_need = wb_stale_q || (wb_evq_q != evq_head_q) || (wb_dq_q != dq_done_q);

  // The next decision burst.
  logic [31:0] dq_slot, dq_room, dq_to_wrap;
  logic [63:0] dq_addr;
  logic [8:0]  dq_to_4k;
  logic [4:0]  dq_len;
  assign dq_slot    = dq_iss_q & (dq_size - 32'd1);
  assign dq_room    = dq_size - (dq_iss_q - dq_head_q);
  assign dq_to_wrap = dq_size - dq_slot;
  assign dq_addr    = {dq_base_q[63:4], 4'd0} + {28'd0, dq_slot, 4'd0};
  assign dq_to_4k   = 9'd256 - {1'b0, dq_addr[11:4]};
  always_comb begin
    dq_len = 5'd16 - {1'b0, dq_slot[3:0]};
    if (dq_count - dq_resv_q < dq_len) dq_len = dq_count - dq_resv_q;
    if (dq_room < {27'd0, dq_len}) dq_len = dq_room[4:0];
    if (dq_to_wrap < {27'd0, dq_len}) dq_len = dq_to_wrap[4:0];
    if (dq_to_4k < {4'd0, dq_len}) dq_len = dq_to_4k[4:0];
  end
  logic [4:0] dq_len_m1;
  assign dq_len_m1 = dq_len - 5'd1;

  // Write issue: each burst is an AW and a W job (its beats), both in
  // order; the AW of the next burst goes while earlier bursts' beats are
  // sent, and a job's beats start only after its AW's handshake. Prestaged
  // lines first, then the writeback word, then decisions.
  logic         aw_valid_q;
  logic [63:0]  aw_addr_q;
  logic [7:0]   aw_len_q;
  logic         job_push, job_valid, job_pop, job_empty, job_dec;
  logic [132:0] job_in, job_out;   // {decisions, beats - 1, single-beat word}
  logic [2:0]   job_free;
  logic [3:0]   job_last;
  logic [2:0]   aw_ahead_q;        // AWs accepted whose beats are not all sent
  logic [3:0]   w_beat_q;          // beat of the head job
  logic [4:0]   dq_resv_q;         // FIFO decisions promised to jobs, not yet sent
  logic         aw_fire, w_fire, wr_free, tbl_on, go_pre, go_dec, go_wb;
  logic [63:0]  pre_line;
  vs_fifo #(.Width(133), .Depth(4)) u_wjob (
    .clk_i, .rst_ni, .clear_i(1'b0),
    .wr0_i(job_push), .wdata0_i(job_in), .wr1_i(1'b0), .wdata1_i(133'd0),
    .out_valid_o(job_valid), .out_data_o(job_out), .out_ready_i(job_pop),
    .free_o(job_free), .empty_o(job_empty)
  );
  assign aw_fire = aw_valid_q && m_axi_awready_i;
  assign w_fire  = m_axi_wvalid_o && m_axi_wready_i;
  assign wr_free = (!aw_valid_q || m_axi_awready_i) && (job_free != 3'd0) && (trk_free != 4'd0);
  assign pre_line = {pre_base_q[63:6], 6'd0} + {54'd0, ({1'b0, pre_node} + 4'd1), 6'd0};
  // The table is written whether or not the rings are set up.
  assign tbl_on  = pre_armed_q && !dma_err_q && !drain_q;
  assign go_pre  = wr_free && tbl_on && pre_any;
  assign go_wb   = wr_free && tbl_on && !pre_any && wb_need && !wb_busy_q;
  assign go_dec  = wr_free && dma_on && !go_pre && !go_wb && (dq_len != 5'd0);

  assign trk_push = go_pre || go_dec || go_wb;
  assign job_push = trk_push;
  assign job_in   = go_dec ? {1'b1, dq_len_m1[3:0], 128'd0} :
                    go_wb  ? {1'b0, 4'd0, 64'd0, dq_done_q, evq_head_q} :
                             {1'b0, 4'd0, 64'd0, pre_epoch_i[pre_node*32 +: 32], pre_entry_i[pre_node*32 +: 32]};
  assign trk_in   = go_dec ? {2'd1, dq_iss_q + {27'd0, dq_len}} : go_wb ? {2'd2, 32'd0} : {2'd0, 32'd0};

  assign m_axi_awid_o    = 4'd0;
  assign m_axi_awaddr_o  = aw_addr_q;
  assign m_axi_awlen_o   = aw_len_q;
  assign m_axi_awsize_o  = 3'd4;
  assign m_axi_awburst_o = 2'b01;
  assign m_axi_awvalid_o = aw_valid_q;
  // W beats follow their AW's handshake (never before it: some
  // interconnects want the address first). After a soft reset cleared the
  // FIFO, a burst already announced still sends its beats (their data no
  // longer matters): AXI has no way back.
  assign job_dec         = job_out[132];
  assign job_last        = job_out[131:128];
  assign m_axi_wvalid_o  = job_valid && (aw_ahead_q != 3'd0) && (!job_dec || dq_valid || drain_q);
  assign m_axi_wdata_o   = job_dec ? dq_data : job_out[127:0];
  assign m_axi_wstrb_o   = job_dec ? 16'hFFFF : 16'h00FF;
  assign m_axi_wlast_o   = (w_beat_q == job_last);
  assign job_pop         = w_fire && m_axi_wlast_o;
  assign dq_pop          = w_fire && job_dec && dq_valid && !drain_q;

  // ==========================================================================
  // State
  // ==========================================================================
  logic [TagW-1:0] tag_wr_inc, tag_rd_inc;
  logic [3:0]      tag_id;
  always_comb begin
    tag_id = 4'd0;
    tag_id[TagW-1:0] = tag_wr_q;
  end
  assign tag_wr_inc = (tag_wr_q == LastTag) ? '0 : tag_wr_q + 1'b1;
  assign tag_rd_inc = (tag_rd_q == LastTag) ? '0 : tag_rd_q + 1'b1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      evq_base_q  <= '0;
      dq_base_q   <= '0;
      pre_base_q  <= '0;
      evq_log2_q  <= '0;
      dq_log2_q   <= '0;
      evq_head_q  <= '0;
      evq_tail_q  <= '0;
      evq_fetch_q <= '0;
      dq_head_q   <= '0;
      dq_iss_q    <= '0;
      dq_done_q   <= '0;
      pre_armed_q <= 1'b0;
      ovf_q       <= 1'b0;
      dma_err_q   <= 1'b0;
      drain_q     <= 1'b0;
      tag_len_q   <= '0;
      tag_cnt_q   <= '0;
      tag_busy_q  <= '0;
      tag_wr_q    <= '0;
      tag_rd_q    <= '0;
      tags_used_q <= '0;
      rd_beat_q   <= '0;
      ar_valid_q  <= 1'b0;
      ar_addr_q   <= '0;
      ar_len_q    <= '0;
      ar_id_q     <= '0;
      out_valid_q <= 1'b0;
      sh_entry_q  <= '0;
      sh_epoch_q  <= '0;
      sh_stale_q  <= '1;
      wb_evq_q    <= '0;
      wb_dq_q     <= '0;
      wb_stale_q  <= 1'b1;
      wb_busy_q   <= 1'b0;
      aw_valid_q  <= 1'b0;
      aw_addr_q   <= '0;
      aw_len_q    <= '0;
      aw_ahead_q  <= '0;
      w_beat_q    <= '0;
      dq_resv_q   <= '0;
    end else begin
      // ---- registers written by the host -----------------------------------
      if (wr_evq_lo)   evq_base_q[31:0]  <= reg_wdata_i;
      if (wr_evq_hi)   evq_base_q[63:32] <= reg_wdata_i;
      if (wr_evq_log2) evq_log2_q <= reg_wdata_i[4:0];
      if (wr_dq_lo)    dq_base_q[31:0]   <= reg_wdata_i;
      if (wr_dq_hi)    dq_base_q[63:32]  <= reg_wdata_i;
      if (wr_dq_log2)  dq_log2_q <= reg_wdata_i[4:0];
      if (wr_dq_head)  dq_head_q <= reg_wdata_i;
      if (wr_pre_lo)   pre_base_q[31:0]  <= reg_wdata_i;
      if (wr_pre_hi)   pre_base_q[63:32] <= reg_wdata_i;
      // The HI half commits the 64-bit address (hosts and XRT write LO
      // first), so the table is never written at {old HI, new LO}.
      if (wr_pre_hi) begin
        pre_armed_q <= 1'b1;
        sh_stale_q  <= '1;
        wb_stale_q  <= 1'b1;
      end
      if (wr_evq_tail) begin
        if (bell_ok) evq_tail_q <= reg_wdata_i;
        else ovf_q <= 1'b1;
      end
      // Set-up only (the driver writes them before its first doorbell).
      if (wr_evq_head) begin
        evq_head_q  <= reg_wdata_i;
        evq_fetch_q <= reg_wdata_i;
      end
      if (wr_dq_tail) begin
        dq_iss_q  <= reg_wdata_i;
        dq_done_q <= reg_wdata_i;
      end
      if (clr_ovf) ovf_q <= 1'b0;

      // ---- event reads -----------------------------------------------------
      if (ar_valid_q && m_axi_arready_i) ar_valid_q <= 1'b0;
      if (ar_issue) begin
        ar_valid_q <= 1'b1;
        ar_addr_q  <= ev_addr;
        ar_len_q   <= {3'd0, ev_len - 5'd1};
        ar_id_q    <= tag_id;
        tag_len_q[tag_wr_q*5 +: 5] <= ev_len;
        tag_busy_q[tag_wr_q] <= 1'b1;
        tag_wr_q    <= tag_wr_inc;
        evq_fetch_q <= evq_fetch_q + {27'd0, ev_len};
      end
      if (r_fire) begin
        if (!r_ok) dma_err_q <= 1'b1;  // an ID or beat never asked for
        else tag_cnt_q[r_tag*5 +: 5] <= r_cnt + 5'd1;
        if (m_axi_rresp_i[1]) dma_err_q <= 1'b1;
      end
      if (buf_rd) begin
        if (head_last) begin
          rd_beat_q <= 4'd0;
          tag_rd_q  <= tag_rd_inc;
          // A freed tag starts again from zero beats (the R port may count
          // into another tag in the same cycle, never into this one).
          tag_cnt_q[tag_rd_q*5 +: 5] <= 5'd0;
          tag_busy_q[tag_rd_q] <= 1'b0;
        end else begin
          rd_beat_q <= rd_beat_q + 4'd1;
        end
      end
      tags_used_q <= tags_used_q + {4'd0, ar_issue} - {4'd0, buf_rd && head_last};
      if (buf_rd && !drain_q) out_valid_q <= 1'b1;
      else if (evt_fire || drain_q) out_valid_q <= 1'b0;
      if (evt_fire) evq_head_q <= evq_head_q + 32'd1;

      // ---- writes ----------------------------------------------------------
      if (aw_fire) aw_valid_q <= 1'b0;
      aw_ahead_q <= aw_ahead_q + {2'd0, aw_fire} - {2'd0, job_pop};
      if (w_fire) w_beat_q <= m_axi_wlast_o ? 4'd0 : w_beat_q + 4'd1;
      dq_resv_q <= dq_resv_q + (go_dec ? dq_len : 5'd0) - {4'd0, dq_pop};
      if (go_pre) begin
        aw_valid_q <= 1'b1;
        aw_addr_q  <= pre_line;
        aw_len_q   <= 8'd0;
        sh_entry_q[pre_node*32 +: 32] <= pre_entry_i[pre_node*32 +: 32];
        sh_epoch_q[pre_node*32 +: 32] <= pre_epoch_i[pre_node*32 +: 32];
        sh_stale_q <= sh_stale_q & ~pre_sel;
      end
      if (go_dec) begin
        aw_valid_q <= 1'b1;
        aw_addr_q  <= dq_addr;
        aw_len_q   <= {3'd0, dq_len_m1};
        dq_iss_q   <= dq_iss_q + {27'd0, dq_len};
      end
      if (go_wb) begin
        aw_valid_q <= 1'b1;
        aw_addr_q  <= {pre_base_q[63:6], 6'd0};
        aw_len_q   <= 8'd0;
        wb_evq_q   <= evq_head_q;
        wb_dq_q    <= dq_done_q;
        wb_stale_q <= 1'b0;
        wb_busy_q  <= 1'b1;
      end
      if (b_fire) begin
        if (m_axi_bresp_i[1] || !trk_valid) dma_err_q <= 1'b1;
        if (trk_valid && !drain_q) begin
          if (trk_out[33:32] == 2'd1) dq_done_q <= trk_out[31:0];
          if (trk_out[33:32] == 2'd2) wb_busy_q <= 1'b0;
        end
      end

      // ---- soft reset: indices to zero once the bus is quiet ----------------
      if (drain_q && tags_used_q == 5'd0 && !ar_valid_q && !aw_valid_q && job_empty && trk_empty) begin
        drain_q <= 1'b0;
      end
      if (soft_rst_i) begin
        drain_q     <= 1'b1;
        evq_head_q  <= '0;
        evq_tail_q  <= '0;
        evq_fetch_q <= '0;
        dq_head_q   <= '0;
        dq_iss_q    <= '0;
        dq_done_q   <= '0;
        ovf_q       <= 1'b0;
        dma_err_q   <= 1'b0;
        sh_stale_q  <= '1;
        wb_stale_q  <= 1'b1;
        wb_busy_q   <= 1'b0;
        out_valid_q <= 1'b0;
        dq_resv_q   <= '0;
      end
    end
  end

  assign idle_o = eng_idle_i && !drain_q && (tags_used_q == 5'd0) && !ar_valid_q && !out_valid_q &&
                  dq_empty && !aw_valid_q && job_empty && trk_empty &&
                  (!dma_on || (ev_avail == 32'd0)) &&
                  (!pre_armed_q || dma_err_q || (!pre_any && !wb_need && !wb_busy_q));

  logic unused;
  assign unused = ^{m_axi_bid_i, m_axi_rlast_i, m_axi_rresp_i[0], m_axi_bresp_i[0], sticky_clr_i, dq_len_m1[4]};

`ifndef SYNTHESIS
  `include "vs_dma_frontend_asserts.svh"
`endif
endmodule
