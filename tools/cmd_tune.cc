// `ukairo tune`: grid search over config parameters on simulated traffic
// (sim/tune.h). Writes the recommended config (the base YAML with the chosen
// values set) and the table of every candidate. Exit 0 with a recommendation,
// 1 when no candidate met the constraints (the table is still written), 2 for
// bad flags or inputs. Progress on stderr only when it is a terminal.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/simulator.h"
#include "sim/tune.h"
#include "tools/command.h"
#include "tools/traffic_flags.h"
#include "tools/traffic_open.h"

namespace ukairo::tools {
namespace {

struct TuneFlags : TrafficFlags {
  std::string config;
  std::vector<std::string> grid;
  std::optional<uint64_t> max_failed;
  std::optional<uint32_t> min_first_two_pct;
  std::optional<int64_t> no_exhaust_before_day;
  std::string high_precision_tier = "high-precision";
  unsigned threads = 0;
  std::string out_config;
  std::string out_table;
  bool quiet = false;
};

int Fail(int code, const std::string& message) {
  std::cerr << "ukairo tune: " << message << "\n";
  return code;
}

Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return Status::Ok();
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return out ? Status::Ok() : Status::IOError("cannot write " + path);
}

Status BuildTraffic(const TuneFlags& f, sim::TuneTraffic* t) {
  UKAIRO_ASSIGN_OR_RETURN(const RunTiming timing, PlanRunTiming(f));
  t->start_micros = timing.start_micros;
  if (!f.scenario.empty()) {
    UKAIRO_ASSIGN_OR_RETURN(t->scenario, sim::Scenario::Load(f.scenario, t->start_micros));
  }
  t->seed = f.seed ? *f.seed : t->scenario.seed.value_or(1);
  t->fixed_tag = f.tag;
  t->tag_mix = f.tag_mix;
  t->start_at_first_arrival = timing.own_times;
  // Where a trace at its own times landed (a stretched run starts at --start).
  if (timing.own_times && !f.quiet) {
    std::cerr << "ukairo tune: " << DescribeRunTiming(f, timing) << "\n";
  }
  // Every candidate opens its own source exactly as `simulate` would; this
  // first one checks the flags (and describes the traffic) before any run.
  UKAIRO_ASSIGN_OR_RETURN(OpenedTraffic first,
                          OpenTraffic(f, timing, t->seed, t->scenario,
                                      f.quiet ? nullptr : &std::cerr, "ukairo tune: "));
  (void)first;
  const TrafficFlags flags = f;
  t->open_source = [flags, timing, seed = t->seed,
                    scenario = t->scenario]() -> Result<std::unique_ptr<sim::TrafficSource>> {
    UKAIRO_ASSIGN_OR_RETURN(OpenedTraffic opened,
                            OpenTraffic(flags, timing, seed, scenario, nullptr, ""));
    return std::move(opened.source);
  };
  return Status::Ok();
}

int Run(const TuneFlags& f) {
  std::string base_yaml;
  Status read = ReadFile(f.config, &base_yaml);
  if (!read.ok()) return Fail(kExitUsage, read.message());
  std::vector<sim::GridAxis> axes;
  for (const auto& spec : f.grid) {
    auto axis = sim::ParseGridAxis(spec);
    if (!axis.ok()) return Fail(kExitUsage, axis.status().message());
    axes.push_back(std::move(*axis));
  }
  sim::TuneTraffic traffic;
  Status built = BuildTraffic(f, &traffic);
  if (!built.ok()) return Fail(kExitUsage, built.message());
  sim::TuneConstraints constraints;
  constraints.max_failed = f.max_failed;
  constraints.min_high_precision_first_two_pct = f.min_first_two_pct;
  constraints.no_exhaust_before_day = f.no_exhaust_before_day;
  constraints.high_precision_tier = f.high_precision_tier;
  sim::TuneOptions opts;
  opts.threads = f.threads;
  const bool progress = isatty(STDERR_FILENO) == 1 && !f.quiet;
  const auto wall_start = std::chrono::steady_clock::now();
  if (progress) {
    opts.on_progress = [wall_start](size_t done, size_t total) {
      double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      double eta = elapsed * static_cast<double>(total - done) / static_cast<double>(done);
      std::fprintf(stderr, "\r  %zu/%zu candidates  %.1f s  ETA %.1f s   ", done, total, elapsed,
                   eta);
    };
  }
  auto result = sim::RunGrid(base_yaml, f.config, axes, traffic, constraints, opts);
  if (progress) std::fprintf(stderr, "\r%60s\r", "");
  if (!result.ok()) return Fail(kExitUsage, result.status().message());
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const std::string table = sim::CandidatesCsv(axes, *result);
  if (!f.out_table.empty()) {
    Status w = WriteFile(f.out_table, table);
    if (!w.ok()) return Fail(kExitFailed, w.message());
  } else {
    std::cout << table;
  }
  size_t errors = 0;
  for (const auto& c : result->candidates) errors += c.error.empty() ? 0 : 1;
  if (!f.quiet) {
    unsigned threads = f.threads > 0 ? f.threads : std::thread::hardware_concurrency();
    std::fprintf(stderr,
                 "ukairo tune: %zu candidates (%zu could not run) on %u threads in %.2f s\n",
                 result->candidates.size(), errors, threads, wall_s);
    for (const auto& c : result->candidates) {
      if (!c.error.empty()) {
        std::cerr << "ukairo tune: first candidate error: " << c.error << "\n";
        break;
      }
    }
  }
  if (!result->best) return Fail(kExitFailed, "no candidate meets the constraints");
  const sim::CandidateResult& best = result->candidates[*result->best];
  auto yaml = sim::ApplyGridValues(base_yaml, axes, best.value_index);
  if (yaml.ok()) {
    // The written file may live elsewhere: name the base's price table by
    // its absolute path, so the tuned config loads with the same prices.
    auto base = router::LoadConfigFile(f.config);
    if (base.ok() && !(*base)->price_table_source.empty()) {
      yaml = sim::SetYamlScalar(
          *yaml, {"ukairo", "price_table"},
          std::filesystem::absolute((*base)->price_table_source).lexically_normal().string());
    }
  }
  if (!yaml.ok()) return Fail(kExitFailed, yaml.status().message());
  std::string header = "# ukairo tune: candidate " + std::to_string(*result->best + 1) + " of " +
                       std::to_string(result->candidates.size()) + ", cost " +
                       FormatNanosAsUsd(best.cost_nanos) + " USD;";
  for (size_t a = 0; a < axes.size(); ++a) {
    header += " " + axes[a].name + "=" + axes[a].values[best.value_index[a]];
  }
  header += "\n";
  if (!f.out_config.empty()) {
    Status w = WriteFile(f.out_config, header + *yaml);
    if (!w.ok()) return Fail(kExitFailed, w.message());
  }
  if (!f.quiet) std::cerr << header;
  return kExitOk;
}

RegisterCommand reg(32, [](CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<TuneFlags>();
  CLI::App* cmd = root.add_subcommand(
      "tune",
      "Grid-search budgets, cooldown, retries and health checks on simulated traffic; write the "
      "cheapest config that meets the constraints and the table of every candidate.");
  cmd->add_option("--config", flags->config, "base config YAML")->required();
  AddTrafficOptions(cmd, flags.get(), "traffic trace file (or --synthetic)",
                    /*trace_required=*/false);
  AddSyntheticOptions(cmd, flags.get());
  cmd->add_option("--grid", flags->grid,
                  "PATH=V1,V2,... (repeatable); PATH under ukairo: unless it starts with "
                  "ukairo./router_settings./litellm_settings./general_settings.; a key with dots "
                  "goes in brackets, e.g. budgets.model[gpt-5.2]=20,30; '/' makes a list value, "
                  "e.g. retry.backoff_ms=1000/2000,500/1000")
      ->required();
  cmd->add_option("--max-failed", flags->max_failed, "constraint: at most N failed requests");
  cmd->add_option("--min-high-precision-first-two-pct", flags->min_first_two_pct,
                  "constraint: share of the high-precision tier served by its chain's first two "
                  "models, at least this percent");
  cmd->add_option("--no-exhaust-before-day", flags->no_exhaust_before_day,
                  "constraint: no budget scope exhausted before day D (day 1 = first 24 h)");
  cmd->add_option("--high-precision-tier", flags->high_precision_tier,
                  "the tier the first-two constraint is about")
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "worker threads (default: all cores)");
  cmd->add_option("--out-config", flags->out_config, "write the recommended config here");
  cmd->add_option("--out-table", flags->out_table,
                  "write the candidates CSV here (default: stdout)");
  cmd->add_flag("--quiet,-q", flags->quiet, "no summary lines, no progress");
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
});

}  // namespace
}  // namespace ukairo::tools
