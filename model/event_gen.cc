// The seeded random event generator (include/vshard/event_gen.h).
#include "vshard/event_gen.h"

#include <algorithm>
#include <utility>

namespace vshard {

EventGen::EventGen(const Params& params, uint64_t seed, const EventGenOptions& opts)
    : p_(params), rng_{seed ^ 0x5653484456534844ull}, opts_(opts) {
  p_.validate();
  vstate_.assign(p_.vcpus, kBlocked);
  parked_.assign(p_.vcpus, false);
  vcore_.assign(p_.vcpus, 0);
  vhome_.assign(p_.vcpus, 0);
  occ_.assign(p_.cores, Occ::kIdle);
  cvcpu_.assign(p_.cores, 0);
  cnode_.assign(p_.cores, 0);
  conline_.assign(p_.cores, true);
  pre_.assign(p_.nodes, PrestageEntry{});
  const Model reset_state(p_);
  for (uint16_t k = 0; k < cfg::kNumScalarKeys; ++k) defaults_[k] = reset_state.config(k);
  if (opts_.setup) build_prologue();
}

uint64_t EventGen::rand() { return rng_.next(); }

// Multiply-high bounded draw (bias below 2^-32 for the ranges used here).
uint64_t EventGen::below(uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(rand()) * n) >> 64);
}

bool EventGen::chance(double p) {
  if (p <= 0) return false;
  return rng_.unit() < p;
}

void EventGen::build_prologue() {
  // Cores spread evenly over the nodes, vCPU homes skewed (every other on node 0,
  // the rest round-robin) with varied
  // weights, and a profile with shardable blocks for about half the vCPUs.
  for (uint32_t c = 0; c < p_.cores; ++c)
    prologue_.push_back(make_core_cfg(0, static_cast<uint8_t>(c), static_cast<uint8_t>(c * p_.nodes / p_.cores), true));
  for (uint32_t v = 0; v < p_.vcpus; ++v) {
    const uint32_t home = (v % 2 == 0) ? 0 : v / 2 % p_.nodes;
    prologue_.push_back(
        make_vcpu_cfg(0, static_cast<uint16_t>(v), static_cast<uint8_t>(home), static_cast<uint8_t>(8 + below(57))));
    if (chance(0.5))
      prologue_.push_back(make_profile(0, static_cast<uint16_t>(v), static_cast<uint8_t>(2 + below(30)),
                                       static_cast<uint16_t>(5 + below(200)), random_erun()));
  }
  // Latency-class vCPUs take preference over shard targets less often with a
  // slightly wider victim radius; shard targets may be a node away.
  prologue_.push_back(make_config(0, cfg::kVictMaxDist, 25));
}

// Expected run of a PROFILE: unknown (0) a third of the time, else 1..2000 µs.
uint16_t EventGen::random_erun() { return chance(0.33) ? 0 : static_cast<uint16_t>(1 + below(2000)); }

// Cap of a VCPU_CFG: none most of the time, else 1000..30000 µs per period.
uint16_t EventGen::random_cap() { return chance(0.85) ? 0 : static_cast<uint16_t>(1000 + below(29001)); }

int EventGen::pick_vcpu(VState s) {
  for (int tries = 0; tries < 12; ++tries) {
    const uint32_t v = static_cast<uint32_t>(below(p_.vcpus));
    if (vstate_[v] == s) return static_cast<int>(v);
  }
  return -1;
}

int EventGen::pick_core_occ(Occ occ) {
  for (int tries = 0; tries < 12; ++tries) {
    const uint32_t c = static_cast<uint32_t>(below(p_.cores));
    if (conline_[c] && occ_[c] == occ) return static_cast<int>(c);
  }
  return -1;
}

int EventGen::pick_offline_core() {
  const uint32_t start = static_cast<uint32_t>(below(p_.cores));
  for (uint32_t i = 0; i < p_.cores; ++i) {
    const uint32_t c = (start + i) % p_.cores;
    if (!conline_[c]) return static_cast<int>(c);
  }
  return -1;
}

void EventGen::set_prestage(uint32_t node, const PrestageEntry& entry) {
  if (node < p_.nodes) {
    pre_[node] = entry;
    have_prestage_ = true;
  }
}

