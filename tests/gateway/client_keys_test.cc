// Client keys end to end (issue 13 items 2-5): keys made with LiteLLM's
// /key/generate authenticate client calls, carry their budget and allowed
// models, and are revoked for the next request; refused calls reach no
// upstream; concurrent calls never settle above a key's budget; no secret
// (client key or a literal master key in the config) lands in any file the
// gateway wrote; and a fold of the ledger gives the same keys and spend.
// Real gateway on 127.0.0.1 in front of fake providers, real RocksDB.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "ledger/ledger.h"
#include "ledger/event_json.h"
#include "ledger/period.h"
#include "ledger/projection.h"
#include "router/config/loader.h"
#include "router/gateway/gateway.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::HttpRequest;
using ::ukairo::testing::HttpResponse;
using Headers = std::map<std::string, std::string>;
using Json = nlohmann::json;

// Literal in the YAML on purpose: it must not reach the ledger either.
const char* kMasterKey = "sk-keys-MASTER-literal-9c2f";
const Headers kAdmin = {{"authorization", std::string("Bearer ") + kMasterKey}};

Headers Bearer(const std::string& key) { return {{"authorization", "Bearer " + key}}; }

class ClientKeys : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(fleet_.Start(2)); }
  void TearDown() override {
    gateway_.reset();
    fleet_.Stop();
  }

  void StartGateway() {
    const std::string path = dir_.Sub("config.yaml");
    std::ofstream(path) << fleet_.ModelListYaml() << "general_settings:\n  master_key: "
                        << kMasterKey << R"(
ukairo:
  default_tag: Build
  tiers:
    - {name: build, tags: [Build], chain: [premium, backup]}
)";
    auto config = router::LoadConfigFile(path);
    ASSERT_OK(config);
    GatewayOptions o;
    o.port = 0;
    o.ledger_dir = dir_.Sub("ledger");
    o.config_path = path;
    o.drain_deadline_ms = 2000;
    o.threads = 4;
    auto gw = Gateway::Start(o, *config);
    ASSERT_OK(gw);
    gateway_ = std::move(*gw);
  }

  HttpResponse Call(const std::string& method, const std::string& target, const Headers& headers,
                    const std::string& body = "") {
    auto r = HttpRequest(method, gateway_->port(), target, body, headers);
    EXPECT_OK(r);
    return r.ok() ? *r : HttpResponse{};
  }
  HttpResponse Chat(const Headers& headers, const std::string& model = "premium") {
    return Call("POST", "/v1/chat/completions", headers,
                R"({"model":")" + model +
                    R"(","max_tokens":10,"messages":[{"role":"user","content":"hello"}]})");
  }
  Json Generate(const std::string& body) {
    HttpResponse r = Call("POST", "/key/generate", kAdmin, body);
    EXPECT_EQ(r.status, 200) << r.body;
    Json j = Json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("key")) << r.body;
    return j;
  }
  uint64_t UpstreamRequests() const {
    uint64_t n = 0;
    for (const auto& f : fleet_.fakes) n += f->stats().requests;
    return n;
  }

  testing::TempDir dir_;
  ukairo::testing::FakeFleet fleet_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(ClientKeys, LiteLlmStyleScriptGenerateCallReadSpend) {
  StartGateway();
  Json team = Json::parse(
      Call("POST", "/team/new", kAdmin, R"({"team_alias":"platform","max_budget":100})").body);
  ASSERT_TRUE(team.contains("team_id")) << team.dump();
  const Json key = Generate(R"({"key_alias":"ci","max_budget":10.5,"budget_duration":"30d",
      "models":["premium"],"team_id":")" + team["team_id"].get<std::string>() +
                            R"(","metadata":{"owner":"ci"}})");
  const std::string secret = key["key"];
  EXPECT_EQ(secret.rfind("sk-uk-", 0), 0u);
  EXPECT_EQ(key["max_budget"], 10.5);
  HttpResponse ok = Chat(Bearer(secret));
  ASSERT_EQ(ok.status, 200) << ok.body;
  // A model the key may not use: 403 before any upstream call (LiteLLM).
  const uint64_t before = UpstreamRequests();
  HttpResponse denied = Chat(Bearer(secret), "backup");
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(Json::parse(denied.body)["error"]["type"], "key_model_access_denied");
  EXPECT_EQ(UpstreamRequests(), before);
  // /key/info by the key itself: spend is the call's cost.
  Json info = Json::parse(Call("GET", "/key/info?key=" + secret, kAdmin).body);
  ASSERT_TRUE(info.contains("info")) << info.dump();
  EXPECT_EQ(info["info"]["spend"].dump(), ok.headers["x-ukairo-cost-usd"]);
  EXPECT_GT(info["info"]["spend"].get<double>(), 0);
  EXPECT_EQ(info["info"]["models"], Json::array({"premium"}));
  EXPECT_EQ(info["info"]["key_alias"], "ci");
  EXPECT_EQ(info["key"], key["token"]);
  // The team's spend too, and /key/list lists the token, never the key.
  Json team_info = Json::parse(
      Call("GET", "/team/info?team_id=" + team["team_id"].get<std::string>(), kAdmin).body);
  EXPECT_EQ(team_info["team_info"]["spend"], info["info"]["spend"]);
  HttpResponse list = Call("GET", "/key/list", kAdmin);
  EXPECT_NE(list.body.find(key["token"].get<std::string>()), std::string::npos);
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  // /budgets lists the key's and the team's scopes next to the config's.
  Json budgets = Json::parse(Call("GET", "/budgets", kAdmin).body);
  ASSERT_TRUE(budgets["key_scopes"].is_array()) << budgets.dump();
  std::set<std::string> listed;
  for (const Json& s : budgets["key_scopes"]) {
    listed.insert(s["scope_kind"].get<std::string>() + ":" + s["scope_key"].get<std::string>());
    if (s["scope_kind"] == "key") {
      EXPECT_EQ(s["limit_usd"], "10.5");
      EXPECT_EQ(s["spent_usd"].get<std::string>(), ok.headers["x-ukairo-cost-usd"]);
    }
  }
  EXPECT_EQ(listed, (std::set<std::string>{"key:" + key["key_id"].get<std::string>(),
                                           "team:" + team["team_id"].get<std::string>()}));
  // Admin endpoints need the master key, not a client key.
  EXPECT_EQ(Call("GET", "/key/list", Bearer(secret)).status, 401);
  // Bad input names what is wrong.
  HttpResponse bad = Call("POST", "/key/generate", kAdmin, R"({"models":["nope"]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("'nope'"), std::string::npos) << bad.body;
}

