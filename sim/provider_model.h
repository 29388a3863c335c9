// Simulated upstream providers: what a call to a deployment returns, when.
//
// Built from a Scenario and the Config's deployments. For one call, in order:
//   1. inside an outage window → the window's 5xx (or a connection error);
//   2. input tokens above the context window → 400 context_window;
//   3. inside a rate_limited window → 429 with Retry-After;
//   4. the provider's rpm for the current minute used up → 429, Retry-After
//      = until the next minute; the provider's tpm: the tokens (input +
//      output) of the calls admitted in the last 60 s plus this call's above
//      it → 429, Retry-After = until enough of them age out (a call larger
//      than tpm on its own is admitted into an empty window, so it is slow,
//      not stuck forever);
//   5. the failure ratio → failure_status (5xx);
//   6. otherwise OK with a log-normal latency (median, p99) in integer
//      microseconds; a latency beyond the attempt's timeout is a timeout.
// Randomness is one Rng stream per deployment from the seed, so the outcome
// sequence of a deployment does not depend on other deployments' traffic.
// Latency quantiles are tabulated once at startup (1024 points), and a draw
// interpolates between two with integer arithmetic. When replaying, a
// deployment's table can instead come from its recorded latencies
// (sim/replay_latency.h), unless the scenario names that deployment (or its
// group) with a latency of its own.
//
// Upstreams is what the simulator calls: ProviderModel is one, a replay of
// recorded outcomes (sim/replay_upstreams.h) is another that falls back on a
// ProviderModel for the attempts the recording never made.
//
// Thread safety: not thread-safe (one per simulation).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/event.h"
#include "router/core/config.h"
#include "sim/rng.h"
#include "sim/scenario.h"

namespace ukairo::sim {

struct CallResult {
  ledger::Outcome outcome = ledger::Outcome::kOk;
  uint32_t http_status = 200;
  int64_t latency_micros = 0;
  // When the result reaches the router core, after the call; -1: after
  // latency_micros. A replayed attempt arrives when it did in the recording.
  int64_t arrives_after_micros = -1;
  int64_t retry_after_ms = -1;
  int64_t output_tokens = 0;
  // Billed input tokens; -1: the request's own count when OK, else 0.
  int64_t input_tokens = -1;
  int64_t cached_tokens = 0;
  // Static text, or text owned by the Upstreams valid until its next Call.
  const char* error = "";
};

// One upstream call as the simulator asks for it.
struct CallRequest {
  uint64_t request_number = 0;     // the simulator's request id is "r<number>"
  uint32_t attempt = 0;            // 1-based over the whole request
  uint32_t try_on_deployment = 0;  // 1 = first try on this deployment
  uint32_t deployment_index = 0;   // into the config's deployments
  int64_t now_micros = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;  // capped by the config's default output cap
  int64_t timeout_ms = 0;
};

struct ProbeOutcome {
  bool ok = true;
  uint32_t http_status = 200;
  int64_t latency_micros = 0;
};

// What answers the simulator's upstream calls and health probes.
class Upstreams {
 public:
  virtual ~Upstreams() = default;
  virtual CallResult Call(const CallRequest& call) = 0;
  virtual ProbeOutcome Probe(uint32_t index, int64_t now_micros) = 0;
  // The request was answered: state kept for it may go.
  virtual void RequestDone(uint64_t request_number) { (void)request_number; }
  // How much later than its backoff the recording started the retry after
  // `attempt` failed on `deployment` (a live timer fires a little late; a
  // replay repeats that, so overlapping requests interleave as recorded).
  // 0 when nothing was recorded.
  virtual int64_t RetryLatenessMicros(uint64_t request_number, uint32_t attempt,
                                      const std::string& deployment) {
    (void)request_number;
    (void)attempt;
    (void)deployment;
    return 0;
  }
  // Number of deployments (the config's).
  virtual size_t size() const = 0;
};

// Latency quantile tables by deployment id: kLatencyPoints + 1 ascending
// points in micros, at probabilities (k + 0.5) / (kLatencyPoints + 1).
struct FittedLatency {
  std::vector<int64_t> points_micros;
  uint64_t samples = 0;  // recorded latencies it was fitted from
};
using FittedLatencies = std::unordered_map<std::string, FittedLatency>;

class ProviderModel : public Upstreams {
 public:
  static constexpr size_t kLatencyPoints = 1024;
  static constexpr int64_t kTpmWindowMicros = 60'000'000;

  // Faults apply to deployments by id or by model group (id wins); unknown
  // names in the scenario are errors, so a typo does not silently do nothing.
  // `fitted` (may be null, not kept) replaces the latency of the deployments
  // it holds, except those the scenario gives a latency by id or group.
  static Result<ProviderModel> Make(const Scenario& scenario, const router::Config& config,
                                    uint64_t seed, const FittedLatencies* fitted = nullptr);

  // One call to deployment `index` at `now_micros`. REQUIRES: index < size().
  CallResult Call(uint32_t index, int64_t now_micros, int64_t input_tokens, int64_t output_tokens,
                  int64_t timeout_ms);
  CallResult Call(const CallRequest& c) override {
    return Call(c.deployment_index, c.now_micros, c.input_tokens, c.output_tokens, c.timeout_ms);
  }
  ProbeOutcome Probe(uint32_t index, int64_t now_micros) override;

  size_t size() const override { return models_.size(); }
  // One line per deployment: latency, failure ratio, rpm, windows (printed at
  // startup, so a run can be reproduced from its log alone).
  std::string Describe(const router::Config& config) const;

 private:
  struct Model {
    int64_t latency_micros[kLatencyPoints + 1];
    LatencySpec latency;
    Ratio failure;
    uint32_t failure_status = 500;
    int64_t rpm = 0;
    int64_t tpm = 0;
    uint64_t fitted_samples = 0;  // > 0: latency_micros from the recording
    int64_t max_input_tokens = 0;
    std::vector<FaultWindow> outages;
    std::vector<FaultWindow> rate_limited;
    int64_t minute = -1;       // current rpm window (minutes since epoch)
    int64_t minute_count = 0;  // calls admitted in it
    // tpm: (admission time, tokens) of the calls admitted in the last 60 s,
    // oldest first; at most one entry per call admitted in a minute.
    std::deque<std::pair<int64_t, int64_t>> tpm_window;
    int64_t tpm_window_tokens = 0;
    Rng rng{0};
  };
  int64_t SampleLatency(Model& m);
  std::vector<Model> models_;
};

}  // namespace ukairo::sim
