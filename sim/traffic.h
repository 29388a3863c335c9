// Traffic sources: the arrivals a simulation feeds to the router core.
//
// A source yields trace records in time order, one at a time. Two kinds:
//   * Replay — the trace as recorded, at its own timestamps (a relative
//     trace's, times from 0, shifted to where its zero is placed).
//   * Stretched — a short trace (an hour of real traffic) tiled across a
//     month: the trace is replayed once per slot (slot = the trace's span,
//     rounded up to a minute), shifted to the slot's start, and each record
//     is kept with probability daily[hour] × weekly[weekday] / 10^6 (both in
//     permille), drawn from a seeded Rng. A trace of at most
//     StretchOptions::cached_records_max records is parsed once and kept in
//     memory (a month re-reads an hour of trace ~3,000 times, and parsing it
//     each time was a sixth of the simulator's CPU); a longer one is re-read
//     per slot, so memory stays bounded either way. Both paths give the same
//     records from the same seed.
//
// Thread safety: a source is used by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "base/status.h"
#include "sim/rng.h"
#include "sim/trace.h"

namespace ukairo::sim {

class TrafficSource {
 public:
  virtual ~TrafficSource() = default;
  // Next record (time-shifted for stretched sources); false at the end.
  virtual Result<bool> Next(TraceRecord* record) = 0;
  // Records read from the trace, including the ones thinned out.
  virtual uint64_t records_read() const = 0;
};

struct TrafficProfile {
  // Permille of the trace's rate kept per UTC hour of day (0..23) and per
  // weekday (Monday first). Each value is in [0, 1000].
  std::array<uint32_t, 24> daily_permille;
  std::array<uint32_t, 7> weekly_permille;
  // A working-hours profile: busy 9–18 UTC on weekdays, quiet nights and
  // weekends. About 37 % of the trace's own rate over a week.
  static TrafficProfile Default();
  Status Validate() const;
};

struct StretchOptions {
  int64_t start_micros = 0;  // first instant of the simulated span
  int64_t days = 30;         // > 0
  TrafficProfile profile = TrafficProfile::Default();
  uint64_t seed = 1;
  int64_t slot_micros = 0;  // 0: the trace's span rounded up to a minute
  // Traces of up to this many records are held in memory, ~140 bytes per
  // record (the hour of Azure code traffic in data/traces/azure-llm-2023 is 8,819 records;
  // the default caps the copy at ~37 MB); 0 always re-reads.
  uint64_t cached_records_max = uint64_t{1} << 18;
};

// Trace times before 2000-01-01 are not dates but offsets from the trace's
// own zero ("milliseconds since the trace began"): no LLM request was logged
// before 2000, and read as dates they would put the run in 1970.
inline constexpr int64_t kTraceDatesFromMicros = 946'684'800'000'000;  // 2000-01-01T00:00:00Z
inline bool IsRelativeTraceTime(int64_t time_micros) {
  return time_micros < kTraceDatesFromMicros;
}

// The trace at its own times, each record's time plus `shift_micros` (the
// instant a relative trace's zero is placed at; 0 for dates).
std::unique_ptr<TrafficSource> MakeReplaySource(std::unique_ptr<TraceReader> reader,
                                                int64_t shift_micros = 0);

// Reads the trace once to learn its span (keeping its records when they fit
// cached_records_max), then rewinds it.
Result<std::unique_ptr<TrafficSource>> MakeStretchedSource(std::unique_ptr<TraceReader> reader,
                                                           const StretchOptions& options);

}  // namespace ukairo::sim
