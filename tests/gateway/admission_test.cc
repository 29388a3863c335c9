// Admission limits of the live gateway (issue: every container that grows
// with traffic has a _max): past requests_in_flight_max a new request gets
// 503 with Retry-After at once, nothing is recorded for it and nothing is
// sent upstream; the requests already admitted finish normally.
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "router/config/loader.h"
#include "router/gateway/gateway.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::HttpRequest;
using ::ukairo::testing::HttpResponse;

const char* kBody = R"({"model":"premium","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";

// A gateway in front of `fleet` (premium, then backup) with `o`'s limits.
std::unique_ptr<Gateway> StartGateway(const testing::TempDir& dir,
                                      const testing::FakeFleet& fleet, GatewayOptions o) {
  const std::string path = dir.Sub("config.yaml");
  std::ofstream(path) << fleet.ModelListYaml() << R"(ukairo:
  default_tag: Build
  tiers:
    - {name: build, tags: [Build], chain: [premium, backup]}
)";
  auto config = router::LoadConfigFile(path);
  EXPECT_OK(config);
  if (!config.ok()) return nullptr;
  o.port = 0;
  o.ledger_dir = dir.Sub("ledger");
  auto gw = Gateway::Start(o, *config);
  EXPECT_OK(gw);
  return gw.ok() ? std::move(*gw) : nullptr;
}

TEST(GatewayAdmission, RequestsInFlightMaxRefusesWith503AndRecordsNothing) {
  testing::TempDir dir;
  testing::FakeFleet fleet;
  ASSERT_NO_FATAL_FAILURE(fleet.Start(2));
  FakeBehavior slow;
  slow.latency_ms = 3000;  // holds the two admitted requests while the third arrives
  fleet.fakes[0]->SetBehavior(slow);

  GatewayOptions o;
  o.requests_in_flight_max = 2;
  std::unique_ptr<Gateway> gw = StartGateway(dir, fleet, o);
  ASSERT_NE(gw, nullptr);
  const uint16_t port = gw->port();

  Result<HttpResponse> first = Status::Unavailable("not sent"), second = first;
  std::thread a([&] { first = HttpRequest("POST", port, "/v1/chat/completions", kBody, {}, 10'000); });
  std::thread b([&] { second = HttpRequest("POST", port, "/v1/chat/completions", kBody, {}, 10'000); });
  // Both admitted requests are at the (slow) upstream before the third comes.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (fleet.fakes[0]->stats().requests < 2 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(fleet.fakes[0]->stats().requests, 2u);

  auto third = HttpRequest("POST", port, "/v1/chat/completions", kBody);
  ASSERT_OK(third);
  EXPECT_EQ(third->status, 503) << third->body;
  EXPECT_EQ(third->headers["retry-after"], "1");
  auto error = nlohmann::json::parse(third->body);
  EXPECT_EQ(error["error"]["code"], "overloaded");
  EXPECT_NE(error["error"]["message"].get<std::string>().find("2 requests in flight"),
            std::string::npos);

  a.join();
  b.join();
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(fleet.fakes[0]->stats().requests, 2u) << "the refused request reached no upstream";
  EXPECT_EQ(fleet.fakes[1]->stats().requests, 0u);

  auto metrics = HttpRequest("GET", port, "/metrics");
  ASSERT_OK(metrics);
  EXPECT_NE(metrics->body.find("ukairo_refused_overload_total 1\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("ukairo_requests_in_flight 0\n"), std::string::npos);
  EXPECT_EQ(gw->counters().refused_overload, 1u);
  gw->Stop();
  fleet.Stop();

  size_t accepted = 0;
  for (const ledger::Event& e : testing::ReadLedgerEvents(dir.Sub("ledger"))) {
    if (std::holds_alternative<ledger::RequestAccepted>(e.body)) ++accepted;
  }
  EXPECT_EQ(accepted, 2u) << "a refused request leaves no event";
}

// A ledger writer that is behind refuses new work rather than letting its
// queue grow: with --fsync and a 1 s group-commit window each append takes
// a second, so the events of the first request wait in the queue while a
// second request arrives.
TEST(GatewayAdmission, LedgerQueueEventsMaxRefusesWith503) {
  testing::TempDir dir;
  testing::FakeFleet fleet;
  ASSERT_NO_FATAL_FAILURE(fleet.Start(2));
  GatewayOptions o;
  o.durability = ledger::Durability::kFsync;
  o.group_commit_window_micros = 1'000'000;
  o.ledger_queue_events_max = 1;
  std::unique_ptr<Gateway> gw = StartGateway(dir, fleet, o);
  ASSERT_NE(gw, nullptr);
  const uint16_t port = gw->port();

  // Each round: one request whose events will sit in the queue behind the
  // slow append, then, once /metrics shows them waiting, a second request.
  // The writer may take the queue between the look at /metrics and the
  // second request's admission (a loaded machine stretches that moment), so
  // a second request that got in is counted and the next round tries again.
  std::optional<HttpResponse> refused;
  uint64_t admitted = 0;
  for (int round = 0; round < 5 && !refused; ++round) {
    Result<HttpResponse> filler = Status::Unavailable("not sent");
    std::thread t([&] { filler = HttpRequest("POST", port, "/v1/chat/completions", kBody, {}, 10'000); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    bool queued = false;
    while (!queued && std::chrono::steady_clock::now() < give_up) {
      auto metrics = HttpRequest("GET", port, "/metrics");
      queued = metrics.ok() &&
               metrics->body.find("ukairo_ledger_queue_events 0\n") == std::string::npos;
    }
    auto next = HttpRequest("POST", port, "/v1/chat/completions", kBody, {}, 10'000);
    t.join();
    ASSERT_TRUE(queued) << "round " << round << ": no event ever waited in the queue";
    ASSERT_OK(filler);
    EXPECT_EQ(filler->status, 200) << filler->body;
    ++admitted;
    ASSERT_OK(next);
    if (next->status == 503) {
      refused = *next;
    } else {
      EXPECT_EQ(next->status, 200) << next->body;
      ++admitted;
    }
  }
  ASSERT_TRUE(refused.has_value()) << "no request was refused in 5 rounds";
  EXPECT_EQ(refused->headers["retry-after"], "1");
  EXPECT_EQ(nlohmann::json::parse(refused->body)["error"]["code"], "ledger_queue_full");
  EXPECT_EQ(fleet.fakes[0]->stats().requests, admitted) << "the refused request reached no upstream";
  EXPECT_EQ(gw->counters().refused_ledger_queue, 1u);
  gw->Stop();
  fleet.Stop();
}

TEST(GatewayAdmission, LimitsOutsideTheirRangeAreRefusedAtStart) {
  testing::TempDir dir;
  auto config = router::ParseConfig(R"(model_list:
  - model_name: m
    litellm_params: {model: openai/m, api_base: "http://127.0.0.1:9/v1"}
)", "inline.yaml", {});
  ASSERT_OK(config);
  GatewayOptions o;
  o.port = 0;
  o.ledger_dir = dir.Sub("ledger");
  o.requests_in_flight_max = 0;
  auto gw = Gateway::Start(o, *config);
  ASSERT_FALSE(gw.ok());
  EXPECT_NE(gw.status().message().find("requests_in_flight_max"), std::string::npos);
  o.requests_in_flight_max = 1;
  o.ledger_queue_events_max = 0;
  gw = Gateway::Start(o, *config);
  ASSERT_FALSE(gw.ok());
  EXPECT_NE(gw.status().message().find("ledger_queue_events_max"), std::string::npos);
}

}  // namespace
}  // namespace ukairo::gateway
