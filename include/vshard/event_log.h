// Event logs: a stream of events plus the engine parameters it was made for.
//
// Binary form (".evlog"), all little-endian:
//   offset 0  "VSEL" magic
//          4  u16 format version (kEventLogVersion)
//          6  u16 header size in bytes (kEventLogHeaderBytes = 32)
//          8  u32 NCores, u32 NVcpus, u32 NNodes, u32 MaxShards
//         24  u64 event count
//         32  count x 16-byte event descriptors (docs/spec.md section 3)
//
// Text form (".evlog.txt"), one event per line, '#' starts a comment:
//   # params cores=8 vcpus=64 nodes=2 max_shards=4     (or: # params small)
//   WAKE seq=7 vcpu=3 lat=1
//   CONFIG seq=9 key=SLICE_US value=20000
//   TICK seq=8 core=2 util=128 elapsed=1000
// Fields of a type: WAKE vcpu lat | BLOCK vcpu | SCHED vcpu core |
// TICK core util elapsed | PROFILE vcpu blocks cost [erun] | UTIL core util freq |
// SHARD_DONE vcpu core | ACCOUNT | CONFIG key value | CORE_CFG core node online |
// VCPU_CFG vcpu home weight [cap] | COMMIT vcpu core node epoch. Every field of
// the type is required, in any order, except the bracketed ones (spec 1.1:
// 0 when left out, written only when not 0); seq is optional (previous seq + 1,
// the first is 1). Numbers are decimal or 0x-hex; CONFIG keys are names
// (SLICE_US, NUMA_DIST[1][0]) or numbers; CONFIG value may be negative
// (two's complement, for SHARD_MIN_CREDIT). Descriptors the named form cannot
// express (unknown type, non-zero reserved fields or flag bits) use
//   RAW seq=.. type=0x.. flags=0x.. vcpu=.. core=.. b8=.. c16=.. d32=..
// so every 16-byte descriptor round-trips exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vshard/descriptor.h"
#include "vshard/file.h"

namespace vshard {

struct EventLog {
  Params params;
  std::vector<Event> events;
  bool operator==(const EventLog&) const = default;
};

enum class LogFormat { kBinary, kText };

inline constexpr char kEventLogMagic[4] = {'V', 'S', 'E', 'L'};
inline constexpr uint16_t kEventLogVersion = 1;
inline constexpr uint16_t kEventLogHeaderBytes = 32;
// The most events a log may hold: what fits the readers' size limit
// (kMaxEventLogBytes, vshard/file.h) in the binary form.
inline constexpr uint64_t kMaxEventLogEvents = (kMaxEventLogBytes - kEventLogHeaderBytes) / 16;

// Binary form. decode throws vshard::Error(kBadInput) naming `name` and the
// byte offset of the problem (bad magic, version, parameters, truncation).
std::vector<uint8_t> encode_event_log(const EventLog& log);
EventLog decode_event_log(const uint8_t* data, size_t size, const std::string& name);

// Text form. parse throws vshard::Error(kBadInput) naming name:line and the
// field. Parameters come from a "# params" line, else from `fallback`; with
// neither, it throws.
std::string format_event_log_text(const EventLog& log);
EventLog parse_event_log_text(std::string_view text, const std::string& name,
                              const std::optional<Params>& fallback = std::nullopt);

// Files: load auto-detects the form by the magic. Throw kIo / kBadInput.
EventLog load_event_log(const std::string& path, const std::optional<Params>& fallback = std::nullopt);
void save_event_log(const std::string& path, const EventLog& log, LogFormat format);

// One descriptor as text (no newline). format_event gives the named form when
// the event is well-formed for its type, else the RAW form.
std::string format_event(const Event& e);
// Parses one event line (comment and blank lines are not events; see above).
// prev_seq supplies the default seq (prev_seq + 1). `where` prefixes errors.
Event parse_event(std::string_view line, uint32_t prev_seq, const std::string& where);
// Decisions, e.g. "PREEMPT seq=7 victim=12 core=3 by=3 k=2 last"; RAW form
// for descriptors that are no valid decision.
std::string format_decision(const Decision& d);

// Configuration key names (docs/spec.md section 5): "SLICE_US",
// "NUMA_DIST[1][0]"; unknown keys as "0x..".
std::string config_key_name(uint16_t key);
std::optional<uint16_t> config_key_from_name(std::string_view name);

}  // namespace vshard
