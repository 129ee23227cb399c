// FallbackEngine: a primary engine that throws mid-stream is replaced by the
// shadow golden model, which holds the state the primary had.
#include <catch2/catch.hpp>

#include "vshard/agent/fallback_engine.h"
#include "vshard/event_gen.h"

using namespace vshard;
using namespace vshard::agent;

namespace {
// The golden model that fails (as a device would) from event `fail_at` on.
class FailingEngine final : public host::Engine {
 public:
  FailingEngine(const Params& p, size_t fail_at) : m_(p), fail_at_(fail_at) {}
  const Params& params() const override { return m_.params(); }
  size_t submit(const Event& ev, Decision* out) override {
    if (n_++ >= fail_at_) throw Error(Errc::kDeviceFailed, "watchdog: the card stopped answering");
    return m_.submit(ev, out);
  }
  PrestageEntry prestage(uint32_t node) const override { return m_.prestage(node); }
  std::string name() const override { return "failing"; }

 private:
  host::ModelEngine m_;
  size_t fail_at_, n_ = 0;
};
}  // namespace

TEST_CASE("agent fallback engine: the golden model takes over with the device's state", "[agent][unit]") {
  const Params p = Params::small();
  const EventLog log = generate_event_log(p, 7, 4000);
  FallbackEngine fb(std::make_unique<FailingEngine>(p, 1500), p);
  host::ModelEngine ref(p);
  Decision a[kMaxDecisionsPerEvent], b[kMaxDecisionsPerEvent];
  size_t mismatches = 0;
  for (const Event& e : log.events) {
    size_t n = fb.submit(e, a);
    size_t m = ref.submit(e, b);
    if (n != m || !std::equal(a, a + n, b, [](const Decision& x, const Decision& y) {
          return x.type == y.type && x.vcpu == y.vcpu && x.core == y.core && x.d32 == y.d32;
        }))
      ++mismatches;
  }
  CHECK(fb.failed());
  CHECK(fb.name() == "failing->model");
  CHECK(fb.diverged() == 0);
  CHECK(mismatches == 0);
  for (uint32_t n = 0; n < p.nodes; ++n) CHECK(fb.prestage(n) == ref.prestage(n));
}

TEST_CASE("agent fallback engine: a working primary answers every event", "[agent][unit]") {
  const Params p = Params::small();
  FallbackEngine fb(std::make_unique<FailingEngine>(p, SIZE_MAX), p);
  const EventLog log = generate_event_log(p, 3, 500);
  Decision a[kMaxDecisionsPerEvent];
  for (const Event& e : log.events) fb.submit(e, a);
  CHECK_FALSE(fb.failed());
  CHECK(fb.name() == "failing");
}
