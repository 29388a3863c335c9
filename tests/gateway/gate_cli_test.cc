// `ukairo gate` (R-2206 from the command line) against a real gateway: a
// gateway on 127.0.0.1 with fake providers and a budget that runs out after a
// few requests is driven until the scope stops, then the built `ukairo`
// binary records decisions over the admin API; the test checks the routing
// that follows, /budgets, and (after stopping the gateway) the ledger's
// GateDecision events, plus every failure path's exit code and message.
#include <fstream>
#include <sstream>
#include <utility>  // before Asio: its awaitable.hpp needs std::exchange

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include "ledger/ledger.h"
#include "router/config/loader.h"
#include "router/gateway/fake_provider.h"
#include "router/gateway/gateway.h"
#include "tests/util/http_client.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::HttpRequest;
using ::ukairo::testing::RunCommand;
using ::ukairo::testing::UkairoBinary;
using Json = nlohmann::json;

const char* kMasterKey = "sk-gate-cli-master-0123";
const char* kKeyEnv = "UKAIRO_GATE_CLI_TEST_KEY";

class GateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("UKAIRO_GATE_CLI_MASTER", kMasterKey, 1);  // the gateway's config reads this
    setenv(kKeyEnv, kMasterKey, 1);                     // the CLI reads this
    ASSERT_NO_FATAL_FAILURE(fleet_.Start(3));
  }
  void TearDown() override {
    gateway_.reset();
    fleet_.Stop();
  }

  // premium → backup → local (zero cost). A premium request costs $0.00104,
  // a backup one $0.000104; `budgets` is the ukairo.budgets mapping.
  void StartGateway(const std::string& budgets) {
    const std::string yaml = fleet_.ModelListYaml() + R"(general_settings:
  master_key: os.environ/UKAIRO_GATE_CLI_MASTER
ukairo:
  default_tag: Spec
  tiers:
    - {name: high, tags: [Spec], chain: [premium, backup, local]}
  budgets:
)" + budgets + R"(
  alerts:
    - {threshold_pct: 80, action: notify}
    - {threshold_pct: 100, action: stop_and_fallback}
  gate: {enabled: true}
  health_check: {enabled: true, interval_s: 300}
)";
    const std::string path = dir_.Sub("config.yaml");
    std::ofstream(path) << yaml;
    auto config = router::LoadConfigFile(path);
    ASSERT_OK(config);
    GatewayOptions o;
    o.port = 0;
    o.ledger_dir = dir_.Sub("ledger");
    o.drain_deadline_ms = 2000;
    auto gw = Gateway::Start(o, *config);
    ASSERT_OK(gw);
    gateway_ = std::move(*gw);
    url_ = "http://127.0.0.1:" + std::to_string(gateway_->port());
  }

  // The model group that served one request of tag Spec (or, when it must
  // fail with `want_status`, the error body).
  std::string Chat(int want_status = 200) {
    auto r = HttpRequest("POST", gateway_->port(), "/v1/chat/completions",
                         R"({"model":"high","max_tokens":10,
                             "messages":[{"role":"user","content":"hello world, hello"}]})",
                         {{"x-ukairo-tag", "Spec"},
                          {"authorization", std::string("Bearer ") + kMasterKey}});
    EXPECT_OK(r);
    EXPECT_EQ(r.ok() ? r->status : 0, want_status) << (r.ok() ? r->body : "");
    if (!r.ok()) return "";
    return want_status == 200 ? r->headers["x-ukairo-model-group"] : r->body;
  }

  // Requests until one is not served by premium (bounded); returns that group.
  std::string ChatUntilStopped() {
    for (int i = 0; i < 20; ++i) {
      std::string group = Chat();
      if (group != "premium") return group;
    }
    ADD_FAILURE() << "the budget never stopped premium";
    return "";
  }

  Json Budgets() {
    auto r = HttpRequest("GET", gateway_->port(), "/budgets", "",
                         {{"authorization", std::string("Bearer ") + kMasterKey}});
    EXPECT_OK(r);
    if (!r.ok()) return Json();
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  // `ukairo gate ARGS` with stderr folded into *out; returns the exit code.
  // --url and --master-key-env point at this test's gateway unless `raw`.
  int Gate(const std::string& args, std::string* out, bool raw = false) {
    out->clear();
    std::string cmd = UkairoBinary() + " gate " + args;
    if (!raw) cmd += " --url " + url_ + " --master-key-env " + kKeyEnv;
    int rc = RunCommand(cmd + " 2>&1", out);
    EXPECT_EQ(out->find(kMasterKey), std::string::npos) << "the key leaked: " << *out;
    return rc;
  }

  // JSON lines of `gate status --json`.
  std::vector<Json> StatusJson() {
    std::string out;
    EXPECT_EQ(Gate("status --json", &out), 0) << out;
    std::vector<Json> rows;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      Json j = Json::parse(line, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << line;
      if (!j.is_discarded()) rows.push_back(j);
    }
    return rows;
  }

  std::vector<ledger::GateDecision> StopAndReadDecisions() {
    gateway_->Stop();
    gateway_.reset();
    ledger::LedgerOptions o;
    o.read_only = true;
    o.create_if_missing = false;
    auto l = ledger::Ledger::Open(dir_.Sub("ledger"), o);
    EXPECT_OK(l);
    std::vector<ledger::GateDecision> out;
    if (!l.ok()) return out;
    auto it = (*l)->Scan(ledger::ScanOptions{});
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (auto* d = std::get_if<ledger::GateDecision>(&it->event().body)) out.push_back(*d);
    }
    EXPECT_OK(it->status());
    return out;
  }

  testing::TempDir dir_;
  ukairo::testing::FakeFleet fleet_;
  std::unique_ptr<Gateway> gateway_;
  std::string url_;
};

