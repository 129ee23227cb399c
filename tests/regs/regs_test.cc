// The generated register constants (include/vshard/regs.h, from
// regs/vshard_regs.json) agree with the hand-written spec constants in
// descriptor.h and model.h, and with the register map of docs/spec.md.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "vshard/descriptor.h"
#include "vshard/model.h"
#include "vshard/regs.h"

int regs_standalone_probe();

namespace r = vshard::regs;
using vshard::DecisionType;
using vshard::ErrorCode;
using vshard::EventType;

namespace {

struct Expect {
  uint32_t spec;      // value from descriptor.h / model.h
  uint8_t generated;  // value from regs.h
  const char* name;   // name the generated table must give it
};

template <size_t N>
void check_enum(const std::vector<Expect>& expect, const r::EnumEntry (&table)[N], const char* (*name_of)(uint32_t)) {
  // Same number of members: a value added on one side only is caught.
  REQUIRE(expect.size() == N);
  std::set<uint32_t> seen;
  for (const Expect& e : expect) {
    INFO(e.name);
    CHECK(e.generated == e.spec);
    REQUIRE(name_of(e.spec) != nullptr);
    CHECK(std::string(name_of(e.spec)) == e.name);
    seen.insert(e.spec);
  }
  for (const r::EnumEntry& t : table) CHECK(seen.count(t.value) == 1);
}

}  // namespace

TEST_CASE("event types match descriptor.h", "[regs]") {
  check_enum({{uint32_t(EventType::kWake), r::kEvtWake, "EVT_WAKE"},
              {uint32_t(EventType::kBlock), r::kEvtBlock, "EVT_BLOCK"},
              {uint32_t(EventType::kSched), r::kEvtSched, "EVT_SCHED"},
              {uint32_t(EventType::kTick), r::kEvtTick, "EVT_TICK"},
              {uint32_t(EventType::kProfile), r::kEvtProfile, "EVT_PROFILE"},
              {uint32_t(EventType::kUtil), r::kEvtUtil, "EVT_UTIL"},
              {uint32_t(EventType::kShardDone), r::kEvtShardDone, "EVT_SHARD_DONE"},
              {uint32_t(EventType::kAccount), r::kEvtAccount, "EVT_ACCOUNT"},
              {uint32_t(EventType::kConfig), r::kEvtConfig, "EVT_CONFIG"},
              {uint32_t(EventType::kCoreCfg), r::kEvtCoreCfg, "EVT_CORE_CFG"},
              {uint32_t(EventType::kVcpuCfg), r::kEvtVcpuCfg, "EVT_VCPU_CFG"},
              {uint32_t(EventType::kCommit), r::kEvtCommit, "EVT_COMMIT"}},
             r::kEvtTypeEntries, r::evt_type_name);
  CHECK(r::evt_type_name(0) == nullptr);  // 0 is E_BAD_TYPE, never a type
  CHECK(r::evt_type_name(0x0D) == nullptr);
}

TEST_CASE("decision types match descriptor.h", "[regs]") {
  check_enum({{uint32_t(DecisionType::kRun), r::kDecRun, "DEC_RUN"},
              {uint32_t(DecisionType::kPreempt), r::kDecPreempt, "DEC_PREEMPT"},
              {uint32_t(DecisionType::kShard), r::kDecShard, "DEC_SHARD"},
              {uint32_t(DecisionType::kResume), r::kDecResume, "DEC_RESUME"},
              {uint32_t(DecisionType::kQueued), r::kDecQueued, "DEC_QUEUED"},
              {uint32_t(DecisionType::kAck), r::kDecAck, "DEC_ACK"},
              {uint32_t(DecisionType::kAbort), r::kDecAbort, "DEC_ABORT"},
              {uint32_t(DecisionType::kError), r::kDecError, "DEC_ERROR"},
              {uint32_t(DecisionType::kPark), r::kDecPark, "DEC_PARK"}},
             r::kDecTypeEntries, r::dec_type_name);
  // Spec 1.1 section 4: RESUME (0x04) is no longer emitted but its code stays
  // reserved (listed, never reused); PARK (0x09) is new; nothing past it.
  CHECK(r::kDecResume == 0x04);
  CHECK(r::kDecPark == 0x09);
  CHECK(r::dec_type_name(0) == nullptr);
  CHECK(r::dec_type_name(0x0A) == nullptr);
}

