// Backend "xrt": a vShard engine on a Xilinx card through XRT (xrt::device,
// xrt::xclbin, xrt::ip for registers, xrt::bo for the rings and the
// prestaged table).
//
// The engine's own registers (identity, control, configuration, counters,
// prestage) are at the offsets of include/vshard/regs.h within the kernel's
// AXI4-Lite window. The three ring pointers are the Vitis kernel arguments
// evq_base, dq_base and prestage_base: their offsets come from the xclbin
// (xrt::xclbin::arg::get_offset()), never from literals, and their memory
// bank from the xclbin's connectivity. Status of this backend: docs/driver.md
// ("XRT") -- no card was available; only XRT's noop emulation was exercised.
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include <experimental/xrt_ip.h>
#include <experimental/xrt_xclbin.h>
#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>

#include "internal/backend.h"
#include "internal/regmap.h"
#include "internal/xrt_layout.h"
#include "vshard/error.h"

namespace vshard::driver {

XrtKernelLayout xrt_kernel_layout(const xrt::xclbin& xclbin, const std::string& kernel, const std::string& where) {
  xrt::xclbin::kernel k;
  std::string names;
  for (const auto& cand : xclbin.get_kernels()) {
    names += (names.empty() ? "" : ", ") + cand.get_name();
    if (cand.get_name() == kernel) k = cand;
  }
  if (!k) {
    throw Error(Errc::kIdentityMismatch, where + ": the xclbin has no kernel '" + kernel + "' (kernels: " +
                                             (names.empty() ? std::string("none") : names) +
                                             "); pass ?kernel=<name> or load the vShard engine xclbin");
  }
  XrtKernelLayout lay;
  lay.kernel = kernel;
  struct Want {
    const char* arg;
    uint32_t lo, hi;
  };
  const Want wants[] = {{"evq_base", reg::kEvqBaseLo, reg::kEvqBaseHi},
                        {"dq_base", reg::kDqBaseLo, reg::kDqBaseHi},
                        {"prestage_base", reg::kPrestageBaseLo, reg::kPrestageBaseHi}};
  for (const Want& w : wants) {
    bool found = false;
    for (const auto& a : k.get_args()) {
      if (a.get_name() != w.arg) continue;
      found = true;
      if (a.get_size() != 8) {
        throw Error(Errc::kIdentityMismatch, where + ": kernel argument " + w.arg + " is " +
                                                 std::to_string(a.get_size()) + " bytes, expected a 64-bit pointer");
      }
      const auto off = static_cast<uint32_t>(a.get_offset());
      lay.remap[w.lo] = off;
      lay.remap[w.hi] = off + 4;
      const auto mems = a.get_mems();
      if (!mems.empty() && lay.mem_group < 0) lay.mem_group = mems.front().get_index();
    }
    if (!found) {
      throw Error(Errc::kIdentityMismatch, where + ": kernel '" + kernel + "' has no argument '" + w.arg +
                                               "': this xclbin is not a vShard engine with a ring front-end");
    }
  }
  if (lay.mem_group < 0) lay.mem_group = 0;
  return lay;
}

namespace {

class XrtMemory : public HostMemory {
 public:
  XrtMemory(xrt::bo bo, size_t bytes) : bo_(std::move(bo)), bytes_(bytes) { data_ = bo_.map<uint8_t*>(); }
  uint8_t* data() override { return data_; }
  size_t size() const override { return bytes_; }
  uint64_t device_address() const override { return bo_.address(); }
  void sync_to_device(size_t offset, size_t bytes) override { bo_.sync(XCL_BO_SYNC_BO_TO_DEVICE, bytes, offset); }
  void sync_from_device(size_t offset, size_t bytes) override {
    bo_.sync(XCL_BO_SYNC_BO_FROM_DEVICE, bytes, offset);
  }

 private:
  xrt::bo bo_;
  size_t bytes_;
  uint8_t* data_ = nullptr;
};

class XrtBackend : public Backend {
 public:
  XrtBackend(const std::string& device, const std::string& xclbin_path, const std::string& kernel)
      : where_("xrt://" + device) {
    if (std::getenv("XILINX_XRT") == nullptr) {
      throw Error(Errc::kDeviceNotFound,
                  where_ + ": XILINX_XRT is not set. XRT needs it to point at a directory whose lib/ holds its "
                           "shim libraries; on Debian they are in /usr/lib/x86_64-linux-gnu, so make a "
                           "directory with lib/ -> symlinks to /usr/lib/x86_64-linux-gnu/libxrt_* and set "
                           "XILINX_XRT to it (see docs/driver.md)");
    }
    if (xclbin_path.empty()) {
      throw Error(Errc::kBadConfig, where_ + ": give the engine's xclbin: xrt://" + device +
                                        "?xclbin=<file>. Its kernel arguments give the ring pointer registers "
                                        "and its connectivity the memory bank of the rings");
    }
    xrt::xclbin xclbin;
    try {
      xclbin = xrt::xclbin(xclbin_path);
    } catch (const std::exception& e) {
      throw Error(Errc::kBadInput, where_ + ": cannot read xclbin '" + xclbin_path + "': " + e.what());
    }
    layout_ = xrt_kernel_layout(xclbin, kernel, where_);
    try {
      const bool index = device.find_first_not_of("0123456789") == std::string::npos;
      dev_ = index ? xrt::device(static_cast<unsigned>(std::stoul(device))) : xrt::device(device);
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceNotFound, where_ + ": XRT cannot open the card: " + e.what() +
                                             " (is the card present and its driver loaded? `xbutil examine` "
                                             "lists cards; XCL_EMULATION_MODE selects an emulation)");
    }
    try {
      uuid_ = dev_.load_xclbin(xclbin);
      ip_ = xrt::ip(dev_, uuid_, layout_.kernel);
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed, where_ + ": loading '" + xclbin_path + "' and opening kernel '" +
                                           layout_.kernel + "' failed: " + e.what());
    }
  }

  const char* name() const override { return "xrt"; }

  uint32_t read32(uint32_t off) override {
    try {
      return ip_.read_register(map(off));
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed, where_ + ": register read at " + std::to_string(off) +
                                           " (xclbin offset " + std::to_string(map(off)) + ") failed: " + e.what());
    }
  }
  void write32(uint32_t off, uint32_t value) override {
    try {
      ip_.write_register(map(off), value);
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed, where_ + ": register write at " + std::to_string(off) + " failed: " + e.what());
    }
  }
  std::unique_ptr<HostMemory> alloc(size_t bytes) override {
    try {
      xrt::bo bo(dev_, bytes, xrt::bo::flags::host_only, static_cast<xrt::memory_group>(layout_.mem_group));
      return std::make_unique<XrtMemory>(std::move(bo), bytes);
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed, where_ + ": allocating " + std::to_string(bytes) +
                                           " bytes of host-only buffer memory failed: " + e.what());
    }
  }
  bool service() override { return false; }  // the card runs on its own

 private:
  uint32_t map(uint32_t off) const {
    const auto it = layout_.remap.find(off);
    return it == layout_.remap.end() ? off : it->second;
  }

  std::string where_;
  XrtKernelLayout layout_;
  xrt::device dev_;
  xrt::uuid uuid_;
  xrt::ip ip_;
};

}  // namespace

std::unique_ptr<Backend> make_xrt_backend(const std::string& device, const std::string& xclbin,
                                          const std::string& kernel) {
  return std::make_unique<XrtBackend>(device, xclbin, kernel);
}

}  // namespace vshard::driver
