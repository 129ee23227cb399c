// The SystemVerilog helper functions of rtl/vs_regs_pkg.sv (through the
// verilated tests/regs/vs_regs_probe.sv) compute what the C++ functions of
// include/vshard/regs.h compute: both are generated from one description,
// but by different emitters, so this catches a translation bug in either.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "Vvs_regs_probe.h"
#include "verilated.h"
#include "vshard/regs.h"

namespace r = vshard::regs;

namespace {

struct Probe {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();
  std::unique_ptr<Vvs_regs_probe> top = std::make_unique<Vvs_regs_probe>(ctx.get());
  ~Probe() { top->final(); }
  void set(const r::EngineParams& p, uint32_t key, uint32_t value, uint32_t i = 0, uint32_t j = 0) {
    top->cores_i = p.cores;
    top->nodes_i = p.nodes;
    top->max_shards_i = p.max_shards;
    top->key_i = static_cast<uint16_t>(key);
    top->value_i = value;
    top->i_i = i;
    top->j_i = j;
    top->eval();
  }
};

std::vector<r::EngineParams> param_sets() {
  std::vector<r::EngineParams> out;
  for (const r::NamedConfig& c : r::kNamedConfigs) out.push_back(c.params);
  out.push_back({1, 1, 1, 2});  // every parameter at its minimum
  out.push_back({7, 9, 3, 3});  // odd values (floor(3*7/4) = 5)
  return out;
}

}  // namespace

TEST_CASE("SV cfg_key_known / cfg_index_ok / cfg_reset agree with C++ for every key", "[regs][rtl]") {
  Probe probe;
  for (const r::EngineParams& p : param_sets()) {
    for (uint32_t key = 0; key <= 0xFFFF; key += (key < 0x200 ? 1 : 0x101)) {
      probe.set(p, key, 0);
      INFO("key " << key << " cores " << p.cores << " nodes " << p.nodes);
      REQUIRE(bool(probe.top->known_o) == r::cfg_key_known(key));
      if (!r::cfg_key_known(key)) continue;
      REQUIRE(bool(probe.top->index_ok_o) == r::cfg_index_ok(key, p));
      REQUIRE(probe.top->reset_o == r::cfg_reset(key, p));
    }
  }
}

TEST_CASE("SV cfg_value_ok agrees with C++ at every range boundary", "[regs][rtl]") {
  Probe probe;
  for (const r::EngineParams& p : param_sets()) {
    for (uint32_t key = 0; key < 0x80; ++key) {
      if (!r::cfg_key_known(key)) continue;
      const int64_t lo = r::cfg_min(key);
      const int64_t hi = r::cfg_max(key, p);
      const int64_t probes[] = {lo - 1,
                                lo,
                                lo + 1,
                                hi - 1,
                                hi,
                                hi + 1,
                                0,
                                1,
                                255,
                                256,
                                32767,
                                32768,
                                65535,
                                65536,
                                -1,
                                -32767,
                                -32768,
                                int64_t{0x7FFFFFFF},
                                int64_t{0x80000000},
                                int64_t{0xFFFFFFFF}};
      for (int64_t v : probes) {
        const uint32_t value = static_cast<uint32_t>(v);
        probe.set(p, key, value);
        INFO("key " << key << " value " << value << " cores " << p.cores);
        REQUIRE(bool(probe.top->value_ok_o) == r::cfg_value_ok(key, value, p));
      }
    }
  }
}

TEST_CASE("SV array and identity helpers agree with C++", "[regs][rtl]") {
  Probe probe;
  for (const r::EngineParams& p : param_sets()) {
    for (uint32_t i = 0; i < 8; ++i) {
      for (uint32_t j = 0; j < 8; ++j) {
        probe.set(p, 0, 0, i, j);
        REQUIRE(probe.top->numa_key_o == r::cfg_numa_dist_key(i, j));
        REQUIRE(probe.top->numa_reset_o == r::cfg_numa_dist_reset(i, j));
      }
      REQUIRE(probe.top->pre_entry_o == r::pre_entry(i));
      REQUIRE(probe.top->pre_epoch_o == r::pre_epoch(i));
    }
    REQUIRE(probe.top->ncores_reset_o == r::ncores_reset(p));
    REQUIRE(probe.top->max_shards_reset_o == r::max_shards_reset(p));
  }
}
