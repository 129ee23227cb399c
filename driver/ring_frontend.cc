#include "vshard/driver/internal/ring_frontend.h"

#include <cstdlib>
#include <cstring>
#include <functional>
#include <utility>

#include "vshard/driver/internal/layout.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/error.h"

namespace vshard::driver {

void Backend::inject(Fault) {
  throw Error(Errc::kUnsupported,
              std::string("fault injection is a test hook of the model, verilator and opencl backends; "
                          "backend '") +
                  name() + "' does not support it");
}

const std::string& Backend::fault() const {
  static const std::string kHealthy;
  return kHealthy;
}

const std::string& EngineCore::fault() const {
  static const std::string kHealthy;
  return kHealthy;
}

namespace {

// Page-aligned, zeroed heap memory; the "device address" is its host address
// (an in-process device reaches host memory directly).
class HeapMemory : public HostMemory {
 public:
  HeapMemory(size_t bytes, std::function<void(uint8_t*)> on_free)
      : bytes_((bytes + kPage - 1) / kPage * kPage), on_free_(std::move(on_free)) {
    data_ = static_cast<uint8_t*>(std::aligned_alloc(kPage, bytes_));
    if (data_ == nullptr) {
      throw Error(Errc::kInternal, "out of memory allocating " + std::to_string(bytes_) + " bytes of ring memory");
    }
    std::memset(data_, 0, bytes_);
  }
  ~HeapMemory() override {
    on_free_(data_);
    std::free(data_);
  }
  uint8_t* data() override { return data_; }
  size_t size() const override { return bytes_; }
  uint64_t device_address() const override { return reinterpret_cast<uintptr_t>(data_); }
  void sync_to_device(size_t, size_t) override {}
  void sync_from_device(size_t, size_t) override {}

