// Goal: replaying a ledger recorded by the live gateway through the simulator
// under the same config reproduces the recording's routing decisions (the
// deployment that served each request, every fallback with its reason, the
// attempts) and exactly its spend per model in nano-USD; under a changed
// config (a smaller budget) the outcome changes the way the config says.
// Method: the real gateway on 127.0.0.1 in front of four scripted fake
// providers (5xx with retries, a deployment going down, a 429, a budget
// running out, a two-deployment group balanced by the seeded core) records a
// RocksDB ledger in a temp dir, from one client and from four at once;
// RunReplay then replays it in virtual time at the recorded arrival times
// with the recorded timings. A second check
// replays a simulated fault-scenario ledger (outages, probes, 429 bursts,
// budgets running out) and must give the byte-identical summary. A third
// checks that attempts the recording never made draw their latency from the
// recorded latencies of their deployment.
#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "router/config/loader.h"
#include "router/gateway/fake_provider.h"
#include "router/gateway/gateway.h"
#include "sim/ledger_sink.h"
#include "sim/ledger_source.h"
#include "sim/replay_run.h"
#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using gateway::FakeBehavior;
using gateway::FakeProvider;
using ukairo::testing::HttpRequest;
using ukairo::testing::TempDir;

// Collects the simulated events.
class VectorSink : public EventSink {
 public:
  Status Append(const std::vector<ledger::Event>& events) override {
    events_.insert(events_.end(), events.begin(), events.end());
    return Status::Ok();
  }
  std::vector<ledger::Event> events_;
};

// What a run decided, request by request (in arrival order) and in total.
struct Decisions {
  std::vector<std::string> served_by;  // final deployment, "" when failed
  std::vector<uint32_t> http_status;
  std::vector<uint32_t> attempts;
  std::vector<std::string> fallbacks;  // "k:from>to:reason" in emission order
  std::map<std::string, NanoUsd> cost_by_model;
  std::map<std::string, uint64_t> fallbacks_by_reason;
  uint64_t retries = 0;
};

Decisions Decide(const std::vector<ledger::Event>& events) {
  Decisions d;
  std::map<std::string, size_t> index;  // request id → arrival number
  SummaryBuilder summary;
  for (const auto& e : events) {
    summary.Add(e);
    if (const auto* a = std::get_if<ledger::RequestAccepted>(&e.body)) {
      index[a->request_id] = d.served_by.size();
      d.served_by.emplace_back();
      d.http_status.push_back(0);
      d.attempts.push_back(0);
    } else if (const auto* c = std::get_if<ledger::RequestCompleted>(&e.body)) {
      const size_t k = index.at(c->request_id);
      d.served_by[k] = c->final_deployment;
      d.http_status[k] = c->http_status;
      d.attempts[k] = c->attempts;
    } else if (const auto* f = std::get_if<ledger::FallbackTaken>(&e.body)) {
      d.fallbacks.push_back(std::to_string(index.at(f->request_id)) + ":" + f->from_deployment +
                            ">" + f->to_deployment + ":" + ledger::FallbackReasonName(f->reason));
    }
  }
  d.cost_by_model = summary.cost_by_model();
  d.fallbacks_by_reason = summary.fallbacks_by_reason();
  d.retries = summary.retries();
  return d;
}

