// End to end through real HTTP on 127.0.0.1: ukairo's gateway in front of
// fake providers, with a real RocksDB ledger in a temp dir. Each test drives
// one rule (R-2201..R-2206) or exception and checks both what the client got
// and what the ledger recorded.
#include <utility>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "ledger/projection.h"
#include "router/config/loader.h"
#include "router/gateway/fake_provider.h"
#include "router/gateway/gateway.h"
#include "tests/util/http_client.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::HttpRequest;
using ::ukairo::testing::HttpResponse;
using Json = nlohmann::json;

const char* kMasterKey = "sk-e2e-master";

class GatewayE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("UKAIRO_E2E_MASTER", kMasterKey, 1);
    ASSERT_NO_FATAL_FAILURE(fleet_.Start(3));
  }
  void TearDown() override {
    gateway_.reset();
    fleet_.Stop();
  }

  // premium → backup → local; premium has a tiny budget so tests can cross it.
  std::string ConfigYaml(const std::string& premium_budget = "1", int interval_s = 300,
                         const std::string& extra = "") {
    return fleet_.ModelListYaml() + R"(general_settings:
  master_key: os.environ/UKAIRO_E2E_MASTER
ukairo:
  default_tag: Build
  tiers:
    - {name: high, tags: [Spec, Design, Review], chain: [premium, backup, local]}
    - {name: build, tags: [Build], chain: [backup, local]}
  budgets:
    model: {premium: )" + premium_budget + R"(}
  alerts:
    - {threshold_pct: 80, action: notify}
    - {threshold_pct: 90, action: warn}
    - {threshold_pct: 100, action: stop_and_fallback}
  retry: {num_retries: 2, backoff_ms: [10, 20]}
  cooldown: {allowed_fails: 100, cooldown_time_s: 60}
  health_check: {enabled: true, interval_s: )" + std::to_string(interval_s) + R"(}
)" + extra;
  }

  void StartGateway(const std::string& yaml, int64_t idle_timeout_ms = 60'000) {
    config_path_ = dir_.Sub("config.yaml");
    std::ofstream(config_path_) << yaml;
    auto config = router::LoadConfigFile(config_path_);
    ASSERT_OK(config);
    GatewayOptions o;
    o.port = 0;
    o.ledger_dir = dir_.Sub("ledger");
    o.config_path = config_path_;
    o.drain_deadline_ms = 2000;
    o.idle_timeout_ms = idle_timeout_ms;
    auto gw = Gateway::Start(o, *config);
    ASSERT_OK(gw);
    gateway_ = std::move(*gw);
  }

  HttpResponse Chat(const std::string& tag, const std::string& model = "premium",
                    int max_tokens = 10) {
    std::string body = R"({"model":")" + model + R"(","max_tokens":)" +
                       std::to_string(max_tokens) +
                       R"(,"messages":[{"role":"user","content":"hello world, hello"}]})";
    auto r = HttpRequest("POST", gateway_->port(), "/v1/chat/completions", body,
                         {{"x-ukairo-tag", tag},
                          {"authorization", std::string("Bearer ") + kMasterKey}});
    EXPECT_OK(r);
    return r.ok() ? *r : HttpResponse{};
  }

  HttpResponse Admin(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    auto r = HttpRequest(method, gateway_->port(), target, body,
                         {{"authorization", std::string("Bearer ") + kMasterKey}});
    EXPECT_OK(r);
    return r.ok() ? *r : HttpResponse{};
  }

  // Stops the gateway and reads its whole ledger.
  std::vector<ledger::Event> StopAndReadLedger() {
    gateway_->Stop();
    gateway_.reset();
    return ukairo::testing::ReadLedgerEvents(dir_.Sub("ledger"));
  }

  template <typename T>
  static std::vector<T> Bodies(const std::vector<ledger::Event>& events) {
    std::vector<T> out;
    for (const auto& e : events) {
      if (auto* b = std::get_if<T>(&e.body)) out.push_back(*b);
    }
    return out;
  }

  testing::TempDir dir_;
  ukairo::testing::FakeFleet fleet_;
  std::unique_ptr<Gateway> gateway_;
  std::string config_path_;
};

