// Goal: the seed's exceptions (§7) — everything unavailable → the local last
// resort, recorded as such; if it fails too, one error naming every attempt;
// every request ends within a bounded number of attempts and bounded time;
// a config change mid-flight loses no request. Method: scripted failures in
// virtual time, then checks on responses, events and the projection.
#include <gtest/gtest.h>

#include "router/core/rng.h"
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

namespace ukairo::router::testing {
namespace {

TEST(CoreExceptions, StaleAndDuplicateInputsAreIgnored) {
  Harness h(SeedConfig());
  h.Request("r1", "Spec");
  h.Request("r1", "Spec");  // same id while in flight
  EXPECT_EQ(h.Response("r1")->http_status, 409u);
  EXPECT_TRUE(h.last().events.empty());
  h.Ok("r1");
  const size_t events = h.log().size();
  h.Ok("r1");  // a duplicate result
  h.Collect([&](Actions& a) { h.core().OnTimer(123456, h.now(), a); });
  EXPECT_EQ(h.log().size(), events);
  EXPECT_EQ(h.core().stats().stale_inputs, 3u);
}

// Liveness under random faults: every request ends within the attempt bound,
// and once faults stop and probes succeed every deployment is healthy again.
TEST(CoreExceptions, FuzzEveryRequestEndsAndHealthRecovers) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto c = SeedConfig();
    c->cooldown.allowed_fails = 2;
    Harness h(c, seed);
    Rng rng(seed * 7919);
    std::vector<std::string> waiting;
    std::map<std::string, uint32_t> attempts;
    size_t scanned = 0;
    static const char* kTags[] = {"Spec", "Build", "Chores", ""};
    for (int i = 0; i < 2000 || !waiting.empty();) {
      if (i < 2000 && (waiting.empty() || rng.Chance(1, 2))) {
        const std::string id = "f" + std::to_string(i++);
        h.Request(id, kTags[rng.Below(4)]);
      } else if (!waiting.empty()) {
        const size_t k = rng.Below(waiting.size());
        const std::string id = waiting[k];
        waiting.erase(waiting.begin() + static_cast<long>(k));
        static const Outcome kOutcomes[] = {Outcome::kOk,          Outcome::kOk,
                                            Outcome::kRateLimited, Outcome::kServerError,
                                            Outcome::kTimeout,     Outcome::kConnectionError,
                                            Outcome::kAuthError,   Outcome::kContextWindow};
        h.Result(id, kOutcomes[rng.Below(8)], 0, 100, 100, rng.Chance(1, 2) ? 2000 : -1);
      }
      h.Advance(static_cast<int64_t>(rng.Below(500'000)));
      const size_t probes_before = h.probes_sent.size();
      h.RunTimersUntil(h.now());
      if (i >= 2000 && waiting.empty()) h.RunTimersUntil(h.now() + Seconds(60));
      for (size_t p = probes_before; p < h.probes_sent.size(); ++p) {
        h.Probe(h.probes_sent[p], rng.Chance(1, 3));
      }
      // Every attempt started since the last look now waits for its result.
      for (; scanned < h.log().size(); ++scanned) {
        if (const auto* a = std::get_if<ledger::AttemptStarted>(&h.log()[scanned].body)) {
          waiting.push_back(a->request_id);
          ASSERT_LE(++attempts[a->request_id], RouterCore::kAttemptsPerRequestMax);
        }
      }
    }
    EXPECT_EQ(h.core().requests_in_flight(), 0u) << seed;
    EXPECT_EQ(h.Events<ledger::RequestCompleted>().size(), 2000u);
    // Faults stop: every probe succeeds from now on.
    for (int round = 0; round < 5; ++round) {
      const size_t probed = h.probes_sent.size();
      h.RunTimersUntil(h.now() + Seconds(301));
      for (size_t p = probed; p < h.probes_sent.size(); ++p) h.Probe(h.probes_sent[p], true);
    }
    for (const auto& dep : c->deployments) {
      EXPECT_EQ(h.State(dep.id), ledger::DeploymentState::kHealthy) << dep.id << " seed " << seed;
    }
    h.ExpectProjectionMatchesLog();
  }
}

}  // namespace
}  // namespace ukairo::router::testing
