// vshard: the command-line front end. See `vshard --help`.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "vshard/error.h"

int main(int argc, char** argv) {
  CLI::App app{"vshard: FPGA co-scheduler for hypervisors (golden model, RTL, driver, simulator)"};
  app.require_subcommand(1);
  int exit_code = 0;
#ifdef VSHARD_CMD_REPLAY
  vshard::cli::register_replay(app, exit_code);
#endif
#ifdef VSHARD_CMD_DIFF
  vshard::cli::register_diff(app, exit_code);
#endif
#ifdef VSHARD_CMD_BENCH
  vshard::cli::register_bench(app, exit_code);
#endif
#ifdef VSHARD_CMD_INFO
  vshard::cli::register_info(app, exit_code);
#endif
#ifdef VSHARD_CMD_SIM
  vshard::cli::register_sim(app, exit_code);
#endif
#ifdef VSHARD_CMD_SWEEP
  vshard::cli::register_sweep(app, exit_code);
#endif
#ifdef VSHARD_CMD_SERVE
  vshard::cli::register_serve(app, exit_code);
#endif
#ifdef VSHARD_CMD_BENCH_OFFLOAD
  vshard::cli::register_bench_offload(app, exit_code);
#endif
#ifdef VSHARD_CMD_AGENT
  vshard::cli::register_agent(app, exit_code);
#endif
  // CLI11 would only say "A subcommand is required" for a misspelt one.
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (CLI::App* sub : app.get_subcommands({})) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
      known = known || sub->check_name(argv[1]);
    }
    if (!known) {
      std::fprintf(stderr, "vshard: unknown subcommand '%s': the subcommands are %s (vshard --help)\n", argv[1],
                   names.c_str());
      return 1;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) { return app.exit(e); } catch (const vshard::Error& e) {
    std::fprintf(stderr, "vshard: error (%s): %s\n", vshard::errc_name(e.code()), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vshard: error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}