 private:
  size_t bytes_;
  uint8_t* data_ = nullptr;
  std::function<void(uint8_t*)> on_free_;
};

}  // namespace

RingFrontEnd::RingFrontEnd(const char* name, std::unique_ptr<EngineCore> core) : name_(name), core_(std::move(core)) {
  nodes_ = core_->reg_read(reg::kNNodes);
  if (nodes_ == 0 || nodes_ > 8) nodes_ = 1;  // the driver's identity check reports it
  prestage_copy_.assign(nodes_, ~uint64_t{0});
}

std::unique_ptr<HostMemory> RingFrontEnd::alloc(size_t bytes) {
  auto mem = std::make_unique<HeapMemory>(bytes, [this](uint8_t* base) {
    for (size_t i = 0; i < regions_.size(); ++i) {
      if (regions_[i].base == base) {
        regions_.erase(regions_.begin() + static_cast<long>(i));
        break;
      }
    }
  });
  regions_.push_back({mem->data(), reinterpret_cast<uintptr_t>(mem->data()), mem->size()});
  return mem;
}

uint8_t* RingFrontEnd::translate(uint64_t addr, size_t bytes) const {
  for (const Region& r : regions_) {
    if (addr >= r.addr && addr + bytes <= r.addr + r.bytes && addr + bytes >= addr) return r.base + (addr - r.addr);
  }
  return nullptr;  // a DMA fault: the front-end serves nothing, the driver's watchdog reports it
}

void RingFrontEnd::reset_rings() {
  evq_base_ = dq_base_ = pre_base_ = 0;
  evq_log2_ = dq_log2_ = 0;
  evq_head_ = evq_tail_ = dq_head_ = dq_tail_ = 0;
  overflow_sticky_ = 0;
  prestage_dirty_ = true;
  prestage_copy_.assign(nodes_, ~uint64_t{0});
}

uint32_t RingFrontEnd::read32(uint32_t off) {
  switch (off) {
    case reg::kEvqBaseLo: return static_cast<uint32_t>(evq_base_);
    case reg::kEvqBaseHi: return static_cast<uint32_t>(evq_base_ >> 32);
    case reg::kEvqSizeLog2: return evq_log2_;
    case reg::kEvqHead: return evq_head_;
    case reg::kEvqTail: return evq_tail_;
    case reg::kDqBaseLo: return static_cast<uint32_t>(dq_base_);
    case reg::kDqBaseHi: return static_cast<uint32_t>(dq_base_ >> 32);
    case reg::kDqSizeLog2: return dq_log2_;
    case reg::kDqHead: return dq_head_;
    case reg::kDqTail: return dq_tail_;
    case reg::kDoorbell: return evq_tail_;
    case reg::kPrestageBaseLo: return static_cast<uint32_t>(pre_base_);
    case reg::kPrestageBaseHi: return static_cast<uint32_t>(pre_base_ >> 32);
    case reg::kErrSticky: return core_->reg_read(off) | overflow_sticky_;
    case reg::kStatus: {
      uint32_t s = core_->reg_read(off);
      if (overflow_sticky_ != 0) s |= reg::kStatusError;
      if (evq_head_ != evq_tail_) s &= ~reg::kStatusIdle;
      return s;
    }
    default: return core_->reg_read(off);
  }
}

void RingFrontEnd::write32(uint32_t off, uint32_t v) {
  const auto lo = [](uint64_t& r, uint32_t x) { r = (r & ~uint64_t{0xFFFFFFFF}) | x; };
  const auto hi = [](uint64_t& r, uint32_t x) { r = (r & 0xFFFFFFFFull) | (uint64_t{x} << 32); };
  switch (off) {
    case reg::kEvqBaseLo: lo(evq_base_, v); return;
    case reg::kEvqBaseHi: hi(evq_base_, v); return;
    case reg::kEvqSizeLog2: evq_log2_ = v & 0x1F; return;
    case reg::kEvqHead: evq_head_ = v; return;
    case reg::kDqBaseLo: lo(dq_base_, v); return;
    case reg::kDqBaseHi: hi(dq_base_, v); return;
    case reg::kDqSizeLog2: dq_log2_ = v & 0x1F; return;
    case reg::kDqTail: dq_tail_ = v; return;
    case reg::kPrestageBaseLo:
      lo(pre_base_, v);
      prestage_dirty_ = true;
      return;
    case reg::kPrestageBaseHi:
      hi(pre_base_, v);
      prestage_dirty_ = true;
      return;
    case reg::kDqHead:
      dq_head_ = v;
      service();  // room may have appeared for decisions held back
      return;
    case reg::kEvqTail:
    case reg::kDoorbell: {
      const uint32_t size = evq_log2_ < 32 ? (1u << evq_log2_) : 0;
      if (v - evq_head_ > size) {
        // The host wrote past the free space: nothing past the limit is consumed.
        overflow_sticky_ |= 1u << static_cast<unsigned>(ErrorCode::kRingOverflow);
        return;
      }
      evq_tail_ = v;
      if (off == reg::kDoorbell) service();
      return;
    }
    case reg::kErrSticky:
      overflow_sticky_ &= ~v;
      core_->reg_write(off, v);
      return;
    case reg::kCtrl:
      core_->reg_write(off, v);
      if (v & reg::kCtrlSoftReset) reset_rings();
      return;
    default: core_->reg_write(off, v); return;
  }
}

void apply_corruption(Corrupt& c, Decision& d) {
  switch (c) {
    case Corrupt::kType:
      d.type = 0x7F;
      c = Corrupt::kNone;
      break;
    case Corrupt::kSeq:
      d.seq ^= 0x80000000u;
      c = Corrupt::kNone;
      break;
    case Corrupt::kDropLast:
      if (d.flags & kFlagLast) {
        d.flags &= static_cast<uint8_t>(~kFlagLast);
        c = Corrupt::kNone;
      }
      break;
    case Corrupt::kPayload:
      d.d32 ^= 1u;
      c = Corrupt::kNone;
      break;
    case Corrupt::kNone: break;
  }
}

bool arm_corruption(Fault f, Corrupt& c) {
  switch (f) {
    case Fault::kCorruptType: c = Corrupt::kType; return true;
    case Fault::kCorruptSeq: c = Corrupt::kSeq; return true;
    case Fault::kDropLast: c = Corrupt::kDropLast; return true;
    case Fault::kCorruptPayload: c = Corrupt::kPayload; return true;
    default: return false;
  }
}

void EngineCore::load_state(const std::vector<uint8_t>&) {
  throw Error(Errc::kUnsupported,
              "this engine cannot load a state snapshot (only the golden model can; the RTL "
              "has no state-load port)");
}

void Backend::load_state(const std::vector<uint8_t>&) {
  throw Error(Errc::kUnsupported, std::string("backend '") + name() +
                                      "' cannot load a state snapshot (backends model, shm://, udp:// with a model "
                                      "engine behind serve can)");
}

void RingFrontEnd::load_state(const std::vector<uint8_t>& state) {
  core_->load_state(state);
  copy_prestage(true);
  write_back();
}

bool RingFrontEnd::write_decision(const Decision& in) {
  Decision d = in;
  apply_corruption(corrupt_, d);
  const uint32_t size = 1u << dq_log2_;
  uint8_t* slot = translate(dq_base_ + uint64_t{16} * (dq_tail_ & (size - 1)), 16);
  if (slot == nullptr) return false;
  encode(d, slot);
  ++dq_tail_;
  return true;
}

bool RingFrontEnd::service() {
  if (core_->frozen()) return false;
  const bool rings_ok = evq_log2_ > 0 && evq_log2_ < 32 && dq_log2_ > 0 && dq_log2_ < 32 &&
                        translate(evq_base_, size_t{16} << evq_log2_) != nullptr &&
                        translate(dq_base_, size_t{16} << dq_log2_) != nullptr;
  bool progress = false;
  if (rings_ok) {
    const uint32_t evq_size = 1u << evq_log2_, dq_size = 1u << dq_log2_;
    // Bounded: the driver calls service() again; a hung engine cannot hang the host.
    for (int iter = 0; iter < 4096; ++iter) {
      bool moved = false;
      // 1. decisions from the engine, while the decision ring has room (a
      //    full ring back-pressures the engine, which then stops taking events)
      Decision d;
      while (dq_tail_ - dq_head_ < dq_size && core_->take(d)) {
        write_decision(d);
        moved = true;
      }
      core_->egress_ready(dq_tail_ - dq_head_ < dq_size);
      // 2. events from the ring into the engine
      while (evq_head_ != evq_tail_) {
        const uint8_t* slot = translate(evq_base_ + uint64_t{16} * (evq_head_ & (evq_size - 1)), 16);
        const Event ev{decode(slot)};
        if (!core_->offer(ev)) break;
        ++evq_head_;
        moved = true;
      }
      // 3. clock the engine
      if (core_->run()) moved = true;
      if (!moved) break;
      progress = true;
    }
  }
  if (progress) prestage_dirty_ = true;
  if (prestage_dirty_ && core_->idle()) copy_prestage(false);
  write_back();
  return progress;
}

void RingFrontEnd::copy_prestage(bool force) {
  uint8_t* table = translate(pre_base_, prestage_table_bytes(nodes_));
  if (table == nullptr) return;
  for (uint32_t n = 0; n < nodes_; ++n) {
    const uint64_t w = pack_word(core_->reg_read(reg::pre_entry(n)), core_->reg_read(reg::pre_epoch(n)));
    if (force || w != prestage_copy_[n]) {
      store_word(table + prestage_offset(n), w);
      prestage_copy_[n] = w;
    }
  }
  prestage_dirty_ = false;
}

void RingFrontEnd::write_back() {
  uint8_t* table = translate(pre_base_, prestage_table_bytes(nodes_));
  if (table == nullptr) return;
  store_word(table + kWritebackOffset, pack_word(evq_head_, dq_tail_));
}

void RingFrontEnd::inject(Fault fault) {
  if (core_->inject(fault)) return;
  switch (fault) {
    case Fault::kFreeze: core_->freeze(true); break;
    case Fault::kThaw: core_->freeze(false); break;
    case Fault::kCorruptType:
    case Fault::kCorruptSeq:
    case Fault::kDropLast:
    case Fault::kCorruptPayload: arm_corruption(fault, corrupt_); break;
    case Fault::kCorruptPlan:
    case Fault::kBadPlan: throw_no_planner(name_);
  }
}

void throw_no_planner(const std::string& backend) {
  throw Error(Errc::kUnsupported, "the plan faults are test hooks of the opencl backend's planner kernel; backend '" +
                                      backend + "' has no planner kernel");
}

}  // namespace vshard::driver
