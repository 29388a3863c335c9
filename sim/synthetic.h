// Synthetic traffic: a non-homogeneous Poisson process in virtual time.
//
// The rate at time t (requests per second) is
//   λ(t) = rate × hourly[hour of t] / 1000 × weekly[weekday of t] / 1000
//          × burst(t) / 1000
// with the profiles in permille of the base rate (UTC hour 0..23, weekday
// Monday first; values may exceed 1000) and burst(t) the multiplier (in
// thousandths) of the burst window holding t, else 1000. The default profile
// is TrafficProfile::Default() (busy 9–18 UTC on weekdays).
//
// Arrivals come by thinning (Lewis & Shedler, 1979) with a piecewise
// majorant. The run is cut into segments at UTC midnights and burst edges,
// so weekday and burst multiplier are constant in a segment; its candidate
// rate is its largest λ (the busiest hour's), candidates are exponential
// gaps at that rate, and a candidate at t is kept with the exact integer
// probability hourly[hour of t] / max hourly (Rng::Chance). A candidate past
// the segment's end is dropped and the process restarts there
// (memorylessness), so bursts cost no extra candidates. Gaps are doubles of microseconds (times
// only; never money); a kept candidate's time is floored to a microsecond.
//
// Each record gets its tokens from a TokenModel (fitted from a trace, or the
// Azure-conversation log-normal default); model, tag and status are empty
// (the simulator's --tag / --tag-mix and the config's defaults apply).
// Streamed: one record at a time, O(1) memory besides the token model.
// Deterministic from the seed.
//
// Thread safety: a source is used by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sim/rng.h"
#include "sim/token_fit.h"
#include "sim/traffic.h"

namespace ukairo::sim {

struct BurstWindow {
  int64_t start_offset_micros = 0;   // from the run's start
  int64_t duration_micros = 0;       // > 0
  uint32_t multiplier_milli = 1000;  // 1000 = ×1; 0 silences the window
};

struct SyntheticOptions {
  static constexpr size_t kBurstsMax = 64;
  static constexpr uint32_t kProfilePermilleMax = 100'000;         // ×100 of the base rate
  static constexpr uint32_t kBurstMultiplierMilliMax = 1'000'000;  // ×1000

  int64_t start_micros = 0;
  int64_t days = 30;  // 1..3660
  // Base rate in requests per second: numerator / denominator, exact.
  uint64_t rate_numerator = 1;
  uint64_t rate_denominator = 1;
  std::array<uint32_t, 24> hourly_permille{};
  std::array<uint32_t, 7> weekly_permille{};
  std::vector<BurstWindow> bursts;  // must not overlap
  uint64_t seed = 1;

  SyntheticOptions();  // the default profile, rate 1/s
  double rate_per_s() const {
    return static_cast<double>(rate_numerator) / static_cast<double>(rate_denominator);
  }
  Status Validate() const;
  // λ(t) in requests per second (for tests and reports).
  double RatePerSecondAt(int64_t unix_micros) const;
  // ∫λ over the run, in requests: the expected number of arrivals.
  double ExpectedArrivals() const;
  // One line: rate, profile peak, bursts, span.
  std::string Describe() const;
};

// "2.5" (decimal req/s, up to 6 fraction digits) or "5/2" (integer ratio).
Status ParseRate(std::string_view text, SyntheticOptions* options);
// 24 (hourly) or 7 (weekly) comma-separated percentages of the base rate,
// decimals to 0.1 % ("100,80,4.5,..."), stored as permille.
Status ParseHourlyProfile(std::string_view text, SyntheticOptions* options);
Status ParseWeeklyProfile(std::string_view text, SyntheticOptions* options);
// "START_H:DUR_MIN:MULT": hours from the run's start, minutes, multiplier
// (decimals allowed: "36.5:90:3", "0:60:0.5").
Result<BurstWindow> ParseBurst(std::string_view text);

class SyntheticSource : public TrafficSource {
 public:
  // `reader`, when not null, is the trace the tokens were fitted from: kept
  // only so its skipped-line counts can be reported; never read again.
  static Result<std::unique_ptr<SyntheticSource>> Make(const SyntheticOptions& options,
                                                       std::unique_ptr<TokenModel> tokens,
                                                       std::unique_ptr<TraceReader> reader);
  Result<bool> Next(TraceRecord* record) override;
  // Candidates drawn, including the thinned ones.
  uint64_t records_read() const override { return candidates_; }
  uint64_t arrivals() const { return arrivals_; }
  // The fitted trace's reader, or an empty reader with no skipped lines.
  TraceReader* reader() { return reader_.get(); }

 private:
  SyntheticSource(const SyntheticOptions& options, std::unique_ptr<TokenModel> tokens,
                  std::unique_ptr<TraceReader> reader);
  void StartSegment(int64_t from_offset_micros);
  uint32_t BurstMilliAt(int64_t offset_micros) const;

  SyntheticOptions options_;
  std::unique_ptr<TokenModel> tokens_;
  std::unique_ptr<TraceReader> reader_;
  Rng arrivals_rng_;
  Rng tokens_rng_;
  int64_t end_offset_micros_;
  uint64_t hourly_max_permille_;
  // The current segment [start, end), offsets from the run's start.
  bool segment_started_ = false;
  int64_t segment_start_offset_micros_ = 0;
  int64_t segment_end_offset_micros_ = 0;
  uint32_t segment_burst_milli_ = 1000;
  double segment_gap_mean_micros_ = 0;  // 1 / majorant; 0 when silent
  double t_offset_micros_ = 0;          // the last candidate's time
  uint64_t candidates_ = 0;
  uint64_t arrivals_ = 0;
};

// An empty trace reader (no records, nothing skipped).
std::unique_ptr<TraceReader> MakeEmptyTraceReader();

}  // namespace ukairo::sim