class ReplayFidelity : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) {
      auto fake = FakeProvider::Start("127.0.0.1", 0, 1, FakeBehavior{});
      ASSERT_OK(fake);
      fakes_.push_back(std::move(*fake));
    }
  }
  void TearDown() override {
    for (auto& f : fakes_) f->Stop();
  }

  // high: premium → backup (two deployments) → local; build: backup → local.
  std::string ConfigYaml(const std::string& premium_budget) {
    auto base = [&](int i) {
      return "http://127.0.0.1:" + std::to_string(fakes_[i]->port()) + "/v1";
    };
    return R"(model_list:
  - model_name: premium
    litellm_params: {model: openai/premium-model, api_base: ")" +
           base(0) + R"("}
    model_info: {id: premium-1, input_cost_per_token: "0.00001", output_cost_per_token: "0.0001"}
  - model_name: backup
    litellm_params: {model: openai/backup-model, api_base: ")" +
           base(1) + R"("}
    model_info: {id: backup-a, input_cost_per_token: "0.000001", output_cost_per_token: "0.00001"}
  - model_name: backup
    litellm_params: {model: openai/backup-model, api_base: ")" +
           base(2) + R"("}
    model_info: {id: backup-b, input_cost_per_token: "0.000002", output_cost_per_token: "0.00002"}
  - model_name: local
    litellm_params: {model: ollama/llama3, api_base: ")" +
           base(3) + R"("}
    model_info: {id: local-1}
ukairo:
  default_tag: Build
  tiers:
    - {name: high, tags: [Spec, Design], chain: [premium, backup, local]}
    - {name: build, tags: [Build], chain: [backup, local]}
  budgets:
    model: {premium: )" +
           premium_budget + R"(}
  alerts:
    - {threshold_pct: 80, action: notify}
    - {threshold_pct: 100, action: stop_and_fallback}
  retry: {num_retries: 2, backoff_ms: [10, 20]}
  cooldown: {allowed_fails: 100, cooldown_time_s: 60}
  health_check: {enabled: true, interval_s: 300}
)";
  }

  std::shared_ptr<const router::Config> WriteAndLoad(const std::string& name,
                                                     const std::string& yaml) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path) << yaml;
    auto config = router::LoadConfigFile(path);
    EXPECT_OK(config);
    return config.ok() ? *config : nullptr;
  }

  // Records `requests` requests through the live gateway from `clients`
  // threads (1: one after another) and returns the ledger's events.
  std::vector<ledger::Event> Record(std::shared_ptr<const router::Config> config, int requests,
                                    int clients = 1) {
    FakeBehavior premium;
    premium.error_every = 4;  // a 500 every 4th call: retried on premium
    premium.fail_status = 500;
    fakes_[0]->SetBehavior(premium);
    FakeBehavior backup_a;
    backup_a.fail_first = 3;  // 1 try + 2 retries fail: down, fallback to backup-b
    backup_a.fail_status = 503;
    fakes_[1]->SetBehavior(backup_a);
    FakeBehavior backup_b;
    backup_b.error_every = 7;  // the 7th call is a 429: rate limited for 30 s
    backup_b.fail_status = 429;
    backup_b.retry_after_s = 30;
    fakes_[2]->SetBehavior(backup_b);
    gateway::GatewayOptions o;
    o.port = 0;
    o.ledger_dir = dir_.Sub("recorded");
    o.drain_deadline_ms = 2000;
    auto gw = gateway::Gateway::Start(o, config);
    EXPECT_OK(gw);
    if (!gw.ok()) return {};
    auto send = [&](int i) {
      const bool spec = i % 3 != 2;
      const std::string content(12 + 7 * (i % 11), 'x');
      const std::string body = std::string(R"({"model":")") + (spec ? "premium" : "backup") +
                               R"(","max_tokens":)" + std::to_string(6 + i % 9) +
                               R"(,"messages":[{"role":"user","content":")" + content + "\"}]}";
      auto r = HttpRequest("POST", (*gw)->port(), "/v1/chat/completions", body,
                           {{"x-ukairo-tag", spec ? "Spec" : "Build"}});
      EXPECT_OK(r);
    };
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        for (int i = c; i < requests; i += clients) send(i);
      });
    }
    for (auto& t : threads) t.join();
    (*gw)->Stop();
    gw->reset();
    return ukairo::testing::ReadLedgerEvents(dir_.Sub("recorded"));
  }


  // Replays the recorded ledger through `config`; the simulated events.
  std::vector<ledger::Event> Replay(std::shared_ptr<const router::Config> config,
                                    ReplayResult* result) {
    ledger::LedgerOptions lo;
    lo.read_only = true;
    auto l = ledger::Ledger::Open(dir_.Sub("recorded"), lo);
    EXPECT_OK(l);
    if (!l.ok()) return {};
    VectorSink sink;
    SummaryBuilder summary;
    auto r = RunReplay(l->get(), config, Scenario::Healthy(), ReplayOptions{}, summary, &sink);
    EXPECT_OK(r);
    if (r.ok()) *result = *r;
    return std::move(sink.events_);
  }

  TempDir dir_;
  std::vector<std::unique_ptr<FakeProvider>> fakes_;
};

