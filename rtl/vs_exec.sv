// vs_exec: the event engine of docs/spec.md section 7.5, one event at a
// time. It owns the FSM and the event in flight, and drives every write:
// the vCPU table (vs_vcpu_ram), the core table (vs_core_table), the
// decision FIFO and the in-band configuration. States (docs/rtl.md "The
// FSM, per event"): IDLE (ACCEPT: take the event, read its vCPU's word;
// TICK: the word of the vCPU on its core), EXEC (the checks, vs_event_check,
// then the state update and decisions; a preempting WAKE/COMMIT reads the
// victim's word), VICT (the victim, vs_preempt: candidate, K, s, surcharge,
// PREEMPT), SHARD (one per cycle on the best eligible core), ACCT (ACCOUNT:
// lazy, the running vCPUs' mirrored credits AcctLanes cores a cycle after
// the first group, every table word refilled on read and by the sweep,
// vs_refill; eager, every word one per cycle through the credit unit),
// INIT (the table swept to its reset value). An event is accepted in IDLE
// with room in the FIFO for its worst case (2 + MaxShards decisions), or
// during an EXEC by the overlap rule (vs_accept): back-pressure stalls the
// FSM, never drops a decision.
module vs_exec #(
  parameter int NCores = 8,
  parameter int NVcpus = 64,
  parameter int NNodes = 2,
  parameter int MaxShards = 4,
  parameter int FifoAW = 3,
  parameter bit LazyRefill = 1'b1,  // vs_top
  parameter int AcctLanes = 8,      // vs_top: cores whose mirror ACCT refills a cycle
  parameter bit WakeOverlap = 1'b1  // vs_top's Forward: a WAKE may be taken during an EXEC
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   soft_rst_i,
  input  vs_regs_pkg::cfg_t      cfg_i,
  input  logic                   enable_i,      // CTRL.ENABLE
  input  logic                   hold_i,        // a register write waits for a quiet engine
  input  logic [FifoAW:0]        fifo_free_i,
  // event ingress (AXI-Stream)
  input  vs_pkg::event_t         evt_tdata_i,
  input  logic                   evt_tvalid_i,
  output logic                   evt_tready_o,
  // vCPU table
  output logic [11:0]            ram_raddr_o,
  input  vs_pkg::vcpu_t          entry_i,       // the word read last cycle
  output vs_pkg::vcpu_t          entry_o,       // ... with this cycle's write forwarded
  output logic                   ram_we_o,
  output logic [11:0]            ram_waddr_o,
  output vs_pkg::vcpu_t          ram_wdata_o,
  // core table: the core the event names (read port), the vCPU on the core
  // an incoming event names (peek port, TICK reads its entry at ACCEPT)
  output logic [7:0]             read_core_o,
  input  logic                   cr_online_i,
  input  logic [7:0]             cr_util_i,
  input  logic [1:0]             cr_occ_i,
  input  logic [11:0]            cr_vcpu_i,
  input  logic [15:0]            cr_slice_i,
  output logic [7:0]             peek_core_o,
  input  logic [11:0]            peek_vcpu_i,
  output vs_pkg::core_write_t    core_write_o,
  output vs_pkg::mirror_write_t  mirror_o,
  output logic                   refill_en_o,     // ACCOUNT: refill the mirror of group refill_group_o
  output logic [7:0]             refill_group_o,
  // searches (vs_search, forwarded: docs/rtl.md "Hazards") and prestaged table (vs_prestage)
  input  logic [NNodes-1:0]      idle_valid_i, victim_valid_i, victim_far_i,
  input  logic [NNodes*8-1:0]    idle_core_i, idle_dist_i, victim_core_i,
  input  logic [NNodes*12-1:0]   victim_vcpu_i,
  input  logic [NNodes-1:0]      search_stale_i,  // node n's results not known this cycle
  input  logic                   shard_valid_i,
  input  logic [7:0]             shard_target_i,
  input  logic [8:0]             eligible_i,
  input  logic [8:0]             hot_i,
  input  logic [NCores*16-1:0]   core_credit_i,   // the mirrored credits and homes (vs_core_table), for the
  input  logic [NCores*3-1:0]    core_home_i,     // victim's (vs_preempt)
  output logic [2:0]             shard_home_o,  // node the shard search serves
  input  logic [NNodes*2-1:0]    prestage_kind_i,   // the table after this cycle
  input  logic [NNodes*8-1:0]    prestage_core_i,
  input  logic [NNodes*32-1:0]   prestage_epoch_i,
  output logic                   prestage_update_o,
  // decisions
  output logic                   push0_o, push1_o,
  output logic [127:0]           push0_data_o, push1_data_o,
  // to the register block: in-band CONFIG, errors, counters
  output logic                   config_we_o,
  output logic [15:0]            config_key_o,
  output logic [31:0]            config_value_o,
  output logic                   error_o,       // an ERROR decision this cycle
  output logic [7:0]             error_code_o,
  output logic [31:0]            error_seq_o,
  output logic                   count_preempt_o, count_shard_o, count_commit_o, count_abort_o,
  // state, for idle_o and the formal properties (vs_top_props.svh)
  output vs_pkg::state_e         state_o,
  output logic [127:0]           event_o,
  output logic [11:0]            index_o,         // INIT index / ACCT core index
  output logic [11:0]            read_addr_o,     // the address entry_o was read at
  output logic                   bg_wb_o,         // entry_o is the background sweep's word (IDLE)
  output logic                   round_busy_o,    // ACCOUNT's refill round not complete
  output logic [11:0]            preemptor_o, victim_o,
  output logic [7:0]             victim_core_o,
  output logic [3:0]             shard_count_o, shard_index_o,
  output logic                   parked_o         // the entry read is parked (6.5)
);
  localparam int LastVcpuI = NVcpus - 1;
  localparam logic [11:0] LastVcpu = LastVcpuI[11:0];
  localparam int Lanes = (AcctLanes < NCores) ? AcctLanes : NCores;
  localparam int GroupsI = (NCores + Lanes - 1) / Lanes;
  localparam int LastGroupI = GroupsI - 1;
  localparam logic [11:0] LastGroup = LastGroupI[11:0];

  // ---- FSM state and the event in flight -------------------------------------
  vs_pkg::state_e state_q, state_d;
  vs_pkg::event_t ev_q, ev_d;                      // its fields: spec 3
  logic [11:0]    idx_q, idx_d;                    // INIT index / ACCT core index
  // the lazy refill of ACCOUNT (spec 6.2, 6.5; vs_refill)
  logic           refill_start, account_ok;        // ACCOUNT executes: a new round; it may
  logic [vs_pkg::RndW-1:0] epoch;                  // the current refill round
  logic           bg_active, bg_rd, bg_wb;         // the refill sweep: words left / reads now / entry is its word
  logic [11:0]    bg_idx;                          // its next word
  logic           round_wait;                      // a CONFIG waits for the refill round
  logic [11:0]    raddr_q;                         // the address entry was read at
  logic           prestage_update_q, prestage_update_d;

  vs_pkg::vcpu_t entry_rd;  // the word read, as the table stands (vs_accept)
  vs_pkg::vcpu_t entry;     // ... with ACCOUNT's refill applied if it owes it
  assign entry_o = entry_rd;
  assign read_core_o = ev_q.core;
  assign peek_core_o = evt_tdata_i.core;

  // spec 6.2 / 6.5: the word read, refilled if it owes the last ACCOUNT's refill
  logic        pending;     // it owes a refill
  logic [16:0] refill_amt;  // its weight * REFILL_PER_WEIGHT (the eager ACCT)
  vs_refill #(.NVcpus(NVcpus), .LazyRefill(LazyRefill)) u_refill (
    .clk_i, .rst_ni, .soft_rst_i, .credit_cap_i(cfg_i.credit_cap), .refill_per_weight_i(cfg_i.refill_per_weight),
    .start_i(refill_start), .sweep_rd_i(bg_rd), .restart_i(round_wait), .word_i(entry_rd), .word_o(entry),
    .pending_o(pending), .amount_o(refill_amt), .round_o(epoch), .sweep_active_o(bg_active), .sweep_index_o(bg_idx),
    .sweep_wb_o(bg_wb), .round_busy_o(round_busy_o), .account_ok_o(account_ok)
  );

  logic parked;  // spec 2.2 / 6.5: the event's vCPU is parked (over its cap until ACCOUNT)
  assign parked = (entry.cap != 16'd0) && (entry.used >= entry.cap);

  // spec 7.5: the checks, in order
  logic [7:0] check_err;
  vs_event_check #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards))
    u_event_check (
      .event_i(ev_q), .entry_i(entry), .parked_i(parked), .core_online_i(cr_online_i),
      .core_occ_i(cr_occ_i), .core_vcpu_i(cr_vcpu_i), .err_o(check_err)
    );

  // ---- credit unit (spec 6) and shard sizing (7.3, 7.4) ----------------------------
  logic [15:0] cu_in, cu_out;
  logic        cu_sub;
  logic [16:0] cu_amt;
  vs_credit u_credit (
    .credit_i(cu_in), .sub_i(cu_sub), .amount_i(cu_amt), .cap_i(cfg_i.credit_cap), .credit_o(cu_out)
  );

  // TICK arithmetic: util EWMA, slice, debit (6.1), cap charge (6.5).
  logic [7:0]  tk_util;
  logic [15:0] tk_slice, tk_used;
  logic [13:0] tk_debit;
  logic        tk_park;
  vs_tick u_tick (
    .util_i(cr_util_i), .slice_i(cr_slice_i), .sample_i(ev_q.b8), .elapsed_i(ev_q.c16),
    .util_shift_i(cfg_i.util_shift), .credit_per_ms_i(cfg_i.credit_per_ms),
    .runs_whole_i(cr_occ_i == vs_pkg::OccRun), .used_i(entry.used), .cap_i(entry.cap),
    .util_o(tk_util), .slice_o(tk_slice), .debit_o(tk_debit), .used_o(tk_used), .park_o(tk_park)
  );

  // ---- the preemption in flight (spec 7.3-7.5): context, shard sizing, decisions
  logic         preempt_load;  // EXEC: v takes core p from u
  logic [11:0]  victim;        // u
  logic [3:0]   shard_k;       // K
  logic [7:0]   shard_taken, shard_left;  // K * s(K), B - K * s(K)
  logic [16:0]  surcharge;     // spec 6.4
  logic [15:0]  victim_credit, credit_after;  // u's credit, refilled (vs_preempt); minus the surcharge
  logic         shard_last;    // the SHARD of shard K - 1
  logic [127:0] preempt_decision, shard_decision;
  vs_preempt #(.NCores(NCores), .MaxShards(MaxShards), .FromMirror(LazyRefill)) u_preempt (
    .clk_i, .rst_ni, .cfg_i, .seq_i(ev_q.seq), .load_i(preempt_load), .preemptor_i(ev_q.vcpu[11:0]),
    .erun_i(entry.erun), .victim_core_i(w_vcore), .victim_i(w_vvcpu), .committed_i(w_holds), .core_credit_i,
    .core_home_i, .vict_i(state_q == vs_pkg::StVict), .entry_i(entry), .eligible_i, .hot_i, .credit_o(victim_credit),
    .k_o(shard_k), .taken_o(shard_taken), .left_o(shard_left), .surcharge_o(surcharge), .credit_after_o(credit_after),
    .preempt_o(preempt_decision), .shard_i(state_q == vs_pkg::StShard), .shard_target_i, .shard_o(shard_decision),
    .last_o(shard_last), .shard_home_o, .preemptor_o, .victim_core_o, .victim_o(victim), .shard_count_o, .shard_index_o
  );

  // ---- engine FSM ------------------------------------------------------------------
  // WAKE / COMMIT placement (spec 7.5 rules 1-6, the COMMIT check)
  logic        w_lat, w_commit, w_holds, w_to_idle, w_to_vict, w_stale, wake_wait;
  logic [7:0]  w_icore, w_vcore;
  logic [11:0] w_vvcpu;
  logic [31:0] w_pepoch;
  assign w_lat    = (ev_q.kind == vs_pkg::EvWake) ? ev_q.flags[0] : 1'b1;
  assign w_commit = (ev_q.kind == vs_pkg::EvCommit);
  vs_place #(.NNodes(NNodes)) u_place (
    .home_i(entry.home), .lat_i(w_lat), .commit_i(w_commit), .commit_core_i(ev_q.core),
    .commit_epoch_i(ev_q.d32), .parked_i(parked), .wake_max_dist_i(cfg_i.wake_max_dist),
    .stale_i(search_stale_i), .idle_valid_i, .idle_core_i, .idle_dist_i, .victim_valid_i, .victim_far_i,
    .victim_core_i, .victim_vcpu_i, .prestage_kind_i, .prestage_core_i, .prestage_epoch_i,
    .stale_o(w_stale), .to_idle_o(w_to_idle), .to_victim_o(w_to_vict), .holds_o(w_holds),
    .idle_core_o(w_icore), .victim_core_o(w_vcore), .victim_vcpu_o(w_vvcpu), .prestage_epoch_o(w_pepoch)
  );
  // a WAKE or COMMIT taken during the EXEC before it whose home node's searches
  // could not be brought up to date with that EXEC's write (vs_search): this EXEC
  // does nothing, reads the event's word again and runs again next cycle (a
  // COMMIT's prestaged entry is then the table's, vs_prestage)
  assign wake_wait = (state_q == vs_pkg::StExec) && ((ev_q.kind == vs_pkg::EvWake) || w_commit) && w_stale;

  // write ports produced by the FSM
  logic        vw_en, vw_init, vw_sweep;  // vw_sweep: the refill sweep's write (the mirror has it)
  logic        acct_en;                   // ACCOUNT refills the mirror of core group acct_group
  logic [7:0]  acct_group;
  logic [11:0] vw_addr;
  // the vCPU entry written, one signal per field (defaults: the entry read)
  logic [1:0]  vw_state;
  logic        vw_lat;
  logic [15:0] vw_credit, vw_bcost, vw_erun, vw_cap, vw_used;
  logic [7:0]  vw_weight, vw_blocks, vw_core;
  logic [2:0]  vw_home;
  logic [3:0]  vw_shards;
  vs_pkg::vcpu_t vw_data;
  // the core write, one signal per field (cw_need_idle: it claims an idle core)
  logic        cw_en, cw_occ_en, cw_vcpu_en, cw_slice_en, cw_util_en, cw_freq_en, cw_cfg_en, cw_need_idle;
  logic [7:0]  cw_idx, cw_util;
  logic [1:0]  cw_occ, cw_freq;
  logic [11:0] cw_vcpu;
  logic [15:0] cw_slice;
  logic [2:0]  cw_node;
  logic        cw_online;

  always_comb begin
    state_d = state_q;
    ev_d = ev_q;
    idx_d = idx_q;
    refill_start = 1'b0;
    preempt_load = 1'b0;
    prestage_update_d = 1'b0;

    vw_en = 1'b0; vw_init = 1'b0; vw_sweep = 1'b0; vw_addr = 12'd0;
    acct_en = 1'b0; acct_group = 8'd0;
    vw_state = entry.state; vw_lat = entry.lat; vw_credit = entry.credit; vw_weight = entry.weight;
    vw_home = entry.home; vw_blocks = entry.blocks; vw_bcost = entry.bcost; vw_core = entry.core;
    vw_shards = entry.shards; vw_erun = entry.erun; vw_cap = entry.cap; vw_used = entry.used;
    cw_en = 1'b0; cw_idx = ev_q.core; cw_need_idle = 1'b0;
    cw_occ_en = 1'b0; cw_vcpu_en = 1'b0; cw_slice_en = 1'b0; cw_util_en = 1'b0; cw_freq_en = 1'b0; cw_cfg_en = 1'b0;
    cw_occ = vs_pkg::OccIdle; cw_vcpu = 12'd0; cw_slice = cfg_i.slice_us; cw_util = ev_q.b8;
    cw_freq = ev_q.flags[1:0]; cw_node = ev_q.b8[2:0]; cw_online = ev_q.flags[0];
    push0_o = 1'b0; push1_o = 1'b0;
    push0_data_o = vs_pkg::decision(vs_pkg::DecError, 8'h01, ev_q.vcpu, ev_q.seq, ev_q.core, check_err,
                        {8'd0, ev_q.kind}, 32'd0);
    push1_data_o = vs_pkg::decision(vs_pkg::DecAck, 8'h01, ev_q.vcpu, ev_q.seq, ev_q.core, ev_q.kind, 16'd0, 32'd0);
    error_o = 1'b0; count_preempt_o = 1'b0; count_shard_o = 1'b0; count_commit_o = 1'b0; count_abort_o = 1'b0;
    config_we_o = 1'b0;
    cu_in = entry.credit; cu_sub = 1'b0; cu_amt = {2'b00, cfg_i.lat_boost};

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
        if (evt_tready_o && evt_tvalid_i) begin
          ev_d = evt_tdata_i;
          state_d = vs_pkg::StExec;
        end
      end

      // ---- EXEC ------------------------------------------------------------------
      vs_pkg::StExec: begin
        state_d = vs_pkg::StIdle;
        if (overlap && evt_tready_o && evt_tvalid_i) begin
          ev_d = evt_tdata_i;  // the next event, accepted during this EXEC
          state_d = vs_pkg::StExec;
        end
        if (check_err != vs_pkg::ErrNone) begin
          push0_o = 1'b1;  // ERROR; no state change, no prestage update
          error_o = 1'b1;
        end else begin
          prestage_update_d = 1'b1;
          vw_addr = ev_q.vcpu[11:0];
          unique case (ev_q.kind)
            vs_pkg::EvWake, vs_pkg::EvCommit: begin
              count_commit_o = w_holds;
              if (w_commit && !w_holds) begin
                push0_o = 1'b1;
                count_abort_o = 1'b1;
                push0_data_o = vs_pkg::decision(vs_pkg::DecAbort, 8'h00, ev_q.vcpu, ev_q.seq, ev_q.core, ev_q.b8,
                                    16'd0, w_pepoch);
              end
              // spec 6.3: latency boost before the placement, parked or not
              cu_in = entry.credit; cu_sub = 1'b0; cu_amt = {2'b00, cfg_i.lat_boost};
              vw_en = 1'b1;
              vw_lat = w_lat;
              vw_credit = w_lat ? cu_out : entry.credit;
              if (w_to_idle) begin
                // rules 2 and 4: RUN on idle(n)
                vw_state = vs_pkg::VstRunning;
                vw_core = w_icore;
                cw_en = 1'b1; cw_idx = w_icore; cw_need_idle = 1'b1;
                cw_occ_en = 1'b1; cw_occ = vs_pkg::OccRun;
                cw_vcpu_en = 1'b1; cw_vcpu = ev_q.vcpu[11:0];
                cw_slice_en = 1'b1;
                push1_o = 1'b1;
                push1_data_o = vs_pkg::decision(vs_pkg::DecRun, {6'd0, w_holds, 1'b1}, ev_q.vcpu, ev_q.seq,
                                    w_icore, 8'd0, 16'd0, 32'd0);
              end else if (w_to_vict) begin
                // rules 3 and 5: preempt u on p = victim(n); v runs on p now
                vw_state = vs_pkg::VstRunning;
                vw_core = w_vcore;
                cw_en = 1'b1; cw_idx = w_vcore;
                cw_occ_en = 1'b1; cw_occ = vs_pkg::OccRun;
                cw_vcpu_en = 1'b1; cw_vcpu = ev_q.vcpu[11:0];
                cw_slice_en = 1'b1;
                prestage_update_d = 1'b0;
                preempt_load = 1'b1;  // vs_preempt keeps v, v's erun, p, u and the COMMIT
                state_d = vs_pkg::StVict;
              end else begin
                // rules 1 and 6
                vw_state = vs_pkg::VstQueued;
                push1_o = 1'b1;
                push1_data_o = vs_pkg::decision(vs_pkg::DecQueued, 8'h01, ev_q.vcpu, ev_q.seq, 8'd0, 8'd0,
                                    16'd0, 32'd0);
              end
            end
            vs_pkg::EvBlock: begin
              vw_en = 1'b1;
              vw_state = vs_pkg::VstBlocked;
              if (entry.state == vs_pkg::VstRunning) begin
                cw_en = 1'b1; cw_idx = entry.core;
                cw_occ_en = 1'b1; cw_occ = vs_pkg::OccIdle;
              end
              push1_o = 1'b1;
            end
            vs_pkg::EvSched: begin
              vw_en = 1'b1;
              vw_state = vs_pkg::VstRunning;
              vw_core = ev_q.core;
              cw_en = 1'b1; cw_need_idle = 1'b1;
              cw_occ_en = 1'b1; cw_occ = vs_pkg::OccRun;
              cw_vcpu_en = 1'b1; cw_vcpu = ev_q.vcpu[11:0];
              cw_slice_en = 1'b1;
              push1_o = 1'b1;
              push1_data_o = vs_pkg::decision(vs_pkg::DecRun, 8'h01, ev_q.vcpu, ev_q.seq, ev_q.core, 8'd0,
                                  16'd0, 32'd0);
            end
            vs_pkg::EvTick: begin
              cw_en = 1'b1;
              cw_util_en = 1'b1; cw_util = tk_util;
              cw_slice_en = 1'b1; cw_slice = tk_slice;
              push1_o = 1'b1;
              if (cr_occ_i != vs_pkg::OccIdle) begin
                // spec 6.1 debit and spec 6.5 cap charge of u = vcpu[c], whole or shard
                cu_in = entry.credit; cu_sub = 1'b1; cu_amt = {3'd0, tk_debit};
                vw_en = 1'b1;
                vw_addr = cr_vcpu_i;
                vw_credit = cu_out;
                vw_used = tk_used;
                if (tk_park) begin
                  // spec 7.5 TICK: over its cap, u loses core c (its core field stays c)
                  vw_state = vs_pkg::VstQueued;
                  cw_occ_en = 1'b1; cw_occ = vs_pkg::OccIdle;
                  push1_data_o = vs_pkg::decision(vs_pkg::DecPark, 8'h01, {4'd0, cr_vcpu_i}, ev_q.seq, ev_q.core,
                                      8'd0, 16'd0, 32'd0);
                end
              end
            end
            vs_pkg::EvProfile: begin
              vw_en = 1'b1;
              vw_blocks = ev_q.b8;
              vw_bcost = ev_q.c16;
              vw_erun = ev_q.d32[15:0];  // spec 7.5 PROFILE (1.1): expected run
              push1_o = 1'b1;
            end
            vs_pkg::EvUtil: begin
              cw_en = 1'b1;
              cw_util_en = 1'b1; cw_util = ev_q.b8;
              cw_freq_en = 1'b1; cw_freq = ev_q.flags[1:0];
              push1_o = 1'b1;
            end
            vs_pkg::EvShardDone: begin
              // spec 7.5 (1.1): the shard's core is free; v's state is untouched
              vw_en = 1'b1;
              vw_shards = entry.shards - 4'd1;
              cw_en = 1'b1;
              cw_occ_en = 1'b1; cw_occ = vs_pkg::OccIdle;
              push1_o = 1'b1;
            end
            vs_pkg::EvAccount: begin
              // spec 6.2 / 6.5. Lazy: a new refill round (every word pending
              // from the next cycle, refilled when read or by the sweep) and
              // the mirrored credits the searches read, cores 0 .. AcctLanes
              // - 1 now, the other groups in ACCT. Eager: vCPU 0 (read at
              // ACCEPT) now, the others in ACCT.
              push1_o = 1'b1;
              refill_start = LazyRefill;
              acct_en = LazyRefill;
              if (!LazyRefill) begin
                cu_in = entry.credit; cu_sub = 1'b0; cu_amt = refill_amt;
                vw_en = 1'b1;
                vw_addr = 12'd0;
                vw_credit = cu_out;
                vw_used = 16'd0;
              end
              if (LazyRefill ? (GroupsI > 1) : (NVcpus > 1)) begin
                prestage_update_d = 1'b0;
                idx_d = 12'd1;
                state_d = vs_pkg::StAcct;
              end
            end
            vs_pkg::EvConfig: begin
              config_we_o = 1'b1;
              push1_o = 1'b1;
            end
            vs_pkg::EvCoreCfg: begin
              cw_en = 1'b1;
              cw_cfg_en = 1'b1;
              push1_o = 1'b1;
            end
            vs_pkg::EvVcpuCfg: begin
              vw_en = 1'b1;
              vw_home = ev_q.b8[2:0];
              vw_weight = ev_q.c16[7:0];
              vw_cap = ev_q.d32[15:0];  // spec 6.5: used is kept
              push1_o = 1'b1;
            end
            default: begin
              prestage_update_d = 1'b0;  // unreachable: unknown types are E_BAD_TYPE
            end
          endcase
        end
      end

      // ---- VICT: entry = T[u]; candidate test, shard size, PREEMPT ---------------
      // spec 7.5 preemption: u QUEUED (its core field stays p); if K >= 1,
      // shards[u] = K, surcharge (spec 6.4), blocks[u] = B - K*s.
      vs_pkg::StVict: begin
        count_preempt_o = 1'b1;
        push1_o = 1'b1;
        push1_data_o = preempt_decision;
        vw_en = 1'b1;
        vw_addr = victim;
        vw_state = vs_pkg::VstQueued;
        if (shard_k != 4'd0) begin
          vw_shards = shard_k;
          vw_credit = credit_after;  // spec 6.4, for every K in parallel (vs_preempt)
          vw_blocks = shard_left;
          state_d = vs_pkg::StShard;  // vs_preempt starts the sequence at shard 0
        end else begin
          prestage_update_d = 1'b1;
          state_d = vs_pkg::StIdle;
        end
      end

      // ---- SHARD: target t_i = argmin of the eligible cores, one per cycle ----
      vs_pkg::StShard: begin
        count_shard_o = 1'b1;
        push1_o = 1'b1;
        push1_data_o = shard_decision;
        cw_en = 1'b1; cw_idx = shard_target_i; cw_need_idle = 1'b1;
        cw_occ_en = 1'b1; cw_occ = vs_pkg::OccShard;
        cw_vcpu_en = 1'b1; cw_vcpu = victim;
        cw_slice_en = 1'b1;
        if (shard_last) begin
          prestage_update_d = 1'b1;
          state_d = vs_pkg::StIdle;
        end
      end

      // ---- ACCT: refill (spec 6.2), cap reset (6.5). Lazy: the mirrored
      // credits of core group idx_q (vs_core_table's refill port), so every
      // vCPU running whole (spec 10.2) has its credit refilled where the
      // searches read it before the next event. Eager: vCPU idx_q (vCPU
      // idx_q + 1 is read now), through the credit unit.
      vs_pkg::StAcct: begin
        idx_d = idx_q + 12'd1;
        acct_en = LazyRefill;
        acct_group = idx_q[7:0];
        if (!LazyRefill) begin
          cu_in = entry_rd.credit; cu_sub = 1'b0; cu_amt = refill_amt;
          vw_en = 1'b1;
          vw_addr = idx_q;
          vw_credit = cu_out;
          vw_used = 16'd0;
        end
        if (idx_q == (LazyRefill ? LastGroup : LastVcpu)) begin
          idx_d = 12'd0;
          prestage_update_d = 1'b1;
          state_d = vs_pkg::StIdle;
        end
      end

      default: state_d = vs_pkg::StInit;
    endcase

    if (bg_wb && pending && (state_q != vs_pkg::StInit) && (state_q != vs_pkg::StVict)) begin
      // spec 6.2 / 6.5: the background sweep writes the word it read last
      // cycle back, refilled. vs_accept lets it read only when this cycle
      // writes no other word (IDLE; the EXEC of UTIL, CONFIG, CORE_CFG;
      // SHARD; ACCT). A RUNNING word's refilled credit is its core's mirror
      // already (ACCT refilled it; vs_top checks it): so a sweep write
      // never writes the mirror and cannot change what the searches see.
      vw_en = 1'b1;
      vw_sweep = 1'b1;
      vw_addr = raddr_q;
    end

    if (wake_wait) begin
      state_d = vs_pkg::StExec;
      vw_en = 1'b0; cw_en = 1'b0; push0_o = 1'b0; push1_o = 1'b0; error_o = 1'b0; preempt_load = 1'b0;
      count_commit_o = 1'b0; count_abort_o = 1'b0; prestage_update_d = 1'b0;
    end
    if (soft_rst_i) begin
      state_d = vs_pkg::StInit;
      idx_d = 12'd0;
      prestage_update_d = 1'b0;
    end
  end

  // The entry written, assembled in one assignment (see vs_pkg::vcpu_t).
  // Every write stores the current round: the word is current (an event
  // writes a word it read, and reads refill: entry).
  assign vw_data = vw_init ? {epoch, vs_pkg::VcpuReset[vs_pkg::VcpuW-vs_pkg::RndW-1:0]}
                           : {epoch, vw_state, vw_lat, vw_credit, vw_weight, vw_home, vw_blocks,
                              vw_bcost, vw_core, vw_shards, vw_erun, vw_cap, vw_used};
  assign ram_we_o    = vw_en;
  assign ram_waddr_o = vw_addr;
  assign ram_wdata_o = vw_data;
  // ---- ACCEPT: when an event is taken, the word read for it, forwarding ----------
  logic overlap;
  vs_accept #(.NVcpus(NVcpus), .MaxShards(MaxShards), .FifoAW(FifoAW), .LazyRefill(LazyRefill),
              .WakeOverlap(WakeOverlap)) u_accept (
    .clk_i, .state_i(state_q), .exec_type_i(ev_q.kind), .exec_vcpu_i(ev_q.vcpu[11:0]), .reread_i(wake_wait),
    .exec_busy_i(w_to_vict || w_stale), .enable_i, .hold_i, .fifo_free_i, .account_ok_i(account_ok),
    .evt_tdata_i, .evt_tvalid_i, .evt_tready_o, .overlap_o(overlap), .core_write_i(core_write_o),
    .peek_vcpu_i, .victim_vcpu_i(w_vvcpu), .sweep_index_i(idx_q), .round_busy_i(round_busy_o),
    .credit_cap_i(cfg_i.credit_cap), .refill_per_weight_i(cfg_i.refill_per_weight),
    .bg_active_i(bg_active), .bg_index_i(bg_idx), .bg_rd_o(bg_rd), .round_wait_o(round_wait), .ram_raddr_o,
    .raddr_q_o(raddr_q), .ram_we_i(vw_en), .ram_waddr_i(vw_addr), .ram_wdata_i(vw_data), .ram_rdata_i(entry_i),
    .entry_o(entry_rd)
  );

  // The core write, assembled in one assignment (see vs_pkg::core_write_t).
  assign core_write_o = {cw_en, cw_idx, cw_need_idle, cw_cfg_en, cw_node, cw_online, cw_util_en,
                         cw_util, cw_freq_en, cw_freq, cw_occ_en, cw_occ, cw_vcpu_en, cw_vcpu,
                         cw_slice_en, cw_slice};
  // Mirror write: every table write that leaves the entry RUNNING also writes
  // lat, credit, weight and home of its core's mirror, but the sweep's (vs_core_table).
  assign mirror_o = {vw_en && (vw_state == vs_pkg::VstRunning) && !vw_init && !vw_sweep, vw_core, vw_lat,
                     vw_credit, vw_weight, vw_home};
  assign refill_en_o     = acct_en;
  assign refill_group_o  = acct_group;

  assign prestage_update_o = prestage_update_q;
  assign config_key_o = ev_q.c16;
  assign config_value_o = ev_q.d32;
  assign error_code_o = check_err;
  assign error_seq_o = ev_q.seq;
  assign state_o = state_q;
  assign event_o = ev_q;
  assign index_o = idx_q;
  assign read_addr_o = raddr_q;
  assign bg_wb_o = bg_wb;
  assign victim_o = victim;
  assign parked_o = parked;

  // ---- registers -------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q           <= vs_pkg::StInit;
      ev_q              <= '0;
      idx_q             <= '0;
      prestage_update_q <= 1'b0;
    end else begin
      state_q           <= state_d;
      ev_q              <= ev_d;
      idx_q             <= idx_d;
      prestage_update_q <= prestage_update_d;
    end
  end

  logic unused;  // the configuration vs_search reads; what vs_preempt's VICT outputs are made of (its asserts)
  assign unused = ^{ev_q.flags[7:2], cfg_i.vict_max_dist, cfg_i.vict_dist_shift, cfg_i.vict_credit_shift,
                    cfg_i.vict_slice_shift, cfg_i.shard_util_max, cfg_i.shard_min_freq, cfg_i.shard_max_dist,
                    victim_credit, surcharge, shard_taken};

  // The engine invariants, checked in every Verilator run.
`ifndef SYNTHESIS
  `include "vs_exec_asserts.svh"
`endif
endmodule