TEST_F(ClientKeys, NoWrongRevokedExpiredKeysAre401AndReachNoUpstream) {
  StartGateway();
  const std::string live = Generate("{}")["key"];
  const std::string revoked = Generate(R"({"key_alias":"leaver"})")["key"];
  const std::string expired = Generate(R"({"expires":"2020-01-01T00:00:00Z"})")["key"];
  ASSERT_EQ(Chat(Bearer(revoked)).status, 200);
  HttpResponse del =
      Call("POST", "/key/delete", kAdmin, Json{{"keys", Json::array({revoked})}}.dump());
  ASSERT_EQ(del.status, 200) << del.body;
  const uint64_t before = UpstreamRequests();
  struct Case {
    Headers headers;
    const char* says;
  };
  const Case cases[] = {
      {{}, "You didn't provide"},
      {Bearer("sk-uk-0000000000000000000000000000000000000000"), "Incorrect API key"},
      {Bearer(revoked), "This API key was revoked"},
      {{{"x-api-key", revoked}}, "This API key was revoked"},
      {Bearer(expired), "This API key has expired"},
  };
  for (const Case& c : cases) {
    HttpResponse r = Chat(c.headers);
    EXPECT_EQ(r.status, 401) << c.says << ": " << r.body;
    EXPECT_NE(r.body.find(c.says), std::string::npos) << r.body;
  }
  EXPECT_EQ(UpstreamRequests(), before);
  EXPECT_EQ(Chat(Bearer(live)).status, 200);
  EXPECT_EQ(Chat({{"api-key", live}}).status, 200);
  const std::string metrics = Call("GET", "/metrics", kAdmin).body;
  EXPECT_NE(metrics.find("ukairo_auth_failures_total{reason=\"revoked\"} 2"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ukairo_auth_failures_total{reason=\"expired\"} 1"), std::string::npos);
}

TEST_F(ClientKeys, ConcurrentCallsNeverSettleAboveTheKeyBudget) {
  StartGateway();
  // One call's cost, with the master key: the budget fits about 50 of them.
  HttpResponse probe = Chat(kAdmin);
  ASSERT_EQ(probe.status, 200);
  const NanoUsd cost = *ParseUsd(probe.headers["x-ukairo-cost-usd"]);
  ASSERT_GT(cost, 0);
  const NanoUsd budget = 50 * cost;
  const Json key = Generate(Json{{"max_budget", FormatNanosAsUsd(budget)}}.dump());
  const std::string secret = key["key"];
  constexpr int kCalls = 200;
  std::vector<int> status(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      auto r = HttpRequest("POST", gateway_->port(), "/v1/chat/completions",
                           R"({"model":"premium","max_tokens":10,"messages":[{"role":"user","content":"hello"}]})",
                           Bearer(secret));
      status[i] = r.ok() ? static_cast<int>(r->status) : -1;
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0, refused = 0;
  for (int s : status) {
    ok += s == 200;
    refused += s == 429;
  }
  EXPECT_EQ(ok + refused, kCalls);
  EXPECT_GT(ok, 0);
  EXPECT_GT(refused, 0);
  Json info = Json::parse(Call("GET", "/key/info?key=" + secret, kAdmin).body);
  const NanoUsd spent = *ParseUsd(info["info"]["spend"].dump());
  EXPECT_LE(spent, budget);
  // The ledger's settled costs of the key's requests agree.
  gateway_->Stop();
  const auto events = ukairo::testing::ReadLedgerEvents(dir_.Sub("ledger"));
  std::set<std::string> keyed;
  NanoUsd settled = 0;
  for (const auto& e : events) {
    if (const auto* a = std::get_if<ledger::RequestAccepted>(&e.body)) {
      if (a->client_key_id == key["key_id"]) keyed.insert(a->request_id);
    } else if (const auto* f = std::get_if<ledger::AttemptFinished>(&e.body)) {
      if (keyed.count(f->request_id)) settled += f->cost_nanos;
    }
  }
  EXPECT_EQ(settled, spent);
  EXPECT_LE(settled, budget);
  std::printf("200 concurrent calls, budget %s USD (50 x %s): %d served, %d refused 429, "
              "settled %s USD\n",
              FormatNanosAsUsd(budget).c_str(), FormatNanosAsUsd(cost).c_str(), ok, refused,
              FormatNanosAsUsd(settled).c_str());
}

TEST_F(ClientKeys, NoSecretInAnyFileTheGatewayWroteAndReplayGivesTheSameKeys) {
  StartGateway();
  const Json key = Generate(R"({"key_alias":"dev","max_budget":"1"})");
  const std::string secret = key["key"];
  ASSERT_EQ(Chat(Bearer(secret)).status, 200);
  ASSERT_EQ(Call("POST", "/key/update", kAdmin,
                 Json{{"key", secret}, {"rpm_limit", 100}, {"max_budget", "2"}}.dump())
                .status,
            200);
  ASSERT_EQ(Chat(Bearer(secret)).status, 200);
  Json info = Json::parse(Call("GET", "/key/info?key=" + secret, kAdmin).body)["info"];
  gateway_->Stop();
  gateway_.reset();
  // Every byte of every file under the gateway's directory, and every event
  // decoded (RocksDB may compress its tables).
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.Sub("ledger"))) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string bytes = ukairo::testing::ReadFileText(entry.path().string());
    EXPECT_EQ(bytes.find(secret), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find(kMasterKey), std::string::npos) << entry.path();
  }
  EXPECT_GT(files, 3u);
  const auto events = ukairo::testing::ReadLedgerEvents(dir_.Sub("ledger"));
  ledger::Projection fold;
  for (const auto& e : events) {
    const std::string json = ledger::EventToJson(e);
    EXPECT_EQ(json.find(secret), std::string::npos) << json;
    EXPECT_EQ(json.find(kMasterKey), std::string::npos) << json;
    if (const auto* c = std::get_if<ledger::ConfigApplied>(&e.body)) {
      EXPECT_EQ(c->text.find(kMasterKey), std::string::npos) << c->text;
      EXPECT_NE(c->text.find("master_key: \"[redacted]\""), std::string::npos) << c->text;
    }
    fold.Apply(e);
  }
  // The fold from seq 1 and the load (snapshot + tail) agree, and both
  // give what /key/info said.
  auto ledger = ledger::Ledger::Open(dir_.Sub("ledger"), {});
  ASSERT_OK(ledger);
  auto loaded = ledger::LoadProjection(**ledger);
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->keys(), fold.keys());
  const std::string id = key["key_id"];
  ASSERT_NE(fold.Key(id), nullptr);
  EXPECT_EQ(fold.Key(id)->settings.rpm_limit, 100);
  EXPECT_EQ(fold.Key(id)->settings.max_budget_nanos, 2'000'000'000);
  const int32_t period = PeriodOf(fold.last_time_micros(), PeriodKind::kMonth);
  const NanoUsd spent = fold.Spent({ledger::ScopeKind::kKey, id}, period);
  EXPECT_GT(spent, 0);
  EXPECT_EQ(loaded->Spent({ledger::ScopeKind::kKey, id}, period), spent);
  EXPECT_EQ(FormatNanosAsUsd(spent), info["spend"].dump());
}

