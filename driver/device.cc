// vshard::Device: rings, validation, shadow golden model, watchdog.
#include "vshard/device.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

#include "vshard/driver/internal/backend.h"
#include "vshard/driver/internal/fifo.h"
#include "vshard/driver/internal/layout.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/spec.h"
#include "vshard/event_log.h"

namespace vshard {

static_assert(kDriverEngineVersion == regs::kVersionValue, "device.h and regs/vshard_regs.json disagree");
static_assert(cfg::kNumScalarKeys == regs::kNumScalarKeys);

using driver::Fifo;
namespace reg = driver::reg;

namespace {

std::string hex(uint64_t v, int digits = 8) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string params_text(const Params& p) {
  return "NCores=" + std::to_string(p.cores) + " NVcpus=" + std::to_string(p.vcpus) +
         " NNodes=" + std::to_string(p.nodes) + " MaxShards=" + std::to_string(p.max_shards);
}

std::string version_text(uint32_t v) {
  return std::to_string(v >> 16) + "." + std::to_string(v & 0xFFFF) + " (" + hex(v) + ")";
}

std::string describe(const Descriptor& d) {
  uint8_t raw[16];
  encode(d, raw);
  std::string bytes;
  for (uint8_t b : raw) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", b);
    bytes += buf;
  }
  return std::string(decision_type_name(d.type)) + "{type=" + hex(d.type, 2) + " flags=" + hex(d.flags, 2) +
         " vcpu=" + std::to_string(d.vcpu) + " seq=" + std::to_string(d.seq) + " core=" + std::to_string(d.core) +
         " b8=" + std::to_string(d.b8) + " c16=" + std::to_string(d.c16) + " d32=" + std::to_string(d.d32) +
         " raw=" + bytes + "}";
}

std::string describe_event(const Event& e) {
  return std::string(event_type_name(e.type)) + " seq=" + std::to_string(e.seq);
}

// Sleeps a little, never past the deadline (the waits below poll with this).
void backoff(Deadline deadline, unsigned& rounds) {
  ++rounds;
  if (rounds < 64) {
    std::this_thread::yield();
    return;
  }
  const auto now = DeviceClock::now();
  if (now >= deadline) return;
  const auto step = std::min<DeviceClock::duration>(std::chrono::microseconds(50), deadline - now);
  std::this_thread::sleep_for(step);
}

}  // namespace

// ---------------------------------------------------------------------------
// EngineConfig

EngineConfig EngineConfig::defaults(const Params& params) {
  const Model m(params);
  EngineConfig c;
  for (uint16_t key : keys(params)) c.set(key, m.config(key));
  return c;
}

static bool numa_key(uint16_t key, uint32_t& i, uint32_t& j) {
  if (key < cfg::kNumaDistBase || key >= cfg::kNumaDistBase + 64) return false;
  i = (key - cfg::kNumaDistBase) / 8;
  j = (key - cfg::kNumaDistBase) % 8;
  return true;
}

uint32_t EngineConfig::get(uint16_t key) const {
  uint32_t i, j;
  if (key < cfg::kNumScalarKeys) return scalar[key];
  if (numa_key(key, i, j)) return numa[i][j];
  throw Error(Errc::kBadConfig,
              "unknown configuration key " + hex(key, 2) + ": keys are 0x00..0x15 and NUMA_DIST 0x40 + 8i + j");
}

void EngineConfig::set(uint16_t key, uint32_t value) {
  uint32_t i, j;
  if (key < cfg::kNumScalarKeys) {
    scalar[key] = value;
    return;
  }
  if (numa_key(key, i, j)) {
    // The width and range come from the generated register map (regs/vshard_regs.json).
    if (value >> regs::kCfgNumaDistWidth) {
      throw Error(Errc::kBadConfig, config_key_name(key) + " = " + std::to_string(value) + " does not fit its " +
                                        std::to_string(regs::kCfgNumaDistWidth) + " bits (valid " +
                                        std::to_string(regs::kCfgNumaDistMin) + ".." +
                                        std::to_string(regs::kCfgNumaDistMax) + ")");
    }
    numa[i][j] = static_cast<uint8_t>(value);
    return;
  }
  throw Error(Errc::kBadConfig,
              "unknown configuration key " + hex(key, 2) + ": keys are 0x00..0x15 and NUMA_DIST 0x40 + 8i + j");
}

