// The projection is a pure fold. Method: hand-written scenarios check each
// rule of SPEC §5 against known numbers (reservations, settlement, periods,
// alerts, stops and gate decisions, deployment states).
// Randomized streams, snapshots and LoadProjection: projection_load_test.cc.
#include "ledger/projection.h"

#include <vector>

#include "tests/ledger/projection_test_util.h"
#include "tests/util/test_util.h"

namespace ukairo::ledger {
namespace {

TEST(Projection, ReserveAndSettleAcrossScopes) {
  Stream s(kNov1 + 1000);
  AttemptStarted a = Start("r1", 1, "opus", "Spec", "high", 500);
  AttemptStarted b = Start("r2", 1, "flash", "Build", "", 70);  // no tier
  s.Add(a);
  s.Add(b);
  Projection p = s.Fold();
  EXPECT_EQ(p.Reserved(ScopeId::Model("opus")), 500);
  EXPECT_EQ(p.Reserved(ScopeId::Tag("Spec")), 500);
  EXPECT_EQ(p.Reserved(ScopeId::Tier("high")), 500);
  EXPECT_EQ(p.Reserved(ScopeId::Model("flash")), 70);
  EXPECT_EQ(p.Reserved(ScopeId::Global()), 570);
  EXPECT_EQ(p.Reserved(ScopeId::Tier("")), 0);
  EXPECT_EQ(p.reserved().count(ScopeId::Tier("")), 0u);  // empty keys are skipped
  EXPECT_EQ(p.open_reservations().size(), 2u);

  s.Advance(5'000'000);
  s.Add(Finish(a, 123));
  p = s.Fold();
  EXPECT_EQ(p.Reserved(ScopeId::Model("opus")), 0);
  EXPECT_EQ(p.Reserved(ScopeId::Global()), 70);
  EXPECT_EQ(p.Spent(ScopeId::Model("opus"), kNov), 123);
  EXPECT_EQ(p.Spent(ScopeId::Tag("Spec"), kNov), 123);
  EXPECT_EQ(p.Spent(ScopeId::Tier("high"), kNov), 123);
  EXPECT_EQ(p.Spent(ScopeId::Global(), kNov), 123);
  EXPECT_EQ(p.Spent(ScopeId::Model("flash"), kNov), 0);
  EXPECT_EQ(p.open_reservations().size(), 1u);
  EXPECT_EQ(p.last_seq(), 3u);
  EXPECT_EQ(p.last_time_micros(), kNov1 + 5'001'000);

  // The expiry releases without spending.
  ReservationExpired x;
  x.request_id = "r2";
  x.attempt = 1;
  x.reserved_nanos = 70;
  s.Add(x);
  p = s.Fold();
  EXPECT_EQ(p.Reserved(ScopeId::Global()), 0);
  EXPECT_EQ(p.Spent(ScopeId::Model("flash"), kNov), 0);
  EXPECT_TRUE(p.open_reservations().empty());
  EXPECT_EQ(p.anomalies(), ProjectionAnomalies{});
}

TEST(Projection, SpendLandsInThePeriodOfTheFinish) {
  Stream s(MicrosFromCivil(2026, 11, 30, 23, 59, 59));
  AttemptStarted a = Start("r1", 1, "opus", "Spec", "high", 900);
  s.Add(a);
  s.Advance(2'000'000);  // finishes in December
  s.Add(Finish(a, 400));
  AttemptStarted b = Start("r2", 1, "opus", "Spec", "high", 900);
  s.Add(b);
  s.Add(Finish(b, 50));
  Projection p = s.Fold();
  EXPECT_EQ(p.Spent(ScopeId::Model("opus"), kNov), 0);
  EXPECT_EQ(p.Spent(ScopeId::Model("opus"), kDec), 450);
  EXPECT_EQ(p.Reserved(ScopeId::Model("opus")), 0);

  Projection daily = s.Fold(PeriodKind::kDay);
  EXPECT_EQ(daily.Spent(ScopeId::Global(), 20261201), 450);
  EXPECT_EQ(daily.Spent(ScopeId::Global(), kDec), 0);
}

TEST(Projection, UnknownAndDuplicateReservationsAreCountedNotFatal) {
  Stream s(kNov1);
  AttemptStarted a = Start("r1", 1, "opus", "Spec", "high", 100);
  s.Add(Finish(a, 10));  // never started: spend still counts
  s.Add(a);
  s.Add(Start("r1", 1, "opus", "Spec", "high", 300));  // same key again
  Projection p = s.Fold();
  EXPECT_EQ(p.anomalies().unknown_releases, 1u);
  EXPECT_EQ(p.anomalies().duplicate_reservations, 1u);
  EXPECT_EQ(p.Spent(ScopeId::Model("opus"), kNov), 10);
  EXPECT_EQ(p.Reserved(ScopeId::Model("opus")), 300);  // the older hold released
  ReservationExpired x;
  x.request_id = "r9";
  s.Add(x);
  s.Add(Finish(a, 0));
  p = s.Fold();
  EXPECT_EQ(p.anomalies().unknown_releases, 2u);
  EXPECT_EQ(p.Reserved(ScopeId::Global()), 0);
}

TEST(Projection, AlertFiresOncePerScopeAndPeriod) {
  Stream s(kNov1);
  BudgetAlert alert;
  alert.scope_kind = ScopeKind::kTag;
  alert.scope_key = "Build";
  alert.threshold_pct = 80;
  alert.period = kNov;
  s.Add(alert);
  s.Add(alert);  // a duplicate changes nothing
  Projection p = s.Fold();
  EXPECT_TRUE(p.AlertFired(ScopeId::Tag("Build"), kNov, 80));
  EXPECT_FALSE(p.AlertFired(ScopeId::Tag("Build"), kNov, 90));
  EXPECT_FALSE(p.AlertFired(ScopeId::Tag("Build"), kDec, 80));
  EXPECT_FALSE(p.AlertFired(ScopeId::Model("Build"), kNov, 80));
  EXPECT_EQ(p.alerts_fired().size(), 1u);
  alert.period = kDec;
  alert.threshold_pct = 90;
  s.Add(alert);
  p = s.Fold();
  EXPECT_TRUE(p.AlertFired(ScopeId::Tag("Build"), kDec, 90));
  EXPECT_EQ(p.alerts_fired().size(), 2u);
  alert.scope_kind = ScopeKind::kGlobal;  // a key on global is dropped
  alert.scope_key = "stray";
  s.Add(alert);
  p = s.Fold();
  EXPECT_TRUE(p.AlertFired(ScopeId::Global(), kDec, 90));
  EXPECT_OK(Projection::Deserialize(p.Serialize()));
}

TEST(Projection, StopThenGateDecision) {
  Stream s(kNov1);
  ScopeId opus = ScopeId::Model("opus");
  BudgetStopped stop;
  stop.scope_kind = ScopeKind::kModel;
  stop.scope_key = "opus";
  stop.period = kNov;
  stop.spent_nanos = stop.limit_nanos = 50 * kNanoPerUsd;
  s.Add(stop);
  Projection p = s.Fold();
  EXPECT_TRUE(p.Stopped(opus, kNov));
  EXPECT_FALSE(p.Stopped(opus, kDec));  // a stop does not outlive its period
  EXPECT_FALSE(p.Stopped(ScopeId::Tag("opus"), kNov));
  ASSERT_NE(p.Gate(opus), nullptr);
  EXPECT_EQ(p.Gate(opus)->stopped_micros, kNov1);
  EXPECT_FALSE(p.LimitOverride(opus, kNov).has_value());

  GateDecision raise;
  raise.scope_kind = ScopeKind::kModel;
  raise.scope_key = "opus";
  raise.period = kNov;
  raise.choice = GateChoice::kRaiseLimit;
  raise.new_limit_nanos = 80 * kNanoPerUsd;
  raise.actor = "alice";
  raise.note = "release week";
  s.Advance(60'000'000);
  s.Add(raise);
  p = s.Fold();
  EXPECT_FALSE(p.Stopped(opus, kNov));
  EXPECT_EQ(p.LimitOverride(opus, kNov), 80 * kNanoPerUsd);
  EXPECT_FALSE(p.LimitOverride(opus, kDec).has_value());
  EXPECT_EQ(p.ContinueModel(opus, kNov), nullptr);
  const ScopeGate* gate = p.GateFor(opus, kNov);
  ASSERT_NE(gate, nullptr);
  EXPECT_TRUE(gate->decided);
  EXPECT_EQ(gate->actor, "alice");
  EXPECT_EQ(gate->note, "release week");
  EXPECT_EQ(gate->decided_micros, kNov1 + 60'000'000);

  // The raised limit is reached too: stopped again, the old decision gone.
  s.Add(stop);
  p = s.Fold();
  EXPECT_TRUE(p.Stopped(opus, kNov));
  EXPECT_FALSE(p.LimitOverride(opus, kNov).has_value());

  GateDecision cont = raise;
  cont.choice = GateChoice::kContinueWithModel;
  cont.model = "local";
  cont.new_limit_nanos = 0;
  s.Add(cont);
  p = s.Fold();
  EXPECT_FALSE(p.Stopped(opus, kNov));
  ASSERT_NE(p.ContinueModel(opus, kNov), nullptr);
  EXPECT_EQ(*p.ContinueModel(opus, kNov), "local");

  GateDecision halt = raise;
  halt.choice = GateChoice::kStop;
  s.Add(halt);
  p = s.Fold();
  EXPECT_TRUE(p.Stopped(opus, kNov));  // a human kept it stopped

  // December: a new stop replaces November's gate; a late November
  // decision is stale and ignored.
  stop.period = kDec;
  s.At(MicrosFromCivil(2026, 12, 20));
  s.Add(stop);
  s.Add(raise);
  p = s.Fold();
  EXPECT_TRUE(p.Stopped(opus, kDec));
  EXPECT_FALSE(p.Stopped(opus, kNov));
  EXPECT_EQ(p.GateFor(opus, kNov), nullptr);
  EXPECT_EQ(p.anomalies().stale_gate_events, 1u);
  EXPECT_EQ(p.gates().size(), 1u);
}

TEST(Projection, DecisionWithoutStopRaisesLimitAhead) {
  Stream s(kNov1);
  GateDecision raise;
  raise.scope_kind = ScopeKind::kGlobal;
  raise.period = kNov;
  raise.choice = GateChoice::kRaiseLimit;
  raise.new_limit_nanos = 7;
  s.Add(raise);
  Projection p = s.Fold();
  EXPECT_FALSE(p.Stopped(ScopeId::Global(), kNov));
  EXPECT_EQ(p.LimitOverride(ScopeId::Global(), kNov), 7);
}

TEST(Projection, DeploymentStateTransitions) {
  Stream s(kNov1);
  Projection p = s.Fold();
  EXPECT_EQ(p.Deployment("a").state, DeploymentState::kHealthy);
  EXPECT_EQ(p.Deployment("a").down_since_micros, 0);

  s.Add(StateChange("a", DeploymentState::kRateLimited, kNov1 + 30'000'000));
  s.Advance(10'000'000);
  s.Add(StateChange("a", DeploymentState::kCoolingDown, kNov1 + 70'000'000));
  s.Advance(10'000'000);
  s.Add(StateChange("a", DeploymentState::kDown));
  p = s.Fold();
  const DeploymentStatus& d = p.Deployment("a");
  EXPECT_EQ(d.state, DeploymentState::kDown);
  EXPECT_EQ(d.since_micros, kNov1 + 20'000'000);
  EXPECT_EQ(d.until_micros, 0);
  EXPECT_EQ(d.down_since_micros, kNov1);  // kept while not healthy
  EXPECT_EQ(d.reason, "down");

  HealthProbe probe;
  probe.deployment = "a";
  probe.ok = false;
  s.Advance(300'000'000);
  s.Add(probe);
  p = s.Fold();
  EXPECT_EQ(p.Deployment("a").state, DeploymentState::kDown);
  EXPECT_EQ(p.Deployment("a").last_probe_micros, kNov1 + 320'000'000);
  EXPECT_FALSE(p.Deployment("a").last_probe_ok);

  probe.ok = true;
  s.Advance(300'000'000);
  s.Add(probe);
  Recovered r;
  r.deployment = "a";
  r.down_since_micros = kNov1;
  r.confirmed_by = RecoveryConfirmation::kProbe;
  s.Add(r);
  p = s.Fold();
  EXPECT_EQ(p.Deployment("a").state, DeploymentState::kHealthy);
  EXPECT_EQ(p.Deployment("a").down_since_micros, 0);
  EXPECT_EQ(p.Deployment("a").since_micros, kNov1 + 620'000'000);
  EXPECT_TRUE(p.Deployment("a").last_probe_ok);

  // Leaving healthy again starts a new outage; an explicit healthy ends it.
  s.Advance(1'000'000);
  s.Add(StateChange("a", DeploymentState::kMisconfigured));
  p = s.Fold();
  EXPECT_EQ(p.Deployment("a").down_since_micros, kNov1 + 621'000'000);
  s.Add(StateChange("a", DeploymentState::kHealthy));
  p = s.Fold();
  EXPECT_EQ(p.Deployment("a").state, DeploymentState::kHealthy);
  EXPECT_EQ(p.Deployment("a").down_since_micros, 0);
  EXPECT_EQ(p.Deployment("b").state, DeploymentState::kHealthy);
  EXPECT_EQ(p.deployments().size(), 1u);
}

TEST(Projection, ConfigAndUnappendedEvents) {
  Projection p;
  Event e;
  e.seq = 0;  // not yet appended
  e.time_micros = kNov1;
  ConfigApplied c;
  c.sha256_hex = "ab12";
  e.body = c;
  p.Apply(e);
  EXPECT_EQ(p.config_sha256_hex(), "ab12");
  EXPECT_EQ(p.last_seq(), 0u);
  EXPECT_EQ(p.last_time_micros(), kNov1);
  e.seq = 1;
  e.body = RequestAccepted{};
  p.Apply(e);
  EXPECT_EQ(p.last_seq(), 1u);
}

// The check stays on in release builds: a gap in the fold would give a
// projection that no replay of the log reproduces.
TEST(ProjectionDeathTest, SeqMustFollow) {
  Projection p;
  Event e;
  e.seq = 2;
  EXPECT_DEATH(p.Apply(e), "check failed: .*projection.cc:[0-9]+: .*seq");
}


}  // namespace
}  // namespace ukairo::ledger
