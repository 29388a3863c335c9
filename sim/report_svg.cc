#include "sim/report_svg.h"

#include <algorithm>
#include <climits>
#include <cstdio>

#include "base/check.h"
#include "ledger/period.h"

namespace ukairo::sim {
namespace {

__extension__ typedef __int128 Int128;  // GCC/Clang builtin

// Plot geometry (pixels).
constexpr int kSpendW = 360, kSpendH = 210;
constexpr int kBarsW = 960;
constexpr int kPadLeft = 64, kPadRight = 44, kPadTop = 34, kPadBottom = 26;

const char* ThresholdColor(uint32_t pct) {
  if (pct >= 100) return "#c62828";
  if (pct >= 90) return "#ef6c00";
  return "#f2a900";
}

// value / axis_max of `span` pixels, exactly in integers (floor).
int Scale(int64_t value, int64_t axis_max, int span) {
  if (axis_max <= 0) return 0;
  value = std::clamp<int64_t>(value, 0, axis_max);
  return static_cast<int>(static_cast<Int128>(value) * span / axis_max);
}

std::string Num(int v) { return std::to_string(v); }

std::string MonthDay(int64_t micros) {
  CivilTime c = CivilFromMicros(micros);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d-%02d", c.month, c.day);
  return buf;
}

std::string Usd(NanoUsd nanos) { return "$" + FormatNanosAsUsd(nanos); }

class Svg {
 public:
  Svg(int width_px, int height_px, const std::string& label) {
    out_ = "<svg viewBox=\"0 0 " + Num(width_px) + " " + Num(height_px) +
           "\" role=\"img\" aria-label=\"" + HtmlEscape(label) + "\">";
    out_ += "<rect x=\"0\" y=\"0\" width=\"" + Num(width_px) + "\" height=\"" + Num(height_px) +
            "\" fill=\"#fff\"/>";
  }
  // dash: 0 solid, 1 dashed, 2 dotted.
  void Line(int x1, int y1, int x2, int y2, const char* stroke, int width, int dash,
            const std::string& tooltip = "") {
    out_ += "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" +
            Num(y2) + "\" stroke=\"" + stroke + "\" stroke-width=\"" + Num(width) + "\"" +
            (dash == 1   ? " stroke-dasharray=\"5 3\""
             : dash == 2 ? " stroke-dasharray=\"2 3\""
                         : "");
    Close(tooltip, "line");
  }
  void Rect(int x, int y, int w, int h, const std::string& fill, const std::string& tooltip) {
    out_ += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(w) + "\" height=\"" +
            Num(h) + "\" fill=\"" + fill + "\"";
    Close(tooltip, "rect");
  }
  void Circle(int cx, int cy, int r, const char* fill, const char* stroke,
              const std::string& tooltip) {
    out_ += "<circle cx=\"" + Num(cx) + "\" cy=\"" + Num(cy) + "\" r=\"" + Num(r) + "\" fill=\"" +
            fill + "\" stroke=\"" + stroke + "\" stroke-width=\"2\"";
    Close(tooltip, "circle");
  }
  void Text(int x, int y, const std::string& text, const char* anchor = "start", int size = 11,
            const char* fill = "#333", bool bold = false) {
    out_ += "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" font-size=\"" + Num(size) +
            "\" text-anchor=\"" + anchor + "\" fill=\"" + fill + "\"" +
            (bold ? " font-weight=\"bold\"" : "") + ">" + HtmlEscape(text) + "</text>";
  }
  void Polyline(const std::vector<std::pair<int, int>>& pts, const char* stroke, int width) {
    if (pts.size() < 2) return;
    out_ += "<polyline fill=\"none\" stroke=\"" + std::string(stroke) + "\" stroke-width=\"" +
            Num(width) + "\" stroke-linejoin=\"round\" points=\"";
    for (size_t i = 0; i < pts.size(); ++i) {
      if (i > 0) out_ += ' ';
      out_ += Num(pts[i].first) + "," + Num(pts[i].second);
    }
    out_ += "\"/>";
  }
  std::string Finish() { return out_ + "</svg>"; }