TEST_F(GatewayE2E, R2201TagsRouteToTheirTierPrimary) {
  StartGateway(ConfigYaml());
  HttpResponse spec = Chat("Spec");
  EXPECT_EQ(spec.status, 200) << spec.body;
  EXPECT_EQ(spec.headers["x-ukairo-model-group"], "premium");
  HttpResponse build = Chat("Build", "backup");
  EXPECT_EQ(build.headers["x-ukairo-model-group"], "backup");
  HttpResponse untagged = Chat("", "backup");  // default tag Build
  EXPECT_EQ(untagged.headers["x-ukairo-model-group"], "backup");
  auto events = StopAndReadLedger();
  auto accepted = Bodies<ledger::RequestAccepted>(events);
  ASSERT_EQ(accepted.size(), 3u);
  EXPECT_EQ(accepted[0].tier, "high");
  EXPECT_EQ(accepted[2].tag, "Build");
  // Spend settled from the provider's usage: 4 prompt + 10 completion tokens.
  auto finished = Bodies<ledger::AttemptFinished>(events);
  ASSERT_EQ(finished.size(), 3u);
  EXPECT_EQ(finished[0].input_tokens, 4);
  EXPECT_EQ(finished[0].output_tokens, 10);
  EXPECT_EQ(finished[0].cost_nanos, 4 * 10'000 + 10 * 100'000);
}

TEST_F(GatewayE2E, R2203RateLimitFallsBackAtOnceAndRecordsIt) {
  FakeBehavior limited;
  limited.status = 429;
  limited.retry_after_s = 30;
  fleet_.fakes[0]->SetBehavior(limited);
  StartGateway(ConfigYaml());
  HttpResponse r = Chat("Spec");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["x-ukairo-model-group"], "backup");
  EXPECT_EQ(r.headers["x-ukairo-fallback-reason"], "rate_limit");
  EXPECT_EQ(fleet_.fakes[0]->stats().requests, 1u);  // no retry on a 429
  // While rate limited the next request skips premium without calling it.
  Chat("Spec");
  EXPECT_EQ(fleet_.fakes[0]->stats().requests, 1u);
  auto events = StopAndReadLedger();
  auto fallbacks = Bodies<ledger::FallbackTaken>(events);
  ASSERT_GE(fallbacks.size(), 1u);
  EXPECT_EQ(fallbacks[0].reason, ledger::FallbackReason::kRateLimit);
  auto finished = Bodies<ledger::AttemptFinished>(events);
  EXPECT_EQ(finished[0].retry_after_ms, 30'000);
  auto states = Bodies<ledger::DeploymentStateChanged>(events);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states[0].to, ledger::DeploymentState::kRateLimited);
}

TEST_F(GatewayE2E, R2203ServerErrorsRetryThenFallBack) {
  FakeBehavior failing;
  failing.status = 503;
  fleet_.fakes[0]->SetBehavior(failing);
  StartGateway(ConfigYaml());
  HttpResponse r = Chat("Spec");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["x-ukairo-model-group"], "backup");
  EXPECT_EQ(r.headers["x-ukairo-attempts"], "4");  // 1 try + 2 retries, then backup
  EXPECT_EQ(fleet_.fakes[0]->stats().requests, 3u);
  auto events = StopAndReadLedger();
  auto retries = Bodies<ledger::RetryScheduled>(events);
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0].backoff_ms, 10);
  EXPECT_EQ(retries[1].backoff_ms, 20);
  auto fallbacks = Bodies<ledger::FallbackTaken>(events);
  ASSERT_EQ(fallbacks.size(), 1u);
  EXPECT_EQ(fallbacks[0].reason, ledger::FallbackReason::kFailure);
}

