// How a subcommand plugs into the `ukairo` binary.
//
// Each tools/cmd_*.cc defines one static RegisterCommand; main() adds every
// registered command to the CLI11 app. A command's callback stores its exit
// code in *exit_code: 0 success, 1 the check or job failed, 2 usage or input
// error (bad flags, bad config, unreadable file). Scripts may rely on these.
//
// A command with subcommands (`audit`, `ledger`, `gate`, `config`) declares
// each option on the subcommands that take it, never on the group just to
// share it: main() lets every subcommand option be typed before the
// subcommand's name as well (`ukairo ledger --ledger DIR verify` ==
// `ukairo ledger verify --ledger DIR`) and hands it over, so each
// subcommand's --help lists what it takes. main() owns the subcommands'
// preparse_callback for this.
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
