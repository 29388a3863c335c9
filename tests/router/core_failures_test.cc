// Goal: R-2203 — rate limits, failures with retries and backoff, cooldown,
// client errors, auth errors and context-window errors each lead to the
// configured decision and are recorded. Method: scripted upstream results
// against the core in virtual time; assertions on actions, events and the
// deployment states in the core's projection.
#include <gtest/gtest.h>

#include "router/core/internal/backoff.h"
#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

using ledger::DeploymentState;
using ledger::FallbackReason;

TEST(CoreFailures, RateLimitSwitchesAtOnceUntilRetryAfter) {
  Harness h(SeedConfig());
  h.Request("r1", "Spec");
  h.Result("r1", Outcome::kRateLimited, 429, 0, 0, /*retry_after_ms=*/20'000);
  EXPECT_EQ(h.SentTo("r1"), "sonnet-1");  // no wait, no retry
  EXPECT_TRUE(h.Events<ledger::RetryScheduled>().empty());
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kRateLimited);
  EXPECT_EQ(h.core().projection().Deployment("opus-1").until_micros, h.now() + Seconds(20));
  h.Ok("r1");
  h.Request("r2", "Spec");
  EXPECT_EQ(h.SentTo("r2"), "sonnet-1");  // still rate limited
  h.Ok("r2");
  h.RunTimersUntil(h.now() + Seconds(20));  // the deadline timer recovers it
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kHealthy);
  auto rec = h.Events<ledger::Recovered>();
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].confirmed_by, ledger::RecoveryConfirmation::kDeadlinePassed);
  h.Request("r3", "Spec");
  EXPECT_EQ(h.SentTo("r3"), "opus-1");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreFailures, BrokenStreamAfterOutputEndsTheRequestWithoutFallback) {
  Harness h(SeedConfig());
  h.Request("r1", "Spec");
  EXPECT_EQ(h.SentTo("r1"), "opus-1");
  // The stream broke after part of it reached the client: replacing it with
  // another model's answer would garble what the client already has.
  h.Result("r1", Outcome::kConnectionError, 0, 100, 20, -1, /*delivered_partially=*/true);
  const Respond* r = h.Response("r1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->http_status, 502u);
  EXPECT_EQ(r->error.code, "upstream_stream_interrupted");
  EXPECT_TRUE(h.Events<ledger::RetryScheduled>().empty());
  EXPECT_TRUE(h.Events<ledger::FallbackTaken>().empty());
  h.ExpectProjectionMatchesLog();
}

// A stream that breaks midway is a failure of its deployment: past
// allowed_fails the deployment cools down like after any 5xx, live and when
// a restarted core refolds the log (WarmUp counts the failed finishes).
TEST(CoreFailures, BrokenStreamsCountTowardCooldown) {
  auto c = SeedConfig();
  c->cooldown.allowed_fails = 1;
  Harness h(c);
  for (const char* id : {"r1", "r2"}) {
    h.Request(id, "Spec");
    EXPECT_EQ(h.SentTo(id), "opus-1");
    h.Result(id, Outcome::kConnectionError, 0, 100, 20, -1, /*delivered_partially=*/true);
  }
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kCoolingDown);
  h.Request("r3", "Spec");
  EXPECT_EQ(h.SentTo("r3"), "sonnet-1");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreFailures, RetryAfterIsCappedAndDefaultsToCooldown) {
  auto c = SeedConfig();
  c->retry.retry_after_max_ms = 5'000;
  Harness h(c);
  h.Request("r1", "Spec");
  h.Result("r1", Outcome::kRateLimited, 429, 0, 0, 3'600'000);
  EXPECT_EQ(h.core().projection().Deployment("opus-1").until_micros, h.now() + Seconds(5));
  h.Result("r1", Outcome::kRateLimited, 429);  // sonnet, no Retry-After
  EXPECT_EQ(h.core().projection().Deployment("sonnet-1").until_micros, h.now() + Seconds(60));
}

