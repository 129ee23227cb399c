// vshard::Device against the golden model, over the backends (see backends()):
// same event logs -> identical decision streams, prestage contents and
// counters; plus the fault paths (watchdog, full ring, corrupt decisions,
// identity mismatch, bad configuration) on each backend.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "vshard/device.h"
#include "vshard/event_gen.h"
#include "vshard/model.h"

#include "driver_test_util.h"
#if defined(VSHARD_TEST_SHM) || defined(VSHARD_TEST_UDP)
#include "offload_test_util.h"
#endif

using namespace vshard;
using namespace std::chrono_literals;
using vshard::test::reference;
using vshard::test::run_all;
using vshard::test::throws_code;

namespace {

// Built up to six times (tests/driver/CMakeLists.txt): the unit binary runs the
// model backend, the rtl binary (VSHARD_TEST_VERILATOR) the same cases on the
// RTL, the dma binary (VSHARD_TEST_VERILATOR_DMA) on the RTL card with its own
// DMA front-end, the opencl binary (VSHARD_TEST_OPENCL) on the model with its shard
// planner kernel on an OpenCL device, the shm and udp binaries
// (VSHARD_TEST_SHM, VSHARD_TEST_UDP) on a model engine in an in-process
// `vshard serve` reached through shared memory or loopback UDP.
std::vector<std::string> backends() {
#if defined(VSHARD_TEST_VERILATOR)
  return {"verilator"};
#elif defined(VSHARD_TEST_VERILATOR_DMA)
  return {"verilator?frontend=dma"};  // config small (the default); config= would clash with the identity case
#elif defined(VSHARD_TEST_OPENCL)
  return {"opencl"};
#elif defined(VSHARD_TEST_SHM)
  return {vshard::test::offload_spec("shm")};
#elif defined(VSHARD_TEST_UDP)
  return {vshard::test::offload_spec("udp")};
#else
  return {"model"};
#endif
}

}  // namespace

TEST_CASE("device spec: bad forms are rejected with the valid forms listed", "[driver][unit]") {
  for (const char* bad :
       {"", "modle", "model?config=huge", "model?conf=small", "model?config", "xrt://", "xrt://abc", "xrt://0000:65:00",
        "model?config=small&config=large", "opencl?device=", "opencl?gpu=1", "opencl?config=huge",
        "opencl?device=x&device=y", "verilator?frontend=pcie", "model?frontend=dma"}) {
    std::string msg;
    INFO("spec: '" << bad << "'");
    CHECK(throws_code(
        Errc::kBadConfig, [&] { Device::open(bad); }, &msg));
    CHECK(msg.find("Valid forms") != std::string::npos);
  }
  std::string fe_msg;
  CHECK(throws_code(
      Errc::kBadConfig, [&] { Device::open("verilator?frontend=pcie"); }, &fe_msg));
  CHECK(fe_msg.find("unknown frontend 'pcie'") != std::string::npos);
#ifndef VSHARD_DRIVER_HAVE_VERILATOR
  std::string msg;
  CHECK(throws_code(
      Errc::kDeviceNotFound, [&] { Device::open("verilator"); }, &msg));
  CHECK(msg.find("VSHARD_WITH_VERILATOR") != std::string::npos);
#endif
#ifndef VSHARD_DRIVER_HAVE_OPENCL
  std::string cl_msg;
  CHECK(throws_code(
      Errc::kDeviceNotFound, [&] { Device::open("opencl?config=small"); }, &cl_msg));
  CHECK(cl_msg.find("VSHARD_WITH_OPENCL") != std::string::npos);
#endif
}

TEST_CASE("model backend: identity and named configurations", "[driver][unit]") {
  auto dev = Device::open("model");
  CHECK(dev->identity().magic == 0x56534844u);
  CHECK(dev->identity().version == kDriverEngineVersion);
  CHECK(dev->identity().desc_bytes == 16);
  CHECK(dev->params() == Params::small());
  CHECK(std::string(dev->backend_name()) == "model");
  auto large = Device::open("model?config=large");
  CHECK(large->params() == Params::large());
}

