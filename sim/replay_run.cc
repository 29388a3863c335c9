#include "sim/replay_run.h"

#include <algorithm>
#include <variant>

#include "sim/ledger_source.h"
#include "sim/tag_mix.h"

namespace ukairo::sim {

Result<std::optional<int64_t>> FirstRecordedArrival(ledger::Ledger* recorded,
                                                    const ReplayOptions& options) {
  LedgerSourceOptions so;
  so.since_micros = options.since_micros;
  so.until_micros = options.until_micros;
  LedgerSource source(recorded, so);
  TraceRecord record;
  UKAIRO_ASSIGN_OR_RETURN(bool any, source.Next(&record));
  if (!any) return std::optional<int64_t>();
  return std::optional<int64_t>(record.time_micros);
}

namespace {

// The recorded state at `since_micros`: see the header.
struct RecordedState {
  ledger::Projection projection;
  std::vector<ledger::Event> warm_up;
  uint64_t events = 0;
};

Result<RecordedState> RecordedStateAt(ledger::Ledger* recorded, const router::Config& config,
                                      int64_t since_micros) {
  RecordedState state{ledger::Projection(config.budget_period), {}, 0};
  const int64_t window_micros =
      std::max<int64_t>(60'000'000, config.cooldown.cooldown_time_ms * 1000);
  ledger::ScanOptions scan;
  scan.time_max_micros = since_micros;  // times never decrease: a prefix of the log
  auto it = recorded->Scan(scan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const ledger::Event& e = it->event();
    state.projection.Apply(e);
    ++state.events;
    if (e.time_micros < since_micros - window_micros) continue;
    if (std::holds_alternative<ledger::AttemptStarted>(e.body) ||
        std::holds_alternative<ledger::AttemptFinished>(e.body) ||
        std::holds_alternative<ledger::Recovered>(e.body)) {
      state.warm_up.push_back(e);
    }
  }
  UKAIRO_RETURN_IF_ERROR(it->status());
  return state;
}

}  // namespace

Result<ReplayResult> RunReplay(ledger::Ledger* recorded,
                               std::shared_ptr<const router::Config> config,
                               const Scenario& scenario, const ReplayOptions& options,
                               SummaryBuilder& summary, EventSink* sink) {
  LedgerSourceOptions so;
  so.since_micros = options.since_micros;
  so.until_micros = options.until_micros;
  LedgerSource source(recorded, so);
  ReplayResult out;
  if (options.fit_latency) {
    UKAIRO_ASSIGN_OR_RETURN(
        out.fitted, FitRecordedLatencies(recorded, options.since_micros, options.until_micros,
                                         DeriveSeed(options.seed, kSeedStreamProviders)));
  }
  UKAIRO_ASSIGN_OR_RETURN(
      ProviderModel model,
      ProviderModel::Make(scenario, *config, DeriveSeed(options.seed, kSeedStreamProviders),
                          &out.fitted));
  out.providers = model.Describe(*config);
  RecordedProbes probes(recorded, options.since_micros, options.until_micros,
                        config->health.interval_ms * 1000);
  ReplayUpstreams upstreams(config.get(), &source, &model, &probes);
  // Recorded tags are final: nothing to assign.
  UKAIRO_ASSIGN_OR_RETURN(TagAssigner tags, TagAssigner::Make("", "", 0));
  SimulationOptions opts;
  std::optional<RecordedState> state;
  if (options.since_micros) {
    UKAIRO_ASSIGN_OR_RETURN(state, RecordedStateAt(recorded, *config, *options.since_micros));
    out.state_events = state->events;
    out.state_open_reservations = state->projection.open_reservation_count();
    opts.initial_state = &state->projection;
    opts.warm_up = &state->warm_up;
  }
  opts.seed = options.seed;
  opts.core_seed = options.core_seed;
  opts.start_at_first_arrival = true;
  opts.on_progress = options.on_progress;
  UKAIRO_ASSIGN_OR_RETURN(out.stats,
                          RunSimulation(config, upstreams, source, tags, opts, summary, sink));
  UKAIRO_RETURN_IF_ERROR(probes.status());
  out.replay = upstreams.stats();
  out.records = source.records_read();
  out.remembered_peak = source.remembered_peak();
  return out;
}

}  // namespace ukairo::sim