std::vector<uint16_t> EngineConfig::keys(const Params& params) {
  std::vector<uint16_t> k;
  for (uint16_t key = 0; key < cfg::kNumScalarKeys; ++key) k.push_back(key);
  for (uint32_t i = 0; i < params.nodes; ++i)
    for (uint32_t j = 0; j < params.nodes; ++j) k.push_back(static_cast<uint16_t>(cfg::kNumaDistBase + 8 * i + j));
  return k;
}

CommitOutcome commit_outcome(const Decision& first) {
  if ((first.type == static_cast<uint8_t>(DecisionType::kRun) ||
       first.type == static_cast<uint8_t>(DecisionType::kPreempt)) &&
      (first.flags & kFlagCommitted)) {
    return CommitOutcome::kHeld;
  }
  return CommitOutcome::kAborted;
}

// ---------------------------------------------------------------------------
// Device::Impl

class Device::Impl {
 public:
  Impl(std::string spec, std::unique_ptr<driver::Backend> backend, const DeviceOptions& opt)
      : spec_(std::move(spec)), be_(std::move(backend)), opt_(opt) {}

  void open();

  [[noreturn]] void fail(Errc code, const std::string& msg) {
    failed_ = true;
    failure_ = msg;
    throw Error(code, "device '" + spec_ + "': " + msg +
                          " The device is marked failed; take_fallback() hands over the golden "
                          "model with the device's state.");
  }
  void check_alive() const {
    if (opt_.probe_only && !mem_) {
      throw Error(Errc::kUnsupported, "device '" + spec_ +
                                          "' was opened with probe_only: register access only, no rings, "
                                          "prestaged table or configuration writes");
    }
    if (failed_) {
      throw Error(Errc::kDeviceFailed, "device '" + spec_ + "' was marked failed: " + failure_ +
                                           " Reopen it, or continue with take_fallback().");
    }
  }

  size_t try_submit(std::span<const Event> events);
  void harvest();
  void on_decision(const Decision& d, uint32_t index);
  void complete_event();
  [[noreturn]] void corrupt(uint32_t index, const Decision& d, const std::string& why);
  void wait_ctrl_clear(uint32_t mask, std::chrono::milliseconds limit);
  void write_config_reg(uint16_t key, uint32_t value);

  std::string spec_;
  std::unique_ptr<driver::Backend> be_;
  DeviceOptions opt_;
  DeviceIdentity id_;
  // Declared after be_: freed first (the backend may track it).
  std::unique_ptr<driver::HostMemory> mem_;
  uint8_t* pre_ = nullptr;
  uint8_t* evq_ = nullptr;
  uint8_t* dq_ = nullptr;
  size_t evq_off_ = 0, dq_off_ = 0;
  uint32_t evq_size_ = 0, dq_size_ = 0;
  uint32_t evq_tail_ = 0, evq_head_ = 0, dq_head_ = 0;

  Fifo<Event> inflight_{1024};
  std::vector<Decision> group_;
  Fifo<Decision> ready_{4096};
  std::optional<Model> shadow_;
  std::array<Decision, kMaxDecisionsPerEvent> expect_{};
  std::vector<Decision> golden_undelivered_;

  DriverCounters cnt_;
  bool failed_ = false;
  std::string failure_;
  DeviceClock::time_point last_progress_{};
};

void Device::Impl::wait_ctrl_clear(uint32_t mask, std::chrono::milliseconds limit) {
  const Deadline deadline = DeviceClock::now() + limit;
  unsigned rounds = 0;
  while (be_->read32(reg::kCtrl) & mask) {
    be_->service();
    if (DeviceClock::now() >= deadline) {
      fail(Errc::kTimeout, "CTRL bit " + hex(mask, 1) + " did not self-clear within " + std::to_string(limit.count()) +
                               " ms after SOFT_RESET");
    }
    backoff(deadline, rounds);
  }
}

