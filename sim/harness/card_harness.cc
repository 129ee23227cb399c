// vshard::sim::CardHarness: the AXI4 side of vs_card_top shared by every
// configuration (the verilated class is in card_harness_verilated.cc).
#include "vshard/sim/card_harness.h"

#include <map>
#include <utility>

namespace vshard::sim {
namespace {

std::map<std::string, CardHarness::Factory>& registry() {
  static std::map<std::string, CardHarness::Factory> r;
  return r;
}

}  // namespace

void CardHarness::register_config(const char* name, Factory factory) { registry()[name] = factory; }

std::vector<std::string> CardHarness::configs() {
  std::vector<std::string> names;
  for (const auto& [name, f] : registry()) names.push_back(name);
  return names;
}

std::unique_ptr<CardHarness> CardHarness::create(const std::string& config, const CardHarnessOptions& opts) {
  auto it = registry().find(config);
  if (it == registry().end()) unknown_config("RTL card (vs_card_top)", config, configs());
  return it->second(opts);
}

CardHarness::CardHarness(std::string config, Params params, const CardHarnessOptions& opts)
    : AxilHarness(std::move(config), params, opts.clock), memory_(opts.memory), monitor_(opts.monitor) {}

CardHarness::~CardHarness() = default;

void CardHarness::sample() {
  monitor_.sample(master_, slave_, cycle());
  memory_.edge(master_, slave_);
}

void CardHarness::clear_state() {
  memory_.reset();
  monitor_.reset();
  slave_ = Axi4SlavePins{};
}

void CardHarness::wait_idle(uint64_t timeout_cycles, uint64_t min_cycles) {
  const uint64_t deadline = cycle() + timeout_cycles;
  tick(min_cycles);
  while (!idle()) {
    if (cycle() >= deadline) timeout("waiting for the card to go idle", timeout_cycles);
    tick();
  }
}

}  // namespace vshard::sim
