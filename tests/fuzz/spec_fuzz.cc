// Fuzz target: device spec strings (driver/spec.cc): "model?config=large",
// "verilator?config=small", "xrt://0000:65:00.1?xclbin=..", "shm://NAME",
// "udp://HOST:PORT?key=FILE&..". A spec comes from a command line or a
// configuration file.
// Invariants: a rejected spec throws vshard::Error(kBadConfig) and nothing
// else (kDeviceNotFound for a backend this build lacks: verilator, opencl
// and xrt are off in the fuzz build); an accepted one parses to what its
// parts say (backend, device, options) and written back out parses to the
// same; a model spec opens, with the parameters its config= names, and
// `vshard serve`'s engine spec agrees; make_engine_core refuses the offload
// transports. shm:// and udp:// are not opened here (that is I/O: shm_open,
// name resolution, the key file): their numeric options go through the same
// checks make_shm_backend and make_udp_backend apply.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/ring_frontend.h"
#include "vshard/driver/internal/spec.h"
#include "vshard/driver/internal/net.h"
#include "vshard/descriptor.h"

using namespace vshard;
using vshard::fuzz::accepts;
using vshard::fuzz::violated;

namespace {

std::string unparse(const driver::ParsedSpec& p) {
  std::string s;
  if (p.backend == "xrt" || p.backend == "shm" || p.backend == "udp") s = p.backend + "://" + p.device;
  else s = p.backend;
  char sep = '?';
  for (const auto& [k, v] : p.query) {
    s += sep + k + "=" + v;
    sep = '&';
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string spec(reinterpret_cast<const char*>(data), size);
  driver::ParsedSpec p;
  if (!accepts("parse_spec", {Errc::kBadConfig}, [&] { p = driver::parse_spec(spec); })) {
    // Whatever parse_spec refuses, opening refuses the same way.
    accepts("open_backend of a refused spec", {Errc::kBadConfig}, [&] {
      driver::open_backend(spec);
      violated("open_backend accepted a spec parse_spec refuses: " + spec);
    });
    return 0;
  }
  const bool remote = p.backend == "shm" || p.backend == "udp";
  if (p.backend != "model" && p.backend != "verilator" && p.backend != "opencl" && p.backend != "xrt" && !remote)
    violated("parse_spec accepted an unknown backend '" + p.backend + "'");
  if ((p.backend == "xrt" || remote) == p.device.empty()) violated("device part wrong for backend " + p.backend);
  for (const auto& [k, v] : p.query) {
    if (k.empty() || v.empty() || k.find_first_of("=&") != std::string::npos || v.find('&') != std::string::npos)
      violated("option '" + k + "=" + v + "' accepted");
  }
  if (p.backend == "udp") {
    const size_t colon = p.device.rfind(':');
    const unsigned long port = std::stoul(p.device.substr(colon + 1));
    if (colon == 0 || port == 0 || port > 65535) violated("udp port out of range accepted: " + spec);
  }
  const std::string again = unparse(p);
  driver::ParsedSpec q;
  accepts("parse_spec(unparse(parse_spec(s)))", {}, [&] { q = driver::parse_spec(again); });
  if (q.backend != p.backend || q.device != p.device || q.query != p.query)
    violated("spec '" + spec + "' written back as '" + again + "' parses differently");

  if (remote) {
    // What make_shm_backend / make_udp_backend check before any I/O.
    accepts("offload options", {Errc::kBadConfig}, [&] {
      const std::string where = p.backend + "://" + p.device;
      offload::net::query_number(p.query, "timeout_ms", 1000, 1, 600000, where);
      if (p.backend == "udp") {
        offload::net::query_number(p.query, "rto_us", 1000, 50, 1000000, where);
        offload::net::query_number(p.query, "window", 256, 1, 65536, where);
      }
    });
    std::string name;
    if (accepts("make_engine_core of a transport", {Errc::kBadConfig}, [&] { driver::make_engine_core(spec, name); }))
      violated("make_engine_core accepted an offload transport as an engine: " + spec);
    return 0;
  }
  driver::OpenedBackend ob;
  const bool opened =
      accepts("open_backend", {Errc::kBadConfig, Errc::kDeviceNotFound}, [&] { ob = driver::open_backend(spec); });
  std::string name;
  std::unique_ptr<driver::EngineCore> core;
  const bool core_ok = accepts("make_engine_core", {Errc::kBadConfig, Errc::kDeviceNotFound},
                               [&] { core = driver::make_engine_core(spec, name); });
  if (p.backend != "model") {
    if (opened || core_ok) violated("backend " + p.backend + " opened although this build lacks it: " + spec);
    return 0;
  }
  if (opened != core_ok) violated("open_backend and make_engine_core disagree on '" + spec + "'");
  if (!opened) return 0;
  const auto cfg = p.query.find("config");
  if ((cfg != p.query.end()) != ob.expect_params.has_value()) violated("config= and expect_params disagree");
  if (cfg != p.query.end() && !(*ob.expect_params == Params::named(cfg->second)))
    violated("config=" + cfg->second + " gave other parameters");
  if (!ob.backend || ob.backend->read32(driver::reg::kNCores) != core->reg_read(driver::reg::kNCores))
    violated("model backend and engine core differ");
  return 0;
}
