// vs_event_check: the checks of docs/spec.md 7.5, in the spec's order, for
// the event in EXEC (combinational). The first failing check names the
// error (spec 9); ErrNone means the event is applied. Reserved fields must
// be zero (E_RESERVED), ids must exist (E_BAD_VCPU, E_BAD_CORE, E_BAD_NODE),
// then the state checks of each type; CONFIG takes vs_cfg_check's result
// (spec 5), which the AXI4-Lite configuration writes share.
module vs_event_check #(
  parameter int NCores = 8,
  parameter int NVcpus = 64,
  parameter int NNodes = 2,
  parameter int MaxShards = 4
) (
  input  vs_pkg::event_t event_i,       // the descriptor (spec 3)
  input  vs_pkg::vcpu_t entry_i,        // the table entry of its vCPU (TICK: of the core's vCPU)
  input  logic          parked_i,       // that vCPU is over its cap (spec 6.5)
  input  logic          core_online_i,  // the core the event names
  input  logic [1:0]    core_occ_i,
  input  logic [11:0]   core_vcpu_i,
  output logic [7:0]    err_o
);
  localparam logic [8:0]  NCores9  = NCores[8:0];
  localparam logic [15:0] NVcpus16 = NVcpus[15:0];
  localparam logic [7:0]  NNodes8  = NNodes[7:0];

  logic vcpu_ok, core_ok, node_ok;
  assign vcpu_ok = event_i.vcpu < NVcpus16;
  assign core_ok = {1'b0, event_i.core} < NCores9;
  assign node_ok = event_i.b8 < NNodes8;

  logic [7:0] config_err;
  vs_cfg_check #(.NCores(NCores), .NNodes(NNodes), .MaxShards(MaxShards)) u_cfg_check (
    .key_i(event_i.c16), .value_i(event_i.d32), .err_o(config_err)
  );

  always_comb begin
    err_o = vs_pkg::ErrNone;
    case (event_i.kind)
      vs_pkg::EvWake: begin
        if (event_i.flags[7:1] != 0 || event_i.core != 0 || event_i.b8 != 0 || event_i.c16 != 0 || event_i.d32 != 0)
          err_o = vs_pkg::ErrReserved;
        else if (!vcpu_ok) err_o = vs_pkg::ErrBadVcpu;
        else if (entry_i.state != vs_pkg::VstBlocked) err_o = vs_pkg::ErrBadState;
      end
      vs_pkg::EvBlock: begin
        if (event_i.flags != 0 || event_i.core != 0 || event_i.b8 != 0 || event_i.c16 != 0 || event_i.d32 != 0)
          err_o = vs_pkg::ErrReserved;
        else if (!vcpu_ok) err_o = vs_pkg::ErrBadVcpu;
        else if (entry_i.state != vs_pkg::VstRunning && entry_i.state != vs_pkg::VstQueued)
          err_o = vs_pkg::ErrBadState;
      end
      vs_pkg::EvSched: begin
        if (event_i.flags != 0 || event_i.b8 != 0 || event_i.c16 != 0 || event_i.d32 != 0)
          err_o = vs_pkg::ErrReserved;
        else if (!vcpu_ok) err_o = vs_pkg::ErrBadVcpu;
        else if (!core_ok) err_o = vs_pkg::ErrBadCore;
        else if (!core_online_i) err_o = vs_pkg::ErrCoreOffline;
        else if (core_occ_i != vs_pkg::OccIdle) err_o = vs_pkg::ErrCoreBusy;
        else if (entry_i.state != vs_pkg::VstQueued) err_o = vs_pkg::ErrBadState;
        else if (parked_i) err_o = vs_pkg::ErrCapped;  // spec 6.5
      end
      vs_pkg::EvTick: begin
        if (event_i.flags != 0 || event_i.vcpu != 0 || event_i.d32 != 0) err_o = vs_pkg::ErrReserved;
        else if (!core_ok) err_o = vs_pkg::ErrBadCore;
        else if (!core_online_i) err_o = vs_pkg::ErrCoreOffline;
      end
      vs_pkg::EvProfile: begin
        // spec 3: d32[15:0] is erun since 1.1, d32[31:16] stays reserved
        if (event_i.flags != 0 || event_i.core != 0 || event_i.d32[31:16] != 0) err_o = vs_pkg::ErrReserved;
        else if (!vcpu_ok) err_o = vs_pkg::ErrBadVcpu;
      end
      vs_pkg::EvUtil: begin
        if (event_i.flags[7:2] != 0 || event_i.vcpu != 0 || event_i.c16 != 0 || event_i.d32 != 0)
          err_o = vs_pkg::ErrReserved;
        else if (!core_ok) err_o = vs_pkg::ErrBadCore;
      end
      vs_pkg::EvShardDone: begin
        if (event_i.flags != 0 || event_i.b8 != 0 || event_i.c16 != 0 || event_i.d32 != 0)
          err_o = vs_pkg::ErrReserved;
        else if (!vcpu_ok) err_o = vs_pkg::ErrBadVcpu;
        else if (!core_ok) err_o = vs_pkg::ErrBadCore;
        // spec 7.5 (1.1): the core holds a shard of v; v's own state is not checked
        else if (core_occ_i != vs_pkg::OccShard || core_vcpu_i != event_i.vcpu[11:0])
          err_o = vs_pkg::ErrBadState;
      end
      vs_pkg::EvAccount: begin
        if (event_i.flags != 0 || event_i.vcpu != 0 || event_i.core != 0 || event_i.b8 != 0 || event_i.c16 != 0 ||
            event_i.d32 != 0)
          err_o = vs_pkg::ErrReserved;
      end
      vs_pkg::EvConfig: begin
        if (event_i.flags != 0 || event_i.vcpu != 0 || event_i.core != 0 || event_i.b8 != 0)
          err_o = vs_pkg::ErrReserved;
        else err_o = config_err;  // spec 5
      end
      vs_pkg::EvCoreCfg: begin
        if (event_i.flags[7:1] != 0 || event_i.vcpu != 0 || event_i.c16 != 0 || event_i.d32 != 0)
          err_o = vs_pkg::ErrReserved;
        else if (!core_ok) err_o = vs_pkg::ErrBadCore;
        else if (!node_ok) err_o = vs_pkg::ErrBadNode;
        else if (!event_i.flags[0] && core_occ_i != vs_pkg::OccIdle) err_o = vs_pkg::ErrCoreBusy;
      end
      vs_pkg::EvVcpuCfg: begin
        // spec 3: d32[15:0] is the cap since 1.1, d32[31:16] stays reserved
        if (event_i.flags != 0 || event_i.core != 0 || event_i.d32[31:16] != 0) err_o = vs_pkg::ErrReserved;
        else if (!vcpu_ok) err_o = vs_pkg::ErrBadVcpu;
        else if (!node_ok) err_o = vs_pkg::ErrBadNode;
        else if (event_i.c16 == 0 || event_i.c16 > 16'd255) err_o = vs_pkg::ErrBadArg;
      end
      vs_pkg::EvCommit: begin
        if (event_i.flags != 0 || event_i.c16 != 0) err_o = vs_pkg::ErrReserved;
        else if (!vcpu_ok) err_o = vs_pkg::ErrBadVcpu;
        else if (!core_ok) err_o = vs_pkg::ErrBadCore;
        else if (!node_ok) err_o = vs_pkg::ErrBadNode;
        else if (event_i.b8 != {5'd0, entry_i.home}) err_o = vs_pkg::ErrBadArg;
        else if (entry_i.state != vs_pkg::VstBlocked) err_o = vs_pkg::ErrBadState;
      end
      default: err_o = vs_pkg::ErrBadType;
    endcase
  end

  logic unused;
  assign unused = ^{event_i.seq, entry_i.rnd, entry_i.lat, entry_i.credit, entry_i.weight, entry_i.blocks,
                    entry_i.bcost, entry_i.core, entry_i.shards, entry_i.erun, entry_i.cap,
                    entry_i.used};
endmodule
