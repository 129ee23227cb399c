// vshard::FailoverDevice: a Device that survives its engine (docs/offload.md,
// "Failure model"). When the device fails (watchdog, corrupt answer, a
// restarted `vshard serve`), it takes the driver's golden-model fallback
// (Device::take_fallback) and goes on with it, nothing lost; meanwhile a
// background thread tries to open the device again, and once it can, the
// fallback's state (configuration, cores, vCPUs, prestaged table, counters)
// is loaded into it (Device::load_state) and decisions come from the device
// again. Every switch is logged ("says so").
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "vshard/device.h"

namespace vshard {

struct FailoverOptions {
  // How often the background thread tries to open the device again.
  std::chrono::milliseconds retry_interval{200};
  // Where the switches are reported; default: stderr, prefixed "vshard: ".
  std::function<void(const std::string&)> log;
};

struct FailoverStats {
  uint64_t failovers = 0;           // device -> fallback
  uint64_t resyncs = 0;             // fallback -> device (state loaded)
  uint64_t events_on_fallback = 0;  // events the fallback model answered
  uint64_t reopen_attempts = 0;
};

class FailoverDevice {
 public:
  // Opens the device (throws like Device::open if it cannot: the first open
  // is not covered). options.shadow is forced on: the fallback needs it.
  FailoverDevice(std::string spec, DeviceOptions options = {}, FailoverOptions failover = {});
  ~FailoverDevice();
  FailoverDevice(const FailoverDevice&) = delete;
  FailoverDevice& operator=(const FailoverDevice&) = delete;

  // As Device: on the fallback every event is answered at once.
  size_t submit(std::span<const Event> events, Deadline deadline);
  size_t poll(Decision* out, size_t max);
  size_t wait(Decision* out, size_t max, Deadline deadline);
  bool drain(Deadline deadline);
  // From the device's host memory, or the fallback model's table.
  PrestageSnapshot prestage(uint32_t node) const;
  const Params& params() const { return params_; }

  bool on_device() const;
  FailoverStats stats() const;
  // The device while on it (nullptr on the fallback).
  Device* device();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
  Params params_;
};

}  // namespace vshard
