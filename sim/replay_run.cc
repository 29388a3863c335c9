#include "sim/replay_run.h"

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
