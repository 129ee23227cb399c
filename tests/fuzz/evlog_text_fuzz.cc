// Fuzz target: the text event-log reader (parse_event_log_text,
// include/vshard/event_log.h), with and without fallback parameters.
// Invariants: a rejected input throws vshard::Error(kBadInput) and nothing
// else; an accepted one formats to a text that parses back to the same log
// and formats to the same text again (the text form is a fixed point), and
// its binary form decodes to the same log. A log with its own "# params"
// line reads the same with or without a fallback.
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz_check.h"
#include "vshard/event_log.h"

using namespace vshard;
using vshard::fuzz::accepts;
using vshard::fuzz::violated;

namespace {

void check_accepted(const EventLog& log) {
  const std::string text = format_event_log_text(log);
  EventLog back;
  accepts("parse_event_log_text(format_event_log_text(log))", {},
          [&] { back = parse_event_log_text(text, "fuzz.formatted"); });
  if (!(back == log)) violated("text event log: format then parse gives another log:\n" + text);
  if (format_event_log_text(back) != text) violated("text event log: format is no fixed point:\n" + text);
  const std::vector<uint8_t> bin = encode_event_log(log);
  EventLog from_bin;
  accepts("decode_event_log(encode_event_log(log))", {},
          [&] { from_bin = decode_event_log(bin.data(), bin.size(), "fuzz.encoded"); });
  if (!(from_bin == log)) violated("text event log: its binary form decodes to another log");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  EventLog own, with_fallback;
  const bool ok_own =
      accepts("parse_event_log_text", {Errc::kBadInput}, [&] { own = parse_event_log_text(text, "fuzz.txt"); });
  const bool ok_fb = accepts("parse_event_log_text with a fallback", {Errc::kBadInput},
                             [&] { with_fallback = parse_event_log_text(text, "fuzz.txt", Params::large()); });
  if (ok_own) {
    if (!ok_fb || !(own == with_fallback))
      violated("text event log: a log with its own '# params' reads differently with a fallback");
    check_accepted(own);
  } else if (ok_fb) {
    check_accepted(with_fallback);
  }
  return 0;
}
