// Counters in the OpenMetrics 1.0 text format (what Prometheus scrapes and
// node_exporter's textfile collector reads): `vshard info --metrics`,
// `vshard sim --metrics` and the agent's `--metrics-file`
// (docs/observability.md).
//
//   Exposition m;
//   m.counter("vshard_sched_wakes", "vCPU wakes seen by the scheduler", stats.wakes, {{"policy", "shard"}});
//   m.gauge("vshard_device_cores", "cores the engine schedules", 64);
//   std::string text = m.text();  // ... "# EOF\n"
//
// A metric family is declared by its first sample and keeps that type, help
// and unit; its samples are written together, in the order added, as the
// format requires.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "vshard/host/hooks.h"

namespace vshard::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A sample value: integers stay exact (a double loses counts above 2^53).
class Value {
 public:
  Value(double d) : integer_(false), d_(d) {}
  Value(unsigned long long u) : integer_(true), u_(u) {}
  Value(unsigned long u) : Value(static_cast<unsigned long long>(u)) {}
  Value(unsigned u) : Value(static_cast<unsigned long long>(u)) {}
  Value(long long i) : integer_(i >= 0), u_(i >= 0 ? static_cast<uint64_t>(i) : 0), d_(static_cast<double>(i)) {}
  Value(long i) : Value(static_cast<long long>(i)) {}
  Value(int i) : Value(static_cast<long long>(i)) {}
  bool integer() const { return integer_; }
  uint64_t u() const { return u_; }
  double d() const { return integer_ ? static_cast<double>(u_) : d_; }

 private:
  bool integer_;
  uint64_t u_ = 0;
  double d_ = 0;
};

enum class Type { kCounter, kGauge, kInfo };

class Exposition {
 public:
  // A counter sample, written as NAME_total. `name` is the family name
  // (without _total); with a unit, it must end in "_" + unit ("_seconds").
  // The value must be a finite number >= 0.
  void counter(const std::string& name, const std::string& help, Value value, const Labels& labels = {},
               const std::string& unit = "");
  // A gauge sample: any number (NaN and +-Inf are written as such).
  void gauge(const std::string& name, const std::string& help, Value value, const Labels& labels = {},
             const std::string& unit = "");
  // An info sample (NAME_info{labels} 1): identity as labels.
  void info(const std::string& name, const std::string& help, const Labels& labels);

  // The text, ending with "# EOF\n".
  std::string text() const;
  bool empty() const { return families_.empty(); }

 private:
  struct Sample {
    Labels labels;
    Value value;
  };
  struct Family {
    std::string name, help, unit;
    Type type;
    std::vector<Sample> samples;
  };
  void add(Type type, const std::string& name, const std::string& help, const std::string& unit, Value value,
           const Labels& labels);
  std::vector<Family> families_;
};

// The checks add() makes, for callers that build names from data. Throw
// vshard::Error(kBadInput) naming the problem.
void check_metric_name(const std::string& name);  // [a-zA-Z_:][a-zA-Z0-9_:]*
void check_label_name(const std::string& name);   // [a-zA-Z_][a-zA-Z0-9_]*, not "__..."
// A label value or help text as the format quotes it: \ " and newline
// escaped, invalid UTF-8 bytes replaced by U+FFFD.
std::string escape(const std::string& s);

// host::SchedStats as counters vshard_sched_* (wakes, preemptions, shards,
// commits, aborts, ...; decision latency as vshard_sched_decision_seconds),
// each sample with `labels` (e.g. {{"policy", "shard"}}). Called once per
// policy on one Exposition, the samples share families.
void add_sched_stats(Exposition& out, const host::SchedStats& s, const Labels& labels);

// Writes text to path through path + ".tmp" and rename(2), so a reader
// (a scraper, node_exporter's textfile collector) sees the old file or the
// new one, never half of one. vshard::Error(kIo) naming the path.
void write_file_atomic(const std::string& path, const std::string& text);

// A metrics file kept up to date by a thread: collect() every period,
// written with write_file_atomic. The constructor writes once on the
// caller's thread (so a bad path fails at once, with vshard::Error(kIo));
// the destructor stops the thread (promptly: it waits on a condition, not
// a sleep) and writes a last time, so the file ends with the final counts.
// collect() runs on the writer's thread: it must be safe to call there.
class MetricsFile {
 public:
  using Collect = std::function<Exposition()>;
  MetricsFile(std::string path, std::chrono::milliseconds period, Collect collect);
  ~MetricsFile();
  MetricsFile(const MetricsFile&) = delete;
  MetricsFile& operator=(const MetricsFile&) = delete;

  void write_now();  // collect and write on the caller's thread; throws on failure
  uint64_t writes() const;
  // The last failure of the thread's writes ("" if none): the thread goes
  // on trying at the next period.
  std::string last_error() const;
  const std::string& path() const { return path_; }

 private:
  void loop();
  const std::string path_;
  const std::chrono::milliseconds period_;
  const Collect collect_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t writes_ = 0;
  std::string last_error_;
  std::mutex write_mu_;  // one write at a time (the thread and write_now)
  std::thread thread_;
};

}  // namespace vshard::metrics
