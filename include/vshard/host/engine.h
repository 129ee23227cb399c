// host::Engine: the small engine interface the hypervisor module talks to.
// One event in, its decisions out, plus the prestaged table as the host sees
// it in host memory. Implemented over the golden model in process
// (ModelEngine, "software decisions") and over vshard::Device
// (DeviceEngine, "hardware decisions": verilator or xrt backends).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "vshard/descriptor.h"
#include "vshard/model.h"

namespace vshard::host {

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const Params& params() const = 0;
  // Processes one event and writes its decisions (the last has LAST) to out,
  // which has room for kMaxDecisionsPerEvent. Returns how many.
  virtual size_t submit(const Event& ev, Decision* out) = 0;
  // The engine's current prestaged entry of a node.
  virtual PrestageEntry prestage(uint32_t node) const = 0;
  // "model", "verilator", "xrt".
  virtual std::string name() const = 0;
};

// The golden model in process.
class ModelEngine final : public Engine {
 public:
  explicit ModelEngine(const Params& params) : model_(params) {}
  const Params& params() const override { return model_.params(); }
  size_t submit(const Event& ev, Decision* out) override { return model_.step(ev, out); }
  PrestageEntry prestage(uint32_t node) const override { return model_.prestage(node); }
  std::string name() const override { return "model"; }
  const Model& model() const { return model_; }

 private:
  Model model_;
};

// "model" -> ModelEngine; "verilator", "verilator?...", "xrt://..." ->
// DeviceEngine when the driver is built in (else kUnsupported naming the
// missing backend); "driver:<spec>" -> DeviceEngine over any device spec
// (e.g. "driver:model": the golden model behind the driver's rings).
// params: the engine configuration the host needs.
std::unique_ptr<Engine> make_engine(const std::string& spec, const Params& params);
// Throws what make_engine would for a spec it cannot take (an unknown engine,
// or a device engine in a build without the driver), without opening it: for
// command lines that check their arguments before a long run.
void check_engine_spec(const std::string& spec);
// True when make_engine can build device-backed engines.
bool device_engines_available();

// Decision-latency model: how long the host's wake path waits for a
// placement decision, by where the decision is computed. Times in µs.
struct LatencyModel {
  // Software scan (the decision computed on the waking CPU): a fixed part
  // plus a per-core part; both calibrated in docs/evaluation.md.
  double sw_base_us = 0.5;
  double sw_per_core_us = 0.032;  // measured: cold per-core scan, vshard_bench_hostsim
  // Hardware engine: cycles at clock plus one PCIe round trip
  // (doorbell write, engine, decision DMA + interrupt/poll).
  double hw_clock_mhz = 250.0;
  double hw_cycles = 24.0;
  double pcie_rtt_us = 0.85;
  // Posted write (COMMIT report, prestaged table update into host memory).
  double pcie_posted_us = 0.5;
  // Prestaged: one local cache-line read of host memory.
  double prestage_read_us = 0.1;

  double software(uint32_t cores) const { return sw_base_us + sw_per_core_us * cores; }
  double hardware() const { return hw_cycles / hw_clock_mhz + pcie_rtt_us; }
};

// Where the decisions of the vShard policy come from, for latency purposes.
enum class DecisionPath { kSoftware, kHardware, kPrestaged };
const char* decision_path_name(DecisionPath p);

// The host's copy of the prestaged table: the device writes each changed
// entry into host memory with a posted write, so the host sees a change
// `lag_us` after the engine made it. Deterministic in simulated time.
class PrestageMirror {
 public:
  PrestageMirror() = default;
  PrestageMirror(uint32_t nodes, double lag_us);
  // Call after every engine event at time now_us.
  void update(const Engine& engine, double now_us);
  // The entry of node visible to the host at now_us.
  PrestageEntry read(uint32_t node, double now_us);

 private:
  struct Version {
    double visible_us;
    PrestageEntry entry;
  };
  double lag_us_ = 0;
  std::vector<std::deque<Version>> nodes_;
  std::vector<PrestageEntry> latest_;
};

}  // namespace vshard::host