TEST_F(ReplayFidelity, SameConfigReproducesRoutingAndSpendExactly) {
  auto config = WriteAndLoad("config.yaml", ConfigYaml("0.02"));
  ASSERT_NE(config, nullptr);
  const Decisions recorded = Decide(Record(config, 48));
  // The recording exercised what fidelity is about.
  ASSERT_EQ(recorded.served_by.size(), 48u);
  EXPECT_GT(recorded.retries, 0u);
  EXPECT_GT(recorded.fallbacks_by_reason.count("failure"), 0u);
  EXPECT_GT(recorded.fallbacks_by_reason.count("rate_limit"), 0u);
  EXPECT_GT(recorded.fallbacks_by_reason.count("budget"), 0u);
  std::set<std::string> servers(recorded.served_by.begin(), recorded.served_by.end());
  EXPECT_EQ(servers,
            (std::set<std::string>{"premium-1", "backup-b", "local-1"}));  // backup-a went down

  ReplayResult result;
  const Decisions replayed = Decide(Replay(config, &result));
  EXPECT_EQ(result.records, 48u);
  EXPECT_EQ(result.replay.calls_modelled, 0u);  // every attempt was in the recording
  EXPECT_GT(result.replay.calls_replayed, 48u);
  EXPECT_EQ(replayed.served_by, recorded.served_by);
  EXPECT_EQ(replayed.http_status, recorded.http_status);
  EXPECT_EQ(replayed.attempts, recorded.attempts);
  EXPECT_EQ(replayed.fallbacks, recorded.fallbacks);
  EXPECT_EQ(replayed.fallbacks_by_reason, recorded.fallbacks_by_reason);
  EXPECT_EQ(replayed.retries, recorded.retries);
  EXPECT_EQ(replayed.cost_by_model, recorded.cost_by_model);  // nano-USD, exact
  EXPECT_GT(recorded.cost_by_model.at("premium"), 0);

  // The CLI gives the same: exit 0, the summary with its replay counts.
  const std::string out = dir_.Sub("replay.json");
  std::string log;
  ASSERT_EQ(
      ukairo::testing::RunCommand("'" + ukairo::testing::UkairoBinary() + "' replay -q --ledger '" +
                                      dir_.Sub("recorded") + "' --config '" +
                                      dir_.Sub("config.yaml") + "' --out '" + out + "' 2>&1",
                                  &log),
      0)
      << log;
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["requests_total"], 48);
  EXPECT_EQ(j["run"]["trace_format"], "ledger");
  EXPECT_EQ(j["replay"]["calls_modelled"], 0);
  for (const auto& [model, nanos] : recorded.cost_by_model) {
    EXPECT_EQ(j["cost_usd_by_model"][model], FormatNanosAsUsd(nanos)) << model;
  }
  EXPECT_EQ(
      ukairo::testing::RunCommand("'" + ukairo::testing::UkairoBinary() + "' replay -q --ledger '" +
                                      dir_.Sub("recorded") + "' --config '" +
                                      dir_.Sub("config.yaml") + "' --since 2099-01-01 2>/dev/null",
                                  &log),
      2);  // nothing in the range
}

// Four clients at once: requests overlap, results and retries of different
// requests interleave within microseconds. The replay delivers each recorded
// result when the recording's core saw it (not after the bare provider
// latency) and starts each recorded retry as late as the live timer did, so
// the core sees the inputs in the recorded order and decides the same.
TEST_F(ReplayFidelity, ConcurrentRecordingReplaysTheSame) {
  auto config = WriteAndLoad("config.yaml", ConfigYaml("0.02"));
  ASSERT_NE(config, nullptr);
  const Decisions recorded = Decide(Record(config, 96, /*clients=*/4));
  ASSERT_EQ(recorded.served_by.size(), 96u);
  EXPECT_GT(recorded.retries, 0u);
  // Which fallbacks happen depends on how the four clients' calls interleave
  // at premium's fake (every 4th call fails: a request whose retries keep
  // landing on failing calls puts premium down, and then premium's budget is
  // never reached). Some always happen; the replay must match them all.
  EXPECT_FALSE(recorded.fallbacks_by_reason.empty());
  ReplayResult result;
  const Decisions replayed = Decide(Replay(config, &result));
  EXPECT_EQ(result.replay.calls_modelled, 0u);
  EXPECT_EQ(replayed.served_by, recorded.served_by);
  EXPECT_EQ(replayed.http_status, recorded.http_status);
  EXPECT_EQ(replayed.attempts, recorded.attempts);
  EXPECT_EQ(replayed.fallbacks, recorded.fallbacks);
  EXPECT_EQ(replayed.retries, recorded.retries);
  EXPECT_EQ(replayed.cost_by_model, recorded.cost_by_model);  // nano-USD, exact
}

