// vshard::Model: the golden model. docs/spec.md executed sequentially:
// one event in, its decisions out. Every hardware implementation and every
// driver backend must match it bit for bit.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "vshard/descriptor.h"

namespace vshard {

enum class Occ : uint8_t { kIdle = 0, kRun = 1, kShard = 2 };
// kSharded (3) is the 1.0 encoding of a vCPU waiting for its shards; spec
// 1.1 never enters it (shards run in the background, docs/spec.md 7.4).
enum class VcpuState : uint8_t { kBlocked = 0, kQueued = 1, kRunning = 2, kSharded = 3 };
enum class PrestageKind : uint8_t { kNone = 0, kIdle = 1, kPreempt = 2 };
// "NONE", "IDLE", "PREEMPT"; "?" for any other value.
const char* prestage_kind_name(PrestageKind kind);

struct CoreState {
  uint8_t node = 0;
  bool online = true;
  uint8_t util = 0;
  uint8_t freq = 3;
  Occ occ = Occ::kIdle;
  uint16_t vcpu = 0;
  uint16_t slice = 0;
  bool operator==(const CoreState&) const = default;
};

struct VcpuInfo {
  VcpuState state = VcpuState::kBlocked;
  bool lat = false;
  int16_t credit = 0;
  uint8_t weight = 16;
  uint8_t home = 0;
  uint8_t blocks = 0;
  uint16_t bcost = 0;
  uint8_t core = 0;    // core it runs on; when not running, the core it last ran on
  uint8_t shards = 0;  // its shards still running (any state)
  uint16_t erun = 0;   // expected run per wake, µs (PROFILE), 0 = unknown
  uint16_t cap = 0;    // µs per accounting period (VCPU_CFG), 0 = uncapped
  uint16_t used = 0;   // µs charged since the last ACCOUNT (saturating)
  // Over its cap until the next ACCOUNT (docs/spec.md 6.5).
  bool parked() const { return cap != 0 && used >= cap; }
  bool operator==(const VcpuInfo&) const = default;
};

struct PrestageEntry {
  PrestageKind kind = PrestageKind::kNone;
  uint8_t core = 0;
  uint16_t vcpu = 0;
  uint32_t epoch = 0;
  bool operator==(const PrestageEntry&) const = default;
};

struct Counters {
  uint32_t events = 0;
  uint32_t decisions = 0;
  uint32_t errors = 0;
  uint32_t preempts = 0;
  uint32_t shards = 0;
  uint32_t commits = 0;
  uint32_t aborts = 0;
  bool operator==(const Counters&) const = default;
};

// Configuration keys (docs/spec.md section 5); the register at 0x100 + 4*key.
namespace cfg {
inline constexpr uint16_t kSliceUs = 0x00;
inline constexpr uint16_t kCreditPerMs = 0x01;
inline constexpr uint16_t kCreditCap = 0x02;
inline constexpr uint16_t kRefillPerWeight = 0x03;
inline constexpr uint16_t kLatBoost = 0x04;
inline constexpr uint16_t kUtilShift = 0x05;
inline constexpr uint16_t kWakeMaxDist = 0x06;
inline constexpr uint16_t kVictMaxDist = 0x07;
inline constexpr uint16_t kVictDistShift = 0x08;
inline constexpr uint16_t kVictCreditShift = 0x09;
inline constexpr uint16_t kVictSliceShift = 0x0A;
inline constexpr uint16_t kShardEnable = 0x0B;
inline constexpr uint16_t kMaxShards = 0x0C;
inline constexpr uint16_t kShardMinCredit = 0x0D;
inline constexpr uint16_t kShardUtilMax = 0x0E;
inline constexpr uint16_t kShardMinFreq = 0x0F;
inline constexpr uint16_t kShardMaxDist = 0x10;
inline constexpr uint16_t kLoadHotCores = 0x11;
inline constexpr uint16_t kKUnderLoad = 0x12;
inline constexpr uint16_t kSyncCostUs = 0x13;
inline constexpr uint16_t kShardCredit = 0x14;
inline constexpr uint16_t kSyncCredit = 0x15;
inline constexpr uint16_t kNumaDistBase = 0x40;  // + 8*i + j
inline constexpr uint16_t kNumScalarKeys = 0x16;
}  // namespace cfg

class Model;

// The shard plan of one preemption (docs/spec.md 7.3-7.4) as the engine
// applies it: K (0 = no shards, or 1..MaxShards) and, for each shard
// i < K, its target core, first block and block count. Entries at i >= K
// are ignored.
struct ShardPlan {
  uint8_t k = 0;
  std::array<uint8_t, 8> target{};
  std::array<uint8_t, 8> first{};
  std::array<uint8_t, 8> count{};
  bool operator==(const ShardPlan&) const = default;
};

// Optional hook: supplies the shard plan of every preemption in place of the
// model's own 7.3-7.4 rules (the driver's `opencl` backend computes it with
// the planner kernel on an OpenCL device). Everything else stays the model's.
class ShardPlanner {
 public:
  virtual ~ShardPlanner() = default;
  // Called once per preemption (WAKE rules 3 and 5, also inside COMMIT)
  // before the event changes any state: `model` is in its state before the
  // event, core `victim_core` runs the victim (occ RUN) and `preemptor` is
  // the waking vCPU (its erun sizes the shards, docs/spec.md 7.4). May throw
  // vshard::Error.
  virtual ShardPlan plan(const Model& model, uint32_t victim_core, uint16_t preemptor) = 0;
};

class Model {
 public:
  // Throws vshard::Error(kBadConfig) if params are out of range.
  explicit Model(const Params& params);
  Model(const Model&);
  Model& operator=(const Model&);
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  const Params& params() const;