// Keys live in the ledger: after a restart they authenticate, keep their
// spend, and a revoked key stays revoked.
TEST_F(ClientKeys, KeysSurviveARestart) {
  StartGateway();
  const Json kept = Generate(R"({"key_alias":"kept","max_budget":"1"})");
  const std::string gone = Generate("{}")["key"];
  ASSERT_EQ(Chat(Bearer(kept["key"])).status, 200);
  ASSERT_EQ(Call("POST", "/key/delete", kAdmin, Json{{"keys", Json::array({gone})}}.dump()).status,
            200);
  const std::string spend_before =
      Json::parse(Call("GET", "/key/info?key=" + kept["key_id"].get<std::string>(), kAdmin).body)
          ["info"]["spend"].dump();
  gateway_->Stop();
  gateway_.reset();
  StartGateway();
  EXPECT_EQ(Chat(Bearer(kept["key"])).status, 200);
  EXPECT_EQ(Chat(Bearer(gone)).status, 401);
  const Json info = Json::parse(
      Call("GET", "/key/info?key=" + kept["key_id"].get<std::string>(), kAdmin).body)["info"];
  EXPECT_EQ(info["key_alias"], "kept");
  EXPECT_GT(*ParseUsd(info["spend"].dump()), *ParseUsd(spend_before));
}

