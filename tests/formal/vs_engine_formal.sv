// Engine invariant (docs/spec.md section 10, 1-2) checked on vs_top's ports
// by bounded model checking: a core is never given two vCPUs, and a vCPU is
// never placed on a second core while it runs on one.
//
// A shadow of the core occupancy is built from the decision stream alone
// (RUN, PREEMPT, SHARD place vCPUs; PARK and the ACK of BLOCK and
// SHARD_DONE free cores) and every placement is checked against it
// (spec 1.1):
//   RUN / SHARD target a core the shadow has free;
//   PREEMPT replaces exactly the vCPU the shadow has running on that core;
//   PARK (a TICK) takes the core the shadow has running that vCPU whole;
//   no vCPU gets a RUN/PREEMPT while the shadow has it on a core;
//   RESUME (1.0) never appears;
//   ids in decisions are in range; no decision without an event.
// Environment: one event in flight at a time (the next one after the last
// decision's LAST), AXI-Stream rules on the event input, any decision
// back-pressure, the AXI4-Lite port idle. Events are otherwise free inputs:
// the solver chooses types, ids, flags and payloads, bad ones included.
module vs_engine_formal #(
  parameter int NCores = 2,
  parameter int NVcpus = 4,
  parameter int NNodes = 1,
  parameter int MaxShards = 2
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic [127:0] evt_tdata_i,
  input logic         evt_tvalid_i,
  input logic         dec_tready_i
);
  localparam logic [7:0] EvBlock = 8'h02, EvTick = 8'h04, EvShardDone = 8'h07, EvCoreCfg = 8'h0A;
  localparam logic [7:0] DRun = 8'h01, DPreempt = 8'h02, DShard = 8'h03, DResume = 8'h04,
                         DAck = 8'h06, DError = 8'h08, DPark = 8'h09;

  logic evt_tready, dec_tvalid, dec_tlast, idle;
  logic [127:0] dec_tdata;

  vs_engine_dut #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards)) u_dut (
    .clk_i, .rst_ni, .evt_tdata_i, .evt_tvalid_i, .evt_tready_o(evt_tready), .dec_tdata_o(dec_tdata),
    .dec_tvalid_o(dec_tvalid), .dec_tready_i, .dec_tlast_o(dec_tlast), .idle_o(idle)
  );

  // ---- shadow state ------------------------------------------------------
  logic              pend_q;       // an event is in flight
  logic [7:0]        ev_type_q;
  logic [7:0]        ev_flags_q;
  logic [11:0]       ev_vcpu_q;
  logic [7:0]        ev_core_q;
  logic [NCores-1:0] own_v_q;      // core holds a vCPU
  logic [NCores-1:0] own_sh_q;     // ... as a shard
  logic [NCores*12-1:0] own_q;     // which vCPU
  logic [NVcpus-1:0] on_v_q;       // vCPU runs whole on a core
  logic [NVcpus*8-1:0] on_q;       // which core
  logic              stall_q;      // event offered, not yet accepted
  logic [127:0]      stall_data_q;

  logic [7:0]  d_type, d_flags, d_core;
  logic [11:0] d_vcpu, d_by;
  assign d_type = dec_tdata[7:0];
  assign d_flags = dec_tdata[15:8];
  assign d_vcpu = dec_tdata[27:16];
  assign d_core = dec_tdata[71:64];
  assign d_by = dec_tdata[91:80];
  logic dec_fire, evt_fire;
  assign dec_fire = dec_tvalid && dec_tready_i;
  assign evt_fire = evt_tvalid_i && evt_tready;

  // ---- environment -------------------------------------------------------
  always_comb begin
    if ($initstate) assume (!rst_ni);
    else assume (rst_ni);
    if (pend_q) assume (!evt_tvalid_i);
    if (stall_q) assume (evt_tvalid_i && evt_tdata_i == stall_data_q);
  end

  // ---- shadow update -----------------------------------------------------
  logic [NCores-1:0]    own_v_d, own_sh_d;
  logic [NCores*12-1:0] own_d;
  logic [NVcpus-1:0]    on_v_d;
  logic [NVcpus*8-1:0]  on_d;
  logic [7:0]  dc;   // decision core, clamped for indexing
  logic [11:0] dv, db;
  logic [7:0]  ec;
  logic [11:0] ev;
  logic        ok_ids;
  assign ok_ids = d_core < NCores && d_vcpu < NVcpus;
  assign dc = (d_core < NCores) ? d_core : 8'd0;
  assign dv = (d_vcpu < NVcpus) ? d_vcpu : 12'd0;
  assign db = (d_by < NVcpus) ? d_by : 12'd0;
  assign ec = (ev_core_q < NCores) ? ev_core_q : 8'd0;
  assign ev = (ev_vcpu_q < NVcpus) ? ev_vcpu_q : 12'd0;

  always_comb begin
    own_v_d = own_v_q;
    own_sh_d = own_sh_q;
    own_d = own_q;
    on_v_d = on_v_q;
    on_d = on_q;
    if (rst_ni && dec_fire && pend_q) begin
      case (d_type)
        DRun: begin
          own_v_d[dc] = 1'b1;
          own_sh_d[dc] = 1'b0;
          own_d[dc*12 +: 12] = dv;
          on_v_d[dv] = 1'b1;
          on_d[dv*8 +: 8] = dc;
        end
        DPreempt: begin
          on_v_d[dv] = 1'b0;
          own_d[dc*12 +: 12] = db;
          on_v_d[db] = 1'b1;
          on_d[db*8 +: 8] = dc;
        end
        DShard: begin
          own_v_d[dc] = 1'b1;
          own_sh_d[dc] = 1'b1;
          own_d[dc*12 +: 12] = dv;
        end
        DPark: begin  // TICK(c): v over its cap loses core c
          own_v_d[dc] = 1'b0;
          on_v_d[dv] = 1'b0;
        end
        DAck: begin
          if (ev_type_q == EvBlock && on_v_q[ev]) begin
            own_v_d[on_q[ev*8 +: 8]] = 1'b0;
            on_v_d[ev] = 1'b0;
          end
          if (ev_type_q == EvShardDone) begin
            own_v_d[ec] = 1'b0;
            own_sh_d[ec] = 1'b0;
          end
        end
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend_q <= 1'b0;
      ev_type_q <= '0;
      ev_flags_q <= '0;
      ev_vcpu_q <= '0;
      ev_core_q <= '0;
      own_v_q <= '0;
      own_sh_q <= '0;
      own_q <= '0;
      on_v_q <= '0;
      on_q <= '0;
      stall_q <= 1'b0;
      stall_data_q <= '0;
    end else begin
      if (evt_fire) begin
        pend_q <= 1'b1;
        ev_type_q <= evt_tdata_i[7:0];
        ev_flags_q <= evt_tdata_i[15:8];
        ev_vcpu_q <= evt_tdata_i[27:16];
        ev_core_q <= evt_tdata_i[71:64];
      end else if (dec_fire && dec_tlast) begin
        pend_q <= 1'b0;
      end
      stall_q <= evt_tvalid_i && !evt_tready;
      stall_data_q <= evt_tdata_i;
      own_v_q <= own_v_d;
      own_sh_q <= own_sh_d;
      own_q <= own_d;
      on_v_q <= on_v_d;
      on_q <= on_d;
    end
  end

  // ---- properties --------------------------------------------------------
  always_comb begin
    if (rst_ni && dec_fire) begin
      assert (pend_q);                                   // no decision without an event
      assert (dec_tlast == d_flags[0]);                  // tlast is the LAST flag
      if (d_type != DError) assert (ok_ids);             // valid ids (invariant 4)
      if (d_type == DRun) begin
        assert (!own_v_q[dc]);                           // the core is free
        assert (!on_v_q[dv]);                            // the vCPU is on no core
      end
      if (d_type == DPreempt) begin
        assert (own_v_q[dc] && !own_sh_q[dc] && own_q[dc*12 +: 12] == dv);
        assert (d_by < NVcpus && !on_v_q[db] && db != dv);
      end
      if (d_type == DShard) begin
        assert (!own_v_q[dc]);                           // a shard target is free
        assert (!on_v_q[dv]);                            // the victim left its core
      end
      assert (d_type != DResume);                        // 1.1: never emitted
      if (d_type == DPark) begin
        assert (ev_type_q == EvTick && d_core == ev_core_q);
        assert (own_v_q[dc] && !own_sh_q[dc] && own_q[dc*12 +: 12] == dv);
        assert (on_v_q[dv] && on_q[dv*8 +: 8] == dc);
      end
      if (d_type == DAck && ev_type_q == EvShardDone)
        assert (own_v_q[ec] && own_sh_q[ec] && own_q[ec*12 +: 12] == ev);
      // A core goes offline only when idle.
      if (d_type == DAck && ev_type_q == EvCoreCfg && !ev_flags_q[0]) assert (!own_v_q[ec]);
    end
  end

  logic unused;
  assign unused = idle;
endmodule
