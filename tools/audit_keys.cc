#include "tools/audit_keys.h"

#include "tools/audit_format.h"

namespace ukairo::tools {

void KeyAttribution::Fold(const ledger::Event& event) {
  if (const auto* a = std::get_if<ledger::RequestAccepted>(&event.body)) {
    if (!a->client_key_id.empty()) request_key_[a->request_id] = a->client_key_id;
  } else if (const auto* k = std::get_if<ledger::KeyIssued>(&event.body)) {
    key_team_[k->key_id] = k->settings.team_id;
  } else if (const auto* u = std::get_if<ledger::KeyUpdated>(&event.body)) {
    key_team_[u->key_id] = u->settings.team_id;
  }
}

std::string KeyAttribution::KeyOf(const ledger::Event& event) const {
  return std::visit(
      [&](const auto& body) -> std::string {
        if constexpr (requires { body.key_id; }) {
          return body.key_id;
        } else if constexpr (requires { body.request_id; }) {
          auto it = request_key_.find(body.request_id);
          return it == request_key_.end() ? "" : it->second;
        } else if constexpr (requires { body.scope_kind; }) {
          return body.scope_kind == ledger::ScopeKind::kKey ? body.scope_key : "";
        } else {
          return "";
        }
      },
      event.body);
}

std::string KeyAttribution::TeamOf(const ledger::Event& event) const {
  if (const auto* t = std::get_if<ledger::TeamCreated>(&event.body)) return t->team_id;
  if (const auto* t = std::get_if<ledger::TeamUpdated>(&event.body)) return t->team_id;
  if (const auto* a = std::get_if<ledger::BudgetAlert>(&event.body)) {
    if (a->scope_kind == ledger::ScopeKind::kTeam) return a->scope_key;
  }
  auto it = key_team_.find(KeyOf(event));
  return it == key_team_.end() ? "" : it->second;
}

void KeyAttribution::AfterHandling(const ledger::Event& event) {
  if (request_key_.empty()) return;
  if (std::holds_alternative<ledger::RequestCompleted>(event.body) ||
      std::holds_alternative<ledger::ReservationExpired>(event.body)) {
    request_key_.erase(RequestIdOf(event));
  }
}

}  // namespace ukairo::tools
