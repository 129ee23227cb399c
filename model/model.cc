// vshard::Model: docs/spec.md executed sequentially.
//
// The straightforward parts (checks, state updates, decisions) follow the
// spec's text line by line. The one hot spot is the prestaged table
// (section 8), recomputed after every event: a direct recomputation costs
// NNodes x NCores key evaluations per event. Instead the model keeps, per
// NUMA node g *of the cores* (a "group"), the minimum over the group's cores
// of the two keys that do not depend on the waking vCPU's home node:
//
//   idle key   {util [8], core [9]}                  over idle cores
//   victim key {base cost [17], core [9]}            over victim candidates
//              base = ((credit + 32768) >> VICT_CREDIT_SHIFT) + (slice >> VICT_SLICE_SHIFT)
//
// Within a group the distance term (and, for victims, the spec 1.1 `far`
// bit, dist > WAKE_MAX_DIST) is the same for every core, so
// idle(n) and victim(n) are the minimum over groups of the group minimum
// plus the distance term of (n, g): an O(NNodes^2) combine. A core whose key
// changes updates its group minimum in O(1) when the key improves; only when
// the group's current argmin gets worse (or leaves) is the group rescanned.
// reference.cc keeps the direct definition; tests compare the two after
// every event of long random streams.
#include "vshard/model.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "vshard/error.h"
#include "vshard/regs.h"

namespace vshard {

namespace {

// model.h's key constants index reg[] and numa[][]: they must be the generated map's.
static_assert(cfg::kNumScalarKeys == regs::kNumScalarKeys);
static_assert(cfg::kNumaDistBase == regs::kCfgNumaDistKey && regs::kCfgNumaDistCount == 64);
static_assert([] {
  for (uint16_t key = 0; key < cfg::kNumScalarKeys; ++key)
    if (regs::cfg_key_info(key) == nullptr) return false;  // scalar keys are 0 .. kNumScalarKeys - 1
  return true;
}());

constexpr uint32_t kInf = 0xFFFFFFFFu;
constexpr uint32_t kR[9] = {0, 65536, 32768, 21846, 16384, 13108, 10923, 9363, 8192};

inline int16_t clamp_credit(int32_t x, int32_t cap) { return static_cast<int16_t>(std::min(std::max(x, -cap), cap)); }

}  // namespace

uint32_t spec_div(uint32_t b, uint32_t k) { return (b * kR[k]) >> 16; }

int16_t spec_clamp_credit(int32_t x, int32_t cap) { return clamp_credit(x, cap); }

ShardSize spec_shard_size(const ShardSizeIn& in) {
  ShardSize r;
  // 7.3: the candidate conditions that involve B and E
  if (in.blocks < 1 || in.blocks * in.bcost < in.sync || in.elig == 0) return r;
  const uint32_t l = in.hot >= in.load_hot ? in.k_under_load : in.max_shards_param;
  // max_shards_param also bounds K0: the same as min(B, E, MAX_SHARDS, L) when the registers are in
  // range (MAX_SHARDS, K_UNDER_LOAD <= MaxShards), and keeps spec_div's k within 1..8 when they are not.
  const uint32_t k0 = std::min({in.blocks, in.elig, in.max_shards, l, in.max_shards_param});
  // 7.4: s_T, the smallest power of two 2^j (j <= 7) with bcost << j >= T
  const uint32_t t = std::max(in.erun, in.sync);
  uint32_t s_t = 128;
  for (uint32_t j = 0; j < 8; ++j)
    if ((in.bcost << j) >= t) {
      s_t = 1u << j;
      break;
    }
  for (uint32_t k = k0; k >= 1; --k) {
    const uint32_t s_k = std::min(s_t, spec_div(in.blocks, k));
    if (s_k * in.bcost >= in.sync) {
      r.k = k;
      r.s = s_k;
      break;
    }
  }
  return r;
}

struct Model::Impl {
  Params p;
  std::vector<CoreState> cores;
  std::vector<VcpuInfo> vcpus;
  uint32_t reg[cfg::kNumScalarKeys] = {};
  uint8_t numa[8][8] = {};
  PrestageEntry pre[8];
  Counters cnt;
  uint32_t sticky = 0;
  uint32_t last_seq = 0;
  uint8_t last_code = 0;

  // Incremental search structures (see the file comment).
  std::vector<uint32_t> ikey;        // packed idle key per core, kInf if not idle
  std::vector<uint32_t> vkey;        // packed victim key per core, kInf if no candidate
  std::vector<uint16_t> members[8];  // cores of each group
  uint32_t imin[8] = {};             // group minima (valid when not dirty)
  uint32_t vmin[8] = {};
  uint32_t dirty = 0;          // bit g: idle min of g stale; bit 8+g: victim min stale
  bool changed = true;         // an input of the prestaged table may have changed
  uint32_t iterm[8][8] = {};   // dist(n, g) << 17: the idle key's distance part
  uint64_t vterm[8][8] = {};   // (dist(n, g) << VICT_DIST_SHIFT) << 9, kInf if > VICT_MAX_DIST
  uint32_t idle_best[8] = {};  // {dist [8], util [8], core [9]} of idle(n), or kInf
  uint32_t vict_best[8] = {};  // {far [1], cost [18], core [9]} of victim(n), or kInf

  // Optional shard planner hook (not copied with the model) and the Model
  // that owns this Impl during step() (the hook is handed the public view).
  ShardPlanner* planner = nullptr;
  const Model* owner = nullptr;

  explicit Impl(const Params& params) : p(params) {
    p.validate();
    reset();
  }

