// Compares what the RTL engine shows over AXI4-Lite when idle (prestage
// table, counters, sticky errors, configuration, status) with the golden
// model. Used by `vshard diff` and the RTL tests.
#pragma once

#include <string>
#include <vector>

#include "vshard/sim/axil_harness.h"
#include "vshard/model.h"

namespace vshard::sim {

// Reads every register the spec defines a value for and returns one line per
// difference ("PRE_EPOCH[1]: rtl 0x3, model 0x4"); empty when they agree.
// The engine must be idle (Harness::wait_idle()); vs_top or vs_card_top. `extra_sticky` is OR-ed into
// the model's sticky bits (errors of the register interface, e.g.
// E_CFG_LOCKED, which the model does not see).
std::vector<std::string> compare_state(AxilHarness& h, const Model& m, uint32_t extra_sticky = 0);

// A prestaged entry as the PRE_ENTRY register (and the low word of its line
// in host memory) encodes it: kind 1:0, core 15:8, vcpu 27:16.
uint32_t pre_entry_register(const PrestageEntry& e);

// Every configuration key of the parameters: 0x00..0x15, then NUMA_DIST[i][j].
std::vector<uint16_t> config_keys(const Params& p);

}  // namespace vshard::sim
