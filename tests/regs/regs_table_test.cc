// The generated configuration tables of include/vshard/regs.h (kCfgKeyDefs,
// kCfgArrayDefs, cfg_reset_value, cfg_check: what the golden model and the
// driver take their resets and CONFIG checks from) against the description
// itself, regs/vshard_regs.json, read here with nlohmann::json. The JSON's
// formulas ("min(4, MaxShards)", "10 if i == j else 20", ...) are evaluated
// by a small evaluator of this file, independent of scripts/gen_regs.py.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "vshard/model.h"
#include "vshard/regs.h"

namespace r = vshard::regs;
using json = nlohmann::json;

namespace {

// ---- the formula language of gen_regs.py (its module docstring): integers,
// names, + - * //, floor(a / b), min(a, b), max(a, b), comparisons, and/or,
// `a if cond else b`. Division rounds toward minus infinity, as Python's.
class Formula {
 public:
  Formula(std::string text, std::map<std::string, int64_t> env) : s_(std::move(text)), env_(std::move(env)) {}
  int64_t eval() {
    const int64_t v = ternary();
    skip();
    if (pos_ != s_.size()) fail("trailing text");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("formula '" + s_ + "' at " + std::to_string(pos_) + ": " + why);
  }
  void skip() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool eat(const std::string& tok) {
    skip();
    if (s_.compare(pos_, tok.size(), tok) != 0) return false;
    // a word must not be the prefix of a longer name
    if (std::isalpha(static_cast<unsigned char>(tok[0])) && pos_ + tok.size() < s_.size() &&
        (std::isalnum(static_cast<unsigned char>(s_[pos_ + tok.size()])) || s_[pos_ + tok.size()] == '_'))
      return false;
    pos_ += tok.size();
    return true;
  }
  static int64_t floordiv(int64_t a, int64_t b) {
    if (b == 0) throw std::runtime_error("division by zero");
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  }
  int64_t ternary() {
    const int64_t body = disj();
    if (eat("if")) {
      const int64_t cond = disj();
      if (!eat("else")) fail("expected else");
      const int64_t other = ternary();
      return cond ? body : other;
    }
    return body;
  }
  int64_t disj() {
    int64_t v = conj();
    while (eat("or")) v = (conj() || v) ? 1 : 0;
    return v;
  }
  int64_t conj() {
    int64_t v = cmp();
    while (eat("and")) v = (cmp() && v) ? 1 : 0;
    return v;
  }
  int64_t cmp() {
    const int64_t a = sum();
    if (eat("==")) return a == sum();
    if (eat("!=")) return a != sum();
    if (eat("<=")) return a <= sum();
    if (eat(">=")) return a >= sum();
    if (eat("<")) return a < sum();
    if (eat(">")) return a > sum();
    return a;
  }
  int64_t sum() {
    int64_t v = prod();
    for (;;) {
      if (eat("+")) {
        v += prod();
      } else if (eat("-")) {
        v -= prod();
      } else {
        return v;
      }
    }
  }
  int64_t prod() {
    int64_t v = unary();
    for (;;) {
      if (eat("*")) {
        v *= unary();
      } else if (eat("//") || eat("/")) {  // "/" only appears inside floor()
        v = floordiv(v, unary());
      } else {
        return v;
      }
    }
  }
  int64_t unary() {
    if (eat("-")) return -unary();
    return primary();
  }
  int64_t primary() {
    skip();
    if (eat("(")) {
      const int64_t v = ternary();
      if (!eat(")")) fail("expected )");
      return v;
    }
    if (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      size_t n = 0;
      const int64_t v = std::stoll(s_.substr(pos_), &n, 0);
      pos_ += n;
      return v;
    }
    std::string name;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      name += s_[pos_++];
    if (name.empty()) fail("expected a number, a name or (");
    if (name == "min" || name == "max" || name == "floor") {
      if (!eat("(")) fail("expected ( after " + name);
      const int64_t a = ternary();
      if (name == "floor") {
        if (!eat(")")) fail("expected )");
        return a;
      }
      if (!eat(",")) fail("expected ,");
      const int64_t b = ternary();
      if (!eat(")")) fail("expected )");
      return name == "min" ? std::min(a, b) : std::max(a, b);
    }
    const auto it = env_.find(name);
    if (it == env_.end()) fail("unknown name " + name);
    return it->second;
  }

  std::string s_;
  std::map<std::string, int64_t> env_;
  size_t pos_ = 0;
};

json load_description() {
  std::ifstream f(VSHARD_REGS_JSON);
  REQUIRE(f.good());
  return json::parse(f);
}

int64_t number(const json& v, const std::map<std::string, int64_t>& env) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) return std::stoll(s, nullptr, 16);
    return Formula(s, env).eval();
  }
  throw std::runtime_error("not a number or a formula: " + v.dump());
}

