// What the xrt backend takes from the xclbin: for a data-mover card (the
// bitstreams/alveo build) the engine kernel and the movers' arguments; for a
// ring front-end card the offsets of the ring pointer kernel arguments and
// their memory bank. Private to driver/.
#pragma once

#include <cstdint>
#include <cstddef>
#include <memory>
#include <map>
#include <optional>
#include <string>

namespace xrt {
class xclbin;
}

namespace vshard::driver {

class MoverLink;

struct XrtKernelLayout {
  std::string kernel;
  // regs.h offset of EVQ_BASE_LO/HI, DQ_BASE_LO/HI, PRESTAGE_BASE_LO/HI ->
  // offset of the kernel argument (evq_base, dq_base, prestage_base) in the xclbin.
  std::map<uint32_t, uint32_t> remap;
  int32_t mem_group = -1;  // memory bank of the ring buffers (xclbin connectivity), 0 if none given
  // That bank is the platform's host memory (HOST[0]): buffers are host_only
  // and the card reaches them directly; otherwise a card bank (DDR/HBM):
  // normal buffers, which Device's bo.sync calls copy over PCIe.
  bool host_memory = false;
};

// Throws vshard::Error(kIdentityMismatch) if the kernel or an argument is missing.
XrtKernelLayout xrt_kernel_layout(const xrt::xclbin& xclbin, const std::string& kernel, const std::string& where);

// A card built by bitstreams/alveo: the engine kernel (registers through
// xrt::ip) whose streams are fed by vs_mm2s(ring, first, n, size_log2, evt)
// and drained by vs_s2mm(dec, out, events, max, written).
struct XrtMoverLayout {
  std::string engine;
  // Indices of the buffer arguments (their memory banks: xrt::kernel::group_id).
  int mm2s_ring = -1, s2mm_out = -1, s2mm_written = -1;
};

// nullopt when the xclbin has neither vs_mm2s nor vs_s2mm; throws
// vshard::Error(kIdentityMismatch) naming what is missing when it has one of
// them, not the engine kernel, or not an argument of vs_movers.cc.
std::optional<XrtMoverLayout> xrt_mover_layout(const xrt::xclbin& xclbin, const std::string& engine,
                                               const std::string& where);

// Events per data-mover transfer (two kernel runs).
inline constexpr size_t kMoverBatch = 256;

// The XRT side of a data-mover card, opened (what make_xrt_backend puts
// behind MoverCore); exposed for the noop test.
std::unique_ptr<MoverLink> make_xrt_mover_link(const std::string& device, const std::string& xclbin,
                                               const std::string& engine);

}  // namespace vshard::driver
