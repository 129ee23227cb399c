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
// Clocking: tick() is one full clock cycle. Inputs are driven and the
// handshakes sampled before the rising edge; the rising edge then commits
// them. Every blocking call has a cycle deadline and throws
// vshard::Error(kTimeout) when it passes.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "vshard/descriptor.h"

class VerilatedContext;
class VerilatedFstC;

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

class Harness {
 public:
  using Factory = std::unique_ptr<Harness> (*)(const HarnessOptions&);

  // Creates the engine of a linked-in configuration ("small", "large").
  // Throws vshard::Error(kBadConfig) naming the configurations available.
  static std::unique_ptr<Harness> create(const std::string& config, const HarnessOptions& opts = {});
  // Names of the configurations linked into this binary, sorted.
  static std::vector<std::string> configs();
  // Used by each configuration library to make itself known.
  static void register_config(const char* name, Factory factory);

  virtual ~Harness();
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  const std::string& config() const { return config_; }
  const Params& params() const { return params_; }

  // Holds rst_ni low for `cycles` clock cycles (inputs idle), releases it
  // and waits for idle_o (kTimeout after opts.reset_timeout_cycles). Drops
  // events not yet accepted and decisions not yet popped.
  void reset(unsigned cycles = 8);
  // Advances n clock cycles (when frozen, time passes but the engine sees no
  // clock edge).
  void tick(uint64_t n = 1);
  // Clock cycles since creation (including frozen ones).
  uint64_t cycle() const { return cycle_; }
  // Stops (true) or restarts (false) clocking the engine.
  void freeze(bool on) { frozen_ = on; }
  bool frozen() const { return frozen_; }

  // idle_o after the last clock edge.
  bool idle() const { return out_idle_; }

  // ---- AXI4-Lite -----------------------------------------------------------
  // Blocking single accesses; throw vshard::Error(kTimeout) if the slave does
  // not complete within opts.axi_timeout_cycles. The response code of the
  // last access is last_resp() (0 OKAY, 2 SLVERR, 3 DECERR).
  uint32_t read32(uint32_t addr);
  void write32(uint32_t addr, uint32_t data, uint8_t strb = 0xF);
  uint8_t last_resp() const { return last_resp_; }

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

  // ---- waveform ------------------------------------------------------------
  void start_trace(const std::string& fst_path);
  void stop_trace();
  bool tracing() const { return static_cast<bool>(trace_); }

  // AXI-Stream protocol violations seen on the decision stream (tvalid
  // dropped or tdata changed before the handshake, tlast != LAST flag).
  uint64_t protocol_errors() const { return protocol_errors_; }
  const std::string& first_protocol_error() const { return first_protocol_error_; }

 protected:
  // What the harness drives into vs_top and reads back from it.
  struct PinsIn {
    bool clk = false, rst_n = false;
    uint16_t awaddr = 0;
    bool awvalid = false;
    uint32_t wdata = 0;
    uint8_t wstrb = 0;
    bool wvalid = false, bready = false;
    uint16_t araddr = 0;
    bool arvalid = false, rready = false;
    uint32_t evt_tdata[4] = {0, 0, 0, 0};
    bool evt_tvalid = false, dec_tready = false;
  };
  struct PinsOut {
    bool awready = false, wready = false;
    uint8_t bresp = 0;
    bool bvalid = false, arready = false;
    uint32_t rdata = 0;
    uint8_t rresp = 0;
    bool rvalid = false, evt_tready = false;
    uint32_t dec_tdata[4] = {0, 0, 0, 0};
    bool dec_tvalid = false, dec_tlast = false, idle = false;
  };

  // The per-configuration part: one verilated class behind these calls.
  virtual void put(const PinsIn& in) = 0;
  virtual void get(PinsOut& out) = 0;
  virtual void eval() = 0;
  virtual void attach_trace(VerilatedFstC* tfp) = 0;
  virtual void final_model() = 0;

  Harness(std::string config, Params params, const HarnessOptions& opts);
  // The derived constructor calls this once its model exists.
  void init();
  // The derived destructor calls this before its model is destroyed.
  void shutdown();
  VerilatedContext* context() { return ctx_.get(); }

 private:
  void step();
  void half_cycle(bool clk);
  void check_errors();
  bool coin(std::bernoulli_distribution& d, std::mt19937_64& rng);
  [[noreturn]] void timeout(const std::string& what, uint64_t cycles) const;
  void protocol_error(const std::string& msg);

  std::string config_;
  Params params_;
  HarnessOptions opts_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<VerilatedFstC> trace_;
  bool shut_down_ = false;

  PinsIn in_;
  PinsOut out_;
  bool out_idle_ = false;
  uint64_t cycle_ = 0;
  bool frozen_ = false;

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

  // AXI4-Lite handshakes of the last clock edge.
  bool ar_fire_ = false, r_fire_ = false, aw_fire_ = false, w_fire_ = false, b_fire_ = false;
  uint32_t rdata_ = 0;
  uint8_t rresp_ = 0, bresp_ = 0, last_resp_ = 0;

  uint64_t protocol_errors_ = 0;
  std::string first_protocol_error_;
};

// Packs a descriptor into the four little-endian 32-bit words of tdata and back.
void pack_descriptor(const Descriptor& d, uint32_t words[4]);
Descriptor unpack_descriptor(const uint32_t words[4]);

}  // namespace vshard::sim