TEST_CASE("error codes match descriptor.h and ERR_STICKY bits", "[regs]") {
  check_enum({{uint32_t(ErrorCode::kNone), r::kErrNone, "E_NONE"},
              {uint32_t(ErrorCode::kBadType), r::kErrBadType, "E_BAD_TYPE"},
              {uint32_t(ErrorCode::kReserved), r::kErrReserved, "E_RESERVED"},
              {uint32_t(ErrorCode::kBadVcpu), r::kErrBadVcpu, "E_BAD_VCPU"},
              {uint32_t(ErrorCode::kBadCore), r::kErrBadCore, "E_BAD_CORE"},
              {uint32_t(ErrorCode::kBadNode), r::kErrBadNode, "E_BAD_NODE"},
              {uint32_t(ErrorCode::kBadKey), r::kErrBadKey, "E_BAD_KEY"},
              {uint32_t(ErrorCode::kBadArg), r::kErrBadArg, "E_BAD_ARG"},
              {uint32_t(ErrorCode::kCoreOffline), r::kErrCoreOffline, "E_CORE_OFFLINE"},
              {uint32_t(ErrorCode::kCoreBusy), r::kErrCoreBusy, "E_CORE_BUSY"},
              {uint32_t(ErrorCode::kBadState), r::kErrBadState, "E_BAD_STATE"},
              {uint32_t(ErrorCode::kRingOverflow), r::kErrRingOverflow, "E_RING_OVERFLOW"},
              {uint32_t(ErrorCode::kCfgLocked), r::kErrCfgLocked, "E_CFG_LOCKED"},
              {uint32_t(ErrorCode::kCapped), r::kErrCapped, "E_CAPPED"},
              {uint32_t(ErrorCode::kDma), r::kErrDma, "E_DMA"}},
             r::kErrCodeEntries, r::err_code_name);
  CHECK(r::kErrCapped == 0x0D);  // spec 1.1 section 9
  CHECK(r::kErrDma == 0x0E);     // the card's DMA front-end (ERR_STICKY only)
  CHECK(r::err_code_name(0x0F) == nullptr);
  // ERR_STICKY: bit n is error code n, for every code but 0.
  uint32_t all = 0;
  for (const r::EnumEntry& e : r::kErrCodeEntries) {
    if (e.value != 0) all |= 1u << e.value;
  }
  CHECK(r::kErrStickyMask == all);
  CHECK(r::kErrStickyBadType == 1u << r::kErrBadType);
  CHECK(r::kErrStickyCfgLocked == 1u << r::kErrCfgLocked);
  CHECK(r::kErrStickyCapped == 1u << r::kErrCapped);
  CHECK(r::kErrStickyCappedShift == 13);
  CHECK(r::kErrStickyDma == 1u << r::kErrDma);
  CHECK(r::kErrStickyMask == 0x7FFEu);  // bits 1..14: E_BAD_TYPE .. E_DMA
  CHECK(r::kErrStickyBadStateShift == r::kErrBadState);
}

TEST_CASE("state enums match model.h", "[regs]") {
  check_enum({{uint32_t(vshard::Occ::kIdle), r::kOccIdle, "OCC_IDLE"},
              {uint32_t(vshard::Occ::kRun), r::kOccRun, "OCC_RUN"},
              {uint32_t(vshard::Occ::kShard), r::kOccShard, "OCC_SHARD"}},
             r::kOccEntries, r::occ_name);
  check_enum({{uint32_t(vshard::VcpuState::kBlocked), r::kVstBlocked, "VST_BLOCKED"},
              {uint32_t(vshard::VcpuState::kQueued), r::kVstQueued, "VST_QUEUED"},
              {uint32_t(vshard::VcpuState::kRunning), r::kVstRunning, "VST_RUNNING"},
              // 1.0's SHARDED: never reached since 1.1, its encoding stays reserved
              {uint32_t(vshard::VcpuState::kSharded), r::kVstSharded, "VST_SHARDED"}},
             r::kVcpuStateEntries, r::vcpu_state_name);
  check_enum({{uint32_t(vshard::PrestageKind::kNone), r::kPreNone, "PRE_NONE"},
              {uint32_t(vshard::PrestageKind::kIdle), r::kPreIdle, "PRE_IDLE"},
              {uint32_t(vshard::PrestageKind::kPreempt), r::kPrePreempt, "PRE_PREEMPT"}},
             r::kPreKindEntries, r::pre_kind_name);
}