TEST_F(GatewayE2E, R2202AndR2206BudgetStopGateAndRaise) {
  // Each premium request costs 4×$0.00001 + 10×$0.0001 = $0.00104; the limit
  // $0.0045 allows four (92 %: 80 and 90 fire), and the fifth reservation
  // does not fit with under 10 % left: the scope is exhausted, 100 % fires
  // and the scope stops until a human decides.
  StartGateway(ConfigYaml("0.0045"));
  std::vector<std::string> served;
  for (int i = 0; i < 8; ++i) served.push_back(Chat("Spec").headers["x-ukairo-model-group"]);
  EXPECT_EQ(served[0], "premium");
  EXPECT_NE(served[7], "premium");
  HttpResponse budgets = Admin("GET", "/budgets");
  ASSERT_EQ(budgets.status, 200);
  Json b = Json::parse(budgets.body)["scopes"][0];
  EXPECT_EQ(b["scope_key"], "premium");
  // Settled spend never passed the limit.
  EXPECT_LE(*ParseUsd(b["spent_usd"].get<std::string>()), *ParseUsd("0.0045"));
  EXPECT_TRUE(b["stopped"].get<bool>());
  // The human raises the limit: premium serves again at once.
  HttpResponse gate = Admin("POST", "/gate",
                            R"({"scope_kind":"model","scope_key":"premium","choice":"raise_limit",
                                "new_limit_usd":"1","actor":"alice","note":"release week"})");
  EXPECT_EQ(gate.status, 200) << gate.body;
  EXPECT_EQ(Chat("Spec").headers["x-ukairo-model-group"], "premium");
  auto events = StopAndReadLedger();
  auto alerts = Bodies<ledger::BudgetAlert>(events);
  std::vector<uint32_t> fired;
  for (const auto& a : alerts) {
    if (a.scope_kind == ledger::ScopeKind::kModel) fired.push_back(a.threshold_pct);
  }
  EXPECT_EQ(fired, (std::vector<uint32_t>{80, 90, 100}));  // each exactly once
  EXPECT_EQ(Bodies<ledger::BudgetStopped>(events).size(), 1u);
  auto decisions = Bodies<ledger::GateDecision>(events);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].actor, "alice");
  EXPECT_EQ(decisions[0].new_limit_nanos, 1'000'000'000);
  auto fallbacks = Bodies<ledger::FallbackTaken>(events);
  ASSERT_FALSE(fallbacks.empty());
  EXPECT_EQ(fallbacks.back().reason, ledger::FallbackReason::kBudget);
}

TEST_F(GatewayE2E, AllFailingListsEveryAttempt) {
  FakeBehavior failing;
  failing.status = 500;
  for (auto& f : fleet_.fakes) f->SetBehavior(failing);
  StartGateway(ConfigYaml());
  HttpResponse r = Chat("Spec");
  EXPECT_GE(r.status, 500);
  Json error = Json::parse(r.body)["error"];
  EXPECT_FALSE(error["code"].get<std::string>().empty());
  ASSERT_TRUE(error.contains("attempts")) << r.body;
  std::set<std::string> groups;
  for (const auto& a : error["attempts"]) groups.insert(a["model_group"].get<std::string>());
  EXPECT_EQ(groups, (std::set<std::string>{"premium", "backup", "local"}));
  auto events = StopAndReadLedger();
  auto done = Bodies<ledger::RequestCompleted>(events);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].attempts, 9u);  // 3 tries on each of 3 models
}

TEST_F(GatewayE2E, R2205ProbeRecoversADownDeployment) {
  FakeBehavior failing;
  failing.status = 503;
  fleet_.fakes[0]->SetBehavior(failing);
  StartGateway(ConfigYaml("1", /*interval_s=*/1));
  EXPECT_EQ(Chat("Spec").headers["x-ukairo-model-group"], "backup");
  fleet_.fakes[0]->SetBehavior(FakeBehavior{});  // the provider comes back
  // The probe runs after 1 s; poll the deployment state (bounded).
  bool healthy = false;
  for (int i = 0; i < 60 && !healthy; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    Json d = Json::parse(Admin("GET", "/deployments").body)["deployments"][0];
    healthy = d["state"] == "healthy";
  }
  EXPECT_TRUE(healthy);
  EXPECT_EQ(Chat("Spec").headers["x-ukairo-model-group"], "premium");
  auto events = StopAndReadLedger();
  auto recovered = Bodies<ledger::Recovered>(events);
  ASSERT_FALSE(recovered.empty());
  EXPECT_EQ(recovered.back().confirmed_by, ledger::RecoveryConfirmation::kProbe);
  EXPECT_FALSE(Bodies<ledger::HealthProbe>(events).empty());
}

