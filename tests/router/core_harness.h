// Test harness for the router core: a Config built in code (the seed's
// tiers and chains), a virtual clock that moves only when the test moves it,
// and a shadow projection that folds every emitted event so each test can
// check that the core's projection equals the fold of its own log.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ledger/period.h"
#include "ledger/projection.h"
#include "router/core/core.h"

namespace ukairo::router::testing {

using ledger::Outcome;

// Prices in pico-USD per token: $1/M tokens = 1'000'000.
inline Deployment MakeDeployment(std::string id, std::string group, int64_t in_per_m_usd,
                                 int64_t out_per_m_usd) {
  Deployment d;
  d.id = std::move(id);
  d.model_group = std::move(group);
  d.provider_model = "test/" + d.model_group;
  d.price.input_pico = in_per_m_usd * 1'000'000;
  d.price.output_pico = out_per_m_usd * 1'000'000;
  d.price_known = true;
  d.timeout_ms = 30'000;
  return d;
}

// The seed's policy: high-precision (Spec, Design, Review), build (Build),
// economy (Chores), chains ending in a local model. No budgets.
inline std::shared_ptr<Config> SeedConfig() {
  auto c = std::make_shared<Config>();
  c->deployments = {
      MakeDeployment("opus-1", "claude-opus", 15, 75),
      MakeDeployment("sonnet-1", "claude-sonnet", 3, 15),
      MakeDeployment("pro-1", "gemini-3-pro", 2, 12),
      MakeDeployment("flash-1", "gemini-flash", 1, 2),
      MakeDeployment("local-1", "local", 0, 0),
  };
  for (size_t i = 0; i < c->deployments.size(); ++i) {
    auto& g = c->groups[c->deployments[i].model_group];
    g.name = c->deployments[i].model_group;
    g.deployments.push_back(i);
  }
  c->tiers = {
      Tier{"high-precision",
           {"Spec", "Design", "Review"},
           {"claude-opus", "claude-sonnet", "gemini-3-pro", "gemini-flash", "local"}},
      Tier{"build", {"Build"}, {"claude-sonnet", "gemini-3-pro", "gemini-flash", "local"}},
      Tier{"economy", {"Chores"}, {"gemini-flash", "local"}},
  };
  for (const auto& t : c->tiers) {
    for (const auto& tag : t.tags) c->tag_to_tier[tag] = t.name;
  }
  c->known_tags = {"Spec",   "Design",  "Build",   "Review", "Fix",
                   "Verify", "Release", "Operate", "Chores"};
  c->default_tag = "Build";
  c->alerts = {
      {80, AlertAction::kNotify}, {90, AlertAction::kWarn}, {100, AlertAction::kStopAndFallback}};
  c->retry.num_retries = 3;
  c->retry.backoff_ms = {2000, 4000, 8000};
  c->cooldown.allowed_fails = 3;
  c->cooldown.cooldown_time_ms = 60'000;
  c->health.interval_ms = 300'000;
  c->request_timeout_ms = 600'000;
  return c;
}

inline void AddDeployment(Config& c, Deployment d) {
  auto& g = c.groups[d.model_group];
  g.name = d.model_group;
  g.deployments.push_back(c.deployments.size());
  c.deployments.push_back(std::move(d));
}

inline constexpr int64_t kUsd = 1'000'000'000;  // nano-USD

class Harness {
 public:
  explicit Harness(std::shared_ptr<const Config> config, uint64_t seed = 42,
                   ledger::Projection restored = ledger::Projection(),
                   const std::vector<ledger::Event>* warm_up = nullptr,
                   int64_t start_micros = MicrosFromCivil(2026, 11, 2, 9))
      : shadow_(restored), core_(std::move(config), std::move(restored), seed), now_(start_micros) {
    if (warm_up != nullptr) {
      for (const auto& e : *warm_up) core_.WarmUp(e);
    }
    Collect([&](Actions& a) { core_.Start(now_, a); });
  }

  RouterCore& core() { return core_; }
  int64_t now() const { return now_; }
  void Advance(int64_t micros) { now_ += micros; }
  void SetNow(int64_t micros) { now_ = micros; }
  const Actions& last() const { return last_; }
  const std::vector<ledger::Event>& log() const { return log_; }
  const ledger::Projection& shadow() const { return shadow_; }

