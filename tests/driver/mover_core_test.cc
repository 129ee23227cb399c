// MoverCore: the host side of a data-mover card (bitstreams/alveo: the engine
// kernel between vs_mm2s and vs_s2mm), which the xrt backend puts behind the
// software ring front-end. No card here, so the card is a stand-in behind
// MoverLink: the golden model's engine with its register file (ModelCore),
// answering each transfer the way the two movers do (events in order,
// decisions until one LAST per event or `max` written).
//  * through vshard::Device, a 20 000-event sharding-heavy stream gives the
//    golden model's decisions, counters and prestaged table, for batches of
//    1, 7 and kMoverBatch events, with a full decision ring holding batches back
//    (spec 1.1's PARK decisions and E_CAPPED errors included);
//  * a decision 1.1 does not define (1.0's RESUME, a type past PARK, a PARK
//    on a core past NCores, an error code past E_CAPPED) is refused as
//    corrupt, and the fallback replays the rest to the golden model's answer;
//  * a card that loses a LAST, answers with more than `max`, or does not
//    finish (the XRT link's timeout) stops the device with kDeviceFailed
//    naming the problem; no half event reaches the host, and the shadow
//    model's fallback replays the rest to the golden model's answer.
// The XRT link itself is exercised under XRT's noop emulation in
// xrt_noop_test.cc.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vshard/driver/internal/model_core.h"
#include "vshard/driver/internal/mover_core.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/spec.h"
#include "vshard/driver/internal/xrt_layout.h"
#include "vshard/device.h"
#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/model.h"

#include "driver_test_util.h"

using namespace vshard;
using namespace std::chrono_literals;
using vshard::test::reference;
using vshard::test::run_all;

namespace {

enum class CardFault { kNone, kLoseLast, kOverrun, kTimeout, kRewrite };

// kRewrite: what the card does to the first decision of transfer number
// fault_at only (given the transfer's first event).
using Rewrite = std::function<void(Decision&, const Event&)>;

// The card: ModelCore's engine and registers; a transfer feeds it every event
// and collects the decisions as vs_s2mm would.
class StandInCard : public driver::MoverLink {
 public:
  StandInCard(const Params& p, CardFault fault, uint64_t fault_at, uint64_t* transfers, Rewrite rewrite = {})
      : core_(p),
        fault_(fault),
        fault_at_(fault_at),
        transfers_(transfers),
        nodes_(p.nodes),
        rewrite_(std::move(rewrite)) {}

  // Like the RTL after an ACCOUNT sweep, the engine is busy for a while
  // after each transfer (here: until STATUS has been read once), and its
  // prestage registers still hold the values from before the transfer: the
  // prestaged table must not be copied before STATUS.IDLE.
  uint32_t reg_read(uint32_t off) override {
    const uint32_t v = core_.reg_read(off);
    if (busy_ && off == driver::reg::kStatus) {
      busy_ = false;
      return v & ~driver::reg::kStatusIdle;
    }
    if (busy_ && stale_pre_.count(off)) return stale_pre_.at(off);
    return v;
  }
  void reg_write(uint32_t off, uint32_t v) override { core_.reg_write(off, v); }

  size_t transfer(const Event* events, size_t n, Decision* out, size_t max) override {
    ++*transfers_;
    for (uint32_t node = 0; node < nodes_; ++node) {
      for (const uint32_t r : {driver::reg::pre_entry(node), driver::reg::pre_epoch(node)}) {
        stale_pre_[r] = core_.reg_read(r);
      }
    }
    busy_ = true;
    REQUIRE(n >= 1);
    REQUIRE(max == n * kMaxDecisionsPerEvent);
    const bool faulty = fault_ != CardFault::kNone && *transfers_ >= fault_at_;
    if (faulty && fault_ == CardFault::kTimeout) {
      throw Error(Errc::kDeviceFailed, "stand-in: vs_mm2s did not finish within 2000 ms");
    }
    size_t got = 0;
    for (size_t i = 0; i < n; ++i) {
      REQUIRE(core_.offer(events[i]));
      Decision d;
      while (core_.take(d)) {
        if (got < max) out[got] = d;
        ++got;
      }
    }
    if (faulty && fault_ == CardFault::kLoseLast) out[got - 1].flags &= static_cast<uint8_t>(~kFlagLast);
    if (fault_ == CardFault::kRewrite && *transfers_ == fault_at_) rewrite_(out[0], events[0]);  // once
    if (faulty && fault_ == CardFault::kOverrun) return max + 1;
    return std::min(got, max);
  }

