// vshard::sim::Axi4Monitor: checks the AXI4 protocol on a card's master pins
// (and the slave's answers), sampled once per clock cycle out of reset.
// Violations are recorded, not thrown (count + first message, like
// Harness::protocol_errors()); tests assert zero.
//
// What it checks, on the master (AXI4 A3.2.1, A3.4, and the card's contract):
//  * AWVALID / ARVALID / WVALID stay high until READY, and the payload
//    (address, ID, length, size, burst; data, strobe, last) is stable while
//    VALID && !READY;
//  * AxSIZE == 4 (16-byte beats), AxBURST == INCR, AxLEN <= 15, the address
//    aligned to 16 bytes, no burst crossing a 4 KB boundary;
//  * no W beat without an AW (W may come in the cycle of its AW or after),
//    WLAST exactly on the last beat of its AW;
//  * RREADY high whenever RVALID is (the card promises rready = 1; with
//    rready_always off: RVALID never waits longer than stall_limit cycles),
//    BREADY likewise within stall_limit;
//  * every read and every write answered (last R beat, B) within
//    answer_limit cycles of its address handshake.
// and on the slave: R beats only for outstanding IDs, RLAST on the last beat,
// B only for a write whose beats are all sent, R/B payload stable while
// VALID && !READY.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "vshard/sim/axi4.h"

namespace vshard::sim {

struct Axi4MonitorOptions {
  // The master keeps RREADY high at all times (vs_card_top's contract).
  bool rready_always = true;
  // Longest wait of RVALID / BVALID for READY (when not rready_always).
  uint64_t stall_limit = 10000;
  // Longest time from an address handshake to the burst's last R beat / its B.
  uint64_t answer_limit = 100000;
};

class Axi4Monitor {
 public:
  explicit Axi4Monitor(const Axi4MonitorOptions& opts = {}) : opts_(opts) {}

  // One clock cycle (out of reset), before the rising edge.
  void sample(const Axi4MasterPins& m, const Axi4SlavePins& s, uint64_t cycle);
  // The design was reset: forget outstanding transactions (violations stay).
  void reset();

  uint64_t violations() const { return violations_; }
  const std::string& first_violation() const { return first_; }
  // Reads (bursts) and writes (AWs) not yet answered.
  size_t reads_outstanding() const;
  size_t writes_outstanding() const { return writes_.size(); }

 private:
  struct Burst {
    uint8_t id, len;
    uint64_t since;
    unsigned beats = 0;
    bool late = false;  // answer_limit already reported
  };
  void violation(uint64_t cycle, const std::string& msg);
  void w_beat(bool wlast, uint64_t cycle);
  void check_address(const char* ch, uint64_t addr, uint8_t len, uint8_t size, uint8_t burst, uint64_t cycle);

  Axi4MonitorOptions opts_;
  uint64_t violations_ = 0;
  std::string first_;

  bool have_prev_ = false;
  Axi4MasterPins prev_m_;
  Axi4SlavePins prev_s_;
  uint64_t rvalid_wait_ = 0, bvalid_wait_ = 0;

  std::map<uint8_t, std::deque<Burst>> reads_;  // by ARID, oldest first
  std::deque<Burst> writes_;                    // AWs in order; beats = W beats seen
  size_t w_burst_ = 0;                          // index in writes_ of the AW the next W beat belongs to
  std::deque<bool> early_w_;                    // WLAST of W beats that came before their AW
};

}  // namespace vshard::sim
