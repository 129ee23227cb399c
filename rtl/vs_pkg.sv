// vs_pkg: engine-internal constants and types of the vShard RTL engine
// (docs/spec.md v1.1). Register offsets come from the generated vs_regs_pkg;
// this package holds what only the engine needs: descriptor codes, state
// encodings, the vCPU table entry layout and the FSM states.
// The descriptor codes and state encodings repeat the enums generated into
// vs_regs_pkg under the engine's short names. They cannot be aliases
// (`localparam EvWake = vs_regs_pkg::EVT_WAKE`): Yosys 0.23 rejects another
// package's constant in a package ("implicitly declared outside of a
// module"). A drift shows in vshard diff, which compares every decision
// (type, error code, flags) with the golden model.
// Not every constant is used by every module: unused package parameters
// are expected, so that one lint rule is off for this file only.
/* verilator lint_off UNUSEDPARAM */
package vs_pkg;

  // ---- event types (spec section 3) -------------------------------------
  localparam logic [7:0] EvWake      = 8'h01;
  localparam logic [7:0] EvBlock     = 8'h02;
  localparam logic [7:0] EvSched     = 8'h03;
  localparam logic [7:0] EvTick      = 8'h04;
  localparam logic [7:0] EvProfile   = 8'h05;
  localparam logic [7:0] EvUtil      = 8'h06;
  localparam logic [7:0] EvShardDone = 8'h07;
  localparam logic [7:0] EvAccount   = 8'h08;
  localparam logic [7:0] EvConfig    = 8'h09;
  localparam logic [7:0] EvCoreCfg   = 8'h0A;
  localparam logic [7:0] EvVcpuCfg   = 8'h0B;
  localparam logic [7:0] EvCommit    = 8'h0C;

  // ---- decision types (spec section 4) ----------------------------------
  localparam logic [7:0] DecRun     = 8'h01;
  localparam logic [7:0] DecPreempt = 8'h02;
  localparam logic [7:0] DecShard   = 8'h03;
  // 8'h04 was RESUME (spec 1.0); not emitted since 1.1, the code stays reserved.
  localparam logic [7:0] DecQueued  = 8'h05;
  localparam logic [7:0] DecAck     = 8'h06;
  localparam logic [7:0] DecAbort   = 8'h07;
  localparam logic [7:0] DecError   = 8'h08;
  localparam logic [7:0] DecPark    = 8'h09;  // spec 1.1, 6.5: a TICK took the core of a capped vCPU

  // Decision flag bits.
  localparam int FlagLastBit      = 0;
  localparam int FlagCommittedBit = 1;

  // ---- error codes (spec section 9) -------------------------------------
  localparam logic [7:0] ErrNone        = 8'h00;
  localparam logic [7:0] ErrBadType     = 8'h01;
  localparam logic [7:0] ErrReserved    = 8'h02;
  localparam logic [7:0] ErrBadVcpu     = 8'h03;
  localparam logic [7:0] ErrBadCore     = 8'h04;
  localparam logic [7:0] ErrBadNode     = 8'h05;
  localparam logic [7:0] ErrBadKey      = 8'h06;
  localparam logic [7:0] ErrBadArg      = 8'h07;
  localparam logic [7:0] ErrCoreOffline = 8'h08;
  localparam logic [7:0] ErrCoreBusy    = 8'h09;
  localparam logic [7:0] ErrBadState    = 8'h0A;
  localparam logic [7:0] ErrRingOverflow = 8'h0B;
  localparam logic [7:0] ErrCfgLocked   = 8'h0C;
  localparam logic [7:0] ErrCapped      = 8'h0D;  // spec 1.1, 6.5: SCHED of a parked vCPU

  // ---- state encodings (spec section 2) ---------------------------------
  localparam logic [1:0] OccIdle  = 2'd0;
  localparam logic [1:0] OccRun   = 2'd1;
  localparam logic [1:0] OccShard = 2'd2;

  localparam logic [1:0] VstBlocked = 2'd0;
  localparam logic [1:0] VstQueued  = 2'd1;
  localparam logic [1:0] VstRunning = 2'd2;
  // 2'd3 was SHARDED (spec 1.0); since 1.1 a sharded victim is QUEUED at once
  // and the encoding is never written.

  localparam logic [1:0] PreNone    = 2'd0;
  localparam logic [1:0] PreIdle    = 2'd1;
  localparam logic [1:0] PrePreempt = 2'd2;

  // ---- event descriptor (spec 3), 128 bits: read by member (ev.vcpu) --------
  typedef struct packed {
    logic [31:0] d32;
    logic [15:0] c16;
    logic [7:0]  b8;
    logic [7:0]  core;
    logic [31:0] seq;
    logic [15:0] vcpu;
    logic [7:0]  flags;
    logic [7:0]  kind;  // the spec's type (a keyword in SystemVerilog)
  } event_t;

  // ---- vCPU table entry (spec 2.2), one word of the vCPU RAM -------------
  // Read by member (rd.home); written only as a whole word (vs_top builds it
  // from one signal per field): Yosys 0.23 can drop one of two member
  // assignments to a packed struct in an always_comb (docs/rtl.md).
  // rnd: the refill round of the last write (vs_refill: ACCOUNT refills
  // lazily; a word may owe up to 2^RndW - 1 rounds)
  localparam int RndW = 6;
  typedef struct packed {
    logic [RndW-1:0] rnd;
    logic [1:0]  state;
    logic        lat;
    logic [15:0] credit;   // signed
    logic [7:0]  weight;
    logic [2:0]  home;
    logic [7:0]  blocks;
    logic [15:0] bcost;
    logic [7:0]  core;
    logic [3:0]  shards;
    logic [15:0] erun;     // spec 1.1: expected run per wake in us (PROFILE d32[15:0])
    logic [15:0] cap;      // spec 1.1: us per accounting period, 0 = uncapped (VCPU_CFG)
    logic [15:0] used;     // spec 1.1: us charged since the last ACCOUNT, saturating (6.5)
  } vcpu_t;
  localparam int VcpuW = 114 + RndW;
  // Bit offsets of three fields in a vcpu_t word, for code that cannot use
  // the struct (the formal block of vs_top: Yosys 0.23 does not resolve a
  // struct signal declared in a generate loop). vs_top asserts in every
  // simulation that they agree with the struct.
  localparam int VcpuStateLsb  = 112;
  localparam int VcpuCoreLsb   = 52;
  localparam int VcpuShardsLsb = 48;

  // Reset value of a vCPU entry: BLOCKED, credit 0, weight 16, the rest 0
  // (rnd: vs_exec writes the current round over it).
  localparam logic [VcpuW-1:0] VcpuReset = {{RndW{1'b0}}, 2'd0, 1'b0, 16'd0, 8'd16, 3'd0,
                                            8'd0, 16'd0, 8'd0, 4'd0,
                                            16'd0, 16'd0, 16'd0};


  // ---- per-core state (spec 2.1) and its write port ------------------------
  // One write of the core state (vs_core_table), assembled by vs_exec in one
  // assignment from one signal per field (the same Yosys 0.23 rule as
  // vcpu_t): each field group is written only when its enable is set.
  typedef struct packed {
    logic        en;         // a core is written this cycle
    logic [7:0]  core;       // which one
    logic        need_idle;  // the write claims an idle core (RUN, SHARD: checked)
    logic        cfg_en;     // node and online (CORE_CFG)
    logic [2:0]  node;
    logic        online;
    logic        util_en;
    logic [7:0]  util;
    logic        freq_en;
    logic [1:0]  freq;
    logic        occ_en;
    logic [1:0]  occ;
    logic        vcpu_en;
    logic [11:0] vcpu;
    logic        slice_en;
    logic [15:0] slice;
  } core_write_t;

  // One write of the mirror of the vCPU running on a core (vs_core_table):
  // every vCPU-table write that leaves an entry RUNNING but the refill
  // sweep's (vs_exec, which assembles it in one assignment) copies these
  // fields of the entry to its core.
  typedef struct packed {
    logic        en;      // a mirror is written this cycle
    logic [7:0]  core;    // the entry's core
    logic        lat;     // the entry's fields
    logic [15:0] credit;
    logic [7:0]  weight;
    logic [2:0]  home;
  } mirror_write_t;

  // The registered results of one node's searches (vs_search, spec 7.1 and
  // 7.2), as the placement of the next event reads them.
  typedef struct packed {
    logic        idle_valid;   // an idle core exists
    logic [7:0]  idle_core;    // idle(n)
    logic [7:0]  idle_dist;    // NUMA_DIST[n][node of idle(n)]
    logic        victim_valid; // a victim exists
    logic        victim_far;   // victim(n) is farther than WAKE_MAX_DIST (7.2, 1.1)
    logic [7:0]  victim_core;  // victim(n)
    logic [11:0] victim_vcpu;  // the vCPU it runs
  } search_t;
  localparam int SearchW = 39;

  // One prestaged entry (spec 8).
  typedef struct packed {
    logic [1:0]  kind;
    logic [7:0]  core;
    logic [11:0] vcpu;
    logic [31:0] epoch;
  } prestage_t;
  localparam int PrestageW = 54;

  // Decision descriptor (spec 4): {d32, c16, b8, core, seq, vcpu, flags, type}.
  function automatic logic [127:0] decision(input logic [7:0] typ, input logic [7:0] flags,
                                            input logic [15:0] vcpu, input logic [31:0] seq,
                                            input logic [7:0] core, input logic [7:0] b8,
                                            input logic [15:0] c16, input logic [31:0] d32);
    decision = {d32, c16, b8, core, seq, vcpu, flags, typ};
  endfunction

  // ---- engine FSM ---------------------------------------------------------
  typedef enum logic [2:0] {
    StInit  = 3'd0,  // sweeping the vCPU RAM to its reset value
    StIdle  = 3'd1,  // waiting for an event (ACCEPT happens here)
    StExec  = 3'd2,  // vCPU entry read: checks, state update, decisions
    StVict  = 3'd3,  // preemption: candidate test, shard sizing, PREEMPT
    StShard = 3'd4,  // one shard target per cycle
    StAcct  = 3'd5   // ACCOUNT: refill of the running vCPUs, one core per cycle
  } state_e;

endpackage
/* verilator lint_on UNUSEDPARAM */