 private:
  driver::ModelCore core_;
  CardFault fault_;
  uint64_t fault_at_;
  uint64_t* transfers_;
  uint32_t nodes_;
  bool busy_ = false;
  std::map<uint32_t, uint32_t> stale_pre_;
  Rewrite rewrite_;
};

std::unique_ptr<Device> open_card(const Params& p, size_t batch, uint64_t* transfers,
                                  CardFault fault = CardFault::kNone, uint64_t fault_at = 0, DeviceOptions opt = {},
                                  Rewrite rewrite = {}) {
  driver::OpenedBackend ob;
  ob.backend = std::make_unique<driver::RingFrontEnd>(
      "xrt", std::make_unique<driver::MoverCore>(
                 std::make_unique<StandInCard>(p, fault, fault_at, transfers, std::move(rewrite)), batch));
  ob.expect_params = p;
  return driver::open_device("xrt (stand-in card)", std::move(ob), opt);
}

}  // namespace

TEST_CASE("mover core: a data-mover card gives the golden model's decisions", "[driver][movers]") {
  const Params p = Params::small();
  const std::vector<Event> events = sharding_stream(p, 11, 20000);
  Model m(p);
  const std::vector<Decision> want = reference(m, events);
  size_t preempts = 0, shards = 0, parks = 0, capped = 0;
  for (const Decision& d : want) {
    preempts += d.type == static_cast<uint8_t>(DecisionType::kPreempt);
    shards += d.type == static_cast<uint8_t>(DecisionType::kShard);
    parks += d.type == static_cast<uint8_t>(DecisionType::kPark);
    capped += d.type == static_cast<uint8_t>(DecisionType::kError) && d.b8 == static_cast<uint8_t>(ErrorCode::kCapped);
  }
  REQUIRE(preempts > 100);
  REQUIRE(shards > 100);
  // Spec 1.1's new decision and error code travel through the card and
  // pass the driver's checks.
  REQUIRE(parks > 10);
  REQUIRE(capped > 10);

  for (const size_t batch : {size_t{1}, size_t{7}, driver::kMoverBatch}) {
    INFO("batch " << batch);
    uint64_t transfers = 0;
    auto dev = open_card(p, batch, &transfers);
    const uint64_t after_open = transfers;
    const std::vector<Decision> got = run_all(*dev, events);
    REQUIRE(got.size() == want.size());
    CHECK(std::mismatch(got.begin(), got.end(), want.begin()).first == got.end());
    // Every event went through a transfer, none of more than `batch` events.
    CHECK(transfers - after_open >= (events.size() + batch - 1) / batch);
    if (batch == 1) CHECK(transfers - after_open == events.size());
    const Counters c = dev->device_counters();
    CHECK(c.events == events.size());
    CHECK(c.decisions == want.size());
    CHECK(c.preempts == preempts);
    CHECK(c.shards == shards);
    CHECK(c == m.counters());
    vshard::test::check_prestage(*dev, m);
    CHECK_FALSE(dev->failed());
  }
}

TEST_CASE("mover core: a small decision ring holds batches back, nothing is lost", "[driver][movers]") {
  const Params p = Params::small();
  const std::vector<Event> events = sharding_stream(p, 5, 3000);
  Model m(p);
  const std::vector<Decision> want = reference(m, events);
  uint64_t transfers = 0;
  DeviceOptions opt;
  opt.dq_size_log2 = 4;  // 16 decisions: smaller than one batch's answer
  auto dev = open_card(p, driver::kMoverBatch, &transfers, CardFault::kNone, 0, opt);
  const std::vector<Decision> got = run_all(*dev, events);
  REQUIRE(got.size() == want.size());
  CHECK(std::mismatch(got.begin(), got.end(), want.begin()).first == got.end());
}

