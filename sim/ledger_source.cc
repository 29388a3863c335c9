#include "sim/ledger_source.h"

#include <cassert>

namespace ukairo::sim {

const RecordedAttempt* RecordedRequest::Find(const std::string& deployment,
                                             uint32_t try_on_deployment) const {
  for (const RecordedAttempt& a : attempts) {
    if (a.try_on_deployment == try_on_deployment && a.deployment == deployment) return &a;
  }
  return nullptr;
}

RecordedRequest FoldRecordedRequest(const std::string& request_id,
                                    const std::vector<ledger::Event>& events) {
  RecordedRequest out;
  out.request_id = request_id;
  // Attempts are numbered from 1 and finish in the order they start (one
  // attempt of a request is in flight at a time), so a started attempt
  // waits in `started` until its finish arrives.
  std::vector<RecordedAttempt> started;
  for (const ledger::Event& e : events) {
    if (const auto* s = std::get_if<ledger::AttemptStarted>(&e.body)) {
      RecordedAttempt a;
      a.attempt = s->attempt;
      a.try_on_deployment = s->try_on_deployment;
      a.deployment = s->deployment;
      started.push_back(std::move(a));
    } else if (const auto* f = std::get_if<ledger::AttemptFinished>(&e.body)) {
      for (auto it = started.begin(); it != started.end(); ++it) {
        if (it->attempt != f->attempt) continue;
        RecordedAttempt a = std::move(*it);
        started.erase(it);
        a.outcome = f->outcome;
        a.http_status = f->http_status;
        a.latency_micros = f->latency_micros;
        a.input_tokens = f->input_tokens;
        a.output_tokens = f->output_tokens;
        a.cached_tokens = f->cached_tokens;
        a.retry_after_ms = f->retry_after_ms;
        a.error = f->error;
        if (a.outcome == ledger::Outcome::kOk) {
          out.served = true;
          out.served_input_tokens = a.input_tokens;
          out.served_output_tokens = a.output_tokens;
          out.served_cached_tokens = a.cached_tokens;
        }
        out.attempts.push_back(std::move(a));
        break;
      }
    }
  }
  return out;
}

LedgerSource::LedgerSource(ledger::Ledger* ledger, const LedgerSourceOptions& options)
    : ledger_(ledger), options_(options) {
  assert(ledger_ != nullptr);
  ledger::ScanOptions scan;
  scan.kind = "request_accepted";
  scan.time_min_micros = options.since_micros;
  scan.time_max_micros = options.until_micros;
  it_ = ledger_->Scan(scan);
}

Result<bool> LedgerSource::Next(TraceRecord* record) {
  if (!started_) {
    it_->SeekToFirst();
    started_ = true;
  } else if (it_->Valid()) {
    it_->Next();
  }
  if (!it_->Valid()) {
    UKAIRO_RETURN_IF_ERROR(it_->status());
    return false;
  }
  const ledger::Event& e = it_->event();
  const auto* a = std::get_if<ledger::RequestAccepted>(&e.body);
  if (a == nullptr) return Status::Corruption("scan for request_accepted returned another kind");
  UKAIRO_ASSIGN_OR_RETURN(std::vector<ledger::Event> events, ledger_->ReadRequest(a->request_id));
  RecordedRequest recorded = FoldRecordedRequest(a->request_id, events);
  record->time_micros = e.time_micros;
  record->input_tokens = a->estimated_input_tokens;
  record->output_tokens = recorded.served ? recorded.served_output_tokens : 0;
  record->max_output_tokens = a->max_output_tokens;
  record->model = a->requested_model;
  record->tag = a->tag;
  record->status.clear();
  ++read_;
  assert(remembered_.size() < options_.remembered_max && "requests never forgotten");
  remembered_[read_] = std::move(recorded);
  if (remembered_.size() > remembered_peak_) remembered_peak_ = remembered_.size();
  return true;
}

const RecordedRequest* LedgerSource::Recorded(uint64_t number) const {
  auto it = remembered_.find(number);
  return it == remembered_.end() ? nullptr : &it->second;
}

}  // namespace ukairo::sim
