// AxiMemory (the host memory a simulated card's DMA master sees) and
// Axi4Monitor (the AXI4 protocol checker on that master), driven by a small
// scripted master: latency, back-pressure, reordering, DECERR, strobes, and
// each protocol rule the monitor enforces caught when broken.
#include <catch2/catch.hpp>

#include <cstring>
#include <deque>
#include <map>
#include <vector>

#include "vshard/error.h"
#include "vshard/sim/axi4_monitor.h"
#include "vshard/sim/axi_memory.h"

using namespace vshard;
using namespace vshard::sim;

namespace {

// A well-behaved AXI4 master: one AR and one AW at a time, W beats after
// their AW, RREADY and BREADY always high. Records what comes back.
struct ScriptMaster {
  struct Read {
    uint8_t id;
    uint64_t addr;
    uint8_t len;
  };
  struct Write {
    uint64_t addr;
    std::vector<std::array<uint32_t, 4>> beats;
    uint16_t strb = 0xFFFF;
  };
  struct Beat {
    uint8_t id, resp;
    bool last;
    std::array<uint32_t, 4> data;
    uint64_t cycle;
  };
  std::deque<Read> reads;
  std::deque<Write> writes;
  std::deque<Write> w_pending;  // AW sent, beats to send
  size_t w_beat = 0;
  std::vector<Beat> rbeats;
  std::vector<uint8_t> bresps;
  std::map<uint64_t, uint64_t> ar_cycle;  // address -> AR handshake cycle
  Axi4MasterPins m;

  void drive() {
    m.arvalid = !reads.empty();
    if (m.arvalid) {
      m.arid = reads.front().id;
      m.araddr = reads.front().addr;
      m.arlen = reads.front().len;
      m.arsize = kAxiSize16;
      m.arburst = kAxiBurstIncr;
    }
    m.awvalid = !writes.empty();
    if (m.awvalid) {
      m.awid = 0;
      m.awaddr = writes.front().addr;
      m.awlen = static_cast<uint8_t>(writes.front().beats.size() - 1);
      m.awsize = kAxiSize16;
      m.awburst = kAxiBurstIncr;
    }
    m.wvalid = !w_pending.empty();
    if (m.wvalid) {
      const Write& w = w_pending.front();
      std::memcpy(m.wdata, w.beats[w_beat].data(), 16);
      m.wstrb = w.strb;
      m.wlast = w_beat + 1 == w.beats.size();
    }
    m.rready = m.bready = true;
  }
  void edge(const Axi4SlavePins& s, uint64_t cycle) {
    if (m.arvalid && s.arready) {
      ar_cycle[reads.front().addr] = cycle;
      reads.pop_front();
    }
    if (m.wvalid && s.wready && ++w_beat == w_pending.front().beats.size()) {
      w_pending.pop_front();
      w_beat = 0;
    }
    if (m.awvalid && s.awready) {
      w_pending.push_back(writes.front());
      writes.pop_front();
    }
    if (s.rvalid && m.rready)
      rbeats.push_back({s.rid, s.rresp, s.rlast, {s.rdata[0], s.rdata[1], s.rdata[2], s.rdata[3]}, cycle});
    if (s.bvalid && m.bready) bresps.push_back(s.bresp);
  }
};

// Runs master, memory and monitor together for n cycles.
void run(ScriptMaster& ms, AxiMemory& mem, Axi4Monitor& mon, uint64_t& cycle, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i, ++cycle) {
    Axi4SlavePins s;
    mem.drive(s);
    ms.drive();
    mon.sample(ms.m, s, cycle);
    mem.edge(ms.m, s);
    ms.edge(s, cycle);
  }
}

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + 3);
  return v;
}

uint32_t word_at(const std::vector<uint8_t>& v, size_t off) {
  uint32_t w;
  std::memcpy(&w, v.data() + off, 4);
  return w;
}

constexpr uint64_t kBase = 0x1'0000'0000ull;  // above 4 GB: the high address bits are used

}  // namespace