void Device::Impl::open() {
  // ---- identity -------------------------------------------------------------
  id_.magic = be_->read32(reg::kMagic);
  if (id_.magic != reg::kMagicValue) {
    throw Error(Errc::kIdentityMismatch, "device '" + spec_ + "' is not a vShard engine: MAGIC reads " +
                                             hex(id_.magic) + ", expected " + hex(reg::kMagicValue) +
                                             " (\"VSHD\"). Check that the right bitstream/xclbin is loaded.");
  }
  id_.version = be_->read32(reg::kVersion);
  if (id_.version != opt_.expect_version) {
    throw Error(Errc::kIdentityMismatch,
                "device '" + spec_ + "' implements engine spec version " + version_text(id_.version) +
                    " but this driver expects " + version_text(opt_.expect_version) +
                    ": load a bitstream built from the matching docs/spec.md, or use the driver of "
                    "that version.");
  }
  id_.desc_bytes = be_->read32(reg::kDescBytes);
  if (id_.desc_bytes != reg::kDescBytesValue) {
    throw Error(Errc::kIdentityMismatch, "device '" + spec_ + "' reports DESC_BYTES=" + std::to_string(id_.desc_bytes) +
                                             ", the driver uses " + std::to_string(reg::kDescBytesValue) +
                                             "-byte descriptors");
  }
  id_.params = Params{be_->read32(reg::kNCores), be_->read32(reg::kNVcpus), be_->read32(reg::kNNodes),
                      be_->read32(reg::kMaxShards)};
  try {
    id_.params.validate();
  } catch (const Error& e) {
    throw Error(Errc::kIdentityMismatch, "device '" + spec_ + "' reports parameters out of range (" +
                                             params_text(id_.params) + "): " + e.what());
  }
  if (opt_.expect_params && !(*opt_.expect_params == id_.params)) {
    throw Error(Errc::kIdentityMismatch, "device '" + spec_ + "' has parameters " + params_text(id_.params) + " but " +
                                             params_text(*opt_.expect_params) +
                                             " were expected: open it with the matching config= or "
                                             "load the matching bitstream.");
  }
  const uint32_t nodes = id_.params.nodes;
  if (opt_.evq_size_log2 < 1 || opt_.evq_size_log2 > 16 || opt_.dq_size_log2 < 1 || opt_.dq_size_log2 > 16) {
    throw Error(Errc::kBadConfig,
                "ring sizes must be 2^1..2^16 descriptors (evq_size_log2=" + std::to_string(opt_.evq_size_log2) +
                    ", dq_size_log2=" + std::to_string(opt_.dq_size_log2) + ")");
  }

  if (opt_.probe_only) return;

  // ---- soft reset: engine state, configuration, counters and rings --------
  be_->write32(reg::kCtrl, reg::kCtrlEnable | reg::kCtrlSoftReset);
  wait_ctrl_clear(reg::kCtrlSoftReset, std::chrono::milliseconds(1000));

  // ---- host memory and rings ---------------------------------------------
  evq_size_ = 1u << opt_.evq_size_log2;
  dq_size_ = 1u << opt_.dq_size_log2;
  const size_t pre_bytes = (driver::prestage_table_bytes(nodes) + driver::kPage - 1) / driver::kPage * driver::kPage;
  evq_off_ = pre_bytes;
  dq_off_ = evq_off_ + size_t{16} * evq_size_;
  mem_ = be_->alloc(dq_off_ + size_t{16} * dq_size_);
  std::memset(mem_->data(), 0, mem_->size());
  mem_->sync_to_device(0, mem_->size());
  pre_ = mem_->data();
  evq_ = pre_ + evq_off_;
  dq_ = pre_ + dq_off_;
  const uint64_t base = mem_->device_address();
  const struct {
    uint32_t off;
    uint32_t value;
    const char* name;
  } ring_regs[] = {
      {reg::kEvqBaseLo, static_cast<uint32_t>(base + evq_off_), "EVQ_BASE_LO"},
      {reg::kEvqBaseHi, static_cast<uint32_t>((base + evq_off_) >> 32), "EVQ_BASE_HI"},
      {reg::kEvqSizeLog2, opt_.evq_size_log2, "EVQ_SIZE_LOG2"},
      {reg::kEvqTail, 0, "EVQ_TAIL"},
      {reg::kDqBaseLo, static_cast<uint32_t>(base + dq_off_), "DQ_BASE_LO"},
      {reg::kDqBaseHi, static_cast<uint32_t>((base + dq_off_) >> 32), "DQ_BASE_HI"},
      {reg::kDqSizeLog2, opt_.dq_size_log2, "DQ_SIZE_LOG2"},
      {reg::kDqHead, 0, "DQ_HEAD"},
      {reg::kPrestageBaseLo, static_cast<uint32_t>(base), "PRESTAGE_BASE_LO"},
      {reg::kPrestageBaseHi, static_cast<uint32_t>(base >> 32), "PRESTAGE_BASE_HI"},
  };
  for (const auto& r : ring_regs) be_->write32(r.off, r.value);
  for (const auto& r : ring_regs) {
    const uint32_t got = be_->read32(r.off);
    if (got != r.value) {
      throw Error(Errc::kDeviceFailed, "device '" + spec_ + "': ring register " + r.name + " (" + hex(r.off, 3) +
                                           ") reads back " + hex(got) + " after writing " + hex(r.value));
    }
  }
  be_->service();  // an in-process device writes the prestaged table now
  const uint32_t head = be_->read32(reg::kEvqHead), tail = be_->read32(reg::kDqTail);
  if (head != 0) {
    throw Error(Errc::kDeviceFailed, "device '" + spec_ + "': EVQ_HEAD = " + std::to_string(head) +
                                         " after SOFT_RESET and ring set-up, expected 0 (the ring front-end did "
                                         "not reset)");
  }
  if (tail != 0) {
    mem_->sync_from_device(dq_off_, 16);
    throw Error(Errc::kDeviceFailed,
                "device '" + spec_ + "': the engine wrote " + std::to_string(tail) +
                    " decision(s) although no event was submitted (first: " + describe(Decision{decode(dq_)}) +
                    "); the engine answers events "
                    "that were never sent");
  }
  if (opt_.shadow) shadow_.emplace(id_.params);
  group_.reserve(kMaxDecisionsPerEvent);
  last_progress_ = DeviceClock::now();
}