TEST(CoreFailures, OwnRpmLimitSwitchesToNextModel) {
  auto c = SeedConfig();
  c->deployments[0].rpm = 2;
  Harness h(c);
  for (const char* id : {"a", "b"}) {
    h.Request(id, "Spec");
    EXPECT_EQ(h.SentTo(id), "opus-1");
    h.Ok(id);
  }
  h.Request("c", "Spec");
  EXPECT_EQ(h.SentTo("c"), "sonnet-1");
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kRateLimited);
  auto fb = h.Events<ledger::FallbackTaken>();
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fb[0].reason, FallbackReason::kRateLimit);
  EXPECT_EQ(fb[0].from_deployment, "");  // skipped before any attempt
  h.Ok("c");
  h.Advance(Seconds(61));  // the window slides
  h.Request("d", "Spec");
  EXPECT_EQ(h.SentTo("d"), "opus-1");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreFailures, ServerErrorsRetryWithBackoffThenFallBack) {
  auto c = SeedConfig();
  c->cooldown.allowed_fails = 10;  // keep cooldown out of this test
  Harness h(c);
  h.Request("r1", "Spec");
  const int64_t t0 = h.now();
  std::vector<int64_t> sent_at;
  for (int i = 0; i < 3; ++i) {
    h.Result("r1", Outcome::kServerError, 503);
    EXPECT_TRUE(h.last().sends.empty());
    h.RunTimersUntil(h.now() + Seconds(10));
    sent_at.push_back(h.now());
    // RunTimersUntil leaves the clock at the horizon; the retry was sent at its timer.
  }
  auto retries = h.Events<ledger::RetryScheduled>();
  ASSERT_EQ(retries.size(), 3u);
  EXPECT_EQ(retries[0].backoff_ms, 2000);
  EXPECT_EQ(retries[1].backoff_ms, 4000);
  EXPECT_EQ(retries[2].backoff_ms, 8000);
  auto started = h.Events<ledger::AttemptStarted>();
  ASSERT_EQ(started.size(), 4u);
  EXPECT_EQ(started[3].try_on_deployment, 4u);
  EXPECT_EQ(started[3].deployment, "opus-1");
  h.Result("r1", Outcome::kTimeout, 0);  // 4th failure: retries spent
  EXPECT_EQ(h.SentTo("r1"), "sonnet-1");
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kDown);
  auto fb = h.Events<ledger::FallbackTaken>();
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fb[0].reason, FallbackReason::kFailure);
  EXPECT_EQ(fb[0].from_deployment, "opus-1");
  EXPECT_EQ(fb[0].to_deployment, "sonnet-1");
  (void)t0;
  h.ExpectProjectionMatchesLog();
}

TEST(CoreFailures, BackoffJitterStaysInBounds) {
  RetryPolicy p;
  p.backoff_ms = {2000, 4000, 8000};
  p.jitter_pct = 25;
  Rng rng(3);
  for (uint32_t retry = 1; retry <= 5; ++retry) {
    const int64_t base = p.backoff_ms[std::min<size_t>(retry - 1, 2)];
    for (int i = 0; i < 1000; ++i) {
      const int64_t ms = BackoffMs(p, retry, rng);
      EXPECT_GE(ms, base * 75 / 100);
      EXPECT_LE(ms, base * 125 / 100);
    }
  }
  p.jitter_pct = 0;
  EXPECT_EQ(BackoffMs(p, 2, rng), 4000);
}

TEST(CoreFailures, AllowedFailsCoolsDownAndFailingAgainExtends) {
  auto c = SeedConfig();
  c->cooldown.allowed_fails = 1;
  Harness h(c);
  h.Request("a", "Spec");
  h.Request("b", "Spec");
  h.Request("x", "Spec");
  h.Result("a", Outcome::kServerError, 500);  // 1 failure: allowed, a retries later
  EXPECT_EQ(h.Events<ledger::RetryScheduled>().size(), 1u);
  h.Advance(Seconds(1));
  h.Result("b", Outcome::kServerError, 502);  // 2 > 1: cooling for 60 s, no retry
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kCoolingDown);
  EXPECT_EQ(h.SentTo("b"), "sonnet-1");
  EXPECT_EQ(h.Events<ledger::FallbackTaken>().back().reason, FallbackReason::kCooldown);
  const int64_t first_until = h.core().projection().Deployment("opus-1").until_micros;
  EXPECT_EQ(first_until, h.now() + Seconds(60));
  h.RunTimersUntil(h.now() + Seconds(2));  // a's retry finds opus cooling
  EXPECT_EQ(h.Events<ledger::RetryScheduled>().size(), 1u);
  EXPECT_EQ(h.Events<ledger::AttemptStarted>().back().deployment, "sonnet-1");
  h.Advance(Seconds(5));
  h.Result("x", Outcome::kConnectionError, 0);  // was in flight: extends the deadline
  EXPECT_EQ(h.core().projection().Deployment("opus-1").until_micros, h.now() + Seconds(60));
  EXPECT_GT(h.now() + Seconds(60), first_until);
  h.Request("c", "Spec");
  EXPECT_EQ(h.SentTo("c"), "sonnet-1");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreFailures, ClientErrorGoesToClientWithoutRetry) {
  Harness h(SeedConfig());
  for (uint32_t status : {400u, 404u, 422u}) {
    const std::string id = "r" + std::to_string(status);
    h.Request(id, "Spec");
    h.Result(id, Outcome::kClientError, status);
    EXPECT_TRUE(h.last().sends.empty());
    ASSERT_NE(h.Response(id), nullptr);
    EXPECT_EQ(h.Response(id)->http_status, status);
    EXPECT_EQ(h.Response(id)->error.type, "invalid_request_error");
  }
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kHealthy);
  EXPECT_TRUE(h.Events<ledger::RetryScheduled>().empty());
}

