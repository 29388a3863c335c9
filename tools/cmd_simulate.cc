// `ukairo simulate`: runs a config against traffic in virtual time through
// the unchanged router core and prints the summary JSON (schema in
// sim/README.md). Progress (rate, ETA) goes to stderr only when stderr is a
// terminal. Exit 0 when the simulation ran (whatever it found), 2 for bad
// flags or inputs, 1 when the run itself failed (e.g. the ledger).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "router/config_loader.h"
#include "sim/ledger_sink.h"
#include "sim/provider_model.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/summary.h"
#include "sim/tag_mix.h"
#include "sim/traffic.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

struct SimulateFlags {
  std::string config;
  std::string trace;
  std::string format = "azure";
  std::string map;
  std::string on_malformed = "stop";
  std::string scenario;
  int64_t days = 30;
  std::string start = "2026-11-01";
  std::optional<uint64_t> seed;
  std::string tag;
  std::string tag_mix;
  std::string out;
  std::string ledger_dir;
  bool quiet = false;
};

int Fail(int code, const std::string& message) {
  std::cerr << "ukairo simulate: " << message << "\n";
  return code;
}

int Run(const SimulateFlags& f) {
  auto config = router::LoadConfigFile(f.config);
  if (!config.ok()) return Fail(kExitUsage, config.status().message());
  auto start = ParseIso8601(f.start);
  if (!start.ok()) return Fail(kExitUsage, "--start: " + start.status().message());

  sim::Scenario scenario = sim::Scenario::Healthy();
  if (!f.scenario.empty()) {
    auto s = sim::Scenario::Load(f.scenario, *start);
    if (!s.ok()) return Fail(kExitUsage, s.status().message());
    scenario = std::move(*s);
  }
  const uint64_t seed = f.seed ? *f.seed : scenario.seed.value_or(1);

  auto format = sim::ParseTraceFormat(f.format);
  if (!format.ok()) return Fail(kExitUsage, format.status().message());
  sim::TraceReaderOptions ropts;
  ropts.format = *format;
  if (!sim::HasFixedMap(*format)) {
    if (f.map.empty()) return Fail(kExitUsage, "--format csv/jsonl needs --map");
    auto map = sim::ParseColumnMap(f.map);
    if (!map.ok()) return Fail(kExitUsage, map.status().message());
    ropts.map = *map;
  }
  if (f.on_malformed == "skip") ropts.on_malformed = sim::MalformedPolicy::kSkip;
  else if (f.on_malformed != "stop") return Fail(kExitUsage, "--on-malformed is stop or skip");
  auto reader = sim::TraceReader::Open(f.trace, ropts);
  if (!reader.ok()) return Fail(kExitUsage, reader.status().message());
  sim::TraceReader* reader_raw = reader->get();

  std::unique_ptr<sim::TrafficSource> source;
  int64_t end_micros = 0;
  if (f.days > 0) {
    sim::StretchOptions so;
    so.start_micros = *start;
    so.days = f.days;
    so.seed = sim::DeriveSeed(seed, sim::kSeedStreamTraffic);
    if (scenario.profile) so.profile = *scenario.profile;
    auto s = sim::MakeStretchedSource(std::move(*reader), so);
    if (!s.ok()) return Fail(kExitUsage, s.status().message());
    source = std::move(*s);
    end_micros = *start + f.days * 86'400'000'000LL;
  } else {
    source = sim::MakeReplaySource(std::move(*reader));
  }

  std::string mix = f.tag.empty() && f.tag_mix.empty() ? scenario.tag_mix : f.tag_mix;
  auto tags = sim::TagAssigner::Make(f.tag, mix, sim::DeriveSeed(seed, sim::kSeedStreamTags));
  if (!tags.ok()) return Fail(kExitUsage, tags.status().message());
  auto providers =
      sim::ProviderModel::Make(scenario, **config, sim::DeriveSeed(seed, sim::kSeedStreamProviders));
  if (!providers.ok()) return Fail(kExitUsage, providers.status().message());

  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<sim::LedgerSink> sink;
  if (!f.ledger_dir.empty()) {
    auto l = ledger::Ledger::Open(f.ledger_dir, ledger::LedgerOptions{});
    if (!l.ok()) return Fail(kExitFailed, "--ledger: " + l.status().message());
    ledger = std::move(*l);
    if (ledger->LastSeq() != 0) {
      return Fail(kExitUsage, "--ledger " + f.ledger_dir + " is not empty");
    }
    sink = std::make_unique<sim::LedgerSink>(ledger.get());
  }

  const bool tty = isatty(STDERR_FILENO) == 1;
  if (!f.quiet) {
    std::cerr << "ukairo simulate: seed " << seed << ", scenario '" << scenario.name << "', "
              << (f.days > 0 ? std::to_string(f.days) + " days from " + FormatIso8601(*start)
                             : std::string("trace replayed at its own times"))
              << "\n" << providers->Describe(**config);
  }
  sim::SimulationOptions opts;
  opts.seed = seed;
  opts.start_micros = *start;
  const auto wall_start = std::chrono::steady_clock::now();
  if (tty && !f.quiet && end_micros > 0) {
    opts.on_progress = [&](int64_t now, uint64_t arrivals) {
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                     wall_start).count();
      double done = static_cast<double>(now - *start) / static_cast<double>(end_micros - *start);
      double rate = elapsed > 0 ? static_cast<double>(arrivals) / elapsed : 0;
      double eta = done > 0 ? elapsed * (1 - done) / done : 0;
      std::fprintf(stderr, "\r  %5.1f%%  %llu requests  %.0f req/s  ETA %.1f s   ",
                   100 * done, static_cast<unsigned long long>(arrivals), rate, eta);
    };
  }
  sim::SummaryBuilder summary;
  auto stats = sim::RunSimulation(*config, *providers, *source, *tags, opts, summary, sink.get());
  if (tty && opts.on_progress) std::fprintf(stderr, "\r%70s\r", "");
  if (!stats.ok()) {
    // Trace errors (a malformed line) are input errors; the rest is the run.
    bool input = stats.status().IsInvalidArgument();
    return Fail(input ? kExitUsage : kExitFailed, stats.status().message());
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  sim::RunInfo info;
  info.seed = seed;
  info.config_source = f.config;
  info.config_sha256_hex = (*config)->sha256_hex;
  info.scenario = scenario.name;
  info.trace = f.trace;
  info.trace_format = f.format;
  info.start_micros = *start;
  info.end_micros = end_micros > 0 ? end_micros : stats->last_time_micros;
  info.days = f.days;
  info.trace_records_read = source->records_read();
  info.trace_lines_skipped = reader_raw->skipped_lines();
  info.arrivals_out_of_order = stats->arrivals_out_of_order;
  std::string json = summary.ToJson(info);
  if (f.out.empty() || f.out == "-") {
    std::cout << json;
  } else {
    std::ofstream out(f.out, std::ios::binary);
    out << json;
    if (!out) return Fail(kExitFailed, "cannot write " + f.out);
  }
  if (!f.quiet) {
    std::fprintf(stderr,
                 "ukairo simulate: %llu requests, %llu events, %llu timers, queue peak %zu, "
                 "in %.2f s (%.0f req/s)\n",
                 static_cast<unsigned long long>(stats->arrivals),
                 static_cast<unsigned long long>(stats->events),
                 static_cast<unsigned long long>(stats->timers), stats->queue_entries_peak,
                 wall_s, wall_s > 0 ? static_cast<double>(stats->arrivals) / wall_s : 0.0);
    if (info.trace_lines_skipped > 0) {
      std::cerr << "ukairo simulate: skipped " << info.trace_lines_skipped
                << " malformed trace lines; first: "
                << reader_raw->first_skip_error() << "\n";
    }
  }
  return kExitOk;
}

