// `ukairo report --ledger DIR [--out evidence]`: the evidence reports
// E-2201..E-2204 (tools/evidence_report.h), generated only from the ledger
// and reproducible. Exit 0 written, 1 a write failed, 2 unreadable ledger.
#include <iostream>

#include "ledger/ledger.h"
#include "tools/command.h"
#include "tools/evidence_report.h"

namespace ukairo::tools {
namespace {

struct Options {
  std::string ledger;
  std::string out = "evidence";
};

int Run(const Options& o) {
  ledger::LedgerOptions lo;
  lo.read_only = true;
  lo.create_if_missing = false;
  auto ledger = ledger::Ledger::Open(o.ledger, lo);
  if (!ledger.ok()) {
    std::cerr << "ukairo report: cannot open " << o.ledger << ": " << ledger.status().ToString()
              << "\n";
    return kExitUsage;
  }
  auto counts = WriteEvidence(**ledger, o.out);
  if (!counts.ok()) {
    std::cerr << "ukairo report: " << counts.status().ToString() << "\n";
    return kExitFailed;
  }
  std::cout << "evidence from " << counts->events << " events written to " << o.out << "/: "
            << counts->configs << " config (E-2201), " << counts->budget_files
            << " budget (E-2202), " << counts->fallback_episodes << " fallback episodes (E-2203), "
            << counts->recoveries << " recoveries (E-2204)\n";
  return kExitOk;
}

RegisterCommand registration(50, [](CLI::App& root, int* exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd =
      root.add_subcommand("report", "Write the evidence reports E-2201..E-2204 from a ledger");
  cmd->add_option("--ledger", o->ledger, "Ledger directory")->required();
  cmd->add_option("--out", o->out, "Evidence root")->capture_default_str();
  cmd->footer("Files: config/, budget/YYYYMMDD_budget_consumption.md, fallback/, recovery/.");
  cmd->callback([o, exit_code] { *exit_code = Run(*o); });
});

}  // namespace
}  // namespace ukairo::tools