Event EventGen::next() {
  Event e;
  if (!prologue_.empty()) {
    e = prologue_.front();
    prologue_.pop_front();
  } else if (chance(opts_.bad_fraction)) {
    e = make_bad();
  } else if (chance(opts_.config_fraction)) {
    e = make_random_config();
  } else if (chance(opts_.account_fraction)) {
    e = make_account(0);
  } else if (chance(opts_.topology_fraction)) {
    e = make_topology();
  } else {
    e = make_valid();
  }
  e.seq = ++seq_;
  recent_.push_back(e);
  if (recent_.size() > 32) recent_.pop_front();
  return e;
}

Event EventGen::make_wake_or_commit(uint16_t v) {
  const bool lat = chance(opts_.lat_fraction);
  if (lat && have_prestage_ && chance(opts_.commit_fraction)) {
    const uint32_t n = vhome_[v];
    PrestageEntry pe = pre_[n];
    uint8_t core = pe.core;
    uint32_t epoch = pe.epoch;
    if (chance(opts_.stale_commit_fraction)) {
      if (chance(0.5)) epoch -= 1 + static_cast<uint32_t>(below(3));
      else core = static_cast<uint8_t>(below(p_.cores));
    }
    return make_commit(0, v, core, static_cast<uint8_t>(n), epoch);
  }
  return make_wake(0, v, lat);
}

Event EventGen::make_valid() {
  // Load steering: keep roughly 15-35% of the cores idle, so that latency
  // wakes homed on the crowded node preempt while idle cores elsewhere take
  // shards. The prologue homes half the vCPUs on node 0 to make it crowded.
  uint32_t idle = 0;
  for (uint32_t c = 0; c < p_.cores; ++c) idle += conline_[c] && occ_[c] == Occ::kIdle;
  const bool crowded = idle * 100 < p_.cores * 15;
  const bool roomy = idle * 100 > p_.cores * 35;
  // Weights of the common events (per 100).
  uint64_t r = below(100);
  if (crowded && r >= 30 && r < 48 && chance(0.5)) r = 50;  // wake -> block
  if (crowded && r >= 60 && r < 70) r = 50;                 // sched -> block
  if (roomy && r >= 48 && r < 60) r = 40;                   // block -> wake
  if (r < 30) {                                             // TICK, mostly on busy cores
    int c = pick_core_occ(chance(0.8) ? Occ::kRun : Occ::kShard);
    if (c < 0) c = pick_core_occ(Occ::kIdle);
    if (c < 0) c = static_cast<int>(below(p_.cores));
    if (!conline_[c])
      return make_util(0, static_cast<uint8_t>(c), static_cast<uint8_t>(below(256)), 3);  // offline: UTIL is valid
    const uint8_t util =
        occ_[c] == Occ::kIdle ? static_cast<uint8_t>(below(40)) : static_cast<uint8_t>(120 + below(136));
    return make_tick(0, static_cast<uint8_t>(c), util, static_cast<uint16_t>(100 + below(4000)));
  }
  if (r < 48) {  // WAKE / COMMIT of a blocked vCPU
    const int v = pick_vcpu(kBlocked);
    if (v >= 0) return make_wake_or_commit(static_cast<uint16_t>(v));
  }
  if (r < 60) {  // BLOCK of a running or queued vCPU
    int v = pick_vcpu(kRunning);
    if (v < 0) v = pick_vcpu(kQueued);
    if (v >= 0) return make_block(0, static_cast<uint16_t>(v));
  }
  if (r < 70) {  // SCHED of a queued vCPU on an idle core, preferably of its home node
    const int v = pick_vcpu(kQueued);
    int c = pick_core_occ(Occ::kIdle);
    for (int tries = 0; v >= 0 && c >= 0 && cnode_[c] != vhome_[v] && tries < 4; ++tries) {
      const int c2 = pick_core_occ(Occ::kIdle);
      if (c2 >= 0) c = c2;
    }
    if (v >= 0 && c >= 0) return make_sched(0, static_cast<uint16_t>(v), static_cast<uint8_t>(c));
  }
  if (r < 80) {  // SHARD_DONE
    const int c = pick_core_occ(Occ::kShard);
    if (c >= 0) return make_shard_done(0, cvcpu_[c], static_cast<uint8_t>(c));
  }
  if (r < 90) {  // PROFILE
    const uint16_t v = static_cast<uint16_t>(below(p_.vcpus));
    const uint8_t blocks = chance(0.8) ? static_cast<uint8_t>(2 + below(40)) : static_cast<uint8_t>(below(256));
    return make_profile(0, v, blocks, static_cast<uint16_t>(chance(0.9) ? 5 + below(300) : below(65536)),
                        random_erun());
  }
  if (r < 96) {  // UTIL
    const uint8_t c = static_cast<uint8_t>(below(p_.cores));
    return make_util(0, c, static_cast<uint8_t>(below(256)), static_cast<uint8_t>(chance(0.7) ? 3 : below(4)));
  }
  // Fallback (and the remaining share): a wake if any vCPU is blocked, else a tick.
  const int v = pick_vcpu(kBlocked);
  if (v >= 0) return make_wake_or_commit(static_cast<uint16_t>(v));
  const uint8_t c = static_cast<uint8_t>(below(p_.cores));
  if (conline_[c]) return make_tick(0, c, static_cast<uint8_t>(below(256)), static_cast<uint16_t>(below(3000)));
  return make_util(0, c, static_cast<uint8_t>(below(256)), 3);
}