TEST_CASE("AxiMemory: reads return the buffer after a latency in [min, max]", "[axi][unit]") {
  auto buf = pattern(8192);
  AxiMemory mem({.seed = 4, .read_latency_min = 125, .read_latency_max = 250});
  mem.add_region(buf.data(), kBase, buf.size());
  Axi4Monitor mon;
  ScriptMaster ms;
  for (int i = 0; i < 8; ++i) ms.reads.push_back({0, kBase + 256u * i, 15});
  uint64_t cycle = 0;
  run(ms, mem, mon, cycle, 8 * (250 + 16) + 100);
  REQUIRE(ms.rbeats.size() == 8 * 16);
  for (int b = 0; b < 8; ++b) {
    const auto& first = ms.rbeats[16 * b];
    const uint64_t lat = first.cycle - ms.ar_cycle[kBase + 256u * b];
    CHECK(lat >= 125);
    CHECK(lat <= 250 + 16 * b);  // bursts of one ID queue behind each other's beats
    for (int k = 0; k < 16; ++k) {
      const auto& r = ms.rbeats[16 * b + k];
      CHECK(r.resp == kAxiOkay);
      CHECK(r.last == (k == 15));
      CHECK(r.data[0] == word_at(buf, 256 * b + 16 * k));
      CHECK(r.data[3] == word_at(buf, 256 * b + 16 * k + 12));
    }
  }
  CHECK(mem.stats().read_bursts == 8);
  CHECK(mem.stats().read_beats == 128);
  CHECK(mem.stats().reordered_bursts == 0);
  CHECK(mon.violations() == 0);
  CHECK(mon.reads_outstanding() == 0);
  CHECK(mem.quiet());
}

TEST_CASE("AxiMemory: reordering moves bursts of different IDs only", "[axi][unit]") {
  auto buf = pattern(4096);
  AxiMemory mem({.seed = 9, .read_latency_min = 1, .read_latency_max = 60, .reorder_reads = true});
  mem.add_region(buf.data(), kBase, buf.size());
  Axi4Monitor mon;
  ScriptMaster ms;
  // IDs 0..3, four bursts each, addresses in issue order.
  for (int i = 0; i < 16; ++i) ms.reads.push_back({static_cast<uint8_t>(i % 4), kBase + 64u * i, 3});
  uint64_t cycle = 0;
  run(ms, mem, mon, cycle, 2000);
  REQUIRE(ms.rbeats.size() == 64);
  CHECK(mem.stats().reordered_bursts > 0);
  // Within one ID the bursts come in issue order, beats of a burst back to back.
  std::map<uint8_t, int> next;  // id -> index of its next burst
  for (size_t i = 0; i < ms.rbeats.size(); i += 4) {
    const uint8_t id = ms.rbeats[i].id;
    const int burst = 4 * next[id]++ + id;
    for (int k = 0; k < 4; ++k) {
      CHECK(ms.rbeats[i + k].id == id);
      CHECK(ms.rbeats[i + k].data[0] == word_at(buf, 64 * burst + 16 * k));
    }
  }
  CHECK(mon.violations() == 0);
}

TEST_CASE("AxiMemory: back-pressure on AR, AW and W loses nothing", "[axi][unit]") {
  auto buf = std::vector<uint8_t>(4096, 0);
  AxiMemory mem({.seed = 2,
                 .read_latency_min = 3,
                 .read_latency_max = 9,
                 .ar_stall_prob = 0.5,
                 .aw_stall_prob = 0.5,
                 .w_stall_prob = 0.5});
  mem.add_region(buf.data(), kBase, buf.size());
  Axi4Monitor mon;
  ScriptMaster ms;
  for (uint32_t i = 0; i < 20; ++i) {
    ScriptMaster::Write w{kBase + 128u * i, {}};
    for (uint32_t k = 0; k < 1 + i % 8; ++k) w.beats.push_back({i, k, ~i, ~k});
    ms.writes.push_back(w);
  }
  uint64_t cycle = 0;
  run(ms, mem, mon, cycle, 1500);
  REQUIRE(ms.bresps.size() == 20);
  for (uint8_t r : ms.bresps) CHECK(r == kAxiOkay);
  for (uint32_t i = 0; i < 20; ++i) {
    for (uint32_t k = 0; k < 8; ++k) {
      const bool written = k < 1 + i % 8;
      CHECK(word_at(buf, 128 * i + 16 * k) == (written ? i : 0));
      CHECK(word_at(buf, 128 * i + 16 * k + 4) == (written ? k : 0));
    }
  }
  for (uint32_t i = 0; i < 20; ++i) ms.reads.push_back({static_cast<uint8_t>(i % 8), kBase + 128u * i, 0});
  run(ms, mem, mon, cycle, 1500);
  REQUIRE(ms.rbeats.size() == 20);
  CHECK(mem.stats().write_bursts == 20);
  CHECK(mem.stats().write_beats == 82);  // sum of 1 + i % 8 for i < 20: 20 + 28 + 28 + 6
  CHECK(mon.violations() == 0);
  CHECK(mem.quiet());
}

