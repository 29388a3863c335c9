// Goal: R-2202 (reservations, alerts once per scope and period, stop at
// 100 %, new period) and R-2206 (the gate: zero-cost only until a human
// decides continue-with-model / raise-limit / stop). Method: sequential
// requests with known token counts against small budgets, in virtual time.
#include <gtest/gtest.h>

#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

using ledger::DeploymentState;
using ledger::FallbackReason;
using ledger::GateChoice;
using ledger::ScopeKind;

// opus: 1000 in + 1000 max out reserves $0.09; 1000 in + 500 out costs $0.0525.
constexpr int64_t kOpusReserve = 90'000'000;
constexpr int64_t kOpusCost = 52'500'000;

std::shared_ptr<Config> WithBudget(ScopeKind kind, std::string key, int64_t limit_nanos) {
  auto c = SeedConfig();
  c->budgets.push_back(BudgetLimit{kind, std::move(key), limit_nanos});
  return c;
}

TEST(CoreBudget, ReservationThatDoesNotFitSkipsTheDeployment) {
  Harness h(WithBudget(ScopeKind::kModel, "claude-opus", 50'000'000));
  h.Request("r1", "Spec");
  EXPECT_EQ(h.SentTo("r1"), "sonnet-1");
  auto fb = h.Events<ledger::FallbackTaken>();
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fb[0].reason, FallbackReason::kBudget);
  // The event names the scope that refused and why: too full, not stopped.
  EXPECT_EQ(fb[0].budget_scope_kind, ScopeKind::kModel);
  EXPECT_EQ(fb[0].budget_scope_key, "claude-opus");
  EXPECT_FALSE(fb[0].budget_scope_stopped);
  EXPECT_EQ(fb[0].budget_used_nanos, 0);
  EXPECT_EQ(fb[0].budget_limit_nanos, 50'000'000);
  EXPECT_EQ(fb[0].reserve_nanos, kOpusReserve);
  EXPECT_TRUE(h.Events<ledger::BudgetAlert>().empty());  // $0.05 left is not "spent"
}

TEST(CoreBudget, ReserveThenSettleActualCost) {
  Harness h(WithBudget(ScopeKind::kModel, "claude-opus", kUsd));
  h.Request("r1", "Spec");
  const ledger::ScopeId opus{ScopeKind::kModel, "claude-opus"};
  EXPECT_EQ(h.core().projection().Reserved(opus), kOpusReserve);
  EXPECT_EQ(h.Events<ledger::AttemptStarted>()[0].reserved_nanos, kOpusReserve);
  h.Ok("r1");
  EXPECT_EQ(h.core().projection().Reserved(opus), 0);
  EXPECT_EQ(h.core().projection().Spent(opus, 202611), kOpusCost);
  EXPECT_EQ(h.Response("r1")->total_cost_nanos, kOpusCost);
  h.ExpectProjectionMatchesLog();
}

TEST(CoreBudget, AlertsFireOnceAndHundredPercentStops) {
  Harness h(WithBudget(ScopeKind::kModel, "claude-opus", kUsd));
  std::vector<uint32_t> fired;
  int served_by_opus = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string id = "r" + std::to_string(i);
    h.Request(id, "Spec");
    if (h.SentTo(id) == "opus-1") ++served_by_opus;
    h.Ok(id);
  }
  for (const auto& a : h.Events<ledger::BudgetAlert>()) fired.push_back(a.threshold_pct);
  EXPECT_EQ(fired, (std::vector<uint32_t>{80, 90, 100}));
  EXPECT_EQ(served_by_opus, 18);  // 18 × $0.0525 = $0.945; a 19th could not fit
  auto stops = h.Events<ledger::BudgetStopped>();
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].scope_key, "claude-opus");
  EXPECT_EQ(stops[0].period, 202611);
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kBudgetStopped);
  const ledger::FallbackTaken last = h.Events<ledger::FallbackTaken>().back();
  EXPECT_EQ(last.reason, FallbackReason::kBudget);
  EXPECT_EQ(last.budget_scope_key, "claude-opus");
  EXPECT_TRUE(last.budget_scope_stopped);
  EXPECT_EQ(last.budget_limit_nanos, kUsd);
  EXPECT_LE(last.budget_used_nanos, kUsd);
  // Settled spend never passed the limit.
  EXPECT_LE(h.core().projection().Spent({ScopeKind::kModel, "claude-opus"}, 202611), kUsd);
  int stop_notices = 0;
  for (const auto& n : h.notifications) stop_notices += n.subject == "budget_stopped";
  EXPECT_EQ(stop_notices, 1);
  h.ExpectProjectionMatchesLog();
}

