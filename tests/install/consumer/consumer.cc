// A user of an installed vShard: the golden model decides on three events,
// then the driver's `model` backend must give the same decisions. Prints
// "vshard consumer: OK" and exits 0, or says what differs and exits 1.
#include <chrono>
#include <cstdio>
#include <vector>

#include <vshard/descriptor.h>
#include <vshard/device.h>
#include <vshard/model.h>

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAIL: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  using namespace vshard;
  const std::vector<Event> events = {
      make_wake(1, 3, false),  // vCPU 3 wakes on an idle host: it runs at once
      make_wake(2, 4, false),  // vCPU 4 too, on another core
      make_block(3, 3),        // vCPU 3 blocks: its core is idle again
  };

  Model model(Params::small());
  std::vector<Decision> expected;
  Decision out[kMaxDecisionsPerEvent];
  for (const Event& e : events) {
    const size_t n = model.step(e, out);
    expect(n >= 1, "every event is answered");
    expected.insert(expected.end(), out, out + n);
  }
  expect(expected.size() == 3, "one decision per event");
  if (expected.size() == 3) {
    const Decision& run3 = expected[0];
    const Decision& run4 = expected[1];
    expect(run3.type == static_cast<uint8_t>(DecisionType::kRun), "WAKE of vCPU 3 gives RUN");
    expect(run3.vcpu == 3 && run3.seq == 1 && (run3.flags & kFlagLast), "RUN names vCPU 3, seq 1, LAST");
    expect(run3.core < 8, "RUN places vCPU 3 on a core of `small`");
    expect(run4.type == static_cast<uint8_t>(DecisionType::kRun) && run4.vcpu == 4, "WAKE of vCPU 4 gives RUN");
    expect(run4.core != run3.core, "vCPU 4 gets another core");
    expect(expected[2].seq == 3 && expected[2].type != static_cast<uint8_t>(DecisionType::kError),
           "BLOCK of a running vCPU is accepted");
    expect(model.core(run3.core).occ == Occ::kIdle, "vCPU 3's core is idle after BLOCK");
    expect(model.core(run4.core).occ == Occ::kRun && model.core(run4.core).vcpu == 4, "vCPU 4 still runs");
    expect(model.vcpu(3).state == VcpuState::kBlocked, "vCPU 3 is blocked");
  }

  // The same events through the driver (model backend, in process).
  auto dev = Device::open("model");
  expect(dev->params() == Params::small(), "the model backend defaults to `small`");
  dev->submit(events, std::chrono::seconds(5));
  std::vector<Decision> got(expected.size() + 4);
  size_t n = 0;
  const auto deadline = DeviceClock::now() + std::chrono::seconds(5);
  while (n < expected.size() && DeviceClock::now() < deadline) n += dev->wait(got.data() + n, got.size() - n, deadline);
  got.resize(n);
  expect(got == expected, "the driver's decisions equal the model's");

  if (failures) return 1;
  std::printf("vshard consumer: OK (%zu decisions, RUN on cores %u and %u)\n", expected.size(),
              static_cast<unsigned>(expected[0].core), static_cast<unsigned>(expected[1].core));
  return 0;
}
