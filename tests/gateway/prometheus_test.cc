// The gateway's /metrics against Debian's Prometheus tools, on 127.0.0.1:
// `promtool check metrics` on the text after real traffic (a 429 fallback,
// a retry, a stream), Debian's Prometheus server scraping the gateway with
// the spend and budget series read back through its HTTP API and compared
// with the ledger's integers, `promtool check rules` on the shipped rules,
// and the shipped Grafana dashboard's queries against the families served.
// Each test skips, saying so, when the binaries are absent (CI installs
// them through scripts/install-deps.sh).
#include <utility>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "base/money.h"
#include "router/config/loader.h"
#include "router/gateway/gateway.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/gateway/test_gateway.h"
#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

extern char** environ;

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::HttpRequest;
using ::ukairo::testing::HttpResponse;
using ::ukairo::testing::RunCommand;
using Json = nlohmann::json;

// The path of an executable on $PATH, "" when there is none.
std::string Which(const std::string& name) {
  std::string out;
  if (RunCommand("command -v " + name + " 2>/dev/null", &out) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

uint16_t FreeLoopbackPort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(
      ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Every metric family the text declares (# TYPE lines).
std::set<std::string> Families(const std::string& text) {
  std::set<std::string> out;
  std::regex type_line("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ", std::regex::multiline);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), type_line);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

// Every ukairo_* name in a query text, with a histogram's _bucket, _sum or
// _count suffix taken off (they belong to the family without it).
std::set<std::string> QueriedFamilies(const std::string& text) {
  std::set<std::string> out;
  std::regex name("ukairo_[a-z0-9_]+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name);
       it != std::sregex_iterator(); ++it) {
    std::string n = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0) {
        n.resize(n.size() - s.size());
      }
    }
    out.insert(n);
  }
  return out;
}

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(fleet_.Start(3)); }
  void TearDown() override {
    if (prometheus_pid_ > 0) {
      kill(prometheus_pid_, SIGTERM);
      int status = 0;
      waitpid(prometheus_pid_, &status, 0);
    }
    gateway_.reset();
    fleet_.Stop();
  }

  // premium (rate limited: 429) → backup → local, with budgets on a model,
  // a tag and the whole gateway and the three alert thresholds.
  void StartGateway() {
    const std::string yaml = fleet_.ModelListYaml() + R"(ukairo:
  default_tag: Build
  tiers:
    - {name: high, tags: [Spec], chain: [premium, backup, local]}
    - {name: build, tags: [Build], chain: [backup, local]}
  budgets:
    model: {backup: "0.0007", premium: 1}
    tag: {Spec: "0.003"}
    global: 100
  alerts:
    - {threshold_pct: 80, action: notify}
    - {threshold_pct: 90, action: warn}
    - {threshold_pct: 100, action: stop_and_fallback}
  retry: {num_retries: 2, backoff_ms: [10, 20]}
  cooldown: {allowed_fails: 100, cooldown_time_s: 60}
)";
    gateway_ = ukairo::testing::StartTestGateway(dir_, yaml);
    ASSERT_NE(gateway_, nullptr);
  }

  HttpResponse Chat(const std::string& tag, bool stream = false) {
    std::string body = std::string(R"({"model":"auto","max_tokens":10,"stream":)") +
                       (stream ? "true" : "false") +
                       R"(,"messages":[{"role":"user","content":"hello world, hello"}]})";
    auto r = HttpRequest("POST", gateway_->port(), "/v1/chat/completions", body,
                         {{"x-ukairo-tag", tag}});
    EXPECT_OK(r);
    return r.ok() ? *r : HttpResponse{};
  }

  // Real traffic: a 429 on premium and a fallback to backup, then a 500 on
  // backup and its retry, a stream, and enough spend on model backup to fire
  // backup's 80 % alert.
  void SendTraffic() {
    FakeBehavior limited;
    limited.status = 429;
    limited.retry_after_s = 30;
    fleet_.fakes[0]->SetBehavior(limited);
    HttpResponse first = Chat("Spec");
    EXPECT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.headers["x-ukairo-fallback-reason"], "rate_limit");
    FakeBehavior flaky;
    flaky.fail_first = static_cast<uint32_t>(fleet_.fakes[1]->stats().requests) + 1;
    flaky.fail_status = 500;
    fleet_.fakes[1]->SetBehavior(flaky);
    EXPECT_EQ(Chat("Build").status, 200);
    EXPECT_EQ(Chat("Build", /*stream=*/true).status, 200);
    for (int i = 0; i < 3; ++i) Chat("Spec");
  }

  std::string Metrics() {
    auto r = HttpRequest("GET", gateway_->port(), "/metrics");
    EXPECT_OK(r);
    EXPECT_EQ(r.ok() ? r->status : 0, 200);
    return r.ok() ? r->body : "";
  }

  // Starts Debian's Prometheus on 127.0.0.1 scraping the gateway every
  // second; waits (polling, with a deadline) until it is ready.
  void StartPrometheus(const std::string& binary) {
    prometheus_port_ = FreeLoopbackPort();
    const std::string config = dir_.Sub("prometheus.yml");
    std::ofstream(config) << "global: {scrape_interval: 1s, scrape_timeout: 1s, "
                             "evaluation_interval: 1s}\n"
                             "scrape_configs:\n"
                             "  - job_name: ukairo\n"
                             "    static_configs: [{targets: ['127.0.0.1:"
                          << gateway_->port() << "']}]\n";
    std::vector<std::string> args = {binary,
                                     "--config.file=" + config,
                                     "--storage.tsdb.path=" + dir_.Sub("tsdb"),
                                     "--web.listen-address=127.0.0.1:" +
                                         std::to_string(prometheus_port_)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    const std::string log = dir_.Sub("prometheus.log");
    posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    ASSERT_EQ(posix_spawn(&prometheus_pid_, binary.c_str(), &files, nullptr, argv.data(), environ),
              0);
    posix_spawn_file_actions_destroy(&files);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      auto r = HttpRequest("GET", prometheus_port_, "/-/ready", "", {}, 1000);
      if (r.ok() && r->status == 200) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << "Prometheus not ready in 30 s; its log:\n"
          << ukairo::testing::ReadFileText(log);
      int status = 0;
      ASSERT_EQ(waitpid(prometheus_pid_, &status, WNOHANG), 0)
          << "Prometheus exited; its log:\n" << ukairo::testing::ReadFileText(log);
      // A pause between polls, not a wait for an event: the deadline decides.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // The value of an instant query with exactly one series, as Prometheus
  // prints it; polls until the series is there (deadline 30 s).
  std::string QueryOne(const std::string& promql) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = HttpRequest("GET", prometheus_port_, "/api/v1/query?query=" + UrlEncode(promql),
                           "", {}, 2000);
      if (r.ok() && r->status == 200) {
        last = r->body;
        Json j = Json::parse(r->body, nullptr, false);
        if (!j.is_discarded() && j["status"] == "success" && j["data"]["result"].size() == 1) {
          return j["data"]["result"][0]["value"][1].get<std::string>();
        }
      }
      // A pause between polls (scrapes are 1 s apart); the deadline decides.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no single series for " << promql << " in 30 s; last answer: " << last;
    return "";
  }

  ukairo::testing::TempDir dir_;
  ukairo::testing::FakeFleet fleet_;
  std::unique_ptr<Gateway> gateway_;
  pid_t prometheus_pid_ = -1;
  uint16_t prometheus_port_ = 0;
};

