// vShard event and decision descriptors: 16 bytes, little-endian, one layout
// for every type (docs/spec.md sections 3 and 4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vshard {

// Engine parameters (docs/spec.md section 1).
struct Params {
  uint32_t cores = 8;
  uint32_t vcpus = 64;
  uint32_t nodes = 2;
  uint32_t max_shards = 4;

  static Params small() { return {8, 64, 2, 4}; }
  static Params large() { return {64, 1024, 4, 8}; }
  static Params max() { return {256, 4096, 8, 8}; }
  // "small", "large" or "max"; throws vshard::Error(kBadConfig) otherwise.
  static Params named(const std::string& name);
  // Throws vshard::Error(kBadConfig) naming the parameter out of range.
  void validate() const;
  bool operator==(const Params&) const = default;
};

enum class EventType : uint8_t {
  kWake = 0x01,
  kBlock = 0x02,
  kSched = 0x03,
  kTick = 0x04,
  kProfile = 0x05,
  kUtil = 0x06,
  kShardDone = 0x07,
  kAccount = 0x08,
  kConfig = 0x09,
  kCoreCfg = 0x0A,
  kVcpuCfg = 0x0B,
  kCommit = 0x0C,
};

enum class DecisionType : uint8_t {
  kRun = 0x01,
  kPreempt = 0x02,
  kShard = 0x03,
  kResume = 0x04,  // 1.0 only: not emitted since 1.1
  kQueued = 0x05,
  kAck = 0x06,
  kAbort = 0x07,
  kError = 0x08,
  kPark = 0x09,  // since 1.1: a capped vCPU loses its core (docs/spec.md 6.5)
};

enum class ErrorCode : uint8_t {
  kNone = 0x00,
  kBadType = 0x01,
  kReserved = 0x02,
  kBadVcpu = 0x03,
  kBadCore = 0x04,
  kBadNode = 0x05,
  kBadKey = 0x06,
  kBadArg = 0x07,
  kCoreOffline = 0x08,
  kCoreBusy = 0x09,
  kBadState = 0x0A,
  kRingOverflow = 0x0B,
  kCfgLocked = 0x0C,
  kCapped = 0x0D,  // since 1.1: SCHED of a vCPU over its cap
  kDma = 0x0E,     // card DMA front-end only (ERR_STICKY, never in a decision)
};

// Event flag bits.
inline constexpr uint8_t kFlagLat = 0x01;     // WAKE
inline constexpr uint8_t kFlagOnline = 0x01;  // CORE_CFG
// Decision flag bits.
inline constexpr uint8_t kFlagLast = 0x01;
inline constexpr uint8_t kFlagCommitted = 0x02;

// Most decisions one event can produce: ABORT + PREEMPT + MaxShards SHARDs.
inline constexpr size_t kMaxDecisionsPerEvent = 2 + 8;

// One descriptor layout serves events and decisions.
struct Descriptor {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint16_t vcpu = 0;
  uint32_t seq = 0;
  uint8_t core = 0;
  uint8_t b8 = 0;
  uint16_t c16 = 0;
  uint32_t d32 = 0;

  bool operator==(const Descriptor&) const = default;
};
static_assert(sizeof(Descriptor) == 16, "descriptor must be 16 bytes");
static_assert(offsetof(Descriptor, vcpu) == 2);
static_assert(offsetof(Descriptor, seq) == 4);
static_assert(offsetof(Descriptor, core) == 8);
static_assert(offsetof(Descriptor, b8) == 9);
static_assert(offsetof(Descriptor, c16) == 10);
static_assert(offsetof(Descriptor, d32) == 12);

// Distinct names for readability; same bits.
struct Event : Descriptor {};
struct Decision : Descriptor {};
static_assert(sizeof(Event) == 16 && sizeof(Decision) == 16);

// Little-endian (de)serialisation, independent of host byte order.
void encode(const Descriptor& d, uint8_t out[16]);
Descriptor decode(const uint8_t in[16]);

// Names ("WAKE", "PREEMPT", "E_BAD_VCPU"); "?" for unknown codes.
const char* event_type_name(uint8_t type);
const char* decision_type_name(uint8_t type);
const char* error_code_name(uint8_t code);

// Event constructors (docs/spec.md section 3).
Event make_wake(uint32_t seq, uint16_t vcpu, bool lat);
Event make_block(uint32_t seq, uint16_t vcpu);
Event make_sched(uint32_t seq, uint16_t vcpu, uint8_t core);
Event make_tick(uint32_t seq, uint8_t core, uint8_t util_sample, uint16_t elapsed_us);
Event make_profile(uint32_t seq, uint16_t vcpu, uint8_t blocks, uint16_t block_cost_us, uint16_t erun_us = 0);
Event make_util(uint32_t seq, uint8_t core, uint8_t util, uint8_t freq);
Event make_shard_done(uint32_t seq, uint16_t vcpu, uint8_t core);
Event make_account(uint32_t seq);
Event make_config(uint32_t seq, uint16_t key, uint32_t value);
Event make_core_cfg(uint32_t seq, uint8_t core, uint8_t node, bool online);
Event make_vcpu_cfg(uint32_t seq, uint16_t vcpu, uint8_t home, uint8_t weight, uint16_t cap_us = 0);
Event make_commit(uint32_t seq, uint16_t vcpu, uint8_t core, uint8_t node, uint32_t epoch);

}  // namespace vshard
