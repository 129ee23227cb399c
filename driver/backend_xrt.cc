// Backend "xrt": a vShard engine on a Xilinx card through XRT (xrt::device,
// xrt::xclbin, xrt::ip for registers, xrt::bo for buffers). Two card layouts,
// told apart by the xclbin's kernels:
//
// * data movers (bitstreams/alveo LAYOUT=movers): the engine kernel vs_engine
//   (user-managed, registers through xrt::ip) with its AXI-Streams between the
//   HLS kernels vs_mm2s and vs_s2mm. The rings stay in host software
//   (RingFrontEnd) and events go to the card in batches (MoverCore): vs_mm2s
//   reads them from a device buffer into the engine, vs_s2mm writes the
//   decisions back until it has seen one LAST per event.
// * ring front-end (bitstreams/alveo LAYOUT=ring, the default): an engine
//   kernel (default vs_card: rtl/vs_card_top.sv) with a DMA ring front-end
//   in hardware and the 64-bit pointer arguments evq_base, dq_base and
//   prestage_base; their offsets come from the xclbin
//   (xrt::xclbin::arg::get_offset()), never from literals, and their memory
//   bank from its connectivity: the host-memory bank HOST[0] (buffers
//   host_only, the card reads and writes host memory) or a card bank
//   (normal buffers, moved by the bo.sync calls of Device).
//
// Status: docs/driver.md ("XRT") -- no card was available; only XRT's noop
// emulation and a card stand-in behind MoverLink were exercised.
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <experimental/xrt_ip.h>
#include <experimental/xrt_xclbin.h>
#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include "vshard/driver/internal/backend.h"
#include "vshard/driver/internal/mover_core.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/xrt_layout.h"
#include "vshard/error.h"

