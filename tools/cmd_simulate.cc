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
#include "router/config_loader.h"
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
  // --synthetic: Poisson arrivals instead of a trace (sim/synthetic.h).
  bool synthetic = false;
  std::string rate;  // req/s; default: the --fit-tokens trace's mean rate
  std::string hourly_profile;
  std::string weekly_profile;
  std::vector<std::string> bursts;
  std::string fit_tokens;  // trace to fit token lengths (and rate) from
  std::string fit_format = "azure";
  std::string token_model = "lognormal";
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
  int64_t start_micros = 0;
  int64_t end_micros = 0;              // 0 when the trace is replayed at its own times
  sim::TraceReader* reader = nullptr;  // owned by `source`
  std::unique_ptr<sim::TrafficSource> source;
  std::optional<sim::TagAssigner> tags;
  std::optional<sim::ProviderModel> providers;
};

Result<sim::TraceReaderOptions> ReaderOptions(const SimulateFlags& f) {
  if (f.trace.empty()) return Status::InvalidArgument("give --trace FILE, or --synthetic");
  UKAIRO_ASSIGN_OR_RETURN(sim::TraceFormat format, sim::ParseTraceFormat(f.format));
  sim::TraceReaderOptions ropts;
  ropts.format = format;
  if (!sim::HasFixedMap(format)) {
    if (f.map.empty()) return Status::InvalidArgument("--format " + f.format + " needs --map");
    UKAIRO_ASSIGN_OR_RETURN(ropts.map, sim::ParseColumnMap(f.map));
  }
  if (f.on_malformed == "skip") {
    ropts.on_malformed = sim::MalformedPolicy::kSkip;
  } else if (f.on_malformed != "stop") {
    return Status::InvalidArgument("--on-malformed is stop or skip");
  }
  return ropts;
}

Result<int64_t> FirstRecordTime(const SimulateFlags& f) {
  UKAIRO_ASSIGN_OR_RETURN(sim::TraceReaderOptions ropts, ReaderOptions(f));
  UKAIRO_ASSIGN_OR_RETURN(auto reader, sim::TraceReader::Open(f.trace, ropts));
  sim::TraceRecord record;
  UKAIRO_ASSIGN_OR_RETURN(bool any, reader->Next(&record));
  if (!any) return Status::InvalidArgument(f.trace + ": the trace has no records");
  return record.time_micros;
}

// --synthetic: tokens fitted from --fit-tokens (read with --fit-format and
// the trace flags --map / --on-malformed), else the built-in log-normal.
Status OpenSynthetic(const SimulateFlags& f, Inputs* in) {
  sim::SyntheticOptions so;
  so.start_micros = in->start_micros;
  so.days = f.days;
  so.seed = sim::DeriveSeed(in->seed, sim::kSeedStreamTraffic);
  if (in->scenario.profile) {
    so.hourly_permille = in->scenario.profile->daily_permille;
    so.weekly_permille = in->scenario.profile->weekly_permille;
  }
  if (!f.hourly_profile.empty()) {
    UKAIRO_RETURN_IF_ERROR(sim::ParseHourlyProfile(f.hourly_profile, &so));
  }
  if (!f.weekly_profile.empty()) {
    UKAIRO_RETURN_IF_ERROR(sim::ParseWeeklyProfile(f.weekly_profile, &so));
  }
  for (const std::string& b : f.bursts) {
    UKAIRO_ASSIGN_OR_RETURN(sim::BurstWindow burst, sim::ParseBurst(b));
    so.bursts.push_back(burst);
  }
  UKAIRO_ASSIGN_OR_RETURN(sim::TokenModelKind kind, sim::ParseTokenModelKind(f.token_model));
  std::unique_ptr<sim::TraceReader> fit_reader;
  std::unique_ptr<sim::TokenModel> tokens;
  if (!f.fit_tokens.empty()) {
    SimulateFlags ff = f;
    ff.trace = f.fit_tokens;
    ff.format = f.fit_format;
    UKAIRO_ASSIGN_OR_RETURN(sim::TraceReaderOptions ropts, ReaderOptions(ff));
    UKAIRO_ASSIGN_OR_RETURN(fit_reader, sim::TraceReader::Open(f.fit_tokens, ropts));
    sim::TokenFitOptions fo;
    fo.seed = so.seed;
    UKAIRO_ASSIGN_OR_RETURN(sim::TokenFit fit, sim::FitTokens(*fit_reader, fo));
    UKAIRO_ASSIGN_OR_RETURN(tokens, sim::MakeTokenModel(kind, fit));
    if (f.rate.empty() && fit.records > 1 && fit.last_time_micros > fit.first_time_micros) {
      so.rate_numerator = (fit.records - 1) * 1'000'000;  // the trace's mean rate
      so.rate_denominator = static_cast<uint64_t>(fit.last_time_micros - fit.first_time_micros);
    }
    if (!f.quiet) std::cerr << "ukairo simulate: " << fit.Describe();
  } else if (kind == sim::TokenModelKind::kEmpirical) {
    return Status::InvalidArgument("--token-model empirical needs --fit-tokens TRACE");
  }
  if (!f.rate.empty()) {
    UKAIRO_RETURN_IF_ERROR(sim::ParseRate(f.rate, &so));
  } else if (f.fit_tokens.empty()) {
    return Status::InvalidArgument("--synthetic needs --rate (or --fit-tokens for its rate)");
  }
  UKAIRO_ASSIGN_OR_RETURN(auto source,
                          sim::SyntheticSource::Make(so, std::move(tokens), std::move(fit_reader)));
  if (!f.quiet) std::cerr << "ukairo simulate: " << so.Describe();
  in->reader = source->reader();
  in->source = std::move(source);
  in->end_micros = in->start_micros + f.days * 86'400'000'000LL;
  return Status::Ok();
}

