// `ukairo import`: a LiteLLM spend-log export becomes a new ukairo ledger of
// recorded requests (sim/spend_log_import.h), for `replay`, `audit` and
// `report`. Two passes: the first reads and checks every row (fields, time
// order) and writes nothing, so a bad row leaves no partial ledger; the
// second writes. Exit 0 imported, 2 bad flags or input (naming file:line),
// 1 when the ledger could not be written. Progress on stderr only when it
// is a terminal.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/spend_log.h"
#include "sim/spend_log_import.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

struct ImportFlags {
  std::string from;
  std::string format = "litellm";
  std::string ledger_dir;
  std::string config;
  int64_t reorder_window_s = 600;
  bool quiet = false;
};

int Fail(int code, const std::string& message) {
  std::cerr << "ukairo import: " << message << "\n";
  return code;
}

Result<sim::SpendLogFormat> ParseFormat(const std::string& name) {
  if (name == "litellm") return sim::SpendLogFormat::kJsonl;
  if (name == "litellm-csv") return sim::SpendLogFormat::kCsv;
  return Status::InvalidArgument("--format must be litellm (JSONL) or litellm-csv, not '" + name +
                                 "'");
}

// One pass over the file; `dry_run` writes nothing.
Status Pass(const ImportFlags& f, sim::SpendLogFormat format, ledger::Ledger* ledger,
            sim::ImportOptions options, bool dry_run, const char* label,
            sim::ImportStats* stats, uint64_t* rounded) {
  UKAIRO_ASSIGN_OR_RETURN(auto reader, sim::SpendLogReader::Open(f.from, format));
  options.dry_run = dry_run;
  if (!f.quiet && isatty(STDERR_FILENO) == 1) {
    const auto start = std::chrono::steady_clock::now();
    options.on_progress = [start, label](uint64_t rows) {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "\r  %s: %llu rows  %.0f rows/s   ", label,
                   static_cast<unsigned long long>(rows), s > 0 ? rows / s : 0.0);
    };
  }
  Status s = sim::ImportSpendLog(*reader, ledger, options, stats);
  if (options.on_progress) std::fprintf(stderr, "\r%60s\r", "");
  *rounded = reader->rows_spend_rounded();
  return s;
}

int Run(const ImportFlags& f) {
  auto format = ParseFormat(f.format);
  if (!format.ok()) return Fail(kExitUsage, format.status().message());
  if (f.reorder_window_s < 0) return Fail(kExitUsage, "--reorder-window-s must be >= 0");
  sim::ImportOptions options;
  options.reorder_window_micros = f.reorder_window_s * 1'000'000;
  if (!f.config.empty()) {
    auto config = router::LoadConfigFile(f.config);
    if (!config.ok()) return Fail(kExitUsage, config.status().message());
    options.config = *config;
  }
  auto ledger = ledger::Ledger::Open(f.ledger_dir, ledger::LedgerOptions{});
  if (!ledger.ok()) return Fail(kExitFailed, "--ledger: " + ledger.status().message());
  if ((*ledger)->LastSeq() != 0) {
    return Fail(kExitUsage, "--ledger " + f.ledger_dir +
                                " is not empty: import into a new directory (a ledger is "
                                "append-only, and imported history must not mix with live events)");
  }
  sim::ImportStats checked, written;
  uint64_t rounded = 0;
  Status check = Pass(f, *format, ledger->get(), options, /*dry_run=*/true, "checking", &checked,
                      &rounded);
  if (!check.ok()) return Fail(kExitUsage, check.message());
  Status write = Pass(f, *format, ledger->get(), options, /*dry_run=*/false, "writing", &written,
                      &rounded);
  if (!write.ok()) return Fail(kExitFailed, write.message());
  if (!f.quiet) {
    std::cerr << "ukairo import: " << written.rows << " requests (" << written.rows_failed
              << " failed), " << written.events << " events, spend "
              << FormatNanosAsUsd(written.spend_nanos) << " USD, "
              << (written.rows ? FormatIso8601(written.first_micros) : "-") << " .. "
              << (written.rows ? FormatIso8601(written.last_micros) : "-") << " into "
              << f.ledger_dir << "\n";
    if (rounded > 0) {
      std::cerr << "ukairo import: " << rounded
                << " spends finer than 1 nano-USD were rounded up to the next nano-USD\n";
    }
    if (written.tags_defaulted > 0) {
      std::cerr << "ukairo import: " << written.tags_defaulted
                << " requests had a tag the config does not know: recorded under its "
                   "default_tag\n";
    }
    if (written.key_ids_dropped > 0) {
      std::cerr << "ukairo import: " << written.key_ids_dropped
                << " api_key values were not SHA-256 digests and were not stored\n";
    }
  }
  return kExitOk;
}

RegisterCommand reg(33, [](CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* cmd = root.add_subcommand(
      "import",
      "Turn a LiteLLM spend-log export into a new ukairo ledger of recorded requests, so "
      "`ukairo replay` can run last month's LiteLLM traffic through a new config.");
  cmd->add_option("--from", flags->from, "the spend-log export (LiteLLM_SpendLogs rows)")
      ->required();
  cmd->add_option("--format", flags->format,
                  "litellm (one JSON object per line) or litellm-csv (a header line)")
      ->capture_default_str();
  cmd->add_option("--ledger", flags->ledger_dir, "the new ledger directory (must be empty)")
      ->required();
  cmd->add_option("--config", flags->config,
                  "the LiteLLM/ukairo config the traffic ran under: unknown tags become its "
                  "default_tag and each request gets its tag's tier");
  cmd->add_option("--reorder-window-s", flags->reorder_window_s,
                  "rows may start up to this many seconds before the latest start seen "
                  "(exports in endTime order need the longest request's duration)")
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", flags->quiet, "no summary lines, no progress");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
});

}  // namespace
}  // namespace ukairo::tools