TEST_F(ReplayFidelity, SmallerBudgetMovesPremiumTrafficDown) {
  auto config = WriteAndLoad("config.yaml", ConfigYaml("0.02"));
  ASSERT_NE(config, nullptr);
  const Decisions recorded = Decide(Record(config, 36));
  auto smaller = WriteAndLoad("smaller.yaml", ConfigYaml("0.005"));
  ASSERT_NE(smaller, nullptr);
  ReplayResult result;
  const Decisions replayed = Decide(Replay(smaller, &result));
  ASSERT_EQ(replayed.served_by.size(), recorded.served_by.size());
  auto count = [](const Decisions& d, const std::string& dep) {
    return std::count(d.served_by.begin(), d.served_by.end(), dep);
  };
  // Premium stops earlier: fewer requests there, more budget fallbacks, and
  // its spend stays within the smaller limit.
  EXPECT_LT(count(replayed, "premium-1"), count(recorded, "premium-1"));
  EXPECT_GT(replayed.fallbacks_by_reason.at("budget"), recorded.fallbacks_by_reason.at("budget"));
  EXPECT_LE(replayed.cost_by_model.at("premium"), 5'000'000);
  EXPECT_LT(replayed.cost_by_model.at("premium"), recorded.cost_by_model.at("premium"));
  // The requests premium no longer takes went to attempts never recorded.
  EXPECT_GT(result.replay.calls_modelled, 0u);
  for (uint32_t status : replayed.http_status) EXPECT_EQ(status, 200u);
  // Requests up to the first budget fallback of the smaller config decide alike.
  EXPECT_EQ(replayed.served_by.front(), recorded.served_by.front());
}

// Simulates 14 days of the fault scenario (2 % failures on top) into a
// ledger at `dir`/sim and returns what the simulation summarised.
void SimulateFaultLedger(const TempDir& dir, std::shared_ptr<const router::Config> config,
                         SummaryBuilder* simulated) {
  const uint64_t seed = 7;
  const int64_t start = MicrosFromCivil(2026, 11, 2);
  auto scenario =
      Scenario::Load(ukairo::testing::SourcePath("data/scenarios/fault_month.yaml"), start);
  ASSERT_OK(scenario);
  scenario->defaults.failure = Ratio{1, 50};  // retries and failures too
  auto l = ledger::Ledger::Open(dir.Sub("sim"), ledger::LedgerOptions{});
  ASSERT_OK(l);
  LedgerSink sink(l->get());
  auto reader =
      TraceReader::Open(ukairo::testing::SourcePath("data/traces/azure_code_sample.csv"), {});
  ASSERT_OK(reader);
  StretchOptions so;
  so.start_micros = start;
  so.days = 14;
  so.seed = DeriveSeed(seed, kSeedStreamTraffic);
  if (scenario->profile) so.profile = *scenario->profile;
  auto source = MakeStretchedSource(std::move(*reader), so);
  ASSERT_OK(source);
  auto tags = TagAssigner::Make("", "Spec=1,Design=1,Review=1,Build=5,Fix=1,Verify=1",
                                DeriveSeed(seed, kSeedStreamTags));
  ASSERT_OK(tags);
  auto providers = ProviderModel::Make(*scenario, *config, DeriveSeed(seed, kSeedStreamProviders));
  ASSERT_OK(providers);
  SimulationOptions opts;
  opts.seed = seed;
  opts.start_micros = start;
  ASSERT_OK(RunSimulation(config, *providers, **source, *tags, opts, *simulated, &sink));
}

