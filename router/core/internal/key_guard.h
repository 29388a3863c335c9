// KeyGuard: the router core's runtime state for client keys and teams
// (issue #13): what their requests in flight hold in reservations and their
// sliding rpm/tpm windows. Settled spend, settings and revocation are in the
// projection (the truth); this adds only what an in-flight fold would need,
// so a restart (which expires every open reservation) starts it empty.
//
// A request counts against its key and the key's team (when set): both
// must fit the attempt's worst-case cost, like every other budget scope of
// R-2202, so concurrent requests never settle above a key's budget.
//
// Thread safety: a value; one owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "ledger/projection.h"
#include "router/core/internal/rate_window.h"

namespace ukairo::router {

// The two scopes of a keyed request: its key and its team ("" for none).
struct KeyScopes {
  std::string key_id;
  std::string team_id;
  bool empty() const { return key_id.empty(); }
};

// A limit a keyed request ran into, for its scope's error text.
struct KeyLimitHit {
  ledger::ScopeKind kind = ledger::ScopeKind::kKey;
  std::string id;
  std::string name;  // alias, or the id
  NanoUsd spent_nanos = 0;
  NanoUsd reserved_nanos = 0;
  NanoUsd limit_nanos = 0;
};

class KeyGuard {
 public:
  // Windows and reservations are kept only for keys and teams with traffic;
  // both maps are bounded by the projection's keys_max / teams_max.
  static constexpr size_t kWindowsMax =
      ledger::ProjectionLimits::kKeysMax + ledger::ProjectionLimits::kTeamsMax;

  // Budget of `kind:id` in `period`: the limit (-1 none), settled spend and
  // what requests in flight hold.
  NanoUsd Limit(const ledger::Projection& p, ledger::ScopeKind kind, const std::string& id) const;
  NanoUsd Reserved(ledger::ScopeKind kind, const std::string& id) const;

  // The first of the request's scopes in which `reserve_nanos` more does
  // not fit (spent + reserved + reserve > limit), if any. reserve 0 fits.
  std::optional<KeyLimitHit> FirstMisfit(const ledger::Projection& p, const KeyScopes& scopes,
                                         int32_t period, NanoUsd reserve_nanos) const;
  // The first scope whose budget is used up (spent >= limit, nothing
  // needed): a new request is refused at once.
  std::optional<KeyLimitHit> FirstExhausted(const ledger::Projection& p, const KeyScopes& scopes,
                                            int32_t period) const;

  // rpm / tpm of the key and team over the last minute: when taking one
  // more request of `input_tokens` would pass a limit, the ms until the
  // window frees room (>= 1) and which scope; nullopt when it fits.
  struct RateHit {
    int64_t retry_after_ms = 0;
    std::string what;  // "key 'ci' rpm limit 60", ...
  };
  std::optional<RateHit> RateLimited(const ledger::Projection& p, const KeyScopes& scopes,
                                     int64_t input_tokens, int64_t now_micros) const;
  // Counts an admitted request and its input tokens in its scopes' windows
  // (tpm counts prompt tokens, known at admission; a first request larger
  // than the tpm limit alone is let through, else it could never run).
  void CountRequest(const KeyScopes& scopes, int64_t input_tokens, int64_t now_micros);

  void Reserve(const KeyScopes& scopes, NanoUsd nanos);
  void Release(const KeyScopes& scopes, NanoUsd nanos);

 private:
  static std::string MapKey(ledger::ScopeKind kind, const std::string& id);
  std::unordered_map<std::string, NanoUsd> reserved_;   // "k:<id>" / "t:<id>"
  std::unordered_map<std::string, RateWindow> windows_;
};

}  // namespace ukairo::router