TEST_F(GateCli, StatusListsTheStopAndRaiseLiftsItWithTheExactLimit) {
  StartGateway("    model: {premium: \"0.0045\"}");
  EXPECT_EQ(ChatUntilStopped(), "backup");

  std::string out;
  ASSERT_EQ(Gate("status", &out), 0) << out;
  EXPECT_NE(out.find("model:premium"), std::string::npos) << out;
  EXPECT_NE(out.find("waiting"), std::string::npos) << out;
  std::vector<Json> rows = StatusJson();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["scope"], "model:premium");
  EXPECT_EQ(rows[0]["state"], "waiting");
  EXPECT_EQ(rows[0]["limit_usd"], "0.0045");
  EXPECT_FALSE(rows[0]["stopped_at"].get<std::string>().empty());
  EXPECT_EQ(rows[0]["actor"], "");

  // A limit with nine decimals: exact text, never a double.
  ASSERT_EQ(Gate("raise --scope model:premium --limit-usd 1.000000001 --actor alice "
                 "--note 'release week'",
                 &out),
            0)
      << out;
  EXPECT_NE(out.find("recorded: model:premium raise_limit -> 1.000000001 by alice"),
            std::string::npos)
      << out;
  Json scope = Budgets()["scopes"][0];
  EXPECT_EQ(scope["limit_usd"], "1.000000001");
  EXPECT_EQ(scope["gate"]["actor"], "alice");
  EXPECT_EQ(Chat(), "premium");  // the raised limit is in effect at once

  rows = StatusJson();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "decided");
  EXPECT_EQ(rows[0]["choice"], "raise_limit");
  EXPECT_EQ(rows[0]["actor"], "alice");
  EXPECT_EQ(rows[0]["note"], "release week");

  auto decisions = StopAndReadDecisions();
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].scope_kind, ledger::ScopeKind::kModel);
  EXPECT_EQ(decisions[0].scope_key, "premium");
  EXPECT_EQ(decisions[0].choice, ledger::GateChoice::kRaiseLimit);
  EXPECT_EQ(decisions[0].new_limit_nanos, 1'000'000'001);
  EXPECT_EQ(decisions[0].actor, "alice");
  EXPECT_EQ(decisions[0].note, "release week");
}

