// Fuzz target: the binary event-log reader (decode_event_log,
// include/vshard/event_log.h). An event log is read from a file anyone may
// hand to `vshard replay` / `vshard diff`.
// Invariants: a rejected input throws vshard::Error(kBadInput) and nothing
// else; an accepted one encodes back to exactly the input bytes, and its text
// form parses back to the same log.
#include <cstdint>
#include <cstring>

#include "fuzz_check.h"
#include "vshard/event_log.h"

using namespace vshard;
using vshard::fuzz::accepts;
using vshard::fuzz::violated;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  EventLog log;
  if (!accepts("decode_event_log", {Errc::kBadInput}, [&] { log = decode_event_log(data, size, "fuzz.evlog"); }))
    return 0;
  const std::vector<uint8_t> again = encode_event_log(log);
  if (again.size() != size || std::memcmp(again.data(), data, size) != 0)
    violated("binary event log: decode then encode is not the input");
  const std::string text = format_event_log_text(log);
  EventLog back;
  accepts("parse_event_log_text(format_event_log_text(log))", {},
          [&] { back = parse_event_log_text(text, "fuzz.evlog.txt"); });
  if (!(back == log)) violated("binary event log: its text form parses to another log:\n" + text);
  return 0;
}
