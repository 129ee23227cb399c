// vshard::sim::AxiMemory: the AXI4 slave host memory of a simulated card
// (include/vshard/sim/axi_memory.h says what it models).
#include "vshard/sim/axi_memory.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "vshard/error.h"

namespace vshard::sim {
namespace {

// Address of beat k of an INCR burst (AXI4 A3.4.1: later beats are aligned to the size).
uint64_t beat_address(uint64_t addr, uint8_t size, unsigned k) {
  const uint64_t bytes = uint64_t{1} << size;
  return k == 0 ? addr : (addr & ~(bytes - 1)) + k * bytes;
}

void check_prob(double p, const char* what) {
  if (!(p >= 0.0 && p < 1.0))
    throw Error(Errc::kBadConfig, std::string("AxiMemory: ") + what + " = " + std::to_string(p) + " is not in [0, 1)");
}

}  // namespace

AxiMemory::AxiMemory(const AxiMemoryOptions& opts) : rng_(opts.seed * 0xD6E8FEB86659FD93ull + 5) { set_options(opts); }

void AxiMemory::set_options(const AxiMemoryOptions& opts) {
  if (opts.read_latency_min > opts.read_latency_max)
    throw Error(Errc::kBadConfig, "AxiMemory: read_latency_min " + std::to_string(opts.read_latency_min) +
                                      " > read_latency_max " + std::to_string(opts.read_latency_max));
  check_prob(opts.ar_stall_prob, "ar_stall_prob");
  check_prob(opts.aw_stall_prob, "aw_stall_prob");
  check_prob(opts.w_stall_prob, "w_stall_prob");
  opts_ = opts;
  ar_stall_ = std::bernoulli_distribution(opts.ar_stall_prob);
  aw_stall_ = std::bernoulli_distribution(opts.aw_stall_prob);
  w_stall_ = std::bernoulli_distribution(opts.w_stall_prob);
}

void AxiMemory::add_region(void* base, uint64_t addr, size_t bytes) {
  if (base == nullptr || bytes == 0 || addr + bytes < addr)
    throw Error(Errc::kBadConfig, "AxiMemory: a region needs a buffer and 1 or more bytes within 64-bit addresses");
  for (const Region& r : regions_) {
    if (addr < r.addr + r.bytes && r.addr < addr + bytes)
      throw Error(Errc::kBadConfig, "AxiMemory: region at device address " + std::to_string(addr) + " (" +
                                        std::to_string(bytes) + " bytes) overlaps the one at " +
                                        std::to_string(r.addr) + " (" + std::to_string(r.bytes) + " bytes)");
  }
  regions_.push_back({static_cast<uint8_t*>(base), addr, bytes});
}

bool AxiMemory::remove_region(uint64_t addr) {
  const auto it = std::find_if(regions_.begin(), regions_.end(), [&](const Region& r) { return r.addr == addr; });
  if (it == regions_.end()) return false;
  regions_.erase(it);
  return true;
}

uint8_t* AxiMemory::translate(uint64_t addr, size_t bytes) const {
  for (const Region& r : regions_) {
    if (addr >= r.addr && addr + bytes >= addr && addr + bytes <= r.addr + r.bytes) return r.base + (addr - r.addr);
  }
  return nullptr;
}

void AxiMemory::reset() {
  reads_.clear();
  r_current_ = -1;
  r_presenting_ = false;
  writes_.clear();
  wbuf_.clear();
  bresps_.clear();
  b_presenting_ = false;
}

bool AxiMemory::quiet() const { return reads_.empty() && writes_.empty() && wbuf_.empty() && bresps_.empty(); }

// ---- one clock cycle ---------------------------------------------------------------

void AxiMemory::present_read_beat() {
  if (r_current_ < 0) {
    // The bursts that may go now: latency passed, no older burst of the same ID.
    long pick = -1;
    size_t candidates = 0;
    for (size_t i = 0; i < reads_.size(); ++i) {
      if (reads_[i].ready_at > now_) {
        if (!opts_.reorder_reads) break;  // in order: the oldest goes first
        continue;
      }
      bool older_same_id = false;
      for (size_t j = 0; j < i && !older_same_id; ++j) older_same_id = reads_[j].id == reads_[i].id;
      if (older_same_id) continue;
      // Reservoir choice among the candidates (the first one when not reordering).
      ++candidates;
      if (pick < 0 || (opts_.reorder_reads && std::uniform_int_distribution<size_t>(0, candidates - 1)(rng_) == 0))
        pick = static_cast<long>(i);
      if (!opts_.reorder_reads) break;
    }
    if (pick < 0) return;
    if (pick > 0) ++stats_.reordered_bursts;
    r_current_ = pick;
  }
  const ReadBurst& b = reads_[static_cast<size_t>(r_current_)];
  r_beat_ = Axi4SlavePins{};
  r_beat_.rvalid = true;
  r_beat_.rid = b.id;
  r_beat_.rlast = b.beat == b.len;
  r_beat_.rresp = b.decerr ? kAxiDecErr : kAxiOkay;
  if (!b.decerr) {
    const uint64_t a = beat_address(b.addr, b.size, b.beat) & ~uint64_t{kAxiDataBytes - 1};
    std::memcpy(r_beat_.rdata, translate(a, kAxiDataBytes), kAxiDataBytes);
  }
  r_presenting_ = true;
}

void AxiMemory::drive(Axi4SlavePins& s) {
  s.arready = !coin(ar_stall_);
  s.awready = !coin(aw_stall_);
  s.wready = wbuf_.size() < 64 && !coin(w_stall_);
  if (!r_presenting_) present_read_beat();
  s.rvalid = r_presenting_;
  s.rid = r_presenting_ ? r_beat_.rid : 0;
  s.rresp = r_presenting_ ? r_beat_.rresp : 0;
  s.rlast = r_presenting_ && r_beat_.rlast;
  for (int i = 0; i < 4; ++i) s.rdata[i] = r_presenting_ ? r_beat_.rdata[i] : 0;
  if (!b_presenting_ && !bresps_.empty() && bresps_.front().ready_at <= now_) b_presenting_ = true;
  s.bvalid = b_presenting_;
  s.bid = b_presenting_ ? bresps_.front().id : 0;
  s.bresp = b_presenting_ ? bresps_.front().resp : 0;
}

void AxiMemory::edge(const Axi4MasterPins& m, const Axi4SlavePins& s) {
  // Whether a burst lies wholly in one region (its bytes, rounded out to the bus width).
  const auto covered = [&](uint64_t addr, uint8_t len, uint8_t size) {
    const uint64_t first = addr & ~uint64_t{kAxiDataBytes - 1};
    const uint64_t last = beat_address(addr, size, len) | (kAxiDataBytes - 1);
    return last >= first && translate(first, last - first + 1) != nullptr;
  };
  if (s.arready && m.arvalid) {
    const uint32_t lat = std::max<uint32_t>(
        1, std::uniform_int_distribution<uint32_t>(opts_.read_latency_min, opts_.read_latency_max)(rng_));
    const bool ok = covered(m.araddr, m.arlen, m.arsize);
    reads_.push_back(ReadBurst{m.arid, m.arlen, m.arsize, m.araddr, now_ + lat, order_++, !ok});
    ++stats_.read_bursts;
    if (!ok) decerr("read", m.araddr, m.arlen);
  }
  if (s.awready && m.awvalid) {
    const bool ok = covered(m.awaddr, m.awlen, m.awsize);
    writes_.push_back(WriteBurst{m.awid, m.awlen, m.awsize, m.awaddr, !ok});
    ++stats_.write_bursts;
    if (!ok) decerr("write", m.awaddr, m.awlen);
  }
  if (s.wready && m.wvalid) {
    WBeat w;
    std::memcpy(w.data, m.wdata, kAxiDataBytes);
    w.strb = m.wstrb;
    wbuf_.push_back(w);
    ++stats_.write_beats;
  }
  if (s.rvalid && m.rready) {
    ++stats_.read_beats;
    r_presenting_ = false;
    ReadBurst& b = reads_[static_cast<size_t>(r_current_)];
    if (++b.beat > b.len) {
      reads_.erase(reads_.begin() + r_current_);
      r_current_ = -1;
    }
  }
  if (s.bvalid && m.bready) {
    bresps_.pop_front();
    b_presenting_ = false;
  }
  store_beats();
  ++now_;
}

void AxiMemory::decerr(const char* what, uint64_t addr, uint8_t len) {
  if (stats_.decerr_bursts++ == 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s of %u beat(s) at 0x%llx", what, unsigned{len} + 1,
                  static_cast<unsigned long long>(addr));
    first_decerr_ = buf;
  }
}

void AxiMemory::store_beats() {
  while (!writes_.empty() && !wbuf_.empty()) {
    WriteBurst& w = writes_.front();
    WBeat& beat = wbuf_.front();
    if (!w.decerr) {
      const uint64_t a = beat_address(w.addr, w.size, w.beat) & ~uint64_t{kAxiDataBytes - 1};
      if (on_write) on_write(a, beat.data, beat.strb);
      uint8_t* p = translate(a, kAxiDataBytes);
      for (unsigned i = 0; i < kAxiDataBytes; ++i)
        if (beat.strb >> i & 1u) p[i] = beat.data[i];
    }
    wbuf_.pop_front();
    if (++w.beat > w.len) {
      bresps_.push_back(
          BResp{w.id, w.decerr ? kAxiDecErr : kAxiOkay, now_ + std::max<uint32_t>(1, opts_.write_latency)});
      writes_.pop_front();
    }
  }
}

}  // namespace vshard::sim
