// host::DecisionTiming: how long the scheduler says a decision took, and how
// it reads the engine's prestaged table. The same scheduler core runs under
// two clocks (issue 14): in real time (the agent, a hypervisor), where a
// decision takes what it takes and the prestaged table is read as the engine
// left it (RealTimeTiming, the default); and in the host simulator's
// simulated time, where both are modelled (hostsim::ModelledTiming,
// include/vshard/hostsim/latency.h).
#pragma once

#include <cstdint>

#include "vshard/host/engine.h"

namespace vshard::host {

// Where the decisions of the vShard policy come from: the engine in process
// computing them on the waking CPU (software), the engine over its device
// (hardware), or the device's prestaged table read on the wake path with a
// COMMIT behind it (prestaged). A scheduler configuration choice
// (SchedConfig::path); DecisionTiming says what each costs.
enum class DecisionPath { kSoftware, kHardware, kPrestaged };
const char* decision_path_name(DecisionPath p);

class DecisionTiming {
 public:
  virtual ~DecisionTiming() = default;
  // The decision latency, in µs, that the scheduler passes with a placement
  // (Dispatcher::run and shard's delay_us) and sums in
  // SchedStats::decision_us_total, by where the decision was made:
  // on the waking CPU scanning `cores` cores (software path, and host-side
  // policies),
  virtual double software_us(uint32_t cores) const = 0;
  // by the engine behind its device (hardware path),
  virtual double engine_us() const = 0;
  // from the prestaged entry whose COMMIT held,
  virtual double prestaged_us() const = 0;
  // from a prestaged entry whose COMMIT aborted (the host undoes the
  // placement it made and takes the engine's answer).
  virtual double abort_us() const = 0;
  // The engine processed an event at now_us: its prestaged table may have
  // changed. Called after every engine step on the prestaged path.
  virtual void engine_stepped(const Engine& engine, double now_us) = 0;
  // The prestaged entry of node as the host reads it at now_us.
  virtual PrestageEntry read_prestaged(const Engine& engine, uint32_t node, double now_us) = 0;
};

// Real time: the delays are 0 because the time a decision takes passes by
// itself (the hypervisor measures it if it wants it), and the prestaged
// entry read is the engine's current one (for a device engine, the host
// memory copy the device keeps).
class RealTimeTiming final : public DecisionTiming {
 public:
  double software_us(uint32_t) const override { return 0; }
  double engine_us() const override { return 0; }
  double prestaged_us() const override { return 0; }
  double abort_us() const override { return 0; }
  void engine_stepped(const Engine&, double) override {}
  PrestageEntry read_prestaged(const Engine& engine, uint32_t node, double) override { return engine.prestage(node); }
};

}  // namespace vshard::host