TEST(CoreBudget, NewPeriodLiftsTheStop) {
  Harness h(WithBudget(ScopeKind::kModel, "claude-opus", 100'000'000));
  h.Request("r1", "Spec");
  EXPECT_EQ(h.SentTo("r1"), "opus-1");
  h.Ok("r1");  // $0.0525 of $0.10; the next $0.09 cannot fit, 47.5 % left
  h.Request("r2", "Spec");
  EXPECT_EQ(h.SentTo("r2"), "sonnet-1");
  h.Ok("r2");
  EXPECT_TRUE(h.Events<ledger::BudgetStopped>().empty());  // too much left to call it spent
  h.Request("r3", "Spec", 1000, 100);                      // smaller reservation still fits
  EXPECT_EQ(h.SentTo("r3"), "opus-1");
  // A dishonest result (560 output tokens, 100 reserved) takes spend to 109.5 %.
  h.Result("r3", Outcome::kOk, 200, 1000, 560);
  EXPECT_FALSE(h.Events<ledger::BudgetStopped>().empty());
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kBudgetStopped);
  h.SetNow(MicrosFromCivil(2026, 12, 1, 0, 0, 1));
  h.Request("r4", "Spec");
  EXPECT_EQ(h.SentTo("r4"), "opus-1");
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kHealthy);
  EXPECT_EQ(h.Events<ledger::Recovered>().back().confirmed_by,
            ledger::RecoveryConfirmation::kPeriodRollover);
  h.ExpectProjectionMatchesLog();
}

// Build tag limited to $0.0815; sonnet settles $0.0105 per request and
// reserves $0.018: the 8th request cannot fit with 9.8 % left, so the scope
// counts as spent → 100 % → stopped.
class TagGate : public ::testing::Test {
 protected:
  TagGate() : h(WithBudget(ScopeKind::kTag, "Build", 81'500'000)) {
    for (int i = 0; i < 7; ++i) {
      const std::string id = "w" + std::to_string(i);
      h.Request(id, "Build");
      EXPECT_EQ(h.SentTo(id), "sonnet-1");
      h.Ok(id);
    }
    h.Request("stop", "Build");
  }
  ledger::GateDecision Decision(GateChoice choice) {
    ledger::GateDecision d;
    d.scope_kind = ScopeKind::kTag;
    d.scope_key = "Build";
    d.choice = choice;
    d.actor = "alice";
    d.note = "test";
    return d;
  }
  Harness h;
};

TEST_F(TagGate, StoppedTagUsesOnlyZeroCostDeployments) {
  EXPECT_EQ(h.SentTo("stop"), "local-1");
  ASSERT_EQ(h.Events<ledger::BudgetStopped>().size(), 1u);
  EXPECT_EQ(h.Events<ledger::BudgetStopped>()[0].scope_kind, ScopeKind::kTag);
  h.Ok("stop", 1000, 500);
  EXPECT_TRUE(h.Response("stop")->last_resort);
  h.Request("next", "Build");
  EXPECT_EQ(h.SentTo("next"), "local-1");
  const ledger::FallbackTaken fb = h.Events<ledger::FallbackTaken>().back();
  EXPECT_EQ(fb.budget_scope_kind, ScopeKind::kTag);
  EXPECT_EQ(fb.budget_scope_key, "Build");
  EXPECT_TRUE(fb.budget_scope_stopped);
  EXPECT_EQ(fb.budget_limit_nanos, 81'500'000);
  // Other tags are not affected.
  h.Request("spec", "Spec");
  EXPECT_EQ(h.SentTo("spec"), "opus-1");
  h.ExpectProjectionMatchesLog();
}

TEST_F(TagGate, ContinueWithModelRoutesThere) {
  auto d = Decision(GateChoice::kContinueWithModel);
  d.model = "gemini-flash";
  h.Gate(d);
  h.Request("r1", "Build");
  EXPECT_EQ(h.SentTo("r1"), "flash-1");
  EXPECT_EQ(h.Events<ledger::GateDecision>()[0].period, 202611);
  h.ExpectProjectionMatchesLog();
}

