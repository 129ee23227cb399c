// splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): the one random generator of the project. Fixed
// integer arithmetic, so a seed gives the same numbers on every machine and
// compiler; the event generator (model/), the host simulator's streams
// (include/vshard/hostsim/random.h), the fault relay of the offload tests
// and the gate-level simulation all draw from it.
#pragma once

#include <cstdint>

namespace vshard {

struct SplitMix64 {
  static constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;  // the state's step

  // splitmix64's finaliser: a bijection of 64-bit words.
  static constexpr uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  uint64_t state = 0;

  constexpr uint64_t next() { return mix(state += kGamma); }
  // 53 random bits as a double in [0, 1): exact in IEEE arithmetic.
  constexpr double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

}  // namespace vshard
