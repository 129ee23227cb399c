// "0x1f2e" for messages of sim/harness. Private to sim/harness.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace vshard::sim::internal {

inline std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace vshard::sim::internal
