// Client keys and teams in the router core (issue #13): admission of a
// keyed request, the key and team budgets of its attempts, their alerts,
// and admin changes to keys and teams. All state is the projection's (key
// settings, revocation, settled spend) plus KeyGuard's in-flight part, so
// the simulator, which drives this same core, enforces the same limits.
#include <algorithm>

#include "base/check.h"
#include "ledger/period.h"
#include "router/core/internal/core_impl.h"

namespace ukairo::router {

using ledger::ScopeKind;

namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return !name.empty() && std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

void RouterCore::Impl::RefuseBeforeRecording(const std::string& request_id, uint32_t http_status,
                                             ClientError error, int64_t retry_after_ms) {
  ++stats_.responses_error;
  ++stats_.refused_by_key;
  Respond& resp = out_->responses.emplace_back();
  resp.request_id = request_id;
  resp.http_status = http_status;
  resp.error = std::move(error);
  resp.retry_after_ms = retry_after_ms;
}

// A request may use what it names, the group it resolves to, or its tag's
// tier (by name or by the tier's first group): what LiteLLM's `models`
// lists, with ukairo's tiers as names too.
bool RouterCore::Impl::ModelAllowed(const std::vector<std::string>& models,
                                    const RequestInput& in, const ModelResolution& model,
                                    uint32_t tag) const {
  // LiteLLM: an empty list or "all-proxy-models" allows every model.
  if (models.empty() || Contains(models, "all-proxy-models")) return true;
  if (Contains(models, in.requested_model)) return true;
  if (model.kind == ModelKind::kGroup) return Contains(models, index_->group_names[model.group]);
  const uint32_t tier = index_->tag_tier[tag];
  if (tier == kNone) return false;
  if (Contains(models, index_->TierName(tier))) return true;
  const std::vector<uint32_t>& chain = index_->tier_chain[tier];
  return !chain.empty() && Contains(models, index_->group_names[chain[0]]);
}

bool RouterCore::Impl::AdmitKey(const RequestInput& in, const ModelResolution& model,
                                KeyScopes* scopes, std::string* tag) {
  if (in.client_key_id.empty() || in.client_key_id == kMasterKeyId) return true;
  auto unauthorized = [&](std::string why) {
    RefuseBeforeRecording(in.request_id, 401,
                          ClientError{"invalid_request_error", "invalid_api_key", std::move(why)},
                          -1);
    return false;
  };
  const ledger::KeyState* key = projection_.Key(in.client_key_id);
  if (key == nullptr) return unauthorized("unknown API key");
  if (key->revoked) return unauthorized("this API key was revoked");
  if (key->settings.expires_micros > 0 && now_ >= key->settings.expires_micros) {
    return unauthorized("this API key expired at " +
                        FormatIso8601(key->settings.expires_micros));
  }
  const ledger::TeamState* team =
      key->settings.team_id.empty() ? nullptr : projection_.Team(key->settings.team_id);
  if (in.tag.empty() && !key->settings.default_tag.empty()) *tag = key->settings.default_tag;
  const uint32_t resolved_tag = index_->ResolveTag(*tag);
  const bool key_ok = ModelAllowed(key->settings.models, in, model, resolved_tag);
  const bool team_ok = team == nullptr || ModelAllowed(team->settings.models, in, model, resolved_tag);
  if (!key_ok || !team_ok) {
    // LiteLLM answers a key's forbidden model with 403 key_model_access_denied
    // (401 in releases before 2025).
    const std::vector<std::string>& allowed = key_ok ? team->settings.models : key->settings.models;
    std::string list;
    for (const std::string& m : allowed) list += (list.empty() ? "" : ", ") + m;
    RefuseBeforeRecording(
        in.request_id, 403,
        ClientError{"key_model_access_denied", "key_model_access_denied",
                    std::string(key_ok ? "this key's team" : "this API key") +
                        " is not allowed to access model '" + in.requested_model +
                        "'; allowed: " + list},
        -1);
    return false;
  }
  scopes->key_id = in.client_key_id;
  scopes->team_id = team == nullptr ? std::string() : key->settings.team_id;
  if (auto hit = keys_.FirstExhausted(projection_, *scopes, guard_.period())) {
    RefuseBeforeRecording(in.request_id, 429,
                          ClientError{"insufficient_quota", "budget_exceeded", KeyBudgetText(*hit)},
                          (period_end_micros_ - now_ + 999) / 1000);
    return false;
  }
  if (auto hit = keys_.RateLimited(projection_, *scopes, in.input_tokens, now_)) {
    RefuseBeforeRecording(
        in.request_id, 429,
        ClientError{"rate_limit_error", "rate_limit_exceeded", hit->what + " reached"},
        hit->retry_after_ms);
    return false;
  }
  keys_.CountRequest(*scopes, in.input_tokens, now_);
  return true;
}

std::string RouterCore::Impl::KeyBudgetText(const KeyLimitHit& hit) const {
  return std::string(hit.kind == ScopeKind::kKey ? "key" : "team") + " '" + hit.name +
         "' budget of $" + FormatNanosAsUsd(hit.limit_nanos) + " is exhausted ($" +
         FormatNanosAsUsd(hit.spent_nanos) + " spent, $" + FormatNanosAsUsd(hit.reserved_nanos) +
         " held by requests in flight) for period " + std::to_string(guard_.period()) +
         "; it resets at " + FormatIso8601(period_end_micros_);
}

bool RouterCore::Impl::KeyFits(RequestMachine& r, NanoUsd reserve_nanos) {
  if (r.key.empty()) return true;
  std::optional<KeyLimitHit> hit =
      keys_.FirstMisfit(projection_, r.key, guard_.period(), reserve_nanos);
  if (!hit) return true;
  r.key_refusal = std::move(hit);
  r.last_refusal = {};
  return false;
}

// The config's alert thresholds, once per period, on the key's and team's
// own budgets. Their action at 100 % is to refuse new requests (AdmitKey),
// so every alert here only notifies.
void RouterCore::Impl::CheckKeyAlerts(const KeyScopes& scopes) {
  if (scopes.empty()) return;
  const int32_t period = guard_.period();
  auto check = [&](ScopeKind kind, const std::string& id) {
    const NanoUsd limit = keys_.Limit(projection_, kind, id);
    if (limit <= 0) return;
    const ledger::ScopeId scope{kind, id};
    const NanoUsd spent = projection_.Spent(scope, period);
    for (const AlertRule& rule : config_->alerts) {
      if (static_cast<Int128>(spent) * 100 < static_cast<Int128>(limit) * rule.threshold_pct) break;
      if (projection_.AlertFired(scope, period, rule.threshold_pct)) continue;
      Emit(ledger::BudgetAlert{kind, id, rule.threshold_pct, ledger::AlertAction::kNotify, spent,
                               limit, period});
      Notify("budget_alert", std::string(ledger::ScopeKindName(kind)) + " '" + id + "' reached " +
                                 std::to_string(rule.threshold_pct) + "% (" +
                                 FormatNanosAsUsd(spent) + " of " + FormatNanosAsUsd(limit) +
                                 " USD)");
    }
  };
  check(ScopeKind::kKey, scopes.key_id);
  if (!scopes.team_id.empty()) check(ScopeKind::kTeam, scopes.team_id);
}

Status RouterCore::Impl::ApplyKeyChange(const KeyChange& change) {
  const ledger::Projection& p = projection_;
  Status status = std::visit(
      [&](const auto& c) -> Status {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, ledger::KeyIssued>) {
          if (c.key_id.empty() || c.secret_sha256_hex.size() != 64) {
            return Status::InvalidArgument("a key needs an id and a SHA-256 of its secret");
          }
          if (p.Key(c.key_id) != nullptr) {
            return Status::FailedPrecondition("key " + c.key_id + " exists");
          }
          if (p.keys().size() >= ledger::ProjectionLimits::kKeysMax) {
            return Status::Unavailable("keys_max (" +
                                       std::to_string(ledger::ProjectionLimits::kKeysMax) +
                                       ") reached: revoke and delete keys first");
          }
        } else if constexpr (std::is_same_v<T, ledger::KeyUpdated> ||
                             std::is_same_v<T, ledger::KeyRevoked>) {
          const ledger::KeyState* k = p.Key(c.key_id);
          if (k == nullptr) return Status::NotFound("no key " + c.key_id);
          if (k->revoked) return Status::NotFound("key " + c.key_id + " was revoked");
        } else if constexpr (std::is_same_v<T, ledger::TeamCreated>) {
          if (c.team_id.empty()) return Status::InvalidArgument("a team needs an id");
          if (p.Team(c.team_id) != nullptr) {
            return Status::FailedPrecondition("team " + c.team_id + " exists");
          }
          if (p.teams().size() >= ledger::ProjectionLimits::kTeamsMax) {
            return Status::Unavailable("teams_max (" +
                                       std::to_string(ledger::ProjectionLimits::kTeamsMax) +
                                       ") reached");
          }
        } else {
          if (p.Team(c.team_id) == nullptr) return Status::NotFound("no team " + c.team_id);
        }
        return Status::Ok();
      },
      change);
  if (!status.ok()) return status;
  std::visit([&](const auto& c) { Emit(c); }, change);
  return Status::Ok();
}

Status RouterCore::OnKeyChange(const KeyChange& change, int64_t now_micros, Actions& out) {
  impl_->Begin(now_micros, out);
  return impl_->ApplyKeyChange(change);
}

NanoUsd RouterCore::KeyReserved(ledger::ScopeKind kind, const std::string& id) const {
  return impl_->keys_.Reserved(kind, id);
}

}  // namespace ukairo::router
