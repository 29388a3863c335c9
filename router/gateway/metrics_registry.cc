// MetricsRegistry: bounded label sets and integer bookkeeping.
#include "router/gateway/metrics_registry.h"

#include <algorithm>
#include <iterator>

#include "base/check.h"

namespace ukairo::gateway {

size_t MetricsRegistry::Declare(MetricFamilySpec spec) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Family& f : families_) {
    UKAIRO_CHECK(f.spec.name != spec.name, "metric family declared twice: " + spec.name);
  }
  families_.push_back(Family{std::move(spec), {}, 0});
  return families_.size() - 1;
}

MetricsRegistry::Series* MetricsRegistry::Find(Family& family,
                                               const std::vector<std::string>& label_values) {
  UKAIRO_CHECK(label_values.size() == family.spec.label_names.size(),
               "metric " + family.spec.name + ": wrong number of label values");
  // The common case, a known set of short values, copies nothing.
  const bool cut = std::any_of(label_values.begin(), label_values.end(),
                               [](const std::string& v) { return v.size() > kLabelValueBytesMax; });
  if (!cut) {
    auto it = family.series.find(label_values);
    if (it != family.series.end()) return &it->second;
  }
  std::vector<std::string> key = label_values;
  for (std::string& v : key) {
    if (v.size() > kLabelValueBytesMax) v.resize(kLabelValueBytesMax);
  }
  if (cut) {
    auto it = family.series.find(key);
    if (it != family.series.end()) return &it->second;
  }
  if (family.series.size() >= series_per_family_max_) {
    ++family.dropped;
    return nullptr;
  }
  Series s;
  if (family.spec.type == MetricType::kHistogram) {
    s.bucket_counts.assign(std::size(kLatencyBucketsMicros) + 1, 0);
  }
  return &family.series.emplace(std::move(key), std::move(s)).first->second;
}

void MetricsRegistry::Add(size_t family, const std::vector<std::string>& label_values,
                          int64_t delta) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = families_.at(family);
  UKAIRO_CHECK(f.spec.type != MetricType::kHistogram, f.spec.name + " is a histogram");
  UKAIRO_CHECK(f.spec.type != MetricType::kCounter || delta >= 0,
               f.spec.name + ": a counter only goes up");
  if (Series* s = Find(f, label_values)) s->value += delta;
}

void MetricsRegistry::Set(size_t family, const std::vector<std::string>& label_values,
                          int64_t value) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = families_.at(family);
  UKAIRO_CHECK(f.spec.type == MetricType::kGauge, f.spec.name + " is not a gauge");
  if (Series* s = Find(f, label_values)) s->value = value;
}

void MetricsRegistry::Observe(size_t family, const std::vector<std::string>& label_values,
                              int64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = families_.at(family);
  UKAIRO_CHECK(f.spec.type == MetricType::kHistogram, f.spec.name + " is not a histogram");
  Series* s = Find(f, label_values);
  if (s == nullptr) return;
  if (micros < 0) micros = 0;  // a clock held back never makes a negative duration
  size_t i = 0;
  while (i < std::size(kLatencyBucketsMicros) && micros > kLatencyBucketsMicros[i]) ++i;
  ++s->bucket_counts[i];
  ++s->count;
  s->value += micros;
}

uint64_t MetricsRegistry::Dropped(size_t family) const {
  std::lock_guard<std::mutex> lock(mu_);
  return families_.at(family).dropped;
}

}  // namespace ukairo::gateway