namespace vshard::driver {

namespace {

// The kernel of that name in the xclbin, or an empty handle; names collects
// every kernel's name for messages.
xrt::xclbin::kernel find_kernel(const xrt::xclbin& xclbin, const std::string& name, std::string* names = nullptr) {
  xrt::xclbin::kernel found;
  for (const auto& cand : xclbin.get_kernels()) {
    if (names) *names += (names->empty() ? "" : ", ") + cand.get_name();
    if (cand.get_name() == name) found = cand;
  }
  return found;
}

// The platform's host-memory bank (v++ --connectivity.sp ...:HOST[0]).
bool is_host_bank(const xrt::xclbin::mem& m) {
  return m.get_type() == xrt::xclbin::mem::memory_type::host || m.get_tag().rfind("HOST", 0) == 0;
}

std::optional<xrt::xclbin::arg> find_arg(const xrt::xclbin::kernel& k, const std::string& name) {
  for (const auto& a : k.get_args()) {
    if (a.get_name() == name) return a;
  }
  return std::nullopt;
}

}  // namespace

XrtKernelLayout xrt_kernel_layout(const xrt::xclbin& xclbin, const std::string& kernel, const std::string& where) {
  std::string names;
  const xrt::xclbin::kernel k = find_kernel(xclbin, kernel, &names);
  if (!k) {
    throw Error(Errc::kIdentityMismatch, where + ": the xclbin has no kernel '" + kernel +
                                             "' (kernels: " + (names.empty() ? std::string("none") : names) +
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
    const auto a = find_arg(k, w.arg);
    if (!a) {
      throw Error(Errc::kIdentityMismatch, where + ": kernel '" + kernel + "' has no argument '" + w.arg +
                                               "': this xclbin is not a vShard engine with a ring front-end");
    }
    if (a->get_size() != 8) {
      throw Error(Errc::kIdentityMismatch, where + ": kernel argument " + w.arg + " is " +
                                               std::to_string(a->get_size()) + " bytes, expected a 64-bit pointer");
    }
    const auto off = static_cast<uint32_t>(a->get_offset());
    lay.remap[w.lo] = off;
    lay.remap[w.hi] = off + 4;
    const auto mems = a->get_mems();
    if (!mems.empty() && lay.mem_group < 0) {
      lay.mem_group = mems.front().get_index();
      lay.host_memory = is_host_bank(mems.front());
    }
  }
  if (lay.mem_group < 0) lay.mem_group = 0;
  return lay;
}

std::optional<XrtMoverLayout> xrt_mover_layout(const xrt::xclbin& xclbin, const std::string& engine,
                                               const std::string& where) {
  std::string names;
  const xrt::xclbin::kernel mm2s = find_kernel(xclbin, "vs_mm2s", &names);
  const xrt::xclbin::kernel s2mm = find_kernel(xclbin, "vs_s2mm");
  if (!mm2s && !s2mm) return std::nullopt;
  if (!mm2s || !s2mm) {
    throw Error(Errc::kIdentityMismatch, where + ": the xclbin has '" + (mm2s ? "vs_mm2s" : "vs_s2mm") + "' but not '" +
                                             (mm2s ? "vs_s2mm" : "vs_mm2s") +
                                             "': the engine's streams need both data movers (bitstreams/alveo)");
  }
  if (!find_kernel(xclbin, engine)) {
    throw Error(Errc::kIdentityMismatch, where + ": the xclbin has the data movers but no engine kernel '" + engine +
                                             "' (kernels: " + names + "); pass ?kernel=<name>");
  }
  XrtMoverLayout lay;
  lay.engine = engine;
  // The arguments of vs_movers.cc, by name; pointers must be 64-bit.
  struct Want {
    const xrt::xclbin::kernel* k;
    const char* kernel;
    const char* arg;
    bool pointer;
    int* index;
  };
  const Want wants[] = {
      {&mm2s, "vs_mm2s", "ring", true, &lay.mm2s_ring}, {&mm2s, "vs_mm2s", "first", false, nullptr},
      {&mm2s, "vs_mm2s", "n", false, nullptr},          {&mm2s, "vs_mm2s", "size_log2", false, nullptr},
      {&s2mm, "vs_s2mm", "out", true, &lay.s2mm_out},   {&s2mm, "vs_s2mm", "events", false, nullptr},
      {&s2mm, "vs_s2mm", "max", false, nullptr},        {&s2mm, "vs_s2mm", "written", true, &lay.s2mm_written}};
  for (const Want& w : wants) {
    const auto a = find_arg(*w.k, w.arg);
    if (!a) {
      throw Error(Errc::kIdentityMismatch, where + ": kernel '" + w.kernel + "' has no argument '" + w.arg +
                                               "': it is not the data mover of bitstreams/alveo/vs_movers.cc");
    }
    if (w.pointer && a->get_size() != 8) {
      throw Error(Errc::kIdentityMismatch, where + ": kernel argument " + w.kernel + "." + w.arg + " is " +
                                               std::to_string(a->get_size()) + " bytes, expected a 64-bit pointer");
    }
    if (w.index) *w.index = static_cast<int>(a->get_index());
  }
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
  void sync_from_device(size_t offset, size_t bytes) override { bo_.sync(XCL_BO_SYNC_BO_FROM_DEVICE, bytes, offset); }

 private:
  xrt::bo bo_;
  size_t bytes_;
  uint8_t* data_ = nullptr;
};

// An opened card with the xclbin loaded.
struct XrtCard {
  std::string where;
  xrt::xclbin xclbin;
  xrt::device dev;
  xrt::uuid uuid;
};

xrt::xclbin read_xclbin(const std::string& device, const std::string& xclbin_path, const std::string& where) {
  if (std::getenv("XILINX_XRT") == nullptr) {
    throw Error(Errc::kDeviceNotFound,
                where +
                    ": XILINX_XRT is not set. XRT needs it to point at a directory whose lib/ holds its "
                    "shim libraries; on Debian they are in /usr/lib/x86_64-linux-gnu, so make a "
                    "directory with lib/ -> symlinks to /usr/lib/x86_64-linux-gnu/libxrt_* and set "
                    "XILINX_XRT to it (see docs/driver.md)");
  }
  if (xclbin_path.empty()) {
    throw Error(Errc::kBadConfig, where + ": give the engine's xclbin: xrt://" + device +
                                      "?xclbin=<file>. Its kernels and their arguments tell how the engine is "
                                      "reached (data movers or a ring front-end)");
  }
  try {
    return xrt::xclbin(xclbin_path);
  } catch (const std::exception& e) {
    throw Error(Errc::kBadInput, where + ": cannot read xclbin '" + xclbin_path + "': " + e.what());
  }
}

void open_card(XrtCard& card, const std::string& device, const std::string& xclbin_path) {
  try {
    const bool index = device.find_first_not_of("0123456789") == std::string::npos;
    card.dev = index ? xrt::device(static_cast<unsigned>(std::stoul(device))) : xrt::device(device);
  } catch (const std::exception& e) {
    throw Error(Errc::kDeviceNotFound, card.where + ": XRT cannot open the card: " + e.what() +
                                           " (is the card present and its driver loaded? `xbutil examine` "
                                           "lists cards; XCL_EMULATION_MODE selects an emulation)");
  }
  try {
    card.uuid = card.dev.load_xclbin(card.xclbin);
  } catch (const std::exception& e) {
    throw Error(Errc::kDeviceFailed, card.where + ": loading '" + xclbin_path + "' failed: " + e.what());
  }
}

xrt::ip open_ip(const XrtCard& card, const std::string& kernel) {
  try {
    return xrt::ip(card.dev, card.uuid, kernel);
  } catch (const std::exception& e) {
    throw Error(Errc::kDeviceFailed, card.where + ": opening kernel '" + kernel + "' failed: " + e.what());
  }
}

uint32_t ip_read(xrt::ip& ip, uint32_t off, uint32_t at, const std::string& where) {
  try {
    return ip.read_register(at);
  } catch (const std::exception& e) {
    throw Error(Errc::kDeviceFailed, where + ": register read at " + std::to_string(off) + " (xclbin offset " +
                                         std::to_string(at) + ") failed: " + e.what());
  }
}

void ip_write(xrt::ip& ip, uint32_t off, uint32_t at, uint32_t value, const std::string& where) {
  try {
    ip.write_register(at, value);
  } catch (const std::exception& e) {
    throw Error(Errc::kDeviceFailed, where + ": register write at " + std::to_string(off) + " failed: " + e.what());
  }
}

// Ring front-end layout: the card serves the rings itself.
class XrtBackend : public Backend {
 public:
  XrtBackend(XrtCard card, XrtKernelLayout layout) : card_(std::move(card)), layout_(std::move(layout)) {
    ip_ = open_ip(card_, layout_.kernel);
  }

  const char* name() const override { return "xrt"; }
  uint32_t read32(uint32_t off) override { return ip_read(ip_, off, map(off), card_.where); }
  void write32(uint32_t off, uint32_t value) override { ip_write(ip_, off, map(off), value, card_.where); }
  std::unique_ptr<HostMemory> alloc(size_t bytes) override {
    try {
      // In the host-memory bank the card reaches the buffer itself (bo.sync
      // only orders); in a card bank bo.sync copies it over PCIe.
      xrt::bo bo(card_.dev, bytes, layout_.host_memory ? xrt::bo::flags::host_only : xrt::bo::flags::normal,
                 static_cast<xrt::memory_group>(layout_.mem_group));
      return std::make_unique<XrtMemory>(std::move(bo), bytes);
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed, card_.where + ": allocating " + std::to_string(bytes) + " bytes of " +
                                           (layout_.host_memory ? "host-only" : "card") + " buffer memory in bank " +
                                           std::to_string(layout_.mem_group) + " failed: " + e.what() +
                                           (layout_.host_memory ? " (is host memory enabled? xbutil configure "
                                                                  "--host-mem --size <size> ENABLE)"
                                                                : ""));
    }
  }
  bool service() override { return false; }  // the card runs on its own
  std::vector<std::pair<std::string, std::string>> details() const override {
    return {{"layout", "ring front-end in the engine kernel '" + layout_.kernel + "'"},
            {"ring memory", std::string(layout_.host_memory ? "host memory (HOST bank " : "card memory (bank ") +
                                std::to_string(layout_.mem_group) + ")"}};
  }

 private:
  uint32_t map(uint32_t off) const {
    const auto it = layout_.remap.find(off);
    return it == layout_.remap.end() ? off : it->second;
  }

  XrtCard card_;
  XrtKernelLayout layout_;
  xrt::ip ip_;
};

// Data-mover layout: one transfer = a vs_s2mm run and a vs_mm2s run on
// device buffers (MoverCore batches the events).
class XrtMoverLink : public MoverLink {
 public:
  XrtMoverLink(XrtCard card, XrtMoverLayout lay, size_t batch)
      : card_(std::move(card)), lay_(std::move(lay)), ip_(open_ip(card_, lay_.engine)) {
    try {
      mm2s_ = xrt::kernel(card_.dev, card_.uuid, "vs_mm2s");
      s2mm_ = xrt::kernel(card_.dev, card_.uuid, "vs_s2mm");
      // The event buffer is a ring of 2^size_log2 descriptors for vs_mm2s.
      while ((size_t{1} << evt_log2_) < batch) ++evt_log2_;
      evt_bo_ = xrt::bo(card_.dev, size_t{16} << evt_log2_, mm2s_.group_id(lay_.mm2s_ring));
      dec_bo_ = xrt::bo(card_.dev, size_t{16} * batch * kMaxDecisionsPerEvent, s2mm_.group_id(lay_.s2mm_out));
      written_bo_ = xrt::bo(card_.dev, 4096, s2mm_.group_id(lay_.s2mm_written));
      mm2s_run_ = xrt::run(mm2s_);
      s2mm_run_ = xrt::run(s2mm_);
      mm2s_run_.set_arg("ring", evt_bo_);
      mm2s_run_.set_arg("first", 0u);
      mm2s_run_.set_arg("size_log2", evt_log2_);
      s2mm_run_.set_arg("out", dec_bo_);
      s2mm_run_.set_arg("written", written_bo_);
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed,
                  card_.where + ": setting up the data movers vs_mm2s/vs_s2mm failed: " + e.what());
    }
  }

