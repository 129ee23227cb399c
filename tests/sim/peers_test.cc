// The simulator's peer schedulers, rule by rule: Xen credit2
// (sim/hostsim/peers/credit2.h) and Linux EEVDF (peers/eevdf.h). Each rule
// is driven through the hook points with a small host that records what the
// peer asks for and fires its timers as the simulator does; the arithmetic
// behind every expected value is worked in a comment. Credit2 times are in
// µs and credits in ns (10 ms = 10'000'000); EEVDF vruntimes are in virtual
// µs (one µs of a nice-0 entity's run = 1).
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/hostsim/peers/credit2.h"
#include "vshard/hostsim/peers/eevdf.h"
#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"
#include "vshard/error.h"

using namespace vshard;
using namespace vshard::hostsim;
using namespace vshard::hostsim::peers;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Records the peer's requests and keeps each core's slice end like the
// simulator (Sim in simulator.cc): run() starts after the decision delay
// (no context-switch or migration cost here), trim_slice() only shortens,
// and a slice end the peer lets pass starts a default slice of timeslice_us.
struct FakeHost : host::Dispatcher {
  struct Op {
    std::string what;  // run, preempt, rotate, trim
    uint32_t core;
    int vcpu;
    double at, value;  // run: delay; trim: new end
  };
  std::vector<Op> ops;
  std::vector<int> on_core;
  std::vector<double> end, start;
  double now = 0;
  double timeslice = 30000;

  explicit FakeHost(uint32_t cores) : on_core(cores, -1), end(cores, kInf), start(cores, 0) {}

  void run(uint32_t c, uint32_t v, double delay, double slice) override {
    REQUIRE(on_core[c] < 0);
    ops.push_back({"run", c, static_cast<int>(v), now, delay});
    on_core[c] = static_cast<int>(v);
    start[c] = now + delay;
    end[c] = start[c] + slice;
  }
  double stop(uint32_t c, host::StopReason why) override {
    REQUIRE(on_core[c] >= 0);
    ops.push_back({why == host::StopReason::kPreempt ? "preempt" : "rotate", c, on_core[c], now, 0});
    on_core[c] = -1;
    end[c] = kInf;
    return 0;
  }
  void shard(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, double) override { FAIL("a peer asked for a shard"); }
  void trim_slice(uint32_t c, double e) override {
    ops.push_back({"trim", c, on_core[c], now, e});
    if (on_core[c] >= 0 && e < end[c]) end[c] = std::max(e, start[c]);
  }

  // Fires every slice end up to t, in time order, then sets the clock to t.
  void advance(host::SchedulerHooks& s, double t) {
    for (;;) {
      int c = -1;
      for (uint32_t k = 0; k < end.size(); ++k)
        if (end[k] <= t && (c < 0 || end[k] < end[c])) c = static_cast<int>(k);
      if (c < 0) break;
      now = end[c];
      end[c] = now + timeslice;
      s.slice_end(static_cast<uint32_t>(c), now);
    }
    now = t;
  }
  void wake(host::SchedulerHooks& s, uint32_t v, double t) {
    advance(s, t);
    s.wake(v, t);
  }
  // The vCPU on its core has nothing to do: the simulator takes it off the
  // core before it calls block.
  void block(host::SchedulerHooks& s, uint32_t v, double t) {
    advance(s, t);
    for (uint32_t c = 0; c < on_core.size(); ++c)
      if (on_core[c] == static_cast<int>(v)) {
        on_core[c] = -1;
        end[c] = kInf;
      }
    s.block(v, t);
  }
  // The ops since index `from`, trims left out, as "what core vcpu".
  std::vector<std::string> since(size_t from) const {
    std::vector<std::string> out;
    for (size_t i = from; i < ops.size(); ++i)
      if (ops[i].what != "trim")
        out.push_back(ops[i].what + " " + std::to_string(ops[i].core) + " " + std::to_string(ops[i].vcpu));
    return out;
  }
  size_t count(const std::string& what) const {
    size_t n = 0;
    for (const auto& o : ops) n += o.what == what;
    return n;
  }
  // The last op of a kind other than trim.
  const Op& last() const {
    for (auto it = ops.rbegin(); it != ops.rend(); ++it)
      if (it->what != "trim") return *it;
    FAIL("no op");
    return ops.front();
  }
};

std::vector<host::VcpuSpec> vcpus(size_t n, uint8_t weight = 16, uint8_t home = 0) {
  return std::vector<host::VcpuSpec>(n, host::VcpuSpec{false, weight, home, 0});
}

const LatencyModel kLat{};
constexpr int64_t kMs = 1'000'000;  // credit2 credits are ns

}  // namespace

// =============================================================== credit2 ==

TEST_CASE("credit2: runqueues per socket, at most 16 CPUs, spread evenly", "[sim][peers][credit2]") {
  // cpu_add_to_runqueue: min_rqs = (cpus - 1) / 16 + 1 runqueues, at most
  // cpus / min_rqs CPUs each, never across sockets (NUMA nodes here).
  FakeHost h(256);
  auto rqs = [&](uint32_t nodes, uint32_t per) {
    return Credit2(host::Topology::uniform(nodes, per), vcpus(1), PeerConfig{}, h);
  };
  Credit2 a = rqs(2, 4);  // 8 CPUs: min_rqs 1, max 8, but one per socket: {0-3} {4-7}
  REQUIRE(a.runqueues() == 2);
  CHECK(a.cpus(1) == std::vector<uint32_t>{4, 5, 6, 7});
  Credit2 b = rqs(1, 32);  // min_rqs 2, max 16: {0-15} {16-31}
  REQUIRE(b.runqueues() == 2);
  CHECK(b.cpus(0).size() == 16);
  CHECK(b.runqueue_of_core(16) == 1);
  Credit2 c = rqs(1, 24);  // min_rqs 2, max 12: {0-11} {12-23}
  REQUIRE(c.runqueues() == 2);
  CHECK(c.cpus(1).front() == 12);
  Credit2 d = rqs(8, 32);  // 256 CPUs: min_rqs 16, max 16: two per socket
  CHECK(d.runqueues() == 16);
  // A vCPU starts on a runqueue of its home node; its wakes look at the 4
  // CPUs of that runqueue, not at the host's 8: 0.5 + 4 x 0.032 µs.
  FakeHost g(8);
  Credit2 e(host::Topology::uniform(2, 4), vcpus(1, 16, 1), PeerConfig{}, g);
  CHECK(e.runqueue_of(0) == 1);
  g.wake(e, 0, 0);
  CHECK(g.ops.front().core >= 4);
  CHECK(g.ops.front().value == Approx(kLat.software(4)));
}