size_t Device::Impl::try_submit(std::span<const Event> events) {
  check_alive();
  if (events.empty()) return 0;
  mem_->sync_from_device(driver::kWritebackOffset, 8);
  const uint32_t head = static_cast<uint32_t>(driver::load_word(pre_ + driver::kWritebackOffset));
  if (evq_tail_ - head <= evq_size_) evq_head_ = head;
  const uint32_t free = evq_size_ - (evq_tail_ - evq_head_);
  const size_t n = std::min<size_t>(free, events.size());
  if (n < events.size()) ++cnt_.ring_full;
  if (n == 0) return 0;
  if (inflight_.empty()) last_progress_ = DeviceClock::now();
  for (size_t i = 0; i < n; ++i) {
    const uint32_t slot = (evq_tail_ + static_cast<uint32_t>(i)) & (evq_size_ - 1);
    encode(events[i], evq_ + size_t{16} * slot);
    inflight_.push(events[i]);
  }
  // Sync the written slots (the ring may wrap).
  const uint32_t first = evq_tail_ & (evq_size_ - 1);
  const size_t run1 = std::min<size_t>(n, evq_size_ - first);
  mem_->sync_to_device(evq_off_ + size_t{16} * first, 16 * run1);
  if (run1 < n) mem_->sync_to_device(evq_off_, 16 * (n - run1));
  evq_tail_ += static_cast<uint32_t>(n);
  cnt_.events_submitted += n;
  ++cnt_.doorbells;
  be_->write32(reg::kDoorbell, evq_tail_);
  return n;
}

void Device::Impl::corrupt(uint32_t index, const Decision& d, const std::string& why) {
  group_.clear();  // the event stays in flight: take_fallback() replays it
  fail(Errc::kDeviceFailed,
       "corrupt decision at decision-ring index " + std::to_string(index) + ": " + why + " (descriptor " + describe(d) +
           ")." +
           (inflight_.empty() ? std::string() : " Oldest event in flight: " + describe_event(inflight_.front()) + "."));
}

