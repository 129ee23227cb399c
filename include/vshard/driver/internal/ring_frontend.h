// RingFrontEnd: the DMA front-end of an in-process device, in software. It
// owns the ring registers (EVQ_* / DQ_* / DOORBELL / PRESTAGE_BASE_*), reads
// events from the host ring when the doorbell is written, pushes them into an
// engine core, writes decisions to the decision ring, copies the prestaged
// table into host memory and writes its indices back, as a device would by
// DMA (docs/driver.md, "Host memory"). The engine core behind it is the golden
// model (backend "model") or the verilated RTL (backend "verilator").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vshard/driver/internal/backend.h"

namespace vshard::driver {

// The engine behind the front-end: its own registers and its two streams.
class EngineCore {
 public:
  virtual ~EngineCore() = default;
  virtual uint32_t reg_read(uint32_t offset) = 0;
  virtual void reg_write(uint32_t offset, uint32_t value) = 0;
  // Offers an event; false when the engine does not accept it now (stall).
  virtual bool offer(const Event& ev) = 0;
  // Takes the next decision if one is ready.
  virtual bool take(Decision& out) = 0;
  // Whether the decision ring has room: false back-pressures the engine's
  // decision stream (the engine then stalls and stops taking events).
  virtual void egress_ready(bool ready) = 0;
  // Lets the engine run a little (clock cycles); true if it did anything.
  virtual bool run() = 0;
  // No event in flight, all decisions taken, prestage registers up to date.
  virtual bool idle() = 0;
  virtual void freeze(bool on) = 0;
  virtual bool frozen() const = 0;
  // Engine-specific fault injection; false when the core does not handle it
  // (the front-end then handles the generic faults).
  virtual bool inject(Fault) { return false; }
  // See Backend::fault(), details(), planner_stats().
  virtual const std::string& fault() const;
  virtual std::vector<std::pair<std::string, std::string>> details() const { return {}; }
  virtual std::optional<PlannerStats> planner_stats() const { return std::nullopt; }
  // Loads a state snapshot (Model::save_state); only an engine that can
  // (the golden model) does, others throw kUnsupported.
  virtual void load_state(const std::vector<uint8_t>& state);
};

// The decision corruptions of Fault (test hooks), applied by whoever writes
// decisions out: the ring front-end here, `vshard serve` for udp://.
enum class Corrupt { kNone, kType, kSeq, kDropLast, kPayload };
// Arms `c` for a generic decision fault; false for other faults.
bool arm_corruption(Fault f, Corrupt& c);
// Applies an armed corruption to d (disarming it once used).
void apply_corruption(Corrupt& c, Decision& d);
// kUnsupported for the plan faults on a backend without a planner kernel.
[[noreturn]] void throw_no_planner(const std::string& backend);

class RingFrontEnd : public Backend {
 public:
  RingFrontEnd(const char* name, std::unique_ptr<EngineCore> core);
  const char* name() const override { return name_; }
  uint32_t read32(uint32_t offset) override;
  void write32(uint32_t offset, uint32_t value) override;
  std::unique_ptr<HostMemory> alloc(size_t bytes) override;
  bool service() override;
  void inject(Fault fault) override;
  const std::string& fault() const override { return core_->fault(); }
  std::vector<std::pair<std::string, std::string>> details() const override { return core_->details(); }
  std::optional<PlannerStats> planner_stats() const override { return core_->planner_stats(); }
  void load_state(const std::vector<uint8_t>& state) override;
  // Memory the engine reaches at device addresses [addr, addr + bytes) that
  // this front-end did not allocate (`vshard serve`: a shared-memory region).
  void adopt(uint8_t* base, uint64_t addr, size_t bytes) { regions_.push_back({base, addr, bytes}); }
  EngineCore& core() { return *core_; }

 private:
  uint8_t* translate(uint64_t addr, size_t bytes) const;
  void reset_rings();
  void copy_prestage(bool force);
  void write_back();
  bool write_decision(const Decision& d);

  const char* name_;
  std::unique_ptr<EngineCore> core_;
  uint32_t nodes_ = 1;

  // Memory the device can reach (what alloc handed out).
  struct Region {
    uint8_t* base;
    uint64_t addr;
    size_t bytes;
  };
  std::vector<Region> regions_;

  // Ring registers.
  uint64_t evq_base_ = 0, dq_base_ = 0, pre_base_ = 0;
  uint32_t evq_log2_ = 0, dq_log2_ = 0;
  uint32_t evq_head_ = 0, evq_tail_ = 0, dq_head_ = 0, dq_tail_ = 0;
  uint32_t overflow_sticky_ = 0;

  bool prestage_dirty_ = true;
  std::vector<uint64_t> prestage_copy_;

  // Fault injection.
  Corrupt corrupt_ = Corrupt::kNone;
};

}  // namespace vshard::driver
