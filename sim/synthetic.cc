#include "sim/synthetic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/check.h"
#include "base/money.h"
#include "base/strings.h"
#include "base/time_units.h"

namespace ukairo::sim {
namespace {

constexpr int64_t kDaysMax = 3660;
constexpr uint64_t kRatePerSecondMax = 1'000'000;  // far beyond any gateway
constexpr uint64_t kTokensStream = 0x70c5;
constexpr uint64_t kArrivalsStream = 0xa441;

// Floor division (offsets before 1970 never happen, but stay exact).
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int HourOf(int64_t unix_micros) {
  return static_cast<int>((unix_micros - FloorDiv(unix_micros, kMicrosPerDay) * kMicrosPerDay) /
                          kMicrosPerHour);
}
int WeekdayOf(int64_t unix_micros) {  // Monday = 0; 1970-01-01 was a Thursday
  return static_cast<int>(((FloorDiv(unix_micros, kMicrosPerDay) + 3) % 7 + 7) % 7);
}

template <size_t N>
Status ParseProfile(std::string_view text, const char* what, std::array<uint32_t, N>* out) {
  std::vector<std::string_view> items = SplitView(text, ',');
  if (items.size() != N) {
    return Status::InvalidArgument(std::string(what) + " needs " + std::to_string(N) +
                                   " comma-separated percentages, got " +
                                   std::to_string(items.size()));
  }
  for (size_t i = 0; i < N; ++i) {
    auto permille = ParseDecimalScaled(items[i], 1);  // percent with 0.1 % steps
    if (!permille.ok() || *permille < 0 ||
        *permille > static_cast<int64_t>(SyntheticOptions::kProfilePermilleMax)) {
      return Status::InvalidArgument(std::string(what) + " value '" + std::string(items[i]) +
                                     "' is not a percentage in 0..10000 (0.1 % steps)");
    }
    (*out)[i] = static_cast<uint32_t>(*permille);
  }
  return Status::Ok();
}

class EmptyTraceReader : public TraceReader {
 public:
  Result<bool> Next(TraceRecord*) override { return false; }
  Status Rewind() override { return Status::Ok(); }
  uint64_t skipped_lines() const override { return 0; }
  void SetTimeFilter(TimeFilter*) override {}
  const std::string& first_skip_error() const override { return none_; }