TEST_CASE("mover core: a card that fails stops the device with the reason, nothing is lost", "[driver][movers]") {
  const Params p = Params::small();
  const std::vector<Event> events = sharding_stream(p, 3, 2000);
  const std::vector<Event> first(events.begin(), events.begin() + 200);
  const std::vector<Event> second(events.begin() + 200, events.end());
  struct Case {
    CardFault fault;
    const char* says;
  };
  const Case cases[] = {
      {CardFault::kLoseLast, "events came back with"},
      {CardFault::kOverrun, "more than the buffer of"},
      {CardFault::kTimeout, "did not finish within 2000 ms"},
  };
  for (const Case& c : cases) {
    INFO(c.says);
    Model ref(p);
    const std::vector<Decision> want_first = reference(ref, first);
    uint64_t transfers = 0;
    auto dev = open_card(p, 16, &transfers, c.fault, 1000);  // fails in `second`
    CHECK(run_all(*dev, first) == want_first);
    REQUIRE(transfers < 1000);
    transfers = 999;  // arm the fault: the next transfer is the 1000th
    std::string msg;
    CHECK(vshard::test::throws_code(
        Errc::kDeviceFailed, [&] { run_all(*dev, second); }, &msg));
    CHECK(msg.find("the device reports a fault") != std::string::npos);
    CHECK(msg.find(c.says) != std::string::npos);
    CHECK(dev->failed());
    // No half event reached the host: the fallback replays what the card
    // did not answer, to the golden model's decisions and counters.
    Fallback fb = dev->take_fallback();
    REQUIRE_FALSE(fb.in_flight.empty());
    std::vector<Decision> rest = fb.undelivered;
    for (const Event& e : fb.in_flight) fb.model.step(e, rest);
    vshard::test::replay_unsubmitted(*dev, first.size(), second, fb.model, rest);
    const std::vector<Decision> want_second = reference(ref, second);
    REQUIRE(rest.size() <= want_second.size());
    CHECK(std::equal(rest.begin(), rest.end(), want_second.end() - static_cast<long>(rest.size())));
    CHECK(fb.model.counters() == ref.counters());
  }
}

TEST_CASE("mover core: decisions spec 1.1 does not define are refused as corrupt, nothing is lost",
          "[driver][movers]") {
  const Params p = Params::small();
  const std::vector<Event> events = sharding_stream(p, 3, 600);
  // Split before an event answered by one decision (so that it alone is the
  // rewritten event's answer and carries LAST).
  size_t split = 200;
  {
    Model m(p);
    std::vector<Decision> out;
    for (size_t i = 0; i < events.size(); ++i) {
      out.clear();
      m.step(events[i], out);
      if (i >= split && out.size() == 1) {
        split = i;
        break;
      }
    }
  }
  const std::vector<Event> first(events.begin(), events.begin() + static_cast<long>(split));
  const std::vector<Event> second(events.begin() + static_cast<long>(split), events.end());
  struct Case {
    const char* name;
    Rewrite rewrite;
    const char* says;
  };
  const Case cases[] = {
      {"RESUME (1.0 only)", [](Decision& d, const Event&) { d.type = static_cast<uint8_t>(DecisionType::kResume); },
       "unknown decision type 0x04 (spec 1.1; RESUME was 1.0's)"},
      {"type past PARK", [](Decision& d, const Event&) { d.type = 0x0A; }, "unknown decision type 0x0a"},
      {"PARK on a core past NCores",
       [](Decision& d, const Event&) {
         d.type = static_cast<uint8_t>(DecisionType::kPark);
         d.core = 8;
       },
       "core 8 >= NCores"},
      {"error code past E_CAPPED",
       [](Decision& d, const Event& ev) {
         d = Decision{};
         d.type = static_cast<uint8_t>(DecisionType::kError);
         d.flags = kFlagLast;  // the event's only decision (see split)
         d.seq = ev.seq;
         d.vcpu = ev.vcpu;
         d.core = ev.core;
         d.c16 = ev.type;
         d.b8 = 0x0E;
       },
       "unknown error code 0x0e"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Model ref(p);
    const std::vector<Decision> want_first = reference(ref, first);
    uint64_t transfers = 0;
    auto dev = open_card(p, 1, &transfers, CardFault::kRewrite, 1000, {}, c.rewrite);
    CHECK(run_all(*dev, first) == want_first);
    REQUIRE(transfers < 1000);
    transfers = 999;  // the next transfer is the 1000th: the card rewrites its first decision
    std::string msg;
    CHECK(vshard::test::throws_code(
        Errc::kDeviceFailed, [&] { run_all(*dev, second); }, &msg));
    INFO(msg);
    CHECK(msg.find("corrupt decision") != std::string::npos);
    CHECK(msg.find(c.says) != std::string::npos);
    CHECK(dev->failed());
    Fallback fb = dev->take_fallback();
    REQUIRE_FALSE(fb.in_flight.empty());
    CHECK(fb.in_flight.front() == second.front());  // batch 1: the rewritten decision was the first event's
    std::vector<Decision> rest = fb.undelivered;
    for (const Event& e : fb.in_flight) fb.model.step(e, rest);
    vshard::test::replay_unsubmitted(*dev, first.size(), second, fb.model, rest);
    CHECK(rest == reference(ref, second));
    CHECK(fb.model.counters() == ref.counters());
  }
}
