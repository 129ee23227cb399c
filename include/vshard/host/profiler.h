// Workload Profiler, host side: turns a vCPU's pending work blocks (costs and
// dependencies) into PROFILE events (independent block count, block cost),
// rate-limited per vCPU so the engine is not flooded.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace vshard::host {

// One pending block of a vCPU's work queue: its cost and the indices (in the
// same pending list) of the blocks it must wait for.
struct WorkBlock {
  uint32_t cost_us = 0;
  std::vector<uint32_t> deps;
};

struct Profile {
  uint8_t blocks = 0;     // independent (shardable now) blocks, saturated at 255
  uint16_t bcost_us = 0;  // cost of one block: the rounded-up mean, saturated
  // Expected run per wake, µs (spec 1.1 PROFILE d32[15:0]): how long a
  // latency vCPU holds a core once woken; sizes the shards of its victims.
  uint16_t erun_us = 0;
  bool operator==(const Profile&) const = default;
};

// The independent set: blocks with no pending dependency (all their deps are
// outside the list or already finished). Throws vshard::Error(kBadInput) on a
// dependency index out of range or on itself.
Profile summarize(const std::vector<WorkBlock>& pending);

class Profiler {
 public:
  // min_interval_us: least time between two PROFILE events of one vCPU,
  // except "urgent" ones (a change across the shardable threshold of 1
  // block, which the engine must not miss). An expected run that moved by
  // less than 1/8 of the published one is no change.
  Profiler(uint32_t vcpus = 0, double min_interval_us = 1000.0);
  // The PROFILE to send now, if any, for this vCPU's current profile.
  std::optional<Profile> update(uint32_t vcpu, const Profile& now_profile, double now_us);
  // The engine handed n of the vCPU's published blocks to a shard
  // (spec 1.1 7.4: blocks -= count): remember what it holds now.
  void engine_took(uint32_t vcpu, uint32_t n);
  uint64_t sent() const { return sent_; }
  uint64_t suppressed() const { return suppressed_; }

 private:
  struct State {
    Profile published;
    double last_us = -1e300;
  };
  double min_interval_us_;
  std::vector<State> st_;
  uint64_t sent_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace vshard::host
