// The traffic flags `simulate` and `tune` share: where the requests come
// from (a trace, its format and column map), how they are stretched over
// time, the fault scenario, the seed and the tag assignment.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

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
                  "its own times; --start is then ignored)")
      ->capture_default_str();
  cmd->add_option("--start", flags->start, "first day of the simulated span (UTC, ISO-8601)")
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed,
                  "seed of every random choice (default: the scenario's, else 1)");
  cmd->add_option("--tag", flags->tag, "process tag for records without one");
  cmd->add_option("--tag-mix", flags->tag_mix,
                  "seeded tag mix for records without one, e.g. Spec=0.1,Build=0.5,Fix=0.4");
}

}  // namespace ukairo::tools
