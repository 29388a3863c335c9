#include "sim/spend_log_import.h"

#include <algorithm>
#include <climits>
#include <vector>

#include "ledger/period.h"
#include "router/core/core.h"
#include "router/core/tag_resolver.h"

namespace ukairo::sim {
namespace {

constexpr size_t kBatchEventsMax = 4096;
constexpr size_t kKeyIdChars = 12;
constexpr uint64_t kProgressEveryRows = 1 << 16;

struct Pending {
  int64_t time_micros = 0;
  uint64_t order = 0;  // arrival order: ties keep a row's events in sequence
  ledger::Event event;
};

// std::push_heap keeps the largest first: "larger" = later.
bool Later(const Pending& a, const Pending& b) {
  return a.time_micros != b.time_micros ? a.time_micros > b.time_micros : a.order > b.order;
}

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

class Importer {
 public:
  Importer(ledger::Ledger* ledger, const ImportOptions& options, ImportStats* stats)
      : ledger_(ledger), options_(options), stats_(stats) {
    if (options.config != nullptr) {
      tags_ = std::make_unique<router::TagResolver>(options.config);
    }
    if (ledger->LastSeq() != 0) written_until_micros_ = ledger->LastTimeMicros();
  }

  Status Add(const SpendLogRow& row) {
    if (latest_start_micros_ != INT64_MIN &&
        row.start_micros < latest_start_micros_ - options_.reorder_window_micros) {
      return Status::InvalidArgument(
          "line " + std::to_string(row.line) + ": startTime " + FormatIso8601(row.start_micros) +
          " is more than the reorder window (" +
          std::to_string(options_.reorder_window_micros / 1'000'000) +
          " s) before the latest start so far, " + FormatIso8601(latest_start_micros_) +
          ": sort the export by startTime or widen --reorder-window-s");
    }
    // Holds by the rule above, and for a ledger that already has events.
    if (row.start_micros < written_until_micros_) {
      return Status::InvalidArgument("line " + std::to_string(row.line) + ": startTime " +
                                     FormatIso8601(row.start_micros) +
                                     " is before the ledger's last event, " +
                                     FormatIso8601(written_until_micros_));
    }
    if (stats_->rows == 0) stats_->first_micros = row.start_micros;
    ++stats_->rows;
    latest_start_micros_ = std::max(latest_start_micros_, row.start_micros);
    Push(row);
    stats_->pending_peak = std::max(stats_->pending_peak, heap_.size());
    if (options_.on_progress && stats_->rows % kProgressEveryRows == 0) {
      options_.on_progress(stats_->rows);
    }
    return Drain(latest_start_micros_ - options_.reorder_window_micros);
  }

  Status Finish() {
    UKAIRO_RETURN_IF_ERROR(Drain(INT64_MAX));
    return Flush();
  }

 private:
  void Push(const SpendLogRow& row) {
    std::string request_id = row.request_id;
    if (request_id.empty()) request_id = "import-" + std::to_string(row.line);
    std::string tag = row.tag, tier;
    if (tags_ != nullptr) {
      if (auto resolved = tags_->Resolve(tag)) {
        if (resolved->defaulted) ++stats_->tags_defaulted;
        tag = std::move(resolved->tag);
        tier = std::move(resolved->tier);
      }
    }
    std::string key_id;
    if (IsSha256Hex(row.api_key_hash)) {
      key_id = row.api_key_hash.substr(0, kKeyIdChars);
    } else if (!row.api_key_hash.empty()) {
      ++stats_->key_ids_dropped;  // perhaps a raw key: never stored
    }
    const bool ok = row.status != "failure";
    if (!ok) ++stats_->rows_failed;
    const std::string& deployment = row.model_id.empty() ? row.model_group : row.model_id;
    const int64_t latency = row.end_micros - row.start_micros;

    ledger::RequestAccepted accepted{request_id, tag, tier, row.model_group, key_id,
                                     row.prompt_tokens, 0, false};
    ledger::AttemptStarted started{request_id, 1, 1, deployment, row.model_group, tag, tier, 0};
    ledger::AttemptFinished finished{request_id,
                                     1,
                                     deployment,
                                     row.model_group,
                                     tag,
                                     tier,
                                     ok ? ledger::Outcome::kOk : ledger::Outcome::kServerError,
                                     ok ? 200u : 0u,
                                     latency,
                                     row.prompt_tokens,
                                     row.completion_tokens,
                                     0,
                                     row.spend_nanos,
                                     -1,
                                     ok ? "" : "failure recorded by LiteLLM",
                                     0,
                                     0,
                                     ""};
    ledger::RequestCompleted completed{request_id,
                                       tag,
                                       tier,
                                       ok ? deployment : "",
                                       ok ? row.model_group : "",
                                       ok ? 200u : 502u,
                                       ok ? "" : "upstream_error",
                                       row.spend_nanos,
                                       1,
                                       0,
                                       latency,
                                       false};
    PushEvent(row.start_micros, std::move(accepted));
    PushEvent(row.start_micros, std::move(started));
    PushEvent(row.end_micros, std::move(finished));
    PushEvent(row.end_micros, std::move(completed));
    stats_->spend_nanos += row.spend_nanos;
  }

  template <typename Body>
  void PushEvent(int64_t time_micros, Body&& body) {
    Pending p;
    p.time_micros = time_micros;
    p.order = next_order_++;
    p.event.time_micros = time_micros;
    p.event.body = std::forward<Body>(body);
    heap_.push_back(std::move(p));
    std::push_heap(heap_.begin(), heap_.end(), Later);
  }

  // Writes every held event at or before `until_micros`, oldest first.
  Status Drain(int64_t until_micros) {
    while (!heap_.empty() && heap_.front().time_micros <= until_micros) {
      std::pop_heap(heap_.begin(), heap_.end(), Later);
      Pending& p = heap_.back();
      written_until_micros_ = p.time_micros;
      batch_.push_back(std::move(p.event));
      heap_.pop_back();
      if (batch_.size() >= kBatchEventsMax) UKAIRO_RETURN_IF_ERROR(Flush());
    }
    return Status::Ok();
  }

  Status Flush() {
    if (batch_.empty()) return Status::Ok();
    stats_->events += batch_.size();
    stats_->last_micros = batch_.back().time_micros;
    if (options_.dry_run) {
      batch_.clear();
      return Status::Ok();
    }
    auto appended = ledger_->Append(std::move(batch_));
    batch_.clear();
    return appended.ok() ? Status::Ok() : appended.status();
  }

  ledger::Ledger* ledger_;
  const ImportOptions& options_;
  ImportStats* stats_;
  std::unique_ptr<router::TagResolver> tags_;
  std::vector<Pending> heap_;
  std::vector<ledger::Event> batch_;
  uint64_t next_order_ = 0;
  int64_t latest_start_micros_ = INT64_MIN;
  int64_t written_until_micros_ = INT64_MIN;  // the newest time in the ledger
};

}  // namespace

Status ImportSpendLog(SpendLogReader& reader, ledger::Ledger* ledger,
                      const ImportOptions& options, ImportStats* stats) {
  *stats = ImportStats{};
  Importer importer(ledger, options, stats);
  SpendLogRow row;
  for (;;) {
    UKAIRO_ASSIGN_OR_RETURN(bool more, reader.Next(&row));
    if (!more) break;
    UKAIRO_RETURN_IF_ERROR(importer.Add(row));
  }
  return importer.Finish();
}

}  // namespace ukairo::sim
