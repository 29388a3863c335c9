#include "ledger/internal/scan_filter.h"

#include <cstring>
#include <utility>

namespace ukairo::ledger::internal {
namespace {

bool Eq(const std::optional<std::string>& want, const std::string& have) {
  return want && *want == have;
}

template <typename B>
bool MatchesScope(const std::optional<std::string>& want, ScopeKind kind, const B& b) {
  if constexpr (requires { b.scope_kind; b.scope_key; }) {
    return b.scope_kind == kind && Eq(want, b.scope_key);
  } else {
    return false;
  }
}

bool DeploymentMatches(const ScanOptions& o, const EventBody& body) {
  return std::visit(
      [&](const auto& b) {
        bool hit = false;
        if constexpr (requires { b.deployment; }) hit |= Eq(o.deployment, b.deployment);
        if constexpr (requires { b.from_deployment; }) hit |= Eq(o.deployment, b.from_deployment);
        if constexpr (requires { b.to_deployment; }) hit |= Eq(o.deployment, b.to_deployment);
        if constexpr (requires { b.final_deployment; }) {
          hit |= Eq(o.deployment, b.final_deployment);
        }
        return hit;
      },
      body);
}

bool ModelGroupMatches(const ScanOptions& o, const EventBody& body) {
  return std::visit(
      [&](const auto& b) {
        bool hit = MatchesScope(o.model_group, ScopeKind::kModel, b);
        if constexpr (requires { b.model_group; }) hit |= Eq(o.model_group, b.model_group);
        if constexpr (requires { b.from_model_group; }) {
          hit |= Eq(o.model_group, b.from_model_group);
        }
        if constexpr (requires { b.to_model_group; }) hit |= Eq(o.model_group, b.to_model_group);
        if constexpr (requires { b.final_model_group; }) {
          hit |= Eq(o.model_group, b.final_model_group);
        }
        return hit;
      },
      body);
}

bool TagMatches(const ScanOptions& o, const EventBody& body) {
  return std::visit(
      [&](const auto& b) {
        bool hit = MatchesScope(o.tag, ScopeKind::kTag, b);
        if constexpr (requires { b.tag; }) hit |= Eq(o.tag, b.tag);
        return hit;
      },
      body);
}

bool TierMatches(const ScanOptions& o, const EventBody& body) {
  return std::visit(
      [&](const auto& b) {
        bool hit = MatchesScope(o.tier, ScopeKind::kTier, b);
        if constexpr (requires { b.tier; }) hit |= Eq(o.tier, b.tier);
        return hit;
      },
      body);
}

template <size_t... I>
std::optional<size_t> FindKind(std::string_view kind, std::index_sequence<I...>) {
  std::optional<size_t> found;
  ((KindName(EventBody(std::in_place_index<I>)) == kind ? (found = I, true) : false) || ...);
  return found;
}

}  // namespace

std::optional<size_t> KindIndex(std::string_view kind) {
  return FindKind(kind, std::make_index_sequence<std::variant_size_v<EventBody>>());
}

bool MatchesFields(const ScanOptions& o, const Event& event) {
  if (o.kind && *o.kind != KindName(event.body)) return false;
  if (o.deployment && !DeploymentMatches(o, event.body)) return false;
  if (o.model_group && !ModelGroupMatches(o, event.body)) return false;
  if (o.tag && !TagMatches(o, event.body)) return false;
  if (o.tier && !TierMatches(o, event.body)) return false;
  return true;
}

}  // namespace ukairo::ledger::internal
