// ModelCore: the golden model as an engine core behind the software ring
// front-end, with the register file docs/registers.md describes (identity,
// CTRL/STATUS, sticky errors, counters, configuration writes only while
// CTRL.ENABLE = 0, prestage registers). Backend "model" uses it as is;
// backend "opencl" sets a shard planner hook on its model. Private to driver/.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "vshard/driver/internal/ring_frontend.h"
#include "vshard/model.h"

namespace vshard::driver {

class ModelCore : public EngineCore {
 public:
  explicit ModelCore(const Params& p) : model_(p) {}

  uint32_t reg_read(uint32_t off) override;
  void reg_write(uint32_t off, uint32_t v) override;
  // A model that throws (only a shard planner hook can make it) leaves the
  // event unconsumed and the core faulted: it serves nothing until a soft
  // reset, and fault() says why.
  bool offer(const Event& ev) override;
  bool take(Decision& out) override;
  void egress_ready(bool) override {}    // take() is pulled only while the ring has room
  bool run() override { return false; }  // the model answers at once
  bool idle() override { return queue_pos_ >= queue_len_; }
  void freeze(bool on) override { frozen_ = on; }
  bool frozen() const override { return frozen_; }
  const std::string& fault() const override { return fault_; }
  void load_state(const std::vector<uint8_t>& state) override;

 protected:
  Model& model() { return model_; }

 private:
  uint32_t sticky() const { return model_.err_sticky() | reg_sticky_; }

  Model model_;
  std::array<Decision, kMaxDecisionsPerEvent> queue_{};
  size_t queue_len_ = 0, queue_pos_ = 0;
  bool enabled_ = true;
  bool frozen_ = false;
  uint32_t scratch_ = 0;
  uint32_t reg_sticky_ = 0;  // errors of the register interface (E_CFG_LOCKED, E_BAD_ARG)
  std::string fault_;
};

}  // namespace vshard::driver