// A ledger written by `simulate` is a recording too: replaying it under the
// same config, with the simulation's core seed, repeats every decision,
// probes included (they answer as recorded), with no scenario at all.
TEST(ReplaySimulatedLedger, GivesTheSameSummaryByteForByte) {
  const uint64_t seed = 7;
  auto config = router::LoadConfigFile(ukairo::testing::SourcePath("data/litellm_config.yaml"));
  ASSERT_OK(config);
  TempDir dir;
  SummaryBuilder simulated;
  ASSERT_NO_FATAL_FAILURE(SimulateFaultLedger(dir, *config, &simulated));
  ledger::LedgerOptions lo;
  lo.read_only = true;
  auto l = ledger::Ledger::Open(dir.Sub("sim"), lo);
  ASSERT_OK(l);
  ReplayOptions ro;
  ro.core_seed = DeriveSeed(seed, kSeedStreamCore);
  SummaryBuilder replayed;
  auto r = RunReplay(l->get(), *config, Scenario::Healthy(), ro, replayed, nullptr);
  ASSERT_OK(r);
  EXPECT_EQ(r->replay.calls_modelled, 0u);
  EXPECT_EQ(r->replay.probes_modelled, 0u);
  EXPECT_GT(r->replay.probes_replayed, 0u);
  EXPECT_GT(simulated.retries(), 0u);
  EXPECT_FALSE(simulated.budget_exhausted_at().empty());
  EXPECT_GT(simulated.requests_total(), 10000u);
  // Memory: only the requests in flight are remembered.
  EXPECT_LT(r->remembered_peak, 1000u);
  RunInfo info;  // the same facts for both: the events alone must agree
  EXPECT_EQ(replayed.ToJson(info), simulated.ToJson(info));
}

// The events of the requests accepted at or after `since_micros`, in order.
std::vector<ledger::Event> RequestsFrom(const std::vector<ledger::Event>& events,
                                        int64_t since_micros) {
  std::set<std::string> ids;
  std::vector<ledger::Event> out;
  for (const auto& e : events) {
    std::string id;
    std::visit(
        [&](const auto& body) {
          if constexpr (requires { body.request_id; }) id = body.request_id;
        },
        e.body);
    if (id.empty()) continue;
    if (std::holds_alternative<ledger::RequestAccepted>(e.body) && e.time_micros >= since_micros) {
      ids.insert(id);
    }
    if (ids.count(id) != 0) out.push_back(e);
  }
  return out;
}

// A replay from --since starts from the recorded state at that instant: with
// budgets already spent before it, the replayed second week routes and
// spends exactly as the recording did (from empty budgets, premium models
// would serve again).
TEST(ReplaySimulatedLedger, FromSinceStartsFromTheRecordedState) {
  const uint64_t seed = 7;
  auto config = router::LoadConfigFile(ukairo::testing::SourcePath("data/litellm_config.yaml"));
  ASSERT_OK(config);
  TempDir dir;
  SummaryBuilder simulated;
  ASSERT_NO_FATAL_FAILURE(SimulateFaultLedger(dir, *config, &simulated));
  const int64_t since = MicrosFromCivil(2026, 11, 10, 3);  // Tuesday 03:00, a quiet hour
  // The check means something only if a budget ran out before --since.
  int64_t first_exhausted = INT64_MAX;
  for (const auto& [scope, t] : simulated.budget_exhausted_at()) {
    first_exhausted = std::min(first_exhausted, t);
  }
  ASSERT_LT(first_exhausted, since);
  const std::vector<ledger::Event> recorded_all = ukairo::testing::ReadLedgerEvents(dir.Sub("sim"));
  const Decisions recorded = Decide(RequestsFrom(recorded_all, since));
  ASSERT_GT(recorded.served_by.size(), 1000u);
  ASSERT_GT(recorded.fallbacks_by_reason.count("budget"), 0u);

  ledger::LedgerOptions lo;
  lo.read_only = true;
  auto l = ledger::Ledger::Open(dir.Sub("sim"), lo);
  ASSERT_OK(l);
  ReplayOptions ro;
  ro.core_seed = DeriveSeed(seed, kSeedStreamCore);
  ro.since_micros = since;
  SummaryBuilder summary;
  VectorSink sink;
  auto r = RunReplay(l->get(), *config, Scenario::Healthy(), ro, summary, &sink);
  ASSERT_OK(r);
  EXPECT_GT(r->state_events, 10000u);
  EXPECT_EQ(r->state_open_reservations, 0u) << "pick a --since with nothing in flight";
  const Decisions replayed = Decide(sink.events_);
  EXPECT_EQ(r->replay.calls_modelled, 0u);
  EXPECT_EQ(replayed.served_by, recorded.served_by);
  EXPECT_EQ(replayed.http_status, recorded.http_status);
  EXPECT_EQ(replayed.fallbacks, recorded.fallbacks);
  EXPECT_EQ(replayed.cost_by_model, recorded.cost_by_model);  // nano-USD, exact
}

