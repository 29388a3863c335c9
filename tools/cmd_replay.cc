// `ukairo replay`: the requests a ledger recorded, replayed through a (new)
// config in virtual time. Attempts the recording made reuse its outcomes,
// latencies and tokens; attempts it never made go to the provider model
// (--scenario, or healthy defaults). Prints the simulate summary JSON with a
// "replay" object added (how many calls came from the recording). Exit 0 when
// the replay ran, 2 for bad flags or inputs, 1 when the run itself failed.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/ledger_sink.h"
#include "sim/replay_run.h"
#include "sim/report_html.h"
#include "sim/report_json.h"
#include "sim/report_series.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

struct ReplayFlags {
  std::string ledger_dir;
  std::string config;
  std::string since;
  std::string until;
  std::string scenario;
  std::string out;
  std::string html;
  std::optional<uint64_t> seed;
  uint64_t core_seed = 1;
  std::string write_ledger;
  bool quiet = false;
  bool no_fit_latency = false;
};

int Fail(int code, const std::string& message) {
  std::cerr << "ukairo replay: " << message << "\n";
  return code;
}

Result<std::optional<int64_t>> OptionalTime(const std::string& flag, const std::string& text) {
  if (text.empty()) return std::optional<int64_t>();
  auto t = ParseIso8601(text);
  if (!t.ok()) return Status::InvalidArgument(flag + ": " + t.status().message());
  return std::optional<int64_t>(*t);
}

// The summary JSON with the replay's own counts added under "replay" and the
// month-end forecast when the series supports one.
nlohmann::ordered_json WithReplaySection(const std::string& summary_json,
                                         const sim::ReplayResult& r,
                                         const sim::ReportSeries& series) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(summary_json);
  if (auto forecast = sim::ForecastMonthEnd(series, 0)) {
    j["forecast"] = sim::ForecastJson(*forecast);
  }
  j["replay"] = {
      {"recorded_requests", r.records},
      {"calls_replayed", r.replay.calls_replayed},
      {"calls_modelled", r.replay.calls_modelled},
      {"replayed_cut_by_timeout", r.replay.replayed_cut_by_timeout},
      {"probes_replayed", r.replay.probes_replayed},
      {"probes_modelled", r.replay.probes_modelled},
      {"latency_fitted_deployments", r.fitted.size()},
      {"state_events_before_since", r.state_events},
      {"state_open_reservations_expired", r.state_open_reservations},
  };
  return j;
}