TEST_CASE("identity mismatch names both sides", "[driver][backend]") {
  for (const std::string& spec : backends()) {
    INFO("backend " << spec);
    DeviceOptions o;
    o.expect_version = 0x00020003;
    std::string msg;
    CHECK(throws_code(
        Errc::kIdentityMismatch, [&] { Device::open(spec, o); }, &msg));
    // Both versions, as major.minor and as the register reads them.
    CHECK(msg.find("2.3 (0x00020003)") != std::string::npos);
    CHECK(msg.find("1.1 (0x00010001)") != std::string::npos);
    // A 1.0 driver refuses a 1.1 engine the same way.
    DeviceOptions old;
    old.expect_version = 0x00010000;
    CHECK(throws_code(
        Errc::kIdentityMismatch, [&] { Device::open(spec, old); }, &msg));
    CHECK(msg.find("engine spec version 1.1 (0x00010001) but this driver expects 1.0 (0x00010000)") !=
          std::string::npos);
    DeviceOptions p;
    p.expect_params = Params::large();
    CHECK(throws_code(
        Errc::kIdentityMismatch, [&] { Device::open(spec, p); }, &msg));
    CHECK(msg.find("NCores=8") != std::string::npos);
    CHECK(msg.find("NCores=64") != std::string::npos);
  }
}

TEST_CASE("same event log gives the golden model's decisions prestage and counters", "[driver][backend]") {
  for (const std::string& spec : backends()) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      INFO("backend " << spec << " seed " << seed);
      DeviceOptions o;
      o.evq_size_log2 = 5;  // small rings: wrap-around and back-pressure happen often
      o.dq_size_log2 = 4;
      auto dev = Device::open(spec, o);
      const EventLog log = generate_event_log(dev->params(), seed, spec.rfind("verilator", 0) == 0 ? 3000 : 20000);
      Model ref(dev->params());
      const auto want = reference(ref, log.events);
      // The stream holds what spec 1.1 added: PARK, E_CAPPED, preemptions
      // with one shard.
      size_t parks = 0, capped = 0, one_shard = 0;
      for (const Decision& d : want) {
        parks += d.type == static_cast<uint8_t>(DecisionType::kPark);
        capped +=
            d.type == static_cast<uint8_t>(DecisionType::kError) && d.b8 == static_cast<uint8_t>(ErrorCode::kCapped);
        one_shard += d.type == static_cast<uint8_t>(DecisionType::kPreempt) && d.b8 == 1;
      }
      CHECK(parks > 0);
      CHECK(capped > 0);
      CHECK(one_shard > 0);
      const auto got = run_all(*dev, log.events);
      REQUIRE(got.size() == want.size());
      size_t first_diff = 0;
      while (first_diff < got.size() && got[first_diff] == want[first_diff]) ++first_diff;
      CHECK(first_diff == got.size());
      vshard::test::check_prestage(*dev, ref);
      CHECK(dev->device_counters() == ref.counters());
      const DriverCounters& c = dev->counters();
      CHECK(c.events_submitted == log.events.size());
      CHECK(c.events_completed == log.events.size());
      CHECK(c.decisions == want.size());
      CHECK(c.aborts == ref.counters().aborts);
      CHECK(c.commits_held == ref.counters().commits);
      CHECK(c.errors == ref.counters().errors);
      CHECK(dev->in_flight() == 0);
    }
  }
}

TEST_CASE("configuration is written read back and used", "[driver][backend]") {
  for (const std::string& spec : backends()) {
    INFO("backend " << spec);
    auto dev = Device::open(spec);
    EngineConfig c = EngineConfig::defaults(dev->params());
    CHECK(dev->read_config() == c);
    c.set(cfg::kSliceUs, 12345);
    c.set(cfg::kShardMinCredit, static_cast<uint32_t>(-1000));
    c.set(cfg::kMaxShards, 2);
    c.set(cfg::kNumaDistBase + 8 * 1 + 0, 33);
    dev->apply_config(c);
    CHECK(dev->read_config() == c);

    // Decisions follow the new configuration: compare with a model configured alike.
    Model ref(dev->params());
    for (uint16_t key : EngineConfig::keys(dev->params()))
      REQUIRE(ref.write_config(key, c.get(key)) == ErrorCode::kNone);
    const EventLog log = generate_event_log(dev->params(), 11, 2000);
    const auto want = reference(ref, log.events);
    CHECK(run_all(*dev, log.events) == want);

    std::string msg;
    CHECK(throws_code(
        Errc::kBadConfig, [&] { dev->set_config(cfg::kSliceUs, 0); }, &msg));
    CHECK(msg.find("SLICE_US") != std::string::npos);
    CHECK(msg.find("E_BAD_ARG") != std::string::npos);
    CHECK(throws_code(Errc::kBadConfig, [&] { dev->set_config(cfg::kNumaDistBase + 8 * 3 + 3, 10); }));
    CHECK(dev->read_config().get(cfg::kSliceUs) == 12345);  // unchanged
    CHECK_FALSE(dev->failed());
  }
}

