// `ukairo simulate`: runs a config against traffic in virtual time through
// the unchanged router core and prints the summary JSON (schema in
// sim/README.md), with a month-end spend forecast. --html writes a
// self-contained report; --compare runs a second config on the same traffic
// (same seed, fresh sources) and reports both side by side. Progress (rate,
// ETA) goes to stderr only when stderr is a terminal. Exit 0 when the
// simulation ran (whatever it found), 2 for bad flags or inputs, 1 when the
// run itself failed (e.g. the ledger).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/ledger_sink.h"
#include "sim/provider_model.h"
#include "sim/report_html.h"
#include "sim/report_json.h"
#include "sim/report_series.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/summary.h"
#include "sim/synthetic.h"
#include "sim/tag_mix.h"
#include "sim/traffic.h"
#include "tools/command.h"
#include "tools/traffic_flags.h"
#include "tools/traffic_open.h"

namespace ukairo::tools {
namespace {

struct SimulateFlags : TrafficFlags {
  std::string config;
  std::string out;
  std::string ledger_dir;
  std::string html;
  std::string compare;
  int32_t forecast_from_day = 0;  // 0: automatic (see sim/README.md)
  bool quiet = false;
};

int Fail(int code, const std::string& message) {
  std::cerr << "ukairo simulate: " << message << "\n";
  return code;
}

// Everything a run needs, built from the flags. Any failure to build it is
// a usage/input error (exit 2).
struct Inputs {
  std::shared_ptr<const router::Config> config;
  sim::Scenario scenario = sim::Scenario::Healthy();
  uint64_t seed = 1;
  RunTiming timing;
  int64_t end_micros = 0;              // 0 when the trace is replayed at its own times
  sim::TraceReader* reader = nullptr;  // owned by `source`
  std::unique_ptr<sim::TrafficSource> source;
  std::optional<sim::TagAssigner> tags;
  std::optional<sim::ProviderModel> providers;
};

Status Prepare(const SimulateFlags& f, const std::string& config_path, Inputs* in) {
  UKAIRO_ASSIGN_OR_RETURN(in->config, router::LoadConfigFile(config_path));
  UKAIRO_ASSIGN_OR_RETURN(in->timing, PlanRunTiming(f));
  if (!f.scenario.empty()) {
    UKAIRO_ASSIGN_OR_RETURN(in->scenario,
                            sim::Scenario::Load(f.scenario, in->timing.start_micros));
  }
  in->seed = f.seed ? *f.seed : in->scenario.seed.value_or(1);
  UKAIRO_ASSIGN_OR_RETURN(
      OpenedTraffic traffic,
      OpenTraffic(f, in->timing, in->seed, in->scenario, f.quiet ? nullptr : &std::cerr,
                  "ukairo simulate: "));
  in->source = std::move(traffic.source);
  in->reader = traffic.reader;
  in->end_micros = traffic.end_micros;
  const std::string& mix = f.tag.empty() && f.tag_mix.empty() ? in->scenario.tag_mix : f.tag_mix;
  UKAIRO_ASSIGN_OR_RETURN(
      in->tags,
      sim::TagAssigner::Make(f.tag, mix, sim::DeriveSeed(in->seed, sim::kSeedStreamTags)));
  UKAIRO_ASSIGN_OR_RETURN(in->providers, sim::ProviderModel::Make(
                                             in->scenario, *in->config,
                                             sim::DeriveSeed(in->seed, sim::kSeedStreamProviders)));
  return Status::Ok();
}

// Rate and ETA on stderr, rewritten in place; only for a terminal.
std::function<void(int64_t, uint64_t)> Progress(const Inputs& in) {
  const auto wall_start = std::chrono::steady_clock::now();
  const int64_t start = in.timing.start_micros, end = in.end_micros;
  return [wall_start, start, end](int64_t now, uint64_t arrivals) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    double done = static_cast<double>(now - start) / static_cast<double>(end - start);
    double rate = elapsed > 0 ? static_cast<double>(arrivals) / elapsed : 0;
    double eta = done > 0 ? elapsed * (1 - done) / done : 0;
    std::fprintf(stderr, "\r  %5.1f%%  %llu requests  %.0f req/s  ETA %.1f s   ", 100 * done,
                 static_cast<unsigned long long>(arrivals), rate, eta);
  };
}

// One simulated run and everything folded from it.
struct RunOutput {
  Inputs in;
  std::unique_ptr<sim::SummaryBuilder> summary = std::make_unique<sim::SummaryBuilder>();
  std::unique_ptr<sim::ReportSeries> series;
  sim::SimulationStats stats;
  nlohmann::ordered_json json;  // the summary, with "forecast" when there is one
};

// Only a trace replayed at its own times (--days 0) has times of its own to
// place; stretched and synthetic runs say nothing (their `start` is
// --start), so their summaries are as they were.
void AddTraceTimes(const RunTiming& timing, nlohmann::ordered_json* run) {
  if (!timing.own_times) return;
  (*run)["trace_times"] = timing.relative ? "relative" : "absolute";
  if (timing.relative) (*run)["trace_time_zero"] = FormatIso8601(timing.shift_micros);
}

nlohmann::ordered_json SummaryJson(const SimulateFlags& f, const std::string& config_path,
                                   const RunOutput& r) {
  const Inputs& in = r.in;
  sim::RunInfo info;
  info.seed = in.seed;
  info.config_source = config_path;
  info.config_sha256_hex = in.config->sha256_hex;
  info.scenario = in.scenario.name;
  info.trace = f.synthetic ? f.fit_tokens : f.trace;
  info.trace_format = f.synthetic ? "synthetic" : f.format;
  info.start_micros = r.stats.start_micros;
  info.end_micros = in.end_micros > 0 ? in.end_micros : r.stats.last_time_micros;
  info.days = f.days;
  info.trace_records_read = in.source->records_read();
  info.trace_lines_skipped = in.reader->skipped_lines();
  info.arrivals_out_of_order = r.stats.arrivals_out_of_order;
  nlohmann::ordered_json j = r.summary->ToJsonValue(info);
  AddTraceTimes(in.timing, &j["run"]);
  if (auto forecast = sim::ForecastMonthEnd(*r.series, f.forecast_from_day)) {
    j["forecast"] = sim::ForecastJson(*forecast);
  }
  return j;
}

int WriteText(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  return out ? kExitOk : Fail(kExitFailed, "cannot write " + path);
}

int WriteHtml(const SimulateFlags& f, const std::string& html) {
  int rc = WriteText(f.html, html);
  if (rc == kExitOk && !f.quiet) {
    std::cerr << "ukairo simulate: HTML report written to " << f.html << " (" << html.size() / 1024
              << " KiB, self-contained)\n";
  }
  return rc;
}

// Runs `config_path` against the flags' traffic; events also go to `sink`.
// Returns an exit code (kExitOk when the run finished).
int RunOne(const SimulateFlags& f, const std::string& config_path, sim::EventSink* sink,
           const std::string& label, RunOutput* r) {
  Status prepared = Prepare(f, config_path, &r->in);
  if (!prepared.ok()) return Fail(kExitUsage, prepared.message());
  Inputs& in = r->in;
  const std::string who = label.empty() ? "" : label + ": ";
  if (!f.quiet) {
    std::cerr << "ukairo simulate: " << who << config_path << ", seed " << in.seed << ", scenario '"
              << in.scenario.name << "', " << DescribeRunTiming(f, in.timing) << "\n"
              << in.providers->Describe(*in.config);
  }
  r->series = std::make_unique<sim::ReportSeries>(in.config);
  sim::TeeSink tee(r->series.get(), sink);
  sim::EventSink* all = sink == nullptr ? static_cast<sim::EventSink*>(r->series.get()) : &tee;
  sim::SimulationOptions opts;
  opts.seed = in.seed;
  opts.start_micros = in.timing.start_micros;
  opts.start_at_first_arrival = in.timing.own_times;
  const bool progress = isatty(STDERR_FILENO) == 1 && !f.quiet && in.end_micros > 0;
  if (progress) opts.on_progress = Progress(in);
  const auto wall_start = std::chrono::steady_clock::now();
  auto stats =
      sim::RunSimulation(in.config, *in.providers, *in.source, *in.tags, opts, *r->summary, all);
  if (progress) std::fprintf(stderr, "\r%70s\r", "");
  if (!stats.ok()) {
    // Trace errors (a malformed line) are input errors; the rest is the run.
    bool input = stats.status().IsInvalidArgument();
    return Fail(input ? kExitUsage : kExitFailed, stats.status().message());
  }
  r->stats = *stats;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  r->json = SummaryJson(f, config_path, *r);
  if (!f.quiet) {
    std::fprintf(stderr,
                 "ukairo simulate: %s%llu requests, %llu events, %llu timers, queue peak %zu, "
                 "in %.2f s (%.0f req/s)\n",
                 who.c_str(), static_cast<unsigned long long>(stats->arrivals),
                 static_cast<unsigned long long>(stats->events),
                 static_cast<unsigned long long>(stats->timers), stats->queue_entries_peak, wall_s,
                 wall_s > 0 ? static_cast<double>(stats->arrivals) / wall_s : 0.0);
    if (in.reader->skipped_lines() > 0) {
      std::cerr << "ukairo simulate: " << who << "skipped " << in.reader->skipped_lines()
                << " malformed trace lines; first: " << in.reader->first_skip_error() << "\n";
    }
  }
  return kExitOk;
}

int Run(const SimulateFlags& f) {
  if (f.forecast_from_day < 0 ||
      (f.forecast_from_day > 0 &&
       f.forecast_from_day < static_cast<int32_t>(sim::kForecastPointsMin))) {
    return Fail(kExitUsage, "--forecast-from-day needs at least " +
                                std::to_string(sim::kForecastPointsMin) + " days (0: automatic)");
  }
  if (!f.compare.empty() && !f.ledger_dir.empty()) {
    return Fail(kExitUsage, "--ledger records one run; it cannot be combined with --compare");
  }
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<sim::LedgerSink> ledger_sink;
  if (!f.ledger_dir.empty()) {
    auto l = ledger::Ledger::Open(f.ledger_dir, ledger::LedgerOptions{});
    if (!l.ok()) return Fail(kExitFailed, "--ledger: " + l.status().message());
    ledger = std::move(*l);
    if (ledger->LastSeq() != 0)
      return Fail(kExitUsage, "--ledger " + f.ledger_dir + " is not empty");
    ledger_sink = std::make_unique<sim::LedgerSink>(ledger.get());
  }
  const bool compare = !f.compare.empty();
  RunOutput a;
  int rc = RunOne(f, f.config, ledger_sink.get(), compare ? "a" : "", &a);
  if (rc != kExitOk) return rc;
  if (!compare) {
    rc = WriteText(f.out, a.json.dump(2) + "\n");
    if (rc == kExitOk && !f.html.empty()) {
      rc = WriteHtml(f, sim::RenderHtmlReport({{"", &a.json, a.series.get()}}, nullptr));
    }
    return rc;
  }
  // The same traffic again: same flags and seed, fresh sources.
  RunOutput b;
  rc = RunOne(f, f.compare, nullptr, "b", &b);
  if (rc != kExitOk) return rc;
  nlohmann::ordered_json doc = sim::CompareJson(a.json, b.json);
  rc = WriteText(f.out, doc.dump(2) + "\n");
  if (rc == kExitOk && !f.html.empty()) {
    rc = WriteHtml(
        f, sim::RenderHtmlReport({{"a", &a.json, a.series.get()}, {"b", &b.json, b.series.get()}},
                                 &doc["diff"]));
  }
  return rc;
}

RegisterCommand reg(30, [](CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<SimulateFlags>();
  CLI::App* cmd = root.add_subcommand(
      "simulate",
      "Run a config against traffic in virtual time through the router core; print a "
      "summary JSON (schema: sim/README.md).");
  cmd->add_option("--config", flags->config, "ukairo/LiteLLM config YAML")->required();
  AddTrafficOptions(cmd, flags.get(), "traffic trace file (or --synthetic)",
                    /*trace_required=*/false);
  cmd->add_option("--out", flags->out, "write the summary JSON here (default: stdout)");
  cmd->add_option("--ledger", flags->ledger_dir,
                  "also write every simulated event to a new ledger in DIR");
  cmd->add_option("--html", flags->html,
                  "also write a self-contained HTML report (inline SVG charts, opens offline)");
  cmd->add_option("--compare", flags->compare,
                  "run this second config on the same traffic and seed; the JSON becomes "
                  "{a, b, diff} and the HTML shows both side by side");
  cmd->add_option("--forecast-from-day", flags->forecast_from_day,
                  "forecast month-end spend from the run's first N days (>= 3; default 0: up "
                  "to mid-month, or the whole run when it ends earlier)")
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", flags->quiet, "no startup lines, no progress");
  AddSyntheticOptions(cmd, flags.get());
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
});

}  // namespace
}  // namespace ukairo::tools
