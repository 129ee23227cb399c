// The simulator's decision-latency model: how long the host's wake path
// waits for a placement decision, by where the decision is computed, and the
// posted-write lag with which the host sees the engine's prestaged table.
// The simulator gives it to host::Scheduler as its host::DecisionTiming
// (ModelledTiming); the peers read LatencyModel for their own scans. In real
// time (the agent) none of this applies: host::RealTimeTiming.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "vshard/host/timing.h"

namespace vshard::hostsim {

// Times in µs.
struct LatencyModel {
  // Software scan (the decision computed on the waking CPU): a fixed part
  // plus a per-core part; both calibrated in docs/evaluation.md.
  double sw_base_us = 0.5;
  double sw_per_core_us = 0.032;  // measured: cold per-core scan, vshard_bench_hostsim
  // Hardware engine: cycles at clock plus one PCIe round trip
  // (doorbell write, descriptor fetch, decision write-back seen by the host).
  // The defaults are the RTL as measured (docs/scenarios.md, [latency]): the
  // card's cycles from the fetched descriptor to its first decision stored
  // (`vshard bench frontend`: one read latency + 7-8 cycles), at the Alveo
  // flow's default kernel clock (45 MHz, bitstreams/alveo/Makefile).
  double hw_clock_mhz = 45.0;
  double hw_cycles = 8.0;
  double pcie_rtt_us = 0.85;
  // Posted write (COMMIT report, prestaged table update into host memory).
  double pcie_posted_us = 0.5;
  // Prestaged: one local cache-line read of host memory.
  double prestage_read_us = 0.1;

  double software(uint32_t cores) const { return sw_base_us + sw_per_core_us * cores; }
  double hardware() const { return hw_cycles / hw_clock_mhz + pcie_rtt_us; }
};

// The host's copy of the prestaged table: the device writes each changed
// entry into host memory with a posted write, so the host sees a change
// `lag_us` after the engine made it. Deterministic in simulated time.
class PrestageMirror {
 public:
  PrestageMirror() = default;
  PrestageMirror(uint32_t nodes, double lag_us);
  // Call after every engine event at time now_us.
  void update(const host::Engine& engine, double now_us);
  // The entry of node visible to the host at now_us.
  PrestageEntry read(uint32_t node, double now_us);

 private:
  struct Version {
    double visible_us;
    PrestageEntry entry;
  };
  double lag_us_ = 0;
  std::vector<std::deque<Version>> nodes_;
  std::vector<PrestageEntry> latest_;
};

// host::Scheduler's decision timing in simulated time: the latency model's
// delays, and the prestaged table through a PrestageMirror with the posted
// write's lag (sized on first use by the engine's node count).
class ModelledTiming final : public host::DecisionTiming {
 public:
  // abort_undo_us: extra cost of an aborted commit, the host undoing the
  // placement it made from a stale prestaged entry (one more context switch).
  ModelledTiming(const LatencyModel& latency, double abort_undo_us) : lat_(latency), abort_undo_us_(abort_undo_us) {}
  double software_us(uint32_t cores) const override { return lat_.software(cores); }
  double engine_us() const override { return lat_.hardware(); }
  double prestaged_us() const override { return lat_.prestage_read_us; }
  // The stale entry's read, the engine's answer over PCIe, the undo.
  double abort_us() const override { return lat_.prestage_read_us + lat_.pcie_rtt_us + abort_undo_us_; }
  void engine_stepped(const host::Engine& engine, double now_us) override;
  PrestageEntry read_prestaged(const host::Engine& engine, uint32_t node, double now_us) override;
  const LatencyModel& latency() const { return lat_; }

 private:
  void size_for(const host::Engine& engine);
  LatencyModel lat_;
  double abort_undo_us_;
  bool sized_ = false;
  PrestageMirror mirror_;
};

}  // namespace vshard::hostsim
