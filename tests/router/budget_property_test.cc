// Goal: the R-2202 bound under concurrency. With honest results (actual
// cost <= reservation) settled spend never exceeds any limit, at any moment;
// with dishonest results the final overrun of a scope is at most the sum of
// (actual − reserved) of the attempts in flight when its committed spend
// (settled + reserved) last crossed the limit. (LiteLLM's budgets are
// bypassed by concurrent requests: its issues #34732, #33325.)
// Method: seeded random traffic of thousands of requests with up to 1500 in
// flight at once, random outcomes (ok, 429, 5xx, timeout) and token counts,
// results delivered in random order; the committed spend of every limited
// scope is checked after every single input to the core.
#include <gtest/gtest.h>

#include <set>

#include "router/core/rng.h"
#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

using ledger::ScopeId;
using ledger::ScopeKind;

struct Flight {
  std::string group, tag, tier;
  NanoUsd reserved_nanos = 0;
};
using AttemptKey = std::pair<std::string, uint32_t>;

bool Touches(const Flight& f, const ScopeId& s) {
  switch (s.kind) {
    case ScopeKind::kModel:
      return f.group == s.key;
    case ScopeKind::kTag:
      return f.tag == s.key;
    case ScopeKind::kTier:
      return f.tier == s.key;
    case ScopeKind::kGlobal:
      return true;
    case ScopeKind::kKey:
    case ScopeKind::kTeam:
      return false;  // this property test sends no client keys
  }
  return false;
}

class BudgetProperty {
 public:
  BudgetProperty(uint64_t seed, bool honest) : rng_(seed), honest_(honest) {
    auto c = SeedConfig();
    AddDeployment(*c, MakeDeployment("opus-2", "claude-opus", 15, 75));
    AddDeployment(*c, MakeDeployment("sonnet-2", "claude-sonnet", 3, 15));
    c->budgets = {{ScopeKind::kModel, "claude-opus", 5 * kUsd},
                  {ScopeKind::kModel, "claude-sonnet", 3 * kUsd},
                  {ScopeKind::kTag, "Build", 2 * kUsd},
                  {ScopeKind::kTier, "high-precision", 6 * kUsd},
                  {ScopeKind::kGlobal, "", 9 * kUsd}};
    c->retry.backoff_ms = {200, 400, 800};
    for (const auto& b : c->budgets) {
      limits_.push_back({ScopeId{b.kind, b.key}, b.limit_nanos});
    }
    committed_.assign(limits_.size(), 0);
    crossing_set_.resize(limits_.size());
    h_ = std::make_unique<Harness>(c, seed);
  }

  void Run(int requests, size_t in_flight_max) {
    int issued = 0;
    static const char* kTags[] = {"Spec", "Design", "Build", "Review", "Chores", "Fix"};
    while (issued < requests || !awaiting_.empty()) {
      const bool issue = issued < requests && awaiting_.size() < in_flight_max &&
                         (awaiting_.empty() || rng_.Chance(4, 5));
      if (issue) {
        const std::string id = "q" + std::to_string(issued++);
        input_[id] = 100 + static_cast<int64_t>(rng_.Below(5000));
        max_out_[id] = 100 + static_cast<int64_t>(rng_.Below(2000));
        Step([&] { h_->Request(id, kTags[rng_.Below(6)], input_[id], max_out_[id]); });
      } else if (!awaiting_.empty()) {
        Deliver();
      }
      h_->Advance(static_cast<int64_t>(rng_.Below(2000)));
      StepTimers(h_->now());
      if (issued >= requests && awaiting_.empty()) StepTimers(h_->now() + Seconds(30));
    }
    EXPECT_EQ(h_->core().requests_in_flight(), 0u);
    EXPECT_TRUE(h_->core().projection().open_reservations().empty());
    h_->ExpectProjectionMatchesLog();
  }

  // The bound for dishonest runs, checked at the end.
  void CheckFinalBound() {
    for (size_t s = 0; s < limits_.size(); ++s) {
      const NanoUsd spent = h_->core().projection().Spent(limits_[s].first, 202611);
      const NanoUsd overrun = spent - limits_[s].second;
      if (overrun <= 0) continue;
      NanoUsd allowance = 0;
      for (const auto& key : crossing_set_[s]) allowance += excess_.at(key);
      EXPECT_LE(overrun, allowance) << ledger::ScopeName(limits_[s].first);
      ++overruns_;
    }
  }
  int overruns() const { return overruns_; }
  uint64_t dishonest() const { return dishonest_; }
  size_t max_in_flight() const { return max_in_flight_; }