TEST_F(GateCli, ContinueMovesAStoppedTagToTheNamedModel) {
  // The tag's budget stops it; waiting, only the zero-cost `local` runs.
  StartGateway("    tag: {Spec: \"0.0045\"}");
  EXPECT_EQ(ChatUntilStopped(), "local");
  EXPECT_EQ(Chat(), "local");

  std::string out;
  ASSERT_EQ(Gate("continue --scope tag:Spec --model backup --actor bob --json", &out), 0) << out;
  Json row = Json::parse(out, nullptr, false);
  ASSERT_FALSE(row.is_discarded()) << out;
  EXPECT_EQ(row["scope"], "tag:Spec");
  EXPECT_EQ(row["choice"], "continue_with_model");
  EXPECT_EQ(row["continue_model"], "backup");
  // premium still does not fit the spent tag; the human let backup run.
  EXPECT_EQ(Chat(), "backup");

  ASSERT_EQ(Gate("status", &out), 0) << out;
  EXPECT_NE(out.find("tag:Spec"), std::string::npos) << out;
  EXPECT_NE(out.find("continue -> backup"), std::string::npos) << out;
  EXPECT_NE(out.find("bob"), std::string::npos) << out;

  // Then a stop: the decision is replaced and the tag's requests are refused.
  ASSERT_EQ(Gate("stop --scope tag:Spec --actor carol --note 'over budget'", &out), 0) << out;
  EXPECT_NE(out.find("recorded: tag:Spec stop by carol"), std::string::npos) << out;
  EXPECT_NE(Chat(429).find("stopped at the gate"), std::string::npos);

  auto decisions = StopAndReadDecisions();
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0].scope_kind, ledger::ScopeKind::kTag);
  EXPECT_EQ(decisions[0].choice, ledger::GateChoice::kContinueWithModel);
  EXPECT_EQ(decisions[0].model, "backup");
  EXPECT_EQ(decisions[0].actor, "bob");
  EXPECT_EQ(decisions[1].choice, ledger::GateChoice::kStop);
  EXPECT_EQ(decisions[1].note, "over budget");
}

TEST_F(GateCli, NothingStoppedPrintsNoRows) {
  StartGateway("    model: {premium: \"1\"}");
  EXPECT_EQ(Chat(), "premium");
  std::string out;
  ASSERT_EQ(Gate("status", &out), 0) << out;
  EXPECT_NE(out.find("no budget scope is stopped or decided"), std::string::npos) << out;
  EXPECT_TRUE(StatusJson().empty());
  // A host name and a trailing slash work too (localhost may resolve to ::1
  // first; the client tries each address).
  const std::string named = "http://localhost:" + std::to_string(gateway_->port()) + "/";
  EXPECT_EQ(Gate("status --master-key-env " + std::string(kKeyEnv) + " --url " + named, &out,
                 true),
            0)
      << out;
}

