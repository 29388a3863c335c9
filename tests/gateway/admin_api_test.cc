// What the dashboard adds to the admin API, over real HTTP on 127.0.0.1 with a
// fake provider and a RocksDB ledger in a temp dir: the period-end forecast in
// /budgets (checked against the formula with the clock bracketed around the
// call), the /timeline tail with its cursor, and the embedded /ui files.
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>

#include "base/money.h"
#include "ledger/period.h"
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

const char* kMasterKey = "sk-admin-api-master";

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AdminApi : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("UKAIRO_ADMIN_API_MASTER", kMasterKey, 1);
    ASSERT_NO_FATAL_FAILURE(fleet_.Start(2));
  }
  void TearDown() override {
    gateway_.reset();
    fleet_.Stop();
  }

  // Each premium request costs $0.00104 (see gateway_e2e_test.cc).
  void StartGateway(const std::string& premium_budget) {
    const std::string yaml = fleet_.ModelListYaml() + R"(general_settings:
  master_key: os.environ/UKAIRO_ADMIN_API_MASTER
ukairo:
  default_tag: Spec
  tiers:
    - {name: high, tags: [Spec], chain: [premium, backup]}
  budgets:
    model: {premium: ")" + premium_budget + R"("}
  alerts:
    - {threshold_pct: 80, action: notify}
    - {threshold_pct: 90, action: warn}
    - {threshold_pct: 100, action: stop_and_fallback}
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
  }

  std::string Chat() {
    auto r = HttpRequest("POST", gateway_->port(), "/v1/chat/completions",
                         R"({"model":"high","max_tokens":10,
                             "messages":[{"role":"user","content":"hello world, hello"}]})",
                         {{"x-ukairo-tag", "Spec"},
                          {"authorization", std::string("Bearer ") + kMasterKey}});
    EXPECT_OK(r);
    EXPECT_EQ(r.ok() ? r->status : 0, 200);
    return r.ok() ? r->headers["x-ukairo-model-group"] : "";
  }

  Json Admin(const std::string& target, int want_status = 200) {
    auto r = HttpRequest("GET", gateway_->port(), target, "",
                         {{"authorization", std::string("Bearer ") + kMasterKey}});
    EXPECT_OK(r);
    if (!r.ok()) return Json();
    EXPECT_EQ(r->status, want_status) << target << ": " << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  static NanoUsd Usd(const Json& text) {
    auto v = ParseUsd(text.get<std::string>());
    EXPECT_OK(v);
    return v.ok() ? *v : -1;
  }

  testing::TempDir dir_;
  ukairo::testing::FakeFleet fleet_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(AdminApi, BudgetsForecastSpendToPeriodEnd) {
  StartGateway("1");
  Chat();
  Chat();
  const int64_t before = WallMicros();
  Json b = Admin("/budgets");
  const int64_t after = WallMicros();
  const int32_t period = b["period"].get<int32_t>();
  const int64_t start = PeriodStartMicros(period), end = PeriodEndMicros(period);
  ASSERT_LE(start, before);
  EXPECT_EQ(b["period_start"], FormatIso8601(start));
  EXPECT_EQ(b["period_end"], FormatIso8601(end));
  Json s = b["scopes"][0];
  const NanoUsd spent = Usd(s["spent_usd"]), forecast = Usd(s["forecast_usd"]);
  EXPECT_EQ(spent, 2 * 1'040'000);
  EXPECT_EQ(s["reserved_basis_points"], 0);
  // spent × period / elapsed, with "now" somewhere between before and after.
  auto formula = [&](int64_t now) {
    __extension__ typedef __int128 Int128;
    return static_cast<NanoUsd>(static_cast<Int128>(spent) * (end - start) / (now - start));
  };
  EXPECT_LE(forecast, formula(before) + 1);
  EXPECT_GE(forecast, formula(after) - 1);
  EXPECT_GE(forecast, spent);
  EXPECT_EQ(s["forecast_basis_points"], forecast * 10000 / 1'000'000'000);
  const int64_t elapsed_bp = b["period_elapsed_basis_points"].get<int64_t>();
  EXPECT_GE(elapsed_bp, (before - start) * 10000 / (end - start));
  EXPECT_LE(elapsed_bp, (after - start) * 10000 / (end - start));
}

TEST_F(AdminApi, TimelineIsATailWithAnExactCursor) {
  StartGateway("0.0045");
  std::string last_group;
  for (int i = 0; i < 6; ++i) last_group = Chat();
  ASSERT_EQ(last_group, "backup");  // stopped: falls back

  // Everything in the ledger, to compare against.
  Json all = Admin("/audit?limit=1000");
  const uint64_t last_seq = all["events"].back()["seq"].get<uint64_t>();
  std::vector<std::string> notable;
  for (const auto& e : all["events"]) {
    const std::string kind = e["kind"];
    if (kind != "request_accepted" && kind != "attempt_started" && kind != "attempt_finished" &&
        kind != "request_completed" && kind != "health_probe") {
      notable.push_back(kind + "#" + std::to_string(e["seq"].get<uint64_t>()));
    }
  }

  Json t = Admin("/timeline");
  EXPECT_EQ(t["cursor"].get<uint64_t>(), last_seq);
  EXPECT_EQ(t["more"], false);
  std::vector<std::string> got;
  for (const auto& e : t["events"]) {
    got.push_back(e["kind"].get<std::string>() + "#" + std::to_string(e["seq"].get<uint64_t>()));
  }
  EXPECT_EQ(got, notable);
  int alerts = 0, stops = 0, fallbacks = 0;
  for (const auto& e : t["events"]) {
    alerts += e["kind"] == "budget_alert";
    stops += e["kind"] == "budget_stopped";
    fallbacks += e["kind"] == "fallback_taken";
  }
  EXPECT_EQ(alerts, 3);
  EXPECT_EQ(stops, 1);
  EXPECT_GE(fallbacks, 1);

  // limit keeps the newest; kinds filters.
  Json newest = Admin("/timeline?limit=1");
  ASSERT_EQ(newest["count"], 1);
  EXPECT_EQ(newest["events"][0]["seq"], t["events"].back()["seq"]);
  Json only_alerts = Admin("/timeline?kinds=budget_alert");
  EXPECT_EQ(only_alerts["count"], 3);

  // Polling with the cursor reads only what is new, even when nothing is.
  Json idle = Admin("/timeline?after_seq=" + std::to_string(last_seq));
  EXPECT_EQ(idle["count"], 0);
  EXPECT_EQ(idle["cursor"].get<uint64_t>(), last_seq);
  EXPECT_EQ(Chat(), "backup");
  Json fresh = Admin("/timeline?after_seq=" + std::to_string(last_seq));
  ASSERT_GE(fresh["count"].get<int>(), 1);
  for (const auto& e : fresh["events"]) EXPECT_GT(e["seq"].get<uint64_t>(), last_seq);
  EXPECT_EQ(fresh["events"].back()["kind"], "fallback_taken");
  EXPECT_GT(fresh["cursor"].get<uint64_t>(), last_seq);

  // Bad input and no key.
  Admin("/timeline?after_seq=x", 400);
  Admin("/timeline?since=yesterday", 400);
  auto anonymous = HttpRequest("GET", gateway_->port(), "/timeline");
  ASSERT_OK(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_F(AdminApi, DashboardFilesAreServedWithoutAKey) {
  StartGateway("1");
  struct Want {
    const char* target;
    const char* type_prefix;
    const char* contains;
  };
  for (Want w : {Want{"/ui", "text/html", "Master key"}, Want{"/ui/", "text/html", "<main"},
                 Want{"/ui/app.js", "text/javascript", "/timeline"},
                 Want{"/ui/style.css", "text/css", "@media"},
                 Want{"/ui/favicon.svg", "image/svg+xml", "<svg"}}) {
    auto r = HttpRequest("GET", gateway_->port(), w.target);
    ASSERT_OK(r);
    EXPECT_EQ(r->status, 200) << w.target;
    EXPECT_EQ(r->headers["content-type"].rfind(w.type_prefix, 0), 0u) << w.target;
    EXPECT_NE(r->body.find(w.contains), std::string::npos) << w.target;
  }
  auto missing = HttpRequest("GET", gateway_->port(), "/ui/nope.js");
  ASSERT_OK(missing);
  EXPECT_EQ(missing->status, 404);
}

}  // namespace
}  // namespace ukairo::gateway