// Replay semantics on a hand-written recording: a recorded answer slower than
// the new config's timeout becomes a timeout at that timeout; the retry the
// recording never made goes to the provider model, billed with the recorded
// request's served usage; a deployment the recording never tried likewise.
TEST(ReplaySemantics, NewTimeoutCutsRecordedAnswersAndNewAttemptsAreModelled) {
  TempDir dir;
  const int64_t t0 = MicrosFromCivil(2026, 11, 2, 10);
  {
    auto l = ledger::Ledger::Open(dir.Sub("rec"), ledger::LedgerOptions{});
    ASSERT_OK(l);
    std::vector<ledger::Event> ev(4);
    ev[0].time_micros = t0;
    ev[0].body = ledger::RequestAccepted{"g-1", "Build", "build", "", "", 100, 50, false};
    ev[1].time_micros = t0;
    ev[1].body = ledger::AttemptStarted{"g-1", 1, 1, "slow-1", "slow", "Build", "build", 0};
    ev[2].time_micros = t0 + 5'000'000;
    ev[2].body = ledger::AttemptFinished{
        "g-1", 1,  "slow-1", "slow", "Build", "build", ledger::Outcome::kOk, 200, 5'000'000,
        120,   30, 0,        0,      -1,      "",   0,   0,       ""};
    ev[3].time_micros = t0 + 5'000'000;
    ev[3].body = ledger::RequestCompleted{"g-1", "Build", "build", "slow-1", "slow",    200,
                                          "",    0,       1,       0,        5'000'000, false};
    ASSERT_OK((*l)->Append(ev));
  }
  // The recorded deployment now times out after 1 s (and never recovers in
  // time); the fallback was never tried by the recording.
  auto config = router::ParseConfig(R"(model_list:
  - model_name: slow
    litellm_params: {model: openai/slow, timeout: 1}
    model_info: {id: slow-1, input_cost_per_token: "0.000001", output_cost_per_token: "0.00001"}
  - model_name: other
    litellm_params: {model: openai/other}
    model_info: {id: other-1, input_cost_per_token: "0.000002", output_cost_per_token: "0.00002"}
ukairo:
  default_tag: Build
  tiers:
    - {name: build, tags: [Build], chain: [slow, other]}
  retry: {num_retries: 0, backoff_ms: [10]}
)",
                                    dir.Sub("c.yaml"));
  ASSERT_OK(config);
  ledger::LedgerOptions lo;
  lo.read_only = true;
  auto l = ledger::Ledger::Open(dir.Sub("rec"), lo);
  ASSERT_OK(l);
  VectorSink sink;
  SummaryBuilder summary;
  auto r = RunReplay(l->get(), *config, Scenario::Healthy(), ReplayOptions{}, summary, &sink);
  ASSERT_OK(r);
  EXPECT_EQ(r->replay.calls_replayed, 1u);
  EXPECT_EQ(r->replay.replayed_cut_by_timeout, 1u);
  EXPECT_EQ(r->replay.calls_modelled, 1u);  // other-1, never recorded
  std::vector<ledger::AttemptFinished> finished;
  for (const auto& e : sink.events_) {
    if (auto* f = std::get_if<ledger::AttemptFinished>(&e.body)) finished.push_back(*f);
  }
  ASSERT_EQ(finished.size(), 2u);
  EXPECT_EQ(finished[0].deployment, "slow-1");
  EXPECT_EQ(finished[0].outcome, ledger::Outcome::kTimeout);
  EXPECT_EQ(finished[0].latency_micros, 1'000'000);
  EXPECT_EQ(finished[1].deployment, "other-1");
  EXPECT_EQ(finished[1].outcome, ledger::Outcome::kOk);
  EXPECT_EQ(finished[1].input_tokens, 120);  // the recorded usage, not the estimate
  EXPECT_EQ(finished[1].output_tokens, 30);
  EXPECT_EQ(finished[1].cost_nanos, 120 * 2'000 + 30 * 20'000);
  EXPECT_EQ(summary.served_by().at("other-1"), 1u);
}

