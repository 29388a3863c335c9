// Goal: the seed's exceptions (§7) — everything unavailable → the local last
// resort, recorded as such; if it fails too, one error naming every attempt;
// every request ends within a bounded number of attempts and bounded time;
// a config change mid-flight loses no request. Method: scripted failures in
// virtual time, then checks on responses, events and the projection.
#include <gtest/gtest.h>

#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

using ledger::DeploymentState;

// Rate-limits opus, sonnet, pro and flash for an hour through one request.
void RateLimitAllPaid(Harness& h) {
  h.Request("rl", "Spec");
  for (int i = 0; i < 4 && h.SentTo("rl") != "local-1"; ++i) {
    h.Result("rl", Outcome::kRateLimited, 429, 0, 0, 3'600'000);
  }
  EXPECT_EQ(h.SentTo("rl"), "local-1");
  h.Ok("rl", 100, 100);
}

TEST(CoreExceptions, AllDownUsesLocalLastResortEvenIfItLooksDown) {
  auto c = SeedConfig();
  c->retry.retry_after_max_ms = 3'600'000;
  Harness h(c);
  h.Request("l", "Chores");
  h.Result("l", Outcome::kRateLimited, 429);  // flash; then local
  ASSERT_EQ(h.SentTo("l"), "local-1");
  for (int i = 0; i < 4; ++i) {
    h.Result("l", Outcome::kConnectionError, 0);
    h.RunTimersUntil(h.now() + Seconds(9));
  }
  ASSERT_EQ(h.State("local-1"), DeploymentState::kDown);
  RateLimitAllPaid(h);  // local is down, but as last resort it still got "rl"
  EXPECT_TRUE(h.Response("rl")->last_resort);
  auto done = h.Events<ledger::RequestCompleted>();
  EXPECT_TRUE(done.back().last_resort);
  EXPECT_EQ(done.back().final_deployment, "local-1");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreExceptions, LastResortFailsTooGivesOneErrorListingEveryAttempt) {
  auto c = SeedConfig();
  c->retry.num_retries = 0;
  Harness h(c);
  h.Request("r1", "Spec");
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(h.SentTo("r1").empty()) << i;
    h.Result("r1", Outcome::kServerError, 502);
  }
  const Respond* r = h.Response("r1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->http_status, 503u);
  EXPECT_EQ(r->error.code, "all_deployments_failed");
  ASSERT_EQ(r->attempt_list.size(), 5u);
  std::vector<std::string> order;
  for (const auto& a : r->attempt_list) order.push_back(a.deployment);
  EXPECT_EQ(order, (std::vector<std::string>{"opus-1", "sonnet-1", "pro-1", "flash-1", "local-1"}));
  for (const auto& d : order) EXPECT_NE(r->error.message.find(d), std::string::npos);
  EXPECT_EQ(h.core().requests_in_flight(), 0u);
  h.ExpectProjectionMatchesLog();
}

TEST(CoreExceptions, AttemptsAreBounded) {
  auto c = SeedConfig();
  c->retry.num_retries = 3;
  c->retry.backoff_ms = {1};
  c->cooldown.allowed_fails = 1000;
  for (int i = 0; i < 40; ++i) {
    AddDeployment(*c, MakeDeployment("extra-" + std::to_string(i), "claude-opus", 15, 75));
  }
  Harness h(c);
  h.Request("r1", "Spec");
  int results = 0;
  while (h.Response("r1") == nullptr && results < 1000) {
    h.Result("r1", Outcome::kServerError, 500);
    ++results;
    h.RunTimersUntil(h.now() + Seconds(1));
  }
  ASSERT_NE(h.Response("r1"), nullptr);
  EXPECT_EQ(results, static_cast<int>(RouterCore::kAttemptsPerRequestMax));
  EXPECT_EQ(h.Response("r1")->attempts, RouterCore::kAttemptsPerRequestMax);
  EXPECT_FALSE(h.Response("r1")->ok());
}

TEST(CoreExceptions, TimeIsBounded) {
  auto c = SeedConfig();
  c->request_timeout_ms = 10'000;
  c->cooldown.allowed_fails = 1000;
  Harness h(c);
  const int64_t t0 = h.now();
  h.Request("r1", "Spec");
  EXPECT_LE(h.last().sends[0].timeout_ms, 10'000);
  h.Advance(Seconds(1));
  h.Result("r1", Outcome::kServerError, 500);  // retry at +2 s
  h.RunTimersUntil(h.now() + Seconds(2));
  h.Advance(Seconds(3));
  h.Result("r1", Outcome::kServerError, 500);  // +4 s backoff would pass 6 s: no more retries
  // Falls back to sonnet with what is left of the deadline.
  ASSERT_EQ(h.SentTo("r1"), "sonnet-1");
  EXPECT_LE(h.now() + h.last().sends[0].timeout_ms * 1000, t0 + Seconds(10));
  h.SetNow(t0 + Seconds(10));
  h.Result("r1", Outcome::kTimeout, 0);
  const Respond* r = h.Response("r1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->http_status, 504u);
  EXPECT_EQ(r->error.code, "request_timeout");
}

TEST(CoreExceptions, ConfigChangeMidFlightLosesNoRequest) {
  auto c = SeedConfig();
  Harness h(c);
  h.Request("a", "Spec");   // in flight on opus
  h.Request("b", "Build");  // in flight on sonnet
  auto next = SeedConfig();
  next->deployments.erase(next->deployments.begin());  // opus-1 removed
  next->groups.clear();
  for (size_t i = 0; i < next->deployments.size(); ++i) {
    auto& g = next->groups[next->deployments[i].model_group];
    g.name = next->deployments[i].model_group;
    g.deployments.push_back(i);
  }
  next->groups["claude-opus"].name = "claude-opus";  // an empty group
  h.Collect([&](Actions& a) { h.core().OnConfig(next, h.now(), a); });
  h.Result("a", Outcome::kServerError, 500);
  EXPECT_EQ(h.SentTo("a"), "sonnet-1");
  h.Ok("a");
  h.Ok("b");
  EXPECT_TRUE(h.Response("a")->ok());
  EXPECT_TRUE(h.Response("b")->ok());
  EXPECT_EQ(h.core().requests_in_flight(), 0u);
  EXPECT_EQ(h.core().projection().open_reservations().size(), 0u);
  h.ExpectProjectionMatchesLog();
}

}  // namespace
}  // namespace ukairo::router::testing
