// DeviceEngine: host::Engine over vshard::Device (verilator or xrt backends):
// decisions computed by the hardware engine, reached through the driver's
// rings; the prestaged table read from the driver's host-memory copy. The
// offload transports (shm://, udp://: `vshard serve`) go through a
// FailoverDevice: if serve goes away the golden-model fallback answers with
// the same state, and serve is resynchronised when it is back.
#include <chrono>
#include <span>

#include "vshard/host/engine.h"
#include "vshard/device.h"
#include "vshard/error.h"
#include "vshard/failover.h"

namespace vshard::host {
namespace {

std::string config_name(const Params& p) {
  if (p == Params::small()) return "small";
  if (p == Params::large()) return "large";
  if (p == Params::max()) return "max";
  return "";
}

class DeviceEngine final : public Engine {
 public:
  DeviceEngine(const std::string& spec, const Params& params) {
    std::string s = spec;
    DeviceOptions opt;
    if (s.find("config=") == std::string::npos) {
      std::string name = config_name(params);
      if (!name.empty()) s += (s.find('?') == std::string::npos ? "?config=" : "&config=") + name;
    }
    opt.expect_params = params;
    if (s.rfind("udp://", 0) == 0 || s.rfind("shm://", 0) == 0) {
      fdev_ = std::make_unique<FailoverDevice>(s, opt);
      name_ = s.substr(0, 3);
      return;
    }
    dev_ = Device::open(s, opt);
    name_ = dev_->backend_name();
  }
  const Params& params() const override { return fdev_ ? fdev_->params() : dev_->params(); }
  size_t submit(const Event& ev, Decision* out) override {
    using namespace std::chrono_literals;
    if (fdev_) return submit_failover(ev, out);
    if (dev_->submit(std::span<const Event>(&ev, 1), 5s) != 1)
      throw Error(Errc::kTimeout, "engine " + dev_->spec() + " did not take an event within 5 s");
    size_t n = 0;
    auto deadline = DeviceClock::now() + 5s;
    for (;;) {
      size_t got = dev_->wait(out + n, 1, deadline);
      if (got == 0) throw Error(Errc::kTimeout, "engine " + dev_->spec() + " did not answer an event within 5 s");
      n += got;
      if (out[n - 1].flags & kFlagLast) return n;
      if (n == kMaxDecisionsPerEvent)
        throw Error(Errc::kDeviceFailed, "engine " + dev_->spec() + " sent more than " +
                                             std::to_string(kMaxDecisionsPerEvent) + " decisions for one event");
    }
  }
  PrestageEntry prestage(uint32_t node) const override {
    PrestageSnapshot s = fdev_ ? fdev_->prestage(node) : dev_->prestage(node);
    return PrestageEntry{s.kind, s.core, s.vcpu, s.epoch};
  }
  std::string name() const override { return name_; }

 private:
  size_t submit_failover(const Event& ev, Decision* out) {
    using namespace std::chrono_literals;
    const auto deadline = DeviceClock::now() + 10s;
    fdev_->submit(std::span<const Event>(&ev, 1), deadline);
    size_t n = 0;
    for (;;) {
      const size_t got = fdev_->wait(out + n, 1, deadline);
      if (got == 0 && DeviceClock::now() >= deadline)
        throw Error(Errc::kTimeout, "engine did not answer an event within 10 s, not even its fallback");
      n += got;
      if (n > 0 && (out[n - 1].flags & kFlagLast)) return n;
      if (n == kMaxDecisionsPerEvent)
        throw Error(Errc::kDeviceFailed,
                    "engine sent more than " + std::to_string(kMaxDecisionsPerEvent) + " decisions for one event");
    }
  }

  std::unique_ptr<Device> dev_;
  std::unique_ptr<FailoverDevice> fdev_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Engine> make_device_engine(const std::string& spec, const Params& params) {
  return std::make_unique<DeviceEngine>(spec, params);
}

}  // namespace vshard::host
