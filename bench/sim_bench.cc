// Simulator speed (issue #5 targets: >= 1M simulated requests/s per core
// without faults, >= 300k/s with faults, a 30-day month of 2M requests in
// < 5 s). Each benchmark simulates a whole month of the shipped Azure code
// sample (data/traces/azure_code_sample.csv stretched with the default
// working-hours profile: ~1.93M requests) through the real router core.
// Counters: requests/s (items_per_second) and events per request.
// Run: ./build/bench/sim_bench [--benchmark_filter=Month]
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/event_queue.h"
#include "sim/simulator.h"

namespace ukairo::sim {
namespace {

// The repository root: the bench binary lives in <root>/build/bench/.
std::string Root() {
  std::filesystem::path p = std::filesystem::canonical("/proc/self/exe");
  for (int up = 0; up < 4; ++up) {
    p = p.parent_path();
    if (std::filesystem::exists(p / "data/traces/azure_code_sample.csv")) return p.string();
  }
  return ".";
}

const int64_t kStart = MicrosFromCivil(2026, 11, 1);

// No budgets: every request is served by its primary.
const char* kNoBudget = R"(
model_list:
  - model_name: gpt-5.2
    litellm_params: {model: openai/gpt-5.2}
    model_info: {id: gpt-5.2-1}
  - model_name: claude-opus
    litellm_params: {model: anthropic/claude-opus-4-8}
    model_info: {id: claude-opus-1}
  - model_name: local
    litellm_params: {model: ollama/llama3, api_base: "http://127.0.0.1:11434"}
    model_info: {id: local-1}
ukairo:
  default_tag: Build
  tiers:
    - name: build
      tags: [Build]
      chain: [gpt-5.2, local]
    - name: high-precision
      tags: [Spec]
      chain: [claude-opus, gpt-5.2, local]
)";

void RunMonth(benchmark::State& state, std::shared_ptr<const router::Config> config,
              const Scenario& scenario, const std::string& mix) {
  uint64_t requests = 0, events = 0;
  for (auto _ : state) {
    auto reader = TraceReader::Open(Root() + "/data/traces/azure_code_sample.csv", {});
    StretchOptions so;
    so.start_micros = kStart;
    so.days = 30;
    so.seed = 1;
    auto source = MakeStretchedSource(std::move(*reader), so);
    auto tags = TagAssigner::Make("", mix, 2);
    auto providers = ProviderModel::Make(scenario, *config, 3);
    if (!source.ok() || !tags.ok() || !providers.ok()) {
      state.SkipWithError("setup failed");
      return;
    }
    SummaryBuilder summary;
    SimulationOptions opts;
    opts.seed = 4;
    opts.start_micros = kStart;
    auto stats = RunSimulation(config, *providers, **source, *tags, opts, summary, nullptr);
    if (!stats.ok()) {
      state.SkipWithError(stats.status().ToString().c_str());
      return;
    }
    requests += stats->arrivals;
    events += stats->events;
    benchmark::DoNotOptimize(summary.ToJson(RunInfo{}));
  }
  state.SetItemsProcessed(static_cast<int64_t>(requests));
  state.counters["requests_per_month"] =
      static_cast<double>(requests) / static_cast<double>(state.iterations());
  state.counters["events_per_request"] = static_cast<double>(events) / requests;
}

void BM_MonthNoFaults(benchmark::State& state) {
  router::LoadOptions o;
  o.price_table_path = Root() + "/data/prices/model_prices.json";
  auto config = router::ParseConfig(kNoBudget, "bench.yaml", o);
  if (!config.ok()) return state.SkipWithError(config.status().ToString().c_str());
  RunMonth(state, *config, Scenario::Healthy(), "Spec=1,Build=3");
}
BENCHMARK(BM_MonthNoFaults)->Unit(benchmark::kMillisecond)->Iterations(3);

// data/litellm_config.yaml (budgets run out early: most requests walk their
// chain to the local model) under data/scenarios/fault_month.yaml's faults.
void BM_MonthFaultsAndBudgets(benchmark::State& state) {
  auto config = router::LoadConfigFile(Root() + "/data/litellm_config.yaml");
  if (!config.ok()) return state.SkipWithError(config.status().ToString().c_str());
  auto scenario = Scenario::Load(Root() + "/data/scenarios/fault_month.yaml", kStart);
  if (!scenario.ok()) return state.SkipWithError(scenario.status().ToString().c_str());
  RunMonth(state, *config, *scenario, "Spec=1,Design=1,Review=1,Build=5,Fix=1,Verify=1");
}
BENCHMARK(BM_MonthFaultsAndBudgets)->Unit(benchmark::kMillisecond)->Iterations(3);

// The traffic source alone: a month of the sample read, stretched and thinned.
void BM_StretchedSourceMonth(benchmark::State& state) {
  uint64_t kept = 0, read = 0;
  for (auto _ : state) {
    auto reader = TraceReader::Open(Root() + "/data/traces/azure_code_sample.csv", {});
    StretchOptions so;
    so.start_micros = kStart;
    so.days = 30;
    auto source = MakeStretchedSource(std::move(*reader), so);
    TraceRecord r;
    while (*(*source)->Next(&r)) ++kept;
    read += (*source)->records_read();
  }
  state.SetItemsProcessed(static_cast<int64_t>(read));
  state.counters["kept_per_month"] = static_cast<double>(kept) / state.iterations();
}
BENCHMARK(BM_StretchedSourceMonth)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_EventQueuePushPop(benchmark::State& state) {
  EventQueue<uint64_t> q(1 << 20);
  for (int64_t i = 0; i < state.range(0); ++i) q.Push(i * 7 % 1000, i);
  int64_t t = 1000;
  for (auto _ : state) {
    auto e = q.Pop();
    q.Push(t++, e.payload);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventQueuePushPop)->Arg(64)->Arg(4096);

}  // namespace
}  // namespace ukairo::sim

BENCHMARK_MAIN();
