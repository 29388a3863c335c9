// `ukairo import`: a LiteLLM spend log becomes a ukairo ledger of recorded
// requests, so that `replay` can answer "what would last month have cost
// under this config?" for traffic served by LiteLLM, and `audit` / `report`
// work on it.
//
// Each row is one request served (or failed) by one deployment, in one try
// (LiteLLM logs the call, not its internal retries):
//   startTime: RequestAccepted, AttemptStarted (attempt 1, reserved 0: the
//              recording reserved nothing)
//   endTime:   AttemptFinished (outcome ok, or server_error for a "failure"
//              row; latency endTime - startTime; tokens; cost = spend),
//              RequestCompleted (200, or 502 "upstream_error")
// The deployment is model_id (LiteLLM's model_info.id, which ukairo reads
// as the deployment id from the same config), else the model group; so a
// replay under that config finds the recorded attempts and reuses them.
// With a config, a tag it does not know becomes its default tag and the
// tier is the tag's tier (as the gateway would have recorded them);
// without one, tags are kept and tiers are empty. Request ids are kept
// ("import-<line>" when the row has none). Of api_key only a 12-character
// prefix of a SHA-256 hex digest is kept as client_key_id; anything else
// (a raw key) is never stored.
//
// The ledger needs non-decreasing times, and a spend log is in startTime or
// endTime order; events wait in a heap until no later row can precede them:
// a row may start up to `reorder_window_micros` before the latest start
// seen. A row further back is an error naming its line (sort the export).
// Memory: the rows started within the window.
//
// Thread safety: one import per ledger at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "ledger/ledger.h"
#include "router/core/config.h"
#include "sim/spend_log.h"

namespace ukairo::sim {

struct ImportOptions {
  int64_t reorder_window_micros = 600'000'000;  // 10 min
  std::shared_ptr<const router::Config> config;  // tags and tiers; may be null
  // Reads and checks every row (fields, order) and counts, writing nothing:
  // the CLI runs this pass first, so a bad row leaves no partial ledger.
  bool dry_run = false;
  // Called every 65,536 rows with the rows read so far.
  std::function<void(uint64_t rows)> on_progress;
};

struct ImportStats {
  uint64_t rows = 0;
  uint64_t rows_failed = 0;      // status "failure"
  uint64_t events = 0;
  uint64_t tags_defaulted = 0;   // unknown to the config: its default tag
  uint64_t key_ids_dropped = 0;  // api_key present but not a SHA-256 hex digest
  NanoUsd spend_nanos = 0;
  int64_t first_micros = 0;
  int64_t last_micros = 0;
  size_t pending_peak = 0;       // events held for reordering at once
};

// Appends the rows of `reader` to `ledger`, which must be empty or end
// before the first row (REQUIRES: ledger outlives the call).
Status ImportSpendLog(SpendLogReader& reader, ledger::Ledger* ledger,
                      const ImportOptions& options, ImportStats* stats);

}  // namespace ukairo::sim
