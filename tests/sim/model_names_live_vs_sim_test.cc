// Goal (issue 12 item 4): the live gateway and the simulator agree on what a
// request's "model" means, because the router core alone decides it. One
// request list — "auto", tier names, each model group, a group outside the
// tag's tier, unknown names, with tags (known, unknown, none) — goes through
// the gateway (real HTTP on 127.0.0.1 in front of fake providers) and through
// the simulator with the same config; per request the HTTP status and the
// deployment that served it must match, unknown models being 404
// model_not_found in both and recorded in neither ledger.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "router/config/loader.h"
#include "router/gateway/gateway.h"
#include "sim/simulator.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using ukairo::testing::HttpRequest;

struct Case {
  const char* tag;    // "" = none sent
  const char* model;  // as the client sends it
};

// premium, backup, local (fake_fleet.h); three tiers.
const Case kCases[] = {
    {"Spec", "auto"},          {"Build", "auto"},      {"Chores", "auto"},
    {"", "auto"},              {"NoSuchTag", "auto"},  {"Spec", "build"},
    {"Chores", "high"},        {"Build", "economy"},   {"Spec", "premium"},
    {"Build", "premium"},      {"Chores", "premium"},  {"Chores", "backup"},
    {"Spec", "local"},         {"Build", "backup"},    {"Spec", "gpt-4o"},
    {"Build", "claude-opus"},  {"", "Premium"},        {"Chores", "Auto"},
    {"NoSuchTag", "premium "}, {"Build", "Spec"},
};

struct Answer {
  int status = 0;
  std::string deployment;  // "" when none served it
  std::string error_code;
};

std::string TierYaml() {
  return R"(ukairo:
  default_tag: Build
  tiers:
    - {name: high, tags: [Spec], chain: [premium, backup, local]}
    - {name: build, tags: [Build], chain: [backup, local]}
    - {name: economy, tags: [Chores], chain: [local]}
  retry: {num_retries: 0, backoff_ms: [10]}
)";
}

std::vector<Answer> RunLive(const std::string& config_path, size_t* accepted) {
  std::vector<Answer> out;
  auto config = router::LoadConfigFile(config_path);
  EXPECT_OK(config);
  if (!config.ok()) return out;
  ukairo::testing::TempDir dir;
  gateway::GatewayOptions o;
  o.port = 0;
  o.ledger_dir = dir.Sub("ledger");
  o.config_path = config_path;
  o.drain_deadline_ms = 2000;
  auto gw = gateway::Gateway::Start(o, *config);
  EXPECT_OK(gw);
  if (!gw.ok()) return out;
  for (const Case& c : kCases) {
    const std::string body = nlohmann::json{
        {"model", c.model},
        {"max_tokens", 10},
        {"messages", {{{"role", "user"}, {"content", "hello world, hello"}}}}}.dump();
    std::map<std::string, std::string> headers;
    if (*c.tag != '\0') headers["x-ukairo-tag"] = c.tag;
    auto r = HttpRequest("POST", (*gw)->port(), "/v1/chat/completions", body, headers);
    EXPECT_OK(r);
    Answer a;
    if (r.ok()) {
      a.status = r->status;
      auto d = r->headers.find("x-ukairo-deployment");
      if (d != r->headers.end()) a.deployment = d->second;
      if (a.status >= 400) {
        auto j = nlohmann::json::parse(r->body, nullptr, false);
        if (j.is_object() && j.contains("error")) a.error_code = j["error"].value("code", "");
      }
    }
    out.push_back(a);
  }
  (*gw)->Stop();
  gw->reset();
  *accepted = 0;
  for (const auto& e : ukairo::testing::ReadLedgerEvents(dir.Sub("ledger"))) {
    if (std::holds_alternative<ledger::RequestAccepted>(e.body)) ++*accepted;
  }
  return out;
}

// The cases one second apart, 10 tokens in and out.
class CaseSource : public TrafficSource {
 public:
  explicit CaseSource(int64_t start) : start_(start) {}
  Result<bool> Next(TraceRecord* record) override {
    if (next_ >= std::size(kCases)) return false;
    *record = TraceRecord{};
    record->time_micros = start_ + static_cast<int64_t>(next_) * 1'000'000;
    record->input_tokens = 10;
    record->output_tokens = 10;
    record->tag = kCases[next_].tag;
    record->model = kCases[next_].model;
    ++next_;
    return true;
  }
  uint64_t records_read() const override { return next_; }

 private:
  int64_t start_;
  size_t next_ = 0;
};

// Healthy providers, like the fakes: every call succeeds in 50 ms.
class HealthyUpstreams : public Upstreams {
 public:
  explicit HealthyUpstreams(size_t n) : n_(n) {}
  CallResult Call(const CallRequest& call) override {
    CallResult r;
    r.latency_micros = 50'000;
    r.output_tokens = call.output_tokens;
    return r;
  }
  ProbeOutcome Probe(uint32_t, int64_t) override { return ProbeOutcome{}; }
  size_t size() const override { return n_; }

 private:
  size_t n_;
};

class CollectSink : public EventSink {
 public:
  Status Append(const std::vector<ledger::Event>& events) override {
    events_.insert(events_.end(), events.begin(), events.end());
    return Status::Ok();
  }
  std::vector<ledger::Event> events_;
};