  uint32_t reg_read(uint32_t off) override { return ip_read(ip_, off, off, card_.where); }
  void reg_write(uint32_t off, uint32_t v) override { ip_write(ip_, off, off, v, card_.where); }

  size_t transfer(const Event* events, size_t n, Decision* out, size_t max) override {
    if (n > (size_t{1} << evt_log2_) || max * 16 > dec_bo_.size()) {
      throw Error(Errc::kDeviceFailed,
                  card_.where + ": a transfer of " + std::to_string(n) + " events does not fit the movers' buffers");
    }
    auto* evt = evt_bo_.map<uint8_t*>();
    for (size_t i = 0; i < n; ++i) encode(events[i], evt + 16 * i);
    auto* written = written_bo_.map<uint32_t*>();
    *written = 0;
    try {
      evt_bo_.sync(XCL_BO_SYNC_BO_TO_DEVICE, 16 * n, 0);
      written_bo_.sync(XCL_BO_SYNC_BO_TO_DEVICE, 4, 0);
      s2mm_run_.set_arg("events", static_cast<unsigned>(n));
      s2mm_run_.set_arg("max", static_cast<unsigned>(max));
      mm2s_run_.set_arg("n", static_cast<unsigned>(n));
      s2mm_run_.start();  // the decision side first: it must be ready to drain the engine
      mm2s_run_.start();
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed, card_.where + ": starting the data movers failed: " + e.what());
    }
    wait(mm2s_run_, "vs_mm2s", "the engine is not taking events (is CTRL.ENABLE set?)");
    wait(s2mm_run_, "vs_s2mm", "the engine did not answer every event");
    try {
      written_bo_.sync(XCL_BO_SYNC_BO_FROM_DEVICE, 4, 0);
      const size_t got = *written;
      if (got > max) return got;  // MoverCore names the problem
      dec_bo_.sync(XCL_BO_SYNC_BO_FROM_DEVICE, 16 * got, 0);
      const auto* dec = dec_bo_.map<const uint8_t*>();
      for (size_t i = 0; i < got; ++i) out[i] = Decision{decode(dec + 16 * i)};
      return got;
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed, card_.where + ": reading the decisions back failed: " + e.what());
    }
  }

  std::vector<std::pair<std::string, std::string>> details() const override {
    return {{"layout", "engine kernel '" + lay_.engine + "' between the data movers vs_mm2s and vs_s2mm"},
            {"transfer timeout", std::to_string(kTimeout.count()) + " ms"}};
  }

 private:
  static constexpr std::chrono::milliseconds kTimeout{2000};

  void wait(xrt::run& run, const char* kernel, const char* meaning) {
    ert_cmd_state st{};
    try {
      st = run.wait(kTimeout);
    } catch (const std::exception& e) {
      throw Error(Errc::kDeviceFailed, card_.where + ": waiting for " + kernel + " failed: " + e.what());
    }
    if (st != ERT_CMD_STATE_COMPLETED) {
      throw Error(Errc::kDeviceFailed, card_.where + ": " + kernel +
                                           (st == ERT_CMD_STATE_TIMEOUT
                                                ? " did not finish within " + std::to_string(kTimeout.count()) + " ms: "
                                                : " ended in command state " + std::to_string(st) + ": ") +
                                           meaning + "; reload the xclbin or reset the card before using it again");
    }
  }

  XrtCard card_;
  XrtMoverLayout lay_;
  xrt::ip ip_;
  xrt::kernel mm2s_, s2mm_;
  unsigned evt_log2_ = 0;
  xrt::bo evt_bo_, dec_bo_, written_bo_;
  xrt::run mm2s_run_, s2mm_run_;
};

}  // namespace