// `ukairo audit --key/--team` and `audit spend --by key|team` attribute
// requests to keys and teams from the ledger alone.
TEST_F(ClientKeys, AuditByKeyAndTeam) {
  StartGateway();
  const Json team = Json::parse(Call("POST", "/team/new", kAdmin, R"({"team_id":"plat"})").body);
  const Json a = Generate(R"({"team_id":"plat"})");
  const Json b = Generate("{}");
  HttpResponse ra = Chat(Bearer(a["key"]));
  ASSERT_EQ(ra.status, 200);
  ASSERT_EQ(Chat(Bearer(b["key"])).status, 200);
  ASSERT_EQ(Chat(Bearer(b["key"])).status, 200);
  ASSERT_EQ(Chat(kAdmin).status, 200);
  gateway_->Stop();
  gateway_.reset();
  const auto events = ukairo::testing::ReadLedgerEvents(dir_.Sub("ledger"));
  const std::string month = FormatIso8601(events.back().time_micros).substr(0, 7);
  const std::string ledger = " --ledger " + dir_.Sub("ledger");
  auto spend = ukairo::testing::RunUkairo("audit spend --by team --json --period " + month + ledger);
  ASSERT_EQ(spend.exit_code, 0) << spend.output;
  EXPECT_NE(spend.output.find(R"("key":"plat")"), std::string::npos) << spend.output;
  EXPECT_NE(spend.output.find(R"("spend_usd":")" + ra.headers["x-ukairo-cost-usd"] + "\""),
            std::string::npos)
      << spend.output;
  spend = ukairo::testing::RunUkairo("audit spend --by key --json --period " + month + ledger);
  EXPECT_NE(spend.output.find(R"("attempts":2,"by":"key","key":")" +
                              b["key_id"].get<std::string>() + "\""),
            std::string::npos)
      << spend.output;
  EXPECT_NE(spend.output.find(R"("key":"master")"), std::string::npos) << spend.output;
  auto listed =
      ukairo::testing::RunUkairo("audit --json --kind request_completed --key " +
                                 b["key_id"].get<std::string>() + ledger);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  size_t lines = 0;
  for (char c : listed.output) lines += c == '\n';
  EXPECT_EQ(lines, 2u) << listed.output;
  auto by_team = ukairo::testing::RunUkairo("audit --json --team plat" + ledger);
  EXPECT_NE(by_team.output.find("team_created"), std::string::npos) << by_team.output;
  EXPECT_NE(by_team.output.find("key_issued"), std::string::npos) << by_team.output;
  EXPECT_NE(by_team.output.find("request_accepted"), std::string::npos) << by_team.output;
  EXPECT_EQ(by_team.output.find(b["key_id"].get<std::string>()), std::string::npos);
  (void)team;
}

