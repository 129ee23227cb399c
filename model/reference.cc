// The prestaged table and the wake searches by their direct definitions
// (docs/spec.md 7.1, 7.2, 8): O(NCores) per node, no caching. The model's
// incremental version (model.cc) must agree with these after every event.
#include "vshard/model.h"

namespace vshard {

namespace {
uint32_t dist(const Model& m, uint32_t n, uint32_t c) {
  return m.config(static_cast<uint16_t>(cfg::kNumaDistBase + 8 * n + m.core(c).node));
}
}  // namespace

int reference_idle(const Model& m, uint32_t n) {
  int best = -1;
  uint32_t best_key = 0;
  for (uint32_t c = 0; c < m.params().cores; ++c) {
    const CoreState& k = m.core(c);
    if (!k.online || k.occ != Occ::kIdle) continue;
    const uint32_t key = (dist(m, n, c) << 8) | k.util;
    if (best < 0 || key < best_key) {
      best = static_cast<int>(c);
      best_key = key;
    }
  }
  return best;
}

int reference_victim(const Model& m, uint32_t n) {
  int best = -1;
  uint32_t best_cost = 0;
  for (uint32_t c = 0; c < m.params().cores; ++c) {
    const CoreState& k = m.core(c);
    if (!k.online || k.occ != Occ::kRun) continue;
    const VcpuInfo& u = m.vcpu(k.vcpu);
    if (u.lat) continue;
    const uint32_t d = dist(m, n, c);
    if (d > m.config(cfg::kVictMaxDist)) continue;
    // key {far [1], cost [18]} (spec 1.1, 7.2)
    const uint32_t far = d > m.config(cfg::kWakeMaxDist) ? 1 : 0;
    const uint32_t cost = (far << 18) + (d << m.config(cfg::kVictDistShift)) +
                          (static_cast<uint32_t>(u.credit + 32768) >> m.config(cfg::kVictCreditShift)) +
                          (static_cast<uint32_t>(k.slice) >> m.config(cfg::kVictSliceShift));
    if (best < 0 || cost < best_cost) {
      best = static_cast<int>(c);
      best_cost = cost;
    }
  }
  return best;
}

PrestageEntry reference_prestage(const Model& m, uint32_t n) {
  PrestageEntry e;
  e.epoch = m.prestage(n).epoch;
  const int i = reference_idle(m, n);
  const int v = reference_victim(m, n);
  const uint32_t wmax = m.config(cfg::kWakeMaxDist);
  const bool near_idle = i >= 0 && dist(m, n, static_cast<uint32_t>(i)) <= wmax;
  const bool near_victim = v >= 0 && dist(m, n, static_cast<uint32_t>(v)) <= wmax;
  // spec 8: near idle, near victim, far idle, far victim
  if (near_idle || (!near_victim && i >= 0)) {
    e.kind = PrestageKind::kIdle;
    e.core = static_cast<uint8_t>(i);
  } else if (v >= 0) {
    e.kind = PrestageKind::kPreempt;
    e.core = static_cast<uint8_t>(v);
    e.vcpu = m.core(static_cast<uint32_t>(v)).vcpu;
  }
  return e;
}

}  // namespace vshard
