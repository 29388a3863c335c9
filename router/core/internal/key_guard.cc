#include "router/core/internal/key_guard.h"

#include <algorithm>

#include "base/check.h"

namespace ukairo::router {

using ledger::ScopeKind;

namespace {

struct Limits {
  NanoUsd max_budget_nanos = -1;
  int64_t rpm_limit = 0;
  int64_t tpm_limit = 0;
  std::string name;
};

std::optional<Limits> LimitsOf(const ledger::Projection& p, ScopeKind kind,
                               const std::string& id) {
  if (kind == ScopeKind::kKey) {
    const ledger::KeyState* k = p.Key(id);
    if (k == nullptr) return std::nullopt;
    return Limits{k->settings.max_budget_nanos, k->settings.rpm_limit, k->settings.tpm_limit,
                  k->settings.name.empty() ? id : k->settings.name};
  }
  const ledger::TeamState* t = p.Team(id);
  if (t == nullptr) return std::nullopt;
  return Limits{t->settings.max_budget_nanos, t->settings.rpm_limit, t->settings.tpm_limit,
                t->settings.name.empty() ? id : t->settings.name};
}

// Calls fn(kind, id) for the key and, when set, its team.
template <typename Fn>
void ForEach(const KeyScopes& scopes, Fn&& fn) {
  if (scopes.key_id.empty()) return;
  fn(ScopeKind::kKey, scopes.key_id);
  if (!scopes.team_id.empty()) fn(ScopeKind::kTeam, scopes.team_id);
}

const char* KindWord(ScopeKind kind) { return kind == ScopeKind::kKey ? "key" : "team"; }

}  // namespace

std::string KeyGuard::MapKey(ScopeKind kind, const std::string& id) {
  return (kind == ScopeKind::kKey ? "k:" : "t:") + id;
}

NanoUsd KeyGuard::Limit(const ledger::Projection& p, ScopeKind kind, const std::string& id) const {
  const std::optional<Limits> limits = LimitsOf(p, kind, id);
  return limits ? limits->max_budget_nanos : -1;
}

NanoUsd KeyGuard::Reserved(ScopeKind kind, const std::string& id) const {
  auto it = reserved_.find(MapKey(kind, id));
  return it == reserved_.end() ? 0 : it->second;
}

std::optional<KeyLimitHit> KeyGuard::FirstMisfit(const ledger::Projection& p,
                                                 const KeyScopes& scopes, int32_t period,
                                                 NanoUsd reserve_nanos) const {
  UKAIRO_CHECK(reserve_nanos >= 0);
  std::optional<KeyLimitHit> hit;
  if (reserve_nanos == 0) return hit;  // zero-cost deployments always fit
  ForEach(scopes, [&](ScopeKind kind, const std::string& id) {
    if (hit) return;
    const std::optional<Limits> limits = LimitsOf(p, kind, id);
    if (!limits || limits->max_budget_nanos < 0) return;
    const NanoUsd spent = p.Spent({kind, id}, period);
    const NanoUsd reserved = Reserved(kind, id);
    // As a subtraction, so that no sum can overflow.
    const NanoUsd room = limits->max_budget_nanos - spent - reserved;
    if (reserve_nanos > room) hit = KeyLimitHit{kind, id, limits->name, spent, reserved, limits->max_budget_nanos};
  });
  return hit;
}

std::optional<KeyLimitHit> KeyGuard::FirstExhausted(const ledger::Projection& p,
                                                    const KeyScopes& scopes,
                                                    int32_t period) const {
  std::optional<KeyLimitHit> hit;
  ForEach(scopes, [&](ScopeKind kind, const std::string& id) {
    if (hit) return;
    const std::optional<Limits> limits = LimitsOf(p, kind, id);
    if (!limits || limits->max_budget_nanos < 0) return;
    const NanoUsd spent = p.Spent({kind, id}, period);
    if (spent >= limits->max_budget_nanos) {
      hit = KeyLimitHit{kind, id, limits->name, spent, Reserved(kind, id),
                        limits->max_budget_nanos};
    }
  });
  return hit;
}

std::optional<KeyGuard::RateHit> KeyGuard::RateLimited(const ledger::Projection& p,
                                                       const KeyScopes& scopes,
                                                       int64_t input_tokens,
                                                       int64_t now_micros) const {
  std::optional<RateHit> hit;
  ForEach(scopes, [&](ScopeKind kind, const std::string& id) {
    if (hit) return;
    const std::optional<Limits> limits = LimitsOf(p, kind, id);
    if (!limits || (limits->rpm_limit <= 0 && limits->tpm_limit <= 0)) return;
    auto it = windows_.find(MapKey(kind, id));
    if (it == windows_.end()) return;
    const RateWindow& w = it->second;
    std::string what;
    if (limits->rpm_limit > 0 && w.Requests(now_micros) >= limits->rpm_limit) {
      what = "rpm limit " + std::to_string(limits->rpm_limit);
    } else if (limits->tpm_limit > 0 && w.Tokens(now_micros) > 0 &&
               w.Tokens(now_micros) + input_tokens > limits->tpm_limit) {
      what = "tpm limit " + std::to_string(limits->tpm_limit);
    }
    if (what.empty()) return;
    const int64_t wait_micros = w.NextExpiryMicros(now_micros) - now_micros;
    hit = RateHit{std::max<int64_t>((wait_micros + 999) / 1000, 1),
                  std::string(KindWord(kind)) + " '" + limits->name + "' " + what};
  });
  return hit;
}

void KeyGuard::CountRequest(const KeyScopes& scopes, int64_t input_tokens, int64_t now_micros) {
  ForEach(scopes, [&](ScopeKind kind, const std::string& id) {
    std::string key = MapKey(kind, id);
    auto it = windows_.find(key);
    if (it == windows_.end()) {
      // The projection bounds keys and teams; this map follows it.
      UKAIRO_CHECK(windows_.size() < kWindowsMax, "key rate windows past keys_max + teams_max");
      it = windows_.emplace(std::move(key), RateWindow{}).first;
    }
    it->second.Add(now_micros, 1, std::max<int64_t>(input_tokens, 0));
  });
}

void KeyGuard::Reserve(const KeyScopes& scopes, NanoUsd nanos) {
  UKAIRO_CHECK(nanos >= 0);
  if (nanos == 0) return;
  ForEach(scopes, [&](ScopeKind kind, const std::string& id) { reserved_[MapKey(kind, id)] += nanos; });
}

void KeyGuard::Release(const KeyScopes& scopes, NanoUsd nanos) {
  UKAIRO_CHECK(nanos >= 0);
  if (nanos == 0) return;
  ForEach(scopes, [&](ScopeKind kind, const std::string& id) {
    auto it = reserved_.find(MapKey(kind, id));
    UKAIRO_CHECK(it != reserved_.end() && it->second >= nanos, "key release without reserve");
    it->second -= nanos;
    // Only scopes with requests in flight stay: bounded by those requests.
    if (it->second == 0) reserved_.erase(it);
  });
}

}  // namespace ukairo::router