TEST_CASE("flag bits match descriptor.h", "[regs]") {
  CHECK(r::kEvtFlagLat == vshard::kFlagLat);
  CHECK(r::kEvtFlagOnline == vshard::kFlagOnline);
  CHECK(r::kDecFlagLast == vshard::kFlagLast);
  CHECK(r::kDecFlagCommitted == vshard::kFlagCommitted);
  CHECK(r::kEvtUtilFreq == 0x03);  // UTIL: bits1:0 freq class (spec section 3)
}

TEST_CASE("descriptor layout matches descriptor.h", "[regs]") {
  using vshard::Descriptor;
  CHECK(r::kDescriptorBytes == sizeof(Descriptor));
  struct F {
    uint32_t shift, width;
    size_t offset, size;
  };
  const F fields[] = {
      {r::kDescTypeShift, r::kDescTypeWidth, offsetof(Descriptor, type), sizeof(Descriptor::type)},
      {r::kDescFlagsShift, r::kDescFlagsWidth, offsetof(Descriptor, flags), sizeof(Descriptor::flags)},
      {r::kDescVcpuShift, r::kDescVcpuWidth, offsetof(Descriptor, vcpu), sizeof(Descriptor::vcpu)},
      {r::kDescSeqShift, r::kDescSeqWidth, offsetof(Descriptor, seq), sizeof(Descriptor::seq)},
      {r::kDescCoreShift, r::kDescCoreWidth, offsetof(Descriptor, core), sizeof(Descriptor::core)},
      {r::kDescB8Shift, r::kDescB8Width, offsetof(Descriptor, b8), sizeof(Descriptor::b8)},
      {r::kDescC16Shift, r::kDescC16Width, offsetof(Descriptor, c16), sizeof(Descriptor::c16)},
      {r::kDescD32Shift, r::kDescD32Width, offsetof(Descriptor, d32), sizeof(Descriptor::d32)},
  };
  for (const F& f : fields) {
    CHECK(f.shift == 8 * f.offset);
    CHECK(f.width == 8 * f.size);
  }
  CHECK(vshard::kMaxDecisionsPerEvent == 2 + r::kParamRanges[3].max);
}

TEST_CASE("parameters and named configurations match descriptor.h", "[regs]") {
  REQUIRE(std::size(r::kNamedConfigs) == 3);
  const vshard::Params named[] = {vshard::Params::small(), vshard::Params::large(), vshard::Params::max()};
  for (size_t i = 0; i < 3; ++i) {
    const r::EngineParams& g = r::kNamedConfigs[i].params;
    INFO(r::kNamedConfigs[i].name);
    CHECK(vshard::Params{g.cores, g.vcpus, g.nodes, g.max_shards} == named[i]);
  }
  CHECK(std::string(r::kNamedConfigs[0].name) == "small");
  CHECK(r::kParamRanges[0].max == 256);   // NCores
  CHECK(r::kParamRanges[1].max == 4096);  // NVcpus
  CHECK(r::kParamRanges[2].max == 8);     // NNodes
  CHECK(r::kParamRanges[3].min == 2);     // MaxShards
}