TEST_CASE("full event ring: try_submit refuses and nothing is lost", "[driver][backend]") {
  for (const std::string& spec : backends()) {
    INFO("backend " << spec);
    DeviceOptions o;
    o.evq_size_log2 = 2;  // 4 events
    o.dq_size_log2 = 1;   // 2 decisions: the engine stalls quickly when nobody polls
    auto dev = Device::open(spec, o);
    const EventLog log = generate_event_log(dev->params(), 5, 64);
    size_t queued = 0;
    while (queued < log.events.size() && dev->try_submit(log.events[queued])) ++queued;
    REQUIRE(queued < log.events.size());
    CHECK(queued >= 4);
    CHECK(dev->counters().ring_full == 1);
    // The blocking form gives up at its deadline with a count, not an error.
    CHECK(dev->submit(std::span<const Event>(log.events).subspan(queued, 1), 1ms) <= 1);
    // Polling makes room; everything submitted is answered in order.
    Model ref(dev->params());
    const auto want = reference(ref, log.events);
    std::vector<Decision> got;
    Decision buf[16];
    for (size_t n; (n = dev->poll(buf, 16)) > 0;) got.insert(got.end(), buf, buf + n);
    const auto rest = run_all(
        *dev,
        std::vector<Event>(log.events.begin() + static_cast<long>(dev->counters().events_submitted), log.events.end()));
    got.insert(got.end(), rest.begin(), rest.end());
    CHECK(got == want);
  }
}

TEST_CASE("watchdog: a silent device is marked failed and the fallback has its state", "[driver][backend]") {
  for (const std::string& spec : backends()) {
    INFO("backend " << spec);
    DeviceOptions o;
    o.watchdog = 50ms;
    auto dev = Device::open(spec, o);
    const EventLog log = generate_event_log(dev->params(), 9, 300);
    const std::vector<Event> first(log.events.begin(), log.events.begin() + 200);
    const std::vector<Event> second(log.events.begin() + 200, log.events.end());
    Model ref(dev->params());
    const auto want_first = reference(ref, first);
    CHECK(run_all(*dev, first) == want_first);

    dev->inject_fault(Fault::kFreeze);
    REQUIRE(dev->submit(second, 1s) == second.size());
    Decision buf[8];
    std::string msg;
    CHECK(throws_code(
        Errc::kTimeout, [&] { dev->wait(buf, 8, 10s); }, &msg));
    CHECK(msg.find("watchdog") != std::string::npos);
    CHECK(dev->failed());
    CHECK(throws_code(
        Errc::kDeviceFailed, [&] { dev->poll(buf, 8); }, &msg));
    CHECK(throws_code(Errc::kDeviceFailed, [&] { dev->try_submit(second[0]); }));
    CHECK(throws_code(Errc::kDeviceFailed, [&] { dev->prestage(0); }));

    Fallback fb = dev->take_fallback();
    CHECK(fb.undelivered.empty());
    REQUIRE(fb.in_flight == second);
    // The fallback model continues exactly where the device stopped.
    std::vector<Decision> got;
    for (const Event& e : fb.in_flight) fb.model.step(e, got);
    CHECK(got == reference(ref, second));
    CHECK(fb.model.counters() == ref.counters());
    CHECK(throws_code(Errc::kUnsupported, [&] { dev->take_fallback(); }));
  }
}

