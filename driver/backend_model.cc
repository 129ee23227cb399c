// Backend "model": the golden model behind a software register file and the
// software ring front-end. Its register file behaves as docs/registers.md
// describes for the engine (identity, CTRL/STATUS, sticky errors, counters,
// configuration writes only while CTRL.ENABLE = 0, prestage registers).
#include <memory>
#include <string>

#include "vshard/driver/internal/layout.h"
#include "vshard/driver/internal/model_core.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/error.h"

namespace vshard::driver {
namespace {

bool config_key_exists(uint16_t key, uint32_t nodes) {
  if (key < cfg::kNumScalarKeys) return true;
  if (key < cfg::kNumaDistBase || key >= cfg::kNumaDistBase + 64) return false;
  const uint32_t i = (key - cfg::kNumaDistBase) / 8, j = (key - cfg::kNumaDistBase) % 8;
  return i < nodes && j < nodes;
}

}  // namespace

uint32_t ModelCore::reg_read(uint32_t off) {
  const Params& p = model_.params();
  switch (off) {
    case reg::kMagic: return reg::kMagicValue;
    case reg::kVersion: return kDriverEngineVersion;
    case reg::kNCores: return p.cores;
    case reg::kNVcpus: return p.vcpus;
    case reg::kNNodes: return p.nodes;
    case reg::kMaxShards: return p.max_shards;
    case reg::kDescBytes: return reg::kDescBytesValue;
    case reg::kCtrl: return enabled_ ? reg::kCtrlEnable : 0;
    case reg::kStatus:
      return (idle() ? reg::kStatusIdle : 0) | (sticky() != 0 ? reg::kStatusError : 0) |
             (enabled_ ? reg::kStatusEnabled : 0);
    case reg::kErrSticky: return sticky();
    case reg::kLastErrSeq: return model_.last_err_seq();
    case reg::kLastErrCode: return model_.last_err_code();
    case reg::kScratch: return scratch_;
    case reg::kCntEvents: return model_.counters().events;
    case reg::kCntDecisions: return model_.counters().decisions;
    case reg::kCntErrors: return model_.counters().errors;
    case reg::kCntPreempts: return model_.counters().preempts;
    case reg::kCntShards: return model_.counters().shards;
    case reg::kCntCommits: return model_.counters().commits;
    case reg::kCntAborts: return model_.counters().aborts;
    default: break;
  }
  if (off >= reg::kConfigBase && off < reg::kPrestageRegBase && off % 4 == 0) {
    const auto key = static_cast<uint16_t>((off - reg::kConfigBase) / 4);
    return config_key_exists(key, p.nodes) ? model_.config(key) : 0;
  }
  if (off >= reg::kPrestageRegBase && off < reg::kPrestageRegBase + 64 && off % 4 == 0) {
    const uint32_t n = (off - reg::kPrestageRegBase) / 8;
    if (n >= p.nodes) return 0;
    const PrestageEntry e = model_.prestage(n);
    return (off % 8 == 0) ? encode_pre_entry(e.kind, e.core, e.vcpu) : e.epoch;
  }
  return 0;
}

void ModelCore::reg_write(uint32_t off, uint32_t v) {
  switch (off) {
    case reg::kCtrl:
      if (v & reg::kCtrlSoftReset) {
        // As docs/registers.md and the RTL: engine state, configuration,
        // counters and sticky errors reset; SCRATCH and the ring registers
        // keep their values; ENABLE takes the bit written with SOFT_RESET.
        model_.reset();
        queue_len_ = queue_pos_ = 0;
        reg_sticky_ = 0;
      }
      enabled_ = (v & reg::kCtrlEnable) != 0;
      return;
    case reg::kErrSticky:
      model_.clear_err_sticky(v);
      reg_sticky_ &= ~v;
      return;
    case reg::kScratch: scratch_ = v; return;
    default: break;
  }
  if (off >= reg::kConfigBase && off < reg::kPrestageRegBase && off % 4 == 0) {
    const auto key = static_cast<uint16_t>((off - reg::kConfigBase) / 4);
    if (enabled_) {
      reg_sticky_ |= 1u << static_cast<unsigned>(ErrorCode::kCfgLocked);
    } else if (!config_key_exists(key, model_.params().nodes) || model_.write_config(key, v) != ErrorCode::kNone) {
      reg_sticky_ |= 1u << static_cast<unsigned>(ErrorCode::kBadArg);
    }
  }
  // Identity, status, counters and prestage registers are read-only.
}

bool ModelCore::offer(const Event& ev) {
  if (frozen_ || !enabled_ || !fault_.empty() || queue_pos_ < queue_len_) return false;
  try {
    queue_len_ = model_.step(ev, queue_.data());
  } catch (const Error& e) {
    fault_ = std::string("the engine refused event ") + event_type_name(ev.type) + " seq " + std::to_string(ev.seq) +
             " and stopped (" + e.what() + ")";
    queue_len_ = 0;
    return false;
  }
  queue_pos_ = 0;
  return true;
}

bool ModelCore::take(Decision& out) {
  if (frozen_ || queue_pos_ >= queue_len_) return false;
  out = queue_[queue_pos_++];
  return true;
}

std::unique_ptr<EngineCore> make_model_core(const Params& params) { return std::make_unique<ModelCore>(params); }

std::unique_ptr<Backend> make_model_backend(const Params& params) {
  return std::make_unique<RingFrontEnd>("model", make_model_core(params));
}

void ModelCore::load_state(const std::vector<uint8_t>& state) {
  model_.load_state(state.data(), state.size());  // throws kBadInput, model unchanged
  queue_len_ = queue_pos_ = 0;
}

}  // namespace vshard::driver