RegisterCommand reg(30, [](CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<SimulateFlags>();
  CLI::App* cmd = root.add_subcommand(
      "simulate",
      "Run a config against traffic in virtual time through the router core; print a "
      "summary JSON (schema: sim/README.md).");
  cmd->add_option("--config", flags->config, "ukairo/LiteLLM config YAML")->required();
  cmd->add_option("--trace", flags->trace, "traffic trace file")->required();
  cmd->add_option("--format", flags->format,
                  "trace format: azure, csv, jsonl, litellm (spend-log JSONL), litellm-csv")
      ->capture_default_str();
  cmd->add_option("--map", flags->map,
                  "columns for csv/jsonl: timestamp=COL:s|ms|us|iso,input_tokens=COL,"
                  "output_tokens=COL[,model=COL,tag=COL,status=COL]");
  cmd->add_option("--on-malformed", flags->on_malformed,
                  "malformed trace lines: stop (error naming file:line) or skip (count)")
      ->capture_default_str();
  cmd->add_option("--scenario", flags->scenario, "fault scenario YAML (default: healthy)");
  cmd->add_option("--days", flags->days,
                  "stretch the trace over this many days (0: replay at its own times)")
      ->capture_default_str();
  cmd->add_option("--start", flags->start, "first day of the simulated span (UTC, ISO-8601)")
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "seed of every random choice (default: the "
                                         "scenario's, else 1)");
  cmd->add_option("--tag", flags->tag, "process tag for records without one");
  cmd->add_option("--tag-mix", flags->tag_mix,
                  "seeded tag mix for records without one, e.g. Spec=0.1,Build=0.5,Fix=0.4");
  cmd->add_option("--out", flags->out, "write the summary JSON here (default: stdout)");
  cmd->add_option("--ledger", flags->ledger_dir,
                  "also write every simulated event to a new ledger in DIR");
  cmd->add_flag("--quiet,-q", flags->quiet, "no startup lines, no progress");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
});

}  // namespace
}  // namespace ukairo::tools
