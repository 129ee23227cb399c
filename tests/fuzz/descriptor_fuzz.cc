// Fuzz target: the 16-byte event/decision descriptor decoder and its text
// forms (include/vshard/descriptor.h, event_log.h). Every 16 bytes of the
// input are one descriptor (the tail is zero-padded).
// Invariants: decode then encode is bit-identical; format_event gives a line
// that parse_event reads back to the same descriptor (the named form when it
// fits, RAW otherwise: "every 16-byte descriptor round-trips exactly");
// format_decision names every descriptor (RAW for no valid decision) without
// failing; the names of types and codes never fail.
#include <cstdint>
#include <cstring>

#include "fuzz_check.h"
#include "vshard/descriptor.h"
#include "vshard/event_log.h"

using namespace vshard;
using vshard::fuzz::accepts;
using vshard::fuzz::violated;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (size_t off = 0; off < size; off += 16) {
    uint8_t raw[16] = {};
    std::memcpy(raw, data + off, std::min<size_t>(16, size - off));
    const Descriptor d = decode(raw);
    uint8_t again[16];
    encode(d, again);
    if (std::memcmp(raw, again, 16) != 0) violated("descriptor: decode then encode differs");

    const Event ev{d};
    const std::string line = format_event(ev);
    Event back;
    accepts("parse_event(format_event(e))", {}, [&] { back = parse_event(line, d.seq - 1, "fuzz"); });
    if (!(static_cast<const Descriptor&>(back) == d)) violated("descriptor: '" + line + "' parses to another event");
    // The seq is always written: it does not depend on the previous one.
    accepts("parse_event(format_event(e)) after another seq", {}, [&] { back = parse_event(line, d.seq, "fuzz"); });
    if (!(static_cast<const Descriptor&>(back) == d)) violated("descriptor: '" + line + "' depends on prev_seq");

    const std::string dec = format_decision(Decision{d});
    if (dec.empty()) violated("descriptor: empty decision text");
    if (dec.rfind("RAW ", 0) != 0 && decision_type_name(d.type)[0] == '?')
      violated("descriptor: decision of unknown type " + std::to_string(d.type) + " formatted as '" + dec + "'");
    if (event_type_name(d.type) == nullptr || error_code_name(d.b8) == nullptr) violated("descriptor: null name");
  }
  return 0;
}