// The named configurations and a few odd ones (the formulas' corners).
std::vector<vshard::Params> param_sets(const json& d) {
  std::vector<vshard::Params> out;
  for (const json& c : d.at("configs")) {
    out.push_back(vshard::Params{c.at("NCores").get<uint32_t>(), c.at("NVcpus").get<uint32_t>(),
                                 c.at("NNodes").get<uint32_t>(), c.at("MaxShards").get<uint32_t>()});
  }
  out.push_back(vshard::Params{1, 1, 1, 2});
  out.push_back(vshard::Params{7, 9, 3, 3});
  out.push_back(vshard::Params{255, 4096, 5, 8});
  return out;
}

std::map<std::string, int64_t> env_of(const vshard::Params& p) {
  return {{"NCores", p.cores}, {"NVcpus", p.vcpus}, {"NNodes", p.nodes}, {"MaxShards", p.max_shards}};
}

}  // namespace

TEST_CASE("the formula evaluator of this test", "[regs]") {
  CHECK(Formula("min(4, MaxShards)", {{"MaxShards", 2}}).eval() == 2);
  CHECK(Formula("floor(3 * NCores / 4)", {{"NCores", 7}}).eval() == 5);
  CHECK(Formula("10 if i == j else 20", {{"i", 1}, {"j", 1}}).eval() == 10);
  CHECK(Formula("10 if i == j else 20", {{"i", 1}, {"j", 2}}).eval() == 20);
  CHECK(Formula("i < NNodes and j < NNodes", {{"i", 1}, {"j", 2}, {"NNodes", 2}}).eval() == 0);
  CHECK(Formula("-7 // 2", {}).eval() == -4);
  CHECK_THROWS(Formula("NVcpu", {{"NVcpus", 1}}).eval());
}

TEST_CASE("the generated key table equals regs/vshard_regs.json", "[regs]") {
  const json d = load_description();
  const json& keys = d.at("config").at("keys");
  REQUIRE(std::size(r::kCfgKeyDefs<vshard::Params>) == keys.size());
  for (const vshard::Params& p : param_sets(d)) {
    const auto env = env_of(p);
    for (const json& k : keys) {
      const uint16_t key = static_cast<uint16_t>(number(k.at("key"), {}));
      INFO(k.at("name").get<std::string>()
           << " with " << p.cores << "/" << p.vcpus << "/" << p.nodes << "/" << p.max_shards);
      const r::CfgKeyDef<vshard::Params>* def = r::cfg_key_def<vshard::Params>(key);
      REQUIRE(def != nullptr);
      CHECK(std::string(def->name) == k.at("name").get<std::string>());
      CHECK(def->width == k.at("width").get<int>());
      CHECK(def->is_signed == k.value("signed", false));
      CHECK(def->min == number(k.at("min"), env));
      CHECK(def->max(p) == number(k.at("max"), env));
      const int64_t reset = number(k.at("reset"), env);
      CHECK(def->reset(p) == reset);
      // The register reads a signed key sign-extended to 32 bits.
      CHECK(r::cfg_reset_value(key, p) == static_cast<uint32_t>(reset));
      // The older generated switch-based helpers agree with the table.
      CHECK(r::cfg_reset(key, p) == r::cfg_reset_value(key, p));
      CHECK(r::cfg_max(key, p) == def->max(p));
    }
  }
}

TEST_CASE("the generated array table equals regs/vshard_regs.json", "[regs]") {
  const json d = load_description();
  const json& arrays = d.at("config").at("arrays");
  REQUIRE(std::size(r::kCfgArrayDefs) == arrays.size());
  REQUIRE(arrays.size() == 1);  // NUMA_DIST, what vs_cfg_regs stores
  const json& a = arrays[0];
  const r::CfgArrayDef& def = r::kCfgArrayDefs[0];
  CHECK(std::string(def.name) == a.at("name").get<std::string>());
  CHECK(def.key == number(a.at("key"), {}));
  CHECK(def.width == a.at("width").get<int>());
  CHECK(def.min == number(a.at("min"), {}));
  CHECK(def.max == number(a.at("max"), {}));
  const uint32_t di = a.at("dims")[0].get<uint32_t>(), dj = a.at("dims")[1].get<uint32_t>();
  CHECK(def.count == di * dj);
  const std::string ii = a.at("index")[0].get<std::string>(), jj = a.at("index")[1].get<std::string>();
  for (const vshard::Params& p : param_sets(d)) {
    for (uint32_t i = 0; i < di; ++i) {
      for (uint32_t j = 0; j < dj; ++j) {
        auto env = env_of(p);
        env[ii] = i;
        env[jj] = j;
        const uint16_t key = r::cfg_numa_dist_key(i, j);
        INFO("NUMA_DIST[" << i << "][" << j << "] with NNodes " << p.nodes);
        CHECK(r::cfg_reset_value(key, p) == static_cast<uint32_t>(number(a.at("reset"), env)));
        CHECK(r::cfg_index_ok(key, p) == (number(a.at("valid_index"), env) != 0));
      }
    }
  }
}