TEST_F(GatewayE2E, BadInputGetsOpenAiErrorsAndTheServerKeepsServing) {
  StartGateway(ConfigYaml());
  const uint16_t port = gateway_->port();
  auto code = [&](const std::string& method, const std::string& target, const std::string& body,
                  bool with_key = true) {
    std::map<std::string, std::string> headers;
    if (with_key) headers["authorization"] = std::string("Bearer ") + kMasterKey;
    auto r = HttpRequest(method, port, target, body, headers);
    EXPECT_OK(r);
    if (!r.ok()) return std::make_pair(0, std::string());
    Json j = Json::parse(r->body, nullptr, false);
    return std::make_pair(r->status, j.is_object() && j.contains("error")
                                         ? j["error"]["code"].get<std::string>()
                                         : std::string());
  };
  EXPECT_EQ(code("POST", "/v1/chat/completions", "{oops").first, 400);
  EXPECT_EQ(code("POST", "/v1/chat/completions", R"({"messages":[]})").first, 400);
  EXPECT_EQ(code("POST", "/v1/chat/completions", R"({"model":"nope","messages":[]})").first, 404);
  EXPECT_EQ(code("GET", "/v1/chat/completions", "").first, 405);
  EXPECT_EQ(code("GET", "/no/such/route", "").first, 404);
  EXPECT_EQ(code("GET", "/budgets", "", false).first, 401);  // no master key
  std::string huge = R"({"model":"premium","messages":[{"role":"user","content":")" +
                     std::string(5 << 20, 'x') + "\"}]}";
  EXPECT_EQ(code("POST", "/v1/chat/completions", huge).first, 413);
  // Still serving.
  EXPECT_EQ(Chat("Spec").status, 200);
  auto health = HttpRequest("GET", port, "/health");
  EXPECT_EQ(health->status, 200);
  auto ready = HttpRequest("GET", port, "/health/readiness");
  EXPECT_EQ(ready->status, 200) << ready->body;
  auto metrics = HttpRequest("GET", port, "/metrics");
  EXPECT_NE(metrics->body.find("ukairo_requests_total"), std::string::npos);
}

TEST_F(GatewayE2E, RestartRebuildsSpendFromTheLedger) {
  StartGateway(ConfigYaml());
  for (int i = 0; i < 3; ++i) Chat("Spec");
  Json before = Json::parse(Admin("GET", "/budgets").body)["scopes"][0];
  gateway_->Stop();
  gateway_.reset();
  StartGateway(ConfigYaml());
  Json after = Json::parse(Admin("GET", "/budgets").body)["scopes"][0];
  EXPECT_EQ(before["spent_usd"], after["spent_usd"]);
  EXPECT_EQ(after["spent_usd"], "0.00312");
  // The audit API shows one request's whole life.
  auto events = Admin("GET", "/audit?kind=request_completed");
  Json list = Json::parse(events.body)["events"];
  ASSERT_EQ(list.size(), 3u);
  std::string rid = list[0]["request_id"];
  Json life = Json::parse(Admin("GET", "/audit?request=" + rid).body)["events"];
  EXPECT_EQ(life.front()["kind"], "request_accepted");
  EXPECT_EQ(life.back()["kind"], "request_completed");
}

TEST_F(GatewayE2E, ConfigReloadIsValidatedAndRecorded) {
  StartGateway(ConfigYaml());
  std::ofstream(config_path_) << "model_list: [this is: not valid";
  HttpResponse bad = Admin("POST", "/config/reload");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Chat("Spec").status, 200);  // the old config is still in force
  std::ofstream(config_path_) << ConfigYaml("2");
  HttpResponse good = Admin("POST", "/config/reload");
  EXPECT_EQ(good.status, 200) << good.body;
  auto events = StopAndReadLedger();
  EXPECT_EQ(Bodies<ledger::ConfigApplied>(events).size(), 2u);
}