void Device::Impl::on_decision(const Decision& d, uint32_t index) {
  const Params& p = id_.params;
  if (inflight_.empty()) corrupt(index, d, "a decision arrived but no event is in flight");
  const Event& ev = inflight_.front();
  if (d.type < static_cast<uint8_t>(DecisionType::kRun) || d.type > static_cast<uint8_t>(DecisionType::kPark) ||
      d.type == static_cast<uint8_t>(DecisionType::kResume))
    corrupt(index, d, "unknown decision type " + hex(d.type, 2) + " (spec 1.1; RESUME was 1.0's)");
  if (d.seq != ev.seq)
    corrupt(index, d,
            "seq " + std::to_string(d.seq) + " does not match the oldest event in flight (seq " +
                std::to_string(ev.seq) + ")");
  const auto type = static_cast<DecisionType>(d.type);
  uint8_t allowed = kFlagLast;
  if (type == DecisionType::kRun || type == DecisionType::kPreempt) allowed |= kFlagCommitted;
  if (d.flags & ~allowed)
    corrupt(index, d, "flag bits " + hex(d.flags & ~allowed, 2) + " are not defined for this type");
  if (group_.size() + 1 > 2 + p.max_shards)
    corrupt(index, d, "more than 2 + MaxShards = " + std::to_string(2 + p.max_shards) + " decisions for one event");
  switch (type) {
    case DecisionType::kRun:
    case DecisionType::kPreempt:
    case DecisionType::kShard:
    case DecisionType::kResume:  // refused above
    case DecisionType::kPark:
      if (d.core >= p.cores) corrupt(index, d, "core " + std::to_string(d.core) + " >= NCores");
      [[fallthrough]];
    case DecisionType::kQueued:
      if (d.vcpu >= p.vcpus) corrupt(index, d, "vcpu " + std::to_string(d.vcpu) + " >= NVcpus");
      break;
    case DecisionType::kAck:
      if (d.vcpu != ev.vcpu || d.core != ev.core || d.b8 != ev.type)
        corrupt(index, d, "ACK does not echo the event's vcpu, core and type");
      break;
    case DecisionType::kAbort:
      if (ev.type != static_cast<uint8_t>(EventType::kCommit) || !group_.empty())
        corrupt(index, d, "ABORT is only the first answer to a COMMIT event");
      if (d.b8 >= p.nodes) corrupt(index, d, "node " + std::to_string(d.b8) + " >= NNodes");
      break;
    case DecisionType::kError:
      if (d.vcpu != ev.vcpu || d.core != ev.core || d.c16 != ev.type)
        corrupt(index, d, "ERROR does not echo the event's vcpu, core and type");
      if (d.b8 < static_cast<uint8_t>(ErrorCode::kBadType) || d.b8 > static_cast<uint8_t>(ErrorCode::kCapped))
        corrupt(index, d, "unknown error code " + hex(d.b8, 2));
      if (!group_.empty() || !(d.flags & kFlagLast)) corrupt(index, d, "ERROR must be the only decision of its event");
      break;
  }
  group_.push_back(d);
  if (d.flags & kFlagLast) complete_event();
}

void Device::Impl::complete_event() {
  const Event ev = inflight_.front();
  if (shadow_) {
    const size_t n = shadow_->step(ev, expect_.data());
    size_t diff = 0;
    while (diff < n && diff < group_.size() && expect_[diff] == group_[diff]) ++diff;
    if (diff < n || n != group_.size()) {
      // The golden model applied the event: its answer replaces the device's.
      golden_undelivered_.assign(expect_.begin(), expect_.begin() + static_cast<long>(n));
      inflight_.pop();
      const std::string dev = diff < group_.size() ? describe(group_[diff]) : std::string("(none)");
      const std::string gold = diff < n ? describe(expect_[diff]) : std::string("(none)");
      group_.clear();
      fail(Errc::kDeviceFailed, "decision " + std::to_string(diff) + " for event " + describe_event(ev) +
                                    " differs from the golden model: device " + dev + ", model " + gold + ".");
    }
  }
  for (const Decision& d : group_) {
    ready_.push(d);
    if (d.flags & kFlagCommitted) ++cnt_.commits_held;
    if (d.type == static_cast<uint8_t>(DecisionType::kAbort)) ++cnt_.aborts;
    if (d.type == static_cast<uint8_t>(DecisionType::kError)) ++cnt_.errors;
  }
  cnt_.decisions += group_.size();
  ++cnt_.events_completed;
  group_.clear();
  inflight_.pop();
}