 private:
  void Close(const std::string& tooltip, const char* tag) {
    if (tooltip.empty()) {
      out_ += "/>";
    } else {
      out_ += "><title>" + HtmlEscape(tooltip) + "</title></" + tag + ">";
    }
  }
  std::string out_;
};

// Day ticks along the x axis: about six labels, on whole days.
void DayAxis(Svg* svg, int64_t origin_micros, int32_t days, int left, int width, int y_axis) {
  const int32_t step = std::max<int32_t>(1, (days + 5) / 6);
  for (int32_t d = 0; d <= days; d += step) {
    const int x = left + Scale(d, std::max(days, 1), width);
    svg->Line(x, y_axis, x, y_axis + 4, "#999", 1, 0);
    svg->Text(x, y_axis + 16, MonthDay(origin_micros + d * kMicrosPerDay), "middle", 10, "#666");
  }
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

int64_t NiceStep(int64_t max, int64_t ticks_max) {
  UKAIRO_CHECK(max > 0 && ticks_max > 0);
  for (int64_t scale = 1;; scale *= 10) {
    for (int64_t m : {1, 2, 5}) {
      const int64_t step = m * scale;
      if ((max + step - 1) / step <= ticks_max) return step;
    }
    if (scale > INT64_MAX / 100) return max;
  }
}

const char* PaletteColor(size_t i) {
  static constexpr const char* kColors[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kColors[i % (sizeof kColors / sizeof kColors[0])];
}

std::string SpendChartSvg(const SpendChartInput& in) {
  const int left = kPadLeft, top = kPadTop;
  const int width = kSpendW - kPadLeft - kPadRight, height = kSpendH - kPadTop - kPadBottom;
  const int bottom = top + height;
  NanoUsd peak = in.axis_max_nanos;
  if (peak <= 0) {
    for (NanoUsd v : in.cumulative) peak = std::max(peak, v);
    if (in.limit_nanos) peak = std::max(peak, *in.limit_nanos);
    if (in.projection) peak = std::max(peak, in.projection->high_nanos);
  }
  if (peak <= 0) peak = kNanoPerUsd;
  const int64_t step = NiceStep(peak, 5);
  const int64_t axis_max = (peak + step - 1) / step * step;
  auto y_of = [&](NanoUsd v) { return bottom - Scale(v, axis_max, height); };
  const int32_t days = std::max({in.days, in.projection ? in.projection->to_day : 0, 1});
  auto x_of_day = [&](int64_t d) { return left + Scale(d, days, width); };
  auto x_of_time = [&](int64_t t) {
    return left + Scale(t - in.origin_micros, days * kMicrosPerDay, width);
  };

  NanoUsd last = in.cumulative.empty() ? 0 : in.cumulative.back();
  bool periods = false;
  for (size_t d = 1; d < in.period_starts.size(); ++d) periods = periods || in.period_starts[d];
  Svg svg(kSpendW, kSpendH, "cumulative spend of " + in.title);
  svg.Text(8, 16, in.title, "start", 13, "#222", true);
  std::string sub = (periods ? "last period: " : "spent ") + Usd(last);
  if (in.limit_nanos)
    sub += " of " + Usd(*in.limit_nanos);
  else
    sub += " (no budget)";
  svg.Text(kSpendW - 8, 16, sub, "end", 11, "#555");
  for (int64_t v = 0; v <= axis_max; v += step) {
    const int y = y_of(v);
    svg.Line(left, y, left + width, y, "#eee", 1, 0);
    svg.Text(left - 6, y + 4, Usd(v), "end", 10, "#666");
  }
  svg.Line(left, bottom, left + width, bottom, "#999", 1, 0);
  svg.Line(left, top, left, bottom, "#999", 1, 0);
  DayAxis(&svg, in.origin_micros, days, left, width, bottom);
  if (in.limit_nanos && *in.limit_nanos > 0) {
    int label_y_above = INT32_MAX;  // labels go 100 → 80, each kept if it has room
    for (uint32_t pct : {100u, 90u, 80u}) {
      const NanoUsd at = *in.limit_nanos * pct / 100;
      const int y = y_of(at);
      svg.Line(left, y, left + width, y, ThresholdColor(pct), pct == 100 ? 2 : 1, 1,
               std::to_string(pct) + " % of the budget: " + Usd(at));
      if (label_y_above == INT32_MAX || y - label_y_above >= 10) {
        svg.Text(left + width + 4, y + 4, std::to_string(pct) + "%", "start", 10,
                 ThresholdColor(pct));
        label_y_above = y;
      }
    }
  }
  // The line: from 0 at each period start through each day's end.
  std::vector<std::pair<int, int>> pts;
  for (int32_t d = 0; d < static_cast<int32_t>(in.cumulative.size()); ++d) {
    const bool starts = d == 0 || (static_cast<size_t>(d) < in.period_starts.size() &&
                                   in.period_starts[static_cast<size_t>(d)]);
    if (starts) {
      svg.Polyline(pts, "#1f5fa8", 2);
      pts.clear();
      pts.emplace_back(x_of_day(d), y_of(0));
    }
    pts.emplace_back(x_of_day(d + 1), y_of(in.cumulative[static_cast<size_t>(d)]));
  }
  svg.Polyline(pts, "#1f5fa8", 2);
  if (in.projection) {
    const auto& p = *in.projection;
    const int x0 = x_of_day(p.from_day), x1 = x_of_day(p.to_day);
    const std::string what = "forecast for day " + std::to_string(p.to_day) + ": " +
                             Usd(p.predicted_nanos) + " (" + Usd(p.low_nanos) + " – " +
                             Usd(p.high_nanos) + ")";
    svg.Line(x0, y_of(p.from_nanos), x1, y_of(p.predicted_nanos), "#777", 2, 2, what);
    svg.Line(x1, y_of(p.low_nanos), x1, y_of(p.high_nanos), "#777", 2, 0, what);
    svg.Line(x1 - 4, y_of(p.low_nanos), x1 + 4, y_of(p.low_nanos), "#777", 2, 0);
    svg.Line(x1 - 4, y_of(p.high_nanos), x1 + 4, y_of(p.high_nanos), "#777", 2, 0);
  }
  if (in.limit_nanos) {
    for (const auto& m : in.marks) {
      const int x = x_of_time(m.time_micros);
      const int y = y_of(*in.limit_nanos * m.threshold_pct / 100);
      const std::string what =
          m.stop ? "budget stopped" : std::to_string(m.threshold_pct) + " % alert";
      svg.Circle(x, y, m.stop ? 5 : 3, m.stop ? "#fff" : ThresholdColor(m.threshold_pct),
                 ThresholdColor(m.threshold_pct), what + " at " + FormatIso8601(m.time_micros));
    }
  }
  return svg.Finish();
}

std::string StackedBarsSvg(const std::string& title, int64_t origin_micros, int32_t days,
                           const std::vector<BarLayer>& layers, uint64_t axis_max_in,
                           int height_px) {
  UKAIRO_CHECK(height_px >= 120);
  const int left = kPadLeft, top = kPadTop + 14;
  const int width = kBarsW - kPadLeft - 16, height = height_px - top - kPadBottom;
  const int bottom = top + height;
  days = std::max(days, 1);
  uint64_t peak = axis_max_in;
  if (peak == 0) {
    for (int32_t d = 0; d < days; ++d) {
      uint64_t sum = 0;
      for (const auto& l : layers) {
        if (static_cast<size_t>(d) < l.by_day.size()) sum += l.by_day[static_cast<size_t>(d)];
      }
      peak = std::max(peak, sum);
    }
  }
  if (peak == 0) peak = 1;
  const auto peak_i = static_cast<int64_t>(peak);
  const int64_t step = NiceStep(peak_i, height_px >= 200 ? 5 : 3);
  const int64_t axis_max = (peak_i + step - 1) / step * step;
  Svg svg(kBarsW, height_px, title);
  svg.Text(8, 16, title, "start", 13, "#222", true);
  // Legend, left to right.
  int lx = left;
  for (const auto& l : layers) {
    svg.Rect(lx, 26, 10, 10, l.color, "");
    svg.Text(lx + 14, 35, l.name, "start", 11, "#333");
    lx += 24 + 7 * static_cast<int>(l.name.size());
  }
  for (int64_t v = 0; v <= axis_max; v += step) {
    const int y = bottom - Scale(v, axis_max, height);
    svg.Line(left, y, left + width, y, "#eee", 1, 0);
    svg.Text(left - 6, y + 4, std::to_string(v), "end", 10, "#666");
  }
  svg.Line(left, bottom, left + width, bottom, "#999", 1, 0);
  DayAxis(&svg, origin_micros, days, left, width, bottom);
  for (int32_t d = 0; d < days; ++d) {
    const int x0 = left + Scale(d, days, width), x1 = left + Scale(d + 1, days, width);
    const int bar_w = std::max(1, (x1 - x0) * 4 / 5);
    int64_t below = 0;
    for (const auto& l : layers) {
      const uint64_t n = static_cast<size_t>(d) < l.by_day.size() ? l.by_day[d] : 0;
      if (n == 0) continue;
      const int y_low = bottom - Scale(below, axis_max, height);
      below += static_cast<int64_t>(n);
      const int y_high = bottom - Scale(below, axis_max, height);
      svg.Rect(
          x0 + (x1 - x0 - bar_w) / 2, y_high, bar_w, std::max(1, y_low - y_high), l.color,
          MonthDay(origin_micros + d * kMicrosPerDay) + " " + l.name + ": " + std::to_string(n));
    }
  }
  return svg.Finish();
}

}  // namespace ukairo::sim
