// The traffic flags `simulate` and `tune` share: where the requests come
// from (a trace, its format and column map, or synthetic arrivals), how they
// are stretched over time, the fault scenario, the seed and the tag
// assignment. tools/traffic_open.h turns them into traffic sources.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ukairo::tools {

struct TrafficFlags {
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

// Adds --trace --format --map --on-malformed --scenario --days --start --seed
// --tag --tag-mix to `cmd`, bound to `flags` (which must outlive `cmd`).
inline void AddTrafficOptions(CLI::App* cmd, TrafficFlags* flags, const char* trace_help,
                              bool trace_required) {
  auto* trace = cmd->add_option("--trace", flags->trace, trace_help);
  if (trace_required) trace->required();
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
                  "stretch the trace over this many days from --start (0: replay the trace at "
                  "its own times: dates as recorded, times from 0 placed at --start)")
      ->capture_default_str();
  cmd->add_option("--start", flags->start,
                  "first day of the simulated span, and where a --days 0 trace of times from 0 "
                  "(not dates) starts (UTC, ISO-8601)")
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed,
                  "seed of every random choice (default: the scenario's, else 1)");
  cmd->add_option("--tag", flags->tag, "process tag for records without one");
  cmd->add_option("--tag-mix", flags->tag_mix,
                  "seeded tag mix for records without one, e.g. Spec=0.1,Build=0.5,Fix=0.4");
}

// Adds --synthetic --rate --hourly-profile --weekly-profile --burst
// --fit-tokens --fit-format --token-model.
inline void AddSyntheticOptions(CLI::App* cmd, TrafficFlags* flags) {
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
}

}  // namespace ukairo::tools
