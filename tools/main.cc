// ukairo: the one command-line binary. Subcommands live in tools/cmd_*.cc.
#include <algorithm>
#include <iostream>
#include <vector>

#include "tools/command.h"

namespace ukairo::tools {
namespace {

std::vector<std::pair<int, CommandSetup>>& Registry() {
  static std::vector<std::pair<int, CommandSetup>> registry;
  return registry;
}

}  // namespace

RegisterCommand::RegisterCommand(int order, CommandSetup setup) {
  Registry().emplace_back(order, std::move(setup));
}

}  // namespace ukairo::tools

int main(int argc, char** argv) {
  using namespace ukairo::tools;
  CLI::App app{
      "ukairo: an LLM gateway whose every decision lives in an event-sourced budget\n"
      "ledger, with a simulator that replays traffic through the same router core."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ukairo 0.1.0");
  int exit_code = kExitOk;
  auto& registry = Registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : registry) setup(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