Event EventGen::make_random_config() {
  const uint64_t r = below(cfg::kNumScalarKeys + 2);
  if (r >= cfg::kNumScalarKeys) {  // a NUMA distance
    const uint32_t i = static_cast<uint32_t>(below(p_.nodes)), j = static_cast<uint32_t>(below(p_.nodes));
    const uint32_t d = i == j ? 10 : static_cast<uint32_t>(12 + below(30));
    return make_config(0, static_cast<uint16_t>(cfg::kNumaDistBase + 8 * i + j), d);
  }
  const uint16_t key = static_cast<uint16_t>(r);
  uint32_t v = 0;
  switch (key) {
    case cfg::kSliceUs: v = static_cast<uint32_t>(1000 + below(64536)); break;
    case cfg::kCreditPerMs: v = static_cast<uint32_t>(below(40)); break;
    case cfg::kCreditCap: v = static_cast<uint32_t>(50 + below(3000)); break;
    case cfg::kRefillPerWeight: v = static_cast<uint32_t>(below(60)); break;
    case cfg::kLatBoost: v = static_cast<uint32_t>(below(1000)); break;
    case cfg::kUtilShift: v = static_cast<uint32_t>(below(8)); break;
    case cfg::kWakeMaxDist: v = static_cast<uint32_t>(5 + below(30)); break;
    case cfg::kVictMaxDist: v = static_cast<uint32_t>(5 + below(40)); break;
    case cfg::kVictDistShift: v = static_cast<uint32_t>(below(8)); break;
    case cfg::kVictCreditShift: v = static_cast<uint32_t>(below(16)); break;
    case cfg::kVictSliceShift: v = static_cast<uint32_t>(below(16)); break;
    case cfg::kShardEnable: v = chance(0.9) ? 1 : 0; break;
    case cfg::kMaxShards: v = static_cast<uint32_t>(chance(0.1) ? 1 : 2 + below(p_.max_shards - 1)); break;
    case cfg::kShardMinCredit: v = static_cast<uint32_t>(static_cast<int32_t>(below(1201)) - 900); break;
    case cfg::kShardUtilMax: v = static_cast<uint32_t>(128 + below(128)); break;
    case cfg::kShardMinFreq: v = static_cast<uint32_t>(chance(0.8) ? below(2) : below(4)); break;
    case cfg::kShardMaxDist: v = static_cast<uint32_t>(chance(0.8) ? 20 + below(30) : below(20)); break;
    case cfg::kLoadHotCores: v = static_cast<uint32_t>(below(p_.cores + 1)); break;
    case cfg::kKUnderLoad: v = static_cast<uint32_t>(chance(0.1) ? 1 : 2 + below(p_.max_shards - 1)); break;
    case cfg::kSyncCostUs: v = static_cast<uint32_t>(chance(0.8) ? below(150) : below(65536)); break;
    case cfg::kShardCredit: v = static_cast<uint32_t>(below(20)); break;
    case cfg::kSyncCredit: v = static_cast<uint32_t>(below(20)); break;
    default: break;
  }
  // Half the writes restore the reset value, so no setting (e.g. sharding
  // disabled) lasts for long stretches of the stream.
  if (chance(0.5)) v = defaults_[key];
  return make_config(0, key, v);
}

