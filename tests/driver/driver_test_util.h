// Helpers shared by the driver tests (device_test.cc, opencl_test.cc, mover_core_test.cc).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "vshard/device.h"
#include "vshard/error.h"
#include "vshard/model.h"

namespace vshard::test {

// Runs events through a device, keeping the rings moving (batches of 64,
// decisions polled after each); returns all decisions once it has drained.
inline std::vector<Decision> run_all(Device& dev, const std::vector<Event>& events) {
  using namespace std::chrono_literals;
  std::vector<Decision> out;
  Decision buf[256];
  size_t next = 0;
  while (next < events.size()) {
    next += dev.submit(std::span<const Event>(events).subspan(next, std::min<size_t>(64, events.size() - next)), 10s);
    for (size_t n; (n = dev.poll(buf, 256)) > 0;) out.insert(out.end(), buf, buf + n);
  }
  // Outside REQUIRE: a device failure during the drain (an asynchronous
  // device, e.g. shm://, answers there) propagates to the caller.
  const bool drained = dev.drain(60s);
  REQUIRE(drained);
  for (size_t n; (n = dev.poll(buf, 256)) > 0;) out.insert(out.end(), buf, buf + n);
  return out;
}

// The golden model's decisions for events (m advances).
inline std::vector<Decision> reference(Model& m, const std::vector<Event>& events) {
  std::vector<Decision> out;
  for (const Event& e : events) m.step(e, out);
  return out;
}

// The device's prestaged table (host memory) equals the golden model's, node by node.
inline void check_prestage(const Device& dev, const Model& m) {
  for (uint32_t n = 0; n < dev.params().nodes; ++n) {
    INFO("node " << n);
    const PrestageSnapshot s = dev.prestage(n);
    const PrestageEntry e = m.prestage(n);
    CHECK(s.kind == e.kind);
    CHECK(s.core == e.core);
    CHECK(s.vcpu == e.vcpu);
    CHECK(s.epoch == e.epoch);
    CHECK(s.node == n);
  }
}

// After a failure mid-stream: the events of `second` the device never got
// (run_all stopped submitting) go to the fallback model after its in-flight ones.
inline void replay_unsubmitted(const Device& dev, size_t before, const std::vector<Event>& second, Model& m,
                               std::vector<Decision>& out) {
  const size_t submitted = static_cast<size_t>(dev.counters().events_submitted) - before;
  REQUIRE(submitted <= second.size());
  for (size_t i = submitted; i < second.size(); ++i) m.step(second[i], out);
}

// True if f throws vshard::Error with this code; its message goes to *msg.
inline bool throws_code(Errc code, const std::function<void()>& f, std::string* msg = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (msg) *msg = e.what();
    return e.code() == code;
  }
  return false;
}

}  // namespace vshard::test
