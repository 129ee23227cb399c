// host::Engine: the small engine interface the hypervisor module talks to.
// One event in, its decisions out, plus the prestaged table as the host sees
// it in host memory. Implemented over the golden model in process
// (ModelEngine, "software decisions") and over vshard::Device
// (DeviceEngine, "hardware decisions": verilator or xrt backends).
#pragma once

#include <cstdint>
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

}  // namespace vshard::host