TEST_CASE("register offsets are the map of the spec", "[regs]") {
  CHECK(r::kMagic == 0x000);
  CHECK(r::kMagicReset == 0x56534844u);  // "VSHD"
  CHECK(r::kVersion == 0x004);
  CHECK(r::kVersionValue == (r::kSpecVersionMajor << 16 | r::kSpecVersionMinor));
  CHECK(r::kVersionValue == 0x00010001u);  // spec 1.1 section 11
  CHECK(r::kNcores == 0x008);
  CHECK(r::kNvcpus == 0x00C);
  CHECK(r::kNnodes == 0x010);
  CHECK(r::kMaxShards == 0x014);
  CHECK(r::kDescBytes == 0x018);
  CHECK(r::kDescBytesReset == 16);
  CHECK(r::kCtrl == 0x040);
  CHECK(r::kCtrlReset == r::kCtrlEnable);  // ENABLE resets to 1
  CHECK(r::kCtrlSoftReset == 0x2);
  CHECK(r::kStatus == 0x044);
  CHECK(r::kStatusIdle == 0x1);
  CHECK(r::kStatusError == 0x2);
  CHECK(r::kStatusEnabled == 0x4);
  CHECK(r::kErrSticky == 0x048);
  CHECK(r::kLastErrSeq == 0x04C);
  CHECK(r::kLastErrCode == 0x050);
  CHECK(r::kScratch == 0x054);
  CHECK(r::kEvqBaseLo == 0x080);
  CHECK(r::kEvqBaseHi == 0x084);
  CHECK(r::kEvqSizeLog2 == 0x088);
  CHECK(r::kEvqHead == 0x08C);
  CHECK(r::kEvqTail == 0x090);
  CHECK(r::kDqBaseLo == 0x094);
  CHECK(r::kDqBaseHi == 0x098);
  CHECK(r::kDqSizeLog2 == 0x09C);
  CHECK(r::kDqHead == 0x0A0);
  CHECK(r::kDqTail == 0x0A4);
  CHECK(r::kDoorbell == 0x0A8);
  CHECK(r::kPrestageBaseLo == 0x0AC);
  CHECK(r::kPrestageBaseHi == 0x0B0);
  CHECK(r::kEvents == 0x0C0);
  CHECK(r::kDecisions == 0x0C4);
  CHECK(r::kErrors == 0x0C8);
  CHECK(r::kPreempts == 0x0CC);
  CHECK(r::kShards == 0x0D0);
  CHECK(r::kCommits == 0x0D4);
  CHECK(r::kAborts == 0x0D8);
  CHECK(r::kCfg == 0x100);
  CHECK(r::cfg_numa_dist(0, 0) == 0x200);
  CHECK(r::cfg_numa_dist(7, 7) == 0x2FC);
  for (uint32_t n = 0; n < 8; ++n) {
    CHECK(r::pre_entry(n) == 0x400 + 8 * n);
    CHECK(r::pre_epoch(n) == 0x404 + 8 * n);
  }
  CHECK(r::kPreEntryKind == 0x00000003u);
  CHECK(r::kPreEntryCore == 0x0000FF00u);
  CHECK(r::kPreEntryVcpu == 0x0FFF0000u);
}

TEST_CASE("VERSION's documented reset is the spec version", "[regs]") { CHECK(r::kVersionReset == r::kVersionValue); }

TEST_CASE("register table: aligned, inside the address space, no overlap", "[regs]") {
  std::set<uint32_t> offsets;
  for (const r::RegInfo& reg : r::kRegisters) {
    INFO(reg.name);
    for (uint32_t i = 0; i < reg.count; ++i) {
      const uint32_t off = reg.offset + i * reg.stride;
      CHECK(off % 4 == 0);
      CHECK(off < (1u << r::kAddrBits));
      CHECK(offsets.insert(off).second);
    }
  }
  for (const r::CfgKeyInfo& k : r::kCfgKeys) CHECK(offsets.insert(r::cfg_offset(k.key)).second);
  for (uint32_t k = 0; k < r::kCfgNumaDistCount; ++k) {
    CHECK(offsets.insert(r::cfg_offset(r::kCfgNumaDistKey + k)).second);
  }
}

