// The ledger as a traffic source: every recorded request becomes an arrival.
//
// LedgerSource reads the ledger once, forward, with one EventIterator (never
// the whole log in memory), and yields every request_accepted in the time
// range as a TraceRecord at its recorded time with its tag, requested model,
// estimated input tokens and reservation cap. Before yielding a request it
// reads on until that request completed in the log, folding the attempt
// events of every request accepted meanwhile into a RecordedRequest: each
// finished attempt (deployment, try number, outcome, latency, tokens) and
// the usage of the attempt that served it, so the record's output tokens are
// the served ones. (One pass instead of a Ledger::ReadRequest per request:
// ~2x faster.) A request whose completion never came (a crash) is taken as
// it is once the log is kRecordedLifeMicrosMax past its acceptance.
// Memory: the requests open in the recording at once, plus the ones the
// simulation has in flight (kept by arrival number until Forget()).
//
// Arrival numbers: the n-th record Next() returns is arrival n (1-based),
// which is the simulator's request "r<n>".
//
// Thread safety: not thread-safe; the ledger may be shared.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/ledger.h"
#include "sim/traffic.h"

namespace ukairo::sim {

// One attempt as the recording made it (a started attempt with no finish,
// e.g. cut by a crash, is left out: it has no outcome to reuse).
struct RecordedAttempt {
  uint32_t attempt = 0;
  uint32_t try_on_deployment = 0;
  std::string deployment;
  ledger::Outcome outcome = ledger::Outcome::kOk;
  uint32_t http_status = 0;
  int64_t latency_micros = 0;  // the provider's, as the upstream client measured it
  // From the AttemptStarted to the AttemptFinished event: when the router
  // core saw the result (the provider's latency plus the gateway's own
  // handling). A replay delivers the result after this, so that results of
  // overlapping requests reach the core in the recorded order.
  int64_t core_delay_micros = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t retry_after_ms = -1;
  std::string error;
  // A retry after this attempt: when its timer was due (the RetryScheduled
  // time plus the backoff; 0 when none was scheduled), and how much later
  // the next attempt started.
  int64_t retry_due_micros = 0;
  int64_t retry_lateness_micros = 0;
  int64_t started_micros = 0;  // scratch while the finish is awaited
};

struct RecordedRequest {
  std::string request_id;
  std::vector<RecordedAttempt> attempts;  // in attempt order
  // Usage of the attempt that served the request; served = false when none did.
  bool served = false;
  int64_t served_input_tokens = 0;
  int64_t served_output_tokens = 0;
  int64_t served_cached_tokens = 0;

  // The finished attempt on `deployment` with that try number, or nullptr.
  const RecordedAttempt* Find(const std::string& deployment, uint32_t try_on_deployment) const;
};

// Folds one event of a request into `out`; `started` holds its attempts
// started and not yet finished.
void FoldRecordedEvent(const ledger::Event& event, RecordedRequest* out,
                       std::vector<RecordedAttempt>* started);
// Builds a RecordedRequest from the events of one request (ReadRequest's).
RecordedRequest FoldRecordedRequest(const std::string& request_id,
                                    const std::vector<ledger::Event>& events);

struct LedgerSourceOptions {
  std::optional<int64_t> since_micros;  // inclusive
  std::optional<int64_t> until_micros;  // exclusive
  size_t remembered_max = 1 << 20;      // requests kept until Forget (asserted)
};

class LedgerSource : public TrafficSource {
 public:
  static constexpr int64_t kRecordedLifeMicrosMax = 3'600'000'000;  // 1 h
  static constexpr size_t kOpenRequestsMax = 1 << 20;

  // `ledger` is not owned and must outlive the source.
  LedgerSource(ledger::Ledger* ledger, const LedgerSourceOptions& options);

  Result<bool> Next(TraceRecord* record) override;
  uint64_t records_read() const override { return read_; }

  // The recording of arrival `number`, or nullptr once forgotten / unknown.
  const RecordedRequest* Recorded(uint64_t number) const;
  void Forget(uint64_t number) { remembered_.erase(number); }
  size_t remembered() const { return remembered_.size(); }
  size_t remembered_peak() const { return remembered_peak_; }

 private:
  struct Open {
    ledger::RequestAccepted accepted;
    int64_t time_micros = 0;
    RecordedRequest recorded;
    std::vector<RecordedAttempt> started;
    bool completed = false;
  };
  // Reads one event; false at the end of the range (or an error).
  bool ReadOne();

  ledger::Ledger* ledger_;
  LedgerSourceOptions options_;
  std::unique_ptr<ledger::EventIterator> it_;
  bool started_ = false;
  bool ended_ = false;
  Status limit_status_;  // set when the recording passed kOpenRequestsMax
  int64_t log_time_micros_ = 0;  // of the last event read
  uint64_t read_ = 0;
  std::deque<std::string> accepted_;  // ids in acceptance order, not yet yielded
  std::unordered_map<std::string, Open> open_;
  std::unordered_map<uint64_t, RecordedRequest> remembered_;
  size_t remembered_peak_ = 0;
};

}  // namespace ukairo::sim
