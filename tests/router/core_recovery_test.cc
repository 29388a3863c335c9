// Goal: R-2205 — a deployment that is down or cooling is probed on the
// health interval, a good probe or a good real request recovers it (and the
// next request uses it), and every recovery is recorded. Also restart:
// a core rebuilt from its projection and log tail decides the same.
// Method: scripted failures, then timers and probe results in virtual time.
#include <gtest/gtest.h>

#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

using ledger::DeploymentState;
using ledger::RecoveryConfirmation;

std::shared_ptr<Config> NoCooldown() {
  auto c = SeedConfig();
  c->cooldown.allowed_fails = 50;
  return c;
}

// Fails request `id` on its deployment until retries are spent.
void FailUntilDown(Harness& h, const std::string& id) {
  for (int i = 0; i < 4; ++i) {
    h.Result(id, Outcome::kServerError, 503);
    h.RunTimersUntil(h.now() + Seconds(9));
  }
}

TEST(CoreRecovery, ProbeOnIntervalThenRecover) {
  Harness h(NoCooldown());
  h.Request("r1", "Spec");
  FailUntilDown(h, "r1");
  ASSERT_EQ(h.State("opus-1"), DeploymentState::kDown);
  const int64_t down_at = h.core().projection().Deployment("opus-1").down_since_micros;
  h.RunTimersUntil(down_at + Seconds(299));
  EXPECT_TRUE(h.probes_sent.empty());  // not before the interval
  h.RunTimersUntil(down_at + Seconds(300));
  ASSERT_EQ(h.probes_sent.size(), 1u);
  EXPECT_EQ(h.probes_sent[0], "opus-1");
  h.Probe("opus-1", false);
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kDown);
  h.RunTimersUntil(down_at + Seconds(599));
  EXPECT_EQ(h.probes_sent.size(), 1u);
  h.RunTimersUntil(down_at + Seconds(600));
  ASSERT_EQ(h.probes_sent.size(), 2u);
  h.Probe("opus-1", true);
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kHealthy);
  auto rec = h.Events<ledger::Recovered>();
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].confirmed_by, RecoveryConfirmation::kProbe);
  EXPECT_EQ(rec[0].down_since_micros, down_at);
  EXPECT_EQ(h.Events<ledger::HealthProbe>().size(), 2u);
  h.Request("r2", "Spec");
  EXPECT_EQ(h.SentTo("r2"), "opus-1");  // the next request uses it again
  h.ExpectProjectionMatchesLog();
}

TEST(CoreRecovery, SuccessfulRealRequestRecovers) {
  Harness h(NoCooldown());
  h.Request("slow", "Spec");  // in flight on opus while it goes down
  h.Request("r1", "Spec");
  FailUntilDown(h, "r1");
  ASSERT_EQ(h.State("opus-1"), DeploymentState::kDown);
  h.Ok("slow");
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kHealthy);
  EXPECT_EQ(h.Events<ledger::Recovered>().back().confirmed_by, RecoveryConfirmation::kRequest);
  h.RunTimersUntil(h.now() + Seconds(600));
  EXPECT_TRUE(h.probes_sent.empty());  // the stale probe timer did nothing
  h.ExpectProjectionMatchesLog();
}

TEST(CoreRecovery, CoolingEndsAtItsDeadlineAndIsProbedMeanwhile) {
  auto c = SeedConfig();
  c->cooldown.allowed_fails = 0;
  c->cooldown.cooldown_time_ms = 600'000;  // longer than the probe interval
  Harness h(c);
  h.Request("r1", "Spec");
  h.Result("r1", Outcome::kServerError, 500);
  ASSERT_EQ(h.State("opus-1"), DeploymentState::kCoolingDown);
  h.RunTimersUntil(h.now() + Seconds(300));
  ASSERT_EQ(h.probes_sent.size(), 1u);
  h.Probe("opus-1", true);
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kHealthy);
  h.ExpectProjectionMatchesLog();
}

TEST(CoreRecovery, RestartExpiresOpenReservationsAndKeepsWindows) {
  auto c = SeedConfig();
  c->deployments[0].rpm = 2;
  c->budgets.push_back(BudgetLimit{ledger::ScopeKind::kGlobal, "", 100 * kUsd});
  std::vector<ledger::Event> log;
  ledger::Projection saved;
  int64_t t = 0;
  {
    Harness h(c);
    h.Request("a", "Spec");
    h.Ok("a");
    h.Request("b", "Spec");  // in flight at the "crash"
    EXPECT_EQ(h.SentTo("b"), "opus-1");
    log = h.log();
    saved = h.core().projection();
    t = h.now() + Seconds(5);
  }
  ASSERT_GT(saved.Reserved(ledger::ScopeId{ledger::ScopeKind::kGlobal, ""}), 0);
  Harness h(c, 42, saved, &log, t);
  auto expired = h.Events<ledger::ReservationExpired>();
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].request_id, "b");
  EXPECT_EQ(h.core().projection().Reserved(ledger::ScopeId{ledger::ScopeKind::kGlobal, ""}), 0);
  h.Request("c", "Spec");
  EXPECT_EQ(h.SentTo("c"), "sonnet-1");  // rpm window rebuilt from the log: 2 in the minute
  h.ExpectProjectionMatchesLog();
}

}  // namespace
}  // namespace ukairo::router::testing
