// vshard::sim::AxiMemory: an AXI4 slave that serves a card's DMA master from
// host buffers, with the timing of a PCIe round trip to host memory.
//
//   AxiMemory mem({.seed = 3, .read_latency_min = 125, .read_latency_max = 250});
//   mem.add_region(buf, 0x1'0000'0000, 8192);   // device address -> host bytes
//   // each clock cycle, around the rising edge:
//   mem.drive(slave_pins);                      // before evaluation: ready/valid/data
//   ... evaluate the design, read master_pins ...
//   mem.edge(master_pins, slave_pins);          // the cycle's handshakes take effect
//
// * Addresses map to host buffers through regions the caller registers; a
//   burst not wholly inside one region is answered DECERR (reads: every
//   beat, data zero; writes: nothing stored) and counted.
// * Reads: each burst waits a latency drawn uniformly from [min, max] cycles
//   after its AR handshake (min 1), then its beats go out back to back (R
//   data is read from the buffer when the beat is first presented). With
//   reorder_reads, a burst whose latency has passed may overtake an older
//   one of a different ID; bursts of one ID keep their order and a burst's
//   beats are never interleaved with another's.
// * Writes: W beats are buffered (up to 64) as they arrive, stored once their
//   AW is known, in AW order; B responses go out in AW order,
//   write_latency cycles after the last beat.
// * ARREADY, AWREADY and WREADY each drop with their own probability per cycle.
// * on_write sees every beat (its 16-byte-aligned address, the 16 data bytes
//   and the strobe) before it is stored and may change the data (fault
//   injection: a corrupted decision).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "vshard/sim/axi4.h"

namespace vshard::sim {

struct AxiMemoryOptions {
  uint64_t seed = 1;
  // Cycles from an AR handshake to the burst's first R beat: 125-250 cycles
  // are 0.5-1 us at 250 MHz, a PCIe read of host memory.
  uint32_t read_latency_min = 125;
  uint32_t read_latency_max = 250;
  // Cycles from a write's last W beat to its B response.
  uint32_t write_latency = 8;
  // Per-cycle probability that ARREADY / AWREADY / WREADY is low.
  double ar_stall_prob = 0.0;
  double aw_stall_prob = 0.0;
  double w_stall_prob = 0.0;
  // Let a read burst of another ID overtake an older one.
  bool reorder_reads = false;
};

class AxiMemory {
 public:
  // Throws vshard::Error(kBadConfig) for latencies with min > max or
  // probabilities outside [0, 1).
  explicit AxiMemory(const AxiMemoryOptions& opts = {});

  // Serves [device_address, device_address + bytes) from host bytes at base.
  // Throws kBadConfig for an empty region or one that overlaps another.
  void add_region(void* base, uint64_t device_address, size_t bytes);
  // Forgets the region at device_address; false if there is none.
  bool remove_region(uint64_t device_address);
  // Host pointer for [addr, addr + bytes), or nullptr if no region holds it whole.
  uint8_t* translate(uint64_t addr, size_t bytes) const;

  // Changes timing at any time (applies to bursts accepted from now on).
  void set_options(const AxiMemoryOptions& opts);
  const AxiMemoryOptions& options() const { return opts_; }

  // Before the cycle's evaluation: what the slave drives this cycle.
  void drive(Axi4SlavePins& s);
  // After evaluation, before the rising edge: the handshakes of this cycle
  // (m: the master's pins, s: what drive() set) take effect.
  void edge(const Axi4MasterPins& m, const Axi4SlavePins& s);
  // Drops every transaction in flight (the design was reset); regions and
  // statistics stay.
  void reset();
  // No burst accepted and not yet answered, no buffered W beat.
  bool quiet() const;

  std::function<void(uint64_t addr, uint8_t data[kAxiDataBytes], uint16_t strb)> on_write;

  struct Stats {
    uint64_t read_bursts = 0, write_bursts = 0;  // AR / AW handshakes
    uint64_t read_beats = 0, write_beats = 0;    // R / W handshakes
    uint64_t decerr_bursts = 0;                  // bursts answered DECERR
    uint64_t reordered_bursts = 0;               // read bursts sent before an older one
  };
  const Stats& stats() const { return stats_; }
  void clear_stats() { stats_ = Stats{}; }
  // The first burst answered DECERR ("read of 4 beats at 0x..."), empty if none.
  const std::string& first_decerr() const { return first_decerr_; }

 private:
  struct Region {
    uint8_t* base;
    uint64_t addr;
    size_t bytes;
  };
  struct ReadBurst {
    uint8_t id, len, size;
    uint64_t addr;
    uint64_t ready_at;  // cycle its first beat may go out
    uint64_t order;     // arrival number
    bool decerr;
    unsigned beat = 0;
  };
  struct WriteBurst {
    uint8_t id, len, size;
    uint64_t addr;
    bool decerr;
    unsigned beat = 0;
  };
  struct WBeat {
    uint8_t data[kAxiDataBytes];
    uint16_t strb;
  };
  struct BResp {
    uint8_t id, resp;
    uint64_t ready_at;
  };

  bool coin(std::bernoulli_distribution& d) { return d.p() > 0.0 && d(rng_); }
  void present_read_beat();
  void store_beats();
  void decerr(const char* what, uint64_t addr, uint8_t len);

  AxiMemoryOptions opts_;
  std::mt19937_64 rng_;
  std::bernoulli_distribution ar_stall_, aw_stall_, w_stall_;
  std::vector<Region> regions_;
  uint64_t now_ = 0;
  uint64_t order_ = 0;

  std::vector<ReadBurst> reads_;  // accepted, in arrival order
  long r_current_ = -1;           // index into reads_ of the burst being sent, -1 none
  bool r_presenting_ = false;     // a beat is on the R channel awaiting RREADY
  Axi4SlavePins r_beat_;          // that beat

  std::deque<WriteBurst> writes_;  // AW accepted, beats not all stored
  std::deque<WBeat> wbuf_;         // W beats not yet stored
  std::deque<BResp> bresps_;       // in AW order
  bool b_presenting_ = false;

  Stats stats_;
  std::string first_decerr_;
};

}  // namespace vshard::sim