// The config in force is read on the I/O threads (each new connection's body
// limit, the admin key check) while /config/reload replaces it on the core
// strand. Reloads race admin requests on fresh connections here; the
// ThreadSanitizer tree (scripts/test.sh --sanitize) checks the hand-over.
TEST_F(GatewayE2E, ConfigReloadWhileAdminRequestsRun) {
  StartGateway(ConfigYaml());
  std::atomic<bool> done{false};
  std::atomic<int> answered{0};
  std::vector<std::thread> readers;
  for (const char* path : {"/budgets", "/deployments"}) {
    readers.emplace_back([&, path] {
      while (!done) {
        HttpResponse r = Admin("GET", path);
        EXPECT_EQ(r.status, 200) << path << ": " << r.body;
        ++answered;
      }
    });
  }
  const int reloads = 20;
  for (int i = 0; i < reloads; ++i) {
    std::ofstream(config_path_) << ConfigYaml(i % 2 ? "1" : "2");
    HttpResponse r = Admin("POST", "/config/reload");
    EXPECT_EQ(r.status, 200) << r.body;
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(answered.load(), 0);
  auto events = StopAndReadLedger();
  EXPECT_EQ(Bodies<ledger::ConfigApplied>(events).size(), 1u + reloads);
}

TEST_F(GatewayE2E, StopDrainsRequestsInFlight) {
  FakeBehavior slow;
  slow.latency_ms = 300;
  fleet_.fakes[0]->SetBehavior(slow);
  StartGateway(ConfigYaml());
  std::thread client([&] {
    HttpResponse r = Chat("Spec");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["x-ukairo-model-group"], "premium");
  });
  // Stop while the request waits on the provider: it still gets its answer.
  while (fleet_.fakes[0]->stats().requests == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  gateway_->Stop();
  client.join();
  auto events = StopAndReadLedger();
  EXPECT_EQ(Bodies<ledger::RequestCompleted>(events).size(), 1u);
}

TEST_F(GatewayE2E, KillNineThenRestartExpiresOpenReservations) {
  // A real `ukairo serve` process, killed with SIGKILL while requests wait
  // on a slow provider; the restarted gateway releases their reservations
  // with events and keeps the spend that was settled.
  FakeBehavior slow;
  slow.latency_ms = 5000;
  fleet_.fakes[0]->SetBehavior(slow);
  config_path_ = dir_.Sub("config.yaml");
  std::ofstream(config_path_) << ConfigYaml();
  const std::string log = dir_.Sub("serve.log");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    freopen(log.c_str(), "w", stdout);
    execl(testing::UkairoBinary().c_str(), "ukairo", "serve", "--config", config_path_.c_str(),
          "--ledger", dir_.Sub("ledger").c_str(), "--port", "0", nullptr);
    _exit(127);
  }
  uint16_t port = 0;
  for (int i = 0; i < 400 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(log);
    std::string line;
    if (std::getline(in, line) && line.find("serving on") != std::string::npos) {
      port = static_cast<uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
    }
  }
  ASSERT_NE(port, 0) << "ukairo serve did not start";
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([port] {
      (void)HttpRequest("POST", port, "/v1/chat/completions",
                        R"({"model":"premium","max_tokens":10,"messages":[]})",
                        {{"x-ukairo-tag", "Spec"},
                         {"authorization", std::string("Bearer ") + kMasterKey}},
                        10'000);
    });
  }
  while (fleet_.fakes[0]->stats().requests < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  for (auto& c : clients) c.join();

  StartGateway(ConfigYaml());
  Json b = Json::parse(Admin("GET", "/budgets").body)["scopes"][0];
  EXPECT_EQ(b["reserved_usd"], "0");
  auto events = StopAndReadLedger();
  auto expired = Bodies<ledger::ReservationExpired>(events);
  EXPECT_EQ(expired.size(), 3u);
  for (const auto& e : expired) EXPECT_GT(e.reserved_nanos, 0);
}

TEST_F(GatewayE2E, ApiKeysNeverReachTheLedgerOrMetrics) {
  const std::string secret = "sk-e2e-SECRET-do-not-log-7f3a";
  setenv("E2E_PREMIUM_KEY", secret.c_str(), 1);
  std::string yaml = ConfigYaml();
  const std::string marker = "model: openai/premium-model, ";
  yaml.insert(yaml.find(marker) + marker.size(), "api_key: os.environ/E2E_PREMIUM_KEY, ");
  StartGateway(yaml);
  EXPECT_EQ(Chat("Spec").status, 200);
  HttpResponse metrics = Admin("GET", "/metrics");
  EXPECT_EQ(metrics.body.find(secret), std::string::npos);
  HttpResponse audit = Admin("GET", "/audit?limit=1000");
  EXPECT_EQ(audit.body.find(secret), std::string::npos);
  gateway_->Stop();
  gateway_.reset();
  // Every byte RocksDB wrote (WAL, SST, manifest): the key is in none.
  size_t files = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir_.Sub("ledger"))) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(secret), std::string::npos) << f.path();
    ++files;
  }
  EXPECT_GT(files, 0u);
  unsetenv("E2E_PREMIUM_KEY");
}

