// vshard::sim::Harness: the RTL engine (vs_top, verilated) driven cycle by
// cycle from C++. One object per simulated engine; the configuration
// ("small", "large") is chosen by name at run time among those linked in
// (link vshard_harness_small and/or vshard_harness_large).
//
//   auto h = vshard::sim::Harness::create("small", {.seed = 7});
//   h->reset();
//   uint32_t magic = h->read32(vshard::regs::kMagic);
//   auto ds = h->exchange(vshard::make_wake(1, 3, true));
//
// Clocking, reset, AXI4-Lite and waveforms come from AxilHarness
// (axil_harness.h); this class adds the two AXI-Stream ports.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "vshard/descriptor.h"
#include "vshard/sim/axil_harness.h"

namespace vshard::sim {

struct HarnessOptions {
  // Seeds the stall pattern of both streams and Verilator's randomised
  // initial/X values (--x-initial unique, --x-assign unique).
  uint64_t seed = 1;
  // Per-cycle probability that the harness withholds a new event (ingress
  // tvalid) and that it drops decision tready (egress back-pressure).
  double event_stall_prob = 0.0;
  double decision_stall_prob = 0.0;
  // FST waveform file; empty = no waveform (start_trace() can open one later).
  std::string trace_path;
  // Deadline of one AXI4-Lite access, in cycles.
  uint64_t axi_timeout_cycles = 1000;
  // Deadline for idle_o after reset (the engine may sweep its tables).
  uint64_t reset_timeout_cycles = 200000;
};

// One decision as it left the engine.
struct ReceivedDecision {
  Decision decision;
  bool tlast = false;        // m_axis_dec_tlast_o at the handshake
  uint64_t valid_cycle = 0;  // first cycle tvalid was high for it
  uint64_t fire_cycle = 0;   // cycle of the tvalid && tready handshake
};

class Harness : public AxilHarness {
 public:
  using Factory = std::unique_ptr<Harness> (*)(const HarnessOptions&);

  // Creates the engine of a linked-in configuration ("small", "large").
  // Throws vshard::Error(kBadConfig) naming the configurations available.
  static std::unique_ptr<Harness> create(const std::string& config, const HarnessOptions& opts = {});
  // Names of the configurations linked into this binary, sorted.
  static std::vector<std::string> configs();
  // Used by each configuration library to make itself known.
  static void register_config(const char* name, Factory factory);

  ~Harness() override;

  // reset(), tick(), cycle(), freeze(), idle(), read32(), write32(),
  // last_resp(), start_trace() and stop_trace(): see AxilHarness. reset()
  // drops events not yet accepted and decisions not yet popped.

  // ---- event stream (host -> engine) -------------------------------------
  // Queues an event; it is presented on s_axis_evt as the stall pattern allows.
  void push(const Event& ev) { evt_queue_.push_back(ev); }
  size_t events_pending() const { return evt_queue_.size(); }
  uint64_t events_accepted() const { return events_accepted_; }
  // Called with each event and the cycle of its tvalid && tready handshake.
  std::function<void(const Event&, uint64_t cycle)> on_accept;

  // ---- decision stream (engine -> host) ----------------------------------
  bool pop(ReceivedDecision& out);
  bool pop(Decision& out);
  size_t decisions_available() const { return dec_queue_.size(); }
  uint64_t decisions_received() const { return decisions_received_; }

  // Stall probabilities (per cycle), changeable at any time.
  void set_stalls(double event_stall_prob, double decision_stall_prob);
  // Hold ingress tvalid low / egress tready low until released.
  void hold_events(bool on) { hold_events_ = on; }
  void hold_decisions(bool on) { hold_decisions_ = on; }

  // ---- conveniences --------------------------------------------------------
  // Ticks until a decision is available and pops it.
  ReceivedDecision wait_decision(uint64_t timeout_cycles = 100000);
  // Pushes ev and returns every decision received up to and including the
  // LAST decision carrying ev.seq (earlier decisions still in the queue come
  // first).
  std::vector<Decision> exchange(const Event& ev, uint64_t timeout_cycles = 100000);
  // Ticks until every queued event is accepted and idle_o is high.
  // Decisions stay queued for pop(); egress must not be held.
  void wait_idle(uint64_t timeout_cycles = 1000000);

  // protocol_errors(): AXI-Stream protocol violations seen on the decision
  // stream (tvalid dropped or tdata changed before the handshake, tlast !=
  // LAST flag).

  // The stream pins (public for the configuration's pin copy).
  struct StreamIn {
    uint32_t evt_tdata[4] = {0, 0, 0, 0};
    bool evt_tvalid = false, dec_tready = false;
  };
  struct StreamOut {
    bool evt_tready = false;
    uint32_t dec_tdata[4] = {0, 0, 0, 0};
    bool dec_tvalid = false, dec_tlast = false;
  };

 protected:
  Harness(std::string config, Params params, const HarnessOptions& opts);
  const StreamIn& stream_in() const { return sin_; }
  StreamOut& stream_out() { return sout_; }

 private:
  void drive() override;
  void sample() override;
  void commit() override;
  void clear_state() override;
  bool coin(std::bernoulli_distribution& d, std::mt19937_64& rng);

  StreamIn sin_;
  StreamOut sout_;

  std::mt19937_64 evt_rng_, dec_rng_;
  std::bernoulli_distribution evt_stall_{0.0}, dec_stall_{0.0};
  bool hold_events_ = false, hold_decisions_ = false;

  std::deque<Event> evt_queue_;
  bool evt_presenting_ = false;
  uint64_t events_accepted_ = 0;

  std::deque<ReceivedDecision> dec_queue_;
  uint64_t decisions_received_ = 0;
  bool dec_waiting_ = false;  // tvalid seen high, handshake not yet done
  uint64_t dec_valid_since_ = 0;
  uint32_t dec_held_[4] = {0, 0, 0, 0};

  // Handshakes sampled before the last clock edge.
  bool evt_fire_ = false, dec_fire_ = false;
  ReceivedDecision fired_;
};

// Packs a descriptor into the four little-endian 32-bit words of tdata and back.
void pack_descriptor(const Descriptor& d, uint32_t words[4]);
Descriptor unpack_descriptor(const uint32_t words[4]);

}  // namespace vshard::sim