  const Actions& Request(const std::string& id, const std::string& tag, int64_t input_tokens = 1000,
                         int64_t max_output_tokens = 1000, const std::string& model = "") {
    RequestInput in;
    in.request_id = id;
    in.tag = tag;
    in.requested_model = model;
    in.input_tokens = input_tokens;
    in.max_output_tokens = max_output_tokens;
    return Collect([&](Actions& a) { core_.OnRequest(in, now_, a); });
  }

  // Answers the request's open attempt (the last SendAttempt seen for it).
  const Actions& Result(const std::string& id, Outcome outcome, uint32_t status = 0,
                        int64_t input_tokens = 0, int64_t output_tokens = 0,
                        int64_t retry_after_ms = -1, bool delivered_partially = false) {
    UpstreamResult r;
    r.delivered_partially = delivered_partially;
    r.request_id = id;
    r.attempt = open_attempt_.at(id);
    r.outcome = outcome;
    r.http_status = status != 0 ? status : (outcome == Outcome::kOk ? 200 : 500);
    r.input_tokens = input_tokens;
    r.output_tokens = output_tokens;
    r.retry_after_ms = retry_after_ms;
    return Collect([&](Actions& a) { core_.OnUpstreamResult(r, now_, a); });
  }
  const Actions& Ok(const std::string& id, int64_t in = 1000, int64_t out = 500) {
    return Result(id, Outcome::kOk, 200, in, out);
  }

  // Fires every armed timer due at or before `until` (in time order, ties by
  // arming order), moving the clock to each.
  void RunTimersUntil(int64_t until) {
    for (;;) {
      auto it = timers_.begin();
      if (it == timers_.end() || it->first.first > until) break;
      const auto [when, id] = it->first;
      timers_.erase(it);
      now_ = std::max(now_, when);
      Collect([&](Actions& a) { core_.OnTimer(id, now_, a); });
    }
    now_ = std::max(now_, until);
  }

  const Actions& Probe(const std::string& deployment, bool ok) {
    ProbeResult p;
    p.deployment = deployment;
    p.ok = ok;
    p.http_status = ok ? 200 : 503;
    return Collect([&](Actions& a) { core_.OnProbeResult(p, now_, a); });
  }
  const Actions& Gate(ledger::GateDecision d) {
    return Collect([&](Actions& a) { core_.OnGateDecision(d, now_, a); });
  }

  // The deployment the last actions sent `id` to ("" if none).
  std::string SentTo(const std::string& id) const {
    for (const auto& s : last_.sends) {
      if (s.request_id == id) return s.deployment;
    }
    return "";
  }
  const Respond* Response(const std::string& id) const {
    auto it = responses_.find(id);
    return it == responses_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> probes_sent;
  std::vector<Notify> notifications;

  template <typename T>
  std::vector<T> Events() const {
    std::vector<T> out;
    for (const auto& e : log_) {
      if (const auto* b = std::get_if<T>(&e.body)) out.push_back(*b);
    }
    return out;
  }

  ledger::DeploymentState State(const std::string& d) const {
    return core_.projection().Deployment(d).state;
  }

  // R-2202..: the core's projection equals the fold of its emitted events.
  void ExpectProjectionMatchesLog() const {
    EXPECT_TRUE(core_.projection() == shadow_) << "core:\n"
                                               << core_.projection().DebugString() << "\nfold:\n"
                                               << shadow_.DebugString();
  }

  template <typename Fn>
  const Actions& Collect(Fn&& fn) {
    last_.Clear();
    fn(last_);
    for (const auto& e : last_.events) {
      EXPECT_EQ(e.seq, 0u);
      EXPECT_EQ(e.time_micros, now_);
      log_.push_back(e);
      shadow_.Apply(e);
    }
    for (const auto& s : last_.sends) open_attempt_[s.request_id] = s.attempt;
    for (const auto& t : last_.timers)
      timers_.emplace(std::make_pair(t.fire_at_micros, t.timer_id), true);
    for (const auto& r : last_.responses) responses_[r.request_id] = r;
    for (const auto& p : last_.probes) probes_sent.push_back(p.deployment);
    for (const auto& n : last_.notifications) notifications.push_back(n);
    return last_;
  }

 private:
  ledger::Projection shadow_;
  RouterCore core_;
  int64_t now_;
  Actions last_;
  std::vector<ledger::Event> log_;
  std::map<std::string, uint32_t> open_attempt_;
  std::map<std::pair<int64_t, uint64_t>, bool> timers_;
  std::map<std::string, Respond> responses_;
};

inline int64_t Seconds(int64_t s) { return s * 1'000'000; }

}  // namespace ukairo::router::testing
