// Descriptor (de)serialisation, names and event constructors
// (docs/spec.md sections 3, 4 and 9).
#include "vshard/descriptor.h"

#include <string_view>

#include "vshard/model.h"
#include "vshard/regs.h"

namespace vshard {

void encode(const Descriptor& d, uint8_t out[16]) {
  out[0] = d.type;
  out[1] = d.flags;
  out[2] = static_cast<uint8_t>(d.vcpu);
  out[3] = static_cast<uint8_t>(d.vcpu >> 8);
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<uint8_t>(d.seq >> (8 * i));
  out[8] = d.core;
  out[9] = d.b8;
  out[10] = static_cast<uint8_t>(d.c16);
  out[11] = static_cast<uint8_t>(d.c16 >> 8);
  for (int i = 0; i < 4; ++i) out[12 + i] = static_cast<uint8_t>(d.d32 >> (8 * i));
}

Descriptor decode(const uint8_t in[16]) {
  Descriptor d;
  d.type = in[0];
  d.flags = in[1];
  d.vcpu = static_cast<uint16_t>(in[2] | (in[3] << 8));
  d.seq = static_cast<uint32_t>(in[4]) | (static_cast<uint32_t>(in[5]) << 8) | (static_cast<uint32_t>(in[6]) << 16) |
          (static_cast<uint32_t>(in[7]) << 24);
  d.core = in[8];
  d.b8 = in[9];
  d.c16 = static_cast<uint16_t>(in[10] | (in[11] << 8));
  d.d32 = static_cast<uint32_t>(in[12]) | (static_cast<uint32_t>(in[13]) << 8) | (static_cast<uint32_t>(in[14]) << 16) |
          (static_cast<uint32_t>(in[15]) << 24);
  return d;
}

// The names come from the register map's enum tables (regs/vshard_regs.json,
// generated into include/vshard/regs.h), without their prefix: "EVT_WAKE"
// is "WAKE", "DEC_PREEMPT" is "PREEMPT"; error codes keep theirs ("E_BAD_VCPU").
namespace {
const char* unprefixed(const char* name, std::string_view prefix) {
  if (name == nullptr) return "?";
  return std::string_view(name).starts_with(prefix) ? name + prefix.size() : name;
}
}  // namespace

const char* event_type_name(uint8_t type) { return unprefixed(regs::evt_type_name(type), "EVT_"); }

const char* decision_type_name(uint8_t type) { return unprefixed(regs::dec_type_name(type), "DEC_"); }

const char* error_code_name(uint8_t code) { return unprefixed(regs::err_code_name(code), ""); }

const char* prestage_kind_name(PrestageKind kind) {
  return unprefixed(regs::pre_kind_name(static_cast<uint8_t>(kind)), "PRE_");
}

namespace {
Event ev(EventType t, uint32_t seq) {
  Event e;
  e.type = static_cast<uint8_t>(t);
  e.seq = seq;
  return e;
}
}  // namespace

Event make_wake(uint32_t seq, uint16_t vcpu, bool lat) {
  Event e = ev(EventType::kWake, seq);
  e.vcpu = vcpu;
  e.flags = lat ? kFlagLat : 0;
  return e;
}

Event make_block(uint32_t seq, uint16_t vcpu) {
  Event e = ev(EventType::kBlock, seq);
  e.vcpu = vcpu;
  return e;
}

Event make_sched(uint32_t seq, uint16_t vcpu, uint8_t core) {
  Event e = ev(EventType::kSched, seq);
  e.vcpu = vcpu;
  e.core = core;
  return e;
}

Event make_tick(uint32_t seq, uint8_t core, uint8_t util_sample, uint16_t elapsed_us) {
  Event e = ev(EventType::kTick, seq);
  e.core = core;
  e.b8 = util_sample;
  e.c16 = elapsed_us;
  return e;
}

Event make_profile(uint32_t seq, uint16_t vcpu, uint8_t blocks, uint16_t block_cost_us, uint16_t erun_us) {
  Event e = ev(EventType::kProfile, seq);
  e.vcpu = vcpu;
  e.b8 = blocks;
  e.c16 = block_cost_us;
  e.d32 = erun_us;
  return e;
}

Event make_util(uint32_t seq, uint8_t core, uint8_t util, uint8_t freq) {
  Event e = ev(EventType::kUtil, seq);
  e.core = core;
  e.b8 = util;
  e.flags = freq;  // bits 1:0; higher bits are reserved (E_RESERVED) and kept to be reported
  return e;
}

Event make_shard_done(uint32_t seq, uint16_t vcpu, uint8_t core) {
  Event e = ev(EventType::kShardDone, seq);
  e.vcpu = vcpu;
  e.core = core;
  return e;
}

Event make_account(uint32_t seq) { return ev(EventType::kAccount, seq); }

Event make_config(uint32_t seq, uint16_t key, uint32_t value) {
  Event e = ev(EventType::kConfig, seq);
  e.c16 = key;
  e.d32 = value;
  return e;
}

Event make_core_cfg(uint32_t seq, uint8_t core, uint8_t node, bool online) {
  Event e = ev(EventType::kCoreCfg, seq);
  e.core = core;
  e.b8 = node;
  e.flags = online ? kFlagOnline : 0;
  return e;
}

Event make_vcpu_cfg(uint32_t seq, uint16_t vcpu, uint8_t home, uint8_t weight, uint16_t cap_us) {
  Event e = ev(EventType::kVcpuCfg, seq);
  e.vcpu = vcpu;
  e.b8 = home;
  e.c16 = weight;
  e.d32 = cap_us;
  return e;
}

Event make_commit(uint32_t seq, uint16_t vcpu, uint8_t core, uint8_t node, uint32_t epoch) {
  Event e = ev(EventType::kCommit, seq);
  e.vcpu = vcpu;
  e.core = core;
  e.b8 = node;
  e.d32 = epoch;
  return e;
}

}  // namespace vshard
