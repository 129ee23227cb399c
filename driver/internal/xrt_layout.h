// What the xrt backend takes from the xclbin: the offsets of the ring
// pointer kernel arguments and their memory bank. Private to driver/.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace xrt {
class xclbin;
}

namespace vshard::driver {

struct XrtKernelLayout {
  std::string kernel;
  // regs.h offset of EVQ_BASE_LO/HI, DQ_BASE_LO/HI, PRESTAGE_BASE_LO/HI ->
  // offset of the kernel argument (evq_base, dq_base, prestage_base) in the xclbin.
  std::map<uint32_t, uint32_t> remap;
  int32_t mem_group = -1;  // memory bank of the ring buffers (xclbin connectivity), 0 if none given
};

// Throws vshard::Error(kIdentityMismatch) if the kernel or an argument is missing.
XrtKernelLayout xrt_kernel_layout(const xrt::xclbin& xclbin, const std::string& kernel, const std::string& where);

}  // namespace vshard::driver
