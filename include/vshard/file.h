// Reading a whole input file with the checks every reader of untrusted files
// needs: it must exist, be a regular file (not a directory, FIFO or device)
// and not exceed the reader's limit, so a wrong path or a huge file gives one
// clear error at once instead of a hang or an out-of-memory kill.
#pragma once

#include <cstdint>
#include <string>

namespace vshard {

// Size limits of the readers (bytes). An event log holds at most
// 64 Mi events in binary form (16 bytes each) and the text form is about
// twice as long per event; scenarios, key files, traces and reports are small.
inline constexpr uint64_t kMaxEventLogBytes = uint64_t{1} << 30;   // 1 GiB
inline constexpr uint64_t kMaxTextFileBytes = uint64_t{64} << 20;  // 64 MiB

// The contents of `path`. `what` names the file in errors ("event log",
// "scenario file"). Throws Error(kIo) when the file cannot be opened or read
// or is not a regular file, Error(kBadInput) when it is larger than
// `max_bytes`.
std::string read_file(const std::string& path, const std::string& what, uint64_t max_bytes);

// Before a TOML text goes to toml++ 3.3.0 (Debian 12): that parser reaches
// __builtin_unreachable() in is_non_ascii_horizontal_whitespace() for most
// non-ASCII characters where it scans for the end of a token (upstream
// marzer/tomlplusplus#190, fixed after 3.3.0), which is undefined behaviour
// in every build. Where it scans depends on how it reads malformed text (a
// quote inside a bare token opens no string for it: `1x"µ`, `0o['µ`; a '#'
// inside a string is no comment: `'## 'µ`), so no lexer of ours can tell
// its strings apart. Non-ASCII characters are therefore taken only where
// every reading agrees they are in a comment: after a '#' that no quote
// character precedes on its line, in a text without multi-line strings
// (three quotes in a row). Elsewhere: Error(kBadInput) naming the source,
// the line and the rule. Found by tests/fuzz/scenario_fuzz.cc and
// agent_scenario_fuzz.cc; every TOML loader of the project calls it.
void check_toml_non_ascii(const std::string& text, const std::string& source_name);

}  // namespace vshard