TEST_F(TagGate, RaiseLimitUnstops) {
  auto d = Decision(GateChoice::kRaiseLimit);
  d.new_limit_nanos = kUsd;
  h.Gate(d);
  h.Request("r1", "Build");
  EXPECT_EQ(h.SentTo("r1"), "sonnet-1");
  h.ExpectProjectionMatchesLog();
}

TEST_F(TagGate, StopRefusesWithBudgetExceeded) {
  h.Gate(Decision(GateChoice::kStop));
  h.Request("r1", "Build");
  EXPECT_TRUE(h.last().sends.empty());
  const Respond* r = h.Response("r1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->http_status, 429u);
  EXPECT_EQ(r->error.code, "budget_exceeded");
  EXPECT_NE(r->error.message.find("tag 'Build'"), std::string::npos) << r->error.message;
  auto done = h.Events<ledger::RequestCompleted>();
  EXPECT_EQ(done.back().error_code, "budget_exceeded");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreBudget, ModelGateRaiseRecoversTheDeployment) {
  Harness h(WithBudget(ScopeKind::kModel, "claude-opus", kUsd));
  for (int i = 0; i < 19; ++i) {
    const std::string id = "r" + std::to_string(i);
    h.Request(id, "Spec");
    h.Ok(id);
  }
  ASSERT_EQ(h.State("opus-1"), DeploymentState::kBudgetStopped);
  ledger::GateDecision d;
  d.scope_kind = ScopeKind::kModel;
  d.scope_key = "claude-opus";
  d.choice = GateChoice::kRaiseLimit;
  d.new_limit_nanos = 2 * kUsd;
  d.actor = "bob";
  h.Gate(d);
  EXPECT_EQ(h.State("opus-1"), DeploymentState::kHealthy);
  EXPECT_EQ(h.Events<ledger::Recovered>().back().confirmed_by, ledger::RecoveryConfirmation::kGate);
  h.Request("after", "Spec");
  EXPECT_EQ(h.SentTo("after"), "opus-1");
  h.ExpectProjectionMatchesLog();
}

}  // namespace
}  // namespace ukairo::router::testing

namespace ukairo::router::testing {
namespace {

TEST(CoreBudget, ModelGateContinueWithModelRedirects) {
  Harness h(WithBudget(ScopeKind::kModel, "claude-opus", kUsd));
  for (int i = 0; i < 19; ++i) {
    const std::string id = "r" + std::to_string(i);
    h.Request(id, "Spec");
    h.Ok(id);
  }
  ASSERT_EQ(h.State("opus-1"), DeploymentState::kBudgetStopped);
  ledger::GateDecision d;
  d.scope_kind = ScopeKind::kModel;
  d.scope_key = "claude-opus";
  d.choice = GateChoice::kContinueWithModel;
  d.model = "gemini-3-pro";
  d.actor = "carol";
  h.Gate(d);
  h.Request("after", "Spec");
  EXPECT_EQ(h.SentTo("after"), "pro-1");
  const auto fb = h.Events<ledger::FallbackTaken>().back();
  EXPECT_EQ(fb.reason, FallbackReason::kGate);
  EXPECT_EQ(fb.from_model_group, "claude-opus");
  EXPECT_EQ(fb.to_deployment, "pro-1");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreBudget, GlobalStopLeavesOnlyZeroCost) {
  Harness h(WithBudget(ScopeKind::kGlobal, "", 100'000'000));
  h.Request("a", "Build");
  h.Result("a", Outcome::kOk, 200, 1000, 6000);  // $0.093 of $0.10: over 90 %
  h.Request("b", "Build");                       // nothing paid fits, 7 % left → 100 %
  EXPECT_EQ(h.SentTo("b"), "local-1");
  ASSERT_EQ(h.Events<ledger::BudgetStopped>().size(), 1u);
  EXPECT_EQ(h.Events<ledger::BudgetStopped>()[0].scope_kind, ScopeKind::kGlobal);
  h.Ok("b", 10, 10);
  h.Request("c", "Chores", 10, 10);  // even a tiny paid request waits for the gate
  EXPECT_EQ(h.SentTo("c"), "local-1");
  h.ExpectProjectionMatchesLog();
}

}  // namespace
}  // namespace ukairo::router::testing
