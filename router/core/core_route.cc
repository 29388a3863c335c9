// Choosing deployments and moving a request through its chain (R-2201,
// R-2203, R-2204, exceptions of seed §7).
//
// A request walks its chain of model groups in the configured order and
// never reorders it (R-2204). Inside a group it tries every deployment it
// has not tried yet, balanced by the configured strategy. A group with none
// usable is skipped and recorded as a FallbackTaken with the reason of its
// first unusable deployment. When the chain is spent, the chain's zero-cost
// (local) deployments get one try whatever their state: the last resort.
#include <algorithm>

#include "base/check.h"
#include "router/core/internal/core_impl.h"

namespace ukairo::router {

using ledger::DeploymentState;
using ledger::FallbackReason;

namespace {

FallbackReason ReasonForState(DeploymentState s) {
  switch (s) {
    case DeploymentState::kRateLimited:
      return FallbackReason::kRateLimit;
    case DeploymentState::kCoolingDown:
      return FallbackReason::kCooldown;
    case DeploymentState::kDown:
      return FallbackReason::kFailure;
    case DeploymentState::kBudgetStopped:
      return FallbackReason::kBudget;
    case DeploymentState::kGated:
      return FallbackReason::kGate;
    case DeploymentState::kMisconfigured:
      return FallbackReason::kMisconfigured;
    case DeploymentState::kHealthy:
      break;
  }
  return FallbackReason::kFailure;
}

}  // namespace

// R-2201: the tier's chain. A client that names a model group other than the
// tier's primary gets that group's own chain ([group] + its `fallbacks`, or
// default_fallbacks): it asked for that model, and the configured fallbacks
// of that model are the policy for it. nullptr: no route.
const std::vector<uint32_t>* RouterCore::Impl::ResolveChain(uint32_t tier,
                                                            uint32_t requested_group) const {
  const std::vector<uint32_t>* tier_chain = tier == kNone ? nullptr : &index_->tier_chain[tier];
  if (requested_group != kNone &&
      (tier_chain == nullptr || tier_chain->empty() || (*tier_chain)[0] != requested_group)) {
    return &index_->group_chain[requested_group];
  }
  if (tier_chain == nullptr || tier_chain->empty()) return nullptr;
  return tier_chain;
}

AttemptScopes RouterCore::Impl::ScopesOf(const RequestMachine& r, uint32_t group) const {
  return AttemptScopes{index_->group_scope[group],
                       r.tag == kNone ? kNone : index_->tag_scope[r.tag],
                       r.tier == kNone ? kNone : index_->tier_scope[r.tier], index_->global_scope};
}

// Worst case: every input token uncached, output up to the cap (the
// deployment's own output limit when it is lower). A Messages request may
// mark its prompt cache_control, so its input may all be cache writes,
// dearer than plain input.
NanoUsd RouterCore::Impl::ReserveNanos(const Deployment& dp, const RequestMachine& r) const {
  if (dp.is_local()) return 0;
  int64_t output_tokens = r.max_output_tokens;
  if (dp.max_output_tokens > 0) output_tokens = std::min(output_tokens, dp.max_output_tokens);
  if (r.anthropic_messages && dp.price.cache_write_pico > dp.price.input_pico) {
    return CostNanos(dp.price, 0, output_tokens, 0, r.input_tokens);
  }
  return CostNanos(dp.price, r.input_tokens, output_tokens);
}

void RouterCore::Impl::Advance(RequestMachine& r) {
  UKAIRO_CHECK(r.chain != nullptr);
  while (r.attempts < kAttemptsPerRequestMax && now_ < r.deadline_micros) {
    if (r.chain_pos < r.chain->size()) {
      uint32_t g = (*r.chain)[r.chain_pos];
      // A human let a stopped model continue as another model (R-2206):
      // recorded as a fallback for reason gate, to the stand-in.
      const uint32_t redirect = guard_.ContinueGroup(index_->group_scope[g]);
      if (redirect != kNone && redirect != g) {
        if (!(r.fallback_pending && r.fallback_from_group == redirect)) {
          FlushFallback(r, kNone, g);
          SetPending(r, kNone, g, FallbackReason::kGate);
        }
        g = redirect;
      }
      const bool same_group = r.fallback_pending && r.fallback_from_group == g;
      FallbackReason reason = same_group ? r.fallback_reason : FallbackReason::kFailure;
      const uint32_t d = PickInGroup(r, g, &reason);
      if (d != kNone) {
        FlushFallback(r, d, g);
        StartAttempt(r, d, /*retry=*/false);
        return;
      }
      if (!same_group) {
        FlushFallback(r, kNone, g);
        SetPending(r, kNone, g, reason);
      }
      if (r.fallback_reason == FallbackReason::kContextWindow && !r.on_context_chain &&
          !index_->context_chain[g].empty()) {
        r.chain = &index_->context_chain[g];
        r.chain_pos = 0;
        r.on_context_chain = true;
        continue;
      }
      ++r.chain_pos;
      continue;
    }
    const uint32_t d = PickLastResort(r);
    if (d == kNone) break;
    FlushFallback(r, d, index_->deployment_group[d]);
    r.last_resort = true;
    StartAttempt(r, d, /*retry=*/false);
    return;
  }
  FlushFallback(r, kNone, kNone);
  FailExhausted(r);
}

uint32_t RouterCore::Impl::PickInGroup(RequestMachine& r, uint32_t g, FallbackReason* reason) {
  if (guard_.Refused(index_->group_scope[g])) {
    *reason = FallbackReason::kGate;
    return kNone;
  }
  candidates_.clear();
  bool first_skip = true;
  for (uint32_t d : index_->group_deployments[g]) {
    if (r.attempted.contains(d)) continue;
    if (auto skip = SkipReason(r, d, g)) {
      if (first_skip) {
        *reason = *skip;
        r.group_refusal = *skip == FallbackReason::kBudget ? r.last_refusal
                                                           : RequestMachine::BudgetRefusal{};
      }
      first_skip = false;
      continue;
    }
    candidates_.push_back(d);
  }
  if (candidates_.empty()) return kNone;
  return Choose(candidates_);
}

// Whether deployment `d` speaks the request's API, natively or translated.
bool RouterCore::Impl::Serves(const RequestMachine& r, uint32_t d) const {
  return !r.anthropic_messages || dep(d).speaks_anthropic() || r.untranslatable_feature.empty();
}

// Why deployment `d` of group `g` cannot take the request now, if it cannot.
std::optional<FallbackReason> RouterCore::Impl::SkipReason(RequestMachine& r, uint32_t d,
                                                           uint32_t g) {
  if (!Serves(r, d)) return FallbackReason::kUnsupported;
  if (!Available(d)) {
    const DeploymentState state = runtime_[d].state;
    if (state == DeploymentState::kBudgetStopped) {
      r.last_refusal = {index_->group_scope[g], /*stopped=*/true, ReserveNanos(dep(d), r)};
    }
    return ReasonForState(state);
  }
  const Deployment& dp = dep(d);
  if (dp.max_input_tokens > 0 && r.input_tokens > dp.max_input_tokens) {
    return FallbackReason::kContextWindow;
  }
  if (OwnLimitReached(d, r.input_tokens)) return FallbackReason::kRateLimit;
  const NanoUsd reserve = ReserveNanos(dp, r);
  r.quote_deployment = d;
  r.quote_nanos = reserve;
  if (reserve == 0) return std::nullopt;  // zero-cost deployments always fit
  const AttemptScopes scopes = ScopesOf(r, g);
  for (uint32_t s : scopes) {
    if (s == kNone) continue;
    // Stopped and undecided: only zero-cost deployments (R-2206).
    const bool blocked = guard_.Blocked(s) && guard_.ContinueGroup(s) != g;
    if (blocked || !guard_.Fits(s, reserve, g)) {
      r.refused_scope = s;
      r.last_refusal = {s, blocked, reserve};
      if (!blocked && guard_.Exhausted(s)) FireExhausted(s);
      return FallbackReason::kBudget;
    }
  }
  if (!KeyFits(r, reserve)) return FallbackReason::kBudget;
  return std::nullopt;
}

// simple-shuffle: weighted by Deployment::weight with the seeded Rng;
// least-busy: fewest attempts in flight, ties to the lowest index.
uint32_t RouterCore::Impl::Choose(const std::vector<uint32_t>& candidates) {
  UKAIRO_CHECK(!candidates.empty());
  if (candidates.size() == 1) return candidates[0];
  if (config_->routing_strategy == RoutingStrategy::kLeastBusy) {
    uint32_t best = candidates[0];
    for (uint32_t d : candidates) {
      if (runtime_[d].in_flight < runtime_[best].in_flight) best = d;
    }
    return best;
  }
  uint64_t total = 0;
  for (uint32_t d : candidates) total += static_cast<uint64_t>(std::max<int64_t>(dep(d).weight, 1));
  uint64_t x = rng_.Below(total);
  for (uint32_t d : candidates) {
    const uint64_t w = static_cast<uint64_t>(std::max<int64_t>(dep(d).weight, 1));
    if (x < w) return d;
    x -= w;
  }
  UKAIRO_CHECK(false, "weighted choice out of range");
  return candidates.back();
}

// The last resort: a zero-cost deployment of the request's original chain,
// searched from the end, not yet tried, whatever its health (a local model
// that looks down is still better than no answer). Not when misconfigured or
// stopped by a human.
uint32_t RouterCore::Impl::PickLastResort(RequestMachine& r) {
  const auto& chain = *r.last_resort_chain;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (guard_.Refused(index_->group_scope[*it])) continue;
    for (uint32_t d : index_->group_deployments[*it]) {
      if (!dep(d).is_local() || r.attempted.contains(d)) continue;
      if (!Serves(r, d)) continue;
      const DeploymentState s = runtime_[d].state;
      if (s == DeploymentState::kMisconfigured || s == DeploymentState::kGated) continue;
      return d;
    }
  }
  return kNone;
}