 private:
  std::string none_;
};

}  // namespace

SyntheticOptions::SyntheticOptions() {
  TrafficProfile p = TrafficProfile::Default();
  hourly_permille = p.daily_permille;
  weekly_permille = p.weekly_permille;
}

Status SyntheticOptions::Validate() const {
  if (days < 1 || days > kDaysMax) {
    return Status::InvalidArgument("--days must be in 1.." + std::to_string(kDaysMax));
  }
  if (rate_denominator == 0 || rate_numerator == 0 ||
      rate_numerator / rate_denominator >= kRatePerSecondMax) {
    return Status::InvalidArgument("--rate must be above 0 and below 1000000 requests/s");
  }
  uint64_t hourly_sum = 0, weekly_sum = 0;
  for (uint32_t v : hourly_permille) {
    if (v > kProfilePermilleMax) return Status::InvalidArgument("hourly profile value too large");
    hourly_sum += v;
  }
  for (uint32_t v : weekly_permille) {
    if (v > kProfilePermilleMax) return Status::InvalidArgument("weekly profile value too large");
    weekly_sum += v;
  }
  if (hourly_sum == 0 || weekly_sum == 0) {
    return Status::InvalidArgument("a traffic profile is all zeros: no request would arrive");
  }
  if (bursts.size() > kBurstsMax) {
    return Status::InvalidArgument("more than " + std::to_string(kBurstsMax) + " bursts");
  }
  const int64_t span = days * kMicrosPerDay;
  std::vector<BurstWindow> sorted = bursts;
  std::sort(sorted.begin(), sorted.end(), [](const BurstWindow& a, const BurstWindow& b) {
    return a.start_offset_micros < b.start_offset_micros;
  });
  for (size_t i = 0; i < sorted.size(); ++i) {
    const BurstWindow& b = sorted[i];
    if (b.start_offset_micros < 0 || b.start_offset_micros >= span || b.duration_micros <= 0 ||
        b.duration_micros > span) {
      return Status::InvalidArgument("a burst starts outside the run or has no duration");
    }
    if (b.multiplier_milli > kBurstMultiplierMilliMax) {
      return Status::InvalidArgument("a burst multiplier is above 1000");
    }
    if (i > 0 &&
        sorted[i - 1].start_offset_micros + sorted[i - 1].duration_micros > b.start_offset_micros) {
      return Status::InvalidArgument("burst windows overlap");
    }
  }
  return Status::Ok();
}

double SyntheticOptions::RatePerSecondAt(int64_t unix_micros) const {
  uint32_t burst = 1000;
  const int64_t offset = unix_micros - start_micros;
  for (const BurstWindow& b : bursts) {
    if (offset >= b.start_offset_micros && offset < b.start_offset_micros + b.duration_micros) {
      burst = b.multiplier_milli;
    }
  }
  const double scale = static_cast<double>(hourly_permille[HourOf(unix_micros)]) *
                       weekly_permille[WeekdayOf(unix_micros)] * burst / 1e9;
  return rate_per_s() * scale;
}

double SyntheticOptions::ExpectedArrivals() const {
  // λ is constant on each UTC hour except inside bursts (which do not
  // overlap): per hour, its length at ×1 plus each burst's overlap at
  // (multiplier − 1).
  const int64_t end = start_micros + days * kMicrosPerDay;
  double total = 0;
  for (int64_t h0 = FloorDiv(start_micros, kMicrosPerHour) * kMicrosPerHour; h0 < end;
       h0 += kMicrosPerHour) {
    const int64_t lo = std::max(h0, start_micros), hi = std::min(h0 + kMicrosPerHour, end);
    double weighted_micros = static_cast<double>(hi - lo);
    for (const BurstWindow& b : bursts) {
      const int64_t blo = std::max(lo, start_micros + b.start_offset_micros);
      const int64_t bhi = std::min(hi, start_micros + b.start_offset_micros + b.duration_micros);
      if (bhi > blo) {
        weighted_micros += static_cast<double>(bhi - blo) * (b.multiplier_milli / 1000.0 - 1.0);
      }
    }
    const double per_s =
        rate_per_s() * hourly_permille[HourOf(lo)] * weekly_permille[WeekdayOf(lo)] / 1e6;
    total += per_s * weighted_micros / kMicrosPerSecond;
  }
  return total;
}

std::string SyntheticOptions::Describe() const {
  uint32_t hourly_max = *std::max_element(hourly_permille.begin(), hourly_permille.end());
  uint32_t weekly_max = *std::max_element(weekly_permille.begin(), weekly_permille.end());
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "synthetic: Poisson, base %.6g req/s (peak %.6g), %lld days, %zu bursts, "
                "expected %.0f requests\n",
                rate_per_s(), rate_per_s() * hourly_max * weekly_max / 1e6,
                static_cast<long long>(days), bursts.size(), ExpectedArrivals());
  return buf;
}

Status ParseRate(std::string_view text, SyntheticOptions* options) {
  const std::string quoted = "--rate '" + std::string(text) + "'";
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    auto num = ParseDecimalScaled(text.substr(0, slash), 0);
    auto den = ParseDecimalScaled(text.substr(slash + 1), 0);
    if (!num.ok() || !den.ok() || *num <= 0 || *den <= 0) {
      return Status::InvalidArgument(quoted + " is not N/D with integers N, D > 0");
    }
    options->rate_numerator = static_cast<uint64_t>(*num);
    options->rate_denominator = static_cast<uint64_t>(*den);
    return Status::Ok();
  }
  auto micro = ParseDecimalScaled(text, 6);
  if (!micro.ok() || *micro <= 0) {
    return Status::InvalidArgument(quoted + " is not a positive number of requests/s");
  }
  options->rate_numerator = static_cast<uint64_t>(*micro);
  options->rate_denominator = 1'000'000;
  return Status::Ok();
}

