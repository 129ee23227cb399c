// The backend interface behind vshard::Device: register access, host memory
// the device reaches by DMA, and (for in-process devices) a way to let the
// device run. Private to driver/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vshard/descriptor.h"
#include "vshard/device.h"

namespace vshard::driver {

// Host memory shared with the device (rings, prestaged table, writeback line).
class HostMemory {
 public:
  virtual ~HostMemory() = default;
  virtual uint8_t* data() = 0;
  virtual size_t size() const = 0;
  // The address the device uses for data()[0] (written to the *_BASE registers).
  virtual uint64_t device_address() const = 0;
  // Cache maintenance for devices that need it (XRT buffer objects); no-ops in process.
  virtual void sync_to_device(size_t offset, size_t bytes) = 0;
  virtual void sync_from_device(size_t offset, size_t bytes) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // 32-bit register access at a byte offset of the register map.
  virtual uint32_t read32(uint32_t offset) = 0;
  virtual void write32(uint32_t offset, uint32_t value) = 0;
  // Host memory of at least `bytes`, 4096-byte aligned.
  virtual std::unique_ptr<HostMemory> alloc(size_t bytes) = 0;
  // Lets an in-process device make progress (it runs only when asked);
  // returns true if anything changed. Hardware runs on its own: false.
  virtual bool service() = 0;
  // Fault injection (test hook); kUnsupported by default.
  virtual void inject(Fault fault);
  // A fault the device reports about itself: it stopped serving events and
  // says why. Empty while healthy. The driver marks the device failed.
  virtual const std::string& fault() const;
  // Backend facts for `vshard info` (name, value); none by default.
  virtual std::vector<std::pair<std::string, std::string>> details() const { return {}; }
  // Work of an offloaded shard planner (opencl backend); none by default.
  virtual std::optional<PlannerStats> planner_stats() const { return std::nullopt; }
};

// Backend factories (each file compiles only when its tools exist).
std::unique_ptr<Backend> make_model_backend(const Params& params);
#ifdef VSHARD_DRIVER_HAVE_VERILATOR
std::unique_ptr<Backend> make_verilator_backend(const std::string& config);
#endif
#ifdef VSHARD_DRIVER_HAVE_OPENCL
// device_hint: part of an OpenCL platform or device name, empty = any device.
std::unique_ptr<Backend> make_opencl_backend(const Params& params, const std::string& device_hint);
#endif
#ifdef VSHARD_DRIVER_HAVE_XRT
std::unique_ptr<Backend> make_xrt_backend(const std::string& device, const std::string& xclbin,
                                          const std::string& kernel);
#endif

}  // namespace vshard::driver
