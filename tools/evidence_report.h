// Evidence reports E-2201..E-2204, generated only from a ledger.
//
// One streaming pass folds the ledger into a Projection and collects
// fallback episodes (a deployment leaving healthy until it recovers) and
// recoveries. File names come from event times, never from the wall clock,
// so the same ledger always gives the same files:
//   <out>/config/YYYYMMDD_HHMMSS_config.md               E-2201 (per config applied)
//   <out>/budget/YYYYMMDD_budget_consumption.md          E-2202 (date of the last event)
//   <out>/fallback/YYYYMMDD_HHMMSS_fallback.md           E-2203 (per episode; a
//                                                        numeric suffix if two start together)
//   <out>/recovery/YYYYMMDD_HHMMSS_recovery.md           E-2204 (per recovery)
#pragma once

#include <string>

#include "ledger/ledger.h"
#include "base/status.h"

namespace ukairo::tools {

struct ReportCounts {
  size_t configs = 0;
  size_t budget_files = 0;
  size_t fallback_episodes = 0;
  size_t recoveries = 0;
  uint64_t events = 0;
};

Result<ReportCounts> WriteEvidence(ledger::Ledger& ledger, const std::string& out_dir);

}  // namespace ukairo::tools
