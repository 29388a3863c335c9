// The Prometheus text exposition format (0.0.4) of a MetricsRegistry:
// integers printed in base units as exact decimal text.
#include <string>

#include "router/gateway/metrics_registry.h"

namespace ukairo::gateway {

std::string FormatScaledInteger(int64_t value, int decimals) {
  const bool negative = value < 0;
  // Unsigned, so that INT64_MIN formats too.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / scale);
  if (uint64_t frac = magnitude % scale; frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, static_cast<size_t>(decimals) - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

const char* TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

std::string InUnit(int64_t value, MetricUnit unit) {
  switch (unit) {
    case MetricUnit::kCount: return std::to_string(value);
    case MetricUnit::kNanoUsd: return FormatScaledInteger(value, 9);
    case MetricUnit::kMicros: return FormatScaledInteger(value, 6);
  }
  return std::to_string(value);
}

// {a="x",b="y"} plus an optional extra label (le for buckets); "" when empty.
std::string LabelText(const std::vector<std::string>& names,
                      const std::vector<std::string>& values, const std::string& extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

}  // namespace

void MetricsRegistry::Render(std::string* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string& m = *out;
  for (const Family& f : families_) {
    const MetricFamilySpec& spec = f.spec;
    m += "# HELP " + spec.name + " " + spec.help + "\n# TYPE " + spec.name + " " +
         TypeName(spec.type) + "\n";
    for (const auto& [labels, s] : f.series) {
      if (spec.type != MetricType::kHistogram) {
        m += spec.name + LabelText(spec.label_names, labels) + " " + InUnit(s.value, spec.unit) +
             "\n";
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= std::size(kLatencyBucketsMicros); ++i) {
        cumulative += s.bucket_counts[i];
        const std::string le = i < std::size(kLatencyBucketsMicros)
                                   ? FormatScaledInteger(kLatencyBucketsMicros[i], 6)
                                   : "+Inf";
        m += spec.name + "_bucket" + LabelText(spec.label_names, labels, "le=\"" + le + "\"") +
             " " + std::to_string(cumulative) + "\n";
      }
      m += spec.name + "_sum" + LabelText(spec.label_names, labels) + " " +
           InUnit(s.value, spec.unit) + "\n";
      m += spec.name + "_count" + LabelText(spec.label_names, labels) + " " +
           std::to_string(s.count) + "\n";
    }
  }
  m += "# HELP ukairo_metrics_series_dropped_total Label sets not recorded because their "
       "family held its maximum of series\n# TYPE ukairo_metrics_series_dropped_total counter\n";
  for (const Family& f : families_) {
    m += "ukairo_metrics_series_dropped_total{family=\"" + f.spec.name + "\"} " +
         std::to_string(f.dropped) + "\n";
  }
}

}  // namespace ukairo::gateway
