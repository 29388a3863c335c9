#include "sim/replay_latency.h"
#include "base/check.h"

#include <algorithm>

namespace ukairo::sim {

void LatencyFitter::Add(const std::string& deployment, int64_t latency_micros) {
  if (latency_micros < 0) return;
  auto it = by_deployment_.find(deployment);
  if (it == by_deployment_.end()) {
    if (by_deployment_.size() >= kDeploymentsMax) {
      ++ignored_;
      return;
    }
    it = by_deployment_.emplace(deployment, Reservoir{}).first;
  }
  Reservoir& r = it->second;
  ++r.seen;
  if (r.samples.size() < kSamplesMax) {
    r.samples.push_back(latency_micros);
    return;
  }
  // Algorithm R: keep each of the `seen` so far with equal probability.
  const uint64_t slot = rng_.Below(r.seen);
  if (slot < kSamplesMax) r.samples[slot] = latency_micros;
}

std::vector<int64_t> QuantileTable(const std::vector<int64_t>& sorted) {
  UKAIRO_CHECK(!sorted.empty());
  constexpr int64_t kPoints = ProviderModel::kLatencyPoints + 1;
  const int64_t n = static_cast<int64_t>(sorted.size());
  std::vector<int64_t> out(kPoints);
  for (int64_t k = 0; k < kPoints; ++k) {
    // Position (k + 0.5) / kPoints * (n - 1) as an exact fraction.
    const int64_t num = (2 * k + 1) * (n - 1);
    const int64_t den = 2 * kPoints;
    const int64_t i = num / den, frac = num % den;
    const int64_t lo = sorted[i];
    const int64_t hi = i + 1 < n ? sorted[i + 1] : lo;
    out[k] = lo + (hi - lo) * frac / den;
    UKAIRO_CHECK(k == 0 || out[k] >= out[k - 1]);
  }
  return out;
}

FittedLatencies LatencyFitter::Fit() const {
  FittedLatencies out;
  for (const auto& [deployment, r] : by_deployment_) {
    if (r.samples.empty()) continue;
    std::vector<int64_t> sorted = r.samples;
    std::sort(sorted.begin(), sorted.end());
    FittedLatency f;
    f.points_micros = QuantileTable(sorted);
    f.samples = r.seen;
    out.emplace(deployment, std::move(f));
  }
  return out;
}

Result<FittedLatencies> FitRecordedLatencies(ledger::Ledger* recorded,
                                             std::optional<int64_t> since_micros,
                                             std::optional<int64_t> until_micros, uint64_t seed) {
  UKAIRO_CHECK(recorded != nullptr);
  ledger::ScanOptions scan;
  scan.time_min_micros = since_micros;
  scan.time_max_micros = until_micros;
  scan.kind = "attempt_finished";
  std::unique_ptr<ledger::EventIterator> it = recorded->Scan(scan);
  LatencyFitter fitter(seed);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto* f = std::get_if<ledger::AttemptFinished>(&it->event().body);
    if (f == nullptr || f->outcome != ledger::Outcome::kOk) continue;
    fitter.Add(f->deployment, f->latency_micros);
  }
  UKAIRO_RETURN_IF_ERROR(it->status());
  return fitter.Fit();
}

}  // namespace ukairo::sim
