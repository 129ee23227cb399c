// `vshard replay`: runs the golden model over an event log.
// `vshard gen`: writes a random event log made by the seeded generator.
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "commands.h"
#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/event_log.h"
#include "vshard/model.h"

namespace vshard::cli {

namespace {

struct ReplayOpts {
  std::string path;
  bool text = false;
  bool quiet = false;
  bool show_events = false;
  std::string config;
};

void replay(const ReplayOpts& o) {
  std::optional<Params> fallback;
  if (!o.config.empty()) fallback = Params::named(o.config);
  EventLog log;
  if (o.text) {
    // Forced text form: read the file without the magic check.
    std::FILE* f = std::fopen(o.path.c_str(), "rb");
    if (!f) throw Error(Errc::kIo, "cannot open event log '" + o.path + "' for reading: check the path");
    std::string data;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
    std::fclose(f);
    log = parse_event_log_text(data, o.path, fallback);
  } else {
    log = load_event_log(o.path, fallback);
  }
  Model model(log.params);
  Decision out[kMaxDecisionsPerEvent];
  std::map<uint8_t, uint64_t> by_type, by_error;
  for (const Event& e : log.events) {
    const size_t n = model.step(e, out);
    if (o.show_events && !o.quiet) std::printf("> %s\n", format_event(e).c_str());
    for (size_t i = 0; i < n; ++i) {
      ++by_type[out[i].type];
      if (out[i].type == static_cast<uint8_t>(DecisionType::kError)) ++by_error[out[i].b8];
      if (!o.quiet) std::printf("%s\n", format_decision(out[i]).c_str());
    }
  }
  const Params& p = log.params;
  const Counters& c = model.counters();
  std::printf("# summary: %s\n", o.path.c_str());
  std::printf("params      cores=%u vcpus=%u nodes=%u max_shards=%u\n", p.cores, p.vcpus, p.nodes, p.max_shards);
  std::printf("events      %zu\n", log.events.size());
  std::printf("decisions   %u\n", c.decisions);
  for (auto [t, k] : by_type) std::printf("  %-10s %llu\n", decision_type_name(t), static_cast<unsigned long long>(k));
  std::printf("errors      %u\n", c.errors);
  for (auto [code, k] : by_error)
    std::printf("  %-16s %llu\n", error_code_name(code), static_cast<unsigned long long>(k));
  std::printf("preemptions %u\nshards      %u\ncommits     %u\naborts      %u\n", c.preempts, c.shards, c.commits,
              c.aborts);
  std::printf("err_sticky  0x%08X (last error: seq=%u code=%s)\n", model.err_sticky(), model.last_err_seq(),
              model.err_sticky() ? error_code_name(model.last_err_code()) : "none");
  std::printf("prestage table (node: kind core vcpu epoch)\n");
  for (uint32_t n = 0; n < p.nodes; ++n) {
    const PrestageEntry e = model.prestage(n);
    std::printf("  %u: %-7s core=%u vcpu=%u epoch=%u\n", n, prestage_kind_name(e.kind), e.core, e.vcpu, e.epoch);
  }
}

struct GenOpts {
  std::string config = "small";
  uint64_t events = 1000;
  uint64_t seed = 1;
  std::string out;
  bool text = false;
  double bad = EventGenOptions{}.bad_fraction;
  double config_fraction = EventGenOptions{}.config_fraction;
  bool no_setup = false;
};

void gen(const GenOpts& o) {
  const Params p = Params::named(o.config);
  if (o.bad < 0 || o.bad > 1 || o.config_fraction < 0 || o.config_fraction > 1)
    throw Error(Errc::kBadConfig, "--bad-fraction and --config-fraction must be in 0..1");
  EventGenOptions go;
  go.bad_fraction = o.bad;
  go.config_fraction = o.config_fraction;
  go.setup = !o.no_setup;
  const EventLog log = generate_event_log(p, o.seed, o.events, go);
  save_event_log(o.out, log, o.text ? LogFormat::kText : LogFormat::kBinary);
  std::printf("wrote %zu events (%s, seed %llu) to %s (%s form)\n", log.events.size(), o.config.c_str(),
              static_cast<unsigned long long>(o.seed), o.out.c_str(), o.text ? "text" : "binary");
}

}  // namespace

void register_replay(CLI::App& app, int& exit_code) {
  (void)exit_code;
  auto ro = std::make_shared<ReplayOpts>();
  CLI::App* r = app.add_subcommand(
      "replay",
      "Run the golden model (docs/spec.md) over an event log and print its decisions and a summary.\n"
      "The log is binary (.evlog, magic VSEL, parameters in its header) or text (.evlog.txt, one event per\n"
      "line, e.g. 'WAKE seq=7 vcpu=3 lat=1'); the form is detected by the magic. A text log takes its\n"
      "parameters from a '# params cores=8 vcpus=64 nodes=2 max_shards=4' (or '# params small') line,\n"
      "else from --config.");
  r->add_option("log", ro->path, "event log file")->required();
  r->add_flag("--text", ro->text, "read LOG as a text log even if it looks binary");
  r->add_flag("-q,--quiet", ro->quiet, "print only the summary");
  r->add_flag("--events", ro->show_events, "print each event ('> ...') before its decisions");
  r->add_option("--config", ro->config, "parameters for a text log without a '# params' line: small, large or max")
      ->check(CLI::IsMember({"small", "large", "max"}));
  r->callback([ro] { replay(*ro); });

  auto go = std::make_shared<GenOpts>();
  CLI::App* g = app.add_subcommand(
      "gen", "Write a random event log made by the seeded generator (same seed, same log, on every machine).");
  g->add_option("--config", go->config, "engine parameters: small, large or max")
      ->check(CLI::IsMember({"small", "large", "max"}))
      ->capture_default_str();
  g->add_option("--events", go->events, "number of events")
      ->check(number_in(0, double(kMaxEventLogEvents)))
      ->capture_default_str();
  g->add_option("--seed", go->seed, "random seed")->capture_default_str();
  g->add_option("--out", go->out, "output file")->required();
  g->add_flag("--text", go->text, "write the text form instead of binary");
  g->add_option("--bad-fraction", go->bad, "fraction of events built to be rejected")
      ->check(number_in(0, 1))
      ->capture_default_str();
  g->add_option("--config-fraction", go->config_fraction, "fraction of CONFIG events")
      ->check(number_in(0, 1))
      ->capture_default_str();
  g->add_flag("--no-setup", go->no_setup, "omit the prologue (core nodes, vCPU homes, profiles)");
  g->callback([go] { gen(*go); });
}

}  // namespace vshard::cli
