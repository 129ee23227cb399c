// Model::save_state / load_state: a model loaded from a snapshot continues
// exactly like the original (decisions, prestaged table with epochs,
// counters), and a broken snapshot is refused naming the problem while the
// model stays as it was. `vshard serve` resynchronises a restarted engine
// with these snapshots (docs/offload.md).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/model.h"

using namespace vshard;

namespace {

std::string load_error(Model& m, std::vector<uint8_t> bytes) {
  try {
    m.load_state(bytes.data(), bytes.size());
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kBadInput);
    return e.what();
  }
  return "";
}

// Offsets into the format (model.cc): header 24, globals 4*22 + 64 + 64 + 28 + 9.
constexpr size_t kCores = 24 + 4 * 22 + 64 + 64 + 28 + 9;

}  // namespace

TEST_CASE("state snapshot: a loaded model continues exactly like the original", "[model][state]") {
  for (const Params& p : {Params::small(), Params::large()}) {
    const EventLog log = generate_event_log(p, 17, 12000);
    for (size_t cut : {size_t{0}, size_t{1}, size_t{3000}, size_t{7777}}) {
      INFO("cores " << p.cores << " cut after " << cut << " events");
      Model a(p);
      std::vector<Decision> ignore;
      for (size_t i = 0; i < cut; ++i) a.step(log.events[i], ignore);
      const std::vector<uint8_t> snap = a.save_state();
      CHECK(snap.size() == Model::state_bytes(p));
      Model b(p);
      b.load_state(snap.data(), snap.size());
      CHECK(b.save_state() == snap);
      CHECK(b.counters() == a.counters());
      std::vector<Decision> da, db;
      for (size_t i = cut; i < log.events.size(); ++i) {
        a.step(log.events[i], da);
        b.step(log.events[i], db);
      }
      REQUIRE(da.size() == db.size());
      CHECK(da == db);
      CHECK(a.counters() == b.counters());
      for (uint32_t n = 0; n < p.nodes; ++n) CHECK(a.prestage(n) == b.prestage(n));
      CHECK(a.save_state() == b.save_state());
    }
  }
}

TEST_CASE("state snapshot: broken snapshots are refused and change nothing", "[model][state]") {
  const Params p = Params::small();
  Model src(p);
  const EventLog log = generate_event_log(p, 5, 2000);
  std::vector<Decision> ignore;
  for (const Event& e : log.events) src.step(e, ignore);
  const std::vector<uint8_t> good = src.save_state();

  Model m(p);
  for (int i = 0; i < 50; ++i) m.step(make_wake(static_cast<uint32_t>(i + 1), static_cast<uint16_t>(i), i % 2), ignore);
  const std::vector<uint8_t> before = m.save_state();

  auto with = [&](size_t at, uint8_t v) {
    std::vector<uint8_t> b = good;
    b.at(at) = v;
    return b;
  };
  CHECK(load_error(m, std::vector<uint8_t>(good.begin(), good.begin() + 100)).find("bytes") != std::string::npos);
  CHECK(load_error(m, std::vector<uint8_t>(good.begin(), good.begin() + 10)).find("truncated") != std::string::npos);
  CHECK(load_error(m, with(0, 'X')).find("magic") != std::string::npos);
  CHECK(load_error(m, with(4, 9)).find("format version 9") != std::string::npos);
  CHECK(load_error(m, with(8, 64)).find("parameters 64/") != std::string::npos);
  // SLICE_US = 0 (key 0: the first configuration word)
  {
    std::vector<uint8_t> b = good;
    for (int i = 0; i < 4; ++i) b[24 + i] = 0;
    CHECK(load_error(m, b).find("configuration key 0") != std::string::npos);
  }
  // Core 0: node 7 of 2; occupancy 3; a vCPU id past NVcpus.
  CHECK(load_error(m, with(kCores + 0, 7)).find("core 0") != std::string::npos);
  CHECK(load_error(m, with(kCores + 4, 3)).find("core 0") != std::string::npos);
  CHECK(load_error(m, with(kCores + 7, 0xFF)).find("core 0") != std::string::npos);
  // Invariant 2: a core that claims to run a vCPU which is not RUNNING there.
  {
    std::vector<uint8_t> b = good;
    uint32_t c = 0;
    while (c < p.cores && b[kCores + 10 * c + 4] != 0) ++c;  // an idle core
    REQUIRE(c < p.cores);
    b[kCores + 10 * c + 4] = 1;  // occ RUN ...
    CHECK(load_error(m, b).find("core " + std::to_string(c) + " runs vCPU") != std::string::npos);
  }
  // A vCPU whose shard count has no SHARD cores.
  {
    std::vector<uint8_t> b = good;
    const size_t v0 = kCores + 10 * p.cores;
    uint32_t v = 0;
    while (v < p.vcpus && b[v0 + 19 * v + 10] != 0) ++v;
    REQUIRE(v < p.vcpus);
    b[v0 + 19 * v + 10] = 1;
    CHECK(load_error(m, b).find("shards") != std::string::npos);
  }
  CHECK(m.save_state() == before);  // nothing changed
  m.load_state(good.data(), good.size());
  CHECK(m.save_state() == good);
}
