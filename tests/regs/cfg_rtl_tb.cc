// Testbench of the generated configuration RTL (rtl/vs_cfg_regs.sv and
// rtl/vs_cfg_check.sv, through tests/regs/vs_cfg_probe.sv), one verilated
// model per configuration (cfg_rtl_test.sh builds small, large and max).
// Every expected value comes from the generated C++ tables of
// include/vshard/regs.h (cfg_reset_value, cfg_check, kCfgKeyDefs), which
// regs_table_test checks against regs/vshard_regs.json: nothing is re-typed.
//
//   after rst_ni, every key reads its reset value (0 for unknown keys and
//     NUMA indices >= NNodes), and cfg_o / numa_dist_o hold the same values;
//   random accepted writes read back (and show on cfg_o / numa_dist_o);
//     we_i = 0, unknown keys and NUMA indices >= NNodes change nothing;
//   soft_rst_i restores every reset value, with priority over a write in
//     the same cycle; rst_ni does too after writes;
//   vs_cfg_check's err_o equals cfg_check() on every 16-bit key and on
//     edge and random values.
// Exit 0 when every check passed, 1 otherwise (the first failures printed).
#include <cstdint>
#include <cstdio>
#include <map>
#include <type_traits>
#include <vector>

#include "Vvs_cfg_probe.h"
#include "verilated.h"
#include "vshard/regs.h"
#include "vshard/splitmix64.h"

namespace r = vshard::regs;
using Params = r::EngineParams;

namespace {

// Bits [lsb, lsb + w) of a verilated signal (w <= 32), whatever its C++ type.
template <class T>
uint32_t bits(const T& sig, uint32_t lsb, uint32_t w) {
  uint64_t v = 0;
  if constexpr (std::is_integral_v<T>) {
    v = static_cast<uint64_t>(sig) >> lsb;
  } else {
    for (uint32_t b = 0; b < w; ++b) v |= uint64_t{(sig[(lsb + b) / 32] >> ((lsb + b) % 32)) & 1u} << b;
  }
  return static_cast<uint32_t>(v & ((uint64_t{1} << w) - 1));
}

class Tb {
 public:
  explicit Tb(Vvs_cfg_probe& top) : top_(top) {
    top_.eval();
    p_.cores = top_.ncores_o;
    p_.vcpus = 1;
    p_.nodes = top_.nnodes_o;
    p_.max_shards = top_.max_shards_o;
    for (const auto& k : r::kCfgKeyDefs<Params>) cfg_width_ += k.width;
    for (uint32_t key = 0; key < 0x10000; ++key) {
      if (r::cfg_key_known(key) && r::cfg_index_ok(key, p_)) valid_.push_back(static_cast<uint16_t>(key));
    }
    reset_shadow();
  }

  const Params& params() const { return p_; }
  int failures() const { return failures_; }
  long checks() const { return checks_; }

  void check(bool ok, const char* what, uint32_t key, uint32_t got, uint32_t want) {
    ++checks_;
    if (ok) return;
    if (failures_ < 20) {
      std::printf("FAIL %s: key 0x%04X got 0x%08X want 0x%08X (NCores %u NNodes %u MaxShards %u)\n", what, key, got,
                  want, p_.cores, p_.nodes, p_.max_shards);
    }
    ++failures_;
  }

  void idle_inputs() {
    top_.soft_rst_i = 0;
    top_.we_i = 0;
    top_.key_i = 0;
    top_.value_i = 0;
  }
  void clock() {
    top_.clk_i = 1;
    top_.eval();
    top_.clk_i = 0;
    top_.eval();
  }
  void async_reset() {
    idle_inputs();
    top_.clk_i = 0;
    top_.rst_ni = 1;
    top_.eval();
    top_.rst_ni = 0;
    top_.eval();
    top_.rst_ni = 1;
    top_.eval();
    reset_shadow();
  }
  void reset_shadow() {
    shadow_.clear();
    for (uint16_t key : valid_) shadow_[key] = r::cfg_reset_value(key, p_);
  }

  // What the read port must return for key.
  uint32_t expected_read(uint16_t key) const {
    const auto it = shadow_.find(key);
    return it == shadow_.end() ? 0 : it->second;
  }
  uint32_t read(uint16_t key) {
    top_.rkey_i = key;
    top_.eval();
    return top_.rdata_o;
  }
  void check_read(uint16_t key, const char* what) {
    check(read(key) == expected_read(key), what, key, read(key), expected_read(key));
  }

