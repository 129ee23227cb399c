// vs_accept: the ACCEPT stage of vs_exec (docs/rtl.md "Back-to-back
// events"): when the engine takes an event, which vCPU-table word it reads
// for it, and the forwarding that makes that word current.
//
// An event is taken
//   * in IDLE, with room in the decision FIFO for its worst case
//     (2 + MaxShards decisions), or
//   * during the EXEC of an event that needs neither the read port nor the
//     engine after it (not an ACCOUNT; a WAKE or a COMMIT only with
//     WakeOverlap, when it does not preempt, whose EXEC reads the victim's
//     word, and does not wait, exec_busy_i), if the incoming event
//     does not read the searches either (not WAKE or COMMIT: the registered
//     searches describe the state before this EXEC's writes until the next
//     cycle). Each of the two pushes at most one decision, a COMMIT two
//     (ABORT and RUN/QUEUED): two free FIFO entries suffice, three after a
//     COMMIT;
//   * a WAKE also during such an EXEC when the engine forwards the searches
//     (WakeOverlap, vs_search's Forward): its placement then reads the
//     searches brought up to date with this EXEC's core write, and where
//     they cannot be, vs_exec repeats the WAKE's EXEC a cycle later
//     (reread_i: the read port fetches the WAKE's word again). It needs
//     room for this EXEC's decisions and its own worst case (1 + 1 +
//     MaxShards, one more after a COMMIT). So is a COMMIT, whose worst
//     case is one more (its ABORT): it also reads the prestaged table,
//     which follows an event's write two cycles later, and reads it
//     forwarded (vs_prestage's *_f_o: the entry computed from the forwarded
//     searches while that update is to come). A FIFO of exactly MaxDec
//     entries (MaxDec a power of two) never has that room: there a COMMIT
//     is taken only in IDLE;
//   * never a CONFIG of CREDIT_CAP or REFILL_PER_WEIGHT while some word
//     may owe a refill (round_busy_i: the lazy refill of vs_refill uses the
//     values in force at the ACCOUNTs it owes), unless it writes the value
//     in force (it changes nothing); nor during the EXEC of a CONFIG (the
//     values here are those before it until the next cycle); and never an
//     ACCOUNT that could make a word owe more rounds than its stamp counts
//     (!account_ok_i, vs_refill).
// The word read is the event's vCPU; for a TICK, the vCPU on its core after
// this cycle's core write. A table word written in the cycle its read was
// issued comes from the write (the RAM reads first): entry_o is always the
// table as it stands. The read port serves the background refill sweep
// instead (bg_rd_o) in a cycle where no event is taken and the engine is
// IDLE (or in an EXEC that ends this cycle), where the event taken reads no
// word and its EXEC writes none (UTIL, CONFIG, CORE_CFG), in VICT and SHARD
// (a preemption's victim was read in EXEC), and in ACCT with the lazy
// refill (which uses neither port): the write-back cycle after it writes
// nothing else.
// raddr_q_o: the address whose word entry_o is (the read of last cycle).
module vs_accept #(
  parameter int NVcpus = 64,
  parameter int MaxShards = 4,
  parameter int FifoAW = 3,
  parameter bit LazyRefill = 1'b1,  // vs_top
  parameter bit WakeOverlap = 1'b1  // vs_top's Forward
) (
  input  logic                clk_i,
  input  vs_pkg::state_e      state_i,
  input  logic [7:0]          exec_type_i,    // type of the event in EXEC
  input  logic [11:0]         exec_vcpu_i,    // its vCPU
  input  logic                reread_i,       // its EXEC waits: read its word again
  input  logic                exec_busy_i,    // a WAKE/COMMIT in EXEC preempts or waits (WakeOverlap)
  input  logic                enable_i,
  input  logic                hold_i,
  input  logic [FifoAW:0]     fifo_free_i,
  input  vs_pkg::event_t      evt_tdata_i,
  input  logic                evt_tvalid_i,
  output logic                evt_tready_o,
  output logic                overlap_o,      // EXEC may take the next event
  // the core write of this cycle and the core table's peek port
  input  vs_pkg::core_write_t core_write_i,
  input  logic [11:0]         peek_vcpu_i,
  // the other reads: the victim of a WAKE/COMMIT; ACCOUNT's refill (eager:
  // vCPU sweep_index_i + 1, vCPU 1 in ACCOUNT's EXEC; lazy: none, ACCT
  // refills the core table's mirror); the background refill sweep (lazy)
  input  logic [11:0]         victim_vcpu_i,
  input  logic [11:0]         sweep_index_i,
  input  logic                round_busy_i,
  input  logic [14:0]         credit_cap_i,         // CREDIT_CAP and REFILL_PER_WEIGHT in force
  input  logic [7:0]          refill_per_weight_i,
  input  logic                account_ok_i,
  input  logic                bg_active_i,
  input  logic [11:0]         bg_index_i,
  output logic                bg_rd_o,
  output logic                round_wait_o,   // a CONFIG waits for round_busy_i
  output logic [11:0]         ram_raddr_o,
  output logic [11:0]         raddr_q_o,
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
  logic        in_search, in_wake, in_round, in_account, in_same, in_noram, round_ok, core_hit, taken, exec_place;
  logic [FifoAW:0] room;  // free FIFO entries the incoming event needs during an EXEC
  logic [11:0] in_vcpu;
  assign in_type   = evt_tdata_i.kind;
  assign in_wake   = (in_type == vs_pkg::EvWake);
  assign in_search = in_wake || (in_type == vs_pkg::EvCommit);
  // spec 6.2: what the lazy refill of a pending word depends on
  assign in_account = (in_type == vs_pkg::EvAccount);
  // events that neither read nor write a vCPU-table word
  assign in_noram  = (in_type == vs_pkg::EvUtil) || (in_type == vs_pkg::EvConfig) || (in_type == vs_pkg::EvCoreCfg);
  assign in_round  = ((in_type == vs_pkg::EvConfig) &&
                      ((evt_tdata_i.c16 == vs_regs_pkg::CFG_CREDIT_CAP_KEY) ||
                       (evt_tdata_i.c16 == vs_regs_pkg::CFG_REFILL_PER_WEIGHT_KEY)));
  assign exec_place = (exec_type_i == vs_pkg::EvWake) || (exec_type_i == vs_pkg::EvCommit);
  assign overlap_o  = (state_i == vs_pkg::StExec) && (exec_type_i != vs_pkg::EvAccount) &&
                      (!exec_place || (WakeOverlap && !exec_busy_i));
  localparam logic [FifoAW:0] TwoF = 2;
  localparam logic [FifoAW:0] OneF = 1;
  // cannot overflow: FifoAW + 1 bits hold 2 * 2^FifoAW - 1 >= 2 * MaxDec - 1 >= MaxDec + 2
  assign room = (in_wake ? MaxDecF : !in_search ? TwoF : MaxDecF + OneF) +
                {{FifoAW{1'b0}}, exec_type_i == vs_pkg::EvCommit};
  assign in_same   = ((evt_tdata_i.c16 == vs_regs_pkg::CFG_CREDIT_CAP_KEY) &&
                      (evt_tdata_i.d32 == {17'd0, credit_cap_i})) ||
                     ((evt_tdata_i.c16 == vs_regs_pkg::CFG_REFILL_PER_WEIGHT_KEY) &&
                      (evt_tdata_i.d32 == {24'd0, refill_per_weight_i}));
  assign round_ok  = (!round_busy_i || in_same) &&
                     !((state_i == vs_pkg::StExec) && (exec_type_i == vs_pkg::EvConfig));
  assign evt_tready_o = enable_i && !hold_i && (round_ok || !in_round) && (account_ok_i || !in_account) &&
                        (((state_i == vs_pkg::StIdle) && (fifo_free_i >= MaxDecF)) ||
                         (overlap_o && (!in_search || WakeOverlap) && (fifo_free_i >= room)));
  assign taken = evt_tready_o && evt_tvalid_i;
  assign round_wait_o = evt_tvalid_i && in_round && !round_ok;
  // IDLE or an EXEC that ends this cycle (overlap, nothing taken): the next
  // cycle is IDLE, which writes nothing of its own; an event taken that
  // reads no word: its EXEC writes none; VICT, SHARD: the next cycle is
  // SHARD or IDLE, which write no word; ACCT (lazy): the next cycle is ACCT
  // or IDLE. So the sweep's word can be written back in the next cycle.
  assign bg_rd_o = bg_active_i && ((!taken && ((state_i == vs_pkg::StIdle) || overlap_o)) ||
                                   (taken && in_noram) || (state_i == vs_pkg::StVict) ||
                                   (state_i == vs_pkg::StShard) || (LazyRefill && (state_i == vs_pkg::StAcct)));

  assign core_hit = core_write_i.en && core_write_i.vcpu_en && (core_write_i.core == evt_tdata_i.core);
  assign in_vcpu  = (in_type != vs_pkg::EvTick) ? evt_tdata_i.vcpu[11:0] :
                    core_hit ? core_write_i.vcpu : peek_vcpu_i;
  always_comb begin
    unique case (state_i)
      vs_pkg::StIdle: ram_raddr_o = bg_rd_o ? bg_index_i : in_vcpu;
      // a preemption's victim (its entry in VICT); ACCOUNT: the first word
      // ACCT refills
      vs_pkg::StExec: ram_raddr_o = bg_rd_o ? bg_index_i :
                                    overlap_o ? in_vcpu :
                                    reread_i ? exec_vcpu_i :
                                    (exec_type_i != vs_pkg::EvAccount) ? victim_vcpu_i :
                                    LazyRefill ? 12'd0 : 12'd1;
      vs_pkg::StAcct: ram_raddr_o = LazyRefill ? bg_index_i : sweep_index_i + 12'd1;
      vs_pkg::StVict, vs_pkg::StShard: ram_raddr_o = bg_index_i;
      default:        ram_raddr_o = 12'd0;
    endcase
  end

  logic          fwd_q;
  vs_pkg::vcpu_t fwd_data_q;
  logic [11:0]   raddr_q;
  always_ff @(posedge clk_i) begin
    fwd_q      <= ram_we_i && (ram_waddr_i[VA-1:0] == ram_raddr_o[VA-1:0]);  // the RAM's address bits
    fwd_data_q <= ram_wdata_i;
    raddr_q    <= ram_raddr_o;
  end
  assign raddr_q_o = raddr_q;
  assign entry_o = fwd_q ? fwd_data_q : ram_rdata_i;

  logic unused;
  assign unused = ^{evt_tdata_i.b8, evt_tdata_i.seq, evt_tdata_i.vcpu[15:12], evt_tdata_i.flags,
                    core_write_i, ram_waddr_i};
endmodule