TEST_CASE("corrupt decision descriptors mark the device failed and nothing is lost", "[driver][backend]") {
  struct Case {
    Fault fault;
    const char* words;
  };
  const Case cases[] = {{Fault::kCorruptType, "unknown decision type"},
                        {Fault::kCorruptSeq, "does not match the oldest event"},
                        {Fault::kDropLast, "seq"},
                        {Fault::kCorruptPayload, "differs from the golden model"}};
  for (const std::string& spec : backends()) {
    for (const Case& c : cases) {
      INFO("backend " << spec << " words " << c.words);
      auto dev = Device::open(spec);
      const EventLog log = generate_event_log(dev->params(), 21, 120);
      const std::vector<Event> first(log.events.begin(), log.events.begin() + 100);
      const std::vector<Event> second(log.events.begin() + 100, log.events.end());
      Model ref(dev->params());
      const auto want_first = reference(ref, first);
      CHECK(run_all(*dev, first) == want_first);

      dev->inject_fault(c.fault);
      std::string msg;
      bool failed = false;
      std::vector<Decision> delivered;
      try {
        run_all(*dev, second);
      } catch (const Error& e) {
        failed = true;
        msg = e.what();
        CHECK(e.code() == Errc::kDeviceFailed);
      }
      REQUIRE(failed);
      CHECK(msg.find(c.words) != std::string::npos);
      CHECK(dev->failed());
      // Whatever the caller did not receive comes from the fallback: the
      // undelivered decisions, then the in-flight events replayed.
      Fallback fb = dev->take_fallback();
      std::vector<Decision> rest = fb.undelivered;
      for (const Event& e : fb.in_flight) fb.model.step(e, rest);
      const auto want_second = reference(ref, second);
      REQUIRE(rest.size() <= want_second.size());
      CHECK(std::equal(rest.begin(), rest.end(), want_second.end() - static_cast<long>(rest.size())));
      CHECK(fb.model.counters() == ref.counters());
    }
  }
}

TEST_CASE("prestaged table and commits: held on the current epoch and aborted on a stale one", "[driver][backend]") {
  for (const std::string& spec : backends()) {
    INFO("backend " << spec);
    auto dev = Device::open(spec);
    const uint32_t cores = dev->params().cores;
    // All cores on node 0, every core running a non-latency vCPU: node 0's
    // entry is a PREEMPT.
    std::vector<Event> setup;
    uint32_t seq = 1;
    for (uint32_t c = 0; c < cores; ++c) { setup.push_back(make_wake(seq++, static_cast<uint16_t>(c), false)); }
    run_all(*dev, setup);
    PrestageSnapshot s = dev->prestage(0);
    CHECK(s.kind == PrestageKind::kPreempt);
    CHECK(s.core < cores);
    const uint32_t epoch0 = s.epoch;
    CHECK(epoch0 > 0);

    const uint16_t lat_vcpu = static_cast<uint16_t>(cores + 1);
    dev->commit(seq++, lat_vcpu, s, DeviceClock::now() + 1s);
    Decision buf[16];
    REQUIRE(dev->drain(5s));
    size_t n = dev->poll(buf, 16);
    REQUIRE(n >= 1);
    CHECK(commit_outcome(buf[0]) == CommitOutcome::kHeld);
    CHECK(buf[0].type == static_cast<uint8_t>(DecisionType::kPreempt));
    CHECK(buf[0].core == s.core);
    CHECK(buf[0].vcpu == s.vcpu);
    CHECK(dev->counters().commits_held == 1);

    // The entry changed (its epoch moved on); a commit against the old epoch aborts.
    const PrestageSnapshot now = dev->prestage(0);
    CHECK(now.epoch != epoch0);
    dev->commit(seq++, static_cast<uint16_t>(cores + 2), s, DeviceClock::now() + 1s);
    REQUIRE(dev->drain(5s));
    n = dev->poll(buf, 16);
    REQUIRE(n >= 2);
    CHECK(commit_outcome(buf[0]) == CommitOutcome::kAborted);
    CHECK(buf[0].type == static_cast<uint8_t>(DecisionType::kAbort));
    CHECK(buf[0].d32 == now.epoch);
    CHECK(dev->counters().aborts == 1);
  }
}

#if defined(VSHARD_TEST_VERILATOR_DMA)
namespace {
uint64_t mmio_reads(const Device& dev) {
  for (const auto& [k, v] : dev.backend_details())
    if (k == "mmio_reads") return std::stoull(v);
  FAIL("backend details have no mmio_reads");
  return 0;
}
}  // namespace

