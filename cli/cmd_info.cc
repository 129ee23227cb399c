// `vshard info --device SPEC`: opens a device through the driver and prints
// its identity, parameters, backend details (e.g. the OpenCL device of the
// opencl backend), configuration, prestaged table and counters.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "vshard/device.h"
#include "vshard/error.h"
#include "vshard/event_log.h"
#include "vshard/regs.h"

namespace vshard::cli {

namespace {

void info(const std::string& spec, bool reset) {
  DeviceOptions opt;
  opt.probe_only = !reset;  // leave a running engine alone unless asked
  auto dev = Device::open(spec, opt);
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
  cmd->callback([spec, positional, reset] { info(positional->empty() ? *spec : *positional, *reset); });
}

}  // namespace vshard::cli