Event EventGen::make_topology() {
  const uint64_t r = below(4);
  if (r == 0) {  // VCPU_CFG: new home / weight
    const uint16_t v = static_cast<uint16_t>(below(p_.vcpus));
    return make_vcpu_cfg(0, v, static_cast<uint8_t>(below(p_.nodes)), static_cast<uint8_t>(1 + below(255)),
                         random_cap());
  }
  if (r == 1) {  // bring an offline core back
    const int c = pick_offline_core();
    if (c >= 0) return make_core_cfg(0, static_cast<uint8_t>(c), cnode_[c], true);
  }
  if (r == 2) {  // take an idle core offline (keeps at least one online)
    const int c = pick_core_occ(Occ::kIdle);
    if (c >= 0 && p_.cores > 1) return make_core_cfg(0, static_cast<uint8_t>(c), cnode_[c], false);
  }
  // move a core to another node (any occupancy)
  const uint8_t c = static_cast<uint8_t>(below(p_.cores));
  return make_core_cfg(0, c, static_cast<uint8_t>(below(p_.nodes)), conline_[c]);
}

Event EventGen::make_bad() {
  // E_BAD_TYPE .. E_BAD_STATE, and E_CAPPED (0x0B, 0x0C are not raised by events)
  uint32_t want = static_cast<uint32_t>(1 + below(11));
  if (want == 11) want = static_cast<uint32_t>(ErrorCode::kCapped);
  const uint16_t v_ok = static_cast<uint16_t>(below(p_.vcpus));
  const uint8_t c_ok = static_cast<uint8_t>(below(p_.cores));
  switch (static_cast<ErrorCode>(want)) {
    case ErrorCode::kBadType: {
      Event e;
      e.type = chance(0.3) ? 0 : static_cast<uint8_t>(0x0D + below(0xF3));
      e.vcpu = static_cast<uint16_t>(below(4));
      return e;
    }
    case ErrorCode::kReserved: {
      Event e = make_valid();
      switch (below(4)) {
        case 0: e.flags |= 0x80; break;
        case 1:
          if (chance(0.5)) {
            e.d32 |= 1u << below(32);
            e.type = static_cast<uint8_t>(EventType::kWake);
          } else {  // PROFILE / VCPU_CFG use d32[15:0] only (1.1)
            e = chance(0.5) ? make_profile(0, v_ok, 3, 40, 100) : make_vcpu_cfg(0, v_ok, 0, 16, 100);
            e.d32 |= 1u << (16 + below(16));
          }
          break;
        case 2:
          e = make_account(0);
          e.c16 = static_cast<uint16_t>(1 + below(65535));
          break;
        default:
          e = make_tick(0, c_ok, 1, 1);
          e.vcpu = static_cast<uint16_t>(1 + below(65535));
          break;
      }
      return e;
    }
    case ErrorCode::kBadVcpu: {
      const uint16_t v = static_cast<uint16_t>(p_.vcpus + below(65536 - p_.vcpus));
      switch (below(4)) {
        case 0: return make_wake(0, v, chance(0.5));
        case 1: return make_block(0, v);
        case 2: return make_sched(0, v, c_ok);
        default: return make_commit(0, v, c_ok, 0, 0);
      }
    }
    case ErrorCode::kBadCore:
      if (p_.cores < 256) {
        const uint8_t c = static_cast<uint8_t>(p_.cores + below(256 - p_.cores));
        switch (below(3)) {
          case 0: return make_tick(0, c, 10, 10);
          case 1: return make_util(0, c, 10, 3);
          default: return make_shard_done(0, v_ok, c);
        }
      }
      return make_wake(0, static_cast<uint16_t>(0xFFFF), false);  // NCores = 256: no bad core id exists
    case ErrorCode::kBadNode: {
      const uint8_t n = static_cast<uint8_t>(p_.nodes + below(256 - p_.nodes));
      if (chance(0.5)) return make_core_cfg(0, c_ok, n, true);
      return make_vcpu_cfg(0, v_ok, n, 16);
    }
    case ErrorCode::kBadKey: {
      const uint16_t key = chance(0.5) ? static_cast<uint16_t>(cfg::kNumScalarKeys + below(0x40 - cfg::kNumScalarKeys))
                                       : static_cast<uint16_t>(0x80 + below(0xFF80));
      return make_config(0, key, 1);
    }
    case ErrorCode::kBadArg:
      switch (below(3)) {
        case 0: return make_config(0, cfg::kSliceUs, chance(0.5) ? 0 : 65536 + static_cast<uint32_t>(below(1000)));
        case 1: return make_vcpu_cfg(0, v_ok, static_cast<uint8_t>(below(p_.nodes)), 0);
        default:
          if (p_.nodes >= 2) {
            const uint8_t n = static_cast<uint8_t>((vhome_[v_ok] + 1 + below(p_.nodes - 1)) % p_.nodes);
            return make_commit(0, v_ok, c_ok, n, 0);
          }
          return make_config(0, cfg::kMaxShards, p_.max_shards + 1);
      }
    case ErrorCode::kCoreOffline: {
      const int c = pick_offline_core();
      if (c >= 0) {
        if (chance(0.5)) return make_tick(0, static_cast<uint8_t>(c), 5, 5);
        const int v = pick_vcpu(kQueued);
        return make_sched(0, static_cast<uint16_t>(v >= 0 ? v : 0), static_cast<uint8_t>(c));
      }
      return make_topology();  // no offline core yet: this may take one offline
    }
    case ErrorCode::kCoreBusy: {
      const int c = pick_core_occ(Occ::kRun);
      if (c >= 0) {
        if (chance(0.5)) return make_core_cfg(0, static_cast<uint8_t>(c), cnode_[c], false);
        const int v = pick_vcpu(kQueued);
        return make_sched(0, static_cast<uint16_t>(v >= 0 ? v : 0), static_cast<uint8_t>(c));
      }
      return make_valid();
    }
    case ErrorCode::kCapped: {
      // SCHED of a vCPU the engine parked (known from its PARK decision)
      for (int tries = 0; tries < 12; ++tries) {
        const uint32_t v = static_cast<uint32_t>(below(p_.vcpus));
        const int c = pick_core_occ(Occ::kIdle);
        if (parked_[v] && vstate_[v] == kQueued && c >= 0)
          return make_sched(0, static_cast<uint16_t>(v), static_cast<uint8_t>(c));
      }
      // none parked now: cap a vCPU tightly so that one is parked soon
      return make_vcpu_cfg(0, v_ok, vhome_[v_ok], 16, static_cast<uint16_t>(1 + below(400)));
    }
    case ErrorCode::kBadState:
    default:
      switch (below(4)) {
        case 0: {
          const int v = pick_vcpu(kRunning);
          if (v >= 0) return make_wake(0, static_cast<uint16_t>(v), chance(0.5));
          break;
        }
        case 1: {
          const int v = pick_vcpu(kBlocked);
          if (v >= 0) return make_block(0, static_cast<uint16_t>(v));
          break;
        }
        case 2: {
          const int v = pick_vcpu(kRunning);
          const int c = pick_core_occ(Occ::kIdle);
          if (v >= 0 && c >= 0) return make_sched(0, static_cast<uint16_t>(v), static_cast<uint8_t>(c));
          break;
        }
        default: {
          const int c = pick_core_occ(Occ::kRun);
          if (c >= 0) return make_shard_done(0, cvcpu_[c], static_cast<uint8_t>(c));
          break;
        }
      }
      return make_shard_done(0, v_ok, c_ok);  // usually wrong state as well
  }
}

