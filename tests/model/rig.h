// Small test rig around vshard::Model for the directed tests.
#pragma once

#include <catch2/catch.hpp>

#include <vector>

#include "vshard/model.h"

namespace vshard::test {

struct Rig {
  Model m;
  uint32_t seq = 0;

  explicit Rig(const Params& p = Params::small()) : m(p) {}

  // Steps one event (assigning the next seq unless it has one); returns its decisions.
  std::vector<Decision> step(Event e) {
    if (e.seq == 0) e.seq = ++seq;
    std::vector<Decision> out;
    m.step(e, out);
    return out;
  }
  // Steps an event that must be answered by one non-error decision.
  Decision one(const Event& e) {
    auto d = step(e);
    REQUIRE(d.size() == 1);
    REQUIRE(d[0].type != static_cast<uint8_t>(DecisionType::kError));
    return d[0];
  }
  // Steps an event that must be answered by one ACK.
  void ack(const Event& e) {
    const Decision d = one(e);
    REQUIRE(d.type == static_cast<uint8_t>(DecisionType::kAck));
  }
  // Steps an event that must be rejected; returns the code.
  ErrorCode err(const Event& e) {
    auto d = step(e);
    REQUIRE(d.size() == 1);
    REQUIRE(d[0].type == static_cast<uint8_t>(DecisionType::kError));
    REQUIRE(d[0].flags == kFlagLast);
    return static_cast<ErrorCode>(d[0].b8);
  }
  void cfg(uint16_t key, uint32_t value) { ack(make_config(0, key, value)); }
  void node(uint8_t core, uint8_t n) { ack(make_core_cfg(0, core, n, m.core(core).online)); }
  void home(uint16_t v, uint8_t n) { ack(make_vcpu_cfg(0, v, n, m.vcpu(v).weight)); }

  // Puts blocked vCPU v RUNNING on idle core c (non-latency wake with every
  // other idle core briefly offline).
  void place(uint16_t v, uint8_t c) {
    REQUIRE(m.core(c).occ == Occ::kIdle);
    std::vector<uint8_t> off;
    for (uint32_t k = 0; k < m.params().cores; ++k) {
      if (k != c && m.core(k).online && m.core(k).occ == Occ::kIdle) {
        ack(make_core_cfg(0, static_cast<uint8_t>(k), m.core(k).node, false));
        off.push_back(static_cast<uint8_t>(k));
      }
    }
    const Decision d = one(make_wake(0, v, false));
    REQUIRE(d.type == static_cast<uint8_t>(DecisionType::kRun));
    REQUIRE(d.core == c);
    for (uint8_t k : off) ack(make_core_cfg(0, k, m.core(k).node, true));
  }
};

inline uint8_t T(DecisionType t) { return static_cast<uint8_t>(t); }

}  // namespace vshard::test