TEST_CASE("configuration keys match model.h and the spec table", "[regs]") {
  namespace cfg = vshard::cfg;
  struct K {
    uint16_t model_key;
    uint16_t generated_key;
    const char* name;
    uint32_t width;
    int64_t reset_small;  // spec section 5, for small = 8/64/2/4
  };
  const K keys[] = {
      {cfg::kSliceUs, r::kCfgSliceUsKey, "SLICE_US", 16, 30000},
      {cfg::kCreditPerMs, r::kCfgCreditPerMsKey, "CREDIT_PER_MS", 8, 10},
      {cfg::kCreditCap, r::kCfgCreditCapKey, "CREDIT_CAP", 15, 600},
      {cfg::kRefillPerWeight, r::kCfgRefillPerWeightKey, "REFILL_PER_WEIGHT", 8, 19},
      {cfg::kLatBoost, r::kCfgLatBoostKey, "LAT_BOOST", 15, 100},
      {cfg::kUtilShift, r::kCfgUtilShiftKey, "UTIL_SHIFT", 3, 2},
      {cfg::kWakeMaxDist, r::kCfgWakeMaxDistKey, "WAKE_MAX_DIST", 8, 10},
      {cfg::kVictMaxDist, r::kCfgVictMaxDistKey, "VICT_MAX_DIST", 8, 20},
      {cfg::kVictDistShift, r::kCfgVictDistShiftKey, "VICT_DIST_SHIFT", 3, 6},
      {cfg::kVictCreditShift, r::kCfgVictCreditShiftKey, "VICT_CREDIT_SHIFT", 4, 0},
      {cfg::kVictSliceShift, r::kCfgVictSliceShiftKey, "VICT_SLICE_SHIFT", 4, 5},
      {cfg::kShardEnable, r::kCfgShardEnableKey, "SHARD_ENABLE", 1, 1},
      {cfg::kMaxShards, r::kCfgMaxShardsKey, "MAX_SHARDS", 4, 4},
      {cfg::kShardMinCredit, r::kCfgShardMinCreditKey, "SHARD_MIN_CREDIT", 16, -300},
      {cfg::kShardUtilMax, r::kCfgShardUtilMaxKey, "SHARD_UTIL_MAX", 8, 192},
      {cfg::kShardMinFreq, r::kCfgShardMinFreqKey, "SHARD_MIN_FREQ", 2, 0},
      {cfg::kShardMaxDist, r::kCfgShardMaxDistKey, "SHARD_MAX_DIST", 8, 20},
      {cfg::kLoadHotCores, r::kCfgLoadHotCoresKey, "LOAD_HOT_CORES", 9, 6},
      {cfg::kKUnderLoad, r::kCfgKUnderLoadKey, "K_UNDER_LOAD", 4, 2},
      {cfg::kSyncCostUs, r::kCfgSyncCostUsKey, "SYNC_COST_US", 16, 50},
      {cfg::kShardCredit, r::kCfgShardCreditKey, "SHARD_CREDIT", 8, 4},
      {cfg::kSyncCredit, r::kCfgSyncCreditKey, "SYNC_CREDIT", 8, 2},
  };
  REQUIRE(std::size(keys) == cfg::kNumScalarKeys);
  REQUIRE(std::size(r::kCfgKeys) == r::kNumScalarKeys);
  CHECK(r::kNumScalarKeys == cfg::kNumScalarKeys);
  CHECK(r::kCfgNumaDistKey == cfg::kNumaDistBase);
  const r::EngineParams small{8, 64, 2, 4};
  for (const K& k : keys) {
    INFO(k.name);
    CHECK(k.generated_key == k.model_key);
    const r::CfgKeyInfo* info = r::cfg_key_info(k.model_key);
    REQUIRE(info != nullptr);
    CHECK(std::string(info->name) == k.name);
    CHECK(info->width == k.width);
    CHECK(r::cfg_offset(k.model_key) == 0x100 + 4u * k.model_key);
    CHECK(static_cast<int32_t>(r::cfg_reset(k.model_key, small)) == k.reset_small);
    CHECK(r::cfg_value_ok(k.model_key, r::cfg_reset(k.model_key, small), small));
  }
}

TEST_CASE("parameter-dependent resets and ranges", "[regs]") {
  const vshard::Params large = vshard::Params::large();  // 64/1024/4/8
  const vshard::Params max = vshard::Params::max();
  CHECK(r::cfg_reset(r::kCfgMaxShardsKey, large) == 4);  // min(4, 8)
  CHECK(r::cfg_reset(r::kCfgMaxShardsKey, vshard::Params{8, 64, 2, 2}) == 2);
  CHECK(r::cfg_reset(r::kCfgLoadHotCoresKey, large) == 48);  // floor(3*64/4)
  CHECK(r::cfg_reset(r::kCfgLoadHotCoresKey, vshard::Params{7, 64, 2, 4}) == 5);
  CHECK(r::cfg_reset(r::kCfgLoadHotCoresKey, max) == 192);
  CHECK(r::cfg_max(r::kCfgLoadHotCoresKey, max) == 256);
  CHECK(r::cfg_max(r::kCfgMaxShardsKey, large) == 8);
  CHECK(r::cfg_max(r::kCfgKUnderLoadKey, vshard::Params::small()) == 4);
  CHECK(r::ncores_reset(large) == 64);
  CHECK(r::max_shards_reset(max) == 8);
  for (uint32_t i = 0; i < 8; ++i) {
    for (uint32_t j = 0; j < 8; ++j) {
      const uint16_t key = r::cfg_numa_dist_key(i, j);
      CHECK(key == 0x40 + 8 * i + j);
      CHECK(r::cfg_reset(key, large) == (i == j ? 10u : 20u));
      CHECK(r::cfg_index_ok(key, large) == (i < 4 && j < 4));
    }
  }
}