TEST_CASE("frontend=dma: only the configurations linked in, named when another is asked for", "[driver][backend]") {
  std::string msg;
  CHECK(throws_code(
      Errc::kBadConfig, [&] { Device::open("verilator?config=large&frontend=dma"); }, &msg));
  CHECK(msg.find("'large'") != std::string::npos);
  CHECK(msg.find("vs_card_top") != std::string::npos);
  CHECK(msg.find("available: small") != std::string::npos);
  auto card = Device::open("verilator?frontend=dma");
  CHECK(std::string(card->backend_name()) == "verilator-dma");
}

TEST_CASE("wake path: no register read between the doorbell and the prestaged entry", "[driver][backend]") {
  for (const std::string& spec : {std::string("verilator?config=small&frontend=dma")}) {
    INFO("backend " << spec);
    auto dev = Device::open(spec);
    EngineConfig c = EngineConfig::defaults(dev->params());
    c.set(cfg::kSliceUs, 20000);
    dev->apply_config(c);
    Model ref(dev->params());
    REQUIRE(ref.write_config(cfg::kSliceUs, 20000) == ErrorCode::kNone);
    // Every core busy with a non-latency vCPU: a latency wake preempts.
    std::vector<Event> setup;
    uint32_t seq = 1;
    for (uint32_t core = 0; core < dev->params().cores; ++core)
      setup.push_back(make_wake(seq++, static_cast<uint16_t>(core), false));
    CHECK(run_all(*dev, setup) == reference(ref, setup));

    const uint64_t before = mmio_reads(*dev);
    const Event wake = make_wake(seq++, static_cast<uint16_t>(dev->params().cores + 3), true);
    REQUIRE(dev->try_submit(wake));
    std::vector<Decision> got;
    Decision buf[16];
    const auto deadline = DeviceClock::now() + 10s;
    while (got.empty() && DeviceClock::now() < deadline) {
      const size_t n = dev->wait(buf, 16, 100ms);
      got.insert(got.end(), buf, buf + n);
    }
    const PrestageSnapshot s = dev->prestage(0);
    CHECK(mmio_reads(*dev) == before);  // the hot path read host memory only

    std::vector<Decision> want;
    ref.step(wake, want);
    CHECK(got == want);
    CHECK(got.front().type == static_cast<uint8_t>(DecisionType::kPreempt));
    const PrestageEntry e = ref.prestage(0);
    CHECK(s.kind == e.kind);
    CHECK(s.core == e.core);
    CHECK(s.vcpu == e.vcpu);
    CHECK(s.epoch == e.epoch);
    // The count is live: a register read does move it.
    dev->read_register(0x000);
    CHECK(mmio_reads(*dev) == before + 1);
  }
}
#endif

TEST_CASE("commit event layout", "[driver][unit]") {
  PrestageSnapshot s{PrestageKind::kIdle, 5, 0, 77, 1};
  const Event e = Device::make_commit_event(9, 3, s);
  CHECK(e == make_commit(9, 3, 5, 1, 77));
}

TEST_CASE("EngineConfig keys and defaults", "[driver][unit]") {
  const EngineConfig c = EngineConfig::defaults(Params::small());
  CHECK(c.get(cfg::kSliceUs) == 30000);
  CHECK(c.get(cfg::kShardMinCredit) == static_cast<uint32_t>(-300));
  CHECK(c.get(cfg::kNumaDistBase + 0) == 10);
  CHECK(c.get(cfg::kNumaDistBase + 1) == 20);
  CHECK(EngineConfig::keys(Params::small()).size() == cfg::kNumScalarKeys + 4);
  CHECK(EngineConfig::keys(Params::max()).size() == cfg::kNumScalarKeys + 64);
  CHECK_THROWS_AS(c.get(0x20), Error);
}

TEST_CASE("probe_only: registers without a reset and no rings", "[driver][unit]") {
  DeviceOptions o;
  o.probe_only = true;
  auto dev = Device::open("model?config=large", o);
  CHECK(dev->params() == Params::large());
  CHECK(dev->read_config() == EngineConfig::defaults(Params::large()));
  CHECK(dev->read_register(0x000) == 0x56534844u);
  CHECK(dev->device_counters() == Counters{});
  CHECK(throws_code(Errc::kUnsupported, [&] { dev->try_submit(make_account(1)); }));
  CHECK(throws_code(Errc::kUnsupported, [&] { dev->prestage(0); }));
  CHECK(throws_code(Errc::kBadInput, [&] { dev->read_register(0x1001); }));
}