std::vector<Answer> RunSimulated(const std::string& config_path, SummaryBuilder& summary,
                                 SimulationStats* stats, size_t* accepted) {
  std::vector<Answer> out(std::size(kCases));
  auto config = router::LoadConfigFile(config_path);
  EXPECT_OK(config);
  if (!config.ok()) return out;
  const int64_t start = MicrosFromCivil(2026, 11, 2, 9);
  CaseSource source(start);
  HealthyUpstreams upstreams((*config)->deployments.size());
  auto tags = TagAssigner::Make("", "", 1);
  EXPECT_OK(tags);
  SimulationOptions opts;
  opts.start_micros = start;
  CollectSink sink;
  auto s = RunSimulation(*config, upstreams, source, *tags, opts, summary, &sink);
  EXPECT_OK(s);
  if (s.ok()) *stats = *s;
  // Simulated request ids are "r<n>", n from 1 in arrival order. A request
  // with no RequestCompleted was answered without recording: the summary's
  // requests_refused says how, and only unknown models may be refused here.
  *accepted = 0;
  for (Answer& a : out) a.status = -1;
  for (const auto& e : sink.events_) {
    if (std::holds_alternative<ledger::RequestAccepted>(e.body)) ++*accepted;
    const auto* done = std::get_if<ledger::RequestCompleted>(&e.body);
    if (done == nullptr) continue;
    const size_t i = std::stoul(done->request_id.substr(1)) - 1;
    EXPECT_LT(i, out.size());
    if (i >= out.size()) continue;
    out[i].status = static_cast<int>(done->http_status);
    out[i].error_code = done->error_code;
    if (done->error_code.empty() && done->http_status < 400) {
      out[i].deployment = done->final_deployment;
    }
  }
  return out;
}

TEST(ModelNamesLiveVsSim, SameStatusAndDeploymentPerRequest) {
  ukairo::testing::FakeFleet fleet;
  ASSERT_NO_FATAL_FAILURE(fleet.Start(3));
  ukairo::testing::TempDir dir;
  const std::string config_path = dir.Sub("config.yaml");
  std::ofstream(config_path) << fleet.ModelListYaml() + TierYaml();

  size_t live_accepted = 0;
  const std::vector<Answer> live = RunLive(config_path, &live_accepted);
  fleet.Stop();
  SummaryBuilder summary;
  SimulationStats stats;
  size_t sim_accepted = 0;
  std::vector<Answer> sim = RunSimulated(config_path, summary, &stats, &sim_accepted);
  ASSERT_EQ(live.size(), std::size(kCases));
  ASSERT_EQ(sim.size(), std::size(kCases));

  // Unknown to the simulated ledger = refused: 404 model_not_found.
  size_t refused = 0;
  for (Answer& a : sim) {
    if (a.status != -1) continue;
    a.status = 404;
    a.error_code = "model_not_found";
    ++refused;
  }
  size_t unknown = 0;
  for (size_t i = 0; i < std::size(kCases); ++i) {
    SCOPED_TRACE(std::string("case ") + std::to_string(i) + ": tag '" + kCases[i].tag +
                 "' model '" + kCases[i].model + "'");
    EXPECT_EQ(live[i].status, sim[i].status);
    EXPECT_EQ(live[i].deployment, sim[i].deployment);
    EXPECT_EQ(live[i].error_code, sim[i].error_code);
    if (live[i].status == 404) {
      ++unknown;
      EXPECT_EQ(live[i].error_code, "model_not_found");
    } else {
      EXPECT_EQ(live[i].status, 200);
      EXPECT_FALSE(live[i].deployment.empty());
    }
  }
  // What each name must mean, not only that both sides agree.
  const char* kWant[] = {"premium", "backup", "local",   "backup",  "backup", "premium", "local",
                         "backup",  "premium", "premium", "premium", "backup", "local",   "backup",
                         "",        "",        "",        "",        "",       ""};
  static_assert(std::size(kWant) == std::size(kCases));
  for (size_t i = 0; i < std::size(kCases); ++i) {
    SCOPED_TRACE(std::string("case ") + std::to_string(i) + ": model '" + kCases[i].model + "'");
    if (*kWant[i] == '\0') {
      EXPECT_EQ(live[i].status, 404);
    } else {
      EXPECT_EQ(live[i].deployment.rfind(kWant[i], 0), 0u) << live[i].deployment;
    }
  }
  EXPECT_EQ(unknown, 6u);
  EXPECT_EQ(refused, unknown);
  EXPECT_EQ(stats.requests_refused, unknown);
  EXPECT_EQ(summary.requests_total(), std::size(kCases) - unknown);
  ASSERT_EQ(summary.refused_by_code().size(), 1u);
  EXPECT_EQ(summary.refused_by_code().at("model_not_found"), unknown);
  // Neither ledger records a refused request.
  EXPECT_EQ(live_accepted, std::size(kCases) - unknown);
  EXPECT_EQ(sim_accepted, std::size(kCases) - unknown);
  // The summary JSON names the refusals.
  auto j = nlohmann::json::parse(summary.ToJson(RunInfo{}));
  EXPECT_EQ(j["requests_refused"]["model_not_found"], unknown);
}

}  // namespace
}  // namespace ukairo::sim