void EventGen::observe(const Decision& d) {
  const uint16_t v = d.vcpu;
  const uint8_t c = d.core;
  if (v >= p_.vcpus || c >= p_.cores) return;  // decisions name valid ids except ERROR/ACK echoes
  switch (static_cast<DecisionType>(d.type)) {
    case DecisionType::kRun:
      vstate_[v] = kRunning;
      vcore_[v] = c;
      occ_[c] = Occ::kRun;
      cvcpu_[c] = v;
      break;
    case DecisionType::kPreempt: {
      const uint16_t by = d.c16;
      if (by < p_.vcpus) {
        vstate_[by] = kRunning;
        vcore_[by] = c;
      }
      occ_[c] = Occ::kRun;
      cvcpu_[c] = by;
      vstate_[v] = kQueued;  // 1.1: the victim is queued, its shards run in the background
      break;
    }
    case DecisionType::kPark:
      vstate_[v] = kQueued;
      parked_[v] = true;
      if (occ_[c] == Occ::kRun && cvcpu_[c] == v) occ_[c] = Occ::kIdle;
      break;
    case DecisionType::kShard:
      occ_[c] = Occ::kShard;
      cvcpu_[c] = v;
      break;
    case DecisionType::kQueued: vstate_[v] = kQueued; break;
    case DecisionType::kAck: {
      switch (static_cast<EventType>(d.b8)) {
        case EventType::kBlock:
          if (vstate_[v] == kRunning && occ_[vcore_[v]] == Occ::kRun && cvcpu_[vcore_[v]] == v)
            occ_[vcore_[v]] = Occ::kIdle;
          vstate_[v] = kBlocked;
          break;
        case EventType::kShardDone: occ_[c] = Occ::kIdle; break;
        case EventType::kAccount: std::fill(parked_.begin(), parked_.end(), false); break;
        case EventType::kCoreCfg:
        case EventType::kVcpuCfg:
          for (const Event& e : recent_) {
            if (e.seq != d.seq) continue;
            if (e.type == static_cast<uint8_t>(EventType::kCoreCfg)) {
              cnode_[c] = e.b8;
              conline_[c] = e.flags & kFlagOnline;
            } else {
              vhome_[v] = e.b8;
            }
          }
          break;
        default: break;
      }
      break;
    }
    default: break;
  }
}

