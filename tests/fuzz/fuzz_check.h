// Helpers of the libFuzzer targets (tests/fuzz/*_fuzz.cc): an invariant that
// does not hold aborts with a message, so libFuzzer reports it like a crash
// and keeps the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <string>

#include "vshard/error.h"

namespace vshard::fuzz {

[[noreturn]] inline void violated(const std::string& what) {
  std::fprintf(stderr, "\nfuzz invariant violated: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Runs f. True when it returns; false when it throws vshard::Error with one
// of `codes` (the documented rejection). Any other exception is a bug: it
// aborts naming `what`.
template <class F>
bool accepts(const char* what, std::initializer_list<Errc> codes, F&& f) {
  try {
    f();
    return true;
  } catch (const Error& e) {
    for (Errc c : codes)
      if (e.code() == c) return false;
    violated(std::string(what) + ": vshard::Error with undocumented code " + errc_name(e.code()) + ": " + e.what());
  } catch (const std::exception& e) {
    violated(std::string(what) + ": an exception that is no vshard::Error: " + e.what());
  } catch (...) { violated(std::string(what) + ": an exception of unknown type"); }
}

}  // namespace vshard::fuzz
