// Turns the shared traffic flags (tools/traffic_flags.h) into a traffic
// source: a trace replayed at its own times, a trace stretched over --days,
// or synthetic arrivals. `simulate` opens one per run; `tune` opens a fresh
// one per candidate, from worker threads (OpenTraffic only reads its
// arguments and opens its own files, so concurrent calls are safe).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "base/status.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/traffic.h"
#include "tools/traffic_flags.h"

namespace ukairo::tools {

// The trace reader options of --format / --map / --on-malformed for `trace`.
Result<sim::TraceReaderOptions> ReaderOptions(const TrafficFlags& f, const std::string& trace,
                                              const std::string& format);

// Where a run sits in time. Stretched traces and --synthetic run from
// --start. --days 0 replays the trace at its own times and the run (and the
// scenario's offsets) start at its first record: a trace of dates keeps
// them (absolute); a trace of times from 0 (relative, see
// sim::IsRelativeTraceTime) has its zero placed at --start, so the run
// neither lands in 1970 nor depends on today's date.
struct RunTiming {
  int64_t start_micros = 0;  // the run's first instant
  bool own_times = false;    // --days 0: the trace at its own times
  bool relative = false;     // own_times and the trace's times are from 0
  int64_t shift_micros = 0;  // added to every trace time: --start when relative, else 0
};
Result<RunTiming> PlanRunTiming(const TrafficFlags& f);

// One line for the logs: "30 days from 2026-11-01T00:00:00Z", "trace
// replayed at its own times (absolute dates)", or "... (relative times,
// zero placed at 2026-11-01T00:00:00Z)".
std::string DescribeRunTiming(const TrafficFlags& f, const RunTiming& timing);

struct OpenedTraffic {
  std::unique_ptr<sim::TrafficSource> source;
  sim::TraceReader* reader = nullptr;  // owned by `source`: skipped-line counts
  int64_t end_micros = 0;              // 0: the trace at its own times (ends with it)
};

// A fresh source for a run placed by `timing` with `seed` (its traffic
// stream is derived from it) and the scenario's traffic profile. `log`,
// when given, gets a line (after `log_prefix`) per fitted token model or
// synthetic process.
Result<OpenedTraffic> OpenTraffic(const TrafficFlags& f, const RunTiming& timing, uint64_t seed,
                                  const sim::Scenario& scenario, std::ostream* log,
                                  const char* log_prefix);

}  // namespace ukairo::tools
