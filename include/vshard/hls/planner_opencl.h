// vShard shard planner on an OpenCL device (PoCL on a CPU here; XRT's ICD
// on a Xilinx card). Driver-independent: the driver's `opencl` backend can
// wrap this class. The kernel is hls/kernels/vs_plan.cl around the shared
// core vshard/hls/planner_core.h, compiled at construction.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "vshard/hls/planner.h"

namespace vshard {

class OpenClPlanner {
 public:
  // Picks the first device whose platform or device name contains
  // device_hint (case-sensitive; empty = the first device of any type).
  // Throws Error(kDeviceNotFound) when no OpenCL platform or matching device
  // exists, Error(kInternal) with the build log when the kernel fails to build.
  explicit OpenClPlanner(const std::string& device_hint = "");
  ~OpenClPlanner();
  OpenClPlanner(const OpenClPlanner&) = delete;
  OpenClPlanner& operator=(const OpenClPlanner&) = delete;
  OpenClPlanner(OpenClPlanner&&) noexcept;
  OpenClPlanner& operator=(OpenClPlanner&&) noexcept;

  // "platform / device".
  std::string device_name() const;

  // Plans n inputs in one kernel launch (validates each first). Blocking.
  void plan(const PlanInput* in, PlanOutput* out, size_t n);
  PlanOutput plan(const PlanInput& in);

  // The OpenCL C source the device compiles (core pasted in).
  static const char* kernel_source();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vshard
