// Replay semantics: recorded outcomes first, the provider model for the rest.
//
// An attempt the new config makes that the recording also made — same
// request, same deployment (by id), same try number on it — gets the recorded
// outcome, HTTP status, latency, tokens and Retry-After. (When the new
// config's timeout for it is shorter than the recorded latency, it is a
// timeout at the new timeout.) Any other attempt — a deployment the recording
// never tried for that request, a retry it never made — goes to the
// ProviderModel (a scenario, or defaults), with the request's served usage
// as its tokens. A probe answers as the recording's probe of that deployment
// at about the same time did (sim/replay_probes.h), else from the model.
//
// Thread safety: not thread-safe (one per simulation).
#pragma once

#include <cstdint>

#include "router/core/config.h"
#include "sim/ledger_source.h"
#include "sim/provider_model.h"
#include "sim/replay_probes.h"

namespace ukairo::sim {

struct ReplayStats {
  uint64_t calls_replayed = 0;              // answered from the recording
  uint64_t calls_modelled = 0;              // answered by the provider model
  uint64_t replayed_cut_by_timeout = 0;     // recorded latency beyond the new timeout
  uint64_t requests_without_recording = 0;  // calls for an arrival the source forgot
  uint64_t probes_replayed = 0;
  uint64_t probes_modelled = 0;
};

class ReplayUpstreams : public Upstreams {
 public:
  // None owned; all must outlive this. `config` is the simulated one.
  // `probes` may be null (every probe then goes to the model).
  ReplayUpstreams(const router::Config* config, LedgerSource* source, Upstreams* model,
                  RecordedProbes* probes = nullptr);

  CallResult Call(const CallRequest& call) override;
  ProbeOutcome Probe(uint32_t index, int64_t now_micros) override;
  void RequestDone(uint64_t request_number) override;
  int64_t RetryLatenessMicros(uint64_t request_number, uint32_t attempt,
                              const std::string& deployment) override;
  size_t size() const override { return model_->size(); }

  const ReplayStats& stats() const { return stats_; }

 private:
  const router::Config* config_;
  LedgerSource* source_;
  Upstreams* model_;
  RecordedProbes* probes_;
  ReplayStats stats_;
};

}  // namespace ukairo::sim
