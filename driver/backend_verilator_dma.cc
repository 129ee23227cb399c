// Backend "verilator?frontend=dma": the verilated card top vs_card_top (the
// engine behind its own RTL DMA ring front-end) in process. Register
// accesses are AXI4-Lite transactions on the card; everything else goes
// through host memory, which an AxiMemory serves to the card's AXI4 master
// at device addresses of its own (not the host pointers, so an address the
// card computes wrongly gets DECERR instead of touching the heap). Reads
// come back after 125-250 cycles (0.5-1 us at 250 MHz, a PCIe read), out of
// order across IDs, with a little ready back-pressure; an Axi4Monitor checks
// the card's master throughout and a violation is reported as a device
// fault. service() clocks the card until idle_o, a bounded number of cycles
// per call. docs/driver.md, "Host memory", has the protocol.
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vshard/driver/internal/backend.h"
#include "vshard/driver/internal/layout.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/ring_frontend.h"
#include "vshard/error.h"
#include "vshard/sim/card_harness.h"

namespace vshard::driver {
namespace {

// Page-aligned, zeroed heap memory the card reaches at its own device address.
class CardMemory : public HostMemory {
 public:
  CardMemory(size_t bytes, uint64_t device_address, std::function<void()> on_free)
      : bytes_((bytes + kPage - 1) / kPage * kPage), addr_(device_address), on_free_(std::move(on_free)) {
    data_ = static_cast<uint8_t*>(std::aligned_alloc(kPage, bytes_));
    if (data_ == nullptr)
      throw Error(Errc::kInternal, "out of memory allocating " + std::to_string(bytes_) + " bytes of ring memory");
    std::memset(data_, 0, bytes_);
  }
  ~CardMemory() override {
    on_free_();
    std::free(data_);
  }
  uint8_t* data() override { return data_; }
  size_t size() const override { return bytes_; }
  uint64_t device_address() const override { return addr_; }
  void sync_to_device(size_t, size_t) override {}
  void sync_from_device(size_t, size_t) override {}

 private:
  size_t bytes_;
  uint64_t addr_;
  uint8_t* data_ = nullptr;
  std::function<void()> on_free_;
};

class CardBackend : public Backend {
 public:
  explicit CardBackend(std::unique_ptr<sim::CardHarness> h) : h_(std::move(h)) {
    h_->memory().on_write = [this](uint64_t addr, uint8_t data[16], uint16_t strb) { on_write(addr, data, strb); };
    h_->reset();
  }

  const char* name() const override { return "verilator-dma"; }

  // A frozen card has no clock: like a PCIe device that stopped answering,
  // reads complete with all ones (a completion timeout) and writes are
  // posted, delivered in order once it is thawed.
  uint32_t read32(uint32_t off) override {
    ++mmio_reads_;
    if (h_->frozen()) return 0xFFFFFFFFu;
    return h_->read32(off);
  }
  void write32(uint32_t off, uint32_t v) override {
    ++mmio_writes_;
    // The decision ring's place, for the corruption faults applied as decisions are written.
    if (off == reg::kDqBaseLo) dq_base_ = (dq_base_ & ~uint64_t{0xFFFFFFFF}) | v;
    if (off == reg::kDqBaseHi) dq_base_ = (dq_base_ & 0xFFFFFFFFull) | uint64_t{v} << 32;
    if (off == reg::kDqSizeLog2) dq_log2_ = v;
    if (h_->frozen()) {
      posted_.emplace_back(off, v);
      return;
    }
    h_->write32(off, v);
    written_ = true;
  }

  std::unique_ptr<HostMemory> alloc(size_t bytes) override {
    const uint64_t addr = next_addr_;
    auto mem = std::make_unique<CardMemory>(bytes, addr, [this, addr] { h_->memory().remove_region(addr); });
    h_->memory().add_region(mem->data(), addr, mem->size());
    next_addr_ += mem->size() + kPage;  // a guard page between buffers: an overrun is a DECERR
    return mem;
  }

  bool service() override {
    if (h_->frozen() || (!written_ && h_->idle())) return false;
    // A register write reaches the front-end a cycle or two later: clock a
    // few cycles before trusting idle_o, then until it is high (bounded: a
    // hung card cannot hang the host; the driver calls again).
    const uint64_t start = h_->cycle();
    h_->tick(kMinCycles);
    while (!h_->idle() && h_->cycle() - start < kMaxCyclesPerCall) h_->tick();
    written_ = false;
    return true;
  }