TEST_F(PrometheusTest, PromtoolChecksTheLiveMetricsAfterAFallback) {
  const std::string promtool = Which("promtool");
  if (promtool.empty()) {
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus; "
                    "scripts/install-deps.sh installs it)";
  }
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  SendTraffic();
  const std::string text = Metrics();
  const std::string file = dir_.Sub("metrics.txt");
  std::ofstream(file) << text;
  std::string out;
  EXPECT_EQ(RunCommand(promtool + " check metrics < " + file + " 2>&1", &out), 0)
      << out << "\n--- metrics ---\n" << text;
  auto has = [&](const std::string& line) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n--- metrics ---\n" << text;
  };
  // One 429 on premium, then three Spec requests skip it while it is rate limited.
  has("ukairo_fallbacks_total{from_group=\"premium\",to_group=\"backup\",reason=\"rate_limit\"} 4");
  has("ukairo_attempts_total{deployment=\"premium#0\",model_group=\"premium\","
      "outcome=\"rate_limited\"} 1");
  has("ukairo_attempts_total{deployment=\"backup#0\",model_group=\"backup\","
      "outcome=\"server_error\"} 1");
  has("ukairo_retries_total{deployment=\"backup#0\",cause=\"server_error\"} 1");
  has("ukairo_requests_total{tag=\"Build\",tier=\"build\",model_group=\"backup\",status=\"200\"} 2");
  has("ukairo_time_to_first_token_seconds_count{model_group=\"backup\"} 1");
  has("ukairo_deployment_state{deployment=\"premium#0\",model_group=\"premium\","
      "state=\"rate_limited\"} 1");
  has("ukairo_budget_alerts_total{scope=\"model\",key=\"backup\",threshold_pct=\"80\"} 1");
  has("ukairo_requests_in_flight 0");
}

