// Labelled Prometheus metric families with bounded label sets.
//
// Every value is an integer: counts, nano-USD or microseconds. The text
// format prints them in Prometheus' base units (USD, seconds) as exact
// decimal text made from the integer (metrics_text.cc), never through
// floating point: a scraped spend equals the ledger's nano-USD to the digit.
//
// Label values come from traffic (tags are chosen by clients), so each
// family holds at most `series_per_family_max` label sets; a new set past
// that is dropped and counted in ukairo_metrics_series_dropped_total{family}.
// Thread-safe: the ledger writer, the core strand and /metrics share it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ukairo::gateway {

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };
// What a family's integers count, and so how they print.
enum class MetricUnit : uint8_t {
  kCount,     // printed as is
  kNanoUsd,   // printed as USD (value / 10^9)
  kMicros,    // printed as seconds (value / 10^6)
};

struct MetricFamilySpec {
  std::string name;   // e.g. "ukairo_requests_total"
  std::string help;
  MetricType type = MetricType::kCounter;
  MetricUnit unit = MetricUnit::kCount;
  std::vector<std::string> label_names;
};

// Histogram buckets for request, upstream and first-token latency (upper
// bounds in microseconds; printed as seconds).
inline constexpr int64_t kLatencyBucketsMicros[] = {
    5'000,   10'000,  25'000,    50'000,    100'000,   250'000,    500'000,
    1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000, 120'000'000};

class MetricsRegistry {
 public:
  static constexpr size_t kSeriesPerFamilyMaxDefault = 1000;
  // Longer label values are cut (a label is a name, not a payload).
  static constexpr size_t kLabelValueBytesMax = 128;

  explicit MetricsRegistry(size_t series_per_family_max = kSeriesPerFamilyMaxDefault)
      : series_per_family_max_(series_per_family_max) {}

  // Declares a family; returns its handle. Declare every family before use.
  // REQUIRES: a name not declared before.
  size_t Declare(MetricFamilySpec spec);

  // REQUIRES: label_values.size() == the family's label_names.size().
  void Add(size_t family, const std::vector<std::string>& label_values, int64_t delta);
  void Set(size_t family, const std::vector<std::string>& label_values, int64_t value);
  void Observe(size_t family, const std::vector<std::string>& label_values, int64_t micros);

  // Label sets dropped from a family because it was full.
  uint64_t Dropped(size_t family) const;
  // Appends every family in the text exposition format 0.0.4, then
  // ukairo_metrics_series_dropped_total.
  void Render(std::string* out) const;

 private:
  struct Series {
    int64_t value = 0;                     // counter, gauge; histogram sum
    std::vector<uint64_t> bucket_counts;   // histogram only, not cumulative
    uint64_t count = 0;                    // histogram only
  };
  struct Family {
    MetricFamilySpec spec;
    std::map<std::vector<std::string>, Series> series;  // at most series_per_family_max_
    uint64_t dropped = 0;
  };
  // The series for these labels, created if there is room; nullptr if not.
  Series* Find(Family& family, const std::vector<std::string>& label_values);

  const size_t series_per_family_max_;
  mutable std::mutex mu_;
  std::vector<Family> families_;  // GUARDED_BY(mu_); fixed once declared
};

// Exact decimal text of value / 10^decimals ("0.00104", "12", "-3.5").
std::string FormatScaledInteger(int64_t value, int decimals);
// A label value escaped for the text format (\\, \", \n).
std::string EscapeLabelValue(const std::string& value);

}  // namespace ukairo::gateway
