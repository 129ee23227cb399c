// vs_accept: the ACCEPT stage of vs_exec (docs/rtl.md "Back-to-back
// events"): when the engine takes an event, which vCPU-table word it reads
// for it, and the forwarding that makes that word current.
//
// An event is taken
//   * in IDLE, with room in the decision FIFO for its worst case
//     (2 + MaxShards decisions), or
//   * during the EXEC of an event that reads no search result and needs no
//     second RAM read (not WAKE, COMMIT or ACCOUNT), if the incoming event
//     does not read the searches either (not WAKE or COMMIT: the registered
//     searches describe the state before this EXEC's writes until the next
//     cycle). Each of the two pushes at most one decision, so two free FIFO
//     entries suffice.
// The word read is the event's vCPU; for a TICK, the vCPU on its core after
// this cycle's core write. A table word written in the cycle its read was
// issued comes from the write (the RAM reads first): entry_o is always the
// table as it stands.
module vs_accept #(
  parameter int NVcpus = 64,
  parameter int MaxShards = 4,
  parameter int FifoAW = 3
) (
  input  logic                clk_i,
  input  vs_pkg::state_e      state_i,
  input  logic [7:0]          exec_type_i,    // type of the event in EXEC
  input  logic                enable_i,
  input  logic                hold_i,
  input  logic [FifoAW:0]     fifo_free_i,
  input  logic [127:0]        evt_tdata_i,
  output logic                evt_tready_o,
  output logic                overlap_o,      // EXEC may take the next event
  // the core write of this cycle and the core table's peek port
  input  vs_pkg::core_write_t core_write_i,
  input  logic [11:0]         peek_vcpu_i,
  // the other reads: the victim of a WAKE/COMMIT, the ACCOUNT sweep
  input  logic [11:0]         victim_vcpu_i,
  input  logic [11:0]         sweep_index_i,
  output logic [11:0]         ram_raddr_o,
  // the table write of this cycle, the word read, the word as it stands
  input  logic                ram_we_i,
  input  logic [11:0]         ram_waddr_i,
  input  vs_pkg::vcpu_t       ram_wdata_i,
  input  vs_pkg::vcpu_t       ram_rdata_i,
  output vs_pkg::vcpu_t       entry_o
);
  localparam int VA = (NVcpus > 1) ? $clog2(NVcpus) : 1;  // RAM address bits
  localparam int MaxDec = 2 + MaxShards;
  localparam logic [FifoAW:0] MaxDecF = MaxDec[FifoAW:0];

  logic [7:0]  in_type;
  logic        in_search, core_hit;
  logic [11:0] in_vcpu;
  assign in_type   = evt_tdata_i[7:0];
  assign in_search = (in_type == vs_pkg::EvWake) || (in_type == vs_pkg::EvCommit);
  assign overlap_o = (state_i == vs_pkg::StExec) && (exec_type_i != vs_pkg::EvWake) &&
                     (exec_type_i != vs_pkg::EvCommit) && (exec_type_i != vs_pkg::EvAccount);
  assign evt_tready_o = enable_i && !hold_i &&
                        (((state_i == vs_pkg::StIdle) && (fifo_free_i >= MaxDecF)) ||
                         (overlap_o && !in_search && (fifo_free_i >= 2)));

  assign core_hit = core_write_i.en && core_write_i.vcpu_en && (core_write_i.core == evt_tdata_i[71:64]);
  assign in_vcpu  = (in_type != vs_pkg::EvTick) ? evt_tdata_i[27:16] :
                    core_hit ? core_write_i.vcpu : peek_vcpu_i;
  always_comb begin
    unique case (state_i)
      vs_pkg::StIdle: ram_raddr_o = in_vcpu;
      // a preemption's victim (its entry in VICT); ACCOUNT: vCPU 1 (ACCT)
      vs_pkg::StExec: ram_raddr_o = overlap_o ? in_vcpu :
                                    (exec_type_i == vs_pkg::EvAccount) ? 12'd1 : victim_vcpu_i;
      vs_pkg::StAcct: ram_raddr_o = sweep_index_i + 12'd1;
      default:        ram_raddr_o = 12'd0;
    endcase
  end

  logic          fwd_q;
  vs_pkg::vcpu_t fwd_data_q;
  always_ff @(posedge clk_i) begin
    fwd_q      <= ram_we_i && (ram_waddr_i[VA-1:0] == ram_raddr_o[VA-1:0]);  // the RAM's address bits
    fwd_data_q <= ram_wdata_i;
  end
  assign entry_o = fwd_q ? fwd_data_q : ram_rdata_i;

  logic unused;
  assign unused = ^{evt_tdata_i[127:72], evt_tdata_i[63:28], evt_tdata_i[15:8], core_write_i, ram_waddr_i};
endmodule
