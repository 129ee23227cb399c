// vs_place: where a WAKE or COMMIT puts its vCPU v (docs/spec.md 7.5,
// rules 1-6), from the registered searches of v's home node n
// (combinational, in EXEC):
//   1. v is parked (over its cap, 6.5)          -> QUEUED
//   2. latency class and a near idle core       -> RUN on idle(n)      (7.1)
//   3. latency class and a near victim          -> preempt victim(n)   (7.2)
//   4. any idle core                            -> RUN on idle(n)
//   5. latency class and a (far) victim         -> preempt victim(n)
//   6. otherwise                                -> QUEUED
// stale_o: n's searches are not known this cycle (vs_search's forwarding
// could not follow last cycle's write): vs_exec waits a cycle. And whether
// a COMMIT holds: n's prestaged entry, as it stands before this
// event, names a placement, the event's core and its epoch, and v is not
// parked. A COMMIT is always latency class.
module vs_place #(
  parameter int NNodes = 2
) (
  input  logic [2:0]           home_i,          // v's home node n
  input  logic                 lat_i,           // latency class
  input  logic                 commit_i,        // the event is a COMMIT
  input  logic [7:0]           commit_core_i,   // its core and epoch
  input  logic [31:0]          commit_epoch_i,
  input  logic                 parked_i,
  input  logic [7:0]           wake_max_dist_i,
  input  logic [NNodes-1:0]    idle_valid_i,    // vs_search, forwarded
  input  logic [NNodes-1:0]    stale_i,         // vs_search, per node
  input  logic [NNodes*8-1:0]  idle_core_i,
  input  logic [NNodes*8-1:0]  idle_dist_i,
  input  logic [NNodes-1:0]    victim_valid_i,
  input  logic [NNodes-1:0]    victim_far_i,
  input  logic [NNodes*8-1:0]  victim_core_i,
  input  logic [NNodes*12-1:0] victim_vcpu_i,
  input  logic [NNodes*2-1:0]  prestage_kind_i,  // vs_prestage, the table after this cycle
  input  logic [NNodes*8-1:0]  prestage_core_i,
  input  logic [NNodes*32-1:0] prestage_epoch_i,
  output logic                 stale_o,         // n's results are not known yet
  output logic                 to_idle_o,       // rules 2 and 4
  output logic                 to_victim_o,     // rules 3 and 5
  output logic                 holds_o,         // the COMMIT holds
  output logic [7:0]           idle_core_o,     // idle(n)
  output logic [7:0]           victim_core_o,   // victim(n)
  output logic [11:0]          victim_vcpu_o,   // the vCPU victim(n) runs
  output logic [31:0]          prestage_epoch_o // n's epoch (ABORT reports it)
);
  logic       idle_valid, victim_valid, victim_far;
  logic [7:0] idle_dist, prestage_core;
  logic [1:0] prestage_kind;
  always_comb begin
    stale_o = 1'b0; idle_valid = 1'b0; victim_valid = 1'b0; victim_far = 1'b0; idle_core_o = '0;
    idle_dist = '0; victim_core_o = '0; victim_vcpu_o = '0; prestage_kind = '0;
    prestage_core = '0; prestage_epoch_o = '0;
    for (int n = 0; n < NNodes; n++) begin
      if (home_i == n[2:0]) begin
        stale_o          = stale_i[n];
        idle_valid       = idle_valid_i[n];
        idle_core_o      = idle_core_i[n*8 +: 8];
        idle_dist        = idle_dist_i[n*8 +: 8];
        victim_valid     = victim_valid_i[n];
        victim_far       = victim_far_i[n];
        victim_core_o    = victim_core_i[n*8 +: 8];
        victim_vcpu_o    = victim_vcpu_i[n*12 +: 12];
        prestage_kind    = prestage_kind_i[n*2 +: 2];
        prestage_core    = prestage_core_i[n*8 +: 8];
        prestage_epoch_o = prestage_epoch_i[n*32 +: 32];
      end
    end
  end

  logic near_idle, near_victim;
  assign near_idle   = idle_valid && (idle_dist <= wake_max_dist_i);  // spec 7.1
  assign near_victim = victim_valid && !victim_far;                   // spec 7.2
  assign to_idle_o   = !parked_i && idle_valid &&
                       ((lat_i && near_idle) || !(lat_i && near_victim));
  assign to_victim_o = !parked_i && !to_idle_o && lat_i && victim_valid;
  // spec 7.5 COMMIT
  assign holds_o = commit_i && (prestage_kind != vs_pkg::PreNone) &&
                   (prestage_core == commit_core_i) && (prestage_epoch_o == commit_epoch_i) &&
                   !parked_i;
endmodule
