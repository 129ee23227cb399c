#include "vshard/host/engine.h"

#include "vshard/error.h"

namespace vshard::host {

#ifdef VSHARD_HOST_WITH_DEVICE
std::unique_ptr<Engine> make_device_engine(const std::string& spec, const Params& params);
bool device_engines_available() { return true; }
#else
bool device_engines_available() { return false; }
#endif

namespace {
bool is_device_spec(const std::string& spec) {
  return spec.rfind("driver:", 0) == 0 || spec.rfind("verilator", 0) == 0 || spec.rfind("xrt", 0) == 0 ||
         spec.rfind("udp://", 0) == 0 || spec.rfind("shm://", 0) == 0;
}
}  // namespace

void check_engine_spec(const std::string& spec) {
  if (spec == "model") return;
  if (!is_device_spec(spec))
    throw Error(Errc::kBadConfig, "unknown engine '" + spec +
                                      "': use model, verilator[?config=...], xrt://<index>, shm://<name>, "
                                      "udp://<host>:<port>?key=<file> or driver:<device spec>");
  if (!device_engines_available())
    throw Error(Errc::kUnsupported, "engine '" + spec +
                                        "' needs the driver library, which this build does not include; "
                                        "configure with driver in VSHARD_SUBDIRS or use --engine model");
}

std::unique_ptr<Engine> make_engine(const std::string& spec, const Params& params) {
  check_engine_spec(spec);
  if (spec == "model") return std::make_unique<ModelEngine>(params);
#ifdef VSHARD_HOST_WITH_DEVICE
  const bool via_driver = spec.rfind("driver:", 0) == 0;
  return make_device_engine(via_driver ? spec.substr(7) : spec, params);
#else
  throw Error(Errc::kInternal, "check_engine_spec let device engine '" + spec + "' through without the driver");
#endif
}

}  // namespace vshard::host
