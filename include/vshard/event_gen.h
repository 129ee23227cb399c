// A seeded, deterministic random event generator for property tests,
// `vshard diff` (RTL vs model), `vshard gen` and benchmarks.
//
//   EventGen gen(params, seed, opts);
//   Event e = gen.next();            // feed it to an engine ...
//   for (auto& d : decisions) gen.observe(d);   // ... and show it the answers
//   gen.set_prestage(n, model.prestage(n));     // optional: enables fresh COMMITs
//
// The generator keeps a shadow of which vCPUs are blocked / queued / running
// (and parked) and which cores are idle or run shards, learned from the
// decisions, so most events are valid and preemptions, shards, SHARD_DONE,
// PARK and COMMITs against current and stale epochs all happen often. A
// configurable fraction of events is built to be rejected, covering every
// error code an event can raise (E_BAD_TYPE .. E_BAD_STATE, E_CAPPED). The stream depends only on (params,
// seed, options, observed decisions): the same on every run and machine
// (vshard::SplitMix64 and bounded draws, no std distributions).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "vshard/descriptor.h"
#include "vshard/event_log.h"
#include "vshard/model.h"
#include "vshard/splitmix64.h"

namespace vshard {

struct EventGenOptions {
  double bad_fraction = 0.02;          // events built to be rejected (error codes 0x01..0x0A and 0x0D)
  double config_fraction = 0.002;      // valid CONFIG events (sensible values)
  double account_fraction = 0.002;     // ACCOUNT events
  double topology_fraction = 0.002;    // CORE_CFG (nodes, offline/online) and VCPU_CFG events
  double lat_fraction = 0.4;           // share of wakes that are latency-class
  double commit_fraction = 0.5;        // share of latency wakes sent as COMMIT (needs set_prestage)
  double stale_commit_fraction = 0.3;  // share of COMMITs with a stale epoch or another core
  bool setup = true;                   // begin with a prologue: core nodes, vCPU homes/weights, profiles
};

class EventGen {
 public:
  EventGen(const Params& params, uint64_t seed, const EventGenOptions& opts = {});

  // The next event; seq numbers count up from 1.
  Event next();
  // Shows the generator a decision of the engine (in stream order).
  void observe(const Decision& d);
  // Tells the generator the current prestaged entry of a node (with its epoch).
  void set_prestage(uint32_t node, const PrestageEntry& entry);

  const Params& params() const { return p_; }

 private:
  enum VState : uint8_t { kBlocked, kQueued, kRunning };

  uint64_t rand();
  uint64_t below(uint64_t n);  // uniform-enough in [0, n), n >= 1
  bool chance(double p);

  Event make_valid();
  Event make_bad();
  Event make_wake_or_commit(uint16_t v);
  Event make_random_config();
  Event make_topology();
  uint16_t random_erun();
  uint16_t random_cap();
  int pick_vcpu(VState s);     // -1 if none found
  int pick_core_occ(Occ occ);  // online core with that occupancy, -1 if none found
  int pick_offline_core();
  void build_prologue();

  Params p_;
  SplitMix64 rng_;
  EventGenOptions opts_;
  uint32_t seq_ = 0;
  std::deque<Event> prologue_;
  std::deque<Event> recent_;  // last events, to interpret ACKs of CORE_CFG / VCPU_CFG
  // shadow
  std::vector<VState> vstate_;
  std::vector<bool> parked_;  // parked by a PARK decision, until the next ACCOUNT
  std::vector<uint8_t> vcore_;
  std::vector<uint8_t> vhome_;
  std::vector<Occ> occ_;
  std::vector<uint16_t> cvcpu_;
  std::vector<uint8_t> cnode_;
  std::vector<bool> conline_;
  std::vector<PrestageEntry> pre_;
  bool have_prestage_ = false;
  uint32_t defaults_[cfg::kNumScalarKeys] = {};  // reset values of the scalar keys
};

// Generates `count` events with the generator, running a golden model to feed
// observe() and set_prestage(); returns them as a log for `params`.
EventLog generate_event_log(const Params& params, uint64_t seed, size_t count, const EventGenOptions& opts = {});

// A stream that preempts and shards a lot (driver tests and benchmarks of the
// shard planner): CONFIG events first (WAKE_MAX_DIST 10: only the home node
// is near, so a latency wake preempts a victim on its home node, spec 1.1
// WAKE rule 3, whenever that node has no idle core, and the idle cores of
// the other nodes take the shards; every idle core is shard-eligible; no
// credit gate; sync cost 20 us), then `count` minus those from the
// generator with half the wakes latency-class and no further CONFIG, fed by
// a golden model under the same configuration. A victim whose shards still
// run, or whose blocks the last shards took, is preempted without shards
// (spec 7.3). On `small`, 100 000 events give about 2 200 preemptions, 1 400
// of them sharded (K 1..4); on `large`, 20 000 give about 390 (K 1..8).
std::vector<Event> sharding_stream(const Params& params, uint64_t seed, size_t count);

}  // namespace vshard
