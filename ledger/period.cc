#include "ledger/period.h"

#include <cctype>
#include <cstdio>

#include "base/time_units.h"

namespace ukairo {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain), which
// are exact for the proleptic Gregorian calendar.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int>(y + (m <= 2));
  *month = static_cast<int>(m);
  *day = static_cast<int>(d);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

CivilTime CivilFromMicros(int64_t unix_micros) {
  int64_t days = FloorDiv(unix_micros, kMicrosPerDay);
  int64_t rest = unix_micros - days * kMicrosPerDay;
  CivilTime t{};
  CivilFromDays(days, &t.year, &t.month, &t.day);
  int64_t seconds = rest / kMicrosPerSecond;
  t.micros = static_cast<int>(rest % kMicrosPerSecond);
  t.hour = static_cast<int>(seconds / 3600);
  t.minute = static_cast<int>(seconds / 60 % 60);
  t.second = static_cast<int>(seconds % 60);
  return t;
}

int64_t MicrosFromCivil(int year, int month, int day, int hour, int minute, int second,
                        int micros) {
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * kMicrosPerDay + (hour * 3600LL + minute * 60LL + second) * kMicrosPerSecond +
         micros;
}

int32_t PeriodOf(int64_t unix_micros, PeriodKind kind) {
  CivilTime t = CivilFromMicros(unix_micros);
  if (kind == PeriodKind::kDay) return t.year * 10000 + t.month * 100 + t.day;
  return t.year * 100 + t.month;
}

int64_t PeriodStartMicros(int32_t period, PeriodKind kind) {
  if (kind == PeriodKind::kDay) {
    return MicrosFromCivil(period / 10000, period / 100 % 100, period % 100);
  }
  return MicrosFromCivil(period / 100, period % 100, 1);
}

int64_t PeriodEndMicros(int32_t period, PeriodKind kind) {
  if (kind == PeriodKind::kDay) return PeriodStartMicros(period, kind) + kMicrosPerDay;
  int year = period / 100, month = period % 100;
  if (++month > 12) {
    month = 1;
    ++year;
  }
  return MicrosFromCivil(year, month, 1);
}

std::string FormatIso8601(int64_t unix_micros) {
  CivilTime t = CivilFromMicros(unix_micros);
  char buf[48];
  if (t.micros == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day,
                  t.hour, t.minute, t.second);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", t.year, t.month,
                  t.day, t.hour, t.minute, t.second, t.micros);
  }
  return buf;
}

Result<int64_t> ParseIso8601(const std::string& text) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("bad ISO-8601 time '" + text + "': " + why);
  };
  size_t i = 0;
  auto number = [&](int width, int* out) {
    int v = 0;
    for (int k = 0; k < width; ++k, ++i) {
      if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int year, month, day, hour = 0, minute = 0, second = 0, micros = 0;
  if (!number(4, &year) || i >= text.size() || text[i++] != '-' || !number(2, &month) ||
      i >= text.size() || text[i++] != '-' || !number(2, &day)) {
    return bad("expected YYYY-MM-DD");
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return bad("month or day out of range");
  int64_t offset_micros = 0;
  if (i < text.size() && (text[i] == 'T' || text[i] == ' ')) {
    ++i;
    if (!number(2, &hour) || i >= text.size() || text[i++] != ':' || !number(2, &minute)) {
      return bad("expected hh:mm");
    }
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!number(2, &second)) return bad("expected ss");
    }
    if (hour > 23 || minute > 59 || second > 60) return bad("time out of range");
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      ++i;
      int digits = 0;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        if (digits < 6) micros = micros * 10 + (text[i] - '0');
        ++digits;
        ++i;
      }
      if (digits == 0) return bad("empty fraction");
      for (int k = digits; k < 6; ++k) micros *= 10;
    }
    if (i < text.size() && text[i] == 'Z') {
      ++i;
    } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      int sign = text[i++] == '-' ? -1 : 1, oh, om = 0;
      if (!number(2, &oh)) return bad("bad UTC offset");
      if (i < text.size() && text[i] == ':') ++i;
      if (i < text.size() && !number(2, &om)) return bad("bad UTC offset");
      offset_micros = sign * (oh * 3600LL + om * 60LL) * kMicrosPerSecond;
    }
  }
  if (i != text.size()) return bad("trailing characters");
  return MicrosFromCivil(year, month, day, hour, minute, second, micros) - offset_micros;
}

}  // namespace ukairo