TEST_CASE("credit2: a wake tickles its own CPU when idle, else the next idle CPU after it", "[sim][peers][credit2]") {
  // One runqueue of CPUs {0,1,2,3}; pick_bias starts at CPU 0 and every new
  // vCPU takes the CPU after it: v0 -> 1, v1 -> 2, v2 -> 3, v3 -> 0, v4 -> 1.
  FakeHost h(4);
  Credit2 s(host::Topology::uniform(1, 4), vcpus(5), PeerConfig{}, h);
  CHECK(s.processor(0) == 1);
  CHECK(s.processor(3) == 0);
  CHECK(s.processor(4) == 1);
  h.wake(s, 0, 0);  // CPU 1 idle: its own
  h.wake(s, 4, 0);  // own CPU 1 busy: the next idle one after it, 2 (not 0)
  h.wake(s, 1, 0);  // own CPU 2 now busy: 3
  h.wake(s, 3, 0);  // own CPU 0 idle
  std::vector<std::pair<uint32_t, int>> runs;
  for (const auto& o : h.ops)
    if (o.what == "run") runs.emplace_back(o.core, o.vcpu);
  CHECK(runs == std::vector<std::pair<uint32_t, int>>{{1, 0}, {2, 4}, {3, 1}, {0, 3}});
  // runq_tickle looks at the 4 CPUs of the runqueue: 0.5 + 4 x 0.032 µs.
  CHECK(h.ops[0].value == Approx(kLat.software(4)));
  CHECK(s.stats().decision_us_total == Approx(4 * kLat.software(4)));
  CHECK(s.stats().wakes == 4);
}

