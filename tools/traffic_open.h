// Turns the shared traffic flags (tools/traffic_flags.h) into a traffic
// source: a trace replayed at its own times, a trace stretched over --days,
// or synthetic arrivals. `simulate` opens one per run; `tune` opens a fresh
// one per candidate, from worker threads (OpenTraffic only reads its
// arguments and opens its own files, so concurrent calls are safe).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>

#include "ledger/status.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/traffic.h"
#include "tools/traffic_flags.h"

namespace ukairo::tools {

// The trace reader options of --format / --map / --on-malformed for `trace`.
Result<sim::TraceReaderOptions> ReaderOptions(const TrafficFlags& f, const std::string& trace,
                                              const std::string& format);

// When the run starts: --start, or the trace's first record when the trace
// is replayed at its own times (--days 0, no --synthetic).
Result<int64_t> RunStartMicros(const TrafficFlags& f);

struct OpenedTraffic {
  std::unique_ptr<sim::TrafficSource> source;
  sim::TraceReader* reader = nullptr;  // owned by `source`: skipped-line counts
  int64_t end_micros = 0;              // 0: the trace at its own times (ends with it)
};

// A fresh source for a run starting at `start_micros` with `seed` (its
// traffic stream is derived from it) and the scenario's traffic profile.
// `log`, when given, gets a line (after `log_prefix`) per fitted token model
// or synthetic process.
Result<OpenedTraffic> OpenTraffic(const TrafficFlags& f, int64_t start_micros, uint64_t seed,
                                  const sim::Scenario& scenario, std::ostream* log,
                                  const char* log_prefix);

}  // namespace ukairo::tools