void RouterCore::Impl::StartAttempt(RequestMachine& r, uint32_t d, bool retry) {
  const Deployment& dp = dep(d);
  const uint32_t g = index_->deployment_group[d];
  if (retry) {
    UKAIRO_CHECK(r.deployment == d);
    ++r.try_on_deployment;
  } else {
    r.try_on_deployment = 1;
    r.attempted.push_back(d);
  }
  ++r.attempts;
  UKAIRO_CHECK(r.attempts <= kAttemptsPerRequestMax);
  r.deployment = d;
  r.reserved_nanos = r.quote_deployment == d ? r.quote_nanos : ReserveNanos(dp, r);
  UKAIRO_CHECK(r.reserved_nanos == ReserveNanos(dp, r));
  r.scopes = ScopesOf(r, g);
  r.price = dp.price;
  r.orphan_deployment.clear();
  r.orphan_group.clear();
  r.phase = RequestPhase::kAwaitingResult;
  guard_.Reserve(r.scopes, r.reserved_nanos);
  keys_.Reserve(r.key, r.reserved_nanos);
  DeploymentRuntime& rt = runtime_[d];
  ++rt.in_flight;
  rt.window.Add(now_, 1, 0);
  const std::string& group = index_->group_names[g];
  Emit(ledger::AttemptStarted{r.id, r.attempts, r.try_on_deployment, dp.id, group,
                              index_->tag_names[r.tag], index_->TierName(r.tier),
                              r.reserved_nanos});
  const int64_t remaining_ms = std::max<int64_t>((r.deadline_micros - now_) / 1000, 1);
  out_->sends.push_back(
      SendAttempt{r.id, r.attempts, dp.id, d, group, std::min(dp.timeout_ms, remaining_ms)});
  ++stats_.attempts;
}