Status OpenTraffic(const SimulateFlags& f, Inputs* in) {
  if (f.synthetic) return OpenSynthetic(f, in);
  UKAIRO_ASSIGN_OR_RETURN(sim::TraceReaderOptions ropts, ReaderOptions(f));
  UKAIRO_ASSIGN_OR_RETURN(auto reader, sim::TraceReader::Open(f.trace, ropts));
  in->reader = reader.get();
  if (f.days <= 0) {
    in->source = sim::MakeReplaySource(std::move(reader));
    return Status::Ok();
  }
  sim::StretchOptions so;
  so.start_micros = in->start_micros;
  so.days = f.days;
  so.seed = sim::DeriveSeed(in->seed, sim::kSeedStreamTraffic);
  if (in->scenario.profile) so.profile = *in->scenario.profile;
  UKAIRO_ASSIGN_OR_RETURN(in->source, sim::MakeStretchedSource(std::move(reader), so));
  in->end_micros = in->start_micros + f.days * 86'400'000'000LL;
  return Status::Ok();
}

Status Prepare(const SimulateFlags& f, const std::string& config_path, Inputs* in) {
  UKAIRO_ASSIGN_OR_RETURN(in->config, router::LoadConfigFile(config_path));
  auto start = ParseIso8601(f.start);
  if (!start.ok()) return Status::InvalidArgument("--start: " + start.status().message());
  in->start_micros = *start;
  if (f.days <= 0 && !f.synthetic) {
    // Replay at recorded times: the run (and scenario offsets) start at the
    // trace's first record.
    UKAIRO_ASSIGN_OR_RETURN(in->start_micros, FirstRecordTime(f));
  }
  if (!f.scenario.empty()) {
    UKAIRO_ASSIGN_OR_RETURN(in->scenario, sim::Scenario::Load(f.scenario, in->start_micros));
  }
  in->seed = f.seed ? *f.seed : in->scenario.seed.value_or(1);
  UKAIRO_RETURN_IF_ERROR(OpenTraffic(f, in));
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
  const int64_t start = in.start_micros, end = in.end_micros;
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
              << in.scenario.name << "', "
              << (f.days > 0
                      ? std::to_string(f.days) + " days from " + FormatIso8601(in.start_micros)
                      : std::string("trace replayed at its own times"))
              << "\n"
              << in.providers->Describe(*in.config);
  }
  r->series = std::make_unique<sim::ReportSeries>(in.config);
  sim::TeeSink tee(r->series.get(), sink);
  sim::EventSink* all = sink == nullptr ? static_cast<sim::EventSink*>(r->series.get()) : &tee;
  sim::SimulationOptions opts;
  opts.seed = in.seed;
  opts.start_micros = in.start_micros;
  opts.start_at_first_arrival = f.days <= 0;  // replay at recorded times
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
  cmd->add_flag("--synthetic", flags->synthetic,
                "synthetic traffic instead of --trace: seeded Poisson arrivals over --days "
                "from --start, shaped by the profiles and bursts (sim/README.md)");
  cmd->add_option("--rate", flags->rate,
                  "--synthetic base rate in requests/s: decimal (2.5) or ratio (5/2); the rate "
                  "at 100 % of both profiles (default: the --fit-tokens trace's mean rate)");
  cmd->add_option("--hourly-profile", flags->hourly_profile,
                  "--synthetic: 24 comma-separated percentages of the rate, UTC hours 0-23 "
                  "(default: busy 9-18, quiet nights; a scenario's traffic: profile)");
  cmd->add_option("--weekly-profile", flags->weekly_profile,
                  "--synthetic: 7 comma-separated percentages, Monday first (default "
                  "100,100,100,100,90,25,20)");
  cmd->add_option("--burst", flags->bursts,
                  "--synthetic: START_H:DUR_MIN:MULT, e.g. 36:90:3 = x3 for 90 min from hour 36 "
                  "of the run (repeatable; windows must not overlap)");
  cmd->add_option("--fit-tokens", flags->fit_tokens,
                  "--synthetic: fit token lengths (and the default rate) from this trace");
  cmd->add_option("--fit-format", flags->fit_format,
                  "format of --fit-tokens (as --format; --map/--on-malformed apply)")
      ->capture_default_str();
  cmd->add_option("--token-model", flags->token_model,
                  "--synthetic token lengths: lognormal (fitted, or the Azure conversation "
                  "trace's fit without --fit-tokens) or empirical (draws from a sample of the "
                  "--fit-tokens trace)")
      ->capture_default_str();
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
});

}  // namespace
}  // namespace ukairo::tools