  // Every key through the read port, and cfg_o / numa_dist_o.
  void check_all(const char* what) {
    for (uint32_t key = 0; key < 0x100; ++key) check_read(static_cast<uint16_t>(key), what);
    for (uint32_t key : {0x3FFu, 0x1040u, 0x8000u, 0xFFFFu}) check_read(static_cast<uint16_t>(key), what);
    // cfg_o: the scalar keys in key order, the first in the most significant bits.
    uint32_t top_bit = cfg_width_;
    for (const auto& k : r::kCfgKeyDefs<Params>) {
      top_bit -= k.width;
      const uint32_t want = expected_read(k.key) & static_cast<uint32_t>((uint64_t{1} << k.width) - 1);
      const uint32_t got = bits(top_.cfg_o, top_bit, k.width);
      check(got == want, "cfg_o field", k.key, got, want);
    }
    for (uint32_t i = 0; i < p_.nodes; ++i) {
      for (uint32_t j = 0; j < p_.nodes; ++j) {
        const uint16_t key = r::cfg_numa_dist_key(i, j);
        const uint32_t got = bits(top_.numa_dist_o, (i * p_.nodes + j) * 8, 8);
        check(got == expected_read(key), "numa_dist_o", key, got, expected_read(key));
      }
    }
  }

  void write(uint16_t key, uint32_t value, bool soft_rst = false) {
    top_.we_i = 1;
    top_.key_i = key;
    top_.value_i = value;
    top_.soft_rst_i = soft_rst;
    clock();
    idle_inputs();
    top_.eval();
    if (soft_rst) {
      reset_shadow();
    } else if (shadow_.count(key)) {
      shadow_[key] = value;
    }
  }

  // A random value the CONFIG checks accept for key (edges often).
  uint32_t accepted_value(uint16_t key) {
    int64_t lo = r::cfg_min(key), hi = r::cfg_max(key, p_);
    int64_t v = 0;
    switch (rng_.next() % 4) {
      case 0: v = lo; break;
      case 1: v = hi; break;
      default: v = lo + static_cast<int64_t>(rng_.next() % static_cast<uint64_t>(hi - lo + 1)); break;
    }
    const uint32_t value = static_cast<uint32_t>(v);
    check(r::cfg_check(key, value, p_) == r::kErrNone, "testbench: accepted_value", key, value, 0);
    return value;
  }
  uint16_t random_valid_key() { return valid_[rng_.next() % valid_.size()]; }
  // A key that exists in no configuration, or a NUMA index >= NNodes.
  uint16_t random_absent_key() {
    for (;;) {
      const uint16_t key = static_cast<uint16_t>(rng_.next() % 4 == 0 ? rng_.next() : rng_.next() % 0x100);
      if (!shadow_.count(key)) return key;
    }
  }

  uint8_t check_err(uint16_t key, uint32_t value) {
    top_.ckey_i = key;
    top_.cvalue_i = value;
    top_.eval();
    const uint8_t want = r::cfg_check(key, value, p_);
    ++checks_;
    if (top_.err_o != want) {
      if (failures_ < 20) {
        std::printf("FAIL vs_cfg_check: key 0x%04X value 0x%08X: err_o 0x%02X, cfg_check 0x%02X\n", key, value,
                    top_.err_o, want);
      }
      ++failures_;
    }
    return want;
  }

  vshard::SplitMix64& rng() { return rng_; }
  const std::vector<uint16_t>& valid_keys() const { return valid_; }

 private:
  Vvs_cfg_probe& top_;
  Params p_{};
  uint32_t cfg_width_ = 0;
  std::vector<uint16_t> valid_;
  std::map<uint16_t, uint32_t> shadow_;
  vshard::SplitMix64 rng_{0x5EED0C0F};
  int failures_ = 0;
  long checks_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  VerilatedContext ctx;
  ctx.commandArgs(argc, argv);
  Vvs_cfg_probe top{&ctx};
  Tb tb(top);
  const Params& p = tb.params();
  std::printf("cfg_rtl_tb: NCores %u NNodes %u MaxShards %u: %zu keys exist\n", p.cores, p.nodes, p.max_shards,
              tb.valid_keys().size());

  // ---- reset values
  tb.async_reset();
  tb.check_all("after rst_ni");

