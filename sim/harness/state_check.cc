#include "vshard/sim/state_check.h"

#include <cstdio>

#include "vshard/event_log.h"
#include "vshard/regs.h"

namespace vshard::sim {
namespace {

void cmp(std::vector<std::string>& out, const std::string& name, uint32_t rtl, uint32_t model) {
  if (rtl == model) return;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s: rtl 0x%X, model 0x%X", name.c_str(), rtl, model);
  out.emplace_back(buf);
}

}  // namespace

std::vector<uint16_t> config_keys(const Params& p) {
  std::vector<uint16_t> keys;
  for (uint16_t k = 0; k < cfg::kNumScalarKeys; ++k) keys.push_back(k);
  for (uint32_t i = 0; i < p.nodes; ++i)
    for (uint32_t j = 0; j < p.nodes; ++j) keys.push_back(static_cast<uint16_t>(cfg::kNumaDistBase + 8 * i + j));
  return keys;
}

uint32_t pre_entry_register(const PrestageEntry& e) {
  return static_cast<uint32_t>(e.kind) | uint32_t{e.core} << 8 | uint32_t{e.vcpu} << 16;
}

std::vector<std::string> compare_state(AxilHarness& h, const Model& m, uint32_t extra_sticky) {
  std::vector<std::string> diffs;
  const Counters& c = m.counters();
  cmp(diffs, "EVENTS", h.read32(regs::kEvents), c.events);
  cmp(diffs, "DECISIONS", h.read32(regs::kDecisions), c.decisions);
  cmp(diffs, "ERRORS", h.read32(regs::kErrors), c.errors);
  cmp(diffs, "PREEMPTS", h.read32(regs::kPreempts), c.preempts);
  cmp(diffs, "SHARDS", h.read32(regs::kShards), c.shards);
  cmp(diffs, "COMMITS", h.read32(regs::kCommits), c.commits);
  cmp(diffs, "ABORTS", h.read32(regs::kAborts), c.aborts);
  const uint32_t sticky = m.err_sticky() | extra_sticky;
  cmp(diffs, "ERR_STICKY", h.read32(regs::kErrSticky), sticky);
  cmp(diffs, "LAST_ERR_SEQ", h.read32(regs::kLastErrSeq), m.last_err_seq());
  cmp(diffs, "LAST_ERR_CODE", h.read32(regs::kLastErrCode), m.last_err_code());
  const uint32_t status = regs::kStatusIdle | (sticky ? regs::kStatusError : 0u) |
                          ((h.read32(regs::kCtrl) & regs::kCtrlEnable) ? regs::kStatusEnabled : 0u);
  cmp(diffs, "STATUS", h.read32(regs::kStatus), status);
  for (uint32_t n = 0; n < h.params().nodes; ++n) {
    const PrestageEntry e = m.prestage(n);
    const uint32_t entry = pre_entry_register(e);
    cmp(diffs, "PRE_ENTRY[" + std::to_string(n) + "]", h.read32(regs::pre_entry(n)), entry);
    cmp(diffs, "PRE_EPOCH[" + std::to_string(n) + "]", h.read32(regs::pre_epoch(n)), e.epoch);
  }
  for (uint16_t k : config_keys(h.params()))
    cmp(diffs, "config " + config_key_name(k), h.read32(regs::cfg_offset(k)), m.config(k));
  return diffs;
}

}  // namespace vshard::sim
