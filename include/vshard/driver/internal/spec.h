// Parsing of device specs ("model?config=large", "xrt://0000:65:00.1") and
// creation of the backend they name. Private to driver/.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "vshard/driver/internal/backend.h"

namespace vshard::driver {

struct ParsedSpec {
  std::string backend;                       // "model", "verilator", "xrt"
  std::string device;                        // xrt: card index or BDF
  std::map<std::string, std::string> query;  // key=value options
};

// Throws vshard::Error(kBadConfig) naming what is wrong and the valid forms.
ParsedSpec parse_spec(const std::string& spec);

struct OpenedBackend {
  std::unique_ptr<Backend> backend;
  std::optional<Params> expect_params;  // from config=, if given
};

// Throws kBadConfig (bad spec) or kDeviceNotFound (backend not built in).
OpenedBackend open_backend(const std::string& spec);

// Opens a vshard::Device on a backend made by open_backend() or, in tests,
// by hand (a backend no spec names). What Device::open does after parsing.
std::unique_ptr<Device> open_device(const std::string& spec, OpenedBackend ob, const DeviceOptions& options);

// The engine core a spec names (model, verilator, opencl, xrt data movers),
// for `vshard serve`; name gets the backend's name. Throws like open_backend.
std::unique_ptr<EngineCore> make_engine_core(const std::string& spec, std::string& name);

// The valid forms, for messages and --help.
const char* spec_forms();

}  // namespace vshard::driver