void Device::Impl::harvest() {
  check_alive();
  be_->service();
  // A device that reports it stopped (e.g. the opencl backend's engine
  // refused a shard plan): its unconsumed events stay in flight.
  if (const std::string& why = be_->fault(); !why.empty()) {
    fail(Errc::kDeviceFailed, "the device reports a fault: " + why + ".");
  }
  mem_->sync_from_device(driver::kWritebackOffset, 8);
  const uint64_t wb = driver::load_word(pre_ + driver::kWritebackOffset);
  const auto head = static_cast<uint32_t>(wb);
  const auto tail = static_cast<uint32_t>(wb >> 32);
  bool progress = false;
  if (head != evq_head_) {
    if (head - evq_head_ > evq_tail_ - evq_head_) {
      fail(Errc::kDeviceFailed, "the device reports EVQ_HEAD " + std::to_string(head) +
                                    " beyond the events written (head " + std::to_string(evq_head_) + ", tail " +
                                    std::to_string(evq_tail_) + ")");
    }
    evq_head_ = head;
    progress = true;
  }
  const uint32_t n = tail - dq_head_;
  if (n > dq_size_) {
    fail(Errc::kDeviceFailed, "the device reports DQ_TAIL " + std::to_string(tail) + " more than the ring size (" +
                                  std::to_string(dq_size_) + ") ahead of DQ_HEAD " + std::to_string(dq_head_));
  }
  if (n > 0) {
    const uint32_t first = dq_head_ & (dq_size_ - 1);
    const size_t run1 = std::min<size_t>(n, dq_size_ - first);
    mem_->sync_from_device(dq_off_ + size_t{16} * first, 16 * run1);
    if (run1 < n) mem_->sync_from_device(dq_off_, 16 * (n - run1));
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t index = dq_head_ + i;
      const Decision d{decode(dq_ + size_t{16} * (index & (dq_size_ - 1)))};
      on_decision(d, index);
    }
    dq_head_ = tail;
    be_->write32(reg::kDqHead, dq_head_);
    progress = true;
  }
  const auto now = DeviceClock::now();
  if (progress || inflight_.empty()) {
    last_progress_ = now;
  } else if (now - last_progress_ > opt_.watchdog) {
    fail(Errc::kTimeout, "watchdog: " + std::to_string(inflight_.size()) + " event(s) in flight (oldest " +
                             describe_event(inflight_.front()) + ") and no progress for more than " +
                             std::to_string(opt_.watchdog.count()) + " ms (EVQ head " + std::to_string(evq_head_) +
                             ", tail " + std::to_string(evq_tail_) + "; DQ head " + std::to_string(dq_head_) + ").");
  }
}

// ---------------------------------------------------------------------------
// Device