  void reset() {
    cores.assign(p.cores, CoreState{});
    vcpus.assign(p.vcpus, VcpuInfo{});
    // Reset values from the generated tables (regs/vshard_regs.json), as the
    // RTL's vs_cfg_regs loads them. NUMA_DIST is reset for all 8 x 8 indices
    // (the ones >= NNodes are never read).
    for (uint16_t key = 0; key < cfg::kNumScalarKeys; ++key) reg[key] = regs::cfg_reset_value(key, p);
    for (uint32_t i = 0; i < 8; ++i)
      for (uint32_t j = 0; j < 8; ++j) numa[i][j] = static_cast<uint8_t>(regs::cfg_numa_dist_reset(i, j));
    for (auto& e : pre) e = PrestageEntry{};
    cnt = Counters{};
    sticky = 0;
    last_seq = 0;
    last_code = 0;
    ikey.assign(p.cores, kInf);
    vkey.assign(p.cores, kInf);
    for (auto& m : members) m.reserve(p.cores);  // step() never allocates
    rebuild_all();
    compute_best();  // the table itself stays NONE / epoch 0 until the first event
  }

  // ---- incremental search structures ---------------------------------------

  uint32_t idle_key_of(uint32_t c) const {
    const CoreState& k = cores[c];
    if (!k.online || k.occ != Occ::kIdle) return kInf;
    return (static_cast<uint32_t>(k.util) << 9) | c;
  }

  uint32_t vict_key_of(uint32_t c) const {
    const CoreState& k = cores[c];
    if (!k.online || k.occ != Occ::kRun || vcpus[k.vcpu].lat) return kInf;
    uint32_t base = (static_cast<uint32_t>(vcpus[k.vcpu].credit + 32768) >> reg[cfg::kVictCreditShift]) +
                    (static_cast<uint32_t>(k.slice) >> reg[cfg::kVictSliceShift]);
    return (base << 9) | c;
  }

  // Re-evaluates core c's keys after its state (or its vCPU's) changed.
  // The core's node must not have changed (CORE_CFG uses rebuild_all()).
  void touch(uint32_t c) {
    const uint32_t g = cores[c].node;
    uint32_t k = idle_key_of(c);
    uint32_t old = ikey[c];
    if (k != old) {
      ikey[c] = k;
      if (k < imin[g]) {
        imin[g] = k;
        changed = true;
      } else if (imin[g] == old) {
        dirty |= 1u << g;
        changed = true;
      }
    }
    k = vict_key_of(c);
    old = vkey[c];
    if (k != old) {
      vkey[c] = k;
      if (k < vmin[g]) {
        vmin[g] = k;
        changed = true;
      } else if (vmin[g] == old) {
        dirty |= 1u << (8 + g);
        changed = true;
      }
    }
  }

  void rebuild_all() {
    for (auto& m : members) m.clear();
    for (uint32_t c = 0; c < p.cores; ++c) {
      members[cores[c].node].push_back(static_cast<uint16_t>(c));
      ikey[c] = idle_key_of(c);
      vkey[c] = vict_key_of(c);
    }
    for (uint32_t n = 0; n < 8; ++n)
      for (uint32_t g = 0; g < 8; ++g) {
        const uint32_t d = numa[n][g];
        iterm[n][g] = d << 17;
        // spec 7.2: key {far [1], cost [18]}; the far bit is bit 18 of the key,
        // bit 27 here (above the 9-bit core index)
        const uint64_t far = d > reg[cfg::kWakeMaxDist] ? uint64_t{1} << 27 : 0;
        vterm[n][g] = d <= reg[cfg::kVictMaxDist] ? far + (uint64_t{(d << reg[cfg::kVictDistShift]) << 9}) : kInf;
      }
    dirty = 0xFFFF;
    changed = true;
  }

  void rescan() {
    for (uint32_t g = 0; g < p.nodes; ++g) {
      if (dirty & (1u << g)) {
        uint32_t m = kInf;
        for (uint16_t c : members[g]) m = std::min(m, ikey[c]);
        imin[g] = m;
      }
      if (dirty & (1u << (8 + g))) {
        uint32_t m = kInf;
        for (uint16_t c : members[g]) m = std::min(m, vkey[c]);
        vmin[g] = m;
      }
    }
    dirty = 0;
  }

  // Brings idle_best / vict_best (idle(n), victim(n) of sections 7.1, 7.2) up to date.
  void compute_best() {
    if (dirty) rescan();
    // Branch-free: an empty group (kInf) stays kInf under '|' and reaches
    // >= kInf under the 64-bit '+', as does a group beyond VICT_MAX_DIST.
    for (uint32_t n = 0; n < p.nodes; ++n) {
      uint32_t bi = kInf;
      uint64_t bv = kInf;
      for (uint32_t g = 0; g < p.nodes; ++g) {
        bi = std::min(bi, iterm[n][g] | imin[g]);
        bv = std::min(bv, vterm[n][g] + vmin[g]);
      }
      idle_best[n] = bi;
      vict_best[n] = bv >= kInf ? kInf : static_cast<uint32_t>(bv);
    }
  }