// cfg_check: E_BAD_KEY, then E_BAD_NODE, then E_BAD_ARG (spec section 5, and
// the order of the RTL's vs_cfg_check), on the edge values of every key.
TEST_CASE("cfg_check follows the documented order on edge values", "[regs]") {
  const json d = load_description();
  for (const vshard::Params& p : param_sets(d)) {
    const auto env = env_of(p);
    INFO("params " << p.cores << "/" << p.vcpus << "/" << p.nodes << "/" << p.max_shards);
    // Scalar keys: min - 1, min, max, max + 1, and values with bits above the width.
    for (const json& k : d.at("config").at("keys")) {
      const uint16_t key = static_cast<uint16_t>(number(k.at("key"), {}));
      const int64_t lo = number(k.at("min"), env), hi = number(k.at("max"), env);
      const bool sgn = k.value("signed", false);
      const int width = k.at("width").get<int>();
      INFO(k.at("name").get<std::string>());
      const int64_t probes[] = {lo - 1,
                                lo,
                                hi,
                                hi + 1,
                                int64_t{1} << width,
                                -1,
                                int64_t{0x80000000},
                                int64_t{0xFFFFFFFF},
                                int64_t{1} << 31 | hi};
      for (int64_t v : probes) {
        const uint32_t value = static_cast<uint32_t>(v);
        const int64_t as_number = sgn ? int64_t{static_cast<int32_t>(value)} : int64_t{value};
        const uint8_t want = (as_number >= lo && as_number <= hi) ? r::kErrNone : r::kErrBadArg;
        INFO("value " << value);
        CHECK(r::cfg_check(key, value, p) == want);
        CHECK(r::cfg_value_ok(key, value, p) == (want == r::kErrNone));
      }
    }
    // NUMA_DIST: an index >= NNodes is E_BAD_NODE whatever the value (the node
    // check comes before the range check); in range, 1..255.
    for (uint32_t i = 0; i < 8; ++i) {
      for (uint32_t j = 0; j < 8; ++j) {
        const uint16_t key = r::cfg_numa_dist_key(i, j);
        const bool node_ok = i < p.nodes && j < p.nodes;
        for (uint32_t value : {0u, 1u, 255u, 256u, 0xFFFFFFFFu}) {
          INFO("NUMA_DIST[" << i << "][" << j << "] = " << value);
          const uint8_t want = !node_ok ? r::kErrBadNode : (value >= 1 && value <= 255) ? r::kErrNone : r::kErrBadArg;
          CHECK(r::cfg_check(key, value, p) == want);
        }
      }
    }
    // Unknown keys are E_BAD_KEY whatever the value (the key check comes first).
    for (uint32_t key : {0x16u, 0x20u, 0x3Fu, 0x80u, 0x100u, 0xFFFFu}) {
      for (uint32_t value : {0u, 1u, 0xFFFFFFFFu}) {
        INFO("key " << key << " value " << value);
        CHECK(r::cfg_check(static_cast<uint16_t>(key), value, p) == r::kErrBadKey);
      }
    }
    // Every 16-bit key: cfg_check agrees with the known / index / value predicates.
    for (uint32_t key = 0; key <= 0xFFFF; ++key) {
      const uint16_t k16 = static_cast<uint16_t>(key);
      const uint8_t want = !r::cfg_key_known(key)        ? r::kErrBadKey
                           : !r::cfg_index_ok(key, p)    ? r::kErrBadNode
                           : !r::cfg_value_ok(key, 1, p) ? r::kErrBadArg
                                                         : r::kErrNone;
      if (r::cfg_check(k16, 1, p) != want) FAIL("key " << key << ": cfg_check " << int{r::cfg_check(k16, 1, p)});
    }
  }
}

TEST_CASE("the model's configuration resets and checks are the generated ones", "[regs][model]") {
  const json d = load_description();
  for (const vshard::Params& p : param_sets(d)) {
    vshard::Model m(p);
    for (uint32_t key = 0; key < 0x80; ++key) {
      if (!r::cfg_key_known(key) || !r::cfg_index_ok(key, p)) continue;
      CHECK(m.config(static_cast<uint16_t>(key)) == r::cfg_reset_value(static_cast<uint16_t>(key), p));
    }
    // A rejected write leaves the register as it was; an accepted one stores the value.
    CHECK(m.write_config(r::kCfgMaxShardsKey, p.max_shards + 1) == vshard::ErrorCode::kBadArg);
    CHECK(m.config(r::kCfgMaxShardsKey) == r::cfg_reset_value(r::kCfgMaxShardsKey, p));
    CHECK(m.write_config(r::kCfgMaxShardsKey, p.max_shards) == vshard::ErrorCode::kNone);
    CHECK(m.config(r::kCfgMaxShardsKey) == p.max_shards);
    CHECK(m.write_config(r::cfg_numa_dist_key(p.nodes - 1, 0), 7) == vshard::ErrorCode::kNone);
    CHECK(m.config(r::cfg_numa_dist_key(p.nodes - 1, 0)) == 7);
  }
}