  // Processes one event. Writes its decisions to out (room for
  // kMaxDecisionsPerEvent) and returns how many. Allocates nothing.
  // With a shard planner set (set_shard_planner), step passes on any Error
  // the planner throws and throws Error(kBadInput) for a plan that would break
  // the state's invariants (K above MaxShards or above MaxShards - shards of
  // the victim, a target that is not an online idle core or is named twice,
  // more blocks handed out than the victim has); in both cases the event changed
  // nothing, not even the counters. A plan within those limits is applied
  // as given, right or wrong.
  size_t step(const Event& ev, Decision* out);
  // Convenience: appends the decisions to out.
  void step(const Event& ev, std::vector<Decision>& out);

  // Back to the reset state of docs/spec.md (a shard planner stays set).
  void reset();

  // The shard planner hook (see ShardPlanner); nullptr (the default) means
  // the model's own rules, at unchanged speed. Not owned: it must outlive
  // its use. A copy of the model does not inherit it (a move does).
  void set_shard_planner(ShardPlanner* planner);
  ShardPlanner* shard_planner() const;
  // The plan the model's own rules give now for a preemption of the vCPU on
  // victim_core by the vCPU `preemptor`. Throws Error(kBadInput) unless that
  // core runs a whole vCPU and the preemptor exists.
  ShardPlan own_shard_plan(uint32_t victim_core, uint16_t preemptor) const;

  const CoreState& core(uint32_t c) const;
  const VcpuInfo& vcpu(uint32_t v) const;
  PrestageEntry prestage(uint32_t node) const;
  // Configuration value of a key (as the register reads); throws on unknown key.
  uint32_t config(uint16_t key) const;
  // Applies a configuration write with the CONFIG checks; returns kNone or the error.
  ErrorCode write_config(uint16_t key, uint32_t value);
  const Counters& counters() const;
  uint32_t err_sticky() const;
  uint32_t last_err_seq() const;
  uint8_t last_err_code() const;
  void clear_err_sticky(uint32_t w1c_mask);
  // Sets sticky bit `code` without an ERROR decision: for the register
  // interface (docs/spec.md 5 and 9), e.g. a rejected write_config over
  // AXI4-Lite sets E_BAD_ARG, a write while enabled E_CFG_LOCKED. write_config
  // itself only checks and applies; the register block decides which bit.
  void set_err_sticky(ErrorCode code);

  // ---- state snapshots ----------------------------------------------------
  // The whole engine state (configuration, cores, vCPUs, prestaged table
  // with its epochs, counters, sticky error and LAST_ERR_*) as bytes, so an
  // engine elsewhere (`vshard serve`, docs/offload.md) can continue exactly
  // where this one stands: a model loaded from save_state() gives the same
  // decisions, table and counters as this one for every event stream.
  // Format "VSMS" version 1, little-endian, kStateBytes(params) long.
  std::vector<uint8_t> save_state() const;
  // Loads a snapshot in place (a shard planner stays set). Throws
  // Error(kBadInput) naming the field for a snapshot that is truncated, of
  // other parameters, or whose state breaks a range or an invariant of
  // docs/spec.md section 10; the model is then unchanged.
  void load_state(const uint8_t* data, size_t size);
  static size_t state_bytes(const Params& params);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Slow, direct definitions from the model's public state (docs/spec.md 7.1,
// 7.2 and 8), kept as the reference for the model's incremental searches;
// tests compare them after every event. -1 when the core does not exist.
int reference_idle(const Model& m, uint32_t node);
int reference_victim(const Model& m, uint32_t node);
// {kind, core, vcpu} recomputed directly; epoch copied from m.prestage(node).
PrestageEntry reference_prestage(const Model& m, uint32_t node);

// floor(b / k) by the spec's reciprocal table (docs/spec.md 7.4), k in 1..8.
uint32_t spec_div(uint32_t b, uint32_t k);

// clamp(x, -cap, cap) as int16_t (docs/spec.md 6): every credit update of the
// model. Exposed for the RTL cell bench of vs_credit (tests/rtl/cells).
int16_t spec_clamp_credit(int32_t x, int32_t cap);

// docs/spec.md 7.3 / 7.4 from the counts of the core scan: K and s(K) of a
// preemption whose victim passed the other candidate conditions (SHARD_ENABLE,
// no shard running, credit gate). The model's shard plan and the RTL cell
// bench of vs_shard_size (tests/rtl/cells) both use it.
struct ShardSizeIn {
  uint32_t blocks = 0;            // B, 0..255
  uint32_t bcost = 0;             // block cost in us, 0..65535
  uint32_t erun = 0;              // expected run of the preemptor in us, 0..65535
  uint32_t sync = 0;              // SYNC_COST_US
  uint32_t elig = 0;              // E, shard-eligible cores
  uint32_t hot = 0;               // H, hot online cores
  uint32_t max_shards = 0;        // MAX_SHARDS register
  uint32_t load_hot = 0;          // LOAD_HOT_CORES
  uint32_t k_under_load = 0;      // K_UNDER_LOAD
  uint32_t max_shards_param = 8;  // the MaxShards parameter, 2..8
};
struct ShardSize {
  uint32_t k = 0;  // K, 0 = no shards
  uint32_t s = 0;  // s(K), blocks per shard (0 when K = 0)
};
ShardSize spec_shard_size(const ShardSizeIn& in);

}  // namespace vshard