TEST_CASE("AxiMemory: strobes, the write hook, and DECERR outside every region", "[axi][unit]") {
  auto buf = std::vector<uint8_t>(4096, 0xEE);
  AxiMemory mem({.seed = 1, .read_latency_min = 2, .read_latency_max = 2});
  mem.add_region(buf.data(), kBase, 4032);  // ends inside a 4 KB page: no burst below crosses one
  uint64_t hooked_addr = 0;
  mem.on_write = [&](uint64_t addr, uint8_t data[16], uint16_t) {
    hooked_addr = addr;
    data[0] ^= 0xFF;  // what a fault injection does to a decision
  };
  Axi4Monitor mon;
  ScriptMaster ms;
  ms.writes.push_back({kBase + 64, {{0x11223344, 0x55667788, 0x99AABBCC, 0xDDEEFF00}}, 0x00FF});  // 8 bytes
  ms.writes.push_back({kBase + 4032, {{1, 2, 3, 4}}});                                            // past the end
  ms.writes.push_back({kBase + 4032 - 32, {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}}});        // straddles it
  uint64_t cycle = 0;
  run(ms, mem, mon, cycle, 100);
  REQUIRE(ms.bresps.size() == 3);
  CHECK(ms.bresps[0] == kAxiOkay);
  CHECK(ms.bresps[1] == kAxiDecErr);
  CHECK(ms.bresps[2] == kAxiDecErr);
  CHECK(hooked_addr == kBase + 64);
  CHECK(word_at(buf, 64) == (0x11223344u ^ 0xFFu));
  CHECK(word_at(buf, 68) == 0x55667788u);
  CHECK(word_at(buf, 72) == 0xEEEEEEEEu);         // strobe off: untouched
  CHECK(word_at(buf, 4032 - 32) == 0xEEEEEEEEu);  // a DECERR burst stores nothing
  ms.reads.push_back({2, kBase + 4032, 1});
  run(ms, mem, mon, cycle, 100);
  REQUIRE(ms.rbeats.size() == 2);
  CHECK(ms.rbeats[0].resp == kAxiDecErr);
  CHECK(ms.rbeats[1].resp == kAxiDecErr);
  CHECK(ms.rbeats[1].last);
  CHECK(mem.stats().decerr_bursts == 3);
  INFO(mon.first_violation());
  CHECK(mon.violations() == 0);

  CHECK_THROWS_AS(mem.add_region(buf.data(), kBase + 4031, 16), Error);  // overlaps
  CHECK_THROWS_AS(AxiMemory({.read_latency_min = 5, .read_latency_max = 4}), Error);
  CHECK_THROWS_AS(AxiMemory({.ar_stall_prob = 1.0}), Error);
  CHECK(mem.remove_region(kBase));
  CHECK_FALSE(mem.remove_region(kBase));
}

