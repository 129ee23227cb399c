#include "vshard/metrics.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "utf8.h"
#include "vshard/error.h"

namespace vshard::metrics {

namespace {

bool name_char(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The shortest decimal that reads back as the same double.
std::string real(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char b[40];
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {  // whole and exact: no exponent
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
  }
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(b, sizeof b, "%.*g", prec, v);
    if (std::strtod(b, nullptr) == v) break;
  }
  return b;
}

std::string number(const Value& v) { return v.integer() ? std::to_string(v.u()) : real(v.d()); }

const char* type_name(Type t) {
  switch (t) {
    case Type::kCounter: return "counter";
    case Type::kGauge: return "gauge";
    case Type::kInfo: return "info";
  }
  return "unknown";
}

}  // namespace

void check_metric_name(const std::string& name) {
  bool ok = !name.empty();
  for (size_t i = 0; ok && i < name.size(); ++i) ok = name_char(name[i], i == 0, true);
  if (!ok)
    throw Error(
        Errc::kBadInput,
        "metrics: '" + name + "' is not a metric name: use letters, digits, '_' and ':', not starting with a digit");
}

void check_label_name(const std::string& name) {
  bool ok = !name.empty();
  for (size_t i = 0; ok && i < name.size(); ++i) ok = name_char(name[i], i == 0, false);
  if (!ok)
    throw Error(Errc::kBadInput,
                "metrics: '" + name + "' is not a label name: use letters, digits and '_', not starting with a digit");
  if (name.rfind("__", 0) == 0)
    throw Error(Errc::kBadInput, "metrics: label name '" + name + "': names starting with '__' are reserved");
}

std::string escape(const std::string& raw) {
  const std::string s = observe_detail::valid_utf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Exposition::add(Type type, const std::string& name, const std::string& help, const std::string& unit, Value value,
                     const Labels& labels) {
  check_metric_name(name);
  // The sample name the format derives must not read as another family's.
  if (type == Type::kCounter && (ends_with(name, "_total") || ends_with(name, "_created")))
    throw Error(Errc::kBadInput, "metrics: counter '" + name + "': give the family name, without _total / _created");
  if (type == Type::kInfo && ends_with(name, "_info"))
    throw Error(Errc::kBadInput, "metrics: info '" + name + "': give the family name, without _info");
  if (!unit.empty()) {
    for (char c : unit)
      if (!name_char(c, false, true))
        throw Error(Errc::kBadInput, "metrics: unit '" + unit + "' of '" + name + "': letters, digits, '_', ':' only");
    if (!ends_with(name, "_" + unit))
      throw Error(Errc::kBadInput, "metrics: '" + name + "' has unit '" + unit + "': its name must end in _" + unit);
  }
  if (type == Type::kCounter && (value.d() < 0 || std::isnan(value.d()) || std::isinf(value.d())))
    throw Error(Errc::kBadInput, "metrics: counter '" + name + "' = " + number(value) + ": must be finite and >= 0");
  for (size_t i = 0; i < labels.size(); ++i) {
    check_label_name(labels[i].first);
    for (size_t j = 0; j < i; ++j)
      if (labels[j].first == labels[i].first)
        throw Error(Errc::kBadInput, "metrics: '" + name + "': label '" + labels[i].first + "' given twice");
  }
  Family* f = nullptr;
  for (auto& x : families_)
    if (x.name == name) f = &x;
  if (!f) {
    families_.push_back(Family{name, help, unit, type, {}});
    f = &families_.back();
  } else if (f->type != type || f->unit != unit) {
    throw Error(Errc::kBadInput, "metrics: '" + name + "' was declared a " + type_name(f->type) +
                                     (f->unit.empty() ? "" : " in " + f->unit) + ", now a " + type_name(type) +
                                     (unit.empty() ? "" : " in " + unit));
  }
  for (const auto& s : f->samples) {
    bool same = s.labels.size() == labels.size();
    for (size_t i = 0; same && i < labels.size(); ++i) {
      bool found = false;
      for (const auto& l : s.labels) found = found || l == labels[i];
      same = found;
    }
    if (same) throw Error(Errc::kBadInput, "metrics: '" + name + "': two samples with the same labels");
  }
  f->samples.push_back(Sample{labels, value});
}

void Exposition::counter(const std::string& name, const std::string& help, Value value, const Labels& labels,
                         const std::string& unit) {
  add(Type::kCounter, name, help, unit, value, labels);
}

void Exposition::gauge(const std::string& name, const std::string& help, Value value, const Labels& labels,
                       const std::string& unit) {
  add(Type::kGauge, name, help, unit, value, labels);
}

void Exposition::info(const std::string& name, const std::string& help, const Labels& labels) {
  add(Type::kInfo, name, help, "", Value(1), labels);
}

std::string Exposition::text() const {
  std::string out;
  for (const auto& f : families_) {
    out += "# TYPE " + f.name + " " + type_name(f.type) + "\n";
    if (!f.unit.empty()) out += "# UNIT " + f.name + " " + f.unit + "\n";
    if (!f.help.empty()) out += "# HELP " + f.name + " " + escape(f.help) + "\n";
    const char* suffix = f.type == Type::kCounter ? "_total" : f.type == Type::kInfo ? "_info" : "";
    for (const auto& s : f.samples) {
      out += f.name + suffix;
      if (!s.labels.empty()) {
        out += "{";
        for (size_t i = 0; i < s.labels.size(); ++i) {
          if (i) out += ',';
          out += s.labels[i].first + "=\"" + escape(s.labels[i].second) + "\"";
        }
        out += "}";
      }
      out += ' ';
      out += number(s.value);
      out += '\n';
    }
  }
  return out + "# EOF\n";
}

void add_sched_stats(Exposition& out, const host::SchedStats& s, const Labels& labels) {
  struct Row {
    const char* name;
    const char* help;
    uint64_t value;
  };
  const Row rows[] = {
      {"vshard_sched_wakes", "vCPU wakes the scheduler handled", s.wakes},
      {"vshard_sched_preemptions", "running vCPUs stopped for a waking one", s.preemptions},
      {"vshard_sched_shard_preemptions", "preemptions whose victim's work went on as shards", s.shard_preemptions},
      {"vshard_sched_shards", "shards started", s.shards},
      {"vshard_sched_rotations", "slice expiries that switched vCPUs", s.rotations},
      {"vshard_sched_steals", "vCPUs taken from another core's runqueue", s.steals},
      {"vshard_sched_pulls", "batch vCPUs brought back to their home node", s.pulls},
      {"vshard_sched_commits", "prestaged decisions committed (the epoch held)", s.commits},
      {"vshard_sched_aborts", "prestaged decisions aborted (stale epoch)", s.aborts},
      {"vshard_sched_prestage_reads", "latency wakes on the prestaged path", s.prestage_reads},
      {"vshard_sched_engine_events", "events sent to the engine", s.engine_events},
      {"vshard_sched_engine_decisions", "decisions received from the engine", s.engine_decisions},
      {"vshard_sched_profiles_sent", "workload profiles sent to the engine", s.profiles_sent},
      {"vshard_sched_cap_parks", "vCPUs parked for exceeding their cap", s.parks},
  };
  for (const auto& r : rows) out.counter(r.name, r.help, r.value, labels);
  out.counter("vshard_sched_decision_seconds", "wake-path decision latency, summed over wakes",
              std::max(0.0, s.decision_us_total) / 1e6, labels, "seconds");
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(Errc::kIo, "cannot write '" + tmp + "': " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(Errc::kIo, "cannot write '" + tmp + "': " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw Error(Errc::kIo, "cannot write '" + tmp + "': " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw Error(Errc::kIo, "cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(err));
  }
}

MetricsFile::MetricsFile(std::string path, std::chrono::milliseconds period, Collect collect)
    : path_(std::move(path)), period_(period), collect_(std::move(collect)) {
  if (period_.count() <= 0)
    throw Error(Errc::kBadConfig, "metrics file '" + path_ + "': the period must be at least 1 ms");
  if (!collect_) throw Error(Errc::kBadConfig, "metrics file '" + path_ + "': no collect function");
  write_now();
  thread_ = std::thread([this] { loop(); });
}

MetricsFile::~MetricsFile() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  try {
    write_now();
  } catch (const std::exception&) {  // a destructor does not throw; the file keeps the last good write
  }
}

void MetricsFile::write_now() {
  std::lock_guard<std::mutex> wl(write_mu_);
  write_file_atomic(path_, collect_().text());
  std::lock_guard<std::mutex> lock(mu_);
  ++writes_;
}

uint64_t MetricsFile::writes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writes_;
}

std::string MetricsFile::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void MetricsFile::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    std::string err;
    try {
      write_now();
    } catch (const std::exception& e) { err = e.what(); }
    lock.lock();
    last_error_ = err;
  }
}

}  // namespace vshard::metrics
