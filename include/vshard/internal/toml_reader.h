// The TOML reading both scenario loaders share (the simulator's,
// sim/hostsim/scenario.cc, and the agent's, agent/core/scenario.cc): toml++
// included with the workaround below, parsing with errors that name the
// file, line and column, and typed reads whose errors name the key.
// Internal: not installed (it includes toml++, which no public header does).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>

// toml++ 3.3.0 (Debian 12) states some of its parser's expectations with
// TOML_ASSERT_ASSUME: assert() in a debug build, __builtin_assume() in a
// clang release build, nothing in a GCC release build. Malformed input
// breaks one: "[{x]" reaches parse_key() on '{' (found by
// tests/fuzz/scenario_fuzz.cc), which aborts a debug build and is
// undefined behaviour in a clang release build; past it the parser reports
// "expected bare key starting character" itself. So here they are what a
// GCC release build makes of them in every build: no check and no
// assumption (a throwing check would terminate in toml++'s noexcept code).
// Every translation unit that includes toml++ does so through this header,
// so they all see the same definitions.
#define TOML_ASSERT(expr) static_cast<void>(0)
#ifdef NDEBUG
#define VSHARD_TOML_NDEBUG
#undef NDEBUG  // TOML_ASSERT_ASSUME is then TOML_ASSERT, not an assumption
#endif
#include <toml++/toml.h>
#ifdef VSHARD_TOML_NDEBUG
#define NDEBUG
#undef VSHARD_TOML_NDEBUG
#endif

#include "vshard/error.h"
#include "vshard/file.h"

namespace vshard::internal {

// Parses a TOML text. Throws vshard::Error(kBadInput) "SOURCE:LINE:COLUMN:
// TOML syntax: ..." on a syntax error, and refuses the non-ASCII characters
// toml++ 3.3.0 mis-scans (check_toml_non_ascii, vshard/file.h).
inline toml::table parse_toml(const std::string& text, const std::string& source_name) {
  check_toml_non_ascii(text, source_name);
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw Error(Errc::kBadInput, source_name + ":" + std::to_string(e.source().begin.line) + ":" +
                                     std::to_string(e.source().begin.column) +
                                     ": TOML syntax: " + std::string(e.description()));
  }
}

// Reads typed values out of TOML tables. Every error is vshard::Error
// (kBadInput) "SOURCE:LINE:COLUMN: key 'PREFIX.KEY': what is wrong"; a key
// that is absent gives the default.
class TomlReader {
 public:
  explicit TomlReader(std::string source) : src_(std::move(source)) {}

  [[noreturn]] void fail(const toml::node* n, const std::string& key, const std::string& msg) const {
    std::string where = src_;
    if (n) where += ":" + std::to_string(n->source().begin.line) + ":" + std::to_string(n->source().begin.column);
    throw Error(Errc::kBadInput, where + ": key '" + key + "': " + msg);
  }

  void check_keys(const toml::table& t, const std::string& prefix, std::initializer_list<const char*> allowed) const {
    for (const auto& [k, v] : t) {
      const std::string_view key = k.str();  // clang 14 cannot capture a structured binding
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
        fail(&v, prefix + std::string(key), "unknown key; expected one of: " + join(allowed));
    }
  }

  double num(const toml::table& t, const std::string& prefix, const char* key, double def, double lo, double hi) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    auto v = n->value<double>();
    if (!v || !n->is_number()) fail(n, prefix + key, "expected a number");
    if (!(*v >= lo && *v <= hi) || !std::isfinite(*v))
      fail(n, prefix + key, "value " + fmt(*v) + " is out of range [" + fmt(lo) + ", " + fmt(hi) + "]");
    return *v;
  }

  int64_t integer(const toml::table& t, const std::string& prefix, const char* key, int64_t def, int64_t lo,
                  int64_t hi) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    // is_integer() first: toml++ 3.3.0's value<int64_t>() of a float casts
    // it to int64_t before checking the range (undefined behaviour for 5e34;
    // found by tests/fuzz).
    if (!n->is_integer()) fail(n, prefix + key, "expected an integer");
    auto v = n->value<int64_t>();
    if (!v) fail(n, prefix + key, "expected an integer");
    if (*v < lo || *v > hi)
      fail(n, prefix + key,
           "value " + std::to_string(*v) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return *v;
  }

  std::string str(const toml::table& t, const std::string& prefix, const char* key, const std::string& def,
                  std::initializer_list<const char*> choices = {}) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    auto v = n->value<std::string>();
    if (!v || !n->is_string()) fail(n, prefix + key, "expected a string");
    if (choices.size() && std::none_of(choices.begin(), choices.end(), [&](const char* c) { return *v == c; }))
      fail(n, prefix + key, "'" + *v + "' is not one of: " + join(choices));
    return *v;
  }

  const toml::table* table(const toml::table& t, const std::string& prefix, const char* key) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(n, prefix + key, "expected a table");
    return n->as_table();
  }

  static std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }

  const std::string& source() const { return src_; }

 private:
  static std::string join(std::initializer_list<const char*> names) {
    std::string list;
    for (const char* a : names) list += std::string(list.empty() ? "" : ", ") + a;
    return list;
  }

  std::string src_;
};

}  // namespace vshard::internal
