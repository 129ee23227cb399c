// vshard::Device: the host driver. One API over every backend (golden model
// in process, Verilator RTL in process, golden model with its shard planner
// on an OpenCL device, XRT card), chosen by a URI-like spec.
//
// Events go to the engine through a ring in host memory (producer index +
// doorbell register), decisions come back through a second ring; the
// prestaged table (docs/spec.md section 8) is kept in host memory by the
// device and read with no device access. See docs/driver.md.
//
// A Device is used by one thread at a time (the hypervisor's engine thread);
// it is not internally locked. prestage() only reads host memory.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "vshard/descriptor.h"
#include "vshard/error.h"
#include "vshard/model.h"

namespace vshard {

using DeviceClock = std::chrono::steady_clock;
using Deadline = DeviceClock::time_point;

// The engine version this driver (and its shadow golden model) implements.
inline constexpr uint32_t kDriverEngineVersion = 0x00010001;

// Options of Device::open. Everything has a sensible default.
struct DeviceOptions {
  // Refuse a device whose parameters differ. Unset: accept the device's
  // parameters (a "config=" in the spec sets this too).
  std::optional<Params> expect_params;
  // Refuse a device whose VERSION register differs.
  uint32_t expect_version = kDriverEngineVersion;
  // Ring sizes: 2^n descriptors of 16 bytes.
  uint32_t evq_size_log2 = 10;
  uint32_t dq_size_log2 = 12;
  // Watchdog: events in flight and no device progress for this long marks the
  // device failed (Errc::kTimeout).
  std::chrono::milliseconds watchdog{1000};
  // Keep a shadow golden model fed with every completed event: every decision
  // is checked against it and take_fallback() can hand it over.
  bool shadow = true;
  // Probe only: check the identity and give register access (identity(),
  // read_config(), device_counters(), read_register()), without the soft
  // reset and ring set-up of a normal open, so a running engine is left
  // alone. Everything ring-related then throws kUnsupported.
  bool probe_only = false;
};

// What the identity block at register offset 0 says.
struct DeviceIdentity {
  uint32_t magic = 0;
  uint32_t version = 0;
  Params params;
  uint32_t desc_bytes = 0;
};

// The whole engine configuration (docs/spec.md section 5): every scalar key
// and the NUMA distance matrix.
struct EngineConfig {
  std::array<uint32_t, cfg::kNumScalarKeys> scalar{};
  std::array<std::array<uint8_t, 8>, 8> numa{};

  // The reset values of the spec for these parameters.
  static EngineConfig defaults(const Params& params);
  // key: a scalar key or kNumaDistBase + 8i + j. Throws kBadConfig on an unknown key.
  uint32_t get(uint16_t key) const;
  void set(uint16_t key, uint32_t value);
  // Every key that exists for these parameters, in register order.
  static std::vector<uint16_t> keys(const Params& params);
  bool operator==(const EngineConfig&) const = default;
};

// A prestaged entry as the host reads it from host memory.
struct PrestageSnapshot {
  PrestageKind kind = PrestageKind::kNone;
  uint8_t core = 0;
  uint16_t vcpu = 0;
  uint32_t epoch = 0;
  uint8_t node = 0;
  bool operator==(const PrestageSnapshot&) const = default;
};

// Driver-side counters (64-bit, never wrap in practice) plus the device's.
struct DriverCounters {
  uint64_t events_submitted = 0;  // events written to the event ring
  uint64_t events_completed = 0;  // events whose LAST decision was received
  uint64_t decisions = 0;         // decisions received and validated
  uint64_t commits_held = 0;      // decisions with the COMMITTED flag
  uint64_t aborts = 0;            // ABORT decisions
  uint64_t errors = 0;            // ERROR decisions
  uint64_t ring_full = 0;         // submissions refused or delayed by a full event ring
  uint64_t doorbells = 0;         // doorbell register writes
};

// What the caller learns about a commit from the first decision of its seq.
enum class CommitOutcome { kHeld, kAborted };
// First decision of a COMMIT event's answer -> held (RUN/PREEMPT with
// COMMITTED) or aborted (ABORT, or an ERROR: the commit was not applied).
CommitOutcome commit_outcome(const Decision& first);

// The software fallback handed over by take_fallback().
struct Fallback {
  // The golden model in the device's state as of the last completed event
  // (every event in order whose decisions were all received and validated),
  // plus any event whose device answer was rejected (see `undelivered`).
  Model model;
  // Decisions the caller has not received yet: validated ones still in the
  // driver's queue, then the golden model's answer to an event whose device
  // answer was rejected as corrupt or wrong. Deliver them as if polled.
  std::vector<Decision> undelivered;
  // Events submitted but not applied to `model`, in submission order. The
  // device may or may not have processed some of them; its answers were not
  // received. Replay them into `model` (model.step) to continue.
  std::vector<Event> in_flight;
};

// Test hooks to inject device faults (model, verilator and opencl backends).
enum class Fault {
  kFreeze,          // the device stops answering (events and decisions)
  kThaw,            // ... and resumes
  kCorruptType,     // the next decision written gets an unknown type
  kCorruptSeq,      // the next decision written gets a wrong seq
  kDropLast,        // the next LAST decision written loses its LAST flag
  kCorruptPayload,  // the next decision written gets bit 0 of d32 flipped
                    // (well-formed: only the shadow golden model catches it)
  // Faults of the shard planner kernel (opencl backend only):
  kCorruptPlan,  // the next plan with K >= 2 the kernel returns has one
                 // block moved from shard 0 to shard 1 (well-formed:
                 // only the shadow golden model catches it)
  kBadPlan,      // the next plan with K >= 2 the kernel returns names
                 // its first target core twice: the engine refuses to
                 // apply it and reports an internal fault
};

// What an offloaded shard planner did since the device was opened (backend
// "opencl": the planner kernel computes the shard plan, docs/spec.md 7.3-7.4,
// of every preemption, one launch per preemption).
struct PlannerStats {
  uint64_t launches = 0;   // kernel launches = preemptions the kernel planned
  uint64_t sharded = 0;    // plans with K >= 1 (spec 1.1)
  uint64_t shards = 0;     // sum of K over those plans
  uint64_t kernel_ns = 0;  // host wall time in launches (input write, run, output read)
};

class Device {
 public:
  // spec forms: "model", "model?config=small|large|max",
  // "verilator", "verilator?config=small|large",
  // "verilator?config=small&frontend=dma" (the card top vs_card_top with its RTL DMA front-end),
  // "opencl", "opencl?config=small|large|max&device=<platform/device name part>",
  // "xrt://<index>" or "xrt://<dddd:bb:dd.f>" with "?xclbin=<path>&kernel=<engine kernel>&config=..."
  // (docs/driver.md, "XRT": a data-mover card from bitstreams/alveo or an engine with a ring front-end).
  // Checks the identity block, soft-resets the engine, programs the rings.
  // Throws vshard::Error: kBadConfig (bad spec), kDeviceNotFound (backend not
  // built / no such card), kIdentityMismatch, kTimeout.
  static std::unique_ptr<Device> open(const std::string& spec, const DeviceOptions& options = {});

  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const std::string& spec() const;
  const char* backend_name() const;
  const DeviceIdentity& identity() const;
  const Params& params() const;

