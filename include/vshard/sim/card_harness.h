// vshard::sim::CardHarness: the card top vs_card_top (the engine behind its
// DMA ring front-end, an AXI4 master to host memory) verilated and driven
// cycle by cycle, with an AxiMemory answering its master and an Axi4Monitor
// checking it. Configurations are chosen by name among those linked in
// (link vshard_card_harness_small).
//
//   auto h = vshard::sim::CardHarness::create("small", {.memory = {.read_latency_min = 125}});
//   h->memory().add_region(buf, 0x1'0000'0000, 8192);
//   h->reset();
//   h->write32(vshard::regs::kEvqBaseLo, ...);    // AXI4-Lite, as on vs_top
//   h->wait_idle();
//   CHECK(h->monitor().violations() == 0);
//
// Clocking, reset, AXI4-Lite and waveforms are AxilHarness's; reset() also
// drops the memory's and the monitor's transactions in flight.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vshard/sim/axi4_monitor.h"
#include "vshard/sim/axi_memory.h"
#include "vshard/sim/axil_harness.h"

namespace vshard::sim {

struct CardHarnessOptions {
  ClockOptions clock;       // seed (Verilator's initial values), waveform, deadlines
  AxiMemoryOptions memory;  // host memory: its own seed, latency, back-pressure
  Axi4MonitorOptions monitor;
};

class CardHarness : public AxilHarness {
 public:
  using Factory = std::unique_ptr<CardHarness> (*)(const CardHarnessOptions&);

  // Creates the card of a linked-in configuration ("small"). Throws
  // vshard::Error(kBadConfig) naming the configurations available.
  static std::unique_ptr<CardHarness> create(const std::string& config, const CardHarnessOptions& opts = {});
  static std::vector<std::string> configs();
  static void register_config(const char* name, Factory factory);

  ~CardHarness() override;

  AxiMemory& memory() { return memory_; }
  const Axi4Monitor& monitor() const { return monitor_; }
  // The master's pins at the last sample (before the last rising edge).
  const Axi4MasterPins& master_pins() const { return master_; }

  // Ticks until idle_o is high (at least `min_cycles` first, so a register
  // write has reached the front-end); kTimeout after timeout_cycles.
  void wait_idle(uint64_t timeout_cycles = 1000000, uint64_t min_cycles = 2);

 protected:
  CardHarness(std::string config, Params params, const CardHarnessOptions& opts);
  // For the configuration's pin copy: what the memory drives, what the master drives.
  const Axi4SlavePins& slave_in() const { return slave_; }
  Axi4MasterPins& master_out() { return master_; }

 private:
  void drive() override { memory_.drive(slave_); }
  void sample() override;
  void clear_state() override;

  AxiMemory memory_;
  Axi4Monitor monitor_;
  Axi4SlavePins slave_;
  Axi4MasterPins master_;
};

}  // namespace vshard::sim