TEST_F(GatewayE2E, R2206StopNotifiesTheWebhookAndRecordsIt) {
  auto hook = FakeProvider::Start("127.0.0.1", 0, 1, FakeBehavior{});
  ASSERT_OK(hook);
  const std::string notify = "  notify: {webhook_url: \"http://127.0.0.1:" +
                             std::to_string((*hook)->port()) + "/hooks/ukairo\", retries: 1}\n";
  StartGateway(ConfigYaml("0.0045", 300, notify));
  for (int i = 0; i < 6; ++i) Chat("Spec");
  // Deliveries are asynchronous: wait (bounded) for the stop's notice.
  for (int i = 0; i < 200 && (*hook)->stats().requests < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto events = StopAndReadLedger();
  auto sent = Bodies<ledger::NotificationSent>(events);
  std::set<std::string> subjects;
  for (const auto& n : sent) {
    EXPECT_EQ(n.http_status, 200u);
    subjects.insert(n.subject);
  }
  EXPECT_TRUE(subjects.count("budget_alert")) << sent.size();
  EXPECT_TRUE(subjects.count("budget_stopped")) << sent.size();
  EXPECT_GE((*hook)->stats().requests, sent.size());
  (*hook)->Stop();
}

TEST_F(GatewayE2E, IdleAndSlowConnectionsTimeOut) {
  StartGateway(ConfigYaml(), /*idle_timeout_ms=*/200);
  boost::asio::io_context ioc;
  auto connect = [&] {
    boost::asio::ip::tcp::socket s(ioc);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), gateway_->port()});
    return s;
  };
  // A slow client: half a request line, then nothing. The server must close.
  auto slow = connect();
  boost::asio::write(slow, boost::asio::buffer(std::string("POST /v1/chat/comp")));
  auto idle = connect();
  char byte;
  boost::system::error_code ec;
  const auto t0 = std::chrono::steady_clock::now();
  slow.read_some(boost::asio::buffer(&byte, 1), ec);  // blocks until the server closes
  EXPECT_EQ(ec, boost::asio::error::eof);
  idle.read_some(boost::asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, boost::asio::error::eof);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(Chat("Spec").status, 200);  // and it still serves
}

// Sends a streamed chat request on a raw socket; returns the raw response
// and how long the first "data:" line and the whole answer took.
struct StreamTiming {
  std::string raw;
  int64_t first_data_ms = -1;
  int64_t total_ms = 0;
};
StreamTiming StreamChat(uint16_t port) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket s(ioc);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string body =
      R"({"model":"premium","stream":true,"messages":[{"role":"user","content":"hi"}]})";
  const std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                          "x-ukairo-tag: Spec\r\nContent-Type: application/json\r\n"
                          "Authorization: Bearer " + std::string(kMasterKey) + "\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  boost::asio::write(s, boost::asio::buffer(req));
  StreamTiming t;
  const auto t0 = std::chrono::steady_clock::now();
  auto ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now() - t0).count();
  };
  char buf[4096];
  boost::system::error_code ec;
  for (;;) {
    size_t n = s.read_some(boost::asio::buffer(buf), ec);
    t.raw.append(buf, n);
    if (t.first_data_ms < 0 && t.raw.find("data:") != std::string::npos) t.first_data_ms = ms();
    if (ec) break;
  }
  t.total_ms = ms();
  return t;
}

TEST_F(GatewayE2E, StreamsReachTheClientAsTheyArrive) {
  FakeBehavior streaming;
  streaming.stream_gap_ms = 150;  // five events: at least 600 ms in all
  fleet_.fakes[0]->SetBehavior(streaming);
  StartGateway(ConfigYaml());
  StreamTiming t = StreamChat(gateway_->port());
  EXPECT_NE(t.raw.find("HTTP/1.1 200"), std::string::npos) << t.raw;
  EXPECT_NE(t.raw.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(t.raw.find("x-ukairo-model-group: premium"), std::string::npos);
  EXPECT_NE(t.raw.find("data: [DONE]"), std::string::npos);
  EXPECT_GE(t.total_ms, 550);
  EXPECT_LT(t.first_data_ms, 350) << "the first event waited for the whole stream";
  auto events = StopAndReadLedger();
  auto finished = Bodies<ledger::AttemptFinished>(events);
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_GT(finished[0].output_tokens, 0);  // usage read from the streamed chunks
  EXPECT_GT(finished[0].cost_nanos, 0);
}

TEST_F(GatewayE2E, AStreamBrokenMidwayEndsWithAnErrorAndNoFallback) {
  FakeBehavior breaking;
  breaking.stream_break_after = 2;
  fleet_.fakes[0]->SetBehavior(breaking);
  StartGateway(ConfigYaml());
  StreamTiming t = StreamChat(gateway_->port());
  EXPECT_NE(t.raw.find("upstream_stream_interrupted"), std::string::npos) << t.raw;
  EXPECT_EQ(fleet_.fakes[1]->stats().requests, 0u);  // backup never asked: the client had output
  auto events = StopAndReadLedger();
  EXPECT_TRUE(Bodies<ledger::FallbackTaken>(events).empty());
  auto done = Bodies<ledger::RequestCompleted>(events);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].http_status, 502u);
  EXPECT_EQ(done[0].error_code, "upstream_stream_interrupted");
}

}  // namespace
}  // namespace ukairo::gateway
