// One replay run: a recorded ledger's requests through a (new) config.
//
// Wires LedgerSource → RunSimulation with ReplayUpstreams over a
// ProviderModel, the core started at the first recorded arrival. A first
// pass over the range's attempt_finished events fits each deployment's
// latency from its recorded OK attempts (sim/replay_latency.h); the model
// draws the attempts the recording never made from that, unless the
// scenario gives the deployment (or its group) a latency. Recorded
// tags are kept (no tag assignment). `ukairo replay` and the fidelity test
// both run through here.
//
// With --since the core starts from the recorded state at that instant:
// every recorded event before it is folded (spend, alerts, stops and gate
// decisions, deployment states), and the attempts of the trailing cooldown
// window (at least 60 s) warm its rate and failure windows, so budgets are
// as spent as they were, not fresh. Requests still in flight at --since are
// not replayed; their reservations are expired at the start (the core's
// ReservationExpired events say which).
//
// Thread safety: one run per thread; the ledger may be shared.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "ledger/ledger.h"
#include "router/core/config.h"
#include "sim/replay_latency.h"
#include "sim/replay_upstreams.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/summary.h"

namespace ukairo::sim {

struct ReplayOptions {
  std::optional<int64_t> since_micros;  // inclusive
  std::optional<int64_t> until_micros;  // exclusive
  uint64_t seed = 1;                    // the provider model's streams (modelled attempts)
  uint64_t core_seed = 1;               // the recording gateway's --seed (its default: 1)
  bool fit_latency = true;              // false: the scenario's latency everywhere
  // Called every 65,536 arrivals with (virtual now, arrivals).
  std::function<void(int64_t now_micros, uint64_t arrivals)> on_progress;
};

struct ReplayResult {
  SimulationStats stats;
  ReplayStats replay;
  uint64_t records = 0;        // recorded requests replayed
  uint64_t state_events = 0;   // recorded events before --since folded into the start state
  uint64_t state_open_reservations = 0;  // of requests in flight at --since (expired)
  size_t remembered_peak = 0;  // recordings held at once (requests in flight)
  FittedLatencies fitted;      // per deployment id, from the recording
  std::string providers;       // ProviderModel::Describe, for the log
};

// The time of the first recorded request in the range; nullopt when none.
Result<std::optional<int64_t>> FirstRecordedArrival(ledger::Ledger* recorded,
                                                    const ReplayOptions& options);

// `scenario` offsets should be resolved against FirstRecordedArrival.
Result<ReplayResult> RunReplay(ledger::Ledger* recorded,
                               std::shared_ptr<const router::Config> config,
                               const Scenario& scenario, const ReplayOptions& options,
                               SummaryBuilder& summary, EventSink* sink);

}  // namespace ukairo::sim
