// vshard::sim::Harness: the AXI-Stream handling of vs_top shared by every
// configuration; clocking and AXI4-Lite are AxilHarness's (axil_harness.cc).
#include "vshard/sim/harness.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "vshard/error.h"
#include "vshard/sim/internal/hex.h"

namespace vshard::sim {
namespace {

std::map<std::string, Harness::Factory>& registry() {
  static std::map<std::string, Harness::Factory> r;
  return r;
}

using internal::hex;

ClockOptions clock_options_of(const HarnessOptions& o) {
  return ClockOptions{o.seed, o.trace_path, o.axi_timeout_cycles, o.reset_timeout_cycles};
}

}  // namespace

void pack_descriptor(const Descriptor& d, uint32_t w[4]) {
  w[0] = uint32_t{d.type} | uint32_t{d.flags} << 8 | uint32_t{d.vcpu} << 16;
  w[1] = d.seq;
  w[2] = uint32_t{d.core} | uint32_t{d.b8} << 8 | uint32_t{d.c16} << 16;
  w[3] = d.d32;
}

Descriptor unpack_descriptor(const uint32_t w[4]) {
  Descriptor d;
  d.type = static_cast<uint8_t>(w[0]);
  d.flags = static_cast<uint8_t>(w[0] >> 8);
  d.vcpu = static_cast<uint16_t>(w[0] >> 16);
  d.seq = w[1];
  d.core = static_cast<uint8_t>(w[2]);
  d.b8 = static_cast<uint8_t>(w[2] >> 8);
  d.c16 = static_cast<uint16_t>(w[2] >> 16);
  d.d32 = w[3];
  return d;
}

// ---- registry -----------------------------------------------------------------

void Harness::register_config(const char* name, Factory factory) { registry()[name] = factory; }

std::vector<std::string> Harness::configs() {
  std::vector<std::string> names;
  for (const auto& [name, f] : registry()) names.push_back(name);
  return names;
}

std::unique_ptr<Harness> Harness::create(const std::string& config, const HarnessOptions& opts) {
  auto it = registry().find(config);
  if (it == registry().end()) unknown_config("RTL", config, configs());
  return it->second(opts);
}

// ---- life cycle ------------------------------------------------------------------

Harness::Harness(std::string config, Params params, const HarnessOptions& opts)
    : AxilHarness(std::move(config), params, clock_options_of(opts)),
      evt_rng_(opts.seed * 0x9E3779B97F4A7C15ull + 1),
      dec_rng_(opts.seed * 0xC2B2AE3D27D4EB4Full + 2) {
  if (opts.event_stall_prob < 0 || opts.event_stall_prob >= 1 || opts.decision_stall_prob < 0 ||
      opts.decision_stall_prob >= 1)
    throw Error(Errc::kBadConfig, "stall probabilities must be in [0, 1)");
  set_stalls(opts.event_stall_prob, opts.decision_stall_prob);
}

Harness::~Harness() = default;

void Harness::set_stalls(double e, double d) {
  evt_stall_ = std::bernoulli_distribution(std::clamp(e, 0.0, 1.0));
  dec_stall_ = std::bernoulli_distribution(std::clamp(d, 0.0, 1.0));
}

bool Harness::coin(std::bernoulli_distribution& d, std::mt19937_64& rng) { return d.p() > 0.0 && d(rng); }

void Harness::clear_state() {
  evt_queue_.clear();
  dec_queue_.clear();
  evt_presenting_ = false;
  dec_waiting_ = false;
  evt_fire_ = dec_fire_ = false;
  sin_ = StreamIn{};
}

// ---- the streams, once per clock cycle ------------------------------------------

void Harness::drive() {
  if (!evt_presenting_ && !evt_queue_.empty() && !hold_events_ && !coin(evt_stall_, evt_rng_)) evt_presenting_ = true;
  sin_.evt_tvalid = evt_presenting_;
  if (evt_presenting_) pack_descriptor(evt_queue_.front(), sin_.evt_tdata);
  else std::fill(std::begin(sin_.evt_tdata), std::end(sin_.evt_tdata), 0u);
  sin_.dec_tready = !hold_decisions_ && !coin(dec_stall_, dec_rng_);
}

void Harness::sample() {
  evt_fire_ = sin_.evt_tvalid && sout_.evt_tready;
  dec_fire_ = sout_.dec_tvalid && sin_.dec_tready;
  if (dec_waiting_) {
    if (!sout_.dec_tvalid)
      protocol_error("m_axis_dec_tvalid dropped before the handshake at cycle " + std::to_string(cycle()));
    else if (!std::equal(std::begin(dec_held_), std::end(dec_held_), sout_.dec_tdata))
      protocol_error("m_axis_dec_tdata changed while waiting for tready at cycle " + std::to_string(cycle()));
  }
  if (sout_.dec_tvalid && !dec_waiting_) {
    dec_waiting_ = true;
    dec_valid_since_ = cycle();
  }
  std::copy(std::begin(sout_.dec_tdata), std::end(sout_.dec_tdata), dec_held_);
  if (!sout_.dec_tvalid) dec_waiting_ = false;

  if (dec_fire_) {
    fired_.decision = Decision{unpack_descriptor(sout_.dec_tdata)};
    fired_.tlast = sout_.dec_tlast;
    fired_.valid_cycle = dec_valid_since_;
    fired_.fire_cycle = cycle();
    dec_waiting_ = false;
    if (fired_.tlast != ((fired_.decision.flags & kFlagLast) != 0))
      protocol_error("m_axis_dec_tlast differs from the decision's LAST flag at cycle " + std::to_string(cycle()));
  }
}

void Harness::commit() {
  if (evt_fire_) {
    const Event ev = evt_queue_.front();
    evt_queue_.pop_front();
    evt_presenting_ = false;
    ++events_accepted_;
    if (on_accept) on_accept(ev, cycle());
  }
  if (dec_fire_) {
    dec_queue_.push_back(fired_);
    ++decisions_received_;
  }
  evt_fire_ = dec_fire_ = false;
}

// ---- decisions ---------------------------------------------------------------------

bool Harness::pop(ReceivedDecision& out) {
  if (dec_queue_.empty()) return false;
  out = dec_queue_.front();
  dec_queue_.pop_front();
  return true;
}

bool Harness::pop(Decision& out) {
  ReceivedDecision rd;
  if (!pop(rd)) return false;
  out = rd.decision;
  return true;
}

ReceivedDecision Harness::wait_decision(uint64_t timeout_cycles) {
  const uint64_t deadline = cycle() + timeout_cycles;
  ReceivedDecision rd;
  while (!pop(rd)) {
    if (cycle() >= deadline) timeout("waiting for a decision", timeout_cycles);
    tick();
  }
  return rd;
}

std::vector<Decision> Harness::exchange(const Event& ev, uint64_t timeout_cycles) {
  push(ev);
  const uint64_t deadline = cycle() + timeout_cycles;
  std::vector<Decision> out;
  for (;;) {
    ReceivedDecision rd;
    while (pop(rd)) {
      out.push_back(rd.decision);
      if (rd.decision.seq == ev.seq && (rd.decision.flags & kFlagLast)) return out;
    }
    if (cycle() >= deadline)
      timeout("waiting for the decisions of the event of type " + hex(ev.type) + ", seq " + std::to_string(ev.seq),
              timeout_cycles);
    tick();
  }
}

void Harness::wait_idle(uint64_t timeout_cycles) {
  const uint64_t deadline = cycle() + timeout_cycles;
  while (!evt_queue_.empty() || !idle() || dec_waiting_) {
    if (cycle() >= deadline) timeout("waiting for the engine to go idle", timeout_cycles);
    tick();
  }
}

}  // namespace vshard::sim
