#include "vshard/host/profiler.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "vshard/error.h"

namespace vshard::host {

Profile summarize(const std::vector<WorkBlock>& pending) {
  uint64_t count = 0, cost = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    bool ready = true;
    for (uint32_t d : pending[i].deps) {
      if (d >= pending.size() || d == i)
        throw Error(Errc::kBadInput, "profiler: block " + std::to_string(i) + " depends on block " + std::to_string(d) +
                                         ", which is not another pending block (" + std::to_string(pending.size()) +
                                         " pending)");
      ready = false;  // a pending dependency: not independent now
    }
    if (ready) {
      ++count;
      cost += pending[i].cost_us;
    }
  }
  Profile p;
  if (count == 0) return p;
  p.blocks = static_cast<uint8_t>(std::min<uint64_t>(count, 255));
  p.bcost_us = static_cast<uint16_t>(std::min<uint64_t>((cost + count - 1) / count, 65535));
  return p;
}

Profiler::Profiler(uint32_t vcpus, double min_interval_us) : min_interval_us_(min_interval_us), st_(vcpus) {}

std::optional<Profile> Profiler::update(uint32_t vcpu, const Profile& p, double now_us) {
  State& s = st_.at(vcpu);
  if (p == s.published) return std::nullopt;
  if (p.blocks == s.published.blocks && p.bcost_us == s.published.bcost_us &&
      8 * std::abs(int{p.erun_us} - int{s.published.erun_us}) < s.published.erun_us)
    return std::nullopt;  // the expected run moved by less than 1/8
  bool urgent = (p.blocks >= 1) != (s.published.blocks >= 1);
  if (!urgent && now_us - s.last_us < min_interval_us_) {
    ++suppressed_;
    return std::nullopt;
  }
  s.published = p;
  s.last_us = now_us;
  ++sent_;
  return p;
}

void Profiler::engine_took(uint32_t vcpu, uint32_t n) {
  uint8_t& b = st_.at(vcpu).published.blocks;
  b = static_cast<uint8_t>(b - std::min<uint32_t>(b, n));
}

}  // namespace vshard::host
