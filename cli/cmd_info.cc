// `vshard info --device SPEC`: opens a device through the driver and prints
// its identity, parameters, backend details (e.g. the OpenCL device of the
// opencl backend), configuration, prestaged table and counters; with
// --metrics the same in the OpenMetrics text format (docs/observability.md).
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "vshard/device.h"
#include "vshard/error.h"
#include "vshard/event_log.h"
#include "vshard/metrics.h"
#include "vshard/regs.h"

namespace vshard::cli {

namespace {

std::string hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

// What info() prints, as OpenMetrics: identity as info metrics, parameters,
// status, configuration and the prestaged table as gauges, the device's and
// the driver's counters as counters.
std::string info_metrics(Device& dev, const std::string& spec) {
  using metrics::Labels;
  metrics::Exposition m;
  const DeviceIdentity& id = dev.identity();
  const Params& p = id.params;
  const Labels dl{{"device", spec}};
  m.info("vshard_device", "the device opened (spec, backend) and its identity block",
         {{"device", spec},
          {"backend", dev.backend_name()},
          {"magic", hex(id.magic)},
          {"version", std::to_string(id.version >> 16) + "." + std::to_string(id.version & 0xFFFF)}});
  for (const auto& [name, value] : dev.backend_details())
    m.info("vshard_device_backend_detail", "what the backend says about itself (name, value)",
           {{"device", spec}, {"name", name}, {"value", value}});
  m.gauge("vshard_device_descriptor_bytes", "event and decision descriptor size", id.desc_bytes, dl, "bytes");
  m.gauge("vshard_device_cores", "NCores parameter", p.cores, dl);
  m.gauge("vshard_device_vcpus", "NVcpus parameter", p.vcpus, dl);
  m.gauge("vshard_device_nodes", "NNodes parameter", p.nodes, dl);
  m.gauge("vshard_device_max_shards", "MaxShards parameter", p.max_shards, dl);
  const uint32_t status = dev.read_register(regs::kStatus), sticky = dev.read_register(regs::kErrSticky);
  const char* bits[] = {"idle", "error", "enabled"};
  for (uint32_t b = 0; b < 3; ++b)
    m.gauge("vshard_device_status", "STATUS register bits (1 = set)", (status >> b) & 1,
            {{"device", spec}, {"bit", bits[b]}});
  m.gauge("vshard_device_err_sticky", "ERR_STICKY register (0 = no error seen)", sticky, dl);
  const EngineConfig cfg = dev.read_config();
  for (uint16_t key : EngineConfig::keys(p)) {
    const uint32_t v = cfg.get(key);
    const Labels l{{"device", spec}, {"key", config_key_name(key)}};
    if (key == cfg::kShardMinCredit) {
      m.gauge("vshard_device_config", "engine configuration registers (docs/spec.md section 5)",
              static_cast<int32_t>(v), l);
    } else {
      m.gauge("vshard_device_config", "engine configuration registers (docs/spec.md section 5)", v, l);
    }
  }
  for (uint32_t n = 0; n < p.nodes; ++n) {
    const uint32_t e = dev.read_register(regs::pre_entry(n)), epoch = dev.read_register(regs::pre_epoch(n));
    const std::string node = std::to_string(n);
    m.info("vshard_device_prestage", "prestaged entry per NUMA node (PRE_ENTRY)",
           {{"device", spec},
            {"node", node},
            {"kind", prestage_kind_name(static_cast<PrestageKind>(e & 3))},
            {"core", std::to_string((e >> 8) & 0xFF)},
            {"vcpu", std::to_string((e >> 16) & 0xFFF)}});
    m.gauge("vshard_device_prestage_epoch", "prestaged entry epoch per NUMA node (PRE_EPOCH)", epoch,
            {{"device", spec}, {"node", node}});
  }
  const Counters c = dev.device_counters();
  const struct {
    const char* name;
    const char* help;
    uint32_t v;
  } dc[] = {{"events", "events the engine processed", c.events},
            {"decisions", "decisions the engine wrote", c.decisions},
            {"errors", "error decisions", c.errors},
            {"preempts", "preemption decisions", c.preempts},
            {"shards", "shard decisions", c.shards},
            {"commits", "prestaged commits that held", c.commits},
            {"aborts", "prestaged commits aborted (stale epoch)", c.aborts}};
  for (const auto& x : dc)
    m.counter(std::string("vshard_device_") + x.name,
              std::string("device counter register: ") + x.help + " (32 bits, wraps)", x.v, dl);
  const DriverCounters& d = dev.counters();
  const struct {
    const char* name;
    const char* help;
    uint64_t v;
  } drc[] = {{"events_submitted", "events written to the event ring", d.events_submitted},
             {"events_completed", "events whose last decision was received", d.events_completed},
             {"decisions", "decisions received and validated", d.decisions},
             {"commits_held", "decisions with the COMMITTED flag", d.commits_held},
             {"aborts", "ABORT decisions", d.aborts},
             {"errors", "ERROR decisions", d.errors},
             {"ring_full", "submissions refused or delayed by a full event ring", d.ring_full},
             {"doorbells", "doorbell register writes", d.doorbells}};
  for (const auto& x : drc)
    m.counter(std::string("vshard_driver_") + x.name, std::string("driver counter: ") + x.help, x.v, dl);
  return m.text();
}

void info(const std::string& spec, bool reset, bool as_metrics) {
  DeviceOptions opt;
  opt.probe_only = !reset;  // leave a running engine alone unless asked
  auto dev = Device::open(spec, opt);
  if (as_metrics) {
    const std::string text = info_metrics(*dev, spec);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  const uint32_t status = dev->read_register(regs::kStatus), sticky = dev->read_register(regs::kErrSticky);
  const DeviceIdentity& id = dev->identity();
  const Params& p = id.params;
  std::printf("device      %s (backend %s)\n", dev->spec().c_str(), dev->backend_name());
  std::printf("magic       0x%08x\n", id.magic);
  std::printf("version     %u.%u (0x%08x)\n", id.version >> 16, id.version & 0xFFFF, id.version);
  std::printf("descriptor  %u bytes\n", id.desc_bytes);
  std::printf("status      0x%x (%s%s%s), ERR_STICKY=0x%x\n", status, status & 1 ? "IDLE " : "",
              status & 2 ? "ERROR " : "", status & 4 ? "ENABLED" : "", sticky);
  std::printf("parameters  NCores=%u NVcpus=%u NNodes=%u MaxShards=%u\n", p.cores, p.vcpus, p.nodes, p.max_shards);
  const auto details = dev->backend_details();
  if (!details.empty()) std::printf("\nbackend %s\n", dev->backend_name());
  for (const auto& [name, value] : details) std::printf("  %-14s %s\n", name.c_str(), value.c_str());

  std::printf("\nconfiguration%s\n", reset ? " (after the soft reset of open: spec reset values)" : "");
  const EngineConfig cfg = dev->read_config();
  for (uint16_t key : EngineConfig::keys(p)) {
    const uint32_t v = cfg.get(key);
    if (key == cfg::kShardMinCredit) {
      std::printf("  0x%02x %-20s %d\n", key, config_key_name(key).c_str(), static_cast<int32_t>(v));
    } else {
      std::printf("  0x%02x %-20s %u\n", key, config_key_name(key).c_str(), v);
    }
  }

  std::printf("\nprestaged table (PRE_ENTRY / PRE_EPOCH registers)\n");
  for (uint32_t n = 0; n < p.nodes; ++n) {
    const uint32_t e = dev->read_register(regs::pre_entry(n)), epoch = dev->read_register(regs::pre_epoch(n));
    std::printf("  node %u: %-7s core=%u vcpu=%u epoch=%u\n", n, prestage_kind_name(static_cast<PrestageKind>(e & 3)),
                (e >> 8) & 0xFF, (e >> 16) & 0xFFF, epoch);
  }

  const Counters c = dev->device_counters();
  std::printf("\ndevice counters\n");
  std::printf("  events=%u decisions=%u errors=%u preempts=%u shards=%u commits=%u aborts=%u\n", c.events, c.decisions,
              c.errors, c.preempts, c.shards, c.commits, c.aborts);
  const DriverCounters& d = dev->counters();
  std::printf("driver counters\n");
  std::printf(
      "  submitted=%llu completed=%llu decisions=%llu commits_held=%llu aborts=%llu errors=%llu "
      "ring_full=%llu doorbells=%llu\n",
      static_cast<unsigned long long>(d.events_submitted), static_cast<unsigned long long>(d.events_completed),
      static_cast<unsigned long long>(d.decisions), static_cast<unsigned long long>(d.commits_held),
      static_cast<unsigned long long>(d.aborts), static_cast<unsigned long long>(d.errors),
      static_cast<unsigned long long>(d.ring_full), static_cast<unsigned long long>(d.doorbells));
}

}  // namespace

void register_info(CLI::App& app, int& /*exit_code*/) {
  auto* cmd = app.add_subcommand("info",
                                 "Open a device through the driver and print its identity, "
                                 "parameters, configuration, prestaged table and counters");
  auto spec = std::make_shared<std::string>("model");
  cmd->add_option("--device,-d", *spec,
                  "device spec: model[?config=small|large|max], verilator[?config=small|large], "
                  "opencl[?config=small|large|max&device=<name part>], xrt://<index|bdf>?xclbin=<file>")
      ->capture_default_str();
  auto positional = std::make_shared<std::string>();
  auto* pos = cmd->add_option("spec", *positional, "device spec, as --device (vshard info opencl?config=small)");
  auto* dev = cmd->get_option("--device");
  pos->excludes(dev);
  dev->excludes(pos);
  auto reset = std::make_shared<bool>(false);
  cmd->add_flag("--reset", *reset, "open normally (soft reset, rings set up) instead of only probing the registers");
  auto as_metrics = std::make_shared<bool>(false);
  cmd->add_flag("--metrics", *as_metrics,
                "print the same in the OpenMetrics text format (identity as info metrics, counters as counters), "
                "for Prometheus or node_exporter's textfile collector (docs/observability.md)");
  cmd->callback(
      [spec, positional, reset, as_metrics] { info(positional->empty() ? *spec : *positional, *reset, *as_metrics); });
}

}  // namespace vshard::cli