Device::Device(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Device::~Device() = default;

std::unique_ptr<Device> Device::open(const std::string& spec, const DeviceOptions& options) {
  return driver::open_device(spec, driver::open_backend(spec), options);
}

std::unique_ptr<Device> driver::open_device(const std::string& spec, OpenedBackend ob, const DeviceOptions& options) {
  DeviceOptions opt = options;
  if (ob.expect_params) {
    if (opt.expect_params && !(*opt.expect_params == *ob.expect_params)) {
      throw Error(Errc::kBadConfig, "device spec '" + spec + "' names parameters " + params_text(*ob.expect_params) +
                                        " but the options expect " + params_text(*opt.expect_params));
    }
    opt.expect_params = ob.expect_params;
  }
  auto impl = std::make_unique<Device::Impl>(spec, std::move(ob.backend), opt);
  impl->open();
  return std::make_unique<Device>(std::move(impl));
}

const std::string& Device::spec() const { return impl_->spec_; }
const char* Device::backend_name() const { return impl_->be_->name(); }
const DeviceIdentity& Device::identity() const { return impl_->id_; }
const Params& Device::params() const { return impl_->id_.params; }

void Device::Impl::write_config_reg(uint16_t key, uint32_t value) {
  const uint32_t off = reg::config(key);
  be_->write32(off, value);
  const uint32_t got = be_->read32(off);
  if (got != value) {
    const uint32_t sticky = be_->read32(reg::kErrSticky);
    std::string why;
    if (sticky & (1u << static_cast<unsigned>(ErrorCode::kBadArg)))
      why = "; ERR_STICKY has E_BAD_ARG: value out of range";
    if (sticky & (1u << static_cast<unsigned>(ErrorCode::kCfgLocked))) why += "; ERR_STICKY has E_CFG_LOCKED";
    be_->write32(reg::kCtrl, reg::kCtrlEnable);
    throw Error(Errc::kBadConfig, "device '" + spec_ + "': configuration register " + config_key_name(key) + " (key " +
                                      hex(key, 2) + ", offset " + hex(off, 3) + ") reads back " +
                                      std::to_string(static_cast<int32_t>(got)) + " after writing " +
                                      std::to_string(static_cast<int32_t>(value)) + why +
                                      " (see docs/spec.md section 5 for valid values)");
  }
  if (shadow_ && shadow_->write_config(key, value) != ErrorCode::kNone) {
    fail(Errc::kDeviceFailed, "the device accepted " + config_key_name(key) + " = " + std::to_string(value) +
                                  " which the golden model rejects");
  }
}

void Device::apply_config(const EngineConfig& config) {
  impl_->check_alive();
  if (!impl_->inflight_.empty()) impl_->harvest();
  if (!impl_->inflight_.empty()) {
    throw Error(Errc::kBadConfig, std::to_string(impl_->inflight_.size()) +
                                      " event(s) are in flight: call drain() before changing the configuration "
                                      "(or send CONFIG events, which are ordered with the others)");
  }
  impl_->be_->write32(reg::kCtrl, 0);
  for (uint16_t key : EngineConfig::keys(params())) impl_->write_config_reg(key, config.get(key));
  impl_->be_->write32(reg::kCtrl, reg::kCtrlEnable);
  impl_->be_->service();
}

void Device::set_config(uint16_t key, uint32_t value) {
  impl_->check_alive();
  if (!regs::cfg_key_known(key) || !regs::cfg_index_ok(key, params())) {
    throw Error(Errc::kBadConfig, "configuration key " + hex(key, 2) + " does not exist for " + params_text(params()));
  }
  if (!impl_->inflight_.empty()) impl_->harvest();
  if (!impl_->inflight_.empty()) {
    throw Error(Errc::kBadConfig, "events are in flight: call drain() before set_config()");
  }
  impl_->be_->write32(reg::kCtrl, 0);
  impl_->write_config_reg(key, value);
  impl_->be_->write32(reg::kCtrl, reg::kCtrlEnable);
}

EngineConfig Device::read_config() {
  if (impl_->failed_) impl_->check_alive();
  EngineConfig c;
  for (uint16_t key : EngineConfig::keys(params())) c.set(key, impl_->be_->read32(reg::config(key)));
  return c;
}

bool Device::try_submit(const Event& ev) { return impl_->try_submit(std::span<const Event>(&ev, 1)) == 1; }

size_t Device::try_submit(std::span<const Event> events) { return impl_->try_submit(events); }

size_t Device::submit(std::span<const Event> events, Deadline deadline) {
  size_t done = 0;
  unsigned rounds = 0;
  for (;;) {
    done += impl_->try_submit(events.subspan(done));
    if (done == events.size()) return done;
    impl_->harvest();  // makes room (in-process devices) and runs the watchdog
    done += impl_->try_submit(events.subspan(done));
    if (done == events.size() || DeviceClock::now() >= deadline) return done;
    backoff(deadline, rounds);
  }
}

size_t Device::poll(Decision* out, size_t max) {
  impl_->harvest();
  size_t n = 0;
  while (n < max && !impl_->ready_.empty()) {
    out[n++] = impl_->ready_.front();
    impl_->ready_.pop();
  }
  return n;
}

size_t Device::wait(Decision* out, size_t max, Deadline deadline) {
  unsigned rounds = 0;
  for (;;) {
    const size_t n = poll(out, max);
    if (n > 0 || max == 0 || impl_->inflight_.empty() || DeviceClock::now() >= deadline) return n;
    backoff(deadline, rounds);
  }
}

bool Device::drain(Deadline deadline) {
  unsigned rounds = 0;
  for (;;) {
    impl_->harvest();
    if (impl_->inflight_.empty()) return true;
    if (DeviceClock::now() >= deadline) return false;
    backoff(deadline, rounds);
  }
}

size_t Device::in_flight() const { return impl_->inflight_.size(); }
size_t Device::ready() const { return impl_->ready_.size(); }

PrestageSnapshot Device::prestage(uint32_t node) const {
  impl_->check_alive();
  if (node >= params().nodes) {
    throw Error(Errc::kBadInput, "prestage(" + std::to_string(node) + "): node out of range, the engine has " +
                                     std::to_string(params().nodes) + " NUMA nodes");
  }
  const size_t off = driver::prestage_offset(node);
  impl_->mem_->sync_from_device(off, 8);
  const uint64_t w = driver::load_word(impl_->pre_ + off);
  const auto entry = static_cast<uint32_t>(w);
  return PrestageSnapshot{driver::pre_entry_kind(entry), driver::pre_entry_core(entry), driver::pre_entry_vcpu(entry),
                          static_cast<uint32_t>(w >> 32), static_cast<uint8_t>(node)};
}

Event Device::make_commit_event(uint32_t seq, uint16_t vcpu, const PrestageSnapshot& taken) {
  return make_commit(seq, vcpu, taken.core, taken.node, taken.epoch);
}

void Device::commit(uint32_t seq, uint16_t vcpu, const PrestageSnapshot& taken, Deadline deadline) {
  const Event ev = make_commit_event(seq, vcpu, taken);
  if (submit(std::span<const Event>(&ev, 1), deadline) != 1) {
    throw Error(Errc::kRingFull, "commit seq " + std::to_string(seq) +
                                     ": the event ring stayed full until the deadline; poll() decisions to make room");
  }
}

const DriverCounters& Device::counters() const { return impl_->cnt_; }

Counters Device::device_counters() {
  if (impl_->failed_) impl_->check_alive();
  auto& be = *impl_->be_;
  return Counters{be.read32(reg::kCntEvents),   be.read32(reg::kCntDecisions), be.read32(reg::kCntErrors),
                  be.read32(reg::kCntPreempts), be.read32(reg::kCntShards),    be.read32(reg::kCntCommits),
                  be.read32(reg::kCntAborts)};
}

uint32_t Device::read_register(uint32_t offset) {
  if (impl_->failed_) impl_->check_alive();
  if (offset % 4 != 0 || offset >= 0x1000) {
    throw Error(Errc::kBadInput, "register offset " + hex(offset, 3) + " is not a 32-bit register of the 4 KiB map");
  }
  return impl_->be_->read32(offset);
}

bool Device::failed() const { return impl_->failed_; }
const std::string& Device::failure() const { return impl_->failure_; }

Fallback Device::take_fallback() {
  Impl& d = *impl_;
  if (!d.shadow_) {
    throw Error(Errc::kUnsupported, "device '" + d.spec_ +
                                        "': no golden model to hand over (opened with shadow = false, or "
                                        "take_fallback() was already called)");
  }
  Fallback fb{std::move(*d.shadow_), {}, d.inflight_.to_vector()};
  d.shadow_.reset();
  fb.undelivered = d.ready_.to_vector();
  fb.undelivered.insert(fb.undelivered.end(), d.golden_undelivered_.begin(), d.golden_undelivered_.end());
  d.ready_.clear();
  d.inflight_.clear();
  d.group_.clear();
  d.golden_undelivered_.clear();
  if (!d.failed_) {
    d.failed_ = true;
    d.failure_ = "handed over to the software fallback (take_fallback())";
  }
  return fb;
}

void Device::inject_fault(Fault fault) { impl_->be_->inject(fault); }

void Device::load_state(const Model& state) {
  Impl& d = *impl_;
  d.check_alive();
  if (!d.inflight_.empty()) d.harvest();
  if (!d.inflight_.empty())
    throw Error(Errc::kBadConfig, "device '" + d.spec_ + "': " + std::to_string(d.inflight_.size()) +
                                      " event(s) in flight: drain() before load_state()");
  if (!(state.params() == params()))
    throw Error(Errc::kBadConfig, "device '" + d.spec_ + "' has parameters " + params_text(params()) +
                                      " but the state to load has " + params_text(state.params()));
  d.be_->load_state(state.save_state());
  if (d.shadow_) *d.shadow_ = state;
  d.harvest();
}

std::vector<std::pair<std::string, std::string>> Device::backend_details() const { return impl_->be_->details(); }

std::optional<PlannerStats> Device::planner_stats() const { return impl_->be_->planner_stats(); }

}  // namespace vshard
