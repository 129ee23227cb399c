// vshard::sim::Harness: clocking, AXI4-Lite and AXI-Stream handling shared by
// every configuration (the verilated class is behind put/get/eval).
#include "vshard/sim/harness.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "vshard/error.h"

namespace vshard::sim {
namespace {

std::map<std::string, Harness::Factory>& registry() {
  static std::map<std::string, Harness::Factory> r;
  return r;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
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
  if (it == registry().end()) {
    std::string have;
    for (const auto& n : configs()) have += (have.empty() ? "" : ", ") + n;
    throw Error(Errc::kBadConfig, "RTL configuration '" + config + "' is not built into this binary (available: " +
                                      (have.empty() ? "none" : have) + "); use one of those");
  }
  return it->second(opts);
}

// ---- life cycle ------------------------------------------------------------------

Harness::Harness(std::string config, Params params, const HarnessOptions& opts)
    : config_(std::move(config)),
      params_(params),
      opts_(opts),
      ctx_(std::make_unique<VerilatedContext>()),
      evt_rng_(opts.seed * 0x9E3779B97F4A7C15ull + 1),
      dec_rng_(opts.seed * 0xC2B2AE3D27D4EB4Full + 2) {
  if (opts.event_stall_prob < 0 || opts.event_stall_prob >= 1 || opts.decision_stall_prob < 0 ||
      opts.decision_stall_prob >= 1)
    throw Error(Errc::kBadConfig, "stall probabilities must be in [0, 1)");
  set_stalls(opts.event_stall_prob, opts.decision_stall_prob);
  // Deterministic randomised initial values: --x-initial unique uses these.
  ctx_->randReset(2);
  ctx_->randSeed(static_cast<int>(opts.seed % 0x7FFFFFFEull) + 1);
  ctx_->fatalOnError(false);  // an RTL assertion becomes a vshard::Error, not abort()
  ctx_->traceEverOn(true);
}

void Harness::init() {
  in_ = PinsIn{};
  put(in_);
  eval();
  get(out_);
  out_idle_ = out_.idle;
  if (!opts_.trace_path.empty()) start_trace(opts_.trace_path);
}

void Harness::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  final_model();
  stop_trace();
}

Harness::~Harness() = default;

void Harness::set_stalls(double e, double d) {
  evt_stall_ = std::bernoulli_distribution(std::clamp(e, 0.0, 1.0));
  dec_stall_ = std::bernoulli_distribution(std::clamp(d, 0.0, 1.0));
}

bool Harness::coin(std::bernoulli_distribution& d, std::mt19937_64& rng) { return d.p() > 0.0 && d(rng); }

void Harness::start_trace(const std::string& path) {
  stop_trace();
  trace_ = std::make_unique<VerilatedFstC>();
  attach_trace(trace_.get());
  trace_->open(path.c_str());
  if (!trace_->isOpen()) {
    trace_.reset();
    throw Error(Errc::kIo, "cannot open FST waveform file '" + path + "'");
  }
  trace_->dump(ctx_->time());
}

void Harness::stop_trace() {
  if (!trace_) return;
  trace_->close();
  trace_.reset();
}

// ---- clocking -------------------------------------------------------------------

void Harness::check_errors() {
  if (ctx_->gotError())
    throw Error(Errc::kDeviceFailed, "the RTL stopped on an assertion or $error at cycle " + std::to_string(cycle_) +
                                         " (message above); run with a waveform (--trace) to see why");
}

void Harness::half_cycle(bool clk) {
  in_.clk = clk;
  put(in_);
  eval();
  ctx_->timeInc(5);
  if (trace_) trace_->dump(ctx_->time());
}

void Harness::protocol_error(const std::string& msg) {
  if (protocol_errors_++ == 0) first_protocol_error_ = msg;
}

void Harness::step() {
  // Drive this cycle's stream inputs.
  if (!frozen_) {
    if (!evt_presenting_ && !evt_queue_.empty() && !hold_events_ && !coin(evt_stall_, evt_rng_)) evt_presenting_ = true;
    in_.evt_tvalid = evt_presenting_;
    if (evt_presenting_) pack_descriptor(evt_queue_.front(), in_.evt_tdata);
    else std::fill(std::begin(in_.evt_tdata), std::end(in_.evt_tdata), 0u);
    in_.dec_tready = !hold_decisions_ && !coin(dec_stall_, dec_rng_);
  }
  in_.clk = false;
  put(in_);
  eval();
  get(out_);
  check_errors();
  if (frozen_) {
    // No clock edge: time passes, nothing is transferred.
    ctx_->timeInc(10);
    if (trace_) trace_->dump(ctx_->time());
    ++cycle_;
    return;
  }

  // Sample the handshakes before the rising edge (none while in reset).
  const bool evt_fire = in_.rst_n && in_.evt_tvalid && out_.evt_tready;
  const bool dec_fire = in_.rst_n && out_.dec_tvalid && in_.dec_tready;
  if (!in_.rst_n) dec_waiting_ = false;
  if (dec_waiting_) {
    if (!out_.dec_tvalid)
      protocol_error("m_axis_dec_tvalid dropped before the handshake at cycle " + std::to_string(cycle_));
    else if (!std::equal(std::begin(dec_held_), std::end(dec_held_), out_.dec_tdata))
      protocol_error("m_axis_dec_tdata changed while waiting for tready at cycle " + std::to_string(cycle_));
  }
  if (in_.rst_n && out_.dec_tvalid && !dec_waiting_) {
    dec_waiting_ = true;
    dec_valid_since_ = cycle_;
  }
  std::copy(std::begin(out_.dec_tdata), std::end(out_.dec_tdata), dec_held_);
  if (!out_.dec_tvalid) dec_waiting_ = false;

  ReceivedDecision rd;
  if (dec_fire) {
    rd.decision = Decision{unpack_descriptor(out_.dec_tdata)};
    rd.tlast = out_.dec_tlast;
    rd.valid_cycle = dec_valid_since_;
    rd.fire_cycle = cycle_;
    dec_waiting_ = false;
    if (rd.tlast != ((rd.decision.flags & kFlagLast) != 0))
      protocol_error("m_axis_dec_tlast differs from the decision's LAST flag at cycle " + std::to_string(cycle_));
  }
  ar_fire_ = in_.rst_n && in_.arvalid && out_.arready;
  r_fire_ = in_.rst_n && out_.rvalid && in_.rready;
  aw_fire_ = in_.rst_n && in_.awvalid && out_.awready;
  w_fire_ = in_.rst_n && in_.wvalid && out_.wready;
  b_fire_ = in_.rst_n && out_.bvalid && in_.bready;
  rdata_ = out_.rdata;
  rresp_ = out_.rresp;
  bresp_ = out_.bresp;

  half_cycle(true);
  half_cycle(false);
  get(out_);
  out_idle_ = out_.idle;
  check_errors();

  if (evt_fire) {
    const Event ev = evt_queue_.front();
    evt_queue_.pop_front();
    evt_presenting_ = false;
    ++events_accepted_;
    if (on_accept) on_accept(ev, cycle_);
  }
  if (dec_fire) {
    dec_queue_.push_back(rd);
    ++decisions_received_;
  }
  ++cycle_;
}

void Harness::tick(uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) step();
}