// Latency fitted from the recording: 400 requests, the odd ones served by
// a-1 in 5 s, the even ones by b-1 in 2..4 s. The new config times a-1 out
// after 1 s and falls back to b, so the odd requests make b-1 attempts the
// recording never made: those draw from b-1's recorded latencies (inside
// 2..4 s, median near the recorded median), not the healthy default
// (median 800 ms), unless the scenario names b; and the same seed gives the
// same summary.
TEST(ReplaySemantics, NewAttemptsDrawLatencyFittedFromTheRecording) {
  TempDir dir;
  const int64_t t0 = MicrosFromCivil(2026, 11, 2, 10);
  std::vector<int64_t> recorded_b;
  {
    auto l = ledger::Ledger::Open(dir.Sub("rec"), ledger::LedgerOptions{});
    ASSERT_OK(l);
    std::vector<ledger::Event> ev;
    for (int64_t i = 0; i < 400; ++i) {
      const std::string id = "g-" + std::to_string(i);
      const bool on_a = i % 2 == 1;
      const std::string dep = on_a ? "a-1" : "b-1";
      const std::string group = on_a ? "a" : "b";
      const int64_t latency = on_a ? 5'000'000 : (2000 + (i * 37) % 2001) * 1000;
      if (!on_a) recorded_b.push_back(latency);
      const int64_t t = t0 + i * 20'000'000;
      ledger::Event e;
      e.time_micros = t;
      e.body = ledger::RequestAccepted{id, "Build", "build", "", "", 100, 50, false};
      ev.push_back(e);
      e.body = ledger::AttemptStarted{id, 1, 1, dep, group, "Build", "build", 0};
      ev.push_back(e);
      e.time_micros = t + latency;
      e.body = ledger::AttemptFinished{
          id,  1,  dep, group, "Build", "build", ledger::Outcome::kOk, 200, latency,
          120, 30, 0,   0,     -1,      "",      0,    0,    ""};
      ev.push_back(e);
      e.body = ledger::RequestCompleted{id, "Build", "build", dep, group,   200,
                                        "", 0,       1,       0,   latency, false};
      ev.push_back(e);
    }
    ASSERT_OK((*l)->Append(ev));
  }
  std::sort(recorded_b.begin(), recorded_b.end());
  auto config = router::ParseConfig(R"(model_list:
  - model_name: a
    litellm_params: {model: openai/a, timeout: 1}
    model_info: {id: a-1, input_cost_per_token: "0.000001", output_cost_per_token: "0.00001"}
  - model_name: b
    litellm_params: {model: openai/b, timeout: 60}
    model_info: {id: b-1, input_cost_per_token: "0.000002", output_cost_per_token: "0.00002"}
ukairo:
  default_tag: Build
  tiers:
    - {name: build, tags: [Build], chain: [a, b]}
  retry: {num_retries: 0, backoff_ms: [10]}
)",
                                    dir.Sub("c.yaml"));
  ASSERT_OK(config);
  ledger::LedgerOptions lo;
  lo.read_only = true;
  auto l = ledger::Ledger::Open(dir.Sub("rec"), lo);
  ASSERT_OK(l);
  // The latencies of the b-1 attempts made for the odd (a-1) recordings.
  auto modelled_b = [&](const Scenario& scenario, bool fit, std::string* json) {
    VectorSink sink;
    SummaryBuilder summary;
    ReplayOptions ro;
    ro.seed = 11;
    ro.fit_latency = fit;
    auto r = RunReplay(l->get(), *config, scenario, ro, summary, &sink);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<int64_t> out;
    if (!r.ok()) return out;
    if (fit) {
      EXPECT_EQ(r->fitted.size(), 2u);
      EXPECT_EQ(r->fitted.at("b-1").samples, 200u);
    }
    EXPECT_GE(r->replay.calls_modelled, 200u);
    for (const auto& e : sink.events_) {
      const auto* f = std::get_if<ledger::AttemptFinished>(&e.body);
      if (f == nullptr || f->deployment != "b-1") continue;
      // Simulated request "r<n>" is recording g-(n-1): odd recordings, even n.
      if (std::stoll(f->request_id.substr(1)) % 2 == 0) out.push_back(f->latency_micros);
    }
    std::sort(out.begin(), out.end());
    EXPECT_EQ(out.size(), 200u);
    if (json != nullptr) *json = summary.ToJson(RunInfo{});
    return out;
  };
  std::string first, second;
  std::vector<int64_t> drawn = modelled_b(Scenario::Healthy(), true, &first);
  ASSERT_EQ(drawn.size(), 200u);
  EXPECT_GE(drawn.front(), recorded_b.front());
  EXPECT_LE(drawn.back(), recorded_b.back());
  EXPECT_GT(drawn.back() - drawn.front(), 1'000'000);  // a spread, not one value
  EXPECT_NEAR(drawn[drawn.size() / 2], recorded_b[recorded_b.size() / 2], 250'000);
  // Same seed, same summary, byte for byte.
  EXPECT_EQ(modelled_b(Scenario::Healthy(), true, &second), drawn);
  EXPECT_EQ(first, second);
  // Without the fit: the healthy default's log-normal (median 800 ms).
  std::vector<int64_t> unfitted = modelled_b(Scenario::Healthy(), false, nullptr);
  ASSERT_EQ(unfitted.size(), 200u);
  EXPECT_LT(unfitted[unfitted.size() / 2], 1'500'000);
  // A scenario naming b with a latency wins over the fit.
  auto named = Scenario::Parse("deployments:\n  b:\n    latency: {median_ms: 100, p99_ms: 200}\n",
                               "s.yaml", t0);
  ASSERT_OK(named);
  std::vector<int64_t> overridden = modelled_b(*named, true, nullptr);
  ASSERT_EQ(overridden.size(), 200u);
  EXPECT_LT(overridden.back(), 1'000'000);
}

