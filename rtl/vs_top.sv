// vs_top: the vShard decision engine (docs/spec.md v1.1), AXI-Stream
// variant. Events arrive as 128-bit descriptors on s_axis_evt, decisions
// leave on m_axis_dec (tlast = the decision's LAST flag), control and status
// over AXI4-Lite (register map: regs/vshard_regs.json, vs_regs_pkg).
//
// A thin top over cells with one job each (docs/rtl.md has the long version):
//   vs_regs        AXI4-Lite register block; configuration in vs_cfg_regs
//                  (generated from regs/vshard_regs.json), checks vs_cfg_check
//   vs_core_table  per-core state (spec 2.1) and the running vCPU's mirror
//   vs_vcpu_ram    the vCPU table (spec 2.2), 1R1W
//   vs_search      idle(n), victim(n) (7.1, 7.2; registered), shard target, E, H
//   vs_exec        the event FSM (7.5): checks (vs_event_check), credit
//                  (vs_credit), shard sizing (vs_shard_size), every write
//   vs_prestage    the prestaged table (spec 8)
//   vs_fifo        the decisions, so egress back-pressure only stalls vs_exec
// The engine invariants: immediate assertions in vs_exec (every Verilator
// run), the k-induction properties in vs_top_props.svh (formal only).
module vs_top #(
  /// Physical cores the engine schedules (1..256).
  parameter int NCores = 8,
  /// vCPUs (1..4096).
  parameter int NVcpus = 64,
  /// NUMA nodes (1..8).
  parameter int NNodes = 2,
  /// The most shards one preemption may create (2..8).
  parameter int MaxShards = 4,
  /// ACCOUNT's refill: 1 = lazy (the running vCPUs' mirrored credits,
  /// AcctLanes cores a cycle; every table word on read and by a background
  /// sweep; a second credit unit and AcctLanes more),
  /// 0 = eager (every vCPU in NVcpus cycles, the event credit unit; the
  /// iCE40 build, which has no room for the lazy one). docs/rtl.md.
  parameter bit LazyRefill = 1'b1,
  /// With LazyRefill: the credit units ACCOUNT refills the running vCPUs'
  /// mirrored credits with, so it holds the engine ceil(NCores/AcctLanes)
  /// cycles (1..256). docs/rtl.md.
  parameter int AcctLanes = 8,
  /// The WAKE overlap: 1 = a WAKE may be taken during the EXEC of the event
  /// before it, its placement reading the searches brought up to date with
  /// that event's core write (vs_forward); 0 = a WAKE waits for IDLE (the
  /// iCE40 build, which has no room for the forwarding). docs/rtl.md.
  parameter bit Forward = 1'b1,
  /// The rings block (0x080-0x0BF): 1 = plain read/write storage, for a DMA
  /// front-end or the host to use; 0 = reads 0, writes ignored (the iCE40
  /// build: no DMA, and no room for 362 unused flip-flops). docs/hardware.md.
  parameter bit RingRegs = 1'b1
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
  if (AcctLanes < 1 || AcctLanes > 256) begin : gen_bad_acctlanes
    $error("vs_top: AcctLanes must be in 1..256");
  end

  localparam int VA        = (NVcpus > 1) ? $clog2(NVcpus) : 1;  // RAM address bits
  localparam int MaxDec    = 2 + MaxShards;                       // decisions per event
  // Decision FIFO: the smallest power of two that holds one event's worst
  // case (4, 8 or 16 entries for MaxShards 2, 3..6, 7..8), so small builds
  // (the iCE40 board) do not pay for 16 x 128 flops.
  localparam int FifoAW    = $clog2(MaxDec);
  localparam int FifoDepth = 1 << FifoAW;                         // >= MaxDec

  // ==========================================================================
  // Register block and configuration
  // ==========================================================================
  vs_regs_pkg::cfg_t          cfg;
  logic [NNodes*NNodes*8-1:0] numa_dist;
  logic                       enable, soft_rst, hold, engine_quiet;
  // vs_exec -> vs_regs
  logic        config_we, error, count_preempt, count_shard, count_commit, count_abort;
  logic [15:0] config_key;
  logic [31:0] config_value, error_seq;
  logic [7:0]  error_code;
  // the prestaged table
  logic [NNodes*2-1:0]  pst_kind, pst_kind_d;
  logic [NNodes*8-1:0]  pst_core, pst_core_d;
  logic [NNodes*12-1:0] pst_vcpu;
  logic [NNodes*32-1:0] pst_epoch, pst_epoch_d;
  logic                 prestage_update, prestage_busy;
  vs_pkg::state_e       state;

  vs_regs #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards), .RingRegs(RingRegs)) u_regs (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i, .s_axil_awvalid_i, .s_axil_awready_o, .s_axil_wdata_i, .s_axil_wstrb_i,
    .s_axil_wvalid_i, .s_axil_wready_o, .s_axil_bresp_o, .s_axil_bvalid_o, .s_axil_bready_i,
    .s_axil_araddr_i, .s_axil_arvalid_i, .s_axil_arready_o, .s_axil_rdata_o, .s_axil_rresp_o,
    .s_axil_rvalid_o, .s_axil_rready_i,
    .engine_quiet_i(engine_quiet), .idle_i(idle_o),
    .config_we_i(config_we), .config_key_i(config_key), .config_value_i(config_value),
    .error_i(error), .error_code_i(error_code), .error_seq_i(error_seq),
    .event_accepted_i(s_axis_evt_tvalid_i && s_axis_evt_tready_o),
    .decision_taken_i(m_axis_dec_tvalid_o && m_axis_dec_tready_i),
    .count_preempt_i(count_preempt), .count_shard_i(count_shard), .count_commit_i(count_commit),
    .count_abort_i(count_abort),
    .prestage_kind_i(pst_kind), .prestage_core_i(pst_core), .prestage_vcpu_i(pst_vcpu),
    .prestage_epoch_i(pst_epoch),
    .cfg_o(cfg), .numa_dist_o(numa_dist), .enable_o(enable), .soft_rst_o(soft_rst), .hold_o(hold)
  );

  // ==========================================================================
  // State: the vCPU table (RAM) and the core table (flops)
  // ==========================================================================
  logic [11:0]   ram_raddr, ram_waddr;
  logic          ram_we;
  vs_pkg::vcpu_t ram_rdata, ram_wdata, entry;  // entry: as vs_exec sees it (forwarded)
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

  vs_pkg::core_write_t  core_write;
  vs_pkg::mirror_write_t mirror;
  logic [7:0]           refill_group;
  logic                 refill_en;
  logic [NCores*3-1:0]  core_node, core_home;
  logic [NCores-1:0]    core_online, core_lat;
  logic [NCores*8-1:0]  core_util, core_weight;
  logic [NCores*2-1:0]  core_freq, core_occ;
  logic [NCores*12-1:0] core_vcpu;
  logic [NCores*16-1:0] core_slice, core_credit;
  logic [7:0]           read_core, read_util, peek_core;
  logic                 read_online;
  logic [1:0]           read_occ;
  logic [11:0]          read_vcpu, peek_vcpu;
  logic [15:0]          read_slice;
  vs_core_table #(.NCores(NCores), .AcctLanes(AcctLanes)) u_core_table (
    .clk_i, .rst_ni, .soft_rst_i(soft_rst), .wr_i(core_write),
    .mirror_i(mirror), .refill_en_i(refill_en), .refill_group_i(refill_group), .credit_cap_i(cfg.credit_cap),
    .refill_per_weight_i(cfg.refill_per_weight),
    .node_o(core_node), .online_o(core_online), .util_o(core_util), .freq_o(core_freq),
    .occ_o(core_occ), .vcpu_o(core_vcpu), .slice_o(core_slice), .lat_o(core_lat),
    .credit_o(core_credit), .weight_o(core_weight), .home_o(core_home),
    .read_core_i(read_core), .read_online_o(read_online), .read_util_o(read_util),
    .read_occ_o(read_occ), .read_vcpu_o(read_vcpu), .read_slice_o(read_slice),
    .peek_core_i(peek_core), .peek_vcpu_o(peek_vcpu)
  );

  // ==========================================================================
  // Searches and the prestaged table
  // ==========================================================================
  logic [NNodes-1:0]    idle_valid, victim_valid, victim_far;
  logic [NNodes*8-1:0]  idle_core, idle_dist, victim_core_n;
  logic [NNodes*12-1:0] victim_vcpu_n;
  logic [NNodes-1:0]    fwd_idle_valid, fwd_victim_valid, fwd_victim_far, fwd_stale;
  logic [NNodes*8-1:0]  fwd_idle_core, fwd_idle_dist, fwd_victim_core;
  logic [NNodes*12-1:0] fwd_victim_vcpu;
  logic                 shard_valid;
  logic [7:0]           shard_target;
  logic [8:0]           eligible, hot;
  logic [2:0]           shard_home;
  logic [NCores-1:0]    core_idle, core_victimable;
  vs_search #(.NCores(NCores), .NNodes(NNodes), .Forward(Forward)) u_search (
    .clk_i, .rst_ni, .cfg_i(cfg), .numa_dist_i(numa_dist),
    .node_i(core_node), .online_i(core_online), .util_i(core_util), .freq_i(core_freq),
    .occ_i(core_occ), .vcpu_i(core_vcpu), .slice_i(core_slice), .lat_i(core_lat),
    .credit_i(core_credit), .shard_home_i(shard_home),
    .idle_valid_o(idle_valid), .idle_core_o(idle_core), .idle_dist_o(idle_dist),
    .victim_valid_o(victim_valid), .victim_far_o(victim_far), .victim_core_o(victim_core_n),
    .victim_vcpu_o(victim_vcpu_n),
    .core_we_i(core_write.en), .core_wr_i(core_write.core), .mirror_we_i(mirror.en), .mirror_wr_i(mirror.core),
    .config_we_i(config_we || refill_en),  // ACCT: several credits at once
    .fwd_idle_valid_o(fwd_idle_valid), .fwd_idle_core_o(fwd_idle_core), .fwd_idle_dist_o(fwd_idle_dist),
    .fwd_victim_valid_o(fwd_victim_valid), .fwd_victim_far_o(fwd_victim_far),
    .fwd_victim_core_o(fwd_victim_core), .fwd_victim_vcpu_o(fwd_victim_vcpu), .fwd_stale_o(fwd_stale),
    .shard_valid_o(shard_valid), .shard_core_o(shard_target), .eligible_o(eligible), .hot_o(hot),
    .idle_o(core_idle), .victimable_o(core_victimable)
  );

  logic [NNodes*2-1:0]  pst_kind_f;
  logic [NNodes*8-1:0]  pst_core_f;
  logic [NNodes*32-1:0] pst_epoch_f;
  vs_prestage #(.NNodes(NNodes), .Forward(Forward)) u_prestage (
    .clk_i, .rst_ni, .soft_rst_i(soft_rst), .update_i(prestage_update),
    .wake_max_dist_i(cfg.wake_max_dist),
    .idle_valid_i(idle_valid), .idle_core_i(idle_core), .idle_dist_i(idle_dist),
    .victim_valid_i(victim_valid), .victim_far_i(victim_far), .victim_core_i(victim_core_n),
    .victim_vcpu_i(victim_vcpu_n),
    .busy_o(prestage_busy), .kind_o(pst_kind), .core_o(pst_core), .vcpu_o(pst_vcpu),
    .epoch_o(pst_epoch), .kind_d_o(pst_kind_d), .core_d_o(pst_core_d), .epoch_d_o(pst_epoch_d),
    .fwd_idle_valid_i(fwd_idle_valid), .fwd_idle_core_i(fwd_idle_core), .fwd_idle_dist_i(fwd_idle_dist),
    .fwd_victim_valid_i(fwd_victim_valid), .fwd_victim_far_i(fwd_victim_far),
    .fwd_victim_core_i(fwd_victim_core), .fwd_victim_vcpu_i(fwd_victim_vcpu),
    .kind_f_o(pst_kind_f), .core_f_o(pst_core_f), .epoch_f_o(pst_epoch_f)
  );
  logic unused_pst_d;  // the next table: vs_exec reads the forwarded one
  assign unused_pst_d = ^{pst_kind_d, pst_core_d, pst_epoch_d};
  for (genvar n = 0; n < NNodes; n++) begin : gen_pre_out
    assign pre_entry_o[n*32 +: 32] = {4'd0, pst_vcpu[n*12 +: 12], pst_core[n*8 +: 8], 6'd0,
                                      pst_kind[n*2 +: 2]};
  end
  assign pre_epoch_o = pst_epoch;

  // ==========================================================================
  // The event FSM and the decision FIFO
  // ==========================================================================
  logic            push0, push1, fifo_empty;
  logic [127:0]    push0_data, push1_data;
  logic [FifoAW:0] fifo_free;
  logic [127:0]    ev_q;
  logic [11:0]     sweep_index, preemptor, victim, read_addr;
  logic            bg_wb, round_busy;
  logic [7:0]      victim_core;
  logic [3:0]      shard_count, shard_index;
  logic            parked;
  vs_exec #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards),
            .FifoAW(FifoAW), .LazyRefill(LazyRefill), .AcctLanes(AcctLanes), .WakeOverlap(Forward)) u_exec (
    .clk_i, .rst_ni, .soft_rst_i(soft_rst), .cfg_i(cfg), .enable_i(enable), .hold_i(hold),
    .fifo_free_i(fifo_free),
    .evt_tdata_i(s_axis_evt_tdata_i), .evt_tvalid_i(s_axis_evt_tvalid_i),
    .evt_tready_o(s_axis_evt_tready_o),
    .ram_raddr_o(ram_raddr), .entry_i(ram_rdata), .entry_o(entry), .ram_we_o(ram_we), .ram_waddr_o(ram_waddr),
    .ram_wdata_o(ram_wdata),
    .read_core_o(read_core), .cr_online_i(read_online), .cr_util_i(read_util),
    .cr_occ_i(read_occ), .cr_vcpu_i(read_vcpu), .cr_slice_i(read_slice),
    .peek_core_o(peek_core), .peek_vcpu_i(peek_vcpu), .core_write_o(core_write), .mirror_o(mirror),
    .refill_en_o(refill_en), .refill_group_o(refill_group),
    .idle_valid_i(fwd_idle_valid), .idle_core_i(fwd_idle_core), .idle_dist_i(fwd_idle_dist),
    .victim_valid_i(fwd_victim_valid), .victim_far_i(fwd_victim_far), .victim_core_i(fwd_victim_core),
    .victim_vcpu_i(fwd_victim_vcpu), .search_stale_i(fwd_stale), .shard_valid_i(shard_valid),
    .shard_target_i(shard_target), .eligible_i(eligible), .hot_i(hot), .shard_home_o(shard_home),
    .core_credit_i(core_credit), .core_home_i(core_home),
    .prestage_kind_i(pst_kind_f), .prestage_core_i(pst_core_f), .prestage_epoch_i(pst_epoch_f),
    .prestage_update_o(prestage_update),
    .push0_o(push0), .push0_data_o(push0_data), .push1_o(push1), .push1_data_o(push1_data),
    .config_we_o(config_we), .config_key_o(config_key), .config_value_o(config_value),
    .error_o(error), .error_code_o(error_code), .error_seq_o(error_seq),
    .count_preempt_o(count_preempt), .count_shard_o(count_shard), .count_commit_o(count_commit),
    .count_abort_o(count_abort),
    .state_o(state), .event_o(ev_q), .index_o(sweep_index), .read_addr_o(read_addr), .bg_wb_o(bg_wb),
    .round_busy_o(round_busy), .preemptor_o(preemptor),
    .victim_core_o(victim_core), .victim_o(victim), .shard_count_o(shard_count),
    .shard_index_o(shard_index), .parked_o(parked)
  );

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

  // quiet: also no ACCOUNT refill pending (an AXI4-Lite write of CREDIT_CAP
  // or REFILL_PER_WEIGHT must not change what the lazy refill applies)
  assign engine_quiet = (state == vs_pkg::StIdle) && !prestage_busy && !round_busy;
  assign idle_o = engine_quiet && fifo_empty;

  // Observed by the formal properties only; unused in other builds.
  logic unused_obs;
  assign unused_obs = ^{ram_raddr, ram_waddr, ev_q, sweep_index, read_addr, bg_wb, preemptor, victim,
                        victim_core, shard_count, shard_index, parked, core_idle,
                        core_victimable, entry};