int Run(const ReplayFlags& f) {
  auto config = router::LoadConfigFile(f.config);
  if (!config.ok()) return Fail(kExitUsage, config.status().message());
  sim::ReplayOptions opts;
  auto since = OptionalTime("--since", f.since);
  if (!since.ok()) return Fail(kExitUsage, since.status().message());
  auto until = OptionalTime("--until", f.until);
  if (!until.ok()) return Fail(kExitUsage, until.status().message());
  opts.since_micros = *since;
  opts.until_micros = *until;
  opts.core_seed = f.core_seed;
  opts.fit_latency = !f.no_fit_latency;
  ledger::LedgerOptions lo;
  lo.read_only = true;
  lo.create_if_missing = false;
  auto recorded = ledger::Ledger::Open(f.ledger_dir, lo);
  if (!recorded.ok()) return Fail(kExitUsage, "--ledger: " + recorded.status().message());
  auto first = sim::FirstRecordedArrival(recorded->get(), opts);
  if (!first.ok()) return Fail(kExitFailed, first.status().message());
  if (!first->has_value()) return Fail(kExitUsage, "no recorded requests in the range");
  sim::Scenario scenario = sim::Scenario::Healthy();
  if (!f.scenario.empty()) {
    auto s = sim::Scenario::Load(f.scenario, **first);
    if (!s.ok()) return Fail(kExitUsage, s.status().message());
    scenario = std::move(*s);
  }
  opts.seed = f.seed ? *f.seed : scenario.seed.value_or(1);
  std::unique_ptr<ledger::Ledger> out_ledger;
  std::unique_ptr<sim::LedgerSink> sink;
  if (!f.write_ledger.empty()) {
    auto l = ledger::Ledger::Open(f.write_ledger, ledger::LedgerOptions{});
    if (!l.ok()) return Fail(kExitFailed, "--write-ledger: " + l.status().message());
    out_ledger = std::move(*l);
    if (out_ledger->LastSeq() != 0) {
      return Fail(kExitUsage, "--write-ledger " + f.write_ledger + " is not empty");
    }
    sink = std::make_unique<sim::LedgerSink>(out_ledger.get());
  }
  if (!f.quiet) {
    std::cerr << "ukairo replay: " << f.ledger_dir << " from " << FormatIso8601(**first)
              << " through " << f.config << ", seed " << opts.seed << ", core seed "
              << opts.core_seed << ", scenario '" << scenario.name << "'\n";
  }
  const auto wall_start = std::chrono::steady_clock::now();
  // Rate and ETA on stderr, rewritten in place; only for a terminal.
  const bool progress = isatty(STDERR_FILENO) == 1 && !f.quiet;
  if (progress) {
    const int64_t start = **first;
    const int64_t end = opts.until_micros.value_or((*recorded)->LastTimeMicros());
    opts.on_progress = [wall_start, start, end](int64_t now, uint64_t arrivals) {
      double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      double done =
          end > start ? static_cast<double>(now - start) / static_cast<double>(end - start) : 1.0;
      double rate = elapsed > 0 ? static_cast<double>(arrivals) / elapsed : 0;
      double eta = done > 0 ? elapsed * (1 - done) / done : 0;
      std::fprintf(stderr, "\r  %5.1f%%  %llu requests  %.0f req/s  ETA %.1f s   ", 100 * done,
                   static_cast<unsigned long long>(arrivals), rate, eta);
    };
  }
  sim::SummaryBuilder summary;
  sim::ReportSeries series(*config);
  sim::TeeSink tee(&series, sink.get());
  sim::EventSink* all = sink == nullptr ? static_cast<sim::EventSink*>(&series) : &tee;
  auto result = sim::RunReplay(recorded->get(), *config, scenario, opts, summary, all);
  if (progress) std::fprintf(stderr, "\r%70s\r", "");
  if (!result.ok()) return Fail(kExitFailed, result.status().message());
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  sim::RunInfo info;
  info.seed = opts.seed;
  info.config_source = f.config;
  info.config_sha256_hex = (*config)->sha256_hex;
  info.scenario = scenario.name;
  info.trace = f.ledger_dir;
  info.trace_format = "ledger";
  info.start_micros = result->stats.start_micros;
  info.end_micros = opts.until_micros.value_or(result->stats.last_time_micros);
  info.days = 0;
  info.trace_records_read = result->records;
  info.arrivals_out_of_order = result->stats.arrivals_out_of_order;
  const nlohmann::ordered_json doc = WithReplaySection(summary.ToJson(info), *result, series);
  const std::string json = doc.dump(2) + "\n";
  int rc = kExitOk;
  if (f.out.empty() || f.out == "-") {
    std::cout << json;
  } else {
    std::ofstream out(f.out, std::ios::binary);
    out << json;
    if (!out) rc = Fail(kExitFailed, "cannot write " + f.out);
  }
  if (rc == kExitOk && !f.html.empty()) {
    const std::string html = sim::RenderHtmlReport({{"", &doc, &series}}, nullptr);
    std::ofstream out(f.html, std::ios::binary);
    out << html;
    if (!out) {
      rc = Fail(kExitFailed, "cannot write " + f.html);
    } else if (!f.quiet) {
      std::cerr << "ukairo replay: HTML report written to " << f.html << " ("
                << html.size() / 1024 << " KiB, self-contained)\n";
    }
  }
  if (!f.quiet) {
    if (opts.since_micros) {
      std::fprintf(stderr,
                   "ukairo replay: started from the recorded state at --since: %llu events "
                   "folded, %llu reservations of requests in flight expired\n",
                   static_cast<unsigned long long>(result->state_events),
                   static_cast<unsigned long long>(result->state_open_reservations));
    }
    std::cerr << "ukairo replay: provider model for attempts never recorded:\n"
              << result->providers;
    std::fprintf(stderr,
                 "ukairo replay: %llu requests, %llu calls replayed, %llu modelled, in %.2f s\n",
                 static_cast<unsigned long long>(result->records),
                 static_cast<unsigned long long>(result->replay.calls_replayed),
                 static_cast<unsigned long long>(result->replay.calls_modelled), wall_s);
  }
  return rc;
}

RegisterCommand reg(31, [](CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* cmd = root.add_subcommand(
      "replay",
      "Replay the requests a ledger recorded through a (new) config in virtual time: recorded "
      "attempts reuse their outcomes, new ones use the provider model. Prints the summary JSON.");
  cmd->add_option("--ledger", flags->ledger_dir, "the recorded ledger (opened read-only)")
      ->required();
  cmd->add_option("--config", flags->config, "the config to replay through")->required();
  cmd->add_option("--since", flags->since, "first recorded request time (ISO-8601, inclusive)");
  cmd->add_option("--until", flags->until, "end of the range (ISO-8601, exclusive)");
  cmd->add_option("--scenario", flags->scenario,
                  "fault scenario for attempts the recording never made (default: healthy); "
                  "offsets count from the first replayed request");
  cmd->add_option("--html", flags->html,
                  "also write the self-contained HTML report (as `simulate --html`)");
  cmd->add_option("--out", flags->out, "write the summary JSON here (default: stdout)");
  cmd->add_option("--seed", flags->seed,
                  "seed of the provider model (default: the scenario's, else 1)");
  cmd->add_option("--core-seed", flags->core_seed,
                  "the router core's seed: the recording gateway's --seed, so balancing repeats")
      ->capture_default_str();
  cmd->add_option("--write-ledger", flags->write_ledger,
                  "also write every simulated event to a new ledger in DIR");
  cmd->add_flag("--no-fit-latency", flags->no_fit_latency,
                "model new attempts' latency from the scenario, not from the recorded latencies "
                "of their deployment");
  cmd->add_flag("--quiet,-q", flags->quiet, "no startup and end lines");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
});

}  // namespace
}  // namespace ukairo::tools
