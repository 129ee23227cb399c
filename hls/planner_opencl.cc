// OpenCL runner of the shard planner kernel.
#include "vshard/hls/planner_opencl.h"

#include <vector>

#define CL_HPP_TARGET_OPENCL_VERSION 120
#define CL_HPP_MINIMUM_OPENCL_VERSION 120
#define CL_HPP_ENABLE_EXCEPTIONS
#include <CL/opencl.hpp>

#include "vshard/error.h"

namespace vshard {

extern const char* const kPlannerClSource;  // generated: planner_cl_source.cc

namespace {

std::string cl_what(const cl::Error& e) {
  return std::string(e.what()) + " (OpenCL error " + std::to_string(e.err()) + ")";
}

}  // namespace

struct OpenClPlanner::Impl {
  cl::Context context;
  cl::Device device;
  cl::CommandQueue queue;
  cl::Program program;
  cl::Kernel kernel;
  std::string name;
  cl::Buffer in_buf;
  cl::Buffer out_buf;
  size_t capacity = 0;
};

const char* OpenClPlanner::kernel_source() { return kPlannerClSource; }

OpenClPlanner::OpenClPlanner(const std::string& device_hint) : impl_(std::make_unique<Impl>()) {
  std::vector<cl::Platform> platforms;
  try {
    cl::Platform::get(&platforms);
  } catch (const cl::Error& e) {
    throw Error(Errc::kDeviceNotFound, "no OpenCL platform found (" + cl_what(e) +
                                           "); install an ICD such as pocl-opencl-icd (scripts/install-deps)");
  }
  bool found = false;
  for (auto& p : platforms) {
    std::vector<cl::Device> devices;
    try {
      p.getDevices(CL_DEVICE_TYPE_ALL, &devices);
    } catch (const cl::Error&) {
      continue;  // a platform without devices
    }
    std::string pname = p.getInfo<CL_PLATFORM_NAME>();
    for (auto& d : devices) {
      std::string dname = d.getInfo<CL_DEVICE_NAME>();
      if (!device_hint.empty() && pname.find(device_hint) == std::string::npos &&
          dname.find(device_hint) == std::string::npos)
        continue;
      impl_->device = d;
      impl_->name = pname + " / " + dname;
      found = true;
      break;
    }
    if (found) break;
  }
  if (!found)
    throw Error(Errc::kDeviceNotFound,
                device_hint.empty() ? std::string("no OpenCL device found; install an ICD such as pocl-opencl-icd")
                                    : "no OpenCL device matches '" + device_hint +
                                          "'; pass an empty hint or part of a platform or device name");
  try {
    impl_->context = cl::Context(impl_->device);
    impl_->queue = cl::CommandQueue(impl_->context, impl_->device);
    impl_->program = cl::Program(impl_->context, std::string(kPlannerClSource));
  } catch (const cl::Error& e) {
    throw Error(Errc::kDeviceNotFound, "cannot open OpenCL device " + impl_->name + ": " + cl_what(e));
  }
  try {
    impl_->program.build(std::vector<cl::Device>{impl_->device}, "-cl-std=CL1.2");
  } catch (const cl::Error& e) {
    std::string log;
    try {
      log = impl_->program.getBuildInfo<CL_PROGRAM_BUILD_LOG>(impl_->device);
    } catch (const cl::Error&) {}
    throw Error(Errc::kInternal,
                "the planner kernel failed to build on " + impl_->name + ": " + cl_what(e) + "\nbuild log:\n" + log);
  }
  try {
    impl_->kernel = cl::Kernel(impl_->program, "vs_plan");
  } catch (const cl::Error& e) {
    throw Error(Errc::kInternal, "kernel vs_plan not found in the planner program: " + cl_what(e));
  }
}

OpenClPlanner::~OpenClPlanner() = default;
OpenClPlanner::OpenClPlanner(OpenClPlanner&&) noexcept = default;
OpenClPlanner& OpenClPlanner::operator=(OpenClPlanner&&) noexcept = default;

std::string OpenClPlanner::device_name() const { return impl_->name; }

void OpenClPlanner::plan(const PlanInput* in, PlanOutput* out, size_t n) {
  if (n == 0) return;
  if (n > 0xFFFFFFFFu) throw Error(Errc::kBadInput, "OpenClPlanner::plan: batch above 2^32-1 plans; split it");
  for (size_t i = 0; i < n; ++i) validate_plan_input(in[i]);
  Impl& m = *impl_;
  try {
    if (n > m.capacity) {
      m.in_buf = cl::Buffer(m.context, CL_MEM_READ_ONLY, n * sizeof(PlanInput));
      m.out_buf = cl::Buffer(m.context, CL_MEM_WRITE_ONLY, n * sizeof(PlanOutput));
      m.capacity = n;
    }
    m.queue.enqueueWriteBuffer(m.in_buf, CL_FALSE, 0, n * sizeof(PlanInput), in);
    m.kernel.setArg(0, m.in_buf);
    m.kernel.setArg(1, m.out_buf);
    m.kernel.setArg(2, static_cast<cl_uint>(n));
    m.queue.enqueueNDRangeKernel(m.kernel, cl::NullRange, cl::NDRange(n), cl::NullRange);
    m.queue.enqueueReadBuffer(m.out_buf, CL_TRUE, 0, n * sizeof(PlanOutput), out);
  } catch (const cl::Error& e) {
    throw Error(Errc::kDeviceFailed, "planner kernel run on " + m.name + " failed: " + cl_what(e));
  }
}

PlanOutput OpenClPlanner::plan(const PlanInput& in) {
  PlanOutput out;
  plan(&in, &out, 1);
  return out;
}

}  // namespace vshard
