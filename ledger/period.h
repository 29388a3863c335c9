// Budget periods and civil time, computed from event times (never a clock).
//
// A period is a calendar month in UTC, named by its YYYYMM number (202611).
// Daily periods (YYYYMMDD) exist for short budgets and tests.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace ukairo {

enum class PeriodKind : uint8_t { kMonth = 0, kDay };

struct CivilTime {
  int year;
  int month;   // 1..12
  int day;     // 1..31
  int hour, minute, second;
  int micros;
};

CivilTime CivilFromMicros(int64_t unix_micros);
int64_t MicrosFromCivil(int year, int month, int day, int hour = 0, int minute = 0,
                        int second = 0, int micros = 0);

// YYYYMM (kMonth) or YYYYMMDD (kDay) of the period holding `unix_micros`.
int32_t PeriodOf(int64_t unix_micros, PeriodKind kind = PeriodKind::kMonth);
// First microsecond of the period, and first microsecond after it.
int64_t PeriodStartMicros(int32_t period, PeriodKind kind = PeriodKind::kMonth);
int64_t PeriodEndMicros(int32_t period, PeriodKind kind = PeriodKind::kMonth);

// "2026-11-27T10:02:57.123456Z" (microseconds shown only when non-zero).
std::string FormatIso8601(int64_t unix_micros);
// Parses "2026-11-27", "2026-11-27T10:02:57Z", "2026-11-27 10:02:57.1234567",
// with optional fractional seconds (any number of digits; truncated to
// micros) and an optional "Z" or "+00:00"; other offsets are applied.
Result<int64_t> ParseIso8601(const std::string& text);

}  // namespace ukairo