void Harness::reset(unsigned cycles) {
  evt_queue_.clear();
  dec_queue_.clear();
  evt_presenting_ = false;
  dec_waiting_ = false;
  const bool was_frozen = frozen_;
  frozen_ = false;
  PinsIn idle_in;
  idle_in.rst_n = false;
  in_ = idle_in;
  for (unsigned i = 0; i < std::max(cycles, 1u); ++i) step();
  in_.rst_n = true;
  step();
  evt_queue_.clear();
  dec_queue_.clear();
  // The engine may initialise its tables after reset: wait for idle_o.
  const uint64_t deadline = cycle_ + opts_.reset_timeout_cycles;
  while (!out_idle_) {
    if (cycle_ >= deadline) timeout("waiting for idle_o after reset", opts_.reset_timeout_cycles);
    step();
  }
  frozen_ = was_frozen;
}

[[noreturn]] void Harness::timeout(const std::string& what, uint64_t cycles) const {
  throw Error(Errc::kTimeout, what + ": no answer within " + std::to_string(cycles) + " cycles (cycle " +
                                  std::to_string(cycle_) + (frozen_ ? ", engine frozen" : "") +
                                  "); the engine is hung or not clocked");
}

// ---- AXI4-Lite -------------------------------------------------------------------

uint32_t Harness::read32(uint32_t addr) {
  const uint64_t deadline = cycle_ + opts_.axi_timeout_cycles;
  in_.araddr = static_cast<uint16_t>(addr & 0xFFF);
  in_.arvalid = true;
  in_.rready = true;
  bool addr_done = false;
  for (;;) {
    if (cycle_ >= deadline) {
      in_.arvalid = false;
      in_.rready = false;
      timeout("AXI4-Lite read of " + hex(addr), opts_.axi_timeout_cycles);
    }
    step();
    if (ar_fire_) {
      addr_done = true;
      in_.arvalid = false;
    }
    if (r_fire_ && addr_done) break;
  }
  in_.rready = false;
  last_resp_ = rresp_;
  return rdata_;
}