namespace {

// Reads the xclbin; with its data movers, opens the card behind a MoverLink.
std::unique_ptr<MoverLink> mover_link(XrtCard& card, const std::string& device, const std::string& xclbin_path,
                                      const std::string& engine) {
  auto movers = xrt_mover_layout(card.xclbin, engine, card.where);
  if (!movers) return nullptr;
  open_card(card, device, xclbin_path);
  return std::make_unique<XrtMoverLink>(std::move(card), *movers, kMoverBatch);
}

XrtCard read_card(const std::string& device, const std::string& xclbin_path) {
  XrtCard card;
  card.where = "xrt://" + device;
  card.xclbin = read_xclbin(device, xclbin_path, card.where);
  return card;
}

}  // namespace

std::unique_ptr<MoverLink> make_xrt_mover_link(const std::string& device, const std::string& xclbin_path,
                                               const std::string& engine) {
  XrtCard card = read_card(device, xclbin_path);
  const std::string where = card.where;
  auto link = mover_link(card, device, xclbin_path, engine);
  if (!link) throw Error(Errc::kIdentityMismatch, where + ": '" + xclbin_path + "' has no data movers vs_mm2s/vs_s2mm");
  return link;
}

std::unique_ptr<Backend> make_xrt_backend(const std::string& device, const std::string& xclbin_path,
                                          const std::string& kernel) {
  XrtCard card = read_card(device, xclbin_path);
  // The data movers decide the layout; without them, a ring front-end.
  if (auto link = mover_link(card, device, xclbin_path, kernel.empty() ? "vs_engine" : kernel)) {
    return std::make_unique<RingFrontEnd>("xrt", std::make_unique<MoverCore>(std::move(link), kMoverBatch));
  }
  XrtKernelLayout layout = xrt_kernel_layout(card.xclbin, kernel.empty() ? "vs_card" : kernel, card.where);
  open_card(card, device, xclbin_path);
  return std::make_unique<XrtBackend>(std::move(card), std::move(layout));
}

std::unique_ptr<EngineCore> make_xrt_core(const std::string& device, const std::string& xclbin_path,
                                          const std::string& kernel) {
  XrtCard card = read_card(device, xclbin_path);
  if (auto link = mover_link(card, device, xclbin_path, kernel.empty() ? "vs_engine" : kernel))
    return std::make_unique<MoverCore>(std::move(link), kMoverBatch);
  throw Error(Errc::kUnsupported, card.where +
                                      ": behind `vshard serve` an xrt card must be a data-mover build "
                                      "(bitstreams/alveo: vs_mm2s, vs_engine, vs_s2mm); a card with its own "
                                      "DMA ring front-end would need the host's rings in its reach");
}

}  // namespace vshard::driver
