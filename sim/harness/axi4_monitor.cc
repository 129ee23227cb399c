// vshard::sim::Axi4Monitor: the AXI4 protocol checks of include/vshard/sim/axi4_monitor.h.
#include "vshard/sim/axi4_monitor.h"

#include "vshard/sim/internal/hex.h"

#include <algorithm>
#include <cstdio>

namespace vshard::sim {
namespace {

using internal::hex;

}  // namespace

void Axi4Monitor::violation(uint64_t cycle, const std::string& msg) {
  if (violations_++ == 0) first_ = "cycle " + std::to_string(cycle) + ": " + msg;
}

void Axi4Monitor::reset() {
  have_prev_ = false;
  rvalid_wait_ = bvalid_wait_ = 0;
  reads_.clear();
  writes_.clear();
  early_w_.clear();
  w_burst_ = 0;
}

size_t Axi4Monitor::reads_outstanding() const {
  size_t n = 0;
  for (const auto& [id, q] : reads_) n += q.size();
  return n;
}

void Axi4Monitor::w_beat(bool wlast, uint64_t cycle) {
  Burst& b = writes_[w_burst_];
  const bool last = b.beats == b.len;
  if (wlast != last)
    violation(cycle, std::string("WLAST ") + (wlast ? "set on beat " : "missing on beat ") +
                         std::to_string(b.beats + 1) + " of an AW of " + std::to_string(b.len + 1) + " beats");
  ++b.beats;
  if (last) ++w_burst_;
}

void Axi4Monitor::check_address(const char* ch, uint64_t addr, uint8_t len, uint8_t size, uint8_t burst,
                                uint64_t cycle) {
  const std::string at = std::string(ch) + " burst at " + hex(addr);
  if (size != kAxiSize16) violation(cycle, at + ": " + ch + "SIZE " + std::to_string(size) + ", expected 4 (16 bytes)");
  if (burst != kAxiBurstIncr)
    violation(cycle, at + ": " + ch + "BURST " + std::to_string(burst) + ", expected INCR (1)");
  if (len > 15) violation(cycle, at + ": " + ch + "LEN " + std::to_string(len) + " > 15");
  if (addr % kAxiDataBytes != 0) violation(cycle, at + ": address not aligned to 16 bytes");
  if ((addr & 0xFFF) + (uint64_t{len} + 1) * kAxiDataBytes > 0x1000)
    violation(cycle, at + " with " + std::to_string(len + 1) + " beats crosses a 4 KB boundary");
}

void Axi4Monitor::sample(const Axi4MasterPins& m, const Axi4SlavePins& s, uint64_t cycle) {
  // ---- VALID held until READY, payload stable (master and slave) ------------
  if (have_prev_) {
    const Axi4MasterPins& p = prev_m_;
    const Axi4SlavePins& q = prev_s_;
    if (p.arvalid && !q.arready) {
      if (!m.arvalid) violation(cycle, "ARVALID dropped before ARREADY");
      else if (m.araddr != p.araddr || m.arid != p.arid || m.arlen != p.arlen || m.arsize != p.arsize ||
               m.arburst != p.arburst)
        violation(cycle, "AR payload changed while ARVALID && !ARREADY (address " + hex(p.araddr) + " -> " +
                             hex(m.araddr) + ")");
    }
    if (p.awvalid && !q.awready) {
      if (!m.awvalid) violation(cycle, "AWVALID dropped before AWREADY");
      else if (m.awaddr != p.awaddr || m.awid != p.awid || m.awlen != p.awlen || m.awsize != p.awsize ||
               m.awburst != p.awburst)
        violation(cycle, "AW payload changed while AWVALID && !AWREADY (address " + hex(p.awaddr) + " -> " +
                             hex(m.awaddr) + ")");
    }
    if (p.wvalid && !q.wready) {
      if (!m.wvalid) violation(cycle, "WVALID dropped before WREADY");
      else if (!std::equal(std::begin(m.wdata), std::end(m.wdata), p.wdata) || m.wstrb != p.wstrb || m.wlast != p.wlast)
        violation(cycle, "W payload changed while WVALID && !WREADY");
    }
    if (q.rvalid && !p.rready) {
      if (!s.rvalid) violation(cycle, "slave: RVALID dropped before RREADY");
      else if (s.rid != q.rid || s.rresp != q.rresp || s.rlast != q.rlast ||
               !std::equal(std::begin(s.rdata), std::end(s.rdata), q.rdata))
        violation(cycle, "slave: R payload changed while RVALID && !RREADY");
    }
    if (q.bvalid && !p.bready) {
      if (!s.bvalid) violation(cycle, "slave: BVALID dropped before BREADY");
      else if (s.bid != q.bid || s.bresp != q.bresp)
        violation(cycle, "slave: B payload changed while BVALID && !BREADY");
    }
  }
  prev_m_ = m;
  prev_s_ = s;
  have_prev_ = true;

  // ---- RREADY / BREADY ---------------------------------------------------------
  if (opts_.rready_always && !m.rready) violation(cycle, "RREADY low (the card keeps RREADY at 1)");
  rvalid_wait_ = s.rvalid && !m.rready ? rvalid_wait_ + 1 : 0;
  bvalid_wait_ = s.bvalid && !m.bready ? bvalid_wait_ + 1 : 0;
  if (rvalid_wait_ == opts_.stall_limit)
    violation(cycle, "RVALID waited " + std::to_string(opts_.stall_limit) + " cycles for RREADY");
  if (bvalid_wait_ == opts_.stall_limit)
    violation(cycle, "BVALID waited " + std::to_string(opts_.stall_limit) + " cycles for BREADY");

  // ---- address handshakes ------------------------------------------------------
  if (m.arvalid && s.arready) {
    check_address("AR", m.araddr, m.arlen, m.arsize, m.arburst, cycle);
    reads_[m.arid].push_back(Burst{m.arid, m.arlen, cycle});
  }
  if (m.awvalid && s.awready) {
    check_address("AW", m.awaddr, m.awlen, m.awsize, m.awburst, cycle);
    writes_.push_back(Burst{m.awid, m.awlen, cycle});
  }

  // ---- W beats: each belongs to the oldest AW whose beats are not all sent ----
  // A beat ahead of its AW is a violation; it is kept (early_w_) and matched
  // to the next AW, so the accounting after it stays right.
  if (m.wvalid && s.wready) {
    if (w_burst_ >= writes_.size()) {
      violation(cycle, "W beat without an AW (no write address accepted for it in this or an earlier cycle)");
      early_w_.push_back(m.wlast);
    } else {
      w_beat(m.wlast, cycle);
    }
  }
  while (!early_w_.empty() && w_burst_ < writes_.size()) {
    w_beat(early_w_.front(), cycle);
    early_w_.pop_front();
  }

  // ---- R beats -----------------------------------------------------------------
  if (s.rvalid && m.rready) {
    auto it = reads_.find(s.rid);
    if (it == reads_.end() || it->second.empty()) {
      violation(cycle, "slave: R beat with RID " + std::to_string(s.rid) + " and no read outstanding for that ID");
    } else {
      Burst& b = it->second.front();
      const bool last = b.beats == b.len;
      if (s.rlast != last)
        violation(cycle, "slave: RLAST " + std::string(s.rlast ? "set" : "missing") + " on beat " +
                             std::to_string(b.beats + 1) + " of " + std::to_string(b.len + 1) + " (RID " +
                             std::to_string(s.rid) + ")");
      ++b.beats;
      if (last || s.rlast) it->second.pop_front();
    }
  }

  // ---- B responses -------------------------------------------------------------
  if (s.bvalid && m.bready) {
    if (writes_.empty() || w_burst_ == 0) {
      violation(cycle, "slave: B response with no write whose beats are all sent");
    } else {
      if (s.bid != writes_.front().id)
        violation(cycle, "slave: BID " + std::to_string(s.bid) + " but the oldest write has AWID " +
                             std::to_string(writes_.front().id));
      writes_.pop_front();
      --w_burst_;
    }
  }

  // ---- every transaction answered in time ----------------------------------------
  const auto late = [&](Burst& b, const char* what) {
    if (!b.late && cycle - b.since > opts_.answer_limit) {
      b.late = true;
      violation(cycle, std::string(what) + " accepted at cycle " + std::to_string(b.since) + " unanswered after " +
                           std::to_string(opts_.answer_limit) + " cycles");
    }
  };
  for (auto& [id, q] : reads_)
    if (!q.empty()) late(q.front(), "read burst");
  if (!writes_.empty()) late(writes_.front(), "write burst");
}

}  // namespace vshard::sim
