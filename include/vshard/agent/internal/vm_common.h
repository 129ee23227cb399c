// What both vCPU backends (agent/vm/threads_vm.cc, agent/vm/kvm_vm.cc)
// share: the guest memory and the checks of Vm::create_vcpu's arguments.
#pragma once

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include "vshard/agent/guest.h"
#include "vshard/error.h"

namespace vshard::agent::internal {

// layout::kMemBytes of anonymous memory, zeroed by the kernel, unmapped on
// destruction.
class GuestMemory {
 public:
  GuestMemory() {
    // Page aligned, so every field of the layout is naturally aligned for
    // std::atomic_ref and for the guests' locked instructions.
    void* p = mmap(nullptr, layout::kMemBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      throw Error(Errc::kDeviceFailed, "guest memory: mmap of " + std::to_string(layout::kMemBytes) +
                                           " bytes failed: " + std::strerror(errno));
    base_ = static_cast<uint8_t*>(p);
  }
  ~GuestMemory() { munmap(base_, layout::kMemBytes); }
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  uint8_t* data() { return base_; }

 private:
  uint8_t* base_ = nullptr;
};

// The vCPU indices of one VM already given out (each index once, as
// Vm::create_vcpu promises), and a check of the role.
class VcpuIndices {
 public:
  // Throws Error(kBadConfig) naming the problem; else marks `index` used.
  void claim(uint32_t index, Role role) {
    if (index >= layout::kMaxVcpus)
      throw Error(Errc::kBadConfig, "vCPU index " + std::to_string(index) + " out of range: a VM has at most " +
                                        std::to_string(layout::kMaxVcpus) + " vCPUs (0.." +
                                        std::to_string(layout::kMaxVcpus - 1) + ")");
    if (role != Role::kServer && role != Role::kBatch && role != Role::kShardHelper)
      throw Error(Errc::kBadConfig,
                  "vCPU " + std::to_string(index) + ": unknown role " + std::to_string(static_cast<unsigned>(role)));
    std::lock_guard<std::mutex> lock(mu_);
    uint32_t bit = 1u << index;
    if (used_ & bit)
      throw Error(Errc::kBadConfig, "vCPU index " + std::to_string(index) + " already created in this VM");
    used_ |= bit;
  }

 private:
  static_assert(layout::kMaxVcpus <= 32, "one bit per index in a uint32_t");
  std::mutex mu_;
  uint32_t used_ = 0;
};

}  // namespace vshard::agent::internal
