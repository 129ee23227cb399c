#include "vshard/trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "utf8.h"
#include "vshard/error.h"
#include "vshard/metrics.h"

namespace vshard::trace {

const char* slice_kind_name(SliceKind k) { return k == SliceKind::kShard ? "shard" : "run"; }

const char* mark_name(Mark m) {
  switch (m) {
    case Mark::kWake: return "wake";
    case Mark::kPreempt: return "preempt";
    case Mark::kShard: return "shard";
    case Mark::kAbort: return "abort";
    case Mark::kCommit: return "commit";
  }
  return "?";
}

std::string json_string(const std::string& raw) {
  const std::string s = observe_detail::valid_utf8(raw);
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          out += b;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

// µs to the ns: the format's ts and dur are µs and may carry a fraction.
std::string us(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.3f", v);
  return b;
}

std::string number(double v) {
  if (!std::isfinite(v)) return "null";  // JSON has no NaN or Inf
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

void append_args(std::string& out, const Args& args) {
  out += "{";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += ",";
    out += json_string(args[i].key) + ":";
    const auto& v = args[i].value;
    if (const auto* n = std::get_if<int64_t>(&v)) {
      out += std::to_string(*n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      out += number(*d);
    } else {
      out += json_string(std::get<std::string>(v));
    }
  }
  out += "}";
}

}  // namespace

TraceRecorder::TraceRecorder(uint32_t cores, RecorderOptions opt) : cores_(cores), opt_(std::move(opt)) {
  if (cores_ == 0) throw Error(Errc::kBadConfig, "trace: a timeline needs at least one core");
  if (opt_.max_events == 0) throw Error(Errc::kBadConfig, "trace: max_events must be at least 1");
  if (!std::isfinite(opt_.from_us) || std::isnan(opt_.to_us) || opt_.from_us > opt_.to_us)
    throw Error(Errc::kBadConfig, "trace: window from " + number(opt_.from_us) + " µs to " + number(opt_.to_us) +
                                      " µs is empty or not a number: give from <= to");
}

uint32_t TraceRecorder::add_track(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  extra_tracks_.push_back(name);
  return cores_ + static_cast<uint32_t>(extra_tracks_.size() - 1);
}

void TraceRecorder::set_other(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& kv : other_)
    if (kv.first == key) {
      kv.second = value;
      return;
    }
  other_.emplace_back(key, value);
}

bool TraceRecorder::admit() {
  if (events_.size() < opt_.max_events) return true;
  ++dropped_;
  return false;
}

void TraceRecorder::slice(uint32_t core, double start_us, double end_us, const std::string& label, uint32_t vcpu,
                          uint32_t vm, SliceKind kind, Args extra) {
  if (core >= cores_)
    throw Error(Errc::kBadInput, "trace: slice on core " + std::to_string(core) + " of a timeline of " +
                                     std::to_string(cores_) + " cores");
  if (!std::isfinite(start_us) || !std::isfinite(end_us))
    throw Error(Errc::kBadInput, "trace: slice of '" + label + "' with a non-finite time");
  std::lock_guard<std::mutex> lock(mu_);
  const double a = std::max(start_us, opt_.from_us), b = std::min(end_us, opt_.to_us);
  if (b <= a) {
    if (end_us > start_us) ++outside_;  // it ran, but not inside the window
    return;
  }
  if (!admit()) return;
  Args args{{"vcpu", int64_t{vcpu}}, {"vm", int64_t{vm}}, {"kind", std::string(slice_kind_name(kind))}};
  for (auto& x : extra) args.push_back(std::move(x));
  events_.push_back(Event{a, b - a, core, 'X', label, std::move(args)});
}

void TraceRecorder::instant(uint32_t track, double ts_us, Mark mark, Args args) {
  std::lock_guard<std::mutex> lock(mu_);
  if (track >= cores_ + extra_tracks_.size())
    throw Error(Errc::kBadInput, "trace: instant event on track " + std::to_string(track) + ", which does not exist");
  if (!std::isfinite(ts_us))
    throw Error(Errc::kBadInput, std::string("trace: '") + mark_name(mark) + "' at a non-finite time");
  if (ts_us < opt_.from_us || ts_us > opt_.to_us) {
    ++outside_;
    return;
  }
  if (!admit()) return;
  events_.push_back(Event{ts_us, 0, track, 'i', mark_name(mark), std::move(args)});
}

uint64_t TraceRecorder::recorded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_.size();
}
uint64_t TraceRecorder::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}
uint64_t TraceRecorder::outside_window() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outside_;
}

std::string TraceRecorder::json() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Track t is thread t + 1 of process 1 (tid 0 is avoided: some importers
  // read it as the idle task).
  auto tid = [](uint32_t track) { return std::to_string(track + 1); };
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  out += "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":" +
         json_string(opt_.process_name) + "}}";
  const uint32_t tracks = cores_ + static_cast<uint32_t>(extra_tracks_.size());
  for (uint32_t t = 0; t < tracks; ++t) {
    const std::string name = t < cores_ ? "core " + std::to_string(t) : extra_tracks_[t - cores_];
    out += ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" + tid(t) +
           ",\"name\":\"thread_name\",\"args\":{\"name\":" + json_string(name) + "}}";
    out += ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" + tid(t) +
           ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" + std::to_string(t) + "}}";
  }
  // Sorted by time (the format does not require it, but readers and diffs
  // like it); among equal times, in the order they were recorded.
  std::vector<size_t> order(events_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return events_[x].ts < events_[y].ts; });
  for (size_t i : order) {
    const Event& e = events_[i];
    out += ",\n{\"ph\":\"";
    out += e.ph;
    out += "\",\"pid\":1,\"tid\":" + tid(e.track) + ",\"ts\":" + us(e.ts);
    if (e.ph == 'X') {
      out += ",\"dur\":" + us(e.dur) + ",\"cat\":\"sched\"";
    } else {
      out += ",\"s\":\"t\",\"cat\":\"sched\"";
    }
    out += ",\"name\":" + json_string(e.name) + ",\"args\":";
    append_args(out, e.args);
    out += "}";
  }
  out += "\n],\n\"otherData\":{";
  out += "\"max_events\":" + std::to_string(opt_.max_events) +
         ",\"recorded_events\":" + std::to_string(events_.size()) + ",\"dropped_events\":" + std::to_string(dropped_) +
         ",\"outside_window\":" + std::to_string(outside_) + ",\"window_from_us\":" + number(opt_.from_us) +
         ",\"window_to_us\":" + (std::isfinite(opt_.to_us) ? number(opt_.to_us) : "null");
  for (const auto& [k, v] : other_) {
    out += ',';
    out += json_string(k) + ":" + json_string(v);
  }
  out += "}}\n";
  return out;
}

void TraceRecorder::write(const std::string& path) const { metrics::write_file_atomic(path, json()); }

}  // namespace vshard::trace
