// `ukairo ledger verify|stats --ledger DIR`: audit a ledger directory.
//
// Both open the ledger read-only, so they can run beside a live gateway's
// ledger copy and can inspect a damaged ledger that a writable open refuses.
//   verify: walks the hash chain; exit 0 intact, 1 names the first bad seq,
//           2 when the directory cannot be opened.
//   stats:  events by kind, time span and size; --json for programs.
// Long walks print progress on stderr when stderr is a terminal.
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

using ledger::Ledger;

constexpr uint64_t kProgressEveryEvents = 1 << 16;

struct LedgerFlags {
  std::string dir;
  bool json = false;
};

bool StderrIsTty() { return isatty(STDERR_FILENO) == 1; }

void Progress(const char* what, uint64_t done, uint64_t total) {
  std::fprintf(stderr, "\r%s: %" PRIu64 " / %" PRIu64 " events", what, done, total);
  std::fflush(stderr);
}

// Returns nullptr (after printing why) when the ledger cannot be opened.
std::unique_ptr<Ledger> OpenReadOnly(const std::string& dir) {
  ledger::LedgerOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  Result<std::unique_ptr<Ledger>> opened = Ledger::Open(dir, options);
  if (!opened.ok()) {
    std::cerr << "ukairo ledger: cannot open " << dir << ": " << opened.status().ToString()
              << "\n";
    return nullptr;
  }
  return std::move(opened).value();
}

int RunVerify(const LedgerFlags& flags) {
  std::unique_ptr<Ledger> ledger = OpenReadOnly(flags.dir);
  if (ledger == nullptr) return kExitUsage;
  const bool tty = StderrIsTty();
  Ledger::VerifyProgress progress;
  if (tty) progress = [](uint64_t done, uint64_t total) { Progress("verify", done, total); };
  Result<ledger::ChainReport> report = ledger->VerifyChain(progress);
  if (tty) std::fputc('\n', stderr);
  if (!report.ok()) {
    std::cerr << "ukairo ledger verify: " << report.status().ToString() << "\n";
    return kExitFailed;
  }
  if (report->first_bad_seq) {
    std::cout << "FAILED: first bad seq " << *report->first_bad_seq << ": " << report->problem
              << " (" << report->events_checked << " events verified before it)\n";
    return kExitFailed;
  }
  std::cout << "ok: " << report->events_checked << " events, hash chain intact\n";
  return kExitOk;
}

int RunStats(const LedgerFlags& flags) {
  std::unique_ptr<Ledger> ledger = OpenReadOnly(flags.dir);
  if (ledger == nullptr) return kExitUsage;
  Result<ledger::LedgerStats> stats = ledger->Stats();
  if (!stats.ok()) {
    std::cerr << "ukairo ledger stats: " << stats.status().ToString() << "\n";
    return kExitFailed;
  }
  const bool tty = StderrIsTty();
  std::map<std::string, uint64_t> by_kind;
  uint64_t walked = 0;
  auto it = ledger->Scan({});
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++by_kind[ledger::KindName(it->event().body)];
    if (tty && ++walked % kProgressEveryEvents == 0) Progress("stats", walked, stats->last_seq);
  }
  if (tty) std::fputc('\n', stderr);
  if (!it->status().ok()) {
    std::cerr << "ukairo ledger stats: " << it->status().ToString() << "\n";
    return kExitFailed;
  }
  const bool empty = stats->last_seq == 0;
  if (flags.json) {
    nlohmann::json out;
    out["events"] = stats->events;
    out["last_seq"] = stats->last_seq;
    out["time_first_micros"] = stats->time_first_micros;
    out["time_last_micros"] = stats->time_last_micros;
    out["time_first"] = empty ? "" : FormatIso8601(stats->time_first_micros);
    out["time_last"] = empty ? "" : FormatIso8601(stats->time_last_micros);
    out["size_bytes"] = stats->size_bytes;
    out["events_by_kind"] = by_kind;
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "events:     " << stats->events << " (last seq " << stats->last_seq << ")\n";
  if (!empty) {
    std::cout << "time span:  " << FormatIso8601(stats->time_first_micros) << " .. "
              << FormatIso8601(stats->time_last_micros) << "\n";
  }
  std::cout << "size:       " << stats->size_bytes << " bytes\n";
  for (const auto& [kind, count] : by_kind) std::cout << "  " << kind << ": " << count << "\n";
  return kExitOk;
}

const RegisterCommand kRegister(40, [](CLI::App& root, int* exit_code) {
  CLI::App* group = root.add_subcommand("ledger", "Audit a ledger directory (read-only)");
  group->require_subcommand(1);
  auto flags = std::make_shared<LedgerFlags>();

  CLI::App* verify = group->add_subcommand(
      "verify", "Walk the hash chain; exit 1 and name the first bad seq if it is broken");
  verify->add_option("--ledger", flags->dir, "Ledger directory")->required();
  verify->callback([flags, exit_code] { *exit_code = RunVerify(*flags); });

  CLI::App* stats = group->add_subcommand("stats", "Events by kind, time span and size");
  stats->add_option("--ledger", flags->dir, "Ledger directory")->required();
  stats->add_flag("--json", flags->json, "Print JSON");
  stats->callback([flags, exit_code] { *exit_code = RunStats(*flags); });
});

}  // namespace
}  // namespace ukairo::tools
