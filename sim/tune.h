// `ukairo tune`: a grid search over config parameters, every candidate
// simulated on the same traffic, the cheapest feasible one recommended.
//
// A grid axis is "PATH=V1,V2,...": PATH is a dotted key path into the config
// YAML (a key holding dots goes in brackets: budgets.model[gpt-5.2]), relative to the `ukairo:` section unless it starts with ukairo.,
// router_settings., litellm_settings. or general_settings. (e.g.
// budgets.model.claude-opus=30,40,50, cooldown.cooldown_time_s=30,60,
// cooldown.allowed_fails=2,3, retry.num_retries=2,3,
// retry.backoff_ms=1000/2000/4000,500/1000 — '/' makes a list —,
// health_check.interval_s=60,300). A candidate is one value per axis (the
// cross product, first axis slowest); its config is the base YAML with those
// keys set (created when absent), emitted by yaml-cpp and loaded like any
// config file, so a bad value is that candidate's error, not a crash.
//
// Each candidate is one RunSimulation with the same seed and traffic, so it
// is deterministic on its own; candidates run on `threads` std::threads that
// take the next index from an atomic counter, and results are stored by
// index, so the table is the same whatever the scheduling.
//
// Constraints (all optional): requests failed <= max_failed; the share of the
// high-precision tier's requests served by the first two model groups of
// that tier's chain >= a percentage (compared in integers); no budget scope
// exhausted before day D (day 1 = the first 24 h of the run). Among feasible
// candidates the lowest total cost wins; ties go to the earlier candidate.
//
// Thread safety: RunGrid is called from one thread and starts its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/traffic.h"

namespace ukairo::sim {

struct GridAxis {
  std::string name;               // the path as written
  std::vector<std::string> path;  // absolute key path
  std::vector<std::string> values;
};

inline constexpr size_t kGridAxesMax = 16;
inline constexpr size_t kGridValuesMax = 256;
inline constexpr size_t kCandidatesMax = 100'000;

Result<GridAxis> ParseGridAxis(std::string_view spec);

// The base YAML with one value per axis set. InvalidArgument when the
// base is not YAML or a path crosses a non-map.
Result<std::string> ApplyGridValues(const std::string& base_yaml, const std::vector<GridAxis>& axes,
                                    const std::vector<size_t>& value_index);

// The YAML with one key path set to a scalar (maps created as needed).
Result<std::string> SetYamlScalar(const std::string& yaml, const std::vector<std::string>& path,
                                  const std::string& value);

// The traffic every candidate runs on (the flags of `ukairo simulate`;
// tools/traffic_open.h turns them into sources exactly as simulate does).
struct TuneTraffic {
  // Opens a fresh source for one candidate: called from worker threads, once
  // per candidate; every call must give the same records. Required.
  std::function<Result<std::unique_ptr<TrafficSource>>()> open_source;
  // The trace at its own times: the core starts at the first arrival
  // instead of start_micros.
  bool start_at_first_arrival = false;
  int64_t start_micros = 0;
  std::string fixed_tag;
  std::string tag_mix;                      // "" = the scenario's
  Scenario scenario = Scenario::Healthy();  // offsets already resolved
  uint64_t seed = 1;
};

struct TuneConstraints {
  std::optional<uint64_t> max_failed;
  std::optional<uint32_t> min_high_precision_first_two_pct;
  std::optional<int64_t> no_exhaust_before_day;  // D >= 1
  std::string high_precision_tier = "high-precision";
};

struct CandidateResult {
  std::vector<size_t> value_index;  // one per axis
  std::string error;                // non-empty: the candidate could not run
  NanoUsd cost_nanos = 0;
  uint64_t requests = 0;
  uint64_t failed = 0;
  uint64_t high_precision_requests = 0;
  uint64_t high_precision_first_two = 0;
  std::optional<int64_t> first_exhausted_micros;  // earliest budget_stopped
  std::optional<int64_t> exhausted_day;           // 1-based day of it
  bool feasible = false;
};

struct TuneResult {
  std::vector<CandidateResult> candidates;  // in grid order
  std::optional<size_t> best;               // index of the recommendation
  int64_t start_micros = 0;                 // when the runs started
};

struct TuneOptions {
  unsigned threads = 0;  // 0: std::thread::hardware_concurrency()
  // Called from worker threads (serialized) after each candidate: (done, total).
  std::function<void(size_t, size_t)> on_progress;
};

// `base_source` is the base config's path: it names the candidates' configs
// in messages and anchors relative price-table paths.
Result<TuneResult> RunGrid(const std::string& base_yaml, const std::string& base_source,
                           const std::vector<GridAxis>& axes, const TuneTraffic& traffic,
                           const TuneConstraints& constraints, const TuneOptions& options);

// The table of every candidate as CSV (header: candidate, one column per
// axis, cost_usd, requests, failed, high_precision_first_two_pct,
// exhausted_day, feasible, chosen, error).
std::string CandidatesCsv(const std::vector<GridAxis>& axes, const TuneResult& result);

}  // namespace ukairo::sim