`ifdef FORMAL
  localparam logic [8:0]  NCores9   = NCores[8:0];
  localparam int AcctGroupsI = (NCores + ((AcctLanes < NCores) ? AcctLanes : NCores) - 1) /
                              ((AcctLanes < NCores) ? AcctLanes : NCores);
  localparam int LastAcctGroupI = AcctGroupsI - 1;
  localparam logic [11:0] LastAcctGroup = LastAcctGroupI[11:0];
  localparam logic [15:0] NVcpus16  = NVcpus[15:0];
  localparam int LastVcpuI = NVcpus - 1;
  localparam logic [11:0] LastVcpu  = LastVcpuI[11:0];
  `include "vs_top_props.svh"
`endif

`ifdef VERILATOR
  // The mirror (vs_core_table) with ACCOUNT's lazy refill (vs_exec,
  // vs_refill): outside ACCT, the vCPU on every RUN core has its lat,
  // weight and home mirrored, and its credit too unless its word still owes a
  // refill; and whenever such a word is read (an event's, the victim's, the
  // sweep's), its refilled credit is the mirror's. So the searches never
  // see a credit other than the table's, refilled. Immediate assertions at
  // the edge (same pre-edge values as a concurrent one): Verilator would
  // copy the whole vCPU table every eval() to $sample it (docs/rtl.md).
  for (genvar c = 0; c < NCores; c++) begin : gen_chk_mirror
    /* verilator lint_off UNUSEDSIGNAL */
    vs_pkg::vcpu_t chk_word;  // the table entry of the vCPU on core c
    /* verilator lint_on UNUSEDSIGNAL */
    assign chk_word = u_vcpu_ram.mem[core_vcpu[c*12 +: VA]];
    always_ff @(posedge clk_i) begin
      if (rst_ni && state != vs_pkg::StInit && state != vs_pkg::StAcct && core_occ[c*2 +: 2] == vs_pkg::OccRun) begin
        a_mirror: assert ((chk_word.rnd != u_exec.epoch || chk_word.credit == core_credit[c*16 +: 16]) &&
                          chk_word.lat == core_lat[c] && chk_word.weight == core_weight[c*8 +: 8] &&
                          chk_word.home == core_home[c*3 +: 3])
        // one string literal: a concatenated format string made the lint of max (256 cores) take > 10 min
        else $error("vs_top: core %0d runs vCPU %0d, its entry (round %0d, credit %0d, weight %0d, home %0d) and mirror (credit %0d, weight %0d, home %0d) disagree",
                    c, core_vcpu[c*12 +: 12], chk_word.rnd, $signed(chk_word.credit), chk_word.weight, chk_word.home,
                    $signed(core_credit[c*16 +: 16]), core_weight[c*8 +: 8], core_home[c*3 +: 3]);
      end
    end
  end
  // A RUNNING word read, refilled (u_exec.entry), whose core runs it: its
  // credit is the core's mirror (not in ACCT, which refills the mirror one
  // group of cores after the other).
  logic [15:0] chk_mirror_credit;
  logic        chk_runs;  // entry's core runs the vCPU read, whole
  always_comb begin
    chk_mirror_credit = '0;
    chk_runs = 1'b0;
    for (int c = 0; c < NCores; c++) begin
      if (u_exec.entry.core == c[7:0]) begin
        chk_mirror_credit = core_credit[c*16 +: 16];
        chk_runs = (core_occ[c*2 +: 2] == vs_pkg::OccRun) && (core_vcpu[c*12 +: 12] == read_addr);
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (rst_ni && (state == vs_pkg::StExec || state == vs_pkg::StVict || (bg_wb && state != vs_pkg::StAcct)) &&
        u_exec.entry.state == vs_pkg::VstRunning && chk_runs) begin
      a_mirror_read: assert (u_exec.entry.credit == chk_mirror_credit)
      else $error("vs_top: vCPU %0d read RUNNING on core %0d with credit %0d (refilled), its mirror has %0d",
                  read_addr, u_exec.entry.core, $signed(u_exec.entry.credit), $signed(chk_mirror_credit));
    end
  end
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
