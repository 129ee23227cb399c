// Backend "opencl": the golden model's engine, except that the shard plan of
// every preemption (docs/spec.md 7.3-7.4: K, targets, block split) is
// computed by the planner kernel (hls/kernels/vs_plan.cl around
// include/vshard/hls/planner_core.h) on an OpenCL device, and the PREEMPT and
// SHARD decisions are built from the kernel's output. The model asks for the
// plan through its ShardPlanner hook, before the event changes any state;
// everything else (checks, credits, victim and idle searches, prestaged
// table, register file, ring front-end) is the model backend's.
//
// One kernel launch per preemption: the plan depends on the state every
// earlier event left, so plans cannot be batched ahead of the events.
// The driver's shadow golden model checks every decision the kernel shaped.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "vshard/driver/internal/model_core.h"
#include "vshard/error.h"
#include "vshard/hls/planner_model.h"
#include "vshard/hls/planner_opencl.h"

namespace vshard::driver {
namespace {

class KernelPlanner : public ShardPlanner {
 public:
  explicit KernelPlanner(const std::string& device_hint) : cl_(device_hint) {}

  ShardPlan plan(const Model& model, uint32_t victim_core, uint16_t preemptor) override {
    const PlanInput in = plan_input_from_model(model, victim_core, preemptor);
    const auto t0 = std::chrono::steady_clock::now();
    const PlanOutput out = cl_.plan(in);  // Error(kDeviceFailed) if the launch fails
    stats_.kernel_ns += static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
    ++stats_.launches;
    ShardPlan plan = to_shard_plan(out);
    if (plan.k >= 1) {
      ++stats_.sharded;
      stats_.shards += plan.k;
    }
    apply_fault(plan);
    return plan;
  }

  void arm(Fault f) { pending_ = f; }
  std::string device_name() const { return cl_.device_name(); }
  const PlannerStats& stats() const { return stats_; }

 private:
  // Test hooks: alter what the kernel returned, as a faulty kernel would.
  void apply_fault(ShardPlan& plan) {
    if (pending_ == Fault::kCorruptPlan && plan.k >= 2 && plan.count[0] >= 1) {
      --plan.count[0];  // shard 1 starts one block earlier and takes it
      --plan.first[1];
      ++plan.count[1];
      pending_.reset();
    } else if (pending_ == Fault::kBadPlan && plan.k >= 2) {
      // K >= 2 so that the duplicate is the only broken invariant: a K = 0
      // plan raised to 2 names core 0 twice, usually refused as a busy core.
      plan.target[1] = plan.target[0];
      pending_.reset();
    }
  }

  OpenClPlanner cl_;
  PlannerStats stats_;
  std::optional<Fault> pending_;  // an armed plan fault
};

class OpenClCore : public ModelCore {
 public:
  OpenClCore(const Params& params, const std::string& device_hint) : ModelCore(params), planner_(device_hint) {
    model().set_shard_planner(&planner_);
  }
  ~OpenClCore() override { model().set_shard_planner(nullptr); }

  bool inject(Fault f) override {
    if (f != Fault::kCorruptPlan && f != Fault::kBadPlan) return false;
    planner_.arm(f);
    return true;
  }
  std::vector<std::pair<std::string, std::string>> details() const override {
    return {{"opencl device", planner_.device_name()},
            {"shard planner",
             "docs/spec.md 7.3-7.4 on the OpenCL device (hls/kernels/vs_plan.cl), "
             "one kernel launch per preemption; the rest of the engine is the golden model"}};
  }
  std::optional<PlannerStats> planner_stats() const override { return planner_.stats(); }

 private:
  KernelPlanner planner_;
};

}  // namespace

std::unique_ptr<EngineCore> make_opencl_core(const Params& params, const std::string& device_hint) {
  return std::make_unique<OpenClCore>(params, device_hint);
}

std::unique_ptr<Backend> make_opencl_backend(const Params& params, const std::string& device_hint) {
  return std::make_unique<RingFrontEnd>("opencl", make_opencl_core(params, device_hint));
}

}  // namespace vshard::driver