TEST_CASE("Axi4Monitor: each rule is caught when broken", "[axi][unit]") {
  const auto first = [](const std::function<void(Axi4MasterPins&, Axi4SlavePins&, int)>& script, int cycles) {
    Axi4Monitor mon({.answer_limit = 50});
    for (int c = 0; c < cycles; ++c) {
      Axi4MasterPins m;
      m.rready = m.bready = true;
      Axi4SlavePins s;
      script(m, s, c);
      mon.sample(m, s, static_cast<uint64_t>(c));
    }
    INFO(mon.first_violation());
    CHECK(mon.violations() >= 1);
    return mon.first_violation();
  };
  const auto ar = [](Axi4MasterPins& m, uint64_t addr, uint8_t len) {
    m.arvalid = true;
    m.araddr = addr;
    m.arlen = len;
    m.arsize = kAxiSize16;
    m.arburst = kAxiBurstIncr;
  };
  const auto aw = [](Axi4MasterPins& m, uint64_t addr, uint8_t len) {
    m.awvalid = true;
    m.awaddr = addr;
    m.awlen = len;
    m.awsize = kAxiSize16;
    m.awburst = kAxiBurstIncr;
  };
  using M = Axi4MasterPins;
  using S = Axi4SlavePins;
  CHECK_THAT(first(
                 [&](M& m, S&, int c) {
                   if (c == 0) ar(m, 0x1000, 0);
                 },
                 2),
             Catch::Contains("ARVALID dropped before ARREADY"));
  CHECK_THAT(first([&](M& m, S&, int c) { ar(m, 0x1000 + 16 * c, 0); }, 2), Catch::Contains("AR payload changed"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     aw(m, 0x2000, 0);
                     s.awready = true;
                   } else if (c == 1) {
                     m.wvalid = true;
                     m.wlast = true;
                     m.wdata[0] = 1;
                   } else if (c == 2) {
                     m.wvalid = true;
                     m.wlast = true;
                     m.wdata[0] = 2;
                   }
                 },
                 3),
             Catch::Contains("W payload changed"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     ar(m, 0x1000, 0);
                     m.arsize = 3;
                     s.arready = true;
                   }
                 },
                 1),
             Catch::Contains("ARSIZE 3"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     aw(m, 0x1000, 0);
                     m.awburst = 2;
                     s.awready = true;
                   }
                 },
                 1),
             Catch::Contains("AWBURST 2"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     ar(m, 0x1000, 16);
                     s.arready = true;
                   }
                 },
                 1),
             Catch::Contains("ARLEN 16 > 15"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     ar(m, 0x1FC0, 4);
                     s.arready = true;
                   }
                 },
                 1),
             Catch::Contains("crosses a 4 KB boundary"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     m.wvalid = true;
                     m.wlast = true;
                     s.wready = true;
                   }
                 },
                 1),
             Catch::Contains("W beat without an AW"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     aw(m, 0x1000, 1);
                     s.awready = true;
                     m.wvalid = true;
                     m.wlast = true;
                     s.wready = true;
                   }
                 },
                 1),
             Catch::Contains("WLAST set on beat 1 of an AW of 2 beats"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     aw(m, 0x1000, 0);
                     s.awready = true;
                     m.wvalid = true;
                     s.wready = true;
                   }
                 },
                 1),
             Catch::Contains("WLAST missing on beat 1"));
  CHECK_THAT(first([&](M& m, S&, int) { m.rready = false; }, 1), Catch::Contains("RREADY low"));
  CHECK_THAT(first(
                 [&](M& m, S& s, int c) {
                   if (c == 0) {
                     ar(m, 0x1000, 0);
                     s.arready = true;
                   }
                 },
                 60),
             Catch::Contains("read burst accepted at cycle 0 unanswered after 50 cycles"));
  CHECK_THAT(first(
                 [&](M&, S& s, int c) {
                   if (c == 0) {
                     s.rvalid = true;
                     s.rlast = true;
                     s.rid = 3;
                   }
                 },
                 1),
             Catch::Contains("no read outstanding for that ID"));
  CHECK_THAT(first(
                 [&](M&, S& s, int c) {
                   if (c == 0) s.bvalid = true;
                 },
                 1),
             Catch::Contains("B response with no write"));

  // A W beat ahead of its AW: one violation, and the write still accounted for when its AW and B come.
  {
    Axi4Monitor early;
    for (int c = 0; c < 3; ++c) {
      Axi4MasterPins m;
      m.rready = m.bready = true;
      Axi4SlavePins s;
      if (c == 0) m.wvalid = m.wlast = s.wready = true;
      if (c == 1) {
        aw(m, 0x5000, 0);
        s.awready = true;
      }
      if (c == 2) s.bvalid = true;
      early.sample(m, s, static_cast<uint64_t>(c));
    }
    CHECK(early.violations() == 1);
    CHECK_THAT(early.first_violation(), Catch::Contains("W beat without an AW"));
    CHECK(early.writes_outstanding() == 0);
  }

  // A clean read, write with W in the AW's cycle, and their answers: nothing to report.
  Axi4Monitor mon;
  for (int c = 0; c < 6; ++c) {
    Axi4MasterPins m;
    m.rready = m.bready = true;
    Axi4SlavePins s;
    if (c == 0) {
      ar(m, 0x3000, 1);
      aw(m, 0x4000, 0);
      m.wvalid = m.wlast = true;
      s.arready = s.awready = s.wready = true;
    }
    if (c == 2 || c == 3) {
      s.rvalid = true;
      s.rlast = c == 3;
    }
    if (c == 4) s.bvalid = true;
    mon.sample(m, s, static_cast<uint64_t>(c));
  }
  CHECK(mon.violations() == 0);
  CHECK(mon.reads_outstanding() == 0);
  CHECK(mon.writes_outstanding() == 0);
}
