// How a subcommand plugs into the `ukairo` binary.
//
// Each tools/cmd_*.cc defines one static RegisterCommand; main() adds every
// registered command to the CLI11 app. A command's callback stores its exit
// code in *exit_code: 0 success, 1 the check or job failed, 2 usage or input
// error (bad flags, bad config, unreadable file). Scripts may rely on these.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace ukairo::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

using CommandSetup = std::function<void(CLI::App& root, int* exit_code)>;

struct RegisterCommand {
  // `order` sorts commands in --help (lower first).
  RegisterCommand(int order, CommandSetup setup);
};

}  // namespace ukairo::tools
