#include "sim/report_json.h"

#include <cstdio>
#include <set>
#include <string>

#include "base/money.h"
#include "ledger/period.h"

namespace ukairo::sim {
namespace {

using Json = nlohmann::ordered_json;

// Exact nano-USD of a summary's USD string ("12.5", "-0.1"); 0 if absent.
NanoUsd NanosOf(const Json& j, const std::string& key) {
  if (!j.contains(key) || !j[key].is_string()) return 0;
  std::string text = j[key].get<std::string>();
  const bool negative = !text.empty() && text[0] == '-';
  auto nanos = ParseUsd(negative ? text.substr(1) : text);
  if (!nanos.ok()) return 0;  // summaries only hold FormatNanosAsUsd output
  return negative ? -*nanos : *nanos;
}

int64_t CountOf(const Json& j, const std::string& key) {
  if (!j.contains(key) || !j[key].is_number_integer()) return 0;
  return j[key].get<int64_t>();
}

const Json& MapOf(const Json& j, const std::string& key) {
  static const Json kEmpty = Json::object();
  return j.contains(key) && j[key].is_object() ? j[key] : kEmpty;
}

std::set<std::string> KeysOf(const Json& a, const Json& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a.items()) keys.insert(k);
  for (const auto& [k, v] : b.items()) keys.insert(k);
  return keys;
}

}  // namespace

Json DiffSummaries(const Json& a, const Json& b) {
  Json d = Json::object();
  for (const char* key : {"requests_total", "requests_failed", "requests_last_resort"}) {
    d[key] = CountOf(b, key) - CountOf(a, key);
  }
  d["cost_usd_total"] =
      FormatNanosAsUsd(NanosOf(b, "cost_usd_total") - NanosOf(a, "cost_usd_total"));
  for (const char* key : {"cost_usd_by_model", "cost_usd_by_tag", "cost_usd_by_tier"}) {
    const Json& ma = MapOf(a, key);
    const Json& mb = MapOf(b, key);
    Json m = Json::object();
    for (const auto& k : KeysOf(ma, mb)) m[k] = FormatNanosAsUsd(NanosOf(mb, k) - NanosOf(ma, k));
    d[key] = m;
  }
  for (const char* key : {"served_by", "fallbacks_by_reason"}) {
    const Json& ma = MapOf(a, key);
    const Json& mb = MapOf(b, key);
    Json m = Json::object();
    for (const auto& k : KeysOf(ma, mb)) m[k] = CountOf(mb, k) - CountOf(ma, k);
    d[key] = m;
  }
  for (const char* key : {"retries", "attempts", "latency_added_ms_p50", "latency_added_ms_p99",
                          "probes", "probes_failed", "recoveries"}) {
    d[key] = CountOf(b, key) - CountOf(a, key);
  }
  auto size_of = [](const Json& j, const char* key) -> int64_t {
    return j.contains(key) ? static_cast<int64_t>(j[key].size()) : 0;
  };
  d["alerts"] = size_of(b, "alerts") - size_of(a, "alerts");
  d["budget_exhausted_at"] = size_of(b, "budget_exhausted_at") - size_of(a, "budget_exhausted_at");
  return d;
}

Json CompareJson(const Json& a, const Json& b) {
  Json j;
  j["schema"] = "ukairo.simulate.compare/1";
  j["a"] = a;
  j["b"] = b;
  j["diff"] = DiffSummaries(a, b);
  return j;
}

Json ForecastJson(const MonthForecast& forecast) {
  Json j;
  char month[16];
  std::snprintf(month, sizeof month, "%04d-%02d", forecast.period / 100, forecast.period % 100);
  j["month"] = month;
  j["first_day"] = forecast.first_day;
  j["from_days"] = forecast.from_days;
  j["month_days"] = forecast.month_days;
  j["confidence_pct"] = kForecastConfidencePct;
  Json by_scope = Json::object();
  for (const auto& f : forecast.scopes) {
    Json s;
    s["month_end_usd"] = FormatNanosAsUsd(f.line.predicted_nanos);
    s["low_usd"] = FormatNanosAsUsd(f.line.low_nanos);
    s["high_usd"] = FormatNanosAsUsd(f.line.high_nanos);
    s["slope_usd_per_day"] = FormatNanosAsUsd(f.line.slope_nanos_per_day);
    if (f.actual_nanos) s["actual_usd"] = FormatNanosAsUsd(*f.actual_nanos);
    if (f.limit_nanos) s["limit_usd"] = FormatNanosAsUsd(*f.limit_nanos);
    by_scope[f.scope] = s;
  }
  j["by_scope"] = by_scope;
  return j;
}

}  // namespace ukairo::sim