TEST_F(GateCli, FailuresExitOneFromTheGatewayAndTwoForBadInput) {
  StartGateway("    model: {premium: \"1\"}");
  std::string out;
  const std::string target = " --url " + url_;

  // Wrong key: the gateway's 401 message, exit 1.
  setenv("UKAIRO_GATE_CLI_WRONG", "sk-wrong", 1);
  EXPECT_EQ(Gate("status --master-key-env UKAIRO_GATE_CLI_WRONG" + target, &out, true), 1);
  EXPECT_NE(out.find("HTTP 401"), std::string::npos) << out;
  EXPECT_NE(out.find("admin endpoints need Authorization"), std::string::npos) << out;

  // No key in the environment: usage error naming the variable.
  unsetenv("UKAIRO_GATE_CLI_UNSET");
  EXPECT_EQ(Gate("status --master-key-env UKAIRO_GATE_CLI_UNSET" + target, &out, true), 2);
  EXPECT_NE(out.find("UKAIRO_GATE_CLI_UNSET"), std::string::npos) << out;

  // Refused by the gateway (unknown model): its message, exit 1.
  EXPECT_EQ(Gate("continue --scope model:premium --model nope --actor a", &out), 1);
  EXPECT_NE(out.find("unknown model 'nope'"), std::string::npos) << out;

  // Bad input, caught before anything is recorded: exit 2.
  EXPECT_EQ(Gate("stop --scope modle:premium --actor a", &out), 2);
  EXPECT_NE(out.find("model:NAME, tag:NAME, tier:NAME or global"), std::string::npos) << out;
  EXPECT_EQ(Gate("stop --scope tag: --actor a", &out), 2);
  EXPECT_EQ(Gate("stop --scope model:premium", &out), 2);  // no --actor
  EXPECT_NE(out.find("--actor"), std::string::npos) << out;
  EXPECT_EQ(Gate("raise --scope model:premium --limit-usd ten --actor a", &out), 2);
  EXPECT_EQ(Gate("raise --scope model:premium --limit-usd 0 --actor a", &out), 2);
  EXPECT_EQ(Gate("continue --scope model:premium --actor a", &out), 2);  // no --model
  EXPECT_EQ(Gate("stop --scope tier:high --actor a", &out), 2);  // no budget for it
  EXPECT_NE(out.find("no budget for tier:high (budgets: model:premium)"), std::string::npos)
      << out;
  EXPECT_EQ(Gate("status --url https://127.0.0.1:1 --master-key-env " + std::string(kKeyEnv),
                 &out, true),
            2);
  for (const char* url : {"127.0.0.1:4000", "http://127.0.0.1:99999", "http://:4000"}) {
    EXPECT_EQ(Gate("status --master-key-env " + std::string(kKeyEnv) + " --url " + url, &out,
                   true),
              2)
        << url << ": " << out;
  }
  EXPECT_EQ(Gate("", &out, true), 2);  // no subcommand

  // None of that reached the ledger.
  EXPECT_TRUE(StopAndReadDecisions().empty());
}

TEST_F(GateCli, UnreachableOrHungGatewayExitsOneInBoundedTime) {
  namespace net = boost::asio;
  net::io_context ioc;
  std::string out;
  const std::string key = std::string(" --master-key-env ") + kKeyEnv;
  uint16_t closed_port = 0;
  {
    net::ip::tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  const std::string closed_url = "http://127.0.0.1:" + std::to_string(closed_port);
  EXPECT_EQ(Gate("status --url " + closed_url + key, &out, true), 1);
  EXPECT_NE(out.find("cannot reach the gateway at " + closed_url), std::string::npos) << out;

  // Listening but never answering (the kernel accepts into the backlog).
  net::ip::tcp::acceptor hung(ioc, {net::ip::make_address("127.0.0.1"), 0});
  const std::string hung_url = "http://127.0.0.1:" + std::to_string(hung.local_endpoint().port());
  EXPECT_EQ(Gate("stop --scope global --actor a --timeout-ms 300 --url " + hung_url + key, &out,
                 true),
            1);
  EXPECT_NE(out.find("no answer from the gateway at " + hung_url), std::string::npos) << out;
}

TEST_F(GateCli, HelpAtEveryLevel) {
  std::string out;
  for (const char* level : {"--help", "status --help", "continue --help", "raise --help",
                            "stop --help"}) {
    EXPECT_EQ(Gate(level, &out, true), 0) << level << ": " << out;
    EXPECT_NE(out.find("Usage"), std::string::npos) << level << ": " << out;
  }
  Gate("status --help", &out, true);
  EXPECT_NE(out.find("JSON lines"), std::string::npos) << out;
  EXPECT_NE(out.find("UKAIRO_MASTER_KEY"), std::string::npos) << out;
}

}  // namespace
}  // namespace ukairo::gateway