Status ParseHourlyProfile(std::string_view text, SyntheticOptions* options) {
  return ParseProfile(text, "--hourly-profile", &options->hourly_permille);
}

Status ParseWeeklyProfile(std::string_view text, SyntheticOptions* options) {
  return ParseProfile(text, "--weekly-profile", &options->weekly_permille);
}

Result<BurstWindow> ParseBurst(std::string_view text) {
  std::vector<std::string_view> parts = SplitView(text, ':');
  const std::string quoted = "--burst '" + std::string(text) + "'";
  if (parts.size() != 3) return Status::InvalidArgument(quoted + " is not START_H:DUR_MIN:MULT");
  auto start_microhours = ParseDecimalScaled(parts[0], 6);
  auto duration_microminutes = ParseDecimalScaled(parts[1], 6);
  auto multiplier = ParseDecimalScaled(parts[2], 3);
  if (!start_microhours.ok() || !duration_microminutes.ok() || !multiplier.ok() ||
      *start_microhours < 0 || *duration_microminutes <= 0 || *multiplier < 0 ||
      *start_microhours > kDaysMax * 24 * int64_t{1'000'000} ||
      *duration_microminutes > kDaysMax * 24 * 60 * int64_t{1'000'000} ||
      *multiplier > SyntheticOptions::kBurstMultiplierMilliMax) {
    return Status::InvalidArgument(quoted +
                                   ": START_H >= 0 hours, DUR_MIN > 0 minutes, 0 <= MULT <= 1000");
  }
  BurstWindow b;
  b.start_offset_micros = *start_microhours * 3600;  // µh → µs
  b.duration_micros = *duration_microminutes * 60;
  b.multiplier_milli = static_cast<uint32_t>(*multiplier);
  return b;
}

std::unique_ptr<TraceReader> MakeEmptyTraceReader() { return std::make_unique<EmptyTraceReader>(); }

SyntheticSource::SyntheticSource(const SyntheticOptions& options,
                                 std::unique_ptr<TokenModel> tokens,
                                 std::unique_ptr<TraceReader> reader)
    : options_(options),
      tokens_(std::move(tokens)),
      reader_(reader ? std::move(reader) : MakeEmptyTraceReader()),
      arrivals_rng_(options.seed, kArrivalsStream),
      tokens_rng_(options.seed, kTokensStream),
      end_offset_micros_(options.days * kMicrosPerDay),
      hourly_max_permille_(
          *std::max_element(options.hourly_permille.begin(), options.hourly_permille.end())) {
  UKAIRO_CHECK(tokens_ != nullptr);
  UKAIRO_CHECK(hourly_max_permille_ > 0);
  UKAIRO_CHECK(end_offset_micros_ > 0);
}

Result<std::unique_ptr<SyntheticSource>> SyntheticSource::Make(
    const SyntheticOptions& options, std::unique_ptr<TokenModel> tokens,
    std::unique_ptr<TraceReader> reader) {
  UKAIRO_RETURN_IF_ERROR(options.Validate());
  if (tokens == nullptr) {
    UKAIRO_ASSIGN_OR_RETURN(tokens,
                            MakeLogNormalTokenModel(LogNormalParams::AzureConversationDefault()));
  }
  return std::unique_ptr<SyntheticSource>(
      new SyntheticSource(options, std::move(tokens), std::move(reader)));
}

uint32_t SyntheticSource::BurstMilliAt(int64_t offset_micros) const {
  for (const BurstWindow& b : options_.bursts) {
    if (offset_micros >= b.start_offset_micros &&
        offset_micros < b.start_offset_micros + b.duration_micros) {
      return b.multiplier_milli;
    }
  }
  return 1000;
}