 private:
  void Deliver() {
    const size_t i = rng_.Below(awaiting_.size());
    const std::string id = awaiting_[i];
    awaiting_[i] = awaiting_.back();
    awaiting_.pop_back();
    const uint64_t roll = rng_.Below(100);
    Outcome outcome = Outcome::kOk;
    if (roll < 5)
      outcome = Outcome::kRateLimited;
    else if (roll < 10)
      outcome = Outcome::kServerError;
    else if (roll < 13)
      outcome = Outcome::kTimeout;
    int64_t in = 0, out = 0;
    if (outcome == Outcome::kOk) {
      in = input_[id];
      // Mostly near the cap, so that budgets fill up while many are in flight.
      const int64_t cap = max_out_[id];
      out = cap / 2 + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(cap - cap / 2) + 1));
      if (!honest_ && rng_.Chance(1, 3)) {
        out = cap + 1 + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(2 * cap)));
        ++dishonest_;
      }
    }
    const uint32_t status = outcome == Outcome::kOk            ? 200
                            : outcome == Outcome::kRateLimited ? 429
                                                               : 500;
    Step([&] {
      h_->Result(id, outcome, status, in, out, outcome == Outcome::kRateLimited ? 1000 : -1);
    });
  }

  void StepTimers(int64_t until) {
    Step([&] { h_->RunTimersUntil(until); });
  }

  // Runs one or more core inputs, then folds their events into the test's
  // own view of attempts in flight and checks every limited scope.
  template <typename Fn>
  void Step(Fn&& fn) {
    const size_t before = h_->log().size();
    fn();
    // Attempts in flight before this step: those still in flight that did not
    // start in it, plus those that finished in it.
    std::set<AttemptKey> started_now;
    std::map<AttemptKey, Flight> finished_now;
    const auto& log = h_->log();
    for (size_t i = before; i < log.size(); ++i) {
      const auto& body = log[i].body;
      if (const auto* a = std::get_if<ledger::AttemptStarted>(&body)) {
        flights_[{a->request_id, a->attempt}] =
            Flight{a->model_group, a->tag, a->tier, a->reserved_nanos};
        started_now.insert({a->request_id, a->attempt});
        awaiting_.push_back(a->request_id);
      } else if (const auto* f = std::get_if<ledger::AttemptFinished>(&body)) {
        const AttemptKey key{f->request_id, f->attempt};
        excess_[key] = std::max<NanoUsd>(0, f->cost_nanos - flights_.at(key).reserved_nanos);
        if (!started_now.count(key)) finished_now.emplace(key, flights_.at(key));
        flights_.erase(key);
      }
    }
    max_in_flight_ = std::max(max_in_flight_, flights_.size());
    const auto& p = h_->core().projection();
    for (size_t s = 0; s < limits_.size(); ++s) {
      const auto& [scope, limit] = limits_[s];
      const NanoUsd spent = p.Spent(scope, 202611);
      const NanoUsd committed = spent + p.Reserved(scope);
      if (honest_) {
        ASSERT_LE(spent, limit) << ledger::ScopeName(scope);
        ASSERT_LE(committed, limit) << ledger::ScopeName(scope);
      }
      if (committed_[s] <= limit && committed > limit) {
        crossing_set_[s].clear();
        for (const auto& [key, f] : flights_) {
          if (!started_now.count(key) && Touches(f, scope)) crossing_set_[s].insert(key);
        }
        for (const auto& [key, f] : finished_now) {
          if (Touches(f, scope)) crossing_set_[s].insert(key);
        }
      }
      committed_[s] = committed;
    }
  }

  Rng rng_;
  bool honest_;
  std::unique_ptr<Harness> h_;
  std::vector<std::pair<ScopeId, NanoUsd>> limits_;
  std::vector<NanoUsd> committed_;
  std::vector<std::set<AttemptKey>> crossing_set_;
  std::map<AttemptKey, Flight> flights_;
  std::map<AttemptKey, NanoUsd> excess_;
  std::vector<std::string> awaiting_;
  std::map<std::string, int64_t> input_, max_out_;
  size_t max_in_flight_ = 0;
  uint64_t dishonest_ = 0;
  int overruns_ = 0;
};

TEST(BudgetProperty, HonestConcurrentRequestsNeverOverspend) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    BudgetProperty run(seed, /*honest=*/true);
    run.Run(3000, 1500);
    EXPECT_GT(run.max_in_flight(), 500u) << "not concurrent enough to test anything";
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(BudgetProperty, DishonestOverrunIsBoundedByInFlightExcess) {
  int overruns = 0;
  for (uint64_t seed = 11; seed <= 14; ++seed) {
    BudgetProperty run(seed, /*honest=*/false);
    run.Run(3000, 1500);
    EXPECT_GT(run.dishonest(), 100u);
    run.CheckFinalBound();
    overruns += run.overruns();
  }
  EXPECT_GT(overruns, 0) << "no scope was overrun: the bound was never exercised";
}

}  // namespace
}  // namespace ukairo::router::testing