TEST_CASE(
    "credit2: a waker preempts its own CPU's vCPU on any credit lead, another CPU's only "
    "beyond migrate_resist",
    "[sim][peers][credit2]") {
  // CPUs {0,1}: v0 -> CPU 1, v1 -> CPU 0, v2 -> CPU 1, v3 -> CPU 0. All
  // weights equal, so credit burns 1 ns per ns of run.
  FakeHost h(2);
  Credit2 s(host::Topology::uniform(1, 2), vcpus(4), PeerConfig{}, h);

  SECTION("own CPU first") {
    h.wake(s, 2, 0);      // CPU 1
    h.wake(s, 3, 0);      // CPU 0
    h.block(s, 2, 3000);  // v2 ran 3 ms: credit 10 - 3 = 7 ms
    h.wake(s, 0, 3000);   // CPU 1 (idle, its own)
    // At 6200: v0 on v2's CPU 1 ran 3.2 ms (credit 6.8 ms); v3 on CPU 0 ran
    // 6.2 ms (credit 3.8 ms). Own CPU: 7.0 - 6.8 = +0.2 ms > 0: taken at
    // once, although CPU 0 would score more (7.0 - 3.8 - 0.5 = 2.7 ms).
    size_t from = h.ops.size();
    h.wake(s, 2, 6200);
    // v0 preempted on CPU 1 for v2; then v0 preempts v3 on CPU 0 (below).
    CHECK(h.since(from) == std::vector<std::string>{"preempt 1 0", "run 1 2", "preempt 0 3", "run 0 0"});
    CHECK(s.running_on(1) == 2);
    // v2's timer: it would run to v0's credit (7.0 - 6.8 = 0.2 ms), but a
    // vCPU that starts runs at least the ratelimit, 1 ms: until 7200.
    CHECK(s.timer_at(1) == Approx(7200));
    // v0 goes back to the runqueue and tickles in turn: on CPU 0, v3 (3.8 ms)
    // trails it by 6.8 - 3.8 - 0.5 = 2.5 ms beyond migrate_resist: v0
    // preempts it, and being pulled from CPU 1 earns it 50 µs of credit.
    CHECK(s.credit(0) == 6 * kMs + 800'000 + 50'000);
    CHECK(s.stats().preemptions == 2);
    CHECK(s.state(3) == Credit2::VState::kQueued);
  }

  SECTION("another CPU: only beyond migrate_resist") {
    h.wake(s, 2, 0);      // CPU 1
    h.wake(s, 1, 0);      // CPU 0
    h.block(s, 2, 3000);  // v2: credit 7 ms
    h.wake(s, 0, 3000);   // CPU 1
    // At 3200 v0 (own CPU 1) ran 200 µs: within the ratelimit, not
    // preemptable. v1 on CPU 0 ran 3.2 ms (6.8 ms): 7.0 - 6.8 - 0.5 < 0.
    size_t before = h.ops.size();
    h.wake(s, 2, 3200);
    CHECK(s.state(2) == Credit2::VState::kQueued);
    CHECK(h.count("preempt") == 0);
    CHECK(h.ops.size() == before);
    // The same at 3600: v1 at 6.4 ms, 7.0 - 6.4 - 0.5 = +0.1 ms: preempted.
    FakeHost g(2);
    Credit2 u(host::Topology::uniform(1, 2), vcpus(4), PeerConfig{}, g);
    g.wake(u, 2, 0);
    g.wake(u, 1, 0);
    g.block(u, 2, 3000);
    g.wake(u, 0, 3000);
    size_t from = g.ops.size();
    g.wake(u, 2, 3600);
    CHECK(g.since(from) == std::vector<std::string>{"preempt 0 1", "run 0 2"});
    CHECK(u.running_on(0) == 2);
    CHECK(u.credit(2) == 7 * kMs + 50'000);  // + MIGRATE_COMPENSATION
    // v1 (6.4 ms) tickles back: CPU 0 runs v2 since 0 µs, CPU 1 runs v0 since
    // 600 µs: both within the ratelimit. It waits.
    CHECK(u.state(1) == Credit2::VState::kQueued);
    CHECK(u.stats().preemptions == 1);
  }
}

TEST_CASE("credit2: ratelimit keeps a vCPU that ran < 1 ms, the check comes back when it expires",
          "[sim][peers][credit2]") {
  FakeHost h(1);
  Credit2 s(host::Topology::uniform(1, 1), vcpus(3), PeerConfig{}, h);
  h.wake(s, 0, 0);
  // At 8000 v1 (10 ms) finds v0 at 10 - 8 = 2 ms, running for 8 ms: preempted.
  h.wake(s, 1, 8000);
  REQUIRE(s.running_on(0) == 1);
  // At 8940 v1 has run 940 µs, not more than ratelimit - 50 µs tolerance:
  // the waker v2 does not even tickle.
  h.wake(s, 2, 8940);
  CHECK(s.running_on(0) == 1);
  CHECK(s.timer_at(0) == Approx(16000));  // v1's timer: 10 - 2 = 8 ms of lead
  // At 8960 another wake finds v1 past the tolerance (960 > 950 µs) and
  // tickles, but csched2_schedule keeps v1: 960 µs < ratelimit. Its new timer
  // is the longer of MIN_TIMER (500 µs) and the rest of the ratelimit (40 µs)
  // since v2 (10 ms) leads v1 (10 - 0.96 = 9.04 ms): 8960 + 500 = 9460.
  FakeHost g(1);
  Credit2 t(host::Topology::uniform(1, 1), vcpus(3), PeerConfig{}, g);
  g.wake(t, 0, 0);
  g.wake(t, 1, 8000);
  g.wake(t, 2, 8960);
  CHECK(t.running_on(0) == 1);
  CHECK(t.stats().preemptions == 1);
  CHECK(t.timer_at(0) == Approx(9460));
  CHECK(t.credit(1) == 10 * kMs - 960'000);
  // At 9460 the check comes back: v1 (8.54 ms) ran 1.46 ms, v2 (10 ms) leads.
  g.advance(t, 9460);
  CHECK(g.last().what == "run");
  CHECK(g.last().vcpu == 2);
  CHECK(g.ops[g.ops.size() - 3].what == "rotate");  // run, trim: the timer
  CHECK(t.stats().rotations == 1);
  // v2 runs to v1's credit: 10 - 8.54 = 1.46 ms (over the 1 ms minimum).
  CHECK(t.timer_at(0) == Approx(9460 + 1460));
}

TEST_CASE("credit2: credit reset when the next vCPU has credit <= 0, clipped to 10.5 ms", "[sim][peers][credit2]") {
  FakeHost h(1);
  Credit2 s(host::Topology::uniform(1, 1), vcpus(3), PeerConfig{}, h);
  h.wake(s, 0, 0);  // runs; nobody waits: its timer is its whole credit, 10 ms
  h.wake(s, 1, 0);  // v0 ran 0 µs: not tickled, waits with 10 ms
  CHECK(s.timer_at(0) == Approx(10000));
  // 10000: v0 at 0 ms, v1 (10 ms) runs, to the credit of v0 (0): 10 ms.
  h.advance(s, 10000);
  CHECK(s.running_on(0) == 1);
  CHECK(s.credit(0) == 0);
  CHECK(s.timer_at(0) == Approx(20000));
  // 20000: v1 at 0; the head of the runqueue, v0, has 0 too: 0 <= 0 is the
  // CSCHED2_CREDIT_RESET condition. Everyone on the runqueue gets 10 ms:
  // v0, v1 -> 10 ms; v2, blocked with its initial 10 ms, -> 20 ms, clipped to
  // CREDIT_INIT + CARRYOVER_MAX = 10.5 ms. v1 stays (v0 does not lead it).
  h.advance(s, 20000);
  CHECK(s.credit(0) == 10 * kMs);
  CHECK(s.credit(1) == 10 * kMs);
  CHECK(s.credit(2) == 10 * kMs + 500'000);
  CHECK(s.running_on(0) == 1);
  // Both at 10 ms: the timer is the minimum, 500 µs (the ratelimit is over).
  CHECK(s.timer_at(0) == Approx(20500));
  h.advance(s, 20500);  // v1 at 9.5 ms, v0 leads: switch
  CHECK(s.running_on(0) == 0);
}

TEST_CASE("credit2: weight scales the burn rate (max weight / weight)", "[sim][peers][credit2]") {
  // v0 weight 32 (the runqueue's max), v1 weight 16: v1 burns 32/16 = 2 ns
  // of credit per ns of run.
  FakeHost h(1);
  std::vector<host::VcpuSpec> spec = {{false, 32, 0, 0}, {false, 16, 0, 0}};
  Credit2 s(host::Topology::uniform(1, 1), spec, PeerConfig{}, h);
  h.wake(s, 0, 0);
  h.wake(s, 1, 0);
  CHECK(s.timer_at(0) == Approx(10000));  // 10 ms of credit at rate 1
  h.advance(s, 10000);
  CHECK(s.running_on(0) == 1);
  // v1's 10 ms of credit last 10 x 16/32 = 5 ms of run (c2t).
  CHECK(s.timer_at(0) == Approx(15000));
  h.advance(s, 14999);
  CHECK(s.credit(1) == 10 * kMs);  // burnt only when the scheduler looks
  h.advance(s, 15000);
  // 5 ms burnt at 2 ns/ns = 10 ms: at 0 with v0 at 0 -> reset, both 10 ms.
  CHECK(s.credit(0) == 10 * kMs);
  CHECK(s.credit(1) == 10 * kMs);
  // Per reset epoch v0 gets 10 ms of CPU and v1 5 ms: shares 2:1 = weights.
}

TEST_CASE("credit2: load balancing moves a vCPU off a loaded runqueue at a credit reset", "[sim][peers][credit2]") {
  // Two sockets of one CPU each: two runqueues. Three always-runnable vCPUs
  // homed on socket 0 share runqueue 0; runqueue 1 is empty.
  FakeHost h(2);
  Credit2 s(host::Topology::uniform(2, 1), vcpus(3), PeerConfig{}, h);
  for (uint32_t v = 0; v < 3; ++v) h.wake(s, v, 0);
  // Runqueue load starts at the vCPUs' initial 50 % each (1.5 in Q18 =
  // 393216) and moves toward 3 over a ~1 s window.
  CHECK(s.runq_load(0) == 3 * (1 << 17));
  CHECK(s.runq_load(1) == 0);
  // The first reset of runqueue 0 comes when all three have burnt their 10
  // ms (30 ms of CPU). balance_load then compares it with runqueue 1: load
  // >= 1 CPU's worth, so a difference of 1/8 suffices; pushing one vCPU
  // (load ~0.51) takes |1.54 - 0| to |1.03 - 0.51|: the best move.
  h.advance(s, 29000);
  CHECK(s.stats().steals == 0);
  h.advance(s, 31000);
  CHECK(s.stats().steals == 1);
  int moved = -1;
  for (uint32_t v = 0; v < 3; ++v)
    if (s.runqueue_of(v) == 1) moved = static_cast<int>(v);
  REQUIRE(moved >= 0);
  CHECK(s.running_on(1) == moved);  // tickled the idle CPU of its new runqueue
  CHECK(s.processor(static_cast<uint32_t>(moved)) == 1);
  // 2 vCPUs vs 1: the best single move (push 2 -> 1 or pull back) leaves the
  // difference where it is, so the next resets move nothing.
  h.advance(s, 200000);
  CHECK(s.stats().steals == 1);
}

TEST_CASE("credit2: a cap's budget bounds the timer, over it the vCPU is parked until the next period",
          "[sim][peers][credit2]") {
  // cap 25 % of account_us 30 ms: 7.5 ms per period.
  FakeHost h(1);
  Credit2 s(host::Topology::uniform(1, 1), std::vector<host::VcpuSpec>{{false, 16, 0, 25}}, PeerConfig{}, h);
  h.wake(s, 0, 0);
  CHECK(s.timer_at(0) == Approx(7500));  // min(credit 10 ms, budget 7.5 ms)
  h.advance(s, 7500);
  CHECK(s.state(0) == Credit2::VState::kParked);
  CHECK(h.since(0) == std::vector<std::string>{"run 0 0", "rotate 0 0"});
  CHECK(s.stats().parks == 1);
  h.advance(s, 30000);
  s.account(30000);  // a new budget of 7.5 ms: it runs again
  CHECK(s.running_on(0) == 0);
  // credit 2.5 ms runs out first (timer 32500, reset); then the budget's
  // 5 ms: parked at 37500, 7.5 ms in the period.
  h.advance(s, 37499);
  CHECK(s.running_on(0) == 0);
  h.advance(s, 37500);
  CHECK(s.state(0) == Credit2::VState::kParked);
  CHECK(s.stats().parks == 2);
}

// ================================================================= eevdf ==

TEST_CASE("eevdf: base slice 0.75 ms x (1 + ilog2(min(cpus, 8))), nice-0 weight 1024", "[sim][peers][eevdf]") {
  FakeHost h(256);
  auto slice = [&](uint32_t cores) {
    return Eevdf(host::Topology::uniform(1, cores), vcpus(1), PeerConfig{}, h).base_slice_us();
  };
  CHECK(slice(1) == 750);    // x1
  CHECK(slice(2) == 1500);   // x2
  CHECK(slice(3) == 1500);   // ilog2(3) = 1
  CHECK(slice(4) == 2250);   // x3
  CHECK(slice(8) == 3000);   // x4
  CHECK(slice(64) == 3000);  // min(64, 8) = 8
  std::vector<host::VcpuSpec> w = {{false, 16, 0, 0}, {false, 32, 0, 0}, {false, 1, 0, 0}};
  Eevdf e(host::Topology::uniform(1, 1), w, PeerConfig{}, h);
  CHECK(e.weight(0) == 1024);
  CHECK(e.weight(1) == 2048);
  CHECK(e.weight(2) == 64);
}

TEST_CASE("eevdf: lag is kept across sleep, an eligible waker with an earlier deadline preempts",
          "[sim][peers][eevdf]") {
  // One core: base slice 750 µs, tick 4 ms. Two nice-0 entities.
  FakeHost h(1);
  Eevdf s(host::Topology::uniform(1, 1), vcpus(2), PeerConfig{}, h);
  h.wake(s, 0, 0);  // v = 0, deadline 0 + 750/2 = 375 (first enqueue: half a slice)
  h.wake(s, 1, 0);  // v = V = 0, deadline 375; v0 keeps the core (RUN_TO_PARITY)
  CHECK(s.curr(0) == 0);
  CHECK(h.ops.back().what == "trim");
  CHECK(h.ops.back().value == 4000);  // no HRTICK: the slice is checked at the tick
  // Tick at 4000: v0 at 4000 passed its deadline (new one 4750); V = (4000 +
  // 0)/2 = 2000, v0 is not eligible, v1 is: v1 runs.
  h.advance(s, 4000);
  CHECK(s.curr(0) == 1);
  CHECK(h.count("rotate") == 1);
  // v1 sleeps at 4500 with v = 500: V = (4000 + 500)/2 = 2250, lag 1750
  // (within +-max(2 x 750, 4000) = 4000).
  h.block(s, 1, 4500);
  CHECK(s.vlag(1) == Approx(1750));
  CHECK(s.curr(0) == 0);
  // It wakes at 6000; v0 ran on from 4000 to 5500. With W = 1024 queued and
  // w = 1024 joining, place_entity puts v1 at V - lag x (W + w)/W = 5500 -
  // 3500 = 2000, so that after it joins V = (5500 + 2000)/2 = 3750 and its
  // lag is again 1750. Deadline 2000 + 750 = 2750.
  h.wake(s, 1, 6000);
  CHECK(s.vruntime(1) == Approx(2000));
  CHECK(s.avg_vruntime(0) - s.vruntime(1) == Approx(1750));
  CHECK(s.deadline(1) == Approx(2750));
  // v0 (5500 > V 3750) is no longer eligible: v1 preempts, after the
  // decision (0.5 + 1 x 0.032 µs: select_idle_sibling looked at one core).
  CHECK(h.ops[h.ops.size() - 3].what == "preempt");
  CHECK(h.ops[h.ops.size() - 2].what == "run");
  CHECK(h.ops[h.ops.size() - 2].vcpu == 1);
  CHECK(h.ops[h.ops.size() - 2].value == Approx(kLat.software(1)));
  CHECK(s.stats().preemptions == 1);
}

TEST_CASE("eevdf: an ineligible waker does not preempt, even with the earlier deadline", "[sim][peers][eevdf]") {
  // v0 weight 64 (w 4096, vslice 750 x 1024/4096 = 187.5), v1 nice 0.
  FakeHost h(1);
  std::vector<host::VcpuSpec> spec = {{false, 64, 0, 0}, {false, 16, 0, 0}};
  Eevdf s(host::Topology::uniform(1, 1), spec, PeerConfig{}, h);
  h.wake(s, 0, 0);  // v 0, deadline 93.75
  h.wake(s, 1, 0);  // v 0, deadline 375
  // v0 sleeps at 2000: v = 2000 x 1024/4096 = 500; V = (4096 x 500 + 1024 x
  // 0)/5120 = 400: lag -100 (limit 4000 x 1024/4096 = 1000).
  h.block(s, 0, 2000);
  CHECK(s.vlag(0) == Approx(-100));
  // v1 runs from 2000; at the 4000 tick v = 2000 passed 375: deadline 2750.
  h.advance(s, 4000);
  CHECK(s.deadline(1) == Approx(2750));
  // v0 wakes at 4000: v = V - lag x (W + w)/W = 2000 + 100 x 5 = 2500,
  // deadline 2500 + 187.5 = 2687.5, earlier than v1's 2750. But V = (1024 x
  // 2000 + 4096 x 2500)/5120 = 2400 < 2500: not eligible. v1 keeps the core
  // (and is not protected: its deadline moved since it was picked).
  size_t stops = h.count("preempt") + h.count("rotate");
  h.wake(s, 0, 4000);
  CHECK(s.vruntime(0) == Approx(2500));
  CHECK(s.avg_vruntime(0) == Approx(2400));
  CHECK(s.deadline(0) < s.deadline(1));
  CHECK_FALSE(s.eligible(0));
  CHECK(s.eligible(1));
  CHECK(s.curr(0) == 1);
  CHECK(h.count("preempt") + h.count("rotate") == stops);
  CHECK(s.stats().preemptions == 0);
}

TEST_CASE("eevdf: an entity placed exactly at V is eligible, whatever the weights", "[sim][peers][eevdf]") {
  // A zero-lag wake places the entity at V; in the kernel's integers it is
  // then eligible (V is rounded down). Here V = v0 + Σ w (v - v0) / Σ w is
  // computed in doubles: with weights 1..255 against nice 0 and odd run
  // times the division rounds either way, which must not make the waker
  // ineligible.
  for (uint8_t w = 1; w != 0; ++w) {
    FakeHost h(1);
    std::vector<host::VcpuSpec> spec = {{false, w, 0, 0}, {false, 16, 0, 0}, {false, 16, 0, 0}};
    Eevdf s(host::Topology::uniform(1, 1), spec, PeerConfig{}, h);
    h.wake(s, 0, 0);               // runs
    h.wake(s, 1, 0);               // waits at v = 0
    h.wake(s, 2, 50.0 + w / 7.0);  // lands at V, between v1 and v0
    INFO("weight " << int(w) << ": V - v2 = " << s.avg_vruntime(0) - s.vruntime(2));
    CHECK(s.vruntime(2) == Approx(s.avg_vruntime(0)).margin(1e-9));
    CHECK(s.eligible(2));
  }
}

TEST_CASE("eevdf: RUN_TO_PARITY keeps the running entity until its slice is used", "[sim][peers][eevdf]") {
  // v0 nice 0; v1 weight 64 (w 4096): its slice in virtual time is 187.5.
  FakeHost h(1);
  std::vector<host::VcpuSpec> spec = {{false, 16, 0, 0}, {false, 64, 0, 0}};
  Eevdf s(host::Topology::uniform(1, 1), spec, PeerConfig{}, h);
  h.wake(s, 0, 0);
  h.block(s, 0, 100);  // v0 at 100, alone: lag 0
  h.wake(s, 0, 200);   // empty runqueue: v = min_vruntime = 100, deadline 850
  CHECK(s.deadline(0) == Approx(850));
  // v1 wakes at 300 (v0 at 200): v1 at V = 200, deadline 200 + 187.5/2 =
  // 293.75. Both are eligible (V = 200) and v1's deadline is the earlier
  // one, so plain EEVDF would switch; v0 was picked with deadline 850 and
  // has not used that slice: it keeps the core.
  h.wake(s, 1, 300);
  CHECK(s.eligible(0));
  CHECK(s.eligible(1));
  CHECK(s.deadline(1) == Approx(293.75));
  CHECK(s.curr(0) == 0);
  CHECK(h.count("preempt") == 0);
  // The 4000 tick: v0 at 200 + 3700 = 3900 passed 850; V = (1024 x 3900 +
  // 4096 x 200)/5120 = 940: v0 is not eligible, v1 runs.
  h.advance(s, 4000);
  CHECK(s.curr(0) == 1);
  CHECK(h.count("rotate") == 1);
}

TEST_CASE(
    "eevdf: select_idle_sibling: the previous core if idle, else an idle core of its node "
    "within SIS_UTIL's scan budget",
    "[sim][peers][eevdf]") {
  SECTION("prev idle, then the next idle core after prev") {
    FakeHost h(4);
    Eevdf s(host::Topology::uniform(1, 4), vcpus(3), PeerConfig{}, h);
    h.wake(s, 0, 0);  // never ran: the least loaded core of its node, 0
    h.wake(s, 1, 0);  // core 1
    h.block(s, 0, 100);
    h.wake(s, 2, 100);  // least loaded: core 0 (lowest index among idle 0, 2, 3)
    CHECK(s.curr(0) == 2);
    // v0's prev (0) is busy: scan from core 1: busy, core 2: idle. Three
    // cores looked at: 0.5 + 3 x 0.032 = 0.596 µs.
    h.wake(s, 0, 200);
    CHECK(h.last().what == "run");
    CHECK(h.last().core == 2);
    CHECK(h.last().value == Approx(kLat.software(3)));
    h.block(s, 0, 300);
    h.wake(s, 0, 400);  // prev 2 idle: stays
    CHECK(h.last().core == 2);
    CHECK(h.last().value == Approx(kLat.software(1)));
  }
  SECTION("SIS_UTIL: no scan on a busy node") {
    FakeHost h(4);
    Eevdf s(host::Topology::uniform(1, 4), vcpus(3), PeerConfig{}, h);
    std::vector<double> busy(4, 1.0);
    // One 10 ms tick at 100 %: util = 1 - 2^(-10/32) = 0.195, x = 199.6 of
    // 1024; 199.6^2 x 117^2 / (10^4 x 1024) = 53; nr = (1024 - 53) x 4 / 1024 = 3.
    s.tick(10000, busy, 10000);
    CHECK(s.nr_idle_scan(0) == 3);
    // After 200 ms at 100 % util ~1: (1024 x 1.17)^2 / 1024 > 1024, nr = 0.
    for (int i = 2; i <= 20; ++i) s.tick(10000.0 * i, busy, 10000);
    CHECK(s.nr_idle_scan(0) == 0);
    h.advance(s, 200000);
    h.wake(s, 0, 200000);  // core 0
    h.wake(s, 1, 200000);  // core 1
    h.block(s, 0, 200100);
    h.wake(s, 2, 200100);  // core 0
    // v0's prev (0) is busy; no scan allowed: it queues there although cores
    // 2 and 3 are idle.
    h.wake(s, 0, 200200);
    CHECK(s.core_of(0) == 0);
    CHECK(s.state(0) == Eevdf::VState::kQueued);
    CHECK(s.curr(2) == -1);
  }
  SECTION("never another node's core") {
    FakeHost h(4);
    Eevdf s(host::Topology::uniform(2, 2), vcpus(3), PeerConfig{}, h);
    h.wake(s, 0, 0);  // core 0
    h.wake(s, 1, 0);  // core 1
    h.block(s, 0, 100);
    h.wake(s, 2, 100);  // core 0
    h.wake(s, 0, 200);  // node 0 full; cores 2, 3 of node 1 idle: stays on 0
    CHECK(s.core_of(0) == 0);
    CHECK(s.state(0) == Eevdf::VState::kQueued);
  }
}

TEST_CASE("eevdf: idle balance pulls a waiting entity, nearest node first, not cache-hot ones", "[sim][peers][eevdf]") {
  SECTION("nearest node first") {
    // Nodes 0, 1, 2 of one core each; node 1 at distance 20 from node 0,
    // node 2 at 30. Node 1 has one entity waiting, node 2 two.
    host::Topology t;
    t.nodes = 3;
    t.core_node = {0, 1, 2};
    t.distance = {{10, 20, 30}, {20, 10, 20}, {30, 20, 10}};
    FakeHost h(3);
    std::vector<host::VcpuSpec> spec = {{false, 16, 0, 0}, {false, 16, 1, 0}, {false, 16, 1, 0},
                                        {false, 16, 2, 0}, {false, 16, 2, 0}, {false, 16, 2, 0}};
    Eevdf s(t, spec, PeerConfig{}, h);
    for (uint32_t v = 0; v < 6; ++v) h.wake(s, v, 0);
    CHECK(s.queued(1).size() == 1);
    CHECK(s.queued(2).size() == 2);
    // Core 0 goes idle at 1000: average idle 1 ms (>= 0.5 ms), entities wait:
    // it pulls from node 1 (nearer), although node 2 is busier.
    h.block(s, 0, 1000);
    CHECK(s.curr(0) == 2);
    CHECK(s.stats().steals == 1);
    CHECK(s.queued(2).size() == 2);
  }
  SECTION("cache hot entities stay") {
    FakeHost h(2);
    Eevdf s(host::Topology::uniform(1, 2), vcpus(3), PeerConfig{}, h);
    h.wake(s, 0, 0);     // core 0
    h.wake(s, 2, 0);     // core 1
    h.wake(s, 1, 0);     // core 0 (least loaded tie: lowest); waits there
    h.advance(s, 4000);  // tick: v1 runs on core 0, v0 waits, ran until 4000
    CHECK(s.curr(0) == 1);
    // Core 1 idles at 4200: v0 ran 200 µs ago (< sysctl_sched_migration_cost
    // 500 µs): cache hot, not pulled.
    h.block(s, 2, 4200);
    CHECK(s.curr(1) == -1);
    CHECK(s.stats().steals == 0);
    h.wake(s, 2, 4500);
    // At 4600 it is 600 µs: v0 moves.
    h.block(s, 2, 4600);
    CHECK(s.curr(1) == 0);
    CHECK(s.stats().steals == 1);
  }
  SECTION("each domain only while the average idle time pays for it") {
    // Nodes {0,1} and {2,3}. Balancing the node costs the software scan of
    // its 2 cores, 0.5 + 2 x 0.032 = 0.564 µs; the NUMA domain's 4 cores
    // 0.628 µs more: 1.192 µs. Core 1 first idles k times for `gap` µs:
    // avg_idle += (gap - avg_idle)/8 from 1000 µs. Then one entity, cache
    // cold, waits on node 0 (core 0) or node 1 (core 2) as core 1 goes idle.
    struct Pull {
      uint64_t steals;
      double start;  // delay of the pulled entity's start, -1 if none
      double avg_idle;
    };
    auto run = [](int k, double gap, bool remote) {
      FakeHost h(4);
      std::vector<host::VcpuSpec> spec = vcpus(6);
      for (uint32_t v = 3; v < 6; ++v) spec[v].home = 1;
      Eevdf s(host::Topology::uniform(2, 2), spec, PeerConfig{}, h);
      for (uint32_t v : {0u, 2u, 3u, 4u}) h.wake(s, v, 0);  // cores 0, 1, 2, 3
      for (int i = 0; i < k; ++i) {
        h.block(s, 2, 10 + 2.0 * i);
        h.wake(s, 2, 10 + 2.0 * i + gap);
      }
      double t = 10 + 2.0 * k + 1;
      h.wake(s, remote ? 5 : 1, t);  // waits on core 2 or core 0
      REQUIRE(s.queued(remote ? 2 : 0).size() == 1);
      Pull p{0, -1, s.avg_idle(1)};
      h.block(s, 2, t + 0.5);
      p.steals = s.stats().steals;
      if (h.last().what == "run" && h.last().core == 1) p.start = h.last().value;
      return p;
    };
    // Long idle periods: both domains fit, the remote entity comes, after
    // 1.192 µs of balancing.
    Pull a = run(0, 1.0, true);
    CHECK(a.steals == 1);
    CHECK(a.start == Approx(kLat.software(2) + kLat.software(4)));
    // 80 idle periods of 1 µs: avg = 1 + 999 x 0.875^80 = 1.023 µs: the node's
    // balance fits (0.564), the NUMA domain's does not (1.192).
    Pull b = run(80, 1.0, true);
    CHECK(b.avg_idle == Approx(1.0229).epsilon(1e-3));
    CHECK(b.steals == 0);
    Pull c = run(80, 1.0, false);
    CHECK(c.steals == 1);
    CHECK(c.start == Approx(kLat.software(2)));
    // 80 periods of 0.25 µs: avg 0.273 < 0.564: not even the node.
    Pull d = run(80, 0.25, false);
    CHECK(d.avg_idle == Approx(0.273).epsilon(1e-2));
    CHECK(d.steals == 0);
  }
}

TEST_CASE("eevdf: periodic balance between nodes at the NUMA domain's interval", "[sim][peers][eevdf]") {
  // Two nodes of one core; three entities homed on node 0 share core 0.
  FakeHost h(2);
  Eevdf s(host::Topology::uniform(2, 1), vcpus(3), PeerConfig{}, h);
  for (uint32_t v = 0; v < 3; ++v) h.wake(s, v, 0);
  h.advance(s, 10000);  // ticks at 4000 and 8000 rotate v0 -> v1 -> v2
  CHECK(s.curr(0) == 2);
  s.tick(10000, {1.0, 0.0}, 10000);
  // Node 1's idle core balances the NUMA domain: node 0 has 3 runnable on 1
  // core (overloaded), node 1 none; 3 x 100 > 0 x 117; move (3 x 1 - 0 x 1)
  // / (1 + 1) = 1: the least recently picked waiting entity, v0.
  CHECK(s.stats().steals == 1);
  CHECK(s.curr(1) == 0);
  // Its next balance: a 2-core domain, 2 ms, x16 now that it is busy: 32 ms.
  CHECK(s.next_balance(1, 1) == Approx(10000 + 32000));
  // Node 0's core is busy: it balances every 32 ms too, and 2 vs 1 is within
  // what the imbalance rule leaves ((2 - 1)/2 = 0).
  CHECK(s.next_balance(0, 1) == Approx(10000 + 32000));
  s.tick(20000, {1.0, 1.0}, 10000);
  s.tick(50000, {1.0, 1.0}, 10000);
  CHECK(s.stats().steals == 1);
}

TEST_CASE("eevdf: at a NUMA level only the node's first idle core balances (should_we_balance)",
          "[sim][peers][eevdf]") {
  // Nodes {0,1} and {2,3}. Node 0: five entities on two cores; node 1: core
  // 2 runs v5, core 3 idle.
  FakeHost h(4);
  std::vector<host::VcpuSpec> spec = vcpus(6);
  spec[5].home = 1;
  Eevdf s(host::Topology::uniform(2, 2), spec, PeerConfig{}, h);
  for (uint32_t v = 0; v < 6; ++v) h.wake(s, v, 0);
  REQUIRE(s.curr(2) == 5);
  REQUIRE(s.curr(3) == -1);
  s.tick(10000, {1.0, 1.0, 1.0, 0.0}, 10000);
  // Node 1 is balanced by core 3 (its first idle core), not core 2: node 0
  // has 5 on 2 cores, node 1 has 1: 5 x 2 x 100 > 1 x 2 x 117; move (5 x 2 -
  // 1 x 2)/(2 + 2) = 2 to core 3: one runs there, one waits there.
  CHECK(s.stats().steals == 2);
  CHECK(s.curr(3) >= 0);
  CHECK(s.queued(3).size() == 1);
  CHECK(s.queued(2).empty());
}

TEST_CASE("eevdf: a cap is enforced at the tick, the overrun repaid next period (CFS bandwidth)",
          "[sim][peers][eevdf]") {
  // cap 25 % of 30 ms: 7.5 ms per period, checked at the 4 ms ticks.
  FakeHost h(1);
  Eevdf s(host::Topology::uniform(1, 1), std::vector<host::VcpuSpec>{{false, 16, 0, 25}}, PeerConfig{}, h);
  h.wake(s, 0, 0);
  h.advance(s, 4000);  // 4 ms used
  CHECK(s.curr(0) == 0);
  h.advance(s, 8000);  // 8 ms >= 7.5: throttled, 0.5 ms over
  CHECK(s.state(0) == Eevdf::VState::kThrottled);
  CHECK(s.stats().parks == 1);
  h.advance(s, 30000);
  s.account(30000);  // budget 7.5 - 0.5 = 7 ms
  CHECK(s.curr(0) == 0);
  h.advance(s, 36000);  // ticks at 32000 and 36000: 0.5 + 6 = 6.5 ms
  CHECK(s.curr(0) == 0);
  h.advance(s, 40000);  // 10.5 ms: throttled
  CHECK(s.state(0) == Eevdf::VState::kThrottled);
  CHECK(s.stats().parks == 2);
}

// ============================================================ both peers ==

TEST_CASE("peers: no shards, no engine", "[sim][peers]") {
  FakeHost h(1);
  Credit2 c(host::Topology::uniform(1, 1), vcpus(1), PeerConfig{}, h);
  Eevdf e(host::Topology::uniform(1, 1), vcpus(1), PeerConfig{}, h);
  for (host::SchedulerHooks* s : {static_cast<host::SchedulerHooks*>(&c), static_cast<host::SchedulerHooks*>(&e)}) {
    try {
      s->shard_done(0, 0, 0);
      FAIL("shard_done accepted");
    } catch (const Error& err) {
      CHECK(err.code() == Errc::kInternal);
      CHECK_THAT(err.what(), Catch::Contains("never shards"));
    }
    CHECK_NOTHROW(s->profile(0, host::Profile{}, 0));
  }
  CHECK_THROWS_AS(Credit2(host::Topology::uniform(1, 1), vcpus(1, 16, 3), PeerConfig{}, h), Error);
  CHECK_THROWS_AS(Eevdf(host::Topology::uniform(1, 1), vcpus(1, 0), PeerConfig{}, h), Error);
}

namespace {
Scenario one_core_batch(std::vector<std::pair<uint8_t, uint8_t>> weight_cap) {
  Scenario s;
  s.topo = host::Topology::uniform(1, 1);
  s.duration_ms = 3000;
  s.warmup_ms = 300;
  for (auto [weight, cap] : weight_cap) {
    Workload w;
    w.name = "batch" + std::to_string(s.workloads.size());
    w.latency = false;
    w.requests = false;
    w.weight = weight;
    w.cap_pct = cap;
    w.block_us = 100;
    s.workloads.push_back(w);
  }
  return s;
}
}  // namespace

TEST_CASE("peers: weights give proportional CPU over time", "[sim][peers]") {
  // One core, two always-runnable vCPUs of weight 32 and 16: CPU shares 2:1
  // make CPU time / weight equal (Jain's index 1); equal shares would give
  // x = (1/32, 1/16): (3/32)^2 / (2 x (1/1024 + 4/1024)) = 0.9.
  Scenario s = one_core_batch({{32, 0}, {16, 0}});
  for (const char* pol : {"credit2", "eevdf"}) {
    PolicyResult r = simulate(s, parse_policy(pol, "model", false), RunOptions{1, {}});
    INFO(pol << ": jain " << r.jain);
    CHECK(r.jain > 0.99);
  }
}

TEST_CASE("peers: caps are honoured", "[sim][peers]") {
  // One core, one always-runnable vCPU capped at 25 %: 100 µs blocks, so
  // 2500 blocks/s at the cap (10000 uncapped). credit2 bounds its timer by
  // the budget; EEVDF notices at the 4 ms tick and repays the overrun.
  Scenario capped = one_core_batch({{16, 25}});
  Scenario free = one_core_batch({{16, 0}});
  for (const char* pol : {"credit2", "eevdf"}) {
    PolicySpec p = parse_policy(pol, "model", false);
    PolicyResult r = simulate(capped, p, RunOptions{1, {}});
    PolicyResult u = simulate(free, p, RunOptions{1, {}});
    INFO(pol << ": capped " << r.batch_blocks_per_s << " blocks/s, parks " << r.sched.parks);
    CHECK(r.batch_blocks_per_s <= 2500 * 1.03);
    CHECK(r.batch_blocks_per_s >= 2500 * 0.95);
    CHECK(r.sched.parks > 50);
    CHECK(u.batch_blocks_per_s > 9900);
  }
}
