// The golden model (vshard::Model) and the generated register description
// agree on every configuration key: reset values, and which writes the
// CONFIG checks of spec section 5 accept or reject, with which error.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "vshard/model.h"
#include "vshard/regs.h"

namespace r = vshard::regs;
using vshard::ErrorCode;

namespace {

std::vector<vshard::Params> param_sets() {
  return {vshard::Params::small(), vshard::Params::large(), vshard::Params::max(), vshard::Params{1, 1, 1, 2},
          vshard::Params{7, 9, 3, 3}};
}

}  // namespace

TEST_CASE("model configuration resets equal the generated reset values", "[regs][model]") {
  for (const vshard::Params& p : param_sets()) {
    const vshard::Model model(p);
    for (uint32_t key = 0; key < 0x80; ++key) {
      if (!r::cfg_key_known(key) || !r::cfg_index_ok(key, p)) continue;
      INFO("key " << key << " cores " << p.cores << " shards " << p.max_shards);
      CHECK(model.config(static_cast<uint16_t>(key)) == r::cfg_reset(key, p));
    }
  }
}

TEST_CASE("model CONFIG checks equal the generated checks", "[regs][model]") {
  for (const vshard::Params& p : param_sets()) {
    vshard::Model model(p);
    for (uint32_t key = 0; key < 0x100; ++key) {
      const int64_t lo = r::cfg_key_known(key) ? r::cfg_min(key) : 0;
      const int64_t hi = r::cfg_key_known(key) ? r::cfg_max(key, p) : 0;
      const int64_t probes[] = {lo - 1, lo, hi, hi + 1, -1, 0x10000, int64_t{0x80000000}};
      for (int64_t v : probes) {
        const uint32_t value = static_cast<uint32_t>(v);
        ErrorCode want = ErrorCode::kNone;
        if (!r::cfg_key_known(key)) {
          want = ErrorCode::kBadKey;
        } else if (!r::cfg_index_ok(key, p)) {
          want = ErrorCode::kBadNode;
        } else if (!r::cfg_value_ok(key, value, p)) {
          want = ErrorCode::kBadArg;
        }
        INFO("key " << key << " value " << value << " cores " << p.cores);
        CHECK(model.write_config(static_cast<uint16_t>(key), value) == want);
        if (want == ErrorCode::kNone) { CHECK(model.config(static_cast<uint16_t>(key)) == value); }
      }
    }
  }
}
