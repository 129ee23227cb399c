// The backend interface behind vshard::Device: register access, host memory
// the device reaches by DMA, and (for in-process devices) a way to let the
// device run. Private to driver/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
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
  // Loads a state snapshot (Model::save_state) into the engine; the
  // prestaged lines in host memory follow. kUnsupported by default.
  virtual void load_state(const std::vector<uint8_t>& state);
};

class EngineCore;  // ring_frontend.h

// Backend factories (each file compiles only when its tools exist). The
// in-process ones are a RingFrontEnd around an EngineCore; the make_*_core
// functions give the core alone, for `vshard serve` (offload_server.cc), which
// feeds it from a shared-memory ring or from datagrams.
std::unique_ptr<Backend> make_model_backend(const Params& params);
std::unique_ptr<EngineCore> make_model_core(const Params& params);
#ifdef VSHARD_DRIVER_HAVE_VERILATOR
std::unique_ptr<Backend> make_verilator_backend(const std::string& config);
std::unique_ptr<EngineCore> make_verilator_core(const std::string& config);
// The card top vs_card_top with its RTL DMA front-end ("verilator?frontend=dma";
// the binary links vshard_card_harness_small).
std::unique_ptr<Backend> make_verilator_dma_backend(const std::string& config);
#endif
#ifdef VSHARD_DRIVER_HAVE_OPENCL
// device_hint: part of an OpenCL platform or device name, empty = any device.
std::unique_ptr<Backend> make_opencl_backend(const Params& params, const std::string& device_hint);
std::unique_ptr<EngineCore> make_opencl_core(const Params& params, const std::string& device_hint);
#endif
#ifdef VSHARD_DRIVER_HAVE_XRT
std::unique_ptr<Backend> make_xrt_backend(const std::string& device, const std::string& xclbin,
                                          const std::string& kernel);
// Only a data-mover card (bitstreams/alveo) is a core; a card with its own
// DMA ring front-end throws kUnsupported.
std::unique_ptr<EngineCore> make_xrt_core(const std::string& device, const std::string& xclbin,
                                          const std::string& kernel);
#endif
// The offload transports (docs/offload.md): the engine in a `vshard serve`
// process, reached through a shared-memory region or the network.
std::unique_ptr<Backend> make_shm_backend(const std::string& name, const std::map<std::string, std::string>& query);
std::unique_ptr<Backend> make_udp_backend(const std::string& hostport, const std::map<std::string, std::string>& query);

}  // namespace vshard::driver
