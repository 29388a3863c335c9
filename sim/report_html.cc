#include "sim/report_html.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "base/check.h"
#include "base/money.h"
#include "ledger/period.h"
#include "sim/report_svg.h"

namespace ukairo::sim {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kCss = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;color:#222;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px;color:#444}
p.note{color:#666;font-size:12px;margin:4px 0 10px}
table{border-collapse:collapse;font-size:12px;background:#fff;margin:4px 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
td.pos{color:#b71c1c}td.neg{color:#1b5e20}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:10px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:10px;max-width:860px}
.stack{display:grid;grid-template-columns:1fr;gap:6px}
.card{background:#fff;border:1px solid #e3e3e3;border-radius:4px;padding:4px}
.card svg{width:100%;height:auto;display:block}
.lbl{font-size:12px;font-weight:bold;color:#555;margin:2px 4px}
code{font-size:11px}
)css";

std::string Esc(const std::string& s) { return HtmlEscape(s); }

std::string Cell(const Json& v, bool money) {
  if (v.is_null()) return "<td class=\"n\">–</td>";
  if (v.is_string()) {
    return "<td class=\"n\">" + std::string(money ? "$" : "") + Esc(v.get<std::string>()) + "</td>";
  }
  return "<td class=\"n\">" + Esc(v.dump()) + "</td>";
}

std::string DiffCell(const Json& v, bool money) {
  if (v.is_null()) return "<td class=\"n\">–</td>";
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  const bool neg = !text.empty() && text[0] == '-';
  const bool zero = text == "0";
  if (money) text = neg ? "-$" + text.substr(1) : "$" + text;
  if (!neg && !zero) text = "+" + text;
  return std::string("<td class=\"n") +
         (zero  ? ""
          : neg ? " neg"
                : " pos") +
         "\">" + Esc(text) + "</td>";
}

// "$86.66": an estimate shown to the cent (half up); the JSON keeps nano-USD.
std::string Cents(const Json& v) {
  if (!v.is_string()) return "–";
  auto nanos = ParseUsd(v.get<std::string>());
  if (!nanos.ok()) return Esc(v.get<std::string>());
  const NanoUsd cents = (*nanos + 5'000'000) / 10'000'000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "$%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

const Json& At(const Json& j, const std::string& key) {
  static const Json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

class Page {
 public:
  explicit Page(const std::vector<ReportColumn>& cols, const Json* diff)
      : cols_(cols), diff_(diff) {}

  std::string Render() {
    const Json& run0 = At(*cols_[0].summary, "run");
    out_ += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
    out_ += "<title>ukairo simulate: " + Esc(Str(run0, "scenario")) + "</title>\n";
    out_ += "<style>" + std::string(kCss) + "</style></head><body>\n";
    out_ +=
        "<h1>ukairo simulate report" + std::string(compare() ? " — comparison" : "") + "</h1>\n";
    out_ += "<p class=\"note\">Scenario " + Esc(Str(run0, "scenario")) + ", " +
            Esc(Str(run0, "start")) + " to " + Esc(Str(run0, "end")) +
            ". Virtual time; all amounts exact USD from integer nano-USD. Hover a bar or dot "
            "for its numbers.</p>\n";
    RunTable();
    SummaryTable();
    ForecastTable();
    SpendCharts();
    ServedCharts();
    FallbackCharts();
    ExhaustedTable();
    AlertsTable();
    out_ += "</body></html>\n";
    return out_;
  }

 private:
  bool compare() const { return cols_.size() > 1; }

  static std::string Str(const Json& j, const char* key) {
    const Json& v = At(j, key);
    return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
  }

  void Header(const char* first) {
    out_ += "<table><tr><th>" + std::string(first) + "</th>";
    for (const auto& c : cols_) {
      out_ +=
          "<th>" +
          Esc(c.label.empty() ? "value" : c.label + ": " + Str(At(*c.summary, "run"), "config")) +
          "</th>";
    }
    if (compare() && diff_ != nullptr) out_ += "<th>b − a</th>";
    out_ += "</tr>\n";
  }

  void DiffNote() {
    if (compare()) {
      out_ += "<p class=\"note\">b − a in red where b is higher, green where lower.</p>\n";
    }
  }

  void RunTable() {
    out_ += "<h2>Run</h2>\n";
    Header("parameter");
    for (const char* k :
         {"seed", "config", "config_sha256", "scenario", "trace", "trace_format", "start", "end",
          "days", "trace_records_read", "trace_lines_skipped", "events"}) {
      out_ += "<tr><td>" + std::string(k) + "</td>";
      for (const auto& c : cols_) {
        out_ += "<td><code>" + Esc(Str(At(*c.summary, "run"), k)) + "</code></td>";
      }
      if (compare() && diff_ != nullptr) out_ += "<td></td>";
      out_ += "</tr>\n";
    }
    out_ += "</table>\n";
  }

  void Row(const std::string& name, const Json& (*get)(const Json&, const std::string&),
           const std::string& key, bool money, const Json* diff_value) {
    out_ += "<tr><td>" + Esc(name) + "</td>";
    for (const auto& c : cols_) out_ += Cell(get(*c.summary, key), money);
    if (compare() && diff_ != nullptr) out_ += DiffCell(diff_value ? *diff_value : Json(), money);
    out_ += "</tr>\n";
  }

  void SummaryTable() {
    out_ += "<h2>Summary</h2>\n";
    DiffNote();
    Header("number");
    auto top = [](const Json& j, const std::string& k) -> const Json& { return At(j, k); };
    for (const char* k : {"requests_total", "requests_failed", "requests_last_resort",
                          "cost_usd_total", "retries", "attempts", "latency_added_ms_p50",
                          "latency_added_ms_p99", "probes", "probes_failed", "recoveries"}) {
      const bool money = std::string(k).find("usd") != std::string::npos;
      const Json* d = diff_ ? &At(*diff_, k) : nullptr;
      Row(k, top, k, money, d);
    }
    for (const char* map : {"cost_usd_by_tier", "cost_usd_by_model", "cost_usd_by_tag", "served_by",
                            "fallbacks_by_reason"}) {
      const bool money = std::string(map).find("usd") != std::string::npos;
      std::set<std::string> keys;
      for (const auto& c : cols_) {
        for (const auto& [k, v] : At(*c.summary, map).items()) keys.insert(k);
      }
      for (const auto& k : keys) {
        out_ += "<tr><td>" + Esc(std::string(map) + "." + k) + "</td>";
        for (const auto& c : cols_) out_ += Cell(At(At(*c.summary, map), k), money);
        if (compare() && diff_ != nullptr) out_ += DiffCell(At(At(*diff_, map), k), money);
        out_ += "</tr>\n";
      }
    }
    out_ += "</table>\n";
  }

  void ForecastTable() {
    out_ += "<h2>Month-end forecast</h2>\n";
    const Json& f0 = At(*cols_[0].summary, "forecast");
    if (f0.is_null()) {
      out_ += "<p class=\"note\">No forecast: fewer than 3 days of data in the month.</p>\n";
      return;
    }
    const int64_t first =
        At(f0, "first_day").is_number_integer() ? At(f0, "first_day").get<int64_t>() : 1;
    const int64_t used =
        At(f0, "from_days").is_number_integer() ? At(f0, "from_days").get<int64_t>() : 0;
    out_ += "<p class=\"note\">Least-squares line through the cumulative spend of days " +
            std::to_string(first) + "–" + std::to_string(first + used - 1) + " of " +
            Esc(Str(f0, "month")) + (first > 1 ? " (spend before the run counts as zero)" : "") +
            ", extrapolated to day " + Esc(At(f0, "month_days").dump()) +
            "; 95 % prediction interval, shown to the cent (exact in the JSON). <i>actual</i> is "
            "the simulated month's real total when the run covers the whole month. A scope "
            "stopped by its budget spends no more, so a forecast above the budget means "
            "&quot;at this rate the budget runs out&quot;.</p>\n";
    std::set<std::string> scopes;
    for (const auto& c : cols_) {
      for (const auto& [k, v] : At(At(*c.summary, "forecast"), "by_scope").items()) {
        scopes.insert(k);
      }
    }
    out_ += "<table><tr><th>scope</th>";
    for (const auto& c : cols_) {
      const std::string p = c.label.empty() ? "" : c.label + ": ";
      out_ += "<th>" + Esc(p) + "forecast</th><th>" + Esc(p) + "95 % interval</th><th>" + Esc(p) +
              "actual</th><th>" + Esc(p) + "budget</th>";
    }
    out_ += "</tr>\n";
    for (const auto& s : scopes) {
      out_ += "<tr><td>" + Esc(s) + "</td>";
      for (const auto& c : cols_) {
        const Json& e = At(At(At(*c.summary, "forecast"), "by_scope"), s);
        out_ += "<td class=\"n\">" + Cents(At(e, "month_end_usd")) + "</td>";
        const bool has = e.is_object();
        out_ += "<td class=\"n\">" +
                (has ? Cents(At(e, "low_usd")) + " – " + Cents(At(e, "high_usd")) : "–") + "</td>";
        out_ += "<td class=\"n\">" + Cents(At(e, "actual_usd")) + "</td>" +
                Cell(At(e, "limit_usd"), true);
      }
      out_ += "</tr>\n";
    }
    out_ += "</table>\n";
  }

  // Scopes worth a chart: with a budget or with spend, in any run; global,
  // tiers, models, tags.
  std::vector<std::string> ChartScopes() const {
    std::vector<std::string> out;
    for (const char* prefix : {"global", "tier:", "model:", "tag:"}) {
      std::set<std::string> names;
      for (const auto& c : cols_) {
        for (const auto& [name, s] : c.series->scopes()) {
          if (name.rfind(prefix, 0) != 0) continue;
          bool spent = false;
          for (NanoUsd v : s.spend_by_day) spent = spent || v != 0;
          if (s.limit_nanos || spent) names.insert(name);
        }
      }
      out.insert(out.end(), names.begin(), names.end());
    }
    return out;
  }

  // The forecast of `scope` as a chart projection (monthly budgets only: the
  // chart's cumulative line is then the forecast's).
  static std::optional<SpendChartInput::Projection> Projection(
      const Json& summary, const std::string& scope, const std::vector<NanoUsd>& cumulative) {
    const Json& f = At(summary, "forecast");
    const Json& e = At(At(f, "by_scope"), scope);
    auto int_of = [&](const char* k) -> int64_t {
      return At(f, k).is_number_integer() ? At(f, k).get<int64_t>() : 0;
    };
    auto nanos_of = [&](const char* k) -> std::optional<NanoUsd> {
      if (!At(e, k).is_string()) return std::nullopt;
      auto n = ParseUsd(At(e, k).get<std::string>());
      return n.ok() ? std::optional<NanoUsd>(*n) : std::nullopt;
    };
    const int64_t from = int_of("from_days"), first = int_of("first_day"),
                  month = int_of("month_days");
    auto predicted = nanos_of("month_end_usd"), low = nanos_of("low_usd"),
         high = nanos_of("high_usd");
    if (!predicted || !low || !high || from < 1 || first < 1 || month < first ||
        static_cast<size_t>(from) > cumulative.size()) {
      return std::nullopt;
    }
    SpendChartInput::Projection p;
    p.from_day = static_cast<int32_t>(from);
    p.from_nanos = cumulative[static_cast<size_t>(from - 1)];
    p.to_day = static_cast<int32_t>(month - first + 1);
    p.predicted_nanos = *predicted;
    p.low_nanos = *low;
    p.high_nanos = *high;
    return p;
  }

  SpendChartInput SpendInput(const ReportColumn& c, const std::string& scope) const {
    SpendChartInput in;
    in.title = scope;
    in.origin_micros = c.series->origin_micros();
    in.days = c.series->days();
    auto it = c.series->scopes().find(scope);
    if (it == c.series->scopes().end()) {
      in.cumulative.assign(static_cast<size_t>(in.days), 0);
      return in;
    }
    in.cumulative = c.series->CumulativeInPeriod(it->second);
    in.limit_nanos = it->second.limit_nanos;
    in.marks = it->second.marks;
    const PeriodKind kind = c.series->config().budget_period;
    if (kind == PeriodKind::kMonth) in.projection = Projection(*c.summary, scope, in.cumulative);
    for (int32_t d = 0; d < in.days; ++d) {
      const int64_t t = in.origin_micros + d * kMicrosPerDay;
      in.period_starts.push_back(d == 0 || PeriodOf(t, kind) != PeriodOf(t - kMicrosPerDay, kind));
    }
    return in;
  }

  void SpendCharts() {
    out_ += "<h2>Cumulative spend against budget</h2>\n";
    out_ +=
        "<p class=\"note\">Spend so far in the budget period at the end of each day; dashed "
        "lines at 80 / 90 / 100 % of the scope's budget; dots mark alerts, rings the "
        "stops; the grey dotted line is the month-end forecast with its 95 % interval." +
        std::string(compare() ? " Left a, right b, on the same scale." : "") + "</p>\n";
    out_ += compare() ? "<div class=\"grid2\">\n" : "<div class=\"grid\">\n";
    for (const auto& scope : ChartScopes()) {
      std::vector<SpendChartInput> inputs;
      NanoUsd shared_max = 0;
      for (const auto& c : cols_) {
        inputs.push_back(SpendInput(c, scope));
        for (NanoUsd v : inputs.back().cumulative) shared_max = std::max(shared_max, v);
        if (inputs.back().projection) {
          shared_max = std::max(shared_max, inputs.back().projection->high_nanos);
        }
        if (inputs.back().limit_nanos)
          shared_max = std::max(shared_max, *inputs.back().limit_nanos);
      }
      for (size_t i = 0; i < inputs.size(); ++i) {
        inputs[i].axis_max_nanos = shared_max;
        if (compare()) inputs[i].title = cols_[i].label + ": " + scope;
        out_ += "<div class=\"card\">" + SpendChartSvg(inputs[i]) + "</div>\n";
      }
    }
    out_ += "</div>\n";
  }

  // Wide charts: one per row (a above b when comparing, on the same scale).
  void Columns(const std::vector<std::string>& svgs) {
    out_ += "<div class=\"stack\">\n";
    for (size_t i = 0; i < svgs.size(); ++i) {
      out_ += "<div class=\"card\">";
      if (compare()) {
        out_ += "<div class=\"lbl\">" + Esc(cols_[i].label) + ": " +
                Esc(Str(At(*cols_[i].summary, "run"), "config")) + "</div>";
      }
      out_ += svgs[i] + "</div>\n";
    }
    out_ += "</div>\n";
  }

  static uint64_t PeakDay(const std::vector<BarLayer>& layers) {
    uint64_t peak = 0;
    size_t days = 0;
    for (const auto& l : layers) days = std::max(days, l.by_day.size());
    for (size_t d = 0; d < days; ++d) {
      uint64_t sum = 0;
      for (const auto& l : layers) sum += d < l.by_day.size() ? l.by_day[d] : 0;
      peak = std::max(peak, sum);
    }
    return peak;
  }

  void ServedCharts() {
    out_ += "<h2>Requests served per model per day</h2>\n";
    std::set<std::string> models;
    for (const auto& c : cols_) {
      for (const auto& [m, v] : c.series->served_by_model()) models.insert(m);
    }
    std::vector<std::vector<BarLayer>> per_col;
    uint64_t peak = 0;
    for (const auto& c : cols_) {
      std::vector<BarLayer> layers;
      size_t i = 0;
      for (const auto& m : models) {
        auto it = c.series->served_by_model().find(m);
        layers.push_back(BarLayer{
            m.empty() ? "(none)" : m, PaletteColor(i++),
            it == c.series->served_by_model().end() ? std::vector<uint64_t>() : it->second});
      }
      layers.push_back(BarLayer{"failed", "#555", c.series->failed_by_day()});
      peak = std::max(peak, PeakDay(layers));
      per_col.push_back(std::move(layers));
    }
    std::vector<std::string> svgs;
    for (size_t i = 0; i < cols_.size(); ++i) {
      svgs.push_back(StackedBarsSvg("requests per day by serving model",
                                    cols_[i].series->origin_micros(), cols_[i].series->days(),
                                    per_col[i], peak));
    }
    Columns(svgs);
  }

  void FallbackCharts() {
    out_ += "<h2>Fallback timeline</h2>\n";
    out_ +=
        "<p class=\"note\">fallback_taken events per day by reason (one request may fall "
        "back several times); then one strip per reason seen, each on its own scale, so "
        "rare reasons stay visible.</p>\n";
    constexpr size_t kReasons = static_cast<size_t>(ledger::FallbackReason::kMisconfigured) + 1;
    auto layer = [](const ReportColumn& c, size_t r) {
      BarLayer l{ledger::FallbackReasonName(static_cast<ledger::FallbackReason>(r)),
                 PaletteColor(r + 3),
                 {}};
      for (const auto& day : c.series->fallbacks_by_day()) l.by_day.push_back(day[r]);
      return l;
    };
    std::vector<std::vector<BarLayer>> per_col;
    uint64_t peak = 0;
    for (const auto& c : cols_) {
      std::vector<BarLayer> layers;
      for (size_t r = 0; r < kReasons; ++r) layers.push_back(layer(c, r));
      peak = std::max(peak, PeakDay(layers));
      per_col.push_back(std::move(layers));
    }
    std::vector<std::string> svgs;
    for (size_t i = 0; i < cols_.size(); ++i) {
      svgs.push_back(StackedBarsSvg("fallbacks per day by reason", cols_[i].series->origin_micros(),
                                    cols_[i].series->days(), per_col[i], peak));
    }
    Columns(svgs);
    for (size_t r = 0; r < kReasons; ++r) {
      uint64_t reason_peak = 0;
      for (const auto& layers : per_col) reason_peak = std::max(reason_peak, PeakDay({layers[r]}));
      if (reason_peak == 0) continue;
      std::vector<std::string> strips;
      for (size_t i = 0; i < cols_.size(); ++i) {
        strips.push_back(
            StackedBarsSvg(std::string("fallbacks per day: ") +
                               ledger::FallbackReasonName(static_cast<ledger::FallbackReason>(r)),
                           cols_[i].series->origin_micros(), cols_[i].series->days(),
                           {per_col[i][r]}, reason_peak, 150));
      }
      Columns(strips);
    }
  }

  void ExhaustedTable() {
    out_ += "<h2>Budgets exhausted</h2>\n";
    std::set<std::string> scopes;
    for (const auto& c : cols_) {
      for (const auto& [k, v] : At(*c.summary, "budget_exhausted_at").items()) scopes.insert(k);
    }
    if (scopes.empty()) {
      out_ += "<p class=\"note\">No budget was exhausted.</p>\n";
      return;
    }
    out_ += "<table><tr><th>scope</th>";
    for (const auto& c : cols_)
      out_ += "<th>" + Esc(c.label.empty() ? "first stop" : c.label) + "</th>";
    out_ += "</tr>\n";
    for (const auto& s : scopes) {
      out_ += "<tr><td>" + Esc(s) + "</td>";
      for (const auto& c : cols_) out_ += Cell(At(At(*c.summary, "budget_exhausted_at"), s), false);
      out_ += "</tr>\n";
    }
    out_ += "</table>\n";
  }

  void AlertsTable() {
    out_ += "<h2>Alerts</h2>\n";
    // Rows: (scope, key, threshold, n-th occurrence), in first-seen order.
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::string>> times;
    std::map<std::string, std::string> action;
    for (size_t i = 0; i < cols_.size(); ++i) {
      std::map<std::string, int> seen;
      for (const auto& a : At(*cols_[i].summary, "alerts")) {
        std::string id =
            Str(a, "scope") + "\t" + Str(a, "key") + "\t" + At(a, "threshold_pct").dump();
        id += "\t" + std::to_string(seen[id]++);
        if (!times.contains(id)) {
          order.push_back(id);
          times[id].assign(cols_.size(), "");
          action[id] = Str(a, "action");
        }
        times[id][i] = Str(a, "time");
      }
    }
    if (order.empty()) {
      out_ += "<p class=\"note\">No budget alert fired.</p>\n";
      return;
    }
    out_ += "<table><tr><th>scope</th><th>key</th><th>threshold</th><th>action</th>";
    for (const auto& c : cols_)
      out_ += "<th>" + Esc(c.label.empty() ? "time" : c.label + ": time") + "</th>";
    out_ += "</tr>\n";
    for (const auto& id : order) {
      size_t p1 = id.find('\t'), p2 = id.find('\t', p1 + 1), p3 = id.find('\t', p2 + 1);
      out_ += "<tr><td>" + Esc(id.substr(0, p1)) + "</td><td>" +
              Esc(id.substr(p1 + 1, p2 - p1 - 1)) + "</td><td class=\"n\">" +
              Esc(id.substr(p2 + 1, p3 - p2 - 1)) + " %</td><td>" + Esc(action[id]) + "</td>";
      for (const auto& t : times[id]) out_ += "<td>" + (t.empty() ? "–" : Esc(t)) + "</td>";
      out_ += "</tr>\n";
    }
    out_ += "</table>\n";
  }

  const std::vector<ReportColumn>& cols_;
  const Json* diff_;
  std::string out_;
};

}  // namespace

std::string RenderHtmlReport(const std::vector<ReportColumn>& columns, const Json* diff) {
  UKAIRO_CHECK(!columns.empty() && columns.size() <= 2);
  for ([[maybe_unused]] const auto& c : columns) {
    UKAIRO_CHECK(c.summary != nullptr && c.series != nullptr);
  }
  return Page(columns, diff).Render();
}

}  // namespace ukairo::sim