void Harness::write32(uint32_t addr, uint32_t data, uint8_t strb) {
  const uint64_t deadline = cycle_ + opts_.axi_timeout_cycles;
  in_.awaddr = static_cast<uint16_t>(addr & 0xFFF);
  in_.awvalid = true;
  in_.wdata = data;
  in_.wstrb = strb & 0xF;
  in_.wvalid = true;
  in_.bready = true;
  bool aw_done = false, w_done = false;
  for (;;) {
    if (cycle_ >= deadline) {
      in_.awvalid = in_.wvalid = in_.bready = false;
      timeout("AXI4-Lite write of " + hex(data) + " to " + hex(addr), opts_.axi_timeout_cycles);
    }
    step();
    if (aw_fire_) {
      aw_done = true;
      in_.awvalid = false;
    }
    if (w_fire_) {
      w_done = true;
      in_.wvalid = false;
    }
    if (b_fire_ && aw_done && w_done) break;
  }
  in_.bready = false;
  last_resp_ = bresp_;
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
  const uint64_t deadline = cycle_ + timeout_cycles;
  ReceivedDecision rd;
  while (!pop(rd)) {
    if (cycle_ >= deadline) timeout("waiting for a decision", timeout_cycles);
    step();
  }
  return rd;
}

std::vector<Decision> Harness::exchange(const Event& ev, uint64_t timeout_cycles) {
  push(ev);
  const uint64_t deadline = cycle_ + timeout_cycles;
  std::vector<Decision> out;
  for (;;) {
    ReceivedDecision rd;
    while (pop(rd)) {
      out.push_back(rd.decision);
      if (rd.decision.seq == ev.seq && (rd.decision.flags & kFlagLast)) return out;
    }
    if (cycle_ >= deadline)
      timeout("waiting for the decisions of the event of type " + hex(ev.type) + ", seq " + std::to_string(ev.seq),
              timeout_cycles);
    step();
  }
}

void Harness::wait_idle(uint64_t timeout_cycles) {
  const uint64_t deadline = cycle_ + timeout_cycles;
  while (!evt_queue_.empty() || !out_idle_ || dec_waiting_) {
    if (cycle_ >= deadline) timeout("waiting for the engine to go idle", timeout_cycles);
    step();
  }
}

}  // namespace vshard::sim
