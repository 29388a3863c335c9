#include "sim/ledger_source.h"

#include <algorithm>


#include "base/check.h"
#include "ledger/event_codec.h"

namespace ukairo::sim {

const RecordedAttempt* RecordedRequest::Find(const std::string& deployment,
                                             uint32_t try_on_deployment) const {
  for (const RecordedAttempt& a : attempts) {
    if (a.try_on_deployment == try_on_deployment && a.deployment == deployment) return &a;
  }
  return nullptr;
}

void FoldRecordedEvent(const ledger::Event& e, RecordedRequest* out,
                       std::vector<RecordedAttempt>* started) {
  // One attempt of a request is in flight at a time, so a started attempt
  // waits in `started` only until its finish arrives.
  if (const auto* r = std::get_if<ledger::RetryScheduled>(&e.body)) {
    for (RecordedAttempt& a : out->attempts) {
      if (a.attempt == r->attempt) a.retry_due_micros = e.time_micros + r->backoff_ms * 1000;
    }
    return;
  }
  if (const auto* s = std::get_if<ledger::AttemptStarted>(&e.body)) {
    for (RecordedAttempt& prev : out->attempts) {
      if (prev.attempt + 1 == s->attempt && prev.retry_due_micros > 0) {
        prev.retry_lateness_micros = std::max<int64_t>(e.time_micros - prev.retry_due_micros, 0);
      }
    }
    RecordedAttempt a;
    a.attempt = s->attempt;
    a.try_on_deployment = s->try_on_deployment;
    a.deployment = s->deployment;
    a.started_micros = e.time_micros;
    started->push_back(std::move(a));
    return;
  }
  const auto* f = std::get_if<ledger::AttemptFinished>(&e.body);
  if (f == nullptr) return;
  for (auto it = started->begin(); it != started->end(); ++it) {
    if (it->attempt != f->attempt) continue;
    RecordedAttempt a = std::move(*it);
    started->erase(it);
    a.outcome = f->outcome;
    a.http_status = f->http_status;
    a.latency_micros = f->latency_micros;
    a.core_delay_micros = std::max<int64_t>(e.time_micros - a.started_micros, 0);
    a.input_tokens = f->input_tokens;
    a.output_tokens = f->output_tokens;
    a.cached_tokens = f->cached_tokens;
    a.retry_after_ms = f->retry_after_ms;
    a.error = f->error;
    if (a.outcome == ledger::Outcome::kOk) {
      out->served = true;
      out->served_input_tokens = a.input_tokens;
      out->served_output_tokens = a.output_tokens;
      out->served_cached_tokens = a.cached_tokens;
    }
    out->attempts.push_back(std::move(a));
    return;
  }
}

RecordedRequest FoldRecordedRequest(const std::string& request_id,
                                    const std::vector<ledger::Event>& events) {
  RecordedRequest out;
  out.request_id = request_id;
  std::vector<RecordedAttempt> started;
  for (const ledger::Event& e : events) FoldRecordedEvent(e, &out, &started);
  return out;
}

LedgerSource::LedgerSource(ledger::Ledger* ledger, const LedgerSourceOptions& options)
    : ledger_(ledger), options_(options) {
  UKAIRO_CHECK(ledger_ != nullptr);
  ledger::ScanOptions scan;
  scan.time_min_micros = options.since_micros;
  // Requests accepted before `until` finish after it.
  if (options.until_micros) scan.time_max_micros = *options.until_micros + kRecordedLifeMicrosMax;
  it_ = ledger_->Scan(scan);
}

bool LedgerSource::ReadOne() {
  if (ended_) return false;
  if (!started_) {
    it_->SeekToFirst();
    started_ = true;
  } else {
    it_->Next();
  }
  if (!it_->Valid()) {
    ended_ = true;
    return false;
  }
  const ledger::Event& e = it_->event();
  log_time_micros_ = e.time_micros;
  if (const auto* a = std::get_if<ledger::RequestAccepted>(&e.body)) {
    if (options_.until_micros && e.time_micros >= *options_.until_micros) return true;
    if (open_.size() >= kOpenRequestsMax) {
      // Recorded data, not our invariant: refuse the ledger, do not grow.
      limit_status_ = Status::Unavailable(
          "ledger: more than " + std::to_string(kOpenRequestsMax) +
          " recorded requests open at once (at seq " + std::to_string(e.seq) + ")");
      ended_ = true;
      return false;
    }
    Open& o = open_[a->request_id];
    o.accepted = *a;
    o.time_micros = e.time_micros;
    o.recorded.request_id = a->request_id;
    accepted_.push_back(a->request_id);
    return true;
  }
  const std::string& id = ledger::RequestIdOf(e.body);
  if (id.empty()) return true;
  auto it = open_.find(id);
  if (it == open_.end()) return true;  // accepted before the range
  if (std::holds_alternative<ledger::RequestCompleted>(e.body) ||
      std::holds_alternative<ledger::ReservationExpired>(e.body)) {
    it->second.completed = true;
    return true;
  }
  FoldRecordedEvent(e, &it->second.recorded, &it->second.started);
  return true;
}

Result<bool> LedgerSource::Next(TraceRecord* record) {
  while (accepted_.empty()) {
    if (!ReadOne()) {
      UKAIRO_RETURN_IF_ERROR(it_->status());
      UKAIRO_RETURN_IF_ERROR(limit_status_);
      return false;
    }
  }
  auto it = open_.find(accepted_.front());
  UKAIRO_CHECK(it != open_.end());
  // References to unordered_map elements survive inserts (iterators may not).
  Open& o = it->second;
  while (!o.completed && log_time_micros_ - o.time_micros <= kRecordedLifeMicrosMax && ReadOne()) {
  }
  UKAIRO_RETURN_IF_ERROR(it_->status());
  UKAIRO_RETURN_IF_ERROR(limit_status_);
  record->time_micros = o.time_micros;
  record->input_tokens = o.accepted.estimated_input_tokens;
  record->output_tokens = o.recorded.served ? o.recorded.served_output_tokens : 0;
  record->max_output_tokens = o.accepted.max_output_tokens;
  record->model = o.accepted.requested_model;
  record->tag = o.accepted.tag;
  record->status.clear();
  ++read_;
  UKAIRO_CHECK(remembered_.size() < options_.remembered_max, "requests never forgotten");
  remembered_[read_] = std::move(o.recorded);
  open_.erase(accepted_.front());
  accepted_.pop_front();
  if (remembered_.size() > remembered_peak_) remembered_peak_ = remembered_.size();
  return true;
}

const RecordedRequest* LedgerSource::Recorded(uint64_t number) const {
  auto it = remembered_.find(number);
  return it == remembered_.end() ? nullptr : &it->second;
}

}  // namespace ukairo::sim