namespace {

// Appends events from gen until `events` holds `count`, stepping `model` with
// each and showing gen the decisions and prestaged entries.
void generate_into(EventGen& gen, Model& model, size_t count, std::vector<Event>& events) {
  const Params& params = gen.params();
  Decision out[kMaxDecisionsPerEvent];
  while (events.size() < count) {
    const Event e = gen.next();
    events.push_back(e);
    const size_t n = model.step(e, out);
    for (size_t k = 0; k < n; ++k) gen.observe(out[k]);
    for (uint32_t node = 0; node < params.nodes; ++node) gen.set_prestage(node, model.prestage(node));
  }
}

}  // namespace

EventLog generate_event_log(const Params& params, uint64_t seed, size_t count, const EventGenOptions& opts) {
  EventLog log;
  log.params = params;
  log.events.reserve(count);
  EventGen gen(params, seed, opts);
  Model model(params);
  generate_into(gen, model, count, log.events);
  return log;
}

std::vector<Event> sharding_stream(const Params& params, uint64_t seed, size_t count) {
  std::vector<Event> events;
  events.reserve(count);
  uint32_t cseq = 0xF0000000u;
  // Spec 1.1 WAKE order: near idle, near victim, far idle, far victim. With
  // the reset distances (10 within a node, 20 across; no CONFIG changes them
  // here), WAKE_MAX_DIST = 10 makes exactly the home node near: a latency
  // wake whose home node has no idle core preempts there while the other
  // nodes' idle cores take the shards. (0 or 255 would make all cores far or
  // all near: a preemption would then happen only with no core idle, E = 0,
  // and 1.1 would never shard.)
  const std::pair<uint16_t, uint32_t> settings[] = {{cfg::kWakeMaxDist, 10},
                                                    {cfg::kVictMaxDist, 255},
                                                    {cfg::kShardMinCredit, static_cast<uint32_t>(-32767)},
                                                    {cfg::kShardUtilMax, 255},
                                                    {cfg::kShardMaxDist, 255},
                                                    {cfg::kMaxShards, params.max_shards},
                                                    {cfg::kLoadHotCores, params.cores},
                                                    {cfg::kSyncCostUs, 20},
                                                    {cfg::kShardMinFreq, 0}};
  for (const auto& [key, value] : settings) {
    if (events.size() == count) break;
    events.push_back(make_config(cseq++, key, value));
  }
  Model model(params);
  Decision out[kMaxDecisionsPerEvent];
  for (const Event& e : events) model.step(e, out);
  EventGenOptions opts;
  opts.lat_fraction = 0.5;
  opts.config_fraction = 0;  // keep the settings above
  EventGen gen(params, seed, opts);
  generate_into(gen, model, count, events);
  return events;
}

}  // namespace vshard
