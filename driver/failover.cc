// FailoverDevice: the driver's golden-model fallback while the device is
// away, and a resynchronised device when it is back (vshard/failover.h).
#include "vshard/failover.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "vshard/error.h"

namespace vshard {

class FailoverDevice::Impl {
 public:
  Impl(std::string spec, DeviceOptions opt, FailoverOptions fo)
      : spec_(std::move(spec)), opt_(opt), fo_(std::move(fo)) {
    opt_.shadow = true;
    if (!fo_.log) fo_.log = [](const std::string& s) { std::fprintf(stderr, "vshard: %s\n", s.c_str()); };
    dev_ = Device::open(spec_, opt_);
  }
  ~Impl() { stop_reopen(); }

  // ---- switching ------------------------------------------------------------
  void failover(const Error& why) {
    last_submitted_ = dev_->counters().events_submitted;
    Fallback fb = dev_->take_fallback();
    const size_t replayed = fb.in_flight.size();
    model_.emplace(std::move(fb.model));
    for (const Decision& d : fb.undelivered) pending_.push_back(d);
    for (const Event& e : fb.in_flight) step(e);
    dev_.reset();
    ++stats_.failovers;
    fo_.log("device '" + spec_ + "' failed (" + why.what() + "); the golden-model fallback continues with its state (" +
            std::to_string(replayed) + " event(s) in flight replayed, nothing lost); reopening every " +
            std::to_string(fo_.retry_interval.count()) + " ms");
    start_reopen();
  }

  void step(const Event& e) {
    Decision out[kMaxDecisionsPerEvent];
    const size_t n = model_->step(e, out);
    for (size_t i = 0; i < n; ++i) pending_.push_back(out[i]);
    ++stats_.events_on_fallback;
  }

  // On the fallback, with nothing pending for the caller's order: take a
  // reopened device, load the fallback's state and switch back.
  void try_switch_back() {
    if (dev_) return;
    std::unique_ptr<Device> d;
    {
      std::lock_guard<std::mutex> lock(mu_);
      d = std::move(reopened_);
    }
    if (!d) return;
    try {
      d->load_state(*model_);
    } catch (const Error& e) {
      fo_.log("device '" + spec_ + "' is back but cannot take the fallback's state (" + e.what() +
              "); staying on the golden-model fallback");
      return;  // the reopen thread has stopped: no further tries
    }
    stop_reopen();
    const Counters c = model_->counters();
    dev_ = std::move(d);
    model_.reset();
    ++stats_.resyncs;
    fo_.log("device '" + spec_ + "' is back: resynchronised (configuration, " + std::to_string(params_.cores) +
            " cores, " + std::to_string(params_.vcpus) + " vCPUs, prestaged table, counters at event " +
            std::to_string(c.events) + ") and switched back from the fallback");
  }

  void start_reopen() {
    stop_reopen();
    stopping_ = false;
    reopener_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      std::string last;
      while (!stopping_) {
        cv_.wait_for(lock, fo_.retry_interval, [&] { return stopping_; });
        if (stopping_) break;
        ++attempts_;
        lock.unlock();
        std::unique_ptr<Device> d;
        std::string err;
        try {
          d = Device::open(spec_, opt_);
        } catch (const Error& e) { err = e.what(); }
        lock.lock();
        if (d) {
          reopened_ = std::move(d);
          return;
        }
        if (err != last) fo_.log("device '" + spec_ + "' still unavailable: " + err);
        last = err;
      }
    });
  }
  void stop_reopen() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (reopener_.joinable()) reopener_.join();
  }

  template <class F>
  auto guarded(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const Error& e) {
      if (e.code() != Errc::kTimeout && e.code() != Errc::kDeviceFailed) throw;
      failover(e);
      return decltype(f())();
    }
  }

  std::string spec_;
  DeviceOptions opt_;
  FailoverOptions fo_;
  Params params_;
  std::unique_ptr<Device> dev_;
  std::optional<Model> model_;
  std::deque<Decision> pending_;  // fallback decisions not yet polled
  FailoverStats stats_;
  uint64_t last_submitted_ = 0;
  std::atomic<uint64_t> attempts_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = true;
  std::unique_ptr<Device> reopened_;
  std::thread reopener_;
};

FailoverDevice::FailoverDevice(std::string spec, DeviceOptions options, FailoverOptions failover)
    : impl_(std::make_unique<Impl>(std::move(spec), options, std::move(failover))) {
  params_ = impl_->dev_->params();
  impl_->params_ = params_;
}
FailoverDevice::~FailoverDevice() = default;

size_t FailoverDevice::submit(std::span<const Event> events, Deadline deadline) {
  Impl& d = *impl_;
  if (!d.dev_ && d.pending_.empty()) d.try_switch_back();
  size_t done = 0;
  if (d.dev_) {
    const uint64_t before = d.dev_->counters().events_submitted;
    const bool ok = d.guarded([&] {
      done = d.dev_->submit(events, deadline);
      return true;
    });
    if (ok) return done;
    // The device failed mid-way: the events it had taken were replayed by
    // the fallback (its in-flight list); the rest go to the fallback now.
    done = static_cast<size_t>(d.last_submitted_ - before);
  }
  for (size_t i = done; i < events.size(); ++i) d.step(events[i]);
  return events.size();
}

size_t FailoverDevice::poll(Decision* out, size_t max) {
  Impl& d = *impl_;
  size_t n = 0;
  while (n < max && !d.pending_.empty()) {
    out[n++] = d.pending_.front();
    d.pending_.pop_front();
  }
  if (n < max && d.dev_) n += d.guarded([&] { return d.dev_->poll(out + n, max - n); });
  while (n < max && !d.pending_.empty()) {  // a failover during that poll
    out[n++] = d.pending_.front();
    d.pending_.pop_front();
  }
  if (!d.dev_ && d.pending_.empty()) d.try_switch_back();
  return n;
}

size_t FailoverDevice::wait(Decision* out, size_t max, Deadline deadline) {
  Impl& d = *impl_;
  // As Device::wait: yield a while, then sleep up to 50 us between polls.
  for (unsigned rounds = 0;; ++rounds) {
    const size_t n = poll(out, max);
    const auto now = DeviceClock::now();
    if (n > 0 || max == 0 || !d.dev_ || d.dev_->in_flight() == 0 || now >= deadline) return n;
    if (rounds < 64) std::this_thread::yield();
    else std::this_thread::sleep_for(std::min<DeviceClock::duration>(std::chrono::microseconds(50), deadline - now));
  }
}

bool FailoverDevice::drain(Deadline deadline) {
  Impl& d = *impl_;
  if (!d.dev_) return true;
  return d.guarded([&] { return d.dev_->drain(deadline); }) || !d.dev_;
}

PrestageSnapshot FailoverDevice::prestage(uint32_t node) const {
  const Impl& d = *impl_;
  if (d.dev_) return d.dev_->prestage(node);
  const PrestageEntry e = d.model_->prestage(node);
  return PrestageSnapshot{e.kind, e.core, e.vcpu, e.epoch, static_cast<uint8_t>(node)};
}

bool FailoverDevice::on_device() const { return impl_->dev_ != nullptr; }
FailoverStats FailoverDevice::stats() const {
  FailoverStats s = impl_->stats_;
  s.reopen_attempts = impl_->attempts_.load();
  return s;
}
Device* FailoverDevice::device() { return impl_->dev_.get(); }

}  // namespace vshard
