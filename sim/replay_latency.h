// Per-deployment latency distributions fitted from a recorded ledger.
//
// When a replay models an attempt the recording never made, the deployment's
// latency should look like what that deployment actually did, not a scenario
// guess. LatencyFitter takes the latencies of the recording's OK attempts
// (AttemptFinished, outcome ok) per deployment into a reservoir sample of at
// most kSamplesMax (seeded, so the fit is deterministic), and turns each into
// an empirical quantile table of ProviderModel::kLatencyPoints + 1 points.
// FitRecordedLatencies is that over one forward scan of the ledger's
// attempt_finished events in a time range, before the replay's own pass.
// Memory: kSamplesMax latencies per deployment, at most kDeploymentsMax
// deployments (more are ignored and counted).
//
// Thread safety: a plain value; the ledger may be shared.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "sim/provider_model.h"
#include "sim/rng.h"

namespace ukairo::sim {

class LatencyFitter {
 public:
  static constexpr size_t kSamplesMax = 8192;
  static constexpr size_t kDeploymentsMax = 4096;

  explicit LatencyFitter(uint64_t seed) : rng_(seed, 0x1a7e0000) {}

  void Add(const std::string& deployment, int64_t latency_micros);
  // A table for every deployment with at least one sample.
  FittedLatencies Fit() const;
  uint64_t ignored() const { return ignored_; }

 private:
  struct Reservoir {
    std::vector<int64_t> samples;
    uint64_t seen = 0;
  };
  Rng rng_;
  std::map<std::string, Reservoir> by_deployment_;  // ordered: deterministic
  uint64_t ignored_ = 0;
};

// Quantile table of `sorted` (ascending, non-empty): kLatencyPoints + 1
// points at (k + 0.5) / (kLatencyPoints + 1), linearly interpolated.
std::vector<int64_t> QuantileTable(const std::vector<int64_t>& sorted);

// Fits the OK attempts recorded in [since, until) (either open).
Result<FittedLatencies> FitRecordedLatencies(ledger::Ledger* recorded,
                                             std::optional<int64_t> since_micros,
                                             std::optional<int64_t> until_micros, uint64_t seed);

}  // namespace ukairo::sim
