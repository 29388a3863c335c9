// Router core benchmarks (issue #3): the routing decision with 50
// deployments and 8 tags (target p99 < 2 µs), and the full in-memory request
// lifecycle OnRequest + OnUpstreamResult(ok) (target >= 1M requests/s per
// core with no faults). Both include folding every emitted event into the
// core's projection and budgets in all four scopes.
//
//   cmake --build build --target router_bench && ./build/bench/router_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "ledger/period.h"
#include "router/core/core.h"

namespace ukairo::router {
namespace {

constexpr int64_t kUsd = 1'000'000'000;

// 10 groups × 5 deployments, 8 tags over 3 tiers, budgets on every scope.
std::shared_ptr<Config> BenchConfig(RoutingStrategy strategy) {
  auto c = std::make_shared<Config>();
  const char* groups[] = {"opus", "sonnet", "pro",   "flash", "glm",
                          "gpt",  "mini",   "haiku", "llama", "local"};
  for (int g = 0; g < 10; ++g) {
    auto& group = c->groups[groups[g]];
    group.name = groups[g];
    for (int i = 0; i < 5; ++i) {
      Deployment d;
      d.id = std::string(groups[g]) + "-" + std::to_string(i);
      d.model_group = groups[g];
      if (g != 9) {
        d.price.input_pico = (10 - g) * 1'000'000;
        d.price.output_pico = (10 - g) * 5'000'000;
      }
      group.deployments.push_back(c->deployments.size());
      c->deployments.push_back(d);
    }
    c->budgets.push_back({ScopeKind::kModel, groups[g], 1'000'000 * kUsd});
  }
  c->tiers = {Tier{"high-precision",
                   {"Spec", "Design", "Review"},
                   {"opus", "sonnet", "pro", "flash", "local"}},
              Tier{"build", {"Build", "Fix"}, {"gpt", "sonnet", "pro", "glm", "local"}},
              Tier{"economy", {"Verify", "Release", "Operate"}, {"flash", "mini", "local"}}};
  for (const auto& t : c->tiers) {
    for (const auto& tag : t.tags) {
      c->tag_to_tier[tag] = t.name;
      c->known_tags.push_back(tag);
      c->budgets.push_back({ScopeKind::kTag, tag, 1'000'000 * kUsd});
    }
    c->budgets.push_back({ScopeKind::kTier, t.name, 1'000'000 * kUsd});
  }
  c->budgets.push_back({ScopeKind::kGlobal, "", 10'000'000 * kUsd});
  c->alerts = {
      {80, AlertAction::kNotify}, {90, AlertAction::kWarn}, {100, AlertAction::kStopAndFallback}};
  c->routing_strategy = strategy;
  return c;
}

const char* kTags[] = {"Spec", "Design", "Build", "Review", "Fix", "Verify", "Release", "Operate"};

struct Driver {
  explicit Driver(RoutingStrategy strategy)
      : core(BenchConfig(strategy), ledger::Projection(), 1), now(MicrosFromCivil(2026, 11, 2)) {
    core.Start(now, actions);
    for (int i = 0; i < 64; ++i) ids.push_back("req-" + std::to_string(i));
  }
  // One request, answered at once with a good result.
  void Lifecycle(uint64_t i, bool time_decision, std::vector<int64_t>* decision_ns) {
    RequestInput in;
    in.request_id = ids[i % ids.size()];
    in.tag = kTags[i % 8];
    in.input_tokens = 1000;
    in.max_output_tokens = 500;
    actions.Clear();
    now += 1000;
    const auto t0 = std::chrono::steady_clock::now();
    core.OnRequest(in, now, actions);
    if (time_decision) {
      const auto t1 = std::chrono::steady_clock::now();
      decision_ns->push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
    const SendAttempt& send = actions.sends.front();
    UpstreamResult r;
    r.request_id = send.request_id;
    r.attempt = send.attempt;
    r.http_status = 200;
    r.input_tokens = 1000;
    r.output_tokens = 300;
    actions.Clear();
    core.OnUpstreamResult(r, now + 500, actions);
    benchmark::DoNotOptimize(actions.responses.data());
  }
  RouterCore core;
  Actions actions;
  int64_t now;
  std::vector<std::string> ids;
};

void BM_RequestLifecycle(benchmark::State& state) {
  Driver driver(static_cast<RoutingStrategy>(state.range(0)));
  uint64_t i = 0;
  for (auto _ : state) driver.Lifecycle(i++, false, nullptr);
  state.SetItemsProcessed(static_cast<int64_t>(i));
  state.counters["events_per_request"] =
      static_cast<double>(driver.core.stats().events) / static_cast<double>(i);
}
BENCHMARK(BM_RequestLifecycle)->Arg(0)->Arg(1)->ArgName("least_busy");

// Times OnRequest alone (the routing decision and its events) per call and
// reports percentiles.
void BM_RoutingDecision(benchmark::State& state) {
  Driver driver(RoutingStrategy::kSimpleShuffle);
  std::vector<int64_t> ns;
  ns.reserve(1 << 22);
  uint64_t i = 0;
  for (auto _ : state) {
    driver.Lifecycle(i++, ns.size() < (1u << 22), &ns);
  }
  std::sort(ns.begin(), ns.end());
  auto pct = [&](double p) {
    return ns.empty() ? 0.0 : static_cast<double>(ns[static_cast<size_t>(p * (ns.size() - 1))]);
  };
  state.counters["decision_p50_ns"] = pct(0.50);
  state.counters["decision_p99_ns"] = pct(0.99);
  state.counters["decision_p999_ns"] = pct(0.999);
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_RoutingDecision);

}  // namespace
}  // namespace ukairo::router

BENCHMARK_MAIN();