// `ukairo keys` over the admin API, the master key from the environment.
TEST_F(ClientKeys, KeysCliCreatesListsShowsUpdatesRevokes) {
  StartGateway();
  setenv("UKAIRO_KEYS_CLI_TEST_KEY", kMasterKey, 1);
  const std::string common = " --url http://127.0.0.1:" + std::to_string(gateway_->port()) +
                             " --master-key-env UKAIRO_KEYS_CLI_TEST_KEY";
  auto run = [&](const std::string& args, std::string* out) {
    out->clear();  // RunCommand appends
    return ukairo::testing::RunCommand(ukairo::testing::UkairoBinary() + " keys " + args + common +
                                           " 2>&1",
                                       out);
  };
  std::string out;
  ASSERT_EQ(run("create --alias cli --max-budget-usd 5 --models premium --json", &out), 0) << out;
  const Json created = Json::parse(out);
  const std::string secret = created["key"], id = created["key_id"];
  EXPECT_EQ(Chat(Bearer(secret)).status, 200);
  ASSERT_EQ(run("list --json", &out), 0) << out;
  EXPECT_NE(out.find(id), std::string::npos) << out;
  EXPECT_EQ(out.find(secret), std::string::npos) << out;
  ASSERT_EQ(run("show " + id, &out), 0) << out;
  EXPECT_NE(out.find("cli"), std::string::npos) << out;
  ASSERT_EQ(run("update " + id + " --rpm 7 --json", &out), 0) << out;
  EXPECT_EQ(Json::parse(out)["rpm_limit"], 7);
  ASSERT_EQ(run("revoke " + id, &out), 0) << out;
  EXPECT_EQ(Chat(Bearer(secret)).status, 401);
  EXPECT_EQ(run("show k-nope", &out), 1) << out;
  EXPECT_EQ(run("create --max-budget-usd 1.2.3", &out), 2) << out;
  out.clear();
  EXPECT_EQ(ukairo::testing::RunCommand(ukairo::testing::UkairoBinary() + " keys create" +
                                            " --master-key-env UKAIRO_KEYS_CLI_UNSET 2>&1",
                                        &out),
            2)
      << out;
  EXPECT_NE(out.find("UKAIRO_KEYS_CLI_UNSET is not set"), std::string::npos) << out;
  out.clear();
  ASSERT_EQ(ukairo::testing::RunCommand(ukairo::testing::UkairoBinary() + " keys --help", &out), 0);
  for (const char* sub : {"create", "list", "show", "update", "revoke"}) {
    EXPECT_NE(out.find(sub), std::string::npos) << sub;
  }
}

}  // namespace
}  // namespace ukairo::gateway