// The segment of the run from offset `from`: up to the next UTC midnight,
// burst edge or the run's end, whichever is first. λ is the weekday's and
// the burst's times the hour's there, so the majorant is the busiest hour.
void SyntheticSource::StartSegment(int64_t from_offset_micros) {
  UKAIRO_CHECK(from_offset_micros >= 0 && from_offset_micros < end_offset_micros_);
  const int64_t abs = options_.start_micros + from_offset_micros;
  const int64_t day = FloorDiv(abs, kMicrosPerDay);
  int64_t end = std::min((day + 1) * kMicrosPerDay - options_.start_micros, end_offset_micros_);
  for (const BurstWindow& b : options_.bursts) {
    const int64_t edges[2] = {b.start_offset_micros, b.start_offset_micros + b.duration_micros};
    for (int64_t edge : edges) {
      if (edge > from_offset_micros) end = std::min(end, edge);
    }
  }
  segment_started_ = true;
  segment_start_offset_micros_ = from_offset_micros;
  segment_end_offset_micros_ = end;
  UKAIRO_CHECK(segment_end_offset_micros_ > segment_start_offset_micros_);
  segment_burst_milli_ = BurstMilliAt(from_offset_micros);
  // Majorant in requests per microsecond.
  const double bound_per_micro = options_.rate_per_s() * static_cast<double>(hourly_max_permille_) *
                                 options_.weekly_permille[WeekdayOf(abs)] * segment_burst_milli_ /
                                 1e9 / kMicrosPerSecond;
  segment_gap_mean_micros_ = bound_per_micro > 0 ? 1.0 / bound_per_micro : 0;
}

Result<bool> SyntheticSource::Next(TraceRecord* record) {
  constexpr double kUnit = 1.0 / 9007199254740992.0;  // 2^-53
  const double end = static_cast<double>(end_offset_micros_);
  for (;;) {
    if (t_offset_micros_ >= end) return false;
    const double segment_end = static_cast<double>(segment_end_offset_micros_);
    if (!segment_started_ || t_offset_micros_ >= segment_end) {
      StartSegment(segment_started_ ? segment_end_offset_micros_ : 0);
      t_offset_micros_ = static_cast<double>(segment_start_offset_micros_);
      continue;
    }
    if (segment_gap_mean_micros_ == 0) {  // silent (weekday weight or burst ×0)
      t_offset_micros_ = segment_end;
      continue;
    }
    const double u = static_cast<double>((arrivals_rng_.Next() >> 11) + 1) * kUnit;  // (0, 1]
    t_offset_micros_ += -std::log(u) * segment_gap_mean_micros_;
    ++candidates_;
    if (t_offset_micros_ >= segment_end) {
      // Past the segment: dropped; the process restarts at its end.
      t_offset_micros_ = segment_end;
      continue;
    }
    const int64_t offset = static_cast<int64_t>(t_offset_micros_);  // floor (≥ 0)
    UKAIRO_DCHECK(offset >= segment_start_offset_micros_ && offset < segment_end_offset_micros_);
    UKAIRO_DCHECK(BurstMilliAt(offset) == segment_burst_milli_);
    const int64_t at = options_.start_micros + offset;
    const Ratio keep{options_.hourly_permille[HourOf(at)], hourly_max_permille_};
    if (!arrivals_rng_.Chance(keep)) continue;
    const TokenPair tokens = tokens_->Draw(tokens_rng_);
    record->time_micros = at;
    record->input_tokens = tokens.input_tokens;
    record->output_tokens = tokens.output_tokens;
    record->model.clear();
    record->tag.clear();
    record->status.clear();
    record->max_output_tokens = 0;
    ++arrivals_;
    return true;
  }
}

}  // namespace ukairo::sim
