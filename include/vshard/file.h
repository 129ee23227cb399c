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

}  // namespace vshard