void RouterCore::Impl::SetPending(RequestMachine& r, uint32_t from_d, uint32_t from_group,
                                  FallbackReason reason) {
  UKAIRO_CHECK(!r.fallback_pending);
  r.fallback_pending = true;
  r.fallback_from_deployment = from_d;
  r.fallback_from_group = from_group;
  r.fallback_reason = reason;
  r.fallback_refusal =
      reason == FallbackReason::kBudget ? r.group_refusal : RequestMachine::BudgetRefusal{};
}

// Emits the pending fallback now that its destination is known ("" when
// nothing was left).
void RouterCore::Impl::FlushFallback(RequestMachine& r, uint32_t to_d, uint32_t to_group) {
  if (!r.fallback_pending) return;
  r.fallback_pending = false;
  static const std::string kEmpty;
  const uint32_t from_d = r.fallback_from_deployment;
  const uint32_t from_g = r.fallback_from_group;
  ledger::FallbackTaken f;
  f.request_id = r.id;
  f.tag = index_->tag_names[r.tag];
  f.tier = index_->TierName(r.tier);
  f.from_deployment = from_d == kNone ? kEmpty : dep(from_d).id;
  f.from_model_group = from_g == kNone ? kEmpty : index_->group_names[from_g];
  f.to_deployment = to_d == kNone ? kEmpty : dep(to_d).id;
  f.to_model_group = to_group == kNone ? kEmpty : index_->group_names[to_group];
  f.reason = r.fallback_reason;
  const RequestMachine::BudgetRefusal& why = r.fallback_refusal;
  if (r.fallback_reason == FallbackReason::kBudget && why.scope != kNone) {
    const ledger::ScopeId& id = index_->scopes[why.scope];
    const ScopeState& st = guard_.scope(why.scope);
    f.budget_scope_kind = id.kind;
    f.budget_scope_key = id.key;
    f.budget_scope_stopped = why.stopped;
    f.budget_used_nanos = st.spent_nanos + st.reserved_nanos;
    f.budget_limit_nanos = guard_.Limit(why.scope);
    f.reserve_nanos = why.reserve_nanos;
  }
  Emit(std::move(f));
  ++r.fallbacks;
  r.fallback_reasons.push_back(r.fallback_reason);
  ++stats_.fallbacks;
}

