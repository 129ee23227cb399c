#include <cctype>

#include "vshard/driver/internal/ring_frontend.h"
#include "vshard/driver/internal/spec.h"
#include "vshard/error.h"

namespace vshard::driver {

const char* spec_forms() {
  return "model | model?config=small|large|max | verilator | verilator?config=small|large&frontend=ring|dma | "
         "opencl | opencl?config=small|large|max&device=<part of an OpenCL platform or device name> | "
         "xrt://<card index> | xrt://<dddd:bb:dd.f> (optionally ?xclbin=<file>&kernel=<engine kernel>&config=<name>) | "
         "shm://<name>[?config=<name>&timeout_ms=<ms>] | "
         "udp://<host>:<port>?key=<key file>[&config=<name>&timeout_ms=<ms>&rto_us=<us>&window=<events>] "
         "(the engine in a `vshard serve` process, docs/offload.md)";
}

namespace {

[[noreturn]] void bad(const std::string& spec, const std::string& what) {
  throw Error(Errc::kBadConfig, "bad device spec '" + spec + "': " + what + ". Valid forms: " + spec_forms());
}

bool is_bdf(const std::string& s) {
  // dddd:bb:dd.f (hex digits) or bb:dd.f
  auto hexrun = [&](size_t& i, size_t n) {
    for (size_t k = 0; k < n; ++k, ++i)
      if (i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  };
  size_t i = 0;
  if (s.size() == 12) {
    if (!hexrun(i, 4) || s[i++] != ':') return false;
  } else if (s.size() != 7) {
    return false;
  }
  if (!hexrun(i, 2) || s[i++] != ':' || !hexrun(i, 2) || s[i++] != '.') return false;
  return i + 1 == s.size() && s[i] >= '0' && s[i] <= '7';
}

void check_keys(const std::string& spec, const ParsedSpec& p, std::initializer_list<const char*> allowed) {
  for (const auto& [k, v] : p.query) {
    bool ok = false;
    std::string list;
    for (const char* a : allowed) {
      ok = ok || k == a;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!ok) bad(spec, "unknown option '" + k + "' for backend " + p.backend + " (options: " + list + ")");
  }
}

Params named_params(const std::string& spec, const std::string& name) {
  try {
    return Params::named(name);
  } catch (const Error&) { bad(spec, "unknown config '" + name + "' (configs: small, large, max)"); }
}

// verilator's front-end: ring (the software one, driver/ring_frontend.cc;
// default) or dma (the card's RTL front-end, vs_card_top).
bool verilator_frontend_is_dma(const std::string& spec, const ParsedSpec& p) {
  const auto it = p.query.find("frontend");
  if (it == p.query.end() || it->second == "ring") return false;
  if (it->second == "dma") return true;
  bad(spec, "unknown frontend '" + it->second + "' for backend verilator (frontends: ring, dma)");
}

}  // namespace

ParsedSpec parse_spec(const std::string& spec) {
  ParsedSpec p;
  std::string rest = spec;
  const size_t q = rest.find('?');
  std::string query;
  if (q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.rfind("xrt://", 0) == 0) {
    p.backend = "xrt";
    p.device = rest.substr(6);
    if (p.device.empty()) bad(spec, "xrt:// needs a card index or a PCIe BDF");
    const bool index = p.device.find_first_not_of("0123456789") == std::string::npos;
    if (!index && !is_bdf(p.device))
      bad(spec, "'" + p.device + "' is neither a card index nor a BDF like 0000:65:00.1");
  } else if (rest.rfind("shm://", 0) == 0) {
    p.backend = "shm";
    p.device = rest.substr(6);
    if (p.device.empty() || p.device.size() > 64 ||
        p.device.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
            std::string::npos ||
        p.device[0] == '.')
      bad(spec, "shm:// needs a region name of 1-64 characters from A-Z a-z 0-9 . _ - (not starting with '.')");
  } else if (rest.rfind("udp://", 0) == 0) {
    p.backend = "udp";
    p.device = rest.substr(6);
    const size_t colon = p.device.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == p.device.size() ||
        p.device.find_first_not_of("0123456789", colon + 1) != std::string::npos || p.device.size() - colon > 6 ||
        std::stoul(p.device.substr(colon + 1)) == 0 || std::stoul(p.device.substr(colon + 1)) > 65535)
      bad(spec, "udp:// needs <host>:<port> with a port 1..65535");
  } else if (rest == "model" || rest == "verilator" || rest == "opencl") {
    p.backend = rest;
  } else if (rest.empty()) {
    bad(spec, "empty spec");
  } else {
    bad(spec, "unknown backend '" + rest + "'");
  }
  size_t pos = 0;
  while (!query.empty() && pos <= query.size()) {
    const size_t amp = query.find('&', pos);
    const std::string kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    const size_t eq = kv.find('=');
    if (kv.empty() || eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
      bad(spec, "option '" + kv + "' is not key=value");
    if (!p.query.emplace(kv.substr(0, eq), kv.substr(eq + 1)).second)
      bad(spec, "option '" + kv.substr(0, eq) + "' given twice");
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return p;
}

OpenedBackend open_backend(const std::string& spec) {
  const ParsedSpec p = parse_spec(spec);
  OpenedBackend ob;
  const auto cfg = p.query.find("config");
  if (cfg != p.query.end()) ob.expect_params = named_params(spec, cfg->second);
  if (p.backend == "model") {
    check_keys(spec, p, {"config"});
    ob.backend = make_model_backend(ob.expect_params.value_or(Params::small()));
  } else if (p.backend == "verilator") {
    check_keys(spec, p, {"config", "frontend"});
    const bool dma = verilator_frontend_is_dma(spec, p);
#ifdef VSHARD_DRIVER_HAVE_VERILATOR
    const std::string name = cfg == p.query.end() ? "small" : cfg->second;
    try {
      ob.backend = dma ? make_verilator_dma_backend(name) : make_verilator_backend(name);
    } catch (const Error& e) { throw Error(e.code(), "device spec '" + spec + "': " + e.what()); }
#else
    (void)dma;
    throw Error(Errc::kDeviceNotFound,
                "device spec '" + spec +
                    "': the verilator backend is not built into this binary. Install "
                    "Verilator (scripts/install-deps), configure with -DVSHARD_WITH_VERILATOR=ON and include "
                    "'rtl;sim;driver' in VSHARD_SUBDIRS");
#endif
  } else if (p.backend == "opencl") {
    check_keys(spec, p, {"config", "device"});
#ifdef VSHARD_DRIVER_HAVE_OPENCL
    const auto hint = p.query.find("device");
    try {
      ob.backend =
          make_opencl_backend(ob.expect_params.value_or(Params::small()), hint == p.query.end() ? "" : hint->second);
    } catch (const Error& e) {
      throw Error(e.code(), "device spec '" + spec + "': " + e.what() +
                                (hint == p.query.end() ? "" : " (leave out device= to take the first device found)"));
    }
#else
    throw Error(Errc::kDeviceNotFound,
                "device spec '" + spec +
                    "': the opencl backend is not built into this binary. Install an "
                    "OpenCL ICD loader, its C++ headers and a device (ocl-icd-opencl-dev, opencl-clhpp-headers, "
                    "pocl-opencl-icd: scripts/install-deps), configure with -DVSHARD_WITH_OPENCL=ON and include "
                    "'model;driver;hls' in VSHARD_SUBDIRS");
#endif
  } else if (p.backend == "shm") {
    check_keys(spec, p, {"config", "timeout_ms"});
    ob.backend = make_shm_backend(p.device, p.query);
  } else if (p.backend == "udp") {
    check_keys(spec, p, {"config", "key", "timeout_ms", "rto_us", "window"});
    if (p.query.find("key") == p.query.end()) bad(spec, "udp:// needs ?key=<key file> (docs/offload.md, \"Security\")");
    ob.backend = make_udp_backend(p.device, p.query);
  } else {
    check_keys(spec, p, {"config", "xclbin", "kernel"});
#ifdef VSHARD_DRIVER_HAVE_XRT
    const auto xclbin = p.query.find("xclbin");
    const auto kernel = p.query.find("kernel");
    ob.backend = make_xrt_backend(p.device, xclbin == p.query.end() ? "" : xclbin->second,
                                  kernel == p.query.end() ? "" : kernel->second);
#else
    throw Error(Errc::kDeviceNotFound, "device spec '" + spec +
                                           "': the xrt backend is not built into this binary. Install "
                                           "libxrt-dev and uuid-dev and configure with -DVSHARD_WITH_XRT=ON");
#endif
  }
  return ob;
}

std::unique_ptr<EngineCore> make_engine_core(const std::string& spec, std::string& name) {
  const ParsedSpec p = parse_spec(spec);
  if (p.backend == "verilator" && verilator_frontend_is_dma(spec, p))
    throw Error(Errc::kBadConfig, "engine spec '" + spec +
                                      "': frontend=dma is a whole card (vs_card_top with its own DMA front-end); "
                                      "`vshard serve` hosts an engine core behind its software front-end: leave "
                                      "out frontend= or use frontend=ring");
  const auto cfg = p.query.find("config");
  std::optional<Params> params;
  if (cfg != p.query.end()) params = named_params(spec, cfg->second);
  name = p.backend;
  if (p.backend == "model") {
    check_keys(spec, p, {"config"});
    return make_model_core(params.value_or(Params::small()));
  }
  if (p.backend == "verilator") {
    check_keys(spec, p, {"config", "frontend"});
#ifdef VSHARD_DRIVER_HAVE_VERILATOR
    return make_verilator_core(cfg == p.query.end() ? "small" : cfg->second);
#endif
  } else if (p.backend == "opencl") {
    check_keys(spec, p, {"config", "device"});
#ifdef VSHARD_DRIVER_HAVE_OPENCL
    const auto hint = p.query.find("device");
    return make_opencl_core(params.value_or(Params::small()), hint == p.query.end() ? "" : hint->second);
#endif
  } else if (p.backend == "xrt") {
    check_keys(spec, p, {"config", "xclbin", "kernel"});
#ifdef VSHARD_DRIVER_HAVE_XRT
    const auto xclbin = p.query.find("xclbin");
    const auto kernel = p.query.find("kernel");
    return make_xrt_core(p.device, xclbin == p.query.end() ? "" : xclbin->second,
                         kernel == p.query.end() ? "" : kernel->second);
#endif
  } else {
    throw Error(Errc::kBadConfig, "engine spec '" + spec +
                                      "': `vshard serve` hosts an engine (model, verilator, "
                                      "opencl, xrt), not another offload transport");
  }
  throw Error(Errc::kDeviceNotFound,
              "engine spec '" + spec + "': the " + p.backend +
                  " backend is not built into this binary (docs/driver.md says how to enable it)");
}

}  // namespace vshard::driver
