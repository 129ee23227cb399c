// vs_top_props.svh: the engine invariants proved by k-induction
// (tests/formal/vs_engine_ind_formal.sv; docs/hardware.md section 6),
// included at the end of vs_top under `ifdef FORMAL: Yosys reads them with
// -formal -DFORMAL; simulation and synthesis never see them. They relate
// the per-core occupancy (vs_core_table) to the vCPU table (vs_vcpu_ram's
// formal port) and the FSM's preemption context (vs_exec).
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
        if (core_occ[c*2 +: 2] == vs_pkg::OccShard && core_vcpu[c*12 +: 12] == v)
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
  assign f_exec_addr = (ev_q[7:0] == vs_pkg::EvTick) ? read_vcpu : ev_q[27:16];
  logic f_vict, f_shard;
  assign f_vict  = (state == vs_pkg::StVict);
  assign f_shard = (state == vs_pkg::StShard);

  always_comb begin
    if (rst_ni) begin
      assert (state == vs_pkg::StInit || state == vs_pkg::StIdle ||
              state == vs_pkg::StExec || state == vs_pkg::StVict ||
              state == vs_pkg::StShard || state == vs_pkg::StAcct);

      // ---- the property (spec 10.1): a placement only claims an idle core --
      if (core_write.en && core_write.need_idle) begin
        assert ({1'b0, core_write.core} < NCores9);
        for (int c = 0; c < NCores; c++) begin
          if (core_write.core == c[7:0]) assert (core_online[c] && core_occ[c*2 +: 2] == vs_pkg::OccIdle);
        end
      end
      // ---- spec 10.6: no placement (RUN, the preemptor) names a parked vCPU
      if (state == vs_pkg::StExec && core_write.en && core_write.occ_en && core_write.occ == vs_pkg::OccRun)
        assert (!parked);

      // ---- cores -> table ------------------------------------------------
      for (int c = 0; c < NCores; c++) begin
        assert (core_occ[c*2 +: 2] != 2'd3);
        if (state == vs_pkg::StInit) begin
          assert (core_occ[c*2 +: 2] == vs_pkg::OccIdle);
        end else if (core_occ[c*2 +: 2] != vs_pkg::OccIdle) begin
          assert (core_online[c] && {4'd0, core_vcpu[c*12 +: 12]} < NVcpus16);
          // core c runs v whole => v runs on c (spec 10.2); a shard core
          // says nothing about its vCPU's own state (1.1)
          for (int v = 0; v < NVcpus; v++) begin
            if (core_vcpu[c*12 +: 12] == v[11:0] && core_occ[c*2 +: 2] == vs_pkg::OccRun)
              assert (f_vst[v*2 +: 2] == vs_pkg::VstRunning && f_vcore[v*8 +: 8] == c[7:0]);
          end
        end
        // no two cores run the same vCPU whole
        for (int d = 0; d < NCores; d++) begin
          if (d > c && core_occ[c*2 +: 2] == vs_pkg::OccRun && core_occ[d*2 +: 2] == vs_pkg::OccRun)
            assert (core_vcpu[c*12 +: 12] != core_vcpu[d*12 +: 12]);
        end
      end

      // ---- table -> cores -------------------------------------------------
      for (int v = 0; v < NVcpus; v++) begin
        if (state == vs_pkg::StInit) begin
          if (v[11:0] < sweep_index)
            assert (f_vst[v*2 +: 2] == vs_pkg::VstBlocked && f_vsh[v*4 +: 4] == 4'd0);
        end else begin
          // 1.1: the 1.0 SHARDED encoding is never written
          assert (f_vst[v*2 +: 2] != 2'd3);
          // v runs => its core runs it (the victim between EXEC and VICT excepted)
          if (f_vst[v*2 +: 2] == vs_pkg::VstRunning && !(f_vict && victim == v[11:0])) begin
            assert ({1'b0, f_vcore[v*8 +: 8]} < NCores9);
            for (int c = 0; c < NCores; c++) begin
              if (f_vcore[v*8 +: 8] == c[7:0])
                assert (core_occ[c*2 +: 2] == vs_pkg::OccRun && core_vcpu[c*12 +: 12] == v[11:0]);
            end
          end
          // spec 10.2: shards[v] <= MaxShards and exactly shards[v] cores hold
          // a shard of v, whatever v's state (while SHARD hands them out:
          // the shard index)
          assert (f_vsh[v*4 +: 4] <= MaxShards4);
          if (f_shard && victim == v[11:0]) assert (f_nsh[v*9 +: 9] == {5'd0, shard_index});
          else assert (f_nsh[v*9 +: 9] == {5'd0, f_vsh[v*4 +: 4]});
        end
      end

      // ---- the event in flight -------------------------------------------
      if (state == vs_pkg::StInit) assert (sweep_index <= LastVcpu);
      if (state == vs_pkg::StExec) begin
        // the entry read at ACCEPT is the table's; for a WAKE or COMMIT the
        // searches the placement reads (vs_search's forwarded results: a
        // WAKE may have been taken during the EXEC before it) name a core
        // that is idle / runs a non-latency vCPU now, unless they are
        // stale, and then the WAKE or COMMIT waits (vs_exec)
        if (!bg_wb) assert (entry == f_word(f_mem, f_exec_addr));
        if (ev_q[7:0] == vs_pkg::EvWake || ev_q[7:0] == vs_pkg::EvCommit) begin
          for (int n = 0; n < NNodes; n++) begin
            if (fwd_idle_valid[n] && !fwd_stale[n]) begin
              assert ({1'b0, fwd_idle_core[n*8 +: 8]} < NCores9);
              for (int c = 0; c < NCores; c++) begin
                if (fwd_idle_core[n*8 +: 8] == c[7:0]) assert (core_idle[c]);
              end
            end
            if (fwd_victim_valid[n] && !fwd_stale[n]) begin
              assert ({1'b0, fwd_victim_core[n*8 +: 8]} < NCores9);
              for (int c = 0; c < NCores; c++) begin
                if (fwd_victim_core[n*8 +: 8] == c[7:0])
                  assert (core_victimable[c] && fwd_victim_vcpu[n*12 +: 12] == core_vcpu[c*12 +: 12]);
              end
            end
          end
        end
      end
      // ---- ACCOUNT's ACCT (vs_exec): lazy, the mirror's core groups after
      // the first (no table write); eager, every word after the first
      if (state == vs_pkg::StAcct && LazyRefill) begin
        assert (sweep_index != 12'd0 && sweep_index <= LastAcctGroup);
        assert (!ram_we || bg_wb);
      end
      if (state == vs_pkg::StAcct && !LazyRefill) begin
        assert (sweep_index != 12'd0 && sweep_index <= LastVcpu);
        assert (entry == f_word(f_mem, sweep_index));
      end
      if (bg_wb) assert (entry == f_word(f_mem, read_addr));
      // ... and in an EXEC, only that of an event that reads and writes no word
      if (bg_wb && state == vs_pkg::StExec)
        assert (ev_q[7:0] == vs_pkg::EvUtil || ev_q[7:0] == vs_pkg::EvConfig || ev_q[7:0] == vs_pkg::EvCoreCfg);
      if (state == vs_pkg::StExec && !bg_wb) assert (read_addr[VA-1:0] == f_exec_addr[VA-1:0]);
      // INIT writes every word, VICT the victim's: the sweep never writes
      // back then (it reads neither in INIT nor in the EXEC before a VICT)
      if (state == vs_pkg::StInit || state == vs_pkg::StVict) assert (!bg_wb);
      if (f_vict) begin
        // v took core p from u; entry is u's entry, which still says RUNNING on p
        assert ({1'b0, victim_core} < NCores9 && victim <= LastVcpu && preemptor <= LastVcpu && victim != preemptor);
        assert (entry == f_word(f_mem, victim));
        for (int c = 0; c < NCores; c++) begin
          if (victim_core == c[7:0]) assert (core_occ[c*2 +: 2] == vs_pkg::OccRun && core_vcpu[c*12 +: 12] == preemptor);
        end
        for (int v = 0; v < NVcpus; v++) begin
          if (victim == v[11:0]) assert (f_vst[v*2 +: 2] == vs_pkg::VstRunning && f_vcore[v*8 +: 8] == victim_core);
        end
      end
      if (f_shard) begin
        // shard shard_index of shard_count: enough eligible cores are left for the rest
        assert (victim <= LastVcpu && shard_count >= 4'd1 && shard_index < shard_count);
        assert (eligible >= {5'd0, shard_count - shard_index});
        for (int v = 0; v < NVcpus; v++) begin
          if (victim == v[11:0]) assert (f_vsh[v*4 +: 4] == shard_count);
        end
      end
    end
  end