TEST_F(PrometheusTest, PrometheusServerScrapesSpendAndBudgetEqualToTheLedger) {
  const std::string prometheus = Which("prometheus");
  if (prometheus.empty()) {
    GTEST_SKIP() << "the prometheus server is not installed (Debian package prometheus; "
                    "scripts/install-deps.sh installs it)";
  }
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  SendTraffic();
  ASSERT_NO_FATAL_FAILURE(StartPrometheus(prometheus));
  const std::string spent_backup =
      QueryOne(R"(ukairo_budget_spent_usd{scope="model",key="backup"})");
  const std::string spent_spec = QueryOne(R"(ukairo_budget_spent_usd{scope="tag",key="Spec"})");
  const std::string spent_global = QueryOne(R"(ukairo_budget_spent_usd{scope="global"})");
  const std::string limit_spec = QueryOne(R"(ukairo_budget_limit_usd{scope="tag",key="Spec"})");
  const std::string reserved = QueryOne(R"(ukairo_budget_reserved_usd{scope="global"})");
  const std::string cost = QueryOne(R"(sum(ukairo_cost_usd_total))");
  const std::string alert80 =
      QueryOne(R"(ukairo_budget_alert_fired{scope="model",key="backup",threshold_pct="80"})");
  // The ledger's integers, after the gateway stopped.
  gateway_->Stop();
  gateway_.reset();
  NanoUsd backup = 0, spec = 0, global = 0;
  for (const ledger::Event& e : ukairo::testing::ReadLedgerEvents(dir_.Sub("ledger"))) {
    const auto* a = std::get_if<ledger::AttemptFinished>(&e.body);
    if (a == nullptr) continue;
    global += a->cost_nanos;
    if (a->model_group == "backup") backup += a->cost_nanos;
    if (a->tag == "Spec") spec += a->cost_nanos;
  }
  ASSERT_GT(backup, 0);
  auto nanos = [](const std::string& text) {
    Result<NanoUsd> v = ParseUsd(text);
    EXPECT_OK(v) << text;
    return v.ok() ? *v : -1;
  };
  EXPECT_EQ(nanos(spent_backup), backup) << spent_backup;
  EXPECT_EQ(nanos(spent_spec), spec) << spent_spec;
  EXPECT_EQ(nanos(spent_global), global) << spent_global;
  EXPECT_EQ(nanos(cost), global) << cost;
  EXPECT_EQ(nanos(limit_spec), 3'000'000);
  EXPECT_EQ(nanos(reserved), 0);
  // Six requests served by backup at about $0.000104 each: past 80 % of its $0.0007.
  EXPECT_GE(backup * 100, 700'000 * 80);
  EXPECT_EQ(alert80, "1");
}

TEST_F(PrometheusTest, ShippedRulesPassPromtoolAndQueryServedFamilies) {
  const std::string promtool = Which("promtool");
  if (promtool.empty()) {
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus; "
                    "scripts/install-deps.sh installs it)";
  }
  const std::string rules = ukairo::testing::DataPath("prometheus/ukairo-rules.yml");
  std::string out;
  EXPECT_EQ(RunCommand(promtool + " check rules " + rules + " 2>&1", &out), 0) << out;
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  SendTraffic();
  const std::set<std::string> served = Families(Metrics());
  const std::set<std::string> queried = QueriedFamilies(ukairo::testing::ReadFileText(rules));
  EXPECT_GE(queried.size(), 5u);
  for (const std::string& name : queried) {
    EXPECT_TRUE(served.count(name)) << "the rules query " << name << ", which /metrics lacks";
  }
}

TEST_F(PrometheusTest, GrafanaDashboardIsJsonAndQueriesServedFamilies) {
  const std::string path = ukairo::testing::DataPath("grafana/ukairo.json");
  Json dashboard = Json::parse(ukairo::testing::ReadFileText(path), nullptr, false);
  ASSERT_FALSE(dashboard.is_discarded()) << path << " is not valid JSON";
  ASSERT_TRUE(dashboard.contains("panels"));
  std::string exprs;
  for (const Json& panel : dashboard["panels"]) {
    if (!panel.contains("targets")) continue;
    for (const Json& t : panel["targets"]) exprs += t.value("expr", std::string()) + "\n";
  }
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  SendTraffic();
  const std::set<std::string> served = Families(Metrics());
  const std::set<std::string> queried = QueriedFamilies(exprs);
  EXPECT_GE(queried.size(), 8u);
  for (const std::string& name : queried) {
    EXPECT_TRUE(served.count(name)) << "the dashboard queries " << name
                                    << ", which /metrics lacks";
  }
}

}  // namespace
}  // namespace ukairo::gateway
