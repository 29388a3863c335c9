#include "sim/replay_upstreams.h"
#include "base/check.h"

#include <algorithm>

namespace ukairo::sim {

ReplayUpstreams::ReplayUpstreams(const router::Config* config, LedgerSource* source,
                                 Upstreams* model, RecordedProbes* probes)
    : config_(config), source_(source), model_(model), probes_(probes) {
  UKAIRO_CHECK(config_ != nullptr && source_ != nullptr && model_ != nullptr);
  UKAIRO_CHECK(model_->size() == config_->deployments.size());
}

CallResult ReplayUpstreams::Call(const CallRequest& call) {
  UKAIRO_CHECK(call.deployment_index < config_->deployments.size());
  const RecordedRequest* rec = source_->Recorded(call.request_number);
  if (rec == nullptr) {
    ++stats_.requests_without_recording;
    ++stats_.calls_modelled;
    return model_->Call(call);
  }
  const std::string& deployment = config_->deployments[call.deployment_index].id;
  if (const RecordedAttempt* a = rec->Find(deployment, call.try_on_deployment)) {
    ++stats_.calls_replayed;
    CallResult r;
    if (call.timeout_ms > 0 && a->latency_micros > call.timeout_ms * 1000) {
      ++stats_.replayed_cut_by_timeout;
      r.outcome = ledger::Outcome::kTimeout;
      r.http_status = 0;
      r.latency_micros = call.timeout_ms * 1000;
      r.input_tokens = 0;
      r.error = "timed out (recorded answer came later)";
      return r;
    }
    r.outcome = a->outcome;
    r.http_status = a->http_status;
    r.latency_micros = a->latency_micros;
    // The core saw it core_delay after the start in the recording (a
    // hand-written or imported recording may not have timed it: then the
    // latency alone).
    r.arrives_after_micros = std::max(a->core_delay_micros, a->latency_micros);
    r.retry_after_ms = a->retry_after_ms;
    r.input_tokens = a->input_tokens;
    r.output_tokens = a->output_tokens;
    r.cached_tokens = a->cached_tokens;
    r.error = a->error.c_str();  // lives until RequestDone
    return r;
  }
  ++stats_.calls_modelled;
  CallRequest modelled = call;
  if (rec->served) {
    // The same prompt and answer sizes on another deployment.
    modelled.input_tokens = rec->served_input_tokens;
    modelled.output_tokens = rec->served_output_tokens;
  }
  CallResult r = model_->Call(modelled);
  if (rec->served && r.outcome == ledger::Outcome::kOk) {
    r.input_tokens = rec->served_input_tokens;
    r.cached_tokens = rec->served_cached_tokens;
  }
  return r;
}

ProbeOutcome ReplayUpstreams::Probe(uint32_t index, int64_t now_micros) {
  UKAIRO_CHECK(index < config_->deployments.size());
  if (probes_ != nullptr) {
    if (auto recorded = probes_->Find(config_->deployments[index].id, now_micros)) {
      ++stats_.probes_replayed;
      return *recorded;
    }
  }
  ++stats_.probes_modelled;
  return model_->Probe(index, now_micros);
}

int64_t ReplayUpstreams::RetryLatenessMicros(uint64_t request_number, uint32_t attempt,
                                             const std::string& deployment) {
  const RecordedRequest* rec = source_->Recorded(request_number);
  if (rec == nullptr) return 0;
  for (const RecordedAttempt& a : rec->attempts) {
    if (a.attempt == attempt && a.deployment == deployment) return a.retry_lateness_micros;
  }
  return 0;
}

void ReplayUpstreams::RequestDone(uint64_t request_number) {
  source_->Forget(request_number);
  model_->RequestDone(request_number);
}

}  // namespace ukairo::sim