  void inject(Fault fault) override {
    if (arm_corruption(fault, corrupt_)) return;
    if (fault == Fault::kFreeze) {
      h_->freeze(true);
    } else if (fault == Fault::kThaw) {
      h_->freeze(false);
      for (const auto& [off, v] : posted_) h_->write32(off, v);
      posted_.clear();
      written_ = true;
    } else {
      throw_no_planner(name());
    }
  }

  // What the card did wrong on its host-memory master, seen from outside:
  // an AXI4 violation, or an access outside every buffer the driver
  // allocated (on a real host an IOMMU fault, or another owner's memory).
  const std::string& fault() const override {
    if (!fault_.empty()) return fault_;
    const sim::Axi4Monitor& mon = h_->monitor();
    if (mon.violations() != 0)
      fault_ = "the card broke the AXI4 protocol on its host-memory master (" + std::to_string(mon.violations()) +
               " violation(s), first: " + mon.first_violation() + ")";
    else if (!h_->memory().first_decerr().empty())
      fault_ = "the card accessed host memory outside every buffer the driver allocated (first: " +
               h_->memory().first_decerr() + "; answered DECERR)";
    return fault_;
  }

  std::vector<std::pair<std::string, std::string>> details() const override {
    const auto& st = h_->memory().stats();
    const auto& o = h_->memory().options();
    return {{"frontend", "dma (RTL vs_card_top: AXI4 master to host memory)"},
            {"config", h_->config()},
            {"memory", "read latency " + std::to_string(o.read_latency_min) + "-" + std::to_string(o.read_latency_max) +
                           " cycles, reads reordered across IDs"},
            {"mmio_reads", std::to_string(mmio_reads_)},
            {"mmio_writes", std::to_string(mmio_writes_)},
            {"cycles", std::to_string(h_->cycle())},
            {"axi_read_bursts", std::to_string(st.read_bursts)},
            {"axi_read_beats", std::to_string(st.read_beats)},
            {"axi_write_bursts", std::to_string(st.write_bursts)},
            {"axi_write_beats", std::to_string(st.write_beats)},
            {"axi_decerr_bursts", std::to_string(st.decerr_bursts)},
            {"axi4_violations", std::to_string(h_->monitor().violations())}};
  }

 private:
  static constexpr uint64_t kMinCycles = 4;
  static constexpr uint64_t kMaxCyclesPerCall = 20000;

  // A decision on its way into the decision ring: the armed corruption hits it.
  void on_write(uint64_t addr, uint8_t data[16], uint16_t strb) {
    if (corrupt_ == Corrupt::kNone || strb != 0xFFFF || dq_log2_ < 1 || dq_log2_ > 20) return;
    const uint64_t base = dq_base_ & ~uint64_t{15};
    if (addr < base || addr >= base + (uint64_t{16} << dq_log2_)) return;
    Decision d{decode(data)};
    apply_corruption(corrupt_, d);
    encode(d, data);
  }

  std::unique_ptr<sim::CardHarness> h_;
  uint64_t next_addr_ = 0x1'0000'0000ull;  // above 4 GB: the *_BASE_HI registers are exercised
  bool written_ = true;
  uint64_t mmio_reads_ = 0, mmio_writes_ = 0;
  uint64_t dq_base_ = 0;
  uint32_t dq_log2_ = 0;
  Corrupt corrupt_ = Corrupt::kNone;
  std::vector<std::pair<uint32_t, uint32_t>> posted_;  // register writes while frozen
  mutable std::string fault_;
};

}  // namespace

std::unique_ptr<Backend> make_verilator_dma_backend(const std::string& config) {
  sim::CardHarnessOptions o;
  o.memory.seed = 1;
  o.memory.read_latency_min = 125;
  o.memory.read_latency_max = 250;
  o.memory.ar_stall_prob = o.memory.aw_stall_prob = o.memory.w_stall_prob = 0.05;
  o.memory.reorder_reads = true;
  return std::make_unique<CardBackend>(sim::CardHarness::create(config, o));  // kBadConfig names what is built in
}

}  // namespace vshard::driver
