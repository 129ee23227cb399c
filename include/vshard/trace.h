// Scheduling timelines in the Chrome trace-event JSON format (its "JSON
// Object Format": {"traceEvents": [...], "displayTimeUnit": ..., "otherData":
// {...}}), which Perfetto (ui.perfetto.dev) and chrome://tracing open. One
// track per core: a complete slice ("ph":"X") for every stretch a vCPU (or a
// shard of one) ran there, instant events ("ph":"i", thread scope) for wakes,
// preemptions, shards, prestaged aborts and commits.
//
// Written by the host simulator (`vshard sim --trace`) and by the agent; the
// library depends on neither (docs/observability.md). Timestamps are µs as
// doubles on the caller's clock (simulated time, or real time since the
// agent started); the file keeps them to the ns.
#pragma once

#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace vshard::trace {

// One argument of an event ("args" in the file): an integer, a number or a string.
struct Arg {
  std::string key;
  std::variant<int64_t, double, std::string> value;
};
using Args = std::vector<Arg>;

// What a slice shows: the vCPU itself ran, or one of its shards.
enum class SliceKind : uint8_t { kRun, kShard };
// The instant events. Their names in the file ("wake", "preempt", "shard",
// "abort", "commit") are the ones scripts/trace-timeline accepts.
enum class Mark : uint8_t { kWake, kPreempt, kShard, kAbort, kCommit };
const char* slice_kind_name(SliceKind k);  // "run", "shard"
const char* mark_name(Mark m);

struct RecorderOptions {
  // Memory bound: events past this many are not stored but counted, and the
  // count is written as otherData.dropped_events (never dropped silently).
  size_t max_events = 1'000'000;
  // Time window (µs): slices are clipped to it, events wholly outside it are
  // counted as otherData.outside_window.
  double from_us = 0;
  double to_us = std::numeric_limits<double>::infinity();
  std::string process_name = "vshard";
};

// Collects events (in any order, from any thread) and writes them sorted by
// time. Tracks: core c is track c (thread "core c"); add_track() adds
// others after the cores (events that belong to no one core).
class TraceRecorder {
 public:
  // Throws vshard::Error(kBadConfig) on a window with from_us > to_us or
  // a non-finite from_us, or max_events 0.
  TraceRecorder(uint32_t cores, RecorderOptions opt = {});

  uint32_t cores() const { return cores_; }
  // A track after the core tracks, e.g. "host" for wakes not yet on a core;
  // returns its id for instant().
  uint32_t add_track(const std::string& name);
  // An otherData entry (the source, scenario, policy, seed...).
  void set_other(const std::string& key, const std::string& value);

  // vCPU `vcpu` (of VM `vm`, shown as `label`) ran on `core` from start_us
  // to end_us. An empty stretch (end <= start after clipping) is not a
  // slice: a run stopped before it began. Throws vshard::Error(kBadInput)
  // on a core out of range or non-finite times.
  void slice(uint32_t core, double start_us, double end_us, const std::string& label, uint32_t vcpu, uint32_t vm,
             SliceKind kind, Args extra = {});
  // An instant event on a track (a core, or one of add_track()'s).
  void instant(uint32_t track, double ts_us, Mark mark, Args args = {});

  uint64_t recorded() const;        // events stored
  uint64_t dropped() const;         // events past max_events
  uint64_t outside_window() const;  // events outside [from_us, to_us]

  // The whole file: metadata, then the events sorted by time.
  std::string json() const;
  // Writes json() to path (through path.tmp and rename, so a reader never
  // sees half a file). vshard::Error(kIo) naming the path on failure.
  void write(const std::string& path) const;

 private:
  struct Event {
    double ts, dur;
    uint32_t track;
    char ph;  // 'X' or 'i'
    std::string name;
    Args args;
  };
  bool admit();  // called with mu_ held: room for one more event?

  const uint32_t cores_;
  const RecorderOptions opt_;
  mutable std::mutex mu_;
  std::vector<std::string> extra_tracks_;
  std::vector<std::pair<std::string, std::string>> other_;
  std::vector<Event> events_;
  uint64_t dropped_ = 0, outside_ = 0;
};

// JSON string literal of s (quotes included; control characters and
// invalid UTF-8 escaped or replaced by U+FFFD, so the file stays JSON).
std::string json_string(const std::string& s);

}  // namespace vshard::trace