TEST(CoreFailures, AuthErrorMarksMisconfiguredAndFallsBack) {
  Harness h(SeedConfig());
  h.Request("r1", "Spec");
  h.Result("r1", Outcome::kAuthError, 401);
  EXPECT_EQ(h.SentTo("r1"), "sonnet-1");
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kMisconfigured);
  EXPECT_EQ(h.Events<ledger::FallbackTaken>()[0].reason, FallbackReason::kMisconfigured);
  h.Request("r2", "Spec");
  EXPECT_EQ(h.SentTo("r2"), "sonnet-1");
}

TEST(CoreFailures, ContextWindowUsesContextFallbacks) {
  auto c = SeedConfig();
  c->context_window_fallbacks["claude-opus"] = {"gemini-3-pro"};
  c->deployments[2].max_input_tokens = 1'000'000;
  c->deployments[1].max_input_tokens = 200'000;
  Harness h(c);
  h.Request("r1", "Spec", 300'000);
  h.Result("r1", Outcome::kContextWindow, 400);
  EXPECT_EQ(h.SentTo("r1"), "pro-1");  // not sonnet: the context-window list
  EXPECT_EQ(h.Events<ledger::FallbackTaken>()[0].reason, FallbackReason::kContextWindow);
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kHealthy);
  // Known too small up front: skipped without an attempt.
  h.Request("r2", "Build", 300'000);
  EXPECT_EQ(h.SentTo("r2"), "pro-1");
  EXPECT_EQ(h.Events<ledger::FallbackTaken>().back().reason, FallbackReason::kContextWindow);
  h.ExpectProjectionMatchesLog();
}

}  // namespace
}  // namespace ukairo::router::testing

namespace ukairo::router::testing {
namespace {

// R-2203 as a table: one upstream outcome on the tier's primary, and what the
// core must do next.
struct OutcomeCase {
  const char* name;
  Outcome outcome;
  uint32_t status;
  bool retries;                 // a RetryScheduled, same deployment later
  const char* next_deployment;  // sent at once ("" = none)
  DeploymentState state_after;  // of the primary
  uint32_t client_status;       // 0 = no answer yet
  FallbackReason reason;        // when next_deployment is set
};

TEST(CoreFailures, OutcomeTable) {
  const OutcomeCase cases[] = {
      {"429", Outcome::kRateLimited, 429, false, "sonnet-1", DeploymentState::kRateLimited, 0,
       FallbackReason::kRateLimit},
      {"500", Outcome::kServerError, 500, true, "", DeploymentState::kHealthy, 0,
       FallbackReason::kFailure},
      {"timeout", Outcome::kTimeout, 408, true, "", DeploymentState::kHealthy, 0,
       FallbackReason::kFailure},
      {"connection", Outcome::kConnectionError, 0, true, "", DeploymentState::kHealthy, 0,
       FallbackReason::kFailure},
      {"400", Outcome::kClientError, 400, false, "", DeploymentState::kHealthy, 400,
       FallbackReason::kFailure},
      {"422", Outcome::kClientError, 422, false, "", DeploymentState::kHealthy, 422,
       FallbackReason::kFailure},
      {"401", Outcome::kAuthError, 401, false, "sonnet-1", DeploymentState::kMisconfigured, 0,
       FallbackReason::kMisconfigured},
      {"403", Outcome::kAuthError, 403, false, "sonnet-1", DeploymentState::kMisconfigured, 0,
       FallbackReason::kMisconfigured},
      {"context", Outcome::kContextWindow, 400, false, "sonnet-1", DeploymentState::kHealthy, 0,
       FallbackReason::kContextWindow},
      {"ok", Outcome::kOk, 200, false, "", DeploymentState::kHealthy, 200,
       FallbackReason::kFailure},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h(SeedConfig());
    h.Request("r", "Spec");
    ASSERT_EQ(h.SentTo("r"), "opus-1");
    h.Result("r", c.outcome, c.status);
    EXPECT_EQ(h.SentTo("r"), c.next_deployment);
    EXPECT_EQ(h.Events<ledger::RetryScheduled>().size(), c.retries ? 1u : 0u);
    // Timers: the retry's, a deadline's or a probe's; none when nothing waits.
    EXPECT_EQ(h.last().timers.empty(), !c.retries && c.state_after == DeploymentState::kHealthy);
    EXPECT_EQ(h.State("opus-1"), c.state_after);
    if (c.client_status == 0) {
      EXPECT_EQ(h.Response("r"), nullptr);
    } else {
      ASSERT_NE(h.Response("r"), nullptr);
      EXPECT_EQ(h.Response("r")->http_status, c.client_status);
    }
    const auto fb = h.Events<ledger::FallbackTaken>();
    if (std::string(c.next_deployment).empty()) {
      EXPECT_TRUE(fb.empty());
    } else {
      ASSERT_EQ(fb.size(), 1u);
      EXPECT_EQ(fb[0].reason, c.reason);
    }
    h.ExpectProjectionMatchesLog();
  }
}

}  // namespace
}  // namespace ukairo::router::testing