  // ---- configuration: over the register interface with CTRL.ENABLE = 0 ----
  // (no events may be in flight: call drain() first). Each register is read
  // back; a mismatch throws kBadConfig naming the register.
  void apply_config(const EngineConfig& config);
  void set_config(uint16_t key, uint32_t value);
  EngineConfig read_config();

  // ---- events -------------------------------------------------------------
  // Non-blocking: false (and ring_full counted) when the event ring is full.
  bool try_submit(const Event& ev);
  // Non-blocking batch (one doorbell): returns how many were queued.
  size_t try_submit(std::span<const Event> events);
  // Blocks until all are queued or the deadline passes; returns how many were
  // queued. Decisions arriving meanwhile are kept for poll()/wait().
  size_t submit(std::span<const Event> events, Deadline deadline);
  size_t submit(std::span<const Event> events, std::chrono::nanoseconds timeout) {
    return submit(events, DeviceClock::now() + timeout);
  }

  // ---- decisions ----------------------------------------------------------
  // Decisions of completed events only (an event's group arrives whole), in
  // order. poll never blocks; wait blocks until at least one decision is
  // available or the deadline passes (then returns 0).
  size_t poll(Decision* out, size_t max);
  size_t wait(Decision* out, size_t max, Deadline deadline);
  size_t wait(Decision* out, size_t max, std::chrono::nanoseconds timeout) {
    return wait(out, max, DeviceClock::now() + timeout);
  }
  // Waits until every submitted event is answered (decisions stay queued for
  // poll). Returns false if the deadline passed first.
  bool drain(Deadline deadline);
  bool drain(std::chrono::nanoseconds timeout) { return drain(DeviceClock::now() + timeout); }
  size_t in_flight() const;
  size_t ready() const;  // decisions waiting for poll()

  // ---- prestaged table ------------------------------------------------------
  // Reads node's entry and epoch from host memory: one cache line, no device access.
  PrestageSnapshot prestage(uint32_t node) const;
  // Builds the COMMIT event for an entry the caller acted on and submits it
  // (waits for ring space until deadline). The answer arrives in the decision
  // stream under `seq`: see commit_outcome(). Throws kRingFull if no room.
  void commit(uint32_t seq, uint16_t vcpu, const PrestageSnapshot& taken, Deadline deadline);
  static Event make_commit_event(uint32_t seq, uint16_t vcpu, const PrestageSnapshot& taken);

  // ---- counters, registers, health -------------------------------------------
  const DriverCounters& counters() const;
  Counters device_counters();  // reads the device's counter registers
  uint32_t read_register(uint32_t offset);
  bool failed() const;
  const std::string& failure() const;  // empty unless failed
  // Hands over the shadow golden model (see Fallback). Marks the device failed
  // if it was not. Throws kUnsupported when opened with shadow = false.
  Fallback take_fallback();
  // Loads a complete engine state (a golden model's: configuration, cores,
  // vCPUs, prestaged table with its epochs, counters) into the device and
  // its shadow model, so the device continues exactly where `state` stands:
  // how FailoverDevice (vshard/failover.h) resynchronises a restarted
  // `vshard serve`. No events may be in flight (kBadConfig; drain() first).
  // Backends model, shm:// and udp:// (with a model engine behind serve);
  // kUnsupported elsewhere; kBadConfig for other parameters.
  void load_state(const Model& state);

  // ---- backend details ----------------------------------------------------------
  // Facts about the backend as name/value pairs for `vshard info` (e.g. the
  // OpenCL device of the opencl backend); empty when it has none.
  std::vector<std::pair<std::string, std::string>> backend_details() const;
  // The planner kernel's work (opencl backend); nullopt for other backends.
  std::optional<PlannerStats> planner_stats() const;

  // Test hook (model, verilator and opencl backends; kUnsupported elsewhere;
  // the plan faults only on opencl).
  void inject_fault(Fault fault);

  class Impl;
  explicit Device(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vshard