TEST_CASE("configuration value checks (spec section 5)", "[regs]") {
  const vshard::Params small = vshard::Params::small();
  CHECK_FALSE(r::cfg_key_known(0x16));
  CHECK_FALSE(r::cfg_key_known(0x3F));
  CHECK(r::cfg_key_known(0x40));
  CHECK(r::cfg_key_known(0x7F));
  CHECK_FALSE(r::cfg_key_known(0x80));
  CHECK_FALSE(r::cfg_key_known(0xFFFF));
  CHECK_FALSE(r::cfg_value_ok(0x16, 0, small));
  // Boundaries.
  CHECK_FALSE(r::cfg_value_ok(r::kCfgSliceUsKey, 0, small));
  CHECK(r::cfg_value_ok(r::kCfgSliceUsKey, 65535, small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgSliceUsKey, 65536, small));
  CHECK(r::cfg_value_ok(r::kCfgCreditCapKey, 32767, small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgCreditCapKey, 32768, small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgShardEnableKey, 2, small));
  CHECK(r::cfg_value_ok(r::kCfgMaxShardsKey, 4, small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgMaxShardsKey, 5, small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgMaxShardsKey, 0, small));
  CHECK(r::cfg_value_ok(r::kCfgLoadHotCoresKey, 8, small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgLoadHotCoresKey, 9, small));
  // SHARD_MIN_CREDIT: a 32-bit two's-complement value in -32767..32767.
  CHECK(r::cfg_value_ok(r::kCfgShardMinCreditKey, static_cast<uint32_t>(-32767), small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgShardMinCreditKey, static_cast<uint32_t>(-32768), small));
  CHECK(r::cfg_value_ok(r::kCfgShardMinCreditKey, 32767, small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgShardMinCreditKey, 32768, small));
  CHECK_FALSE(r::cfg_value_ok(r::kCfgShardMinCreditKey, 0x0000FED4u, small));  // not sign-extended
  CHECK(r::cfg_reset(r::kCfgShardMinCreditKey, small) == 0xFFFFFED4u);
  // NUMA_DIST: 1..255.
  CHECK_FALSE(r::cfg_value_ok(r::cfg_numa_dist_key(0, 1), 0, small));
  CHECK(r::cfg_value_ok(r::cfg_numa_dist_key(0, 1), 255, small));
  CHECK_FALSE(r::cfg_value_ok(r::cfg_numa_dist_key(0, 1), 256, small));
  CHECK(r::cfg_index_ok(r::kCfgSliceUsKey, small));
  CHECK_FALSE(r::cfg_index_ok(r::cfg_numa_dist_key(2, 0), small));
  // Every key's value check agrees with its declared width and range.
  for (const r::CfgKeyInfo& k : r::kCfgKeys) {
    INFO(k.name);
    const int64_t hi = r::cfg_max(k.key, vshard::Params::max());
    CHECK(r::cfg_value_ok(k.key, static_cast<uint32_t>(hi), vshard::Params::max()));
    CHECK_FALSE(r::cfg_value_ok(k.key, static_cast<uint32_t>(hi + 1), vshard::Params::max()));
    CHECK(r::cfg_value_ok(k.key, static_cast<uint32_t>(k.min), vshard::Params::max()));
    if (!k.is_signed) CHECK(hi < (int64_t{1} << k.width));
  }
}

TEST_CASE("regs.h compiles standalone", "[regs]") {
  CHECK(regs_standalone_probe() == 6);  // LOAD_HOT_CORES reset of small
}