  // ---- random accepted writes
  unsigned hits[3] = {};  // E_BAD_KEY, E_BAD_NODE, E_BAD_ARG seen by the check sweep below
  for (int n = 0; n < 20000; ++n) {
    const uint64_t pick = tb.rng().next() % 16;
    if (pick == 0) {
      // we_i = 0: nothing changes
      top.we_i = 0;
      top.key_i = tb.random_valid_key();
      top.value_i = static_cast<uint32_t>(tb.rng().next());
      tb.clock();
      tb.idle_inputs();
    } else if (pick == 1) {
      tb.write(tb.random_absent_key(), static_cast<uint32_t>(tb.rng().next()));
    } else {
      const uint16_t key = tb.random_valid_key();
      tb.write(key, tb.accepted_value(key));
      tb.check_read(key, "read back after a write");
    }
    tb.check_read(tb.random_valid_key(), "read of a random key");
    if (n % 1000 == 999) tb.check_all("during random writes");
    if (n % 5000 == 4999) {
      // soft reset wins over a write in the same cycle
      const uint16_t key = tb.random_valid_key();
      tb.write(key, tb.accepted_value(key), /*soft_rst=*/true);
      tb.check_all("after soft_rst_i (with we_i)");
    }
  }
  for (int n = 0; n < 200; ++n) {
    const uint16_t key = tb.random_valid_key();
    tb.write(key, tb.accepted_value(key));
  }
  tb.async_reset();
  tb.check_all("after rst_ni following writes");

  // ---- vs_cfg_check against cfg_check()
  auto count = [&](uint8_t e) {
    if (e == r::kErrBadKey) ++hits[0];
    if (e == r::kErrBadNode) ++hits[1];
    if (e == r::kErrBadArg) ++hits[2];
  };
  for (uint32_t key = 0; key < 0x10000; ++key) {
    const uint16_t k = static_cast<uint16_t>(key);
    for (uint32_t value : {0u, 1u, r::cfg_reset_value(k, p), 0xFFFFFFFFu, static_cast<uint32_t>(tb.rng().next())})
      count(tb.check_err(k, value));
  }
  for (uint32_t key = 0; key < 0x80; ++key) {
    const uint16_t k = static_cast<uint16_t>(key);
    const int64_t lo = r::cfg_min(key), hi = r::cfg_max(key, p);
    const r::CfgKeyDef<Params>* def = r::cfg_key_def<Params>(key);
    const uint32_t width = def ? def->width : 8;
    const int64_t probes[] = {lo - 1,
                              lo,
                              hi,
                              hi + 1,
                              int64_t{1} << width,
                              (int64_t{1} << width) - 1,
                              int64_t{0x80000000},
                              int64_t{0x7FFFFFFF},
                              int64_t{0xFFFF0000} | (hi & 0xFFFF),
                              int64_t{0x00010000} | (hi & 0xFFFF),
                              -hi,
                              -hi - 1};
    for (int64_t v : probes) count(tb.check_err(k, static_cast<uint32_t>(v)));
  }
  for (int n = 0; n < 300000; ++n) {
    const uint64_t x = tb.rng().next();
    const uint16_t key = static_cast<uint16_t>(x % 8 == 0 ? (x >> 8) : (x >> 8) % 0x80);
    uint32_t value = static_cast<uint32_t>(tb.rng().next());
    value &= static_cast<uint32_t>((uint64_t{1} << (x >> 40) % 33) - 1);  // small values are the interesting ones
    if ((x >> 50) % 4 == 0) value = ~value;
    count(tb.check_err(key, value));
  }
  // The sweep must have reached every error (else it proves little).
  tb.check(hits[0] > 0, "sweep reached E_BAD_KEY", 0, hits[0], 1);
  tb.check(hits[2] > 0, "sweep reached E_BAD_ARG", 0, hits[2], 1);
  if (p.nodes < 8) tb.check(hits[1] > 0, "sweep reached E_BAD_NODE", 0, hits[1], 1);

  top.final();
  std::printf("cfg_rtl_tb: %ld checks, %d failed (E_BAD_KEY %u, E_BAD_NODE %u, E_BAD_ARG %u in the check sweep)\n",
              tb.checks(), tb.failures(), hits[0], hits[1], hits[2]);
  return tb.failures() == 0 ? 0 : 1;
}
