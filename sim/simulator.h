// The simulator: drives the unchanged router core in virtual time.
//
// One discrete-event loop (EventQueue, ties broken by insertion order):
//   arrival            → RouterCore::OnRequest
//   SendAttempt        → Upstreams::Call → OnUpstreamResult at now + latency
//   StartTimer         → OnTimer at its time
//   ProbeDeployment    → Upstreams::Probe → OnProbeResult at now + latency
// Every event the core emits goes, in order, to the SummaryBuilder and to an
// optional EventSink (a ledger). Nothing reads a clock; every random draw
// comes from streams derived from one seed, so the same inputs and seed give
// byte-identical output. The trace is streamed: one arrival is queued at a
// time, so memory is bounded by the requests in flight.
//
// Thread safety: not thread-safe; one Simulator per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "ledger/event.h"
#include "ledger/projection.h"
#include "base/status.h"
#include "router/core/config.h"
#include "sim/provider_model.h"
#include "sim/summary.h"
#include "sim/tag_mix.h"
#include "sim/traffic.h"

namespace ukairo::sim {

// Where simulated events go besides the summary (e.g. a ledger).
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Takes the events of one core call, in order. Events carry seq 0.
  virtual Status Append(const std::vector<ledger::Event>& events) = 0;
  // Called once at the end of the run.
  virtual Status Flush() { return Status::Ok(); }
};

struct SimulationOptions {
  uint64_t seed = 1;
  int64_t start_micros = 0;  // the core starts here; earlier arrivals are clamped
  // Start at the first record's time instead (replaying a trace at its own
  // timestamps); start_micros is then ignored.
  bool start_at_first_arrival = false;
  // The core's seed as given, not derived from `seed` (a replay uses the
  // recording gateway's --seed so that balancing draws repeat).
  std::optional<uint64_t> core_seed;
  // The state the core starts from (not owned; copied), e.g. a recorded
  // ledger's state at a replay's --since; nullptr: empty budgets, every
  // deployment healthy. Its period kind must be the config's.
  const ledger::Projection* initial_state = nullptr;
  // Events already folded into `initial_state` that rebuild the core's rate
  // and failure windows (RouterCore::WarmUp), oldest first. Not owned.
  const std::vector<ledger::Event>* warm_up = nullptr;
  size_t queue_entries_max = 1 << 22;
  uint64_t progress_every_arrivals = 1 << 16;
  // Called every progress_every_arrivals arrivals with (virtual now, arrivals).
  std::function<void(int64_t now_micros, uint64_t arrivals)> on_progress;
};

struct SimulationStats {
  uint64_t arrivals = 0;
  uint64_t arrivals_out_of_order = 0;  // clamped to the virtual now
  // Answered by the core without being recorded (e.g. 404 model_not_found
  // for a model not served here); also in the summary's requests_refused.
  uint64_t requests_refused = 0;
  uint64_t sends = 0;
  uint64_t timers = 0;
  uint64_t probes = 0;
  uint64_t notifications = 0;
  uint64_t events = 0;
  int64_t start_micros = 0;  // when the core started
  int64_t last_time_micros = 0;
  size_t queue_entries_peak = 0;
};

// The seed of each consumer, derived from the run's seed.
uint64_t DeriveSeed(uint64_t seed, uint64_t stream);
inline constexpr uint64_t kSeedStreamCore = 1;
inline constexpr uint64_t kSeedStreamProviders = 2;
inline constexpr uint64_t kSeedStreamTags = 3;
inline constexpr uint64_t kSeedStreamTraffic = 4;

// Runs the whole simulation: every arrival of `source`, then until no
// request is in flight. Returns the first error of the source or the sink.
Result<SimulationStats> RunSimulation(std::shared_ptr<const router::Config> config,
                                      Upstreams& providers, TrafficSource& source,
                                      TagAssigner& tags, const SimulationOptions& options,
                                      SummaryBuilder& summary, EventSink* sink);

}  // namespace ukairo::sim