void RouterCore::Impl::CompleteOk(RequestMachine& r) {
  const uint32_t d = r.deployment;
  const bool orphan = d == kNone;
  const std::string& id = orphan ? r.orphan_deployment : dep(d).id;
  const std::string& group =
      orphan ? r.orphan_group : index_->group_names[index_->deployment_group[d]];
  const bool last_resort = r.last_resort || (!orphan && dep(d).is_local() && r.fallbacks > 0);
  Emit(ledger::RequestCompleted{r.id, index_->tag_names[r.tag], index_->TierName(r.tier), id, group,
                                200, "", r.total_cost_nanos, r.attempts, r.fallbacks,
                                now_ - r.accepted_micros, last_resort});
  Respond& resp = out_->responses.emplace_back();
  resp.request_id = r.id;
  resp.http_status = 200;
  resp.served_attempt = r.attempts;
  resp.deployment = id;
  resp.model_group = group;
  resp.attempts = r.attempts;
  resp.fallbacks = r.fallbacks;
  resp.fallback_reasons = std::move(r.fallback_reasons);
  resp.total_cost_nanos = r.total_cost_nanos;
  resp.last_resort = last_resort;
  ++stats_.responses_ok;
  requests_.erase(requests_.find(r.id));  // by iterator: r.id dies with the node
}

void RouterCore::Impl::CompleteError(RequestMachine& r, uint32_t http_status, const char* type,
                                     const char* code, std::string message) {
  Emit(ledger::RequestCompleted{r.id, index_->tag_names[r.tag], index_->TierName(r.tier), "", "",
                                http_status, code, r.total_cost_nanos, r.attempts, r.fallbacks,
                                now_ - r.accepted_micros, false});
  Respond& resp = out_->responses.emplace_back();
  resp.request_id = r.id;
  resp.http_status = http_status;
  resp.attempts = r.attempts;
  resp.fallbacks = r.fallbacks;
  resp.fallback_reasons = std::move(r.fallback_reasons);
  resp.total_cost_nanos = r.total_cost_nanos;
  resp.error = ClientError{type, code, std::move(message)};
  resp.attempt_list = std::move(r.attempt_list);
  ++stats_.responses_error;
  requests_.erase(requests_.find(r.id));
}

// Nothing left to try: one error that names every attempt (never a hang).
void RouterCore::Impl::FailExhausted(RequestMachine& r) {
  if (r.attempt_list.empty() && r.key_refusal) {
    CompleteError(r, 429, "insufficient_quota", "budget_exceeded", KeyBudgetText(*r.key_refusal));
    return;
  }
  if (r.attempt_list.empty() && r.refused_scope != kNone) {
    CompleteError(
        r, 429, "insufficient_quota", "budget_exceeded",
        ScopeText(r.refused_scope) + " is exhausted for period " + std::to_string(guard_.period()));
    return;
  }
  std::string message =
      r.attempt_list.empty() ? "no deployment available" : "every deployment failed:";
  for (const AttemptSummary& a : r.attempt_list) {
    message += " [" + std::to_string(a.attempt) + "] " + a.deployment + " " +
               ledger::OutcomeName(a.outcome) + " " + std::to_string(a.http_status) + ";";
  }
  if (!r.fallback_reasons.empty()) {
    message += " skipped for:";
    for (auto reason : r.fallback_reasons) {
      message += std::string(" ") + ledger::FallbackReasonName(reason);
    }
    const auto& reasons = r.fallback_reasons;
    if (std::find(reasons.begin(), reasons.end(), FallbackReason::kUnsupported) != reasons.end()) {
      message += " (unsupported: an OpenAI-compatible deployment cannot serve this Anthropic "
                 "Messages request: " + r.untranslatable_feature + ")";
    }
  }
  const bool timed_out = now_ >= r.deadline_micros;
  CompleteError(r, timed_out ? 504 : 503, "service_unavailable",
                timed_out ? "request_timeout" : "all_deployments_failed", std::move(message));
}

}  // namespace ukairo::router
