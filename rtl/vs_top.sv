// vs_top: the vShard decision engine (docs/spec.md v1.1), AXI-Stream
// variant. Events arrive as 128-bit descriptors on s_axis_evt, decisions
// leave on m_axis_dec (tlast = the decision's LAST flag), control and status
// over AXI4-Lite (register map: regs/vshard_regs.json, vs_regs_pkg).
//
// Micro-architecture (docs/rtl.md has the long version):
//   * core state and a per-core mirror of the running vCPU's `lat` and
//     `credit` in flops, so that NNodes idle trees and NNodes victim trees
//     (vs_argmin) search all cores in parallel every cycle; their results
//     are registered (s_*_q) and used by the next event;
//   * the vCPU table in a 1R1W RAM (vs_vcpu_ram), read in the ACCEPT cycle
//     (the event's vCPU) and, for a preemption, in EXEC (the victim);
//   * an FSM per event: IDLE (accept, RAM read) -> EXEC (checks in spec
//     order, state update, decisions) [-> VICT (victim entry from the RAM,
//     shard sizing, PREEMPT) -> SHARD (one target per cycle)] or
//     [-> ACCT (refill and cap reset sweep)];
//   * decisions go through a FIFO, so egress back-pressure only stalls the
//     FSM (it accepts an event only when the FIFO has room for 2+MaxShards);
//   * the prestaged table is recomputed from the registered search results
//     two cycles after the last state write of each non-ERROR event.
module vs_top #(
  /// Physical cores the engine schedules (1..256).
  parameter int NCores = 8,
  /// vCPUs (1..4096).
  parameter int NVcpus = 64,
  /// NUMA nodes (1..8).
  parameter int NNodes = 2,
  /// The most shards one preemption may create (2..8).
  parameter int MaxShards = 4
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  // AXI4-Lite slave: control and status registers
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
  // AXI-Stream event ingress
  input  logic [127:0] s_axis_evt_tdata_i,
  input  logic         s_axis_evt_tvalid_i,
  output logic         s_axis_evt_tready_o,
  // AXI-Stream decision egress
  output logic [127:0] m_axis_dec_tdata_o,
  output logic         m_axis_dec_tvalid_o,
  input  logic         m_axis_dec_tready_i,
  output logic         m_axis_dec_tlast_o,
  // no event in flight, all its decisions emitted, prestage and counters done
  output logic         idle_o,
  // The prestaged table (spec 8) as PRE_ENTRY / PRE_EPOCH read it, node n at
  // [n*32 +: 32]: for a DMA front-end that copies it into host memory
  // (vs_dma_frontend). Unconnected in the AXI-Stream builds.
  output logic [NNodes*32-1:0] pre_entry_o,
  output logic [NNodes*32-1:0] pre_epoch_o
);

  // ==========================================================================
  // Parameters
  // ==========================================================================
  if (NCores < 1 || NCores > 256) begin : gen_bad_ncores
    $error("vs_top: NCores must be in 1..256");
  end
  if (NVcpus < 1 || NVcpus > 4096) begin : gen_bad_nvcpus
    $error("vs_top: NVcpus must be in 1..4096");
  end
  if (NNodes < 1 || NNodes > 8) begin : gen_bad_nnodes
    $error("vs_top: NNodes must be in 1..8");
  end
  if (MaxShards < 2 || MaxShards > 8) begin : gen_bad_maxshards
    $error("vs_top: MaxShards must be in 2..8");
  end

  localparam int VA        = (NVcpus > 1) ? $clog2(NVcpus) : 1;  // RAM address bits
  localparam int MaxDec    = 2 + MaxShards;                       // decisions per event
  // Decision FIFO: the smallest power of two that holds one event's worst
  // case (4, 8 or 16 entries for MaxShards 2, 3..6, 7..8), so small builds
  // (the iCE40 board) do not pay for 16 x 128 flops.
  localparam int FifoAW    = $clog2(MaxDec);
  localparam int FifoDepth = 1 << FifoAW;                         // >= MaxDec

  localparam logic [8:0]  NCores9   = NCores[8:0];
  localparam logic [15:0] NVcpus16  = NVcpus[15:0];
  localparam int LastVcpuI = NVcpus - 1;
  localparam logic [11:0] LastVcpu  = LastVcpuI[11:0];
  localparam logic [7:0]  NNodes8   = NNodes[7:0];
  localparam logic [FifoAW:0] MaxDecF = MaxDec[FifoAW:0];
  localparam int MaxShardsCfg = (MaxShards < 4) ? MaxShards : 4;
  localparam logic [3:0]  MaxShardsRst = MaxShardsCfg[3:0];
  localparam int LoadHotRst = (3 * NCores) / 4;
  localparam logic [8:0]  LoadHotRst9 = LoadHotRst[8:0];

  // NUMA_DIST reset: 10 on the diagonal, 20 elsewhere.
  function automatic logic [NNodes*NNodes*8-1:0] numa_reset();
    numa_reset = '0;
    for (int i = 0; i < NNodes; i++) begin
      for (int j = 0; j < NNodes; j++) begin
        numa_reset[(i*NNodes+j)*8 +: 8] = (i == j) ? 8'd10 : 8'd20;
      end
    end
  endfunction
  localparam logic [NNodes*NNodes*8-1:0] NumaRst = numa_reset();

  // ==========================================================================
  // Declarations
  // ==========================================================================
  // ---- core state (flops) and mirror of each core's running vCPU entry ----
  logic [NCores*3-1:0]  c_node_q, c_node_d;
  logic [NCores-1:0]    c_online_q, c_online_d;
  logic [NCores*8-1:0]  c_util_q, c_util_d;
  logic [NCores*2-1:0]  c_freq_q, c_freq_d;
  logic [NCores*2-1:0]  c_occ_q, c_occ_d;
  logic [NCores*12-1:0] c_vcpu_q, c_vcpu_d;
  logic [NCores*16-1:0] c_slice_q, c_slice_d;
  // Mirror: valid for cores with occ = RUN; equals lat and credit of the table
  // entry of vcpu[c] (the victim search reads them for all cores at once).
  logic [NCores-1:0]    m_lat_q, m_lat_d;
  logic [NCores*16-1:0] m_credit_q, m_credit_d;

  // ---- configuration (spec section 5) -------------------------------------
  logic [15:0] cfg_slice_q, cfg_slice_d;
  logic [7:0]  cfg_cpm_q, cfg_cpm_d;
  logic [14:0] cfg_cap_q, cfg_cap_d;
  logic [7:0]  cfg_refill_q, cfg_refill_d;
  logic [14:0] cfg_boost_q, cfg_boost_d;
  logic [2:0]  cfg_ushift_q, cfg_ushift_d;
  logic [7:0]  cfg_wdist_q, cfg_wdist_d;
  logic [7:0]  cfg_vdist_q, cfg_vdist_d;
  logic [2:0]  cfg_vds_q, cfg_vds_d;
  logic [3:0]  cfg_vcs_q, cfg_vcs_d;
  logic [3:0]  cfg_vss_q, cfg_vss_d;
  logic        cfg_shen_q, cfg_shen_d;
  logic [3:0]  cfg_maxsh_q, cfg_maxsh_d;
  logic [15:0] cfg_smc_q, cfg_smc_d;
  logic [7:0]  cfg_sutil_q, cfg_sutil_d;
  logic [1:0]  cfg_sfreq_q, cfg_sfreq_d;
  logic [7:0]  cfg_sdist_q, cfg_sdist_d;
  logic [8:0]  cfg_lhc_q, cfg_lhc_d;
  logic [3:0]  cfg_kul_q, cfg_kul_d;
  logic [15:0] cfg_sync_q, cfg_sync_d;
  logic [7:0]  cfg_shcr_q, cfg_shcr_d;
  logic [7:0]  cfg_sycr_q, cfg_sycr_d;
  logic [NNodes*NNodes*8-1:0] cfg_numa_q, cfg_numa_d;  // [i][j] at (i*NNodes+j)*8

  // ---- prestaged table (spec section 8) ----------------------------------
  logic [NNodes*2-1:0]  pst_kind_q, pst_kind_d;
  logic [NNodes*8-1:0]  pst_core_q, pst_core_d;
  logic [NNodes*12-1:0] pst_vcpu_q, pst_vcpu_d;
  logic [NNodes*32-1:0] pst_epoch_q, pst_epoch_d;
  logic                 pre_req_q, pre_req_d;  // an event's last state write was last cycle
  logic                 pre_go_q, pre_go_d;    // search results now reflect it: update

  // ---- registered search results, per node --------------------------------
  logic [NNodes-1:0]    s_idle_v_q, s_idle_v_d;
  logic [NNodes*8-1:0]  s_idle_core_q, s_idle_core_d;
  logic [NNodes*8-1:0]  s_idle_dist_q, s_idle_dist_d;
  logic [NNodes-1:0]    s_vic_v_q, s_vic_v_d;
  logic [NNodes-1:0]    s_vic_far_q, s_vic_far_d;  // spec 7.2: victim(n) is far
  logic [NNodes*8-1:0]  s_vic_core_q, s_vic_core_d;
  logic [NNodes*12-1:0] s_vic_vcpu_q, s_vic_vcpu_d;

  // ---- FSM and the event in flight ---------------------------------------
  vs_pkg::state_e state_q, state_d;
  logic [127:0]   ev_q, ev_d;
  logic [11:0]    idx_q, idx_d;      // INIT / ACCOUNT sweep index
  // preemption context (EXEC -> VICT -> SHARD)
  logic [11:0]    pv_q, pv_d;        // preempting vCPU v
  logic [15:0]    pv_erun_q, pv_erun_d;  // its expected run (spec 7.4 T)
  logic [7:0]     pp_q, pp_d;        // victim core p
  logic [11:0]    pu_q, pu_d;        // victim vCPU u (its entry is read in EXEC)
  logic           pcom_q, pcom_d;    // COMMIT held: COMMITTED flag
  logic [2:0]     pu_home_q, pu_home_d;  // home of u: node of the shard search
  logic [3:0]     pk_q, pk_d;        // K
  logic [7:0]     psize_q, psize_d;  // s(K), blocks per shard
  logic [3:0]     pi_q, pi_d;        // shard index
  logic [7:0]     pfirst_q, pfirst_d;

  // ---- control, errors, counters ------------------------------------------
  logic        enable_q, enable_d;
  logic [31:0] sticky_q, sticky_d;
  logic [31:0] last_seq_q, last_seq_d;
  logic [7:0]  last_code_q, last_code_d;
  logic [31:0] scratch_q, scratch_d;
  logic [13*32-1:0] ring_q, ring_d;  // ring registers 0x080..0x0B0, plain storage
  logic [31:0] cnt_ev_q, cnt_ev_d, cnt_dec_q, cnt_dec_d, cnt_err_q, cnt_err_d;
  logic [31:0] cnt_pre_q, cnt_pre_d, cnt_sh_q, cnt_sh_d, cnt_com_q, cnt_com_d;
  logic [31:0] cnt_abt_q, cnt_abt_d;

  // ---- AXI4-Lite -------------------------------------------------------------
  logic        bvalid_q, bvalid_d;
  logic        rvalid_q, rvalid_d;
  logic [31:0] rdata_q, rdata_d;

  // ==========================================================================
  // Event fields and small helpers
  // ==========================================================================
  logic [7:0]  ev_type, ev_flags, ev_core, ev_b8;
  logic [15:0] ev_vcpu, ev_c16;
  logic [31:0] ev_seq, ev_d32;
  assign ev_type  = ev_q[7:0];
  assign ev_flags = ev_q[15:8];
  assign ev_vcpu  = ev_q[31:16];
  assign ev_seq   = ev_q[63:32];
  assign ev_core  = ev_q[71:64];
  assign ev_b8    = ev_q[79:72];
  assign ev_c16   = ev_q[95:80];
  assign ev_d32   = ev_q[127:96];

  logic v_ok, c_ok;
  assign v_ok = ev_vcpu < NVcpus16;
  assign c_ok = {1'b0, ev_core} < NCores9;

  // Decision descriptor: {d32, c16, b8, core, seq, vcpu, flags, type}.
  function automatic logic [127:0] mk_dec(input logic [7:0] typ, input logic [7:0] flags,
                                          input logic [15:0] vcpu, input logic [31:0] seq,
                                          input logic [7:0] core, input logic [7:0] b8,
                                          input logic [15:0] c16, input logic [31:0] d32);
    mk_dec = {d32, c16, b8, core, seq, vcpu, flags, typ};
  endfunction

  // NUMA_DIST[i][j] for i, j < NNodes.
  function automatic logic [7:0] numa_at(input logic [NNodes*NNodes*8-1:0] tbl,
                                         input int i, input logic [2:0] j);
    numa_at = 8'd0;
    for (int jj = 0; jj < NNodes; jj++) begin
      if (j == jj[2:0]) numa_at = tbl[(i*NNodes+jj)*8 +: 8];
    end
  endfunction

  // ==========================================================================
  // vCPU table RAM
  // ==========================================================================
  logic [11:0]           ram_raddr;
  logic                  ram_we;
  logic [11:0]           ram_waddr;
  logic [vs_pkg::VcpuW-1:0] ram_rdata, ram_wdata;
  vs_pkg::vcpu_t         rd;
  assign rd = ram_rdata;
`ifdef FORMAL
  logic [vs_pkg::VcpuW*NVcpus-1:0] f_mem;  // the whole vCPU table (formal only)
`endif

  vs_vcpu_ram #(.Width(vs_pkg::VcpuW), .Depth(NVcpus), .AW(VA)) u_vcpu_ram (
    .clk_i,
    .raddr_i(ram_raddr[VA-1:0]),
    .rdata_o(ram_rdata),
    .we_i   (ram_we),
    .waddr_i(ram_waddr[VA-1:0]),
    .wdata_i(ram_wdata)
`ifdef FORMAL
    , .f_mem_o(f_mem)
`endif
  );

  // ==========================================================================
  // Per-core derived signals and the searches
  // ==========================================================================
  logic [NCores-1:0]    k_idle, k_runv, k_hot, k_elig;
  logic [NCores*17-1:0] k_vbase;      // credit and slice part of the victim cost
  logic [NCores*18-1:0] k_skey;       // shard target key
  logic [2:0]           shard_home;   // home node of the victim for the shard search

  for (genvar c = 0; c < NCores; c++) begin : gen_core
    logic [7:0]  util;
    logic [1:0]  freq, occ;
    logic [2:0]  node;
    logic [15:0] cred, slice;
    logic [16:0] cterm, sterm;
    logic [7:0]  sdist;
    logic [1:0]  nfreq;
    assign util  = c_util_q[c*8 +: 8];
    assign freq  = c_freq_q[c*2 +: 2];
    assign occ   = c_occ_q[c*2 +: 2];
    assign node  = c_node_q[c*3 +: 3];
    assign cred  = m_credit_q[c*16 +: 16];
    assign slice = c_slice_q[c*16 +: 16];
    assign k_idle[c] = c_online_q[c] && (occ == vs_pkg::OccIdle);
    assign k_runv[c] = c_online_q[c] && (occ == vs_pkg::OccRun) && !m_lat_q[c];
    assign k_hot[c]  = c_online_q[c] && (util >= cfg_sutil_q);
    // credit as 16-bit offset binary, then the configured shifts
    assign cterm = {1'b0, ~cred[15], cred[14:0]} >> cfg_vcs_q;
    assign sterm = {1'b0, slice} >> cfg_vss_q;
    assign k_vbase[c*17 +: 17] = cterm + sterm;
    // shard target eligibility and key for node shard_home
    always_comb begin
      sdist = 8'd0;
      for (int i = 0; i < NNodes; i++) begin
        if (shard_home == i[2:0]) sdist = numa_at(cfg_numa_q, i, node);
      end
    end
    assign nfreq = 2'd3 - freq;
    assign k_elig[c] = k_idle[c] && (util < cfg_sutil_q) && (freq >= cfg_sfreq_q) &&
                       (sdist <= cfg_sdist_q);
    assign k_skey[c*18 +: 18] = {sdist, nfreq, util};
  end

  // ---- NNodes idle trees and NNodes victim trees ---------------------------
  for (genvar n = 0; n < NNodes; n++) begin : gen_node
    logic [NCores*16-1:0] ikey;
    logic [NCores-1:0]    vval;
    logic [NCores*19-1:0] vkey;
    for (genvar c = 0; c < NCores; c++) begin : gen_leaf
      logic [7:0]  d;
      logic [14:0] dterm;
      logic        far;
      assign d     = numa_at(cfg_numa_q, n, c_node_q[c*3 +: 3]);
      assign dterm = {7'd0, d} << cfg_vds_q;
      assign far   = d > cfg_wdist_q;  // spec 7.2 (1.1): near victims first
      assign ikey[c*16 +: 16] = {d, c_util_q[c*8 +: 8]};
      assign vval[c] = k_runv[c] && (d <= cfg_vdist_q);
      // key {far [1], cost [18]}; the 18-bit cost sum cannot overflow
      assign vkey[c*19 +: 19] = {far, {3'd0, dterm} + {1'b0, k_vbase[c*17 +: 17]}};
    end
    logic        iv, vv;
    logic [7:0]  ii, vi;
    logic [15:0] ik;
    logic [18:0] vk;
    vs_argmin #(.N(NCores), .KeyW(16), .IdxW(8), .PipeEvery(0)) u_idle (
      .clk_i, .rst_ni, .valid_i(k_idle), .key_i(ikey),
      .valid_o(iv), .idx_o(ii), .key_o(ik)
    );
    vs_argmin #(.N(NCores), .KeyW(19), .IdxW(8), .PipeEvery(0)) u_vic (
      .clk_i, .rst_ni, .valid_i(vval), .key_i(vkey),
      .valid_o(vv), .idx_o(vi), .key_o(vk)
    );
    logic [11:0] vvcpu;
    always_comb begin
      vvcpu = 12'd0;
      for (int c = 0; c < NCores; c++) begin
        vvcpu = vvcpu | (c_vcpu_q[c*12 +: 12] & {12{vi == c[7:0]}});
      end
    end
    assign s_idle_v_d[n]          = iv;
    assign s_idle_core_d[n*8 +: 8] = ii;
    assign s_idle_dist_d[n*8 +: 8] = ik[15:8];
    assign s_vic_v_d[n]           = vv;
    assign s_vic_far_d[n]         = vk[18];
    assign s_vic_core_d[n*8 +: 8]  = vi;
    assign s_vic_vcpu_d[n*12 +: 12] = vvcpu;
    logic unused_key;
    assign unused_key = ^{ik[7:0], vk[17:0]};
  end

  // ---- shard target search (one tree, node shard_home), E and H counts ----
  logic       st_valid;
  logic [7:0] st_idx;
  logic [17:0] st_key;
  vs_argmin #(.N(NCores), .KeyW(18), .IdxW(8), .PipeEvery(0)) u_shard (
    .clk_i, .rst_ni, .valid_i(k_elig), .key_i(k_skey),
    .valid_o(st_valid), .idx_o(st_idx), .key_o(st_key)
  );
  logic unused_st_key;
  assign unused_st_key = ^st_key;

  logic [8:0] cnt_elig, cnt_hot;
  always_comb begin
    cnt_elig = 9'd0;
    cnt_hot  = 9'd0;
    for (int c = 0; c < NCores; c++) begin
      cnt_elig = cnt_elig + {8'd0, k_elig[c]};
      cnt_hot  = cnt_hot + {8'd0, k_hot[c]};
    end
  end
  // VICT searches from u's home in the entry just read, SHARD from its copy.
  assign shard_home = (state_q == vs_pkg::StVict) ? rd.home : pu_home_q;

  // ==========================================================================
  // Reads of one core's state / mirror by index
  // ==========================================================================
  // Core named by the event (EXEC).
  logic [2:0]  cr_node;
  logic        cr_online;
  logic [7:0]  cr_util;
  logic [1:0]  cr_freq, cr_occ;
  logic [11:0] cr_vcpu;
  logic [15:0] cr_slice;
  always_comb begin
    cr_node = '0; cr_online = '0; cr_util = '0; cr_freq = '0;
    cr_occ = '0; cr_vcpu = '0; cr_slice = '0;
    for (int c = 0; c < NCores; c++) begin
      if (ev_core == c[7:0]) begin
        cr_node   = c_node_q[c*3 +: 3];
        cr_online = c_online_q[c];
        cr_util   = c_util_q[c*8 +: 8];
        cr_freq   = c_freq_q[c*2 +: 2];
        cr_occ    = c_occ_q[c*2 +: 2];
        cr_vcpu   = c_vcpu_q[c*12 +: 12];
        cr_slice  = c_slice_q[c*16 +: 16];
      end
    end
  end
  logic unused_cr;
  assign unused_cr = ^{cr_node, cr_freq};

  // vCPU running on the core named by an incoming event (TICK reads its entry).
  logic [11:0] in_core_vcpu;
  always_comb begin
    in_core_vcpu = 12'd0;
    for (int c = 0; c < NCores; c++) begin
      in_core_vcpu = in_core_vcpu |
                     (c_vcpu_q[c*12 +: 12] & {12{s_axis_evt_tdata_i[71:64] == c[7:0]}});
    end
  end

  // Search results for the home node of the event's vCPU (EXEC).
  logic [2:0]  wn;
  logic        w_iv, w_vv, w_vfar;
  logic [7:0]  w_icore, w_idist, w_vcore;
  logic [11:0] w_vvcpu;
  logic [1:0]  w_pkind;
  logic [7:0]  w_pcore;
  logic [31:0] w_pepoch;
  assign wn = rd.home;
  always_comb begin
    w_iv = 1'b0; w_vv = 1'b0; w_vfar = 1'b0; w_icore = '0; w_idist = '0; w_vcore = '0;
    w_vvcpu = '0; w_pkind = '0; w_pcore = '0; w_pepoch = '0;
    for (int n = 0; n < NNodes; n++) begin
      if (wn == n[2:0]) begin
        w_iv     = s_idle_v_q[n];
        w_icore  = s_idle_core_q[n*8 +: 8];
        w_idist  = s_idle_dist_q[n*8 +: 8];
        w_vv     = s_vic_v_q[n];
        w_vfar   = s_vic_far_q[n];
        w_vcore  = s_vic_core_q[n*8 +: 8];
        w_vvcpu  = s_vic_vcpu_q[n*12 +: 12];
        // the entry as it is after this cycle's pending update, if any
        w_pkind  = pst_kind_d[n*2 +: 2];
        w_pcore  = pst_core_d[n*8 +: 8];
        w_pepoch = pst_epoch_d[n*32 +: 32];
      end
    end
  end

  // ==========================================================================
  // Checks (spec 7.5, in order) for the event in EXEC
  // ==========================================================================
  logic [7:0] cfg_ev_err;
  vs_cfg_check #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) u_cfg_check_ev (
    .key_i(ev_c16), .value_i(ev_d32), .err_o(cfg_ev_err)
  );

  // spec 2.2 / 6.5: the event's vCPU is parked (over its cap until ACCOUNT)
  logic rd_parked;
  assign rd_parked = (rd.cap != 16'd0) && (rd.used >= rd.cap);

  logic [7:0] exec_err;
  logic       node_ok;
  assign node_ok = ev_b8 < NNodes8;
  always_comb begin
    exec_err = vs_pkg::ErrNone;
    case (ev_type)
      vs_pkg::EvWake: begin
        if (ev_flags[7:1] != 0 || ev_core != 0 || ev_b8 != 0 || ev_c16 != 0 || ev_d32 != 0)
          exec_err = vs_pkg::ErrReserved;
        else if (!v_ok) exec_err = vs_pkg::ErrBadVcpu;
        else if (rd.state != vs_pkg::VstBlocked) exec_err = vs_pkg::ErrBadState;
      end
      vs_pkg::EvBlock: begin
        if (ev_flags != 0 || ev_core != 0 || ev_b8 != 0 || ev_c16 != 0 || ev_d32 != 0)
          exec_err = vs_pkg::ErrReserved;
        else if (!v_ok) exec_err = vs_pkg::ErrBadVcpu;
        else if (rd.state != vs_pkg::VstRunning && rd.state != vs_pkg::VstQueued)
          exec_err = vs_pkg::ErrBadState;
      end
      vs_pkg::EvSched: begin
        if (ev_flags != 0 || ev_b8 != 0 || ev_c16 != 0 || ev_d32 != 0)
          exec_err = vs_pkg::ErrReserved;
        else if (!v_ok) exec_err = vs_pkg::ErrBadVcpu;
        else if (!c_ok) exec_err = vs_pkg::ErrBadCore;
        else if (!cr_online) exec_err = vs_pkg::ErrCoreOffline;
        else if (cr_occ != vs_pkg::OccIdle) exec_err = vs_pkg::ErrCoreBusy;
        else if (rd.state != vs_pkg::VstQueued) exec_err = vs_pkg::ErrBadState;
        else if (rd_parked) exec_err = vs_pkg::ErrCapped;  // spec 6.5
      end
      vs_pkg::EvTick: begin
        if (ev_flags != 0 || ev_vcpu != 0 || ev_d32 != 0) exec_err = vs_pkg::ErrReserved;
        else if (!c_ok) exec_err = vs_pkg::ErrBadCore;
        else if (!cr_online) exec_err = vs_pkg::ErrCoreOffline;
      end
      vs_pkg::EvProfile: begin
        // spec 3: d32[15:0] is erun since 1.1, d32[31:16] stays reserved
        if (ev_flags != 0 || ev_core != 0 || ev_d32[31:16] != 0) exec_err = vs_pkg::ErrReserved;
        else if (!v_ok) exec_err = vs_pkg::ErrBadVcpu;
      end
      vs_pkg::EvUtil: begin
        if (ev_flags[7:2] != 0 || ev_vcpu != 0 || ev_c16 != 0 || ev_d32 != 0)
          exec_err = vs_pkg::ErrReserved;
        else if (!c_ok) exec_err = vs_pkg::ErrBadCore;
      end
      vs_pkg::EvShardDone: begin
        if (ev_flags != 0 || ev_b8 != 0 || ev_c16 != 0 || ev_d32 != 0)
          exec_err = vs_pkg::ErrReserved;
        else if (!v_ok) exec_err = vs_pkg::ErrBadVcpu;
        else if (!c_ok) exec_err = vs_pkg::ErrBadCore;
        // spec 7.5 (1.1): the core holds a shard of v; v's own state is not checked
        else if (cr_occ != vs_pkg::OccShard || cr_vcpu != ev_vcpu[11:0])
          exec_err = vs_pkg::ErrBadState;
      end
      vs_pkg::EvAccount: begin
        if (ev_flags != 0 || ev_vcpu != 0 || ev_core != 0 || ev_b8 != 0 || ev_c16 != 0 ||
            ev_d32 != 0)
          exec_err = vs_pkg::ErrReserved;
      end
      vs_pkg::EvConfig: begin
        if (ev_flags != 0 || ev_vcpu != 0 || ev_core != 0 || ev_b8 != 0)
          exec_err = vs_pkg::ErrReserved;
        else exec_err = cfg_ev_err;
      end
      vs_pkg::EvCoreCfg: begin
        if (ev_flags[7:1] != 0 || ev_vcpu != 0 || ev_c16 != 0 || ev_d32 != 0)
          exec_err = vs_pkg::ErrReserved;
        else if (!c_ok) exec_err = vs_pkg::ErrBadCore;
        else if (!node_ok) exec_err = vs_pkg::ErrBadNode;
        else if (!ev_flags[0] && cr_occ != vs_pkg::OccIdle) exec_err = vs_pkg::ErrCoreBusy;
      end
      vs_pkg::EvVcpuCfg: begin
        // spec 3: d32[15:0] is the cap since 1.1, d32[31:16] stays reserved
        if (ev_flags != 0 || ev_core != 0 || ev_d32[31:16] != 0) exec_err = vs_pkg::ErrReserved;
        else if (!v_ok) exec_err = vs_pkg::ErrBadVcpu;
        else if (!node_ok) exec_err = vs_pkg::ErrBadNode;
        else if (ev_c16 == 0 || ev_c16 > 16'd255) exec_err = vs_pkg::ErrBadArg;
      end
      vs_pkg::EvCommit: begin
        if (ev_flags != 0 || ev_c16 != 0) exec_err = vs_pkg::ErrReserved;
        else if (!v_ok) exec_err = vs_pkg::ErrBadVcpu;
        else if (!c_ok) exec_err = vs_pkg::ErrBadCore;
        else if (!node_ok) exec_err = vs_pkg::ErrBadNode;
        else if (ev_b8 != {5'd0, rd.home}) exec_err = vs_pkg::ErrBadArg;
        else if (rd.state != vs_pkg::VstBlocked) exec_err = vs_pkg::ErrBadState;
      end
      default: exec_err = vs_pkg::ErrBadType;
    endcase
  end

  // ==========================================================================
  // Credit unit and shard sizing
  // ==========================================================================
  logic [15:0] cu_in, cu_out;
  logic        cu_sub;
  logic [16:0] cu_amt;
  vs_credit u_credit (
    .credit_i(cu_in), .sub_i(cu_sub), .amount_i(cu_amt), .cap_i(cfg_cap_q), .credit_o(cu_out)
  );

  // Spec 7.3 / 7.4 in VICT, on the victim's whole entry: EXEC reads it from
  // the RAM, so rd is T[u] here. The candidate conditions on blocks, bcost
  // and E are implied by K >= 1 (vs_shard_size); v's erun gives T.
  logic        sz_cand;
  logic [3:0]  sz_k;
  logic [7:0]  sz_size, sz_taken;
  assign sz_cand = cfg_shen_q && (rd.shards == 4'd0) &&
                   ($signed(rd.credit) >= $signed(cfg_smc_q));
  vs_shard_size #(.MaxShards(MaxShards)) u_shard_size (
    .cand_i(sz_cand), .blocks_i(rd.blocks), .bcost_i(rd.bcost), .erun_i(pv_erun_q),
    .elig_i(cnt_elig), .hot_i(cnt_hot), .max_shards_i(cfg_maxsh_q),
    .load_hot_i(cfg_lhc_q), .k_load_i(cfg_kul_q), .sync_cost_i(cfg_sync_q),
    .k_o(sz_k), .size_o(sz_size), .taken_o(sz_taken)
  );

  // TICK arithmetic: util EWMA, slice, debit (6.1), cap charge (6.5).
  logic signed [8:0] tk_diff, tk_step;
  logic [9:0]        tk_util_w;
  logic [7:0]        tk_util;
  logic [15:0]       tk_slice;
  logic [23:0]       tk_prod;
  logic [16:0]       tk_used_w;
  logic [15:0]       tk_used;    // used[u] + elapsed, saturating at 65535
  logic              tk_park;    // u runs whole on the core and is parked after the charge
  always_comb begin
    tk_diff   = $signed({1'b0, ev_b8}) - $signed({1'b0, cr_util});
    tk_step   = tk_diff >>> cfg_ushift_q;
    tk_util_w = {2'b00, cr_util} + {tk_step[8], tk_step};
    tk_util   = tk_util_w[7:0];
    tk_slice  = (ev_c16 > cr_slice) ? 16'd0 : (cr_slice - ev_c16);
    tk_prod   = {8'd0, ev_c16} * {16'd0, cfg_cpm_q};
    tk_used_w = {1'b0, rd.used} + {1'b0, ev_c16};
    tk_used   = tk_used_w[16] ? 16'hFFFF : tk_used_w[15:0];
    tk_park   = (cr_occ == vs_pkg::OccRun) && (rd.cap != 16'd0) && (tk_used >= rd.cap);
  end
  logic unused_tk;
  assign unused_tk = ^{tk_util_w[9:8], tk_prod[9:0]};

  // ==========================================================================
  // Engine FSM
  // ==========================================================================
  // WAKE / COMMIT placement (spec 7.5): latency class, commit check, rules 1-6.
  logic w_lat, w_commit, w_holds, w_near_idle, w_near_vic, w_to_idle, w_to_vict;
  assign w_lat     = (ev_type == vs_pkg::EvWake) ? ev_flags[0] : 1'b1;
  assign w_commit  = (ev_type == vs_pkg::EvCommit);
  // spec 7.5 COMMIT: the entry as it stood before this event, and v not parked
  assign w_holds   = w_commit && (w_pkind != vs_pkg::PreNone) && (w_pcore == ev_core) &&
                     (w_pepoch == ev_d32) && !rd_parked;
  assign w_near_idle = w_iv && (w_idist <= cfg_wdist_q);  // spec 7.1
  assign w_near_vic  = w_vv && !w_vfar;                   // spec 7.2
  // rule 1: parked -> QUEUED; 2: LAT and a near idle core -> RUN; 3: LAT and a
  // near victim -> preempt; 4: any idle core -> RUN; 5: LAT and a (far)
  // victim -> preempt; 6: QUEUED.
  assign w_to_idle = !rd_parked && w_iv && ((w_lat && w_near_idle) || !(w_lat && w_near_vic));
  assign w_to_vict = !rd_parked && !w_to_idle && w_lat && w_vv;

  // SHARD i (spec 7.4): first_i = i * s, count_i = s; LAST on i = K - 1.
  logic       sh_last;
  assign sh_last  = (pi_q == pk_q - 4'd1);

  // write ports produced by the FSM
  logic        vw_en, vw_init;
  logic [11:0] vw_addr;
  // the vCPU entry written, one signal per field (defaults: the entry read)
  logic [1:0]  vw_state;
  logic        vw_lat;
  logic [15:0] vw_credit, vw_bcost, vw_erun, vw_cap, vw_used;
  logic [7:0]  vw_weight, vw_blocks, vw_core;
  logic [2:0]  vw_home;
  logic [3:0]  vw_shards;
  vs_pkg::vcpu_t vw_data;
  logic        cw_en;
  logic [7:0]  cw_idx;
  logic        cw_occ_en, cw_vcpu_en, cw_slice_en, cw_util_en, cw_freq_en, cw_cfg_en;
  logic        cw_need_idle;  // the write claims an idle core (assertion)
  logic [1:0]  cw_occ, cw_freq;
  logic [11:0] cw_vcpu;
  logic [15:0] cw_slice;
  logic [7:0]  cw_util;
  logic [2:0]  cw_node;
  logic        cw_online;
  logic        push0, push1;
  logic [127:0] push0_data, push1_data;
  logic        err_fire, inc_pre, inc_shard, inc_com, inc_abt;
  logic        ev_cfg_we;
  logic        soft_rst;
  logic        accept;
  logic [FifoAW:0] fifo_free;
  logic        fifo_empty;

  always_comb begin
    state_d = state_q;
    ev_d = ev_q;
    idx_d = idx_q;
    pv_d = pv_q; pv_erun_d = pv_erun_q; pp_d = pp_q; pu_d = pu_q; pcom_d = pcom_q;
    pu_home_d = pu_home_q;
    pk_d = pk_q; psize_d = psize_q; pi_d = pi_q; pfirst_d = pfirst_q;
    pre_req_d = 1'b0;

    ram_raddr = 12'd0;
    vw_en = 1'b0; vw_init = 1'b0; vw_addr = 12'd0;
    vw_state = rd.state; vw_lat = rd.lat; vw_credit = rd.credit; vw_weight = rd.weight;
    vw_home = rd.home; vw_blocks = rd.blocks; vw_bcost = rd.bcost; vw_core = rd.core;
    vw_shards = rd.shards; vw_erun = rd.erun; vw_cap = rd.cap; vw_used = rd.used;
    cw_en = 1'b0; cw_idx = ev_core; cw_need_idle = 1'b0;
    cw_occ_en = 1'b0; cw_vcpu_en = 1'b0; cw_slice_en = 1'b0; cw_util_en = 1'b0;
    cw_freq_en = 1'b0; cw_cfg_en = 1'b0;
    cw_occ = vs_pkg::OccIdle; cw_vcpu = 12'd0; cw_slice = cfg_slice_q; cw_util = ev_b8;
    cw_freq = ev_flags[1:0]; cw_node = ev_b8[2:0]; cw_online = ev_flags[0];
    push0 = 1'b0; push1 = 1'b0;
    push0_data = mk_dec(vs_pkg::DecError, 8'h01, ev_vcpu, ev_seq, ev_core, exec_err,
                        {8'd0, ev_type}, 32'd0);
    push1_data = mk_dec(vs_pkg::DecAck, 8'h01, ev_vcpu, ev_seq, ev_core, ev_type, 16'd0, 32'd0);
    err_fire = 1'b0; inc_pre = 1'b0; inc_shard = 1'b0; inc_com = 1'b0; inc_abt = 1'b0;
    ev_cfg_we = 1'b0;
    cu_in = rd.credit; cu_sub = 1'b0; cu_amt = {2'b00, cfg_boost_q};

    unique case (state_q)
      // ---- reset sweep of the vCPU table --------------------------------------
      vs_pkg::StInit: begin
        vw_en = 1'b1;
        vw_init = 1'b1;
        vw_addr = idx_q;
        idx_d = idx_q + 12'd1;
        if (idx_q == LastVcpu) begin
          idx_d = 12'd0;
          state_d = vs_pkg::StIdle;
        end
      end

      // ---- ACCEPT --------------------------------------------------------------
      vs_pkg::StIdle: begin
        ram_raddr = (s_axis_evt_tdata_i[7:0] == vs_pkg::EvTick) ? in_core_vcpu
                                                                : s_axis_evt_tdata_i[27:16];
        if (accept && s_axis_evt_tvalid_i) begin
          ev_d = s_axis_evt_tdata_i;
          state_d = vs_pkg::StExec;
        end
      end

      // ---- EXEC ------------------------------------------------------------------
      vs_pkg::StExec: begin
        state_d = vs_pkg::StIdle;
        // Read the entry of victim(home[v]) for a preemption (rd in VICT).
        // Reading it unconditionally keeps the address mux small; only VICT uses it.
        ram_raddr = w_vvcpu;
        if (exec_err != vs_pkg::ErrNone) begin
          push0 = 1'b1;  // ERROR; no state change, no prestage update
          err_fire = 1'b1;
        end else begin
          pre_req_d = 1'b1;
          vw_addr = ev_vcpu[11:0];
          unique case (ev_type)
            vs_pkg::EvWake, vs_pkg::EvCommit: begin
              inc_com = w_holds;
              if (w_commit && !w_holds) begin
                push0 = 1'b1;
                inc_abt = 1'b1;
                push0_data = mk_dec(vs_pkg::DecAbort, 8'h00, ev_vcpu, ev_seq, ev_core, ev_b8,
                                    16'd0, w_pepoch);
              end
              // latency boost (6.3) before the placement, parked or not
              cu_in = rd.credit; cu_sub = 1'b0; cu_amt = {2'b00, cfg_boost_q};
              vw_en = 1'b1;
              vw_lat = w_lat;
              vw_credit = w_lat ? cu_out : rd.credit;
              if (w_to_idle) begin
                // rules 2 and 4: RUN on idle(n)
                vw_state = vs_pkg::VstRunning;
                vw_core = w_icore;
                cw_en = 1'b1; cw_idx = w_icore; cw_need_idle = 1'b1;
                cw_occ_en = 1'b1; cw_occ = vs_pkg::OccRun;
                cw_vcpu_en = 1'b1; cw_vcpu = ev_vcpu[11:0];
                cw_slice_en = 1'b1;
                push1 = 1'b1;
                push1_data = mk_dec(vs_pkg::DecRun, {6'd0, w_holds, 1'b1}, ev_vcpu, ev_seq,
                                    w_icore, 8'd0, 16'd0, 32'd0);
              end else if (w_to_vict) begin
                // rules 3 and 5: preempt u on p = victim(n); v runs on p now
                vw_state = vs_pkg::VstRunning;
                vw_core = w_vcore;
                cw_en = 1'b1; cw_idx = w_vcore;
                cw_occ_en = 1'b1; cw_occ = vs_pkg::OccRun;
                cw_vcpu_en = 1'b1; cw_vcpu = ev_vcpu[11:0];
                cw_slice_en = 1'b1;
                pre_req_d = 1'b0;
                pv_d = ev_vcpu[11:0];
                pv_erun_d = rd.erun;
                pp_d = w_vcore;
                pu_d = w_vvcpu;
                pcom_d = w_holds;
                state_d = vs_pkg::StVict;
              end else begin
                // rules 1 and 6
                vw_state = vs_pkg::VstQueued;
                push1 = 1'b1;
                push1_data = mk_dec(vs_pkg::DecQueued, 8'h01, ev_vcpu, ev_seq, 8'd0, 8'd0,
                                    16'd0, 32'd0);
              end
            end
            vs_pkg::EvBlock: begin
              vw_en = 1'b1;
              vw_state = vs_pkg::VstBlocked;
              if (rd.state == vs_pkg::VstRunning) begin
                cw_en = 1'b1; cw_idx = rd.core;
                cw_occ_en = 1'b1; cw_occ = vs_pkg::OccIdle;
              end
              push1 = 1'b1;
            end
            vs_pkg::EvSched: begin
              vw_en = 1'b1;
              vw_state = vs_pkg::VstRunning;
              vw_core = ev_core;
              cw_en = 1'b1; cw_need_idle = 1'b1;
              cw_occ_en = 1'b1; cw_occ = vs_pkg::OccRun;
              cw_vcpu_en = 1'b1; cw_vcpu = ev_vcpu[11:0];
              cw_slice_en = 1'b1;
              push1 = 1'b1;
              push1_data = mk_dec(vs_pkg::DecRun, 8'h01, ev_vcpu, ev_seq, ev_core, 8'd0,
                                  16'd0, 32'd0);
            end
            vs_pkg::EvTick: begin
              cw_en = 1'b1;
              cw_util_en = 1'b1; cw_util = tk_util;
              cw_slice_en = 1'b1; cw_slice = tk_slice;
              push1 = 1'b1;
              if (cr_occ != vs_pkg::OccIdle) begin
                // debit (6.1) and cap charge (6.5) of u = vcpu[c], whole or shard
                cu_in = rd.credit; cu_sub = 1'b1; cu_amt = {3'd0, tk_prod[23:10]};
                vw_en = 1'b1;
                vw_addr = cr_vcpu;
                vw_credit = cu_out;
                vw_used = tk_used;
                if (tk_park) begin
                  // spec 7.5 TICK: over its cap, u loses core c (its core field stays c)
                  vw_state = vs_pkg::VstQueued;
                  cw_occ_en = 1'b1; cw_occ = vs_pkg::OccIdle;
                  push1_data = mk_dec(vs_pkg::DecPark, 8'h01, {4'd0, cr_vcpu}, ev_seq, ev_core,
                                      8'd0, 16'd0, 32'd0);
                end
              end
            end
            vs_pkg::EvProfile: begin
              vw_en = 1'b1;
              vw_blocks = ev_b8;
              vw_bcost = ev_c16;
              vw_erun = ev_d32[15:0];  // spec 7.5 PROFILE (1.1): expected run
              push1 = 1'b1;
            end
            vs_pkg::EvUtil: begin
              cw_en = 1'b1;
              cw_util_en = 1'b1; cw_util = ev_b8;
              cw_freq_en = 1'b1; cw_freq = ev_flags[1:0];
              push1 = 1'b1;
            end
            vs_pkg::EvShardDone: begin
              // spec 7.5 (1.1): the shard's core is free; v's state is untouched
              vw_en = 1'b1;
              vw_shards = rd.shards - 4'd1;
              cw_en = 1'b1;
              cw_occ_en = 1'b1; cw_occ = vs_pkg::OccIdle;
              push1 = 1'b1;
            end
            vs_pkg::EvAccount: begin
              // entry 0 was read at ACCEPT (the vcpu field is 0); sweep the rest
              cu_in = rd.credit; cu_sub = 1'b0; cu_amt = {1'b0, {8'd0, rd.weight} * {8'd0, cfg_refill_q}};
              vw_en = 1'b1;
              vw_addr = 12'd0;
              vw_credit = cu_out;
              vw_used = 16'd0;  // spec 6.5
              push1 = 1'b1;
              if (NVcpus > 1) begin
                pre_req_d = 1'b0;
                idx_d = 12'd1;
                ram_raddr = 12'd1;
                state_d = vs_pkg::StAcct;
              end
            end
            vs_pkg::EvConfig: begin
              ev_cfg_we = 1'b1;
              push1 = 1'b1;
            end
            vs_pkg::EvCoreCfg: begin
              cw_en = 1'b1;
              cw_cfg_en = 1'b1;
              push1 = 1'b1;
            end
            vs_pkg::EvVcpuCfg: begin
              vw_en = 1'b1;
              vw_home = ev_b8[2:0];
              vw_weight = ev_c16[7:0];
              vw_cap = ev_d32[15:0];  // spec 6.5: used is kept
              push1 = 1'b1;
            end
            default: begin
              pre_req_d = 1'b0;  // unreachable: unknown types are E_BAD_TYPE
            end
          endcase
        end
      end

      // ---- VICT: rd = T[u]; candidate test, shard size, PREEMPT ---------------
      // spec 7.5 preemption: u QUEUED (its core field stays p); if K >= 1,
      // shards[u] = K, surcharge (6.4), blocks[u] = B - K*s.
      vs_pkg::StVict: begin
        inc_pre = 1'b1;
        push1 = 1'b1;
        push1_data = mk_dec(vs_pkg::DecPreempt, {6'd0, pcom_q, (sz_k == 4'd0)}, {4'd0, pu_q},
                            ev_seq, pp_q, {4'd0, sz_k}, {4'd0, pv_q}, 32'd0);
        vw_en = 1'b1;
        vw_addr = pu_q;
        vw_state = vs_pkg::VstQueued;
        cu_in = rd.credit; cu_sub = 1'b1;
        cu_amt = {5'd0, {8'd0, sz_k} * {4'd0, cfg_shcr_q}} + {9'd0, cfg_sycr_q};
        pu_home_d = rd.home;
        if (sz_k != 4'd0) begin
          vw_shards = sz_k;
          vw_credit = cu_out;
          vw_blocks = rd.blocks - sz_taken;
          pk_d = sz_k; psize_d = sz_size; pi_d = 4'd0; pfirst_d = 8'd0;
          state_d = vs_pkg::StShard;
        end else begin
          pre_req_d = 1'b1;
          state_d = vs_pkg::StIdle;
        end
      end

      // ---- SHARD: target t_i = argmin of the eligible cores, one per cycle ----
      vs_pkg::StShard: begin
        inc_shard = 1'b1;
        push1 = 1'b1;
        push1_data = mk_dec(vs_pkg::DecShard, {7'd0, sh_last}, {4'd0, pu_q}, ev_seq, st_idx,
                            {4'd0, pi_q}, {8'd0, pfirst_q}, {24'd0, psize_q});
        cw_en = 1'b1; cw_idx = st_idx; cw_need_idle = 1'b1;
        cw_occ_en = 1'b1; cw_occ = vs_pkg::OccShard;
        cw_vcpu_en = 1'b1; cw_vcpu = pu_q;
        cw_slice_en = 1'b1;
        pi_d = pi_q + 4'd1;
        pfirst_d = pfirst_q + psize_q;
        if (sh_last) begin
          pre_req_d = 1'b1;
          state_d = vs_pkg::StIdle;
        end
      end

      // ---- ACCT: refill (6.2) and cap reset (6.5), vCPU idx_q this cycle -----
      vs_pkg::StAcct: begin
        cu_in = rd.credit; cu_sub = 1'b0; cu_amt = {1'b0, {8'd0, rd.weight} * {8'd0, cfg_refill_q}};
        vw_en = 1'b1;
        vw_addr = idx_q;
        vw_credit = cu_out;
        vw_used = 16'd0;
        ram_raddr = idx_q + 12'd1;
        idx_d = idx_q + 12'd1;
        if (idx_q == LastVcpu) begin
          idx_d = 12'd0;
          pre_req_d = 1'b1;
          state_d = vs_pkg::StIdle;
        end
      end

      default: state_d = vs_pkg::StInit;
    endcase

    if (soft_rst) begin
      state_d = vs_pkg::StInit;
      idx_d = 12'd0;
      pre_req_d = 1'b0;
    end
  end

  // The entry written, assembled in one assignment (see vs_pkg::vcpu_t).
  assign vw_data = vw_init ? vs_pkg::VcpuReset
                           : {vw_state, vw_lat, vw_credit, vw_weight, vw_home, vw_blocks,
                              vw_bcost, vw_core, vw_shards, vw_erun, vw_cap, vw_used};
  assign ram_we    = vw_en;
  assign ram_waddr = vw_addr;
  assign ram_wdata = vw_data;

  // ==========================================================================
  // Core state and mirror next-state
  // ==========================================================================
  // Mirror write: every table write that leaves the entry RUNNING also writes
  // lat and credit of its core's mirror (so the mirror always equals the
  // table for occ = RUN cores).
  logic mw_en;
  logic [7:0] mw_idx;
  assign mw_en  = vw_en && (vw_state == vs_pkg::VstRunning) && !vw_init;
  assign mw_idx = vw_core;

  for (genvar c = 0; c < NCores; c++) begin : gen_core_next
    localparam logic [7:0] C8 = c[7:0];
    localparam logic [2:0] NodeRst = 3'd0;
    logic hit, mhit;
    assign hit  = cw_en && (cw_idx == C8);
    assign mhit = mw_en && (mw_idx == C8);
    assign c_node_d[c*3 +: 3]    = soft_rst ? NodeRst :
                                   (hit && cw_cfg_en) ? cw_node : c_node_q[c*3 +: 3];
    assign c_online_d[c]         = soft_rst ? 1'b1 :
                                   (hit && cw_cfg_en) ? cw_online : c_online_q[c];
    assign c_util_d[c*8 +: 8]    = soft_rst ? 8'd0 :
                                   (hit && cw_util_en) ? cw_util : c_util_q[c*8 +: 8];
    assign c_freq_d[c*2 +: 2]    = soft_rst ? 2'd3 :
                                   (hit && cw_freq_en) ? cw_freq : c_freq_q[c*2 +: 2];
    assign c_occ_d[c*2 +: 2]     = soft_rst ? vs_pkg::OccIdle :
                                   (hit && cw_occ_en) ? cw_occ : c_occ_q[c*2 +: 2];
    assign c_vcpu_d[c*12 +: 12]  = soft_rst ? 12'd0 :
                                   (hit && cw_vcpu_en) ? cw_vcpu : c_vcpu_q[c*12 +: 12];
    assign c_slice_d[c*16 +: 16] = soft_rst ? 16'd0 :
                                   (hit && cw_slice_en) ? cw_slice : c_slice_q[c*16 +: 16];
    assign m_lat_d[c]            = soft_rst ? 1'b0 : mhit ? vw_lat : m_lat_q[c];
    assign m_credit_d[c*16 +: 16] = soft_rst ? 16'd0 : mhit ? vw_credit : m_credit_q[c*16 +: 16];
  end

  // ==========================================================================
  // Prestaged table: recomputed from the registered searches (pre_go_q)
  // ==========================================================================
  for (genvar n = 0; n < NNodes; n++) begin : gen_pst
    logic [1:0]  kind;
    logic [7:0]  core;
    logic [11:0] vcpu;
    logic        changed;
    // spec 8 (1.1): near idle, near victim, far idle, far victim, none
    always_comb begin
      if (s_idle_v_q[n] && (s_idle_dist_q[n*8 +: 8] <= cfg_wdist_q)) begin
        kind = vs_pkg::PreIdle; core = s_idle_core_q[n*8 +: 8]; vcpu = 12'd0;
      end else if (s_vic_v_q[n] && !s_vic_far_q[n]) begin
        kind = vs_pkg::PrePreempt; core = s_vic_core_q[n*8 +: 8]; vcpu = s_vic_vcpu_q[n*12 +: 12];
      end else if (s_idle_v_q[n]) begin
        kind = vs_pkg::PreIdle; core = s_idle_core_q[n*8 +: 8]; vcpu = 12'd0;
      end else if (s_vic_v_q[n]) begin
        kind = vs_pkg::PrePreempt; core = s_vic_core_q[n*8 +: 8]; vcpu = s_vic_vcpu_q[n*12 +: 12];
      end else begin
        kind = vs_pkg::PreNone; core = 8'd0; vcpu = 12'd0;
      end
    end
    assign changed = (kind != pst_kind_q[n*2 +: 2]) || (core != pst_core_q[n*8 +: 8]) ||
                     (vcpu != pst_vcpu_q[n*12 +: 12]);
    assign pst_kind_d[n*2 +: 2]   = soft_rst ? vs_pkg::PreNone :
                                    pre_go_q ? kind : pst_kind_q[n*2 +: 2];
    assign pst_core_d[n*8 +: 8]   = soft_rst ? 8'd0 : pre_go_q ? core : pst_core_q[n*8 +: 8];
    assign pst_vcpu_d[n*12 +: 12] = soft_rst ? 12'd0 : pre_go_q ? vcpu : pst_vcpu_q[n*12 +: 12];
    assign pst_epoch_d[n*32 +: 32] = soft_rst ? 32'd0 :
                                     (pre_go_q && changed) ? pst_epoch_q[n*32 +: 32] + 32'd1 :
                                     pst_epoch_q[n*32 +: 32];
  end
  assign pre_go_d = pre_req_q && !soft_rst;
  for (genvar n = 0; n < NNodes; n++) begin : gen_pre_out
    assign pre_entry_o[n*32 +: 32] = {4'd0, pst_vcpu_q[n*12 +: 12], pst_core_q[n*8 +: 8], 6'd0, pst_kind_q[n*2 +: 2]};
  end
  assign pre_epoch_o = pst_epoch_q;

  // ==========================================================================
  // Decision FIFO and the streams
  // ==========================================================================
  vs_fifo #(.Width(128), .Depth(FifoDepth)) u_dec_fifo (
    .clk_i, .rst_ni,
    .clear_i(1'b0),
    .wr0_i(push0), .wdata0_i(push0_data),
    .wr1_i(push1), .wdata1_i(push1_data),
    .out_valid_o(m_axis_dec_tvalid_o), .out_data_o(m_axis_dec_tdata_o),
    .out_ready_i(m_axis_dec_tready_i),
    .free_o(fifo_free), .empty_o(fifo_empty)
  );
  assign m_axis_dec_tlast_o = m_axis_dec_tdata_o[8];

  // ==========================================================================
  // AXI4-Lite
  // ==========================================================================
  logic        aw_fire, ar_fire, wr_quiet_needed, core_quiet, wr_pend;
  logic [11:0] wa;
  logic [31:0] wd;
  logic        wa_cfg;
  logic [15:0] wa_key;
  logic [7:0]  cfg_axi_err;
  assign wa = s_axil_awaddr_i;
  assign wd = s_axil_wdata_i;
  assign wa_cfg = (wa[11:8] == 4'h1) || (wa[11:8] == 4'h2);
  assign wa_key = {8'd0, wa[9:2] - 8'h40};
  assign core_quiet = (state_q == vs_pkg::StIdle) && !pre_req_q && !pre_go_q;
  assign wr_pend = s_axil_awvalid_i && s_axil_wvalid_i && !bvalid_q;
  assign wr_quiet_needed = (wa[11:2] == vs_regs_pkg::CTRL_OFFSET[11:2] && wd[1]) ||
                           (wa_cfg && !enable_q);
  assign aw_fire = wr_pend && (!wr_quiet_needed || core_quiet);
  assign s_axil_awready_o = aw_fire;
  assign s_axil_wready_o  = aw_fire;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = 2'b00;
  assign bvalid_d = aw_fire ? 1'b1 : (s_axil_bready_i ? 1'b0 : bvalid_q);

  vs_cfg_check #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) u_cfg_check_axi (
    .key_i(wa_key), .value_i(wd), .err_o(cfg_axi_err)
  );

  logic        axi_cfg_we, axi_cfg_reject, axi_full;
  logic [7:0]  axi_reject_code;
  assign axi_full = (s_axil_wstrb_i == 4'hF);
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
  assign soft_rst = aw_fire && axi_full && (wa[11:2] == vs_regs_pkg::CTRL_OFFSET[11:2]) && wd[1];

  // ---- configuration next-state ---------------------------------------------
  logic        cfg_we;
  logic [15:0] cfg_key;
  logic [31:0] cfg_val;
  assign cfg_we  = ev_cfg_we || axi_cfg_we;
  assign cfg_key = ev_cfg_we ? ev_c16 : wa_key;
  assign cfg_val = ev_cfg_we ? ev_d32 : wd;

  always_comb begin
    cfg_slice_d = cfg_slice_q; cfg_cpm_d = cfg_cpm_q; cfg_cap_d = cfg_cap_q;
    cfg_refill_d = cfg_refill_q; cfg_boost_d = cfg_boost_q; cfg_ushift_d = cfg_ushift_q;
    cfg_wdist_d = cfg_wdist_q; cfg_vdist_d = cfg_vdist_q; cfg_vds_d = cfg_vds_q;
    cfg_vcs_d = cfg_vcs_q; cfg_vss_d = cfg_vss_q; cfg_shen_d = cfg_shen_q;
    cfg_maxsh_d = cfg_maxsh_q; cfg_smc_d = cfg_smc_q; cfg_sutil_d = cfg_sutil_q;
    cfg_sfreq_d = cfg_sfreq_q; cfg_sdist_d = cfg_sdist_q; cfg_lhc_d = cfg_lhc_q;
    cfg_kul_d = cfg_kul_q; cfg_sync_d = cfg_sync_q; cfg_shcr_d = cfg_shcr_q;
    cfg_sycr_d = cfg_sycr_q; cfg_numa_d = cfg_numa_q;
    if (cfg_we) begin
      if (cfg_key[15:6] == 10'd1) begin
        for (int i = 0; i < NNodes; i++) begin
          for (int j = 0; j < NNodes; j++) begin
            if (cfg_key[5:3] == i[2:0] && cfg_key[2:0] == j[2:0]) begin
              cfg_numa_d[(i*NNodes+j)*8 +: 8] = cfg_val[7:0];
            end
          end
        end
      end else begin
        case (cfg_key[4:0])
          5'h00: cfg_slice_d  = cfg_val[15:0];
          5'h01: cfg_cpm_d    = cfg_val[7:0];
          5'h02: cfg_cap_d    = cfg_val[14:0];
          5'h03: cfg_refill_d = cfg_val[7:0];
          5'h04: cfg_boost_d  = cfg_val[14:0];
          5'h05: cfg_ushift_d = cfg_val[2:0];
          5'h06: cfg_wdist_d  = cfg_val[7:0];
          5'h07: cfg_vdist_d  = cfg_val[7:0];
          5'h08: cfg_vds_d    = cfg_val[2:0];
          5'h09: cfg_vcs_d    = cfg_val[3:0];
          5'h0A: cfg_vss_d    = cfg_val[3:0];
          5'h0B: cfg_shen_d   = cfg_val[0];
          5'h0C: cfg_maxsh_d  = cfg_val[3:0];
          5'h0D: cfg_smc_d    = cfg_val[15:0];
          5'h0E: cfg_sutil_d  = cfg_val[7:0];
          5'h0F: cfg_sfreq_d  = cfg_val[1:0];
          5'h10: cfg_sdist_d  = cfg_val[7:0];
          5'h11: cfg_lhc_d    = cfg_val[8:0];
          5'h12: cfg_kul_d    = cfg_val[3:0];
          5'h13: cfg_sync_d   = cfg_val[15:0];
          5'h14: cfg_shcr_d   = cfg_val[7:0];
          5'h15: cfg_sycr_d   = cfg_val[7:0];
          default: ;
        endcase
      end
    end
    if (soft_rst) begin
      cfg_slice_d = 16'd30000; cfg_cpm_d = 8'd10; cfg_cap_d = 15'd600; cfg_refill_d = 8'd19;
      cfg_boost_d = 15'd100; cfg_ushift_d = 3'd2; cfg_wdist_d = 8'd10; cfg_vdist_d = 8'd20;
      cfg_vds_d = 3'd6; cfg_vcs_d = 4'd0; cfg_vss_d = 4'd5; cfg_shen_d = 1'b1;
      cfg_maxsh_d = MaxShardsRst; cfg_smc_d = 16'hFED4;  // -300
      cfg_sutil_d = 8'd192; cfg_sfreq_d = 2'd0; cfg_sdist_d = 8'd20; cfg_lhc_d = LoadHotRst9;
      cfg_kul_d = 4'd2; cfg_sync_d = 16'd50; cfg_shcr_d = 8'd4; cfg_sycr_d = 8'd2;
      cfg_numa_d = NumaRst;
    end
  end

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
      if (wa[11:2] == vs_regs_pkg::CTRL_OFFSET[11:2]) enable_d = wd[0];
      if (wa[11:2] == vs_regs_pkg::SCRATCH_OFFSET[11:2]) scratch_d = wd;
      if (wa[11:2] == vs_regs_pkg::ERR_STICKY_OFFSET[11:2]) sticky_d = sticky_d & ~wd;
      for (int r = 0; r < 13; r++) begin
        if (wa[11:2] == (vs_regs_pkg::EVQ_BASE_LO_OFFSET[11:2] + r[9:0])) begin
          ring_d[r*32 +: 32] = wd & RingMask[r*32 +: 32];
        end
      end
    end
    if (axi_cfg_reject) sticky_d[axi_reject_code[4:0]] = 1'b1;
    if (err_fire) begin
      sticky_d[exec_err[4:0]] = 1'b1;
      last_seq_d = ev_seq;
      last_code_d = exec_err;
    end
    // SOFT_RESET (regs/vshard_regs.json): ERR_STICKY and LAST_ERR_* go back to
    // reset; ring registers and SCRATCH keep their values, and CTRL.ENABLE
    // takes the bit written with SOFT_RESET like any CTRL write.
    if (soft_rst) begin
      sticky_d = 32'd0;
      last_seq_d = 32'd0;
      last_code_d = 8'd0;
    end
  end

  assign accept = (state_q == vs_pkg::StIdle) && enable_q && (fifo_free >= MaxDecF) &&
                  !(wr_pend && wr_quiet_needed);
  assign s_axis_evt_tready_o = accept;

  always_comb begin
    cnt_ev_d  = cnt_ev_q + {31'd0, accept && s_axis_evt_tvalid_i};
    cnt_dec_d = cnt_dec_q + {31'd0, m_axis_dec_tvalid_o && m_axis_dec_tready_i};
    cnt_err_d = cnt_err_q + {31'd0, err_fire};
    cnt_pre_d = cnt_pre_q + {31'd0, inc_pre};
    cnt_sh_d  = cnt_sh_q + {31'd0, inc_shard};
    cnt_com_d = cnt_com_q + {31'd0, inc_com};
    cnt_abt_d = cnt_abt_q + {31'd0, inc_abt};
    if (soft_rst) begin
      cnt_ev_d = 32'd0; cnt_dec_d = 32'd0; cnt_err_d = 32'd0; cnt_pre_d = 32'd0;
      cnt_sh_d = 32'd0; cnt_com_d = 32'd0; cnt_abt_d = 32'd0;
    end
  end

  // ---- register reads ----------------------------------------------------------
  logic [31:0] rd_val;
  logic [11:0] ra;
  assign ra = s_axil_araddr_i;
  always_comb begin
    rd_val = 32'd0;
    if (ra[11:8] == 4'h1 || ra[11:8] == 4'h2) begin
      // configuration: key = (addr - 0x100) / 4
      if (ra[11:8] == 4'h2) begin
        for (int i = 0; i < NNodes; i++) begin
          for (int j = 0; j < NNodes; j++) begin
            if (ra[7:5] == i[2:0] && ra[4:2] == j[2:0]) begin
              rd_val = {24'd0, cfg_numa_q[(i*NNodes+j)*8 +: 8]};
            end
          end
        end
      end else begin
        case (ra[7:2])
          6'h00: rd_val = {16'd0, cfg_slice_q};
          6'h01: rd_val = {24'd0, cfg_cpm_q};
          6'h02: rd_val = {17'd0, cfg_cap_q};
          6'h03: rd_val = {24'd0, cfg_refill_q};
          6'h04: rd_val = {17'd0, cfg_boost_q};
          6'h05: rd_val = {29'd0, cfg_ushift_q};
          6'h06: rd_val = {24'd0, cfg_wdist_q};
          6'h07: rd_val = {24'd0, cfg_vdist_q};
          6'h08: rd_val = {29'd0, cfg_vds_q};
          6'h09: rd_val = {28'd0, cfg_vcs_q};
          6'h0A: rd_val = {28'd0, cfg_vss_q};
          6'h0B: rd_val = {31'd0, cfg_shen_q};
          6'h0C: rd_val = {28'd0, cfg_maxsh_q};
          6'h0D: rd_val = {{16{cfg_smc_q[15]}}, cfg_smc_q};
          6'h0E: rd_val = {24'd0, cfg_sutil_q};
          6'h0F: rd_val = {30'd0, cfg_sfreq_q};
          6'h10: rd_val = {24'd0, cfg_sdist_q};
          6'h11: rd_val = {23'd0, cfg_lhc_q};
          6'h12: rd_val = {28'd0, cfg_kul_q};
          6'h13: rd_val = {16'd0, cfg_sync_q};
          6'h14: rd_val = {24'd0, cfg_shcr_q};
          6'h15: rd_val = {24'd0, cfg_sycr_q};
          default: rd_val = 32'd0;
        endcase
      end
    end else if (ra[11:10] == 2'b01) begin
      // prestage: 0x400 + 8n entry, +4 epoch
      for (int n = 0; n < NNodes; n++) begin
        if (ra[9:3] == n[6:0]) begin
          rd_val = ra[2] ? pst_epoch_q[n*32 +: 32]
                         : {4'd0, pst_vcpu_q[n*12 +: 12], pst_core_q[n*8 +: 8], 6'd0,
                            pst_kind_q[n*2 +: 2]};
        end
      end
    end else begin
      case ({ra[11:2], 2'b00})
        vs_regs_pkg::MAGIC_OFFSET:         rd_val = vs_regs_pkg::MAGIC_VALUE;
        vs_regs_pkg::VERSION_OFFSET:       rd_val = vs_regs_pkg::VERSION_VALUE;
        vs_regs_pkg::NCORES_OFFSET:        rd_val = NCores;
        vs_regs_pkg::NVCPUS_OFFSET:        rd_val = NVcpus;
        vs_regs_pkg::NNODES_OFFSET:        rd_val = NNodes;
        vs_regs_pkg::MAX_SHARDS_OFFSET:    rd_val = MaxShards;
        vs_regs_pkg::DESC_BYTES_OFFSET:    rd_val = 32'd16;
        vs_regs_pkg::CTRL_OFFSET:          rd_val = {31'd0, enable_q};
        vs_regs_pkg::STATUS_OFFSET:        rd_val = {29'd0, enable_q, (sticky_q != 32'd0), idle_o};
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

  assign ar_fire = s_axil_arvalid_i && !rvalid_q;
  assign s_axil_arready_o = !rvalid_q;
  assign rvalid_d = ar_fire ? 1'b1 : (s_axil_rready_i ? 1'b0 : rvalid_q);
  assign rdata_d  = ar_fire ? rd_val : rdata_q;
  assign s_axil_rvalid_o = rvalid_q;
  assign s_axil_rdata_o  = rdata_q;
  assign s_axil_rresp_o  = 2'b00;

  assign idle_o = (state_q == vs_pkg::StIdle) && !pre_req_q && !pre_go_q && fifo_empty;

  // Bits not every parameter set needs (upper address bits, byte offsets).
  logic unused_bits;
  assign unused_bits = ^{ram_raddr, ram_waddr, wa[1:0], ra[1:0], axi_reject_code[7:5],
                         cfg_val[31:16]};

  // ==========================================================================
  // Registers
  // ==========================================================================
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c_node_q   <= '0;
      c_online_q <= '1;
      c_util_q   <= '0;
      c_freq_q   <= '1;
      c_occ_q    <= '0;
      c_vcpu_q   <= '0;
      c_slice_q  <= '0;
      m_lat_q    <= '0;
      m_credit_q <= '0;
    end else begin
      c_node_q   <= c_node_d;
      c_online_q <= c_online_d;
      c_util_q   <= c_util_d;
      c_freq_q   <= c_freq_d;
      c_occ_q    <= c_occ_d;
      c_vcpu_q   <= c_vcpu_d;
      c_slice_q  <= c_slice_d;
      m_lat_q    <= m_lat_d;
      m_credit_q <= m_credit_d;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cfg_slice_q  <= 16'd30000;
      cfg_cpm_q    <= 8'd10;
      cfg_cap_q    <= 15'd600;
      cfg_refill_q <= 8'd19;
      cfg_boost_q  <= 15'd100;
      cfg_ushift_q <= 3'd2;
      cfg_wdist_q  <= 8'd10;
      cfg_vdist_q  <= 8'd20;
      cfg_vds_q    <= 3'd6;
      cfg_vcs_q    <= 4'd0;
      cfg_vss_q    <= 4'd5;
      cfg_shen_q   <= 1'b1;
      cfg_maxsh_q  <= MaxShardsRst;
      cfg_smc_q    <= 16'hFED4;  // -300
      cfg_sutil_q  <= 8'd192;
      cfg_sfreq_q  <= 2'd0;
      cfg_sdist_q  <= 8'd20;
      cfg_lhc_q    <= LoadHotRst9;
      cfg_kul_q    <= 4'd2;
      cfg_sync_q   <= 16'd50;
      cfg_shcr_q   <= 8'd4;
      cfg_sycr_q   <= 8'd2;
      cfg_numa_q   <= NumaRst;
    end else begin
      cfg_slice_q  <= cfg_slice_d;
      cfg_cpm_q    <= cfg_cpm_d;
      cfg_cap_q    <= cfg_cap_d;
      cfg_refill_q <= cfg_refill_d;
      cfg_boost_q  <= cfg_boost_d;
      cfg_ushift_q <= cfg_ushift_d;
      cfg_wdist_q  <= cfg_wdist_d;
      cfg_vdist_q  <= cfg_vdist_d;
      cfg_vds_q    <= cfg_vds_d;
      cfg_vcs_q    <= cfg_vcs_d;
      cfg_vss_q    <= cfg_vss_d;
      cfg_shen_q   <= cfg_shen_d;
      cfg_maxsh_q  <= cfg_maxsh_d;
      cfg_smc_q    <= cfg_smc_d;
      cfg_sutil_q  <= cfg_sutil_d;
      cfg_sfreq_q  <= cfg_sfreq_d;
      cfg_sdist_q  <= cfg_sdist_d;
      cfg_lhc_q    <= cfg_lhc_d;
      cfg_kul_q    <= cfg_kul_d;
      cfg_sync_q   <= cfg_sync_d;
      cfg_shcr_q   <= cfg_shcr_d;
      cfg_sycr_q   <= cfg_sycr_d;
      cfg_numa_q   <= cfg_numa_d;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pst_kind_q    <= '0;
      pst_core_q    <= '0;
      pst_vcpu_q    <= '0;
      pst_epoch_q   <= '0;
      pre_req_q     <= 1'b0;
      pre_go_q      <= 1'b0;
      s_idle_v_q    <= '0;
      s_idle_core_q <= '0;
      s_idle_dist_q <= '0;
      s_vic_v_q     <= '0;
      s_vic_far_q   <= '0;
      s_vic_core_q  <= '0;
      s_vic_vcpu_q  <= '0;
    end else begin
      pst_kind_q    <= pst_kind_d;
      pst_core_q    <= pst_core_d;
      pst_vcpu_q    <= pst_vcpu_d;
      pst_epoch_q   <= pst_epoch_d;
      pre_req_q     <= pre_req_d;
      pre_go_q      <= pre_go_d;
      s_idle_v_q    <= s_idle_v_d;
      s_idle_core_q <= s_idle_core_d;
      s_idle_dist_q <= s_idle_dist_d;
      s_vic_v_q     <= s_vic_v_d;
      s_vic_far_q   <= s_vic_far_d;
      s_vic_core_q  <= s_vic_core_d;
      s_vic_vcpu_q  <= s_vic_vcpu_d;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= vs_pkg::StInit;
      ev_q        <= '0;
      idx_q       <= '0;
      pv_q        <= '0;
      pv_erun_q   <= '0;
      pp_q        <= '0;
      pu_q        <= '0;
      pcom_q      <= 1'b0;
      pu_home_q   <= '0;
      pk_q        <= '0;
      psize_q     <= '0;
      pi_q        <= '0;
      pfirst_q    <= '0;
    end else begin
      state_q     <= state_d;
      ev_q        <= ev_d;
      idx_q       <= idx_d;
      pv_q        <= pv_d;
      pv_erun_q   <= pv_erun_d;
      pp_q        <= pp_d;
      pu_q        <= pu_d;
      pcom_q      <= pcom_d;
      pu_home_q   <= pu_home_d;
      pk_q        <= pk_d;
      psize_q     <= psize_d;
      pi_q        <= pi_d;
      pfirst_q    <= pfirst_d;
    end
  end

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
      bvalid_q    <= 1'b0;
      rvalid_q    <= 1'b0;
      rdata_q     <= '0;
    end else begin
      enable_q    <= enable_d;
      sticky_q    <= sticky_d;
      last_seq_q  <= last_seq_d;
      last_code_q <= last_code_d;
      scratch_q   <= scratch_d;
      ring_q      <= ring_d;
      cnt_ev_q    <= cnt_ev_d;
      cnt_dec_q   <= cnt_dec_d;
      cnt_err_q   <= cnt_err_d;
      cnt_pre_q   <= cnt_pre_d;
      cnt_sh_q    <= cnt_sh_d;
      cnt_com_q   <= cnt_com_d;
      cnt_abt_q   <= cnt_abt_d;
      bvalid_q    <= bvalid_d;
      rvalid_q    <= rvalid_d;
      rdata_q     <= rdata_d;
    end
  end

  // ==========================================================================
  // Assertions (part 6): engine invariants, checked in every Verilator run
  // ==========================================================================
`ifndef SYNTHESIS
  logic [1:0]  as_occ;
  logic        as_online;
  always_comb begin
    as_occ = vs_pkg::OccIdle;
    as_online = 1'b0;
    for (int c = 0; c < NCores; c++) begin
      if (cw_idx == c[7:0]) begin
        as_occ = c_occ_q[c*2 +: 2];
        as_online = c_online_q[c];
      end
    end
  end

  always @(posedge clk_i) begin
    if (rst_ni) begin
      // Invariant 1: a core that is not idle is never the target of RUN/SHARD.
      if (cw_en && cw_need_idle) begin
        assert ({1'b0, cw_idx} < NCores9 && as_online && as_occ == vs_pkg::OccIdle)
          else $error("vs_top: core %0d given a vCPU while not idle (occ %0d, online %0d)",
                      cw_idx, as_occ, as_online);
      end
      // The victim entry read for a preemption: a non-latency vCPU that ran
      // on the victim core until EXEC (7.2).
      if (state_q == vs_pkg::StVict) begin
        assert (!rd.lat && rd.state == vs_pkg::VstRunning && rd.core == pp_q)
          else $error("vs_top: victim vCPU %0d read as lat %0d state %0d core %0d, not on core %0d",
                      pu_q, rd.lat, rd.state, rd.core, pp_q);
        // The 7.3 conditions vs_shard_size leaves out are implied by K >= 1.
        if (sz_k != 4'd0) begin
          assert (rd.blocks != 8'd0 && cnt_elig != 9'd0 &&
                  {8'd0, rd.blocks} * {8'd0, rd.bcost} >= {16'd0, cfg_sync_q} &&
                  sz_taken <= rd.blocks)
            else $error("vs_top: K = %0d for B = %0d, bcost = %0d, E = %0d", sz_k, rd.blocks,
                        rd.bcost, cnt_elig);
        end
      end
      // A shard target exists whenever a SHARD is emitted (E >= K).
      if (state_q == vs_pkg::StShard) begin
        assert (st_valid) else $error("vs_top: no shard-eligible core for shard %0d", pi_q);
      end
      // Invariant 3: every credit written lies in [-CREDIT_CAP, CREDIT_CAP] when
      // it was updated by the credit unit.
      if (vw_en && vw_data.credit == cu_out) begin
        assert ($signed(cu_out) <= $signed({1'b0, cfg_cap_q}) &&
                $signed(cu_out) >= -$signed({1'b0, cfg_cap_q}))
          else $error("vs_top: credit %0d outside [-%0d, %0d]", $signed(cu_out), cfg_cap_q,
                      cfg_cap_q);
      end
      // Invariant 4: placement decisions name valid ids (ACK/ERROR/ABORT echo the event).
      if (push1 && push1_data[7:0] inside {vs_pkg::DecRun, vs_pkg::DecPreempt,
                                           vs_pkg::DecShard, vs_pkg::DecQueued,
                                           vs_pkg::DecPark}) begin
        assert (push1_data[31:16] < NVcpus16 && {1'b0, push1_data[71:64]} < NCores9)
          else $error("vs_top: decision type %0d names vcpu %0d core %0d out of range",
                      push1_data[7:0], push1_data[31:16], push1_data[71:64]);
      end
      // The vCPU table is written only at valid ids.
      if (vw_en) begin
        assert ({4'd0, vw_addr} < NVcpus16) else $error("vs_top: vCPU write at %0d", vw_addr);
      end
      // The field offsets the formal block uses agree with vs_pkg::vcpu_t.
      assert (ram_rdata[vs_pkg::VcpuStateLsb +: 2] == rd.state &&
              ram_rdata[vs_pkg::VcpuCoreLsb +: 8] == rd.core &&
              ram_rdata[vs_pkg::VcpuShardsLsb +: 4] == rd.shards)
        else $error("vs_top: vs_pkg::Vcpu*Lsb do not match vs_pkg::vcpu_t");
    end
  end
`endif

`ifdef FORMAL
  // ==========================================================================
  // Formal invariants (tests/formal/vs_engine_ind_formal.sv proves them by
  // k-induction; docs/hardware.md section 6). Read only by Yosys with
  // -formal -DFORMAL: simulation and synthesis never see this block.
  // ==========================================================================
  logic [NVcpus*2-1:0] f_vst;     // state of each vCPU in the table
  logic [NVcpus*8-1:0] f_vcore;   // its core field
  logic [NVcpus*4-1:0] f_vsh;     // its shard count
  logic [NVcpus*9-1:0] f_nsh;     // cores holding one of its shards
  for (genvar v = 0; v < NVcpus; v++) begin : gen_f_vcpu
    assign f_vst[v*2 +: 2]   = f_mem[v*vs_pkg::VcpuW + vs_pkg::VcpuStateLsb +: 2];
    assign f_vcore[v*8 +: 8] = f_mem[v*vs_pkg::VcpuW + vs_pkg::VcpuCoreLsb +: 8];
    assign f_vsh[v*4 +: 4]   = f_mem[v*vs_pkg::VcpuW + vs_pkg::VcpuShardsLsb +: 4];
    always_comb begin
      f_nsh[v*9 +: 9] = 9'd0;
      for (int c = 0; c < NCores; c++) begin
        if (c_occ_q[c*2 +: 2] == vs_pkg::OccShard && c_vcpu_q[c*12 +: 12] == v)
          f_nsh[v*9 +: 9] = f_nsh[v*9 +: 9] + 9'd1;
      end
    end
  end

  // Table word at a (truncated) vCPU id, as the RAM addresses it.
  function automatic logic [vs_pkg::VcpuW-1:0] f_word(input logic [NVcpus*vs_pkg::VcpuW-1:0] m,
                                                      input logic [11:0] a);
    f_word = '0;
    for (int v = 0; v < NVcpus; v++) begin
      if (a[VA-1:0] == v[VA-1:0]) f_word = m[v*vs_pkg::VcpuW +: vs_pkg::VcpuW];
    end
  endfunction

  localparam logic [3:0] MaxShards4 = MaxShards[3:0];
  logic [11:0] f_exec_addr;   // the address read in the ACCEPT cycle
  assign f_exec_addr = (ev_type == vs_pkg::EvTick) ? cr_vcpu : ev_vcpu[11:0];
  logic f_vict, f_shard;
  assign f_vict  = (state_q == vs_pkg::StVict);
  assign f_shard = (state_q == vs_pkg::StShard);

  always_comb begin
    if (rst_ni) begin
      assert (state_q == vs_pkg::StInit || state_q == vs_pkg::StIdle ||
              state_q == vs_pkg::StExec || state_q == vs_pkg::StVict ||
              state_q == vs_pkg::StShard || state_q == vs_pkg::StAcct);

      // ---- the property (spec 10.1): a placement only claims an idle core --
      if (cw_en && cw_need_idle) begin
        assert ({1'b0, cw_idx} < NCores9);
        for (int c = 0; c < NCores; c++) begin
          if (cw_idx == c[7:0]) assert (c_online_q[c] && c_occ_q[c*2 +: 2] == vs_pkg::OccIdle);
        end
      end
      // ---- spec 10.6: no placement (RUN, the preemptor) names a parked vCPU
      if (state_q == vs_pkg::StExec && cw_en && cw_occ_en && cw_occ == vs_pkg::OccRun)
        assert (!rd_parked);

      // ---- cores -> table ------------------------------------------------
      for (int c = 0; c < NCores; c++) begin
        assert (c_occ_q[c*2 +: 2] != 2'd3);
        if (state_q == vs_pkg::StInit) begin
          assert (c_occ_q[c*2 +: 2] == vs_pkg::OccIdle);
        end else if (c_occ_q[c*2 +: 2] != vs_pkg::OccIdle) begin
          assert (c_online_q[c] && {4'd0, c_vcpu_q[c*12 +: 12]} < NVcpus16);
          // core c runs v whole => v runs on c (spec 10.2); a shard core
          // says nothing about its vCPU's own state (1.1)
          for (int v = 0; v < NVcpus; v++) begin
            if (c_vcpu_q[c*12 +: 12] == v[11:0] && c_occ_q[c*2 +: 2] == vs_pkg::OccRun)
              assert (f_vst[v*2 +: 2] == vs_pkg::VstRunning && f_vcore[v*8 +: 8] == c[7:0]);
          end
        end
        // no two cores run the same vCPU whole
        for (int d = 0; d < NCores; d++) begin
          if (d > c && c_occ_q[c*2 +: 2] == vs_pkg::OccRun && c_occ_q[d*2 +: 2] == vs_pkg::OccRun)
            assert (c_vcpu_q[c*12 +: 12] != c_vcpu_q[d*12 +: 12]);
        end
      end

      // ---- table -> cores -------------------------------------------------
      for (int v = 0; v < NVcpus; v++) begin
        if (state_q == vs_pkg::StInit) begin
          if (v[11:0] < idx_q)
            assert (f_vst[v*2 +: 2] == vs_pkg::VstBlocked && f_vsh[v*4 +: 4] == 4'd0);
        end else begin
          // 1.1: the 1.0 SHARDED encoding is never written
          assert (f_vst[v*2 +: 2] != 2'd3);
          // v runs => its core runs it (the victim between EXEC and VICT excepted)
          if (f_vst[v*2 +: 2] == vs_pkg::VstRunning && !(f_vict && pu_q == v[11:0])) begin
            assert ({1'b0, f_vcore[v*8 +: 8]} < NCores9);
            for (int c = 0; c < NCores; c++) begin
              if (f_vcore[v*8 +: 8] == c[7:0])
                assert (c_occ_q[c*2 +: 2] == vs_pkg::OccRun && c_vcpu_q[c*12 +: 12] == v[11:0]);
            end
          end
          // spec 10.2: shards[v] <= MaxShards and exactly shards[v] cores hold
          // a shard of v, whatever v's state (while SHARD hands them out:
          // the shard index)
          assert (f_vsh[v*4 +: 4] <= MaxShards4);
          if (f_shard && pu_q == v[11:0]) assert (f_nsh[v*9 +: 9] == {5'd0, pi_q});
          else assert (f_nsh[v*9 +: 9] == {5'd0, f_vsh[v*4 +: 4]});
        end
      end

      // ---- the event in flight -------------------------------------------
      if (state_q == vs_pkg::StInit) assert (idx_q <= LastVcpu);
      if (state_q == vs_pkg::StExec) begin
        // the entry read at ACCEPT is the table's; the registered searches
        // name a core that is still idle / still runs a non-latency vCPU
        assert (rd == f_word(f_mem, f_exec_addr));
        for (int n = 0; n < NNodes; n++) begin
          if (s_idle_v_q[n]) begin
            assert ({1'b0, s_idle_core_q[n*8 +: 8]} < NCores9);
            for (int c = 0; c < NCores; c++) begin
              if (s_idle_core_q[n*8 +: 8] == c[7:0]) assert (k_idle[c]);
            end
          end
          if (s_vic_v_q[n]) begin
            assert ({1'b0, s_vic_core_q[n*8 +: 8]} < NCores9);
            for (int c = 0; c < NCores; c++) begin
              if (s_vic_core_q[n*8 +: 8] == c[7:0])
                assert (k_runv[c] && s_vic_vcpu_q[n*12 +: 12] == c_vcpu_q[c*12 +: 12]);
            end
          end
        end
      end
      if (state_q == vs_pkg::StAcct) begin
        assert (idx_q != 12'd0 && idx_q <= LastVcpu);
        assert (rd == f_word(f_mem, idx_q));
      end
      if (f_vict) begin
        // v took core p from u; rd is u's entry, which still says RUNNING on p
        assert ({1'b0, pp_q} < NCores9 && pu_q <= LastVcpu && pv_q <= LastVcpu && pu_q != pv_q);
        assert (rd == f_word(f_mem, pu_q));
        for (int c = 0; c < NCores; c++) begin
          if (pp_q == c[7:0]) assert (c_occ_q[c*2 +: 2] == vs_pkg::OccRun && c_vcpu_q[c*12 +: 12] == pv_q);
        end
        for (int v = 0; v < NVcpus; v++) begin
          if (pu_q == v[11:0]) assert (f_vst[v*2 +: 2] == vs_pkg::VstRunning && f_vcore[v*8 +: 8] == pp_q);
        end
      end
      if (f_shard) begin
        // shard pi_q of pk_q: enough eligible cores are left for the rest
        assert (pu_q <= LastVcpu && pk_q >= 4'd1 && pi_q < pk_q);
        assert (cnt_elig >= {5'd0, pk_q - pi_q});
        for (int v = 0; v < NVcpus; v++) begin
          if (pu_q == v[11:0]) assert (f_vsh[v*4 +: 4] == pk_q);
        end
      end
    end
  end
`endif

`ifdef VERILATOR
  // AXI-Stream: a decision offered and not taken stays, unchanged.
  property p_dec_stable;
    @(posedge clk_i) disable iff (!rst_ni)
      (m_axis_dec_tvalid_o && !m_axis_dec_tready_i) |=>
        (m_axis_dec_tvalid_o && $stable(m_axis_dec_tdata_o));
  endproperty
  a_dec_stable: assert property (p_dec_stable)
    else $error("vs_top: m_axis_dec changed while valid && !ready");
  // AXI-Stream: the event source must obey the same rule.
  property p_evt_stable;
    @(posedge clk_i) disable iff (!rst_ni)
      (s_axis_evt_tvalid_i && !s_axis_evt_tready_o) |=>
        (s_axis_evt_tvalid_i && $stable(s_axis_evt_tdata_i));
  endproperty
  a_evt_stable: assert property (p_evt_stable)
    else $error("vs_top: s_axis_evt changed while valid && !ready (source protocol error)");
`endif

endmodule