  // Recomputes the prestaged table after an event (section 8).
  // Skipped when no group minimum, no core's vCPU and no configuration changed:
  // then no entry can change.
  void recompute_prestage() {
    if (!changed) return;
    changed = false;
    compute_best();
    const uint32_t wmax = reg[cfg::kWakeMaxDist];
    for (uint32_t n = 0; n < p.nodes; ++n) {
      const uint32_t bi = idle_best[n], bv = vict_best[n];
      PrestageKind kind;
      uint8_t core = 0;
      uint16_t vcpu = 0;
      // spec 8: near idle, near victim, far idle, far victim (WAKE rules 2-5)
      const bool near_idle = bi != kInf && (bi >> 17) <= wmax;
      const bool near_victim = bv != kInf && !far_victim(bv);
      if (near_idle || (!near_victim && bi != kInf)) {
        kind = PrestageKind::kIdle;
        core = static_cast<uint8_t>(bi & 511);
      } else if (bv != kInf) {
        kind = PrestageKind::kPreempt;
        core = static_cast<uint8_t>(bv & 511);
        vcpu = cores[core].vcpu;
      } else {
        kind = PrestageKind::kNone;
      }
      PrestageEntry& e = pre[n];
      if (e.kind != kind || e.core != core || e.vcpu != vcpu) {
        e.kind = kind;
        e.core = core;
        e.vcpu = vcpu;
        ++e.epoch;
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------

  int32_t cap() const { return static_cast<int32_t>(reg[cfg::kCreditCap]); }
  // The far bit of a packed victim key {far [1], cost [18], core [9]} (spec 7.2).
  static bool far_victim(uint32_t key) { return (key >> 27) & 1; }
  uint16_t slice_us() const { return static_cast<uint16_t>(reg[cfg::kSliceUs]); }

  static Decision dec(const Event& ev, DecisionType t, uint16_t vcpu, uint8_t core) {
    Decision d;
    d.type = static_cast<uint8_t>(t);
    d.seq = ev.seq;
    d.vcpu = vcpu;
    d.core = core;
    return d;
  }

  static Decision ack(const Event& ev) {
    Decision d = dec(ev, DecisionType::kAck, ev.vcpu, ev.core);
    d.b8 = ev.type;
    return d;
  }

  size_t error(const Event& ev, ErrorCode code, Decision* out) {
    Decision d = dec(ev, DecisionType::kError, ev.vcpu, ev.core);
    d.b8 = static_cast<uint8_t>(code);
    d.c16 = ev.type;
    d.flags = kFlagLast;
    out[0] = d;
    ++cnt.errors;
    ++cnt.decisions;
    sticky |= 1u << static_cast<uint32_t>(code);
    last_seq = ev.seq;
    last_code = static_cast<uint8_t>(code);
    return 1;
  }

  void place_run(uint16_t v, uint32_t c) {
    CoreState& k = cores[c];
    k.occ = Occ::kRun;
    k.vcpu = v;
    k.slice = slice_us();
    VcpuInfo& vi = vcpus[v];
    vi.state = VcpuState::kRunning;
    vi.core = static_cast<uint8_t>(c);
    changed = true;  // the vCPU of a core is part of a PREEMPT entry
    touch(c);
  }

  // WAKE after its checks (also the body of COMMIT). Returns decisions written.
  // A preemption's shard plan is made first, before the event changes any
  // state, so a planner hook that throws (or whose plan is refused) leaves
  // the model as it was. The boost changes only v's credit and lat, and v
  // runs nowhere, so no search and no plan depends on it.
  size_t wake(const Event& ev, uint16_t v, bool lat, Decision* out) {
    VcpuInfo& vi = vcpus[v];
    const uint32_t n = vi.home;
    const uint32_t bi = idle_best[n], bv = vict_best[n];
    const bool idle_exists = bi != kInf;
    const bool near_idle = idle_exists && (bi >> 17) <= reg[cfg::kWakeMaxDist];
    const bool victim_exists = bv != kInf;
    // spec 7.5 WAKE, rules 1-6
    enum class Act { kQueue, kRunIdle, kPreempt } act = Act::kQueue;
    if (vi.parked()) act = Act::kQueue;                                     // 1
    else if (lat && near_idle) act = Act::kRunIdle;                         // 2
    else if (lat && victim_exists && !far_victim(bv)) act = Act::kPreempt;  // 3
    else if (idle_exists) act = Act::kRunIdle;                              // 4
    else if (lat && victim_exists) act = Act::kPreempt;                     // 5
    ShardPlan plan;
    const uint32_t p_core = bv & 511;
    if (act == Act::kPreempt) {
      if (planner != nullptr) {
        plan = planner->plan(*owner, p_core, v);
        check_plan(plan, p_core);
      } else {
        plan = own_plan(p_core, vi.erun);
      }
    }
    vi.lat = lat;
    if (lat) vi.credit = clamp_credit(int32_t{vi.credit} + static_cast<int32_t>(reg[cfg::kLatBoost]), cap());
    switch (act) {
      case Act::kRunIdle: {
        const uint32_t c = bi & 511;
        out[0] = dec(ev, DecisionType::kRun, v, static_cast<uint8_t>(c));
        place_run(v, c);
        return 1;
      }
      case Act::kPreempt: return preempt(ev, v, p_core, plan, out);
      case Act::kQueue: break;
    }
    vi.state = VcpuState::kQueued;
    out[0] = dec(ev, DecisionType::kQueued, v, 0);
    return 1;
  }

  // Sections 7.3-7.4: the shard plan for a preemption of the vCPU on core p
  // by a vCPU whose expected run is erun µs.
  ShardPlan own_plan(uint32_t p_core, uint32_t erun) const {
    ShardPlan plan;
    const VcpuInfo& ui = vcpus[cores[p_core].vcpu];
    const uint32_t b = ui.blocks;
    const uint32_t sync = reg[cfg::kSyncCostUs];
    // 7.3 without E (counted below): skips the core scan; spec_shard_size checks B again with E
    if (reg[cfg::kShardEnable] != 1 || ui.shards != 0 ||
        int32_t{ui.credit} < static_cast<int32_t>(reg[cfg::kShardMinCredit]) || b < 1 || b * ui.bcost < sync)
      return plan;
    // One pass: E, H and the MaxShards best eligible targets (insertion into a sorted buffer).
    const uint32_t util_max = reg[cfg::kShardUtilMax];
    const uint32_t min_freq = reg[cfg::kShardMinFreq];
    const uint32_t max_dist = reg[cfg::kShardMaxDist];
    const uint8_t* dist_row = numa[ui.home];
    uint32_t e_count = 0, hot = 0, nbest = 0;
    uint32_t best[8];
    const uint32_t keep = p.max_shards;
    for (uint32_t c = 0; c < p.cores; ++c) {
      const CoreState& k = cores[c];
      if (!k.online) continue;
      if (k.util >= util_max) {
        ++hot;
        continue;  // hot cores are never shard-eligible
      }
      if (k.occ != Occ::kIdle || k.freq < min_freq) continue;
      const uint32_t d = dist_row[k.node];
      if (d > max_dist) continue;
      ++e_count;
      const uint32_t key = (((d << 10) | ((3u - k.freq) << 8) | k.util) << 9) | c;
      if (nbest < keep) {
        uint32_t i = nbest++;
        while (i > 0 && best[i - 1] > key) {
          best[i] = best[i - 1];
          --i;
        }
        best[i] = key;
      } else if (key < best[keep - 1]) {
        uint32_t i = keep - 1;
        while (i > 0 && best[i - 1] > key) {
          best[i] = best[i - 1];
          --i;
        }
        best[i] = key;
      }
    }
    ShardSizeIn in;
    in.blocks = b;
    in.bcost = ui.bcost;
    in.erun = erun;
    in.sync = sync;
    in.elig = e_count;
    in.hot = hot;
    in.max_shards = reg[cfg::kMaxShards];
    in.load_hot = reg[cfg::kLoadHotCores];
    in.k_under_load = reg[cfg::kKUnderLoad];
    in.max_shards_param = p.max_shards;
    const ShardSize size = spec_shard_size(in);
    const uint32_t k_shards = size.k, s = size.s;
    if (k_shards == 0) return plan;
    plan.k = static_cast<uint8_t>(k_shards);
    for (uint32_t i = 0; i < k_shards; ++i) {
      plan.target[i] = static_cast<uint8_t>(best[i] & 511);
      plan.first[i] = static_cast<uint8_t>(i * s);
      plan.count[i] = static_cast<uint8_t>(s);
    }
    return plan;
  }

  // A plan from a planner hook must keep the state's invariants (spec 10):
  // K <= MaxShards - shards of the victim, K distinct online idle target
  // cores, and no more blocks handed out than the victim has. What it
  // decides within that (K, targets, split) is applied as given: a wrong
  // plan gives wrong decisions, which is what a checker must catch.
  void check_plan(const ShardPlan& plan, uint32_t p_core) const {
    const auto refuse = [&](const std::string& why) {
      throw Error(Errc::kBadInput, "shard planner: the plan for the preemption on core " + std::to_string(p_core) +
                                       " cannot be applied: " + why +
                                       "; the event was not applied (docs/spec.md 7.4 and 10)");
    };
    const VcpuInfo& ui = vcpus[cores[p_core].vcpu];
    if (plan.k + uint32_t{ui.shards} > p.max_shards)
      refuse("K = " + std::to_string(plan.k) + " with " + std::to_string(ui.shards) +
             " shards of the victim still running, more than MaxShards = " + std::to_string(p.max_shards));
    uint32_t handed = 0;
    for (uint32_t i = 0; i < plan.k; ++i) handed += plan.count[i];
    if (handed > ui.blocks)
      refuse("the shards take " + std::to_string(handed) + " blocks, the victim has " + std::to_string(ui.blocks));
    for (uint32_t i = 0; i < plan.k; ++i) {
      const uint32_t t = plan.target[i];
      if (t >= p.cores)
        refuse("target " + std::to_string(i) + " is core " + std::to_string(t) +
               ", NCores = " + std::to_string(p.cores));
      if (!cores[t].online || cores[t].occ != Occ::kIdle)
        refuse("target " + std::to_string(i) + " is core " + std::to_string(t) + ", which is not an online idle core");
      for (uint32_t j = 0; j < i; ++j)
        if (plan.target[j] == t)
          refuse("core " + std::to_string(t) + " is the target of shards " + std::to_string(j) + " and " +
                 std::to_string(i));
    }
  }

  // WAKE rules 3 and 5: v preempts the vCPU on core p; plan is its shard plan.
  size_t preempt(const Event& ev, uint16_t v, uint32_t p_core, const ShardPlan& plan, Decision* out) {
    const uint16_t u = cores[p_core].vcpu;
    VcpuInfo& ui = vcpus[u];
    const uint32_t k_shards = plan.k;
    Decision d = dec(ev, DecisionType::kPreempt, u, static_cast<uint8_t>(p_core));
    d.b8 = static_cast<uint8_t>(k_shards);
    d.c16 = v;
    out[0] = d;
    ++cnt.preempts;
    place_run(v, p_core);
    ui.state = VcpuState::kQueued;  // its core field stays p
    if (k_shards >= 1) {
      uint32_t handed = 0;
      for (uint32_t i = 0; i < k_shards; ++i) {
        handed += plan.count[i];
        Decision s = dec(ev, DecisionType::kShard, u, plan.target[i]);
        s.b8 = static_cast<uint8_t>(i);
        s.c16 = plan.first[i];
        s.d32 = plan.count[i];
        out[1 + i] = s;
        CoreState& t = cores[plan.target[i]];
        t.occ = Occ::kShard;
        t.vcpu = u;
        t.slice = slice_us();
        touch(plan.target[i]);
      }
      ui.shards = static_cast<uint8_t>(ui.shards + k_shards);
      ui.credit = clamp_credit(
          int32_t{ui.credit} - static_cast<int32_t>(k_shards * reg[cfg::kShardCredit] + reg[cfg::kSyncCredit]), cap());
      ui.blocks = static_cast<uint8_t>(ui.blocks - handed);
      cnt.shards += k_shards;
      return 1 + k_shards;
    }
    return 1;
  }

  // CONFIG checks (section 5, generated from regs/vshard_regs.json: the same
  // order and ranges as the RTL's vs_cfg_check) and write.
  ErrorCode write_config(uint16_t key, uint32_t value) {
    const uint8_t e = regs::cfg_check(key, value, p);
    if (e != regs::kErrNone) return static_cast<ErrorCode>(e);
    if (key >= cfg::kNumaDistBase) {
      const uint32_t rel = key - cfg::kNumaDistBase;
      numa[rel >> 3][rel & 7] = static_cast<uint8_t>(value);
    } else {
      reg[key] = value;
    }
    return ErrorCode::kNone;
  }

  // ---- one event ------------------------------------------------------------------

  // Returns the number of decisions (without the LAST flag) or 0 after writing an ERROR.
  size_t body(const Event& ev, Decision* out, bool& was_error) {
    auto err = [&](ErrorCode c) {
      was_error = true;
      return error(ev, c, out);
    };
    // Reserved-field masks per type: flags mask allowed, and which of vcpu/core/b8/c16/d32 are used.
    // L: only d32[15:0] is used, d32[31:16] is reserved (PROFILE, VCPU_CFG since 1.1).
    enum : uint8_t { V = 1, C = 2, B = 4, H = 8, D = 16, L = 32 };
    static constexpr uint8_t kUsed[13] = {0,     V, V,     V | C, C | B | H,     V | B | H | L, C | B,
                                          V | C, 0, H | D, C | B, V | B | H | L, V | C | B | D};
    static constexpr uint8_t kFlags[13] = {0, 0x01, 0, 0, 0, 0, 0x03, 0, 0, 0, 0x01, 0, 0};
    const uint8_t t = ev.type;
    if (t == 0 || t > 0x0C) return err(ErrorCode::kBadType);
    const uint8_t used = kUsed[t];
    if ((ev.flags & ~kFlags[t]) || (!(used & V) && ev.vcpu) || (!(used & C) && ev.core) || (!(used & B) && ev.b8) ||
        (!(used & H) && ev.c16) || (!(used & (D | L)) && ev.d32) || ((used & L) && (ev.d32 >> 16)))
      return err(ErrorCode::kReserved);

    const uint16_t v = ev.vcpu;
    const uint32_t c = ev.core;
    switch (static_cast<EventType>(t)) {
      case EventType::kWake: {
        if (v >= p.vcpus) return err(ErrorCode::kBadVcpu);
        if (vcpus[v].state != VcpuState::kBlocked) return err(ErrorCode::kBadState);
        return wake(ev, v, ev.flags & kFlagLat, out);
      }
      case EventType::kBlock: {
        if (v >= p.vcpus) return err(ErrorCode::kBadVcpu);
        VcpuInfo& vi = vcpus[v];
        if (vi.state == VcpuState::kRunning) {
          cores[vi.core].occ = Occ::kIdle;
          touch(vi.core);
        } else if (vi.state != VcpuState::kQueued) {
          return err(ErrorCode::kBadState);
        }
        vi.state = VcpuState::kBlocked;
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kSched: {
        if (v >= p.vcpus) return err(ErrorCode::kBadVcpu);
        if (c >= p.cores) return err(ErrorCode::kBadCore);
        if (!cores[c].online) return err(ErrorCode::kCoreOffline);
        if (cores[c].occ != Occ::kIdle) return err(ErrorCode::kCoreBusy);
        if (vcpus[v].state != VcpuState::kQueued) return err(ErrorCode::kBadState);
        if (vcpus[v].parked()) return err(ErrorCode::kCapped);
        place_run(v, c);
        out[0] = dec(ev, DecisionType::kRun, v, static_cast<uint8_t>(c));
        return 1;
      }
      case EventType::kTick: {
        if (c >= p.cores) return err(ErrorCode::kBadCore);
        CoreState& k = cores[c];
        if (!k.online) return err(ErrorCode::kCoreOffline);
        const int32_t diff = int32_t{ev.b8} - int32_t{k.util};
        k.util = static_cast<uint8_t>(int32_t{k.util} + (diff >> reg[cfg::kUtilShift]));
        k.slice = ev.c16 >= k.slice ? 0 : static_cast<uint16_t>(k.slice - ev.c16);
        if (k.occ != Occ::kIdle) {
          const uint16_t u = k.vcpu;
          VcpuInfo& ui = vcpus[u];
          const int32_t debit = static_cast<int32_t>((uint32_t{ev.c16} * reg[cfg::kCreditPerMs]) >> 10);
          ui.credit = clamp_credit(int32_t{ui.credit} - debit, cap());
          ui.used = static_cast<uint16_t>(std::min<uint32_t>(65535, uint32_t{ui.used} + ev.c16));  // 6.5
          // A shard core's TICK debits a vCPU that may run whole on another
          // core (spec 1.1): that core's victim key changed too.
          if (k.occ == Occ::kShard && ui.state == VcpuState::kRunning) touch(ui.core);
          if (k.occ == Occ::kRun && ui.parked()) {  // 7.5 TICK: over its cap, the core is taken from it
            k.occ = Occ::kIdle;
            ui.state = VcpuState::kQueued;
            touch(c);
            out[0] = dec(ev, DecisionType::kPark, u, static_cast<uint8_t>(c));
            return 1;
          }
        }
        touch(c);
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kProfile: {
        if (v >= p.vcpus) return err(ErrorCode::kBadVcpu);
        vcpus[v].blocks = ev.b8;
        vcpus[v].bcost = ev.c16;
        vcpus[v].erun = static_cast<uint16_t>(ev.d32);
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kUtil: {
        if (c >= p.cores) return err(ErrorCode::kBadCore);
        cores[c].util = ev.b8;
        cores[c].freq = ev.flags & 3;
        touch(c);
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kShardDone: {
        if (v >= p.vcpus) return err(ErrorCode::kBadVcpu);
        if (c >= p.cores) return err(ErrorCode::kBadCore);
        VcpuInfo& vi = vcpus[v];
        CoreState& k = cores[c];
        if (k.occ != Occ::kShard || k.vcpu != v) return err(ErrorCode::kBadState);
        k.occ = Occ::kIdle;
        --vi.shards;  // >= 1 by invariant 2: core c holds one of them
        touch(c);
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kAccount: {
        const int32_t refill = static_cast<int32_t>(reg[cfg::kRefillPerWeight]);
        const int32_t cp = cap();
        for (VcpuInfo& vi : vcpus) {
          vi.credit = clamp_credit(int32_t{vi.credit} + vi.weight * refill, cp);
          vi.used = 0;  // 6.5
        }
        rebuild_all();
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kConfig: {
        const ErrorCode e = write_config(ev.c16, ev.d32);
        if (e != ErrorCode::kNone) return err(e);
        rebuild_all();
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kCoreCfg: {
        if (c >= p.cores) return err(ErrorCode::kBadCore);
        if (ev.b8 >= p.nodes) return err(ErrorCode::kBadNode);
        const bool online = ev.flags & kFlagOnline;
        if (!online && cores[c].occ != Occ::kIdle) return err(ErrorCode::kCoreBusy);
        cores[c].node = ev.b8;
        cores[c].online = online;
        rebuild_all();
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kVcpuCfg: {
        if (v >= p.vcpus) return err(ErrorCode::kBadVcpu);
        if (ev.b8 >= p.nodes) return err(ErrorCode::kBadNode);
        if (ev.c16 < 1 || ev.c16 > 255) return err(ErrorCode::kBadArg);
        vcpus[v].home = ev.b8;
        vcpus[v].weight = static_cast<uint8_t>(ev.c16);
        vcpus[v].cap = static_cast<uint16_t>(ev.d32);
        out[0] = ack(ev);
        return 1;
      }
      case EventType::kCommit: {
        if (v >= p.vcpus) return err(ErrorCode::kBadVcpu);
        if (c >= p.cores) return err(ErrorCode::kBadCore);
        const uint32_t n = ev.b8;
        if (n >= p.nodes) return err(ErrorCode::kBadNode);
        if (n != vcpus[v].home) return err(ErrorCode::kBadArg);
        if (vcpus[v].state != VcpuState::kBlocked) return err(ErrorCode::kBadState);
        const PrestageEntry& e = pre[n];
        // Counted after wake(): a refused shard plan leaves everything as it was.
        if (e.kind != PrestageKind::kNone && e.core == c && e.epoch == ev.d32 && !vcpus[v].parked()) {
          const size_t k = wake(ev, v, true, out);
          out[0].flags |= kFlagCommitted;
          ++cnt.commits;
          return k;
        }
        const uint32_t epoch = e.epoch;
        const size_t k = wake(ev, v, true, out + 1);
        Decision a = dec(ev, DecisionType::kAbort, v, static_cast<uint8_t>(c));
        a.b8 = static_cast<uint8_t>(n);
        a.d32 = epoch;
        out[0] = a;
        ++cnt.aborts;
        return 1 + k;
      }
    }
    return err(ErrorCode::kBadType);  // unreachable: t was range-checked
  }

  size_t step(const Event& ev, Decision* out, const Model& self) {
    owner = &self;
    bool was_error = false;
    const size_t n = body(ev, out, was_error);  // may throw only before it changes state
    ++cnt.events;
    if (was_error) return n;  // error() counted it and set LAST
    out[n - 1].flags |= kFlagLast;
    cnt.decisions += static_cast<uint32_t>(n);
    recompute_prestage();
    return n;
  }
};

Model::Model(const Params& params) : impl_(std::make_unique<Impl>(params)) {}
Model::Model(const Model& o) : impl_(std::make_unique<Impl>(*o.impl_)) { impl_->planner = nullptr; }
Model& Model::operator=(const Model& o) {
  if (this != &o) {
    impl_ = std::make_unique<Impl>(*o.impl_);
    impl_->planner = nullptr;
  }
  return *this;
}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

const Params& Model::params() const { return impl_->p; }
size_t Model::step(const Event& ev, Decision* out) { return impl_->step(ev, out, *this); }
void Model::step(const Event& ev, std::vector<Decision>& out) {
  Decision buf[kMaxDecisionsPerEvent];
  const size_t n = impl_->step(ev, buf, *this);
  out.insert(out.end(), buf, buf + n);
}
void Model::reset() { impl_->reset(); }
void Model::set_shard_planner(ShardPlanner* planner) { impl_->planner = planner; }
ShardPlanner* Model::shard_planner() const { return impl_->planner; }
ShardPlan Model::own_shard_plan(uint32_t victim_core, uint16_t preemptor) const {
  if (victim_core >= impl_->p.cores || impl_->cores[victim_core].occ != Occ::kRun)
    throw Error(Errc::kBadInput, "Model::own_shard_plan(" + std::to_string(victim_core) +
                                     "): the core must exist and run a whole vCPU (occ RUN)");
  if (preemptor >= impl_->p.vcpus)
    throw Error(Errc::kBadInput, "Model::own_shard_plan: preemptor vCPU " + std::to_string(preemptor) +
                                     " out of range, NVcpus = " + std::to_string(impl_->p.vcpus));
  return impl_->own_plan(victim_core, impl_->vcpus[preemptor].erun);
}

const CoreState& Model::core(uint32_t c) const {
  if (c >= impl_->p.cores)
    throw Error(Errc::kBadInput, "Model::core(" + std::to_string(c) +
                                     "): core id out of range, NCores = " + std::to_string(impl_->p.cores));
  return impl_->cores[c];
}
const VcpuInfo& Model::vcpu(uint32_t v) const {
  if (v >= impl_->p.vcpus)
    throw Error(Errc::kBadInput, "Model::vcpu(" + std::to_string(v) +
                                     "): vCPU id out of range, NVcpus = " + std::to_string(impl_->p.vcpus));
  return impl_->vcpus[v];
}
PrestageEntry Model::prestage(uint32_t node) const {
  if (node >= impl_->p.nodes)
    throw Error(Errc::kBadInput, "Model::prestage(" + std::to_string(node) +
                                     "): node out of range, NNodes = " + std::to_string(impl_->p.nodes));
  return impl_->pre[node];
}
uint32_t Model::config(uint16_t key) const {
  if (key < cfg::kNumScalarKeys) return impl_->reg[key];
  if (key >= cfg::kNumaDistBase && key < cfg::kNumaDistBase + 64)
    return impl_->numa[(key - cfg::kNumaDistBase) >> 3][(key - cfg::kNumaDistBase) & 7];
  throw Error(Errc::kBadInput, "Model::config: unknown configuration key " + std::to_string(key) +
                                   " (docs/spec.md section 5 lists the keys)");
}
ErrorCode Model::write_config(uint16_t key, uint32_t value) {
  const ErrorCode e = impl_->write_config(key, value);
  if (e == ErrorCode::kNone) {
    // Not an event: the searches see the new value, the table changes at the next event.
    impl_->rebuild_all();
    impl_->compute_best();
  }
  return e;
}
const Counters& Model::counters() const { return impl_->cnt; }
uint32_t Model::err_sticky() const { return impl_->sticky; }
uint32_t Model::last_err_seq() const { return impl_->last_seq; }
uint8_t Model::last_err_code() const { return impl_->last_code; }
void Model::clear_err_sticky(uint32_t w1c_mask) { impl_->sticky &= ~w1c_mask; }
void Model::set_err_sticky(ErrorCode code) {
  const uint32_t bit = static_cast<uint32_t>(code);
  if (bit == 0 || bit > 31)
    throw Error(Errc::kBadInput,
                "Model::set_err_sticky: error code " + std::to_string(bit) + " has no sticky bit (codes 1..31)");
  impl_->sticky |= 1u << bit;
}

}  // namespace vshard

// ---------------------------------------------------------------------------
// State snapshots (Model::save_state / load_state): the Impl's state fields,
// little-endian; the search structures are rebuilt on load.

namespace vshard {
namespace {

constexpr char kStateMagic[4] = {'V', 'S', 'M', 'S'};
constexpr uint16_t kStateVersion = 1;
constexpr size_t kStateHeader = 4 + 2 + 2 + 16;
constexpr size_t kStateGlobal = 4 * cfg::kNumScalarKeys + 64 + 8 * 8 + 7 * 4 + 4 + 4 + 1;
constexpr size_t kCoreBytes = 10;
constexpr size_t kVcpuBytes = 19;

struct Writer {
  std::vector<uint8_t>& out;
  void u8(uint32_t v) { out.push_back(static_cast<uint8_t>(v)); }
  void u16(uint32_t v) {
    u8(v);
    u8(v >> 8);
  }
  void u32(uint32_t v) {
    u16(v);
    u16(v >> 16);
  }
};

struct Reader {
  const uint8_t* p;
  size_t n, at = 0;
  uint32_t u8(const char* what) {
    if (at >= n)
      throw Error(Errc::kBadInput,
                  std::string("state snapshot truncated at byte ") + std::to_string(at) + " (reading " + what + ")");
    return p[at++];
  }
  uint32_t u16(const char* what) {
    const uint32_t lo = u8(what);
    return lo | (u8(what) << 8);
  }
  uint32_t u32(const char* what) {
    const uint32_t lo = u16(what);
    return lo | (u16(what) << 16);
  }
};

[[noreturn]] void bad_state(const std::string& what) {
  throw Error(Errc::kBadInput, "state snapshot rejected: " + what);
}

}  // namespace

size_t Model::state_bytes(const Params& p) {
  return kStateHeader + kStateGlobal + kCoreBytes * p.cores + kVcpuBytes * p.vcpus;
}

std::vector<uint8_t> Model::save_state() const {
  const Impl& m = *impl_;
  std::vector<uint8_t> out;
  out.reserve(state_bytes(m.p));
  Writer w{out};
  for (char c : kStateMagic) w.u8(static_cast<uint8_t>(c));
  w.u16(kStateVersion);
  w.u16(0);
  w.u32(m.p.cores);
  w.u32(m.p.vcpus);
  w.u32(m.p.nodes);
  w.u32(m.p.max_shards);
  for (uint32_t k = 0; k < cfg::kNumScalarKeys; ++k) w.u32(m.reg[k]);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) w.u8(m.numa[i][j]);
  for (const PrestageEntry& e : m.pre) {
    w.u8(static_cast<uint8_t>(e.kind));
    w.u8(e.core);
    w.u16(e.vcpu);
    w.u32(e.epoch);
  }
  const Counters& c = m.cnt;
  for (uint32_t v : {c.events, c.decisions, c.errors, c.preempts, c.shards, c.commits, c.aborts}) w.u32(v);
  w.u32(m.sticky);
  w.u32(m.last_seq);
  w.u8(m.last_code);
  for (const CoreState& k : m.cores) {
    w.u8(k.node);
    w.u8(k.online);
    w.u8(k.util);
    w.u8(k.freq);
    w.u8(static_cast<uint8_t>(k.occ));
    w.u8(0);
    w.u16(k.vcpu);
    w.u16(k.slice);
  }
  for (const VcpuInfo& v : m.vcpus) {
    w.u8(static_cast<uint8_t>(v.state));
    w.u8(v.lat);
    w.u16(static_cast<uint16_t>(v.credit));
    w.u8(v.weight);
    w.u8(v.home);
    w.u8(v.blocks);
    w.u16(v.bcost);
    w.u8(v.core);
    w.u8(v.shards);
    w.u16(v.erun);
    w.u16(v.cap);
    w.u16(v.used);
    w.u8(0);
    w.u8(0);
  }
  return out;
}

void Model::load_state(const uint8_t* data, size_t size) {
  const Params& p = impl_->p;
  Reader r{data, size};
  for (char c : kStateMagic)
    if (r.u8("magic") != static_cast<uint8_t>(c)) bad_state("not a vShard state snapshot (magic \"VSMS\" expected)");
  if (const uint32_t v = r.u16("version"); v != kStateVersion)
    bad_state("format version " + std::to_string(v) + ", this model reads " + std::to_string(kStateVersion));
  r.u16("reserved");
  const Params sp{r.u32("NCores"), r.u32("NVcpus"), r.u32("NNodes"), r.u32("MaxShards")};
  if (!(sp == p))
    bad_state("parameters " + std::to_string(sp.cores) + "/" + std::to_string(sp.vcpus) + "/" +
              std::to_string(sp.nodes) + "/" + std::to_string(sp.max_shards) + " differ from the model's " +
              std::to_string(p.cores) + "/" + std::to_string(p.vcpus) + "/" + std::to_string(p.nodes) + "/" +
              std::to_string(p.max_shards));
  if (size != state_bytes(p))
    bad_state(std::to_string(size) + " bytes, " + std::to_string(state_bytes(p)) + " expected for these parameters");
  Impl t(p);  // built aside: the model changes only if everything checks
  t.planner = impl_->planner;
  for (uint16_t k = 0; k < cfg::kNumScalarKeys; ++k) {
    const uint32_t v = r.u32("configuration");
    if (t.write_config(k, v) != ErrorCode::kNone)
      bad_state("configuration key " + std::to_string(k) + " = " + std::to_string(v) + " out of range");
  }
  for (uint32_t i = 0; i < 8; ++i)
    for (uint32_t j = 0; j < 8; ++j) {
      const uint32_t d = r.u8("NUMA_DIST");
      if (i < p.nodes && j < p.nodes &&
          t.write_config(static_cast<uint16_t>(cfg::kNumaDistBase + 8 * i + j), d) != ErrorCode::kNone)
        bad_state("NUMA_DIST[" + std::to_string(i) + "][" + std::to_string(j) + "] = " + std::to_string(d));
    }
  for (uint32_t n = 0; n < 8; ++n) {
    PrestageEntry& e = t.pre[n];
    const uint32_t kind = r.u8("prestage kind");
    e.core = static_cast<uint8_t>(r.u8("prestage core"));
    e.vcpu = static_cast<uint16_t>(r.u16("prestage vcpu"));
    e.epoch = r.u32("prestage epoch");
    if (kind > 2 || e.core >= p.cores || e.vcpu >= p.vcpus || (n >= p.nodes && (kind != 0 || e.epoch != 0)))
      bad_state("prestaged entry of node " + std::to_string(n) + " out of range");
    e.kind = static_cast<PrestageKind>(kind);
  }
  Counters& c = t.cnt;
  for (uint32_t* f : {&c.events, &c.decisions, &c.errors, &c.preempts, &c.shards, &c.commits, &c.aborts})
    *f = r.u32("counters");
  t.sticky = r.u32("ERR_STICKY");
  t.last_seq = r.u32("LAST_ERR_SEQ");
  t.last_code = static_cast<uint8_t>(r.u8("LAST_ERR_CODE"));
  for (uint32_t i = 0; i < p.cores; ++i) {
    CoreState& k = t.cores[i];
    k.node = static_cast<uint8_t>(r.u8("core node"));
    const uint32_t online = r.u8("core online");
    k.util = static_cast<uint8_t>(r.u8("core util"));
    k.freq = static_cast<uint8_t>(r.u8("core freq"));
    const uint32_t occ = r.u8("core occ");
    r.u8("core reserved");
    k.vcpu = static_cast<uint16_t>(r.u16("core vcpu"));
    k.slice = static_cast<uint16_t>(r.u16("core slice"));
    if (k.node >= p.nodes || online > 1 || k.freq > 3 || occ > 2 || k.vcpu >= p.vcpus)
      bad_state("core " + std::to_string(i) + " has a field out of range");
    k.online = online != 0;
    k.occ = static_cast<Occ>(occ);
  }
  for (uint32_t i = 0; i < p.vcpus; ++i) {
    VcpuInfo& v = t.vcpus[i];
    const uint32_t st = r.u8("vcpu state"), lat = r.u8("vcpu lat");
    v.credit = static_cast<int16_t>(r.u16("vcpu credit"));
    v.weight = static_cast<uint8_t>(r.u8("vcpu weight"));
    v.home = static_cast<uint8_t>(r.u8("vcpu home"));
    v.blocks = static_cast<uint8_t>(r.u8("vcpu blocks"));
    v.bcost = static_cast<uint16_t>(r.u16("vcpu bcost"));
    v.core = static_cast<uint8_t>(r.u8("vcpu core"));
    v.shards = static_cast<uint8_t>(r.u8("vcpu shards"));
    v.erun = static_cast<uint16_t>(r.u16("vcpu erun"));
    v.cap = static_cast<uint16_t>(r.u16("vcpu cap"));
    v.used = static_cast<uint16_t>(r.u16("vcpu used"));
    r.u8("vcpu reserved");
    r.u8("vcpu reserved");
    if (st > 2 || lat > 1 || v.weight == 0 || v.home >= p.nodes || v.core >= p.cores || v.shards > p.max_shards ||
        v.credit == -32768)
      bad_state("vCPU " + std::to_string(i) + " has a field out of range");
    v.state = static_cast<VcpuState>(st);
    v.lat = lat != 0;
  }
  // docs/spec.md section 10, invariants 1-2: a RUNNING vCPU owns exactly its
  // core, and every vCPU's shard count equals its SHARD cores.
  std::vector<uint32_t> runs(p.vcpus, 0), shard_cores(p.vcpus, 0);
  for (uint32_t i = 0; i < p.cores; ++i) {
    const CoreState& k = t.cores[i];
    if (k.occ == Occ::kRun) {
      const VcpuInfo& v = t.vcpus[k.vcpu];
      if (v.state != VcpuState::kRunning || v.core != i)
        bad_state("core " + std::to_string(i) + " runs vCPU " + std::to_string(k.vcpu) +
                  ", which is not RUNNING on it");
      ++runs[k.vcpu];
    } else if (k.occ == Occ::kShard) {
      ++shard_cores[k.vcpu];
    }
  }
  for (uint32_t i = 0; i < p.vcpus; ++i) {
    const VcpuInfo& v = t.vcpus[i];
    if ((v.state == VcpuState::kRunning) != (runs[i] == 1))
      bad_state("vCPU " + std::to_string(i) + " is RUNNING on no core, or a core runs it while it is not RUNNING");
    if (v.shards != shard_cores[i])
      bad_state("vCPU " + std::to_string(i) + " counts " + std::to_string(v.shards) + " shards but " +
                std::to_string(shard_cores[i]) + " cores run them");
  }
  t.ikey.assign(p.cores, kInf);
  t.vkey.assign(p.cores, kInf);
  t.rebuild_all();
  t.compute_best();
  t.owner = impl_->owner;
  *impl_ = std::move(t);
}

}  // namespace vshard
