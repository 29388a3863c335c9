// The fold of client keys and teams (issue #13), and the booking of a
// keyed request's spend to its key and team scopes. Key and team events are
// rare (admin actions); the per-request part costs one hash lookup per
// accepted request with a key and nothing for requests without one.
#include "base/check.h"
#include "ledger/projection.h"

namespace ukairo::ledger {

const KeyState* Projection::Key(const std::string& key_id) const {
  auto it = keys_.find(key_id);
  return it == keys_.end() ? nullptr : &it->second;
}

const TeamState* Projection::Team(const std::string& team_id) const {
  auto it = teams_.find(team_id);
  return it == teams_.end() ? nullptr : &it->second;
}

void Projection::OnRequestAccepted(const Event&, const RequestAccepted& a) {
  if (a.client_key_id.empty() || keys_.empty()) return;
  // Only ids of issued keys: the master key ("master") has no scope.
  if (keys_.count(a.client_key_id) == 0) return;
  request_keys_[a.request_id] = a.client_key_id;
}

void Projection::OnRequestCompleted(const Event&, const RequestCompleted& c) {
  if (!request_keys_.empty()) request_keys_.erase(c.request_id);
}

void Projection::AddKeySpend(const std::string& request_id, int32_t period, NanoUsd cost_nanos) {
  auto it = request_keys_.find(request_id);
  if (it == request_keys_.end()) return;
  AddSpend(slots_[SlotFor(ScopeKind::kKey, it->second)], period, cost_nanos);
  const KeyState* key = Key(it->second);
  if (key != nullptr && !key->settings.team_id.empty()) {
    AddSpend(slots_[SlotFor(ScopeKind::kTeam, key->settings.team_id)], period, cost_nanos);
  }
}

void Projection::OnKeyIssued(const Event& e, const KeyIssued& k) {
  if (k.key_id.empty() || keys_.count(k.key_id) != 0) {
    ++anomalies_.key_events_ignored;
    return;
  }
  KeyState& state = keys_[k.key_id];
  state.key_prefix = k.key_prefix;
  state.secret_sha256_hex = k.secret_sha256_hex;
  state.settings = k.settings;
  state.created_micros = e.time_micros;
  state.updated_micros = e.time_micros;
  state.created_by = k.actor;
}

void Projection::OnKeyUpdated(const Event& e, const KeyUpdated& k) {
  auto it = keys_.find(k.key_id);
  if (it == keys_.end()) {
    ++anomalies_.key_events_ignored;
    return;
  }
  it->second.settings = k.settings;
  it->second.updated_micros = e.time_micros;
}

void Projection::OnKeyRevoked(const Event& e, const KeyRevoked& k) {
  auto it = keys_.find(k.key_id);
  if (it == keys_.end() || it->second.revoked) {
    ++anomalies_.key_events_ignored;
    return;
  }
  it->second.revoked = true;
  it->second.revoked_micros = e.time_micros;
  it->second.updated_micros = e.time_micros;
}

void Projection::OnTeamCreated(const Event& e, const TeamCreated& t) {
  if (t.team_id.empty() || teams_.count(t.team_id) != 0) {
    ++anomalies_.key_events_ignored;
    return;
  }
  TeamState& state = teams_[t.team_id];
  state.settings = t.settings;
  state.created_micros = e.time_micros;
  state.updated_micros = e.time_micros;
}

void Projection::OnTeamUpdated(const Event& e, const TeamUpdated& t) {
  auto it = teams_.find(t.team_id);
  if (it == teams_.end()) {
    ++anomalies_.key_events_ignored;
    return;
  }
  it->second.settings = t.settings;
  it->second.updated_micros = e.time_micros;
}

}  // namespace ukairo::ledger
