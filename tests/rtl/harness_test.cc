// The harness itself: configuration registry, AXI4-Lite accesses and their
// deadlines, freeze, stream hand-shakes and the waveform switch. Runs on the
// "small" RTL configuration.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include "vshard/sim/harness.h"
#include "vshard/descriptor.h"
#include "vshard/error.h"
#include "vshard/regs.h"

using vshard::Errc;
using vshard::Error;
using vshard::sim::Harness;
using vshard::sim::HarnessOptions;
namespace regs = vshard::regs;

TEST_CASE("harness: configurations are chosen by name", "[rtl][harness]") {
  const auto names = Harness::configs();
  REQUIRE(std::find(names.begin(), names.end(), "small") != names.end());
  try {
    Harness::create("medium");
    FAIL("created an unknown configuration");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kBadConfig);
    CHECK(std::string(e.what()).find("medium") != std::string::npos);
    CHECK(std::string(e.what()).find("small") != std::string::npos);
  }
  auto h = Harness::create("small");
  CHECK(h->config() == "small");
  CHECK(h->params() == vshard::Params::small());
}

TEST_CASE("harness: reset, identity registers and SCRATCH over AXI4-Lite", "[rtl][harness]") {
  HarnessOptions o;
  o.seed = 3;
  auto h = Harness::create("small", o);
  h->reset();
  CHECK(h->read32(regs::kMagic) == 0x56534844u);
  CHECK(h->last_resp() == 0);
  CHECK(h->read32(regs::kVersion) == 0x00010001u);  // spec 1.1
  CHECK(h->read32(regs::kNcores) == 8u);
  CHECK(h->read32(regs::kNvcpus) == 64u);
  CHECK(h->read32(regs::kNnodes) == 2u);
  CHECK(h->read32(regs::kMaxShards) == 4u);
  CHECK(h->read32(regs::kDescBytes) == 16u);
  for (uint32_t v : {0xDEADBEEFu, 0u, 0x12345678u, 0xFFFFFFFFu}) {
    h->write32(regs::kScratch, v);
    CHECK(h->last_resp() == 0);
    CHECK(h->read32(regs::kScratch) == v);
  }
  // A second reset brings SCRATCH back to 0.
  h->reset();
  CHECK(h->read32(regs::kScratch) == 0u);
}

TEST_CASE("harness: a frozen engine makes AXI accesses time out", "[rtl][harness]") {
  HarnessOptions o;
  o.axi_timeout_cycles = 50;
  auto h = Harness::create("small", o);
  h->reset();
  h->freeze(true);
  const uint64_t c0 = h->cycle();
  try {
    h->read32(regs::kMagic);
    FAIL("read of a frozen engine returned");
  } catch (const Error& e) { CHECK(e.code() == Errc::kTimeout); }
  CHECK(h->cycle() - c0 == 50);
  CHECK_THROWS_AS(h->write32(regs::kScratch, 1), Error);
  // Events do not move either.
  h->push(vshard::make_account(1));
  h->tick(100);
  CHECK(h->events_accepted() == 0);
  CHECK(h->decisions_available() == 0);
  h->freeze(false);
  CHECK(h->read32(regs::kMagic) == 0x56534844u);
  // The event that waited is taken once the clock runs.
  const auto ds = h->exchange(vshard::make_account(2));
  REQUIRE(ds.size() == 2);
  CHECK(ds[0].seq == 1);
  CHECK(ds[1].seq == 2);
  CHECK(ds[1].type == static_cast<uint8_t>(vshard::DecisionType::kAck));
  CHECK((ds[1].flags & vshard::kFlagLast) != 0);
}

TEST_CASE("harness: hold and stalls lose and duplicate nothing", "[rtl][harness]") {
  HarnessOptions o;
  o.seed = 11;
  o.event_stall_prob = 0.5;
  o.decision_stall_prob = 0.5;
  auto h = Harness::create("small", o);
  h->reset();
  h->hold_decisions(true);
  for (uint32_t s = 1; s <= 40; ++s) h->push(vshard::make_account(s));
  h->tick(2000);
  CHECK(h->decisions_available() == 0);
  CHECK(h->events_accepted() < 40);  // the engine stalls ingress while egress is held
  h->hold_decisions(false);
  std::vector<uint32_t> seqs;
  while (seqs.size() < 40) seqs.push_back(h->wait_decision(10000).decision.seq);
  for (uint32_t i = 0; i < 40; ++i) CHECK(seqs[i] == i + 1);
  h->wait_idle();
  CHECK(h->decisions_available() == 0);
  CHECK(h->events_accepted() == 40);
  CHECK(h->protocol_errors() == 0);
}

TEST_CASE("harness: FST waveform when asked", "[rtl][harness]") {
  const auto path = std::filesystem::temp_directory_path() / "vshard_harness_test.fst";
  std::filesystem::remove(path);
  {
    HarnessOptions o;
    o.trace_path = path.string();
    auto h = Harness::create("small", o);
    CHECK(h->tracing());
    h->reset();
    h->exchange(vshard::make_account(1));
  }
  REQUIRE(std::filesystem::exists(path));
  CHECK(std::filesystem::file_size(path) > 100);
  std::filesystem::remove(path);
  auto h = Harness::create("small");
  CHECK_FALSE(h->tracing());
  CHECK_THROWS_AS(h->start_trace("/nonexistent-dir/x.fst"), Error);
}
