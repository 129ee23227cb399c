// vshard::Params: named configurations and range checks (docs/spec.md section 1).
#include <string>

#include "vshard/descriptor.h"
#include "vshard/error.h"

namespace vshard {

Params Params::named(const std::string& name) {
  if (name == "small") return small();
  if (name == "large") return large();
  if (name == "max") return max();
  throw Error(Errc::kBadConfig,
              "unknown configuration '" + name + "': use one of small, large, max (docs/spec.md section 1)");
}

namespace {
void check(const char* what, uint32_t value, uint32_t lo, uint32_t hi) {
  if (value < lo || value > hi) {
    throw Error(Errc::kBadConfig, std::string("parameter ") + what + " = " + std::to_string(value) +
                                      " is out of range: it must be in " + std::to_string(lo) + ".." +
                                      std::to_string(hi) + " (docs/spec.md section 1)");
  }
}
}  // namespace

void Params::validate() const {
  check("NCores", cores, 1, 256);
  check("NVcpus", vcpus, 1, 4096);
  check("NNodes", nodes, 1, 8);
  check("MaxShards", max_shards, 2, 8);
}

}  // namespace vshard
