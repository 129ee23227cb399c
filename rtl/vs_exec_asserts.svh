// vs_exec_asserts.svh: the engine invariants vs_exec checks in every
// simulation (immediate assertions), included at the end of vs_exec under
// `ifndef SYNTHESIS. The k-induction properties are in vs_top_props.svh.
  localparam logic [8:0]  NCores9  = NCores[8:0];
  localparam logic [15:0] NVcpus16 = NVcpus[15:0];
  always @(posedge clk_i) begin
    if (rst_ni) begin
      // (The victim's entry in VICT and K: vs_preempt's own assertions.)
      // (The lazy refill of a RUNNING word gives its core's mirror: vs_top.)
      // The sweep's write-back in an EXEC: the event neither reads nor
      // writes a word (vs_accept).
      if (state_q == vs_pkg::StExec && bg_wb) begin
        assert (ev_q.kind == vs_pkg::EvUtil || ev_q.kind == vs_pkg::EvConfig || ev_q.kind == vs_pkg::EvCoreCfg)
          else $error("vs_exec: the sweep's write-back in the EXEC of event type %0d", ev_q.kind);
      end
      // ACCOUNT's refill port is used only in its EXEC and in ACCT.
      if (refill_en_o) begin
        assert (LazyRefill && (state_q == vs_pkg::StAcct ||
                               (state_q == vs_pkg::StExec && ev_q.kind == vs_pkg::EvAccount)))
          else $error("vs_exec: the mirror refilled outside ACCOUNT");
      end
      // A shard target exists whenever a SHARD is emitted (E >= K).
      if (state_q == vs_pkg::StShard) begin
        assert (shard_valid_i) else $error("vs_exec: no shard-eligible core for shard %0d", shard_index_o);
      end
      // Invariant 3: every credit written lies in [-CREDIT_CAP, CREDIT_CAP] when
      // it was updated by the credit unit.
      if (vw_en && vw_data.credit == cu_out) begin
        assert ($signed(cu_out) <= $signed({1'b0, cfg_i.credit_cap}) &&
                $signed(cu_out) >= -$signed({1'b0, cfg_i.credit_cap}))
          else $error("vs_exec: credit %0d outside [-%0d, %0d]", $signed(cu_out), cfg_i.credit_cap,
                      cfg_i.credit_cap);
      end
      // Invariant 4: placement decisions name valid ids (ACK/ERROR/ABORT echo the event).
      if (push1_o && push1_data_o[7:0] inside {vs_pkg::DecRun, vs_pkg::DecPreempt,
                                           vs_pkg::DecShard, vs_pkg::DecQueued,
                                           vs_pkg::DecPark}) begin
        assert (push1_data_o[31:16] < NVcpus16 && {1'b0, push1_data_o[71:64]} < NCores9)
          else $error("vs_exec: decision type %0d names vcpu %0d core %0d out of range",
                      push1_data_o[7:0], push1_data_o[31:16], push1_data_o[71:64]);
      end
      // The vCPU table is written only at valid ids.
      if (vw_en) begin
        assert ({4'd0, vw_addr} < NVcpus16) else $error("vs_exec: vCPU write at %0d", vw_addr);
      end
      // The field offsets the formal block uses agree with vs_pkg::vcpu_t.
      assert (entry_i[vs_pkg::VcpuStateLsb +: 2] == entry_i.state &&
              entry_i[vs_pkg::VcpuCoreLsb +: 8] == entry_i.core &&
              entry_i[vs_pkg::VcpuShardsLsb +: 4] == entry_i.shards)
        else $error("vs_exec: vs_pkg::Vcpu*Lsb do not match vs_pkg::vcpu_t");
    end
  end