TEST(RecordedRequest, FoldPairsStartsWithFinishesAndFindsByDeploymentAndTry) {
  std::vector<ledger::Event> events(5);
  events[0].body = ledger::AttemptStarted{"q", 1, 1, "a", "g", "t", "tier", 0};
  events[1].body = ledger::AttemptFinished{
      "q", 1, "a", "g", "t", "tier", ledger::Outcome::kServerError, 500, 1000,
      0,   0, 0,   0,   -1,  "boom", 0,   0,      ""};
  events[2].body = ledger::AttemptStarted{"q", 2, 2, "a", "g", "t", "tier", 0};
  events[3].body = ledger::AttemptFinished{
      "q", 2, "a", "g", "t", "tier", ledger::Outcome::kOk, 200, 2000, 7, 9, 1, 42, -1, "",
      0,   0, ""};
  events[4].body = ledger::AttemptStarted{"q", 3, 1, "b", "g", "t", "tier", 0};  // never finished
  RecordedRequest r = FoldRecordedRequest("q", events);
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_TRUE(r.served);
  EXPECT_EQ(r.served_output_tokens, 9);
  ASSERT_NE(r.Find("a", 2), nullptr);
  EXPECT_EQ(r.Find("a", 2)->latency_micros, 2000);
  EXPECT_EQ(r.Find("a", 1)->error, "boom");
  EXPECT_EQ(r.Find("b", 1), nullptr);
  EXPECT_EQ(r.Find("a", 3), nullptr);
}

}  // namespace
}  // namespace ukairo::sim
