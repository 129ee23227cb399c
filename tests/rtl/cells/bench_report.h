// The verdict line of a differential cell bench (tests/rtl/cells), the one
// line CTest's PASS/FAIL expressions read: "<bench>: PASS, N <unit> equal to
// <reference>" or "<bench>: FAIL, E of N <unit> differ from the model".
// Returns the bench's exit code.
#pragma once

#include <cstdint>
#include <cstdio>

inline int cell_bench_report(const char* bench, const char* unit, const char* reference, uint64_t checked,
                             uint64_t errors) {
  if (errors != 0) {
    std::printf("%s: FAIL, %llu of %llu %s differ from the model\n", bench, static_cast<unsigned long long>(errors),
                static_cast<unsigned long long>(checked), unit);
    return 1;
  }
  std::printf("%s: PASS, %llu %s equal to %s\n", bench, static_cast<unsigned long long>(checked), unit, reference);
  return 0;
}
