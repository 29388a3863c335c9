// RouterCore inputs: requests, upstream results, timers, probes, gate
// decisions and config changes. See router/core/core.h for the contract.
#include "router/core/core.h"

#include <algorithm>

#include "base/check.h"
#include "router/core/internal/backoff.h"
#include "router/core/internal/core_impl.h"

namespace ukairo::router {

using ledger::DeploymentState;
using ledger::FallbackReason;
using ledger::Outcome;
using ledger::RecoveryConfirmation;

static_assert(RouterCore::kAttemptsPerRequestMax == kRequestAttemptsMax);
static_assert(RouterCore::kRetriesMax < RouterCore::kAttemptsPerRequestMax);

RouterCore::Impl::Impl(std::shared_ptr<const Config> config, ledger::Projection restored,
                       uint64_t seed)
    : index_(BuildCoreIndex(config, kChainGroupsMax)),
      config_(config.get()),
      projection_(std::move(restored)),
      rng_(seed) {
  UKAIRO_CHECK(projection_.period_kind() == config_->budget_period);
  UKAIRO_CHECK(config_->deployments.size() <= kDeploymentsMax);
  runtime_.resize(config_->deployments.size());
  for (size_t d = 0; d < runtime_.size(); ++d) {
    const ledger::DeploymentStatus& status = projection_.Deployment(config_->deployments[d].id);
    runtime_[d].state = status.state;
    runtime_[d].until_micros = status.until_micros;
    runtime_[d].down_since_micros = status.down_since_micros;
  }
}

void RouterCore::Impl::Begin(int64_t now_micros, Actions& out) {
  // A wall clock may step back; the core keeps its own time monotonic (max).
  now_ = std::max(now_, now_micros);
  out_ = &out;
  MaybeRollover();
}

// Folds a past event (already in the restored projection) into the in-memory
// windows only, so a restart rebuilds rpm/tpm and allowed_fails counts.
void RouterCore::Impl::WarmUp(const ledger::Event& event) {
  const int64_t t = event.time_micros;
  if (const auto* a = std::get_if<ledger::AttemptStarted>(&event.body)) {
    const uint32_t d = index_->FindDeployment(a->deployment);
    if (d != kNone) runtime_[d].window.Add(t, 1, 0);
  } else if (const auto* f = std::get_if<ledger::AttemptFinished>(&event.body)) {
    const uint32_t d = index_->FindDeployment(f->deployment);
    if (d == kNone) return;
    runtime_[d].window.Add(t, 0, std::max<int64_t>(f->input_tokens + f->output_tokens, 0));
    if (IsFailure(f->outcome)) runtime_[d].failures.Add(t);
  } else if (const auto* rec = std::get_if<ledger::Recovered>(&event.body)) {
    const uint32_t d = index_->FindDeployment(rec->deployment);
    if (d != kNone) runtime_[d].failures.Clear();
  }
}

void RouterCore::Impl::ArmDeploymentTimers() {
  for (uint32_t d = 0; d < runtime_.size(); ++d) {
    const DeploymentRuntime& rt = runtime_[d];
    if (HasDeadline(rt.state)) {
      ArmTimer(TimerKind::kDeadline, d, std::max(rt.until_micros, now_), "");
    }
    if (Probeable(rt.state) && config_->health.enabled) {
      ArmTimer(TimerKind::kProbe, d, now_ + ProbeIntervalMicros(), "");
    }
  }
}

void RouterCore::Impl::Start() {
  // Reservations of requests that died with the previous process.
  std::vector<ledger::ReservationExpired> expired;
  for (const auto& [key, res] : projection_.open_reservations()) {
    expired.push_back(
        ledger::ReservationExpired{key.first, key.second, res.deployment, res.reserved_nanos});
  }
  for (auto& e : expired) Emit(std::move(e));
  if (!expired.empty()) guard_.Load(*index_, projection_, guard_.period());
  ArmDeploymentTimers();
}

void RouterCore::Impl::OnRequest(const RequestInput& in) {
  ++stats_.requests;
  // A model nothing here serves is the client's error whatever the load:
  // answered before anything is reserved or recorded (see core.h).
  const ModelResolution model = index_->ResolveModel(in.requested_model);
  if (model.kind == ModelKind::kUnknown) {
    ++stats_.responses_error;
    ++stats_.refused_unknown_model;
    Respond& resp = out_->responses.emplace_back();
    resp.request_id = in.request_id;
    resp.http_status = 404;
    resp.error = ClientError{
        "invalid_request_error", "model_not_found",
        "model '" + in.requested_model + "' is not served here; GET /v1/models lists the models"};
    return;
  }
  if (requests_.size() >= kRequestsInFlightMax) {
    // Load shedding at the limit, before anything is recorded or reserved.
    ++stats_.responses_error;
    Respond& resp = out_->responses.emplace_back();
    resp.request_id = in.request_id;
    resp.http_status = 503;
    resp.error = ClientError{"service_unavailable", "overloaded", "too many requests in flight"};
    return;
  }
  // A client key's checks, before anything is recorded (core_keys.cc).
  KeyScopes key_scopes;
  std::string tag = in.tag;
  if (!AdmitKey(in, model, &key_scopes, &tag)) return;
  auto [it, inserted] = requests_.try_emplace(in.request_id);
  if (!inserted) {
    // The outside world controls ids: answer, do not assert. Nothing is
    // recorded because the id already belongs to a request in flight.
    ++stats_.stale_inputs;
    Respond resp;
    resp.request_id = in.request_id;
    resp.http_status = 409;
    resp.error = ClientError{"invalid_request_error", "duplicate_request_id",
                             "a request with this id is in flight"};
    out_->responses.push_back(std::move(resp));
    return;
  }
  RequestMachine& r = it->second;
  r.id = in.request_id;
  r.tag = index_->ResolveTag(tag);
  r.key = std::move(key_scopes);
  r.tier = index_->tag_tier[r.tag];
  r.requested_group = model.kind == ModelKind::kGroup ? model.group : kNone;
  r.input_tokens = std::max<int64_t>(in.input_tokens, 0);
  r.max_output_tokens =
      in.max_output_tokens > 0 ? in.max_output_tokens : config_->default_max_output_tokens;
  r.anthropic_messages = in.api == ClientApi::kAnthropicMessages;
  if (r.anthropic_messages) r.untranslatable_feature = in.untranslatable_feature;
  r.accepted_micros = now_;
  r.deadline_micros = now_ + RequestTimeoutMicros();
  r.chain = ResolveChain(r.tier, r.requested_group);
  r.last_resort_chain = r.chain;
  // Recorded as resolved: the group's name, or "" when the tag routes it
  // ("auto" and tier names say nothing more), so a replay routes the same.
  static const std::string kByTag;
  const std::string& recorded_model =
      r.requested_group == kNone ? kByTag : index_->group_names[r.requested_group];
  Emit(ledger::RequestAccepted{r.id, index_->tag_names[r.tag], index_->TierName(r.tier),
                               recorded_model, in.client_key_id, r.input_tokens,
                               r.max_output_tokens, in.stream});
  if (r.chain == nullptr) {
    // A by-tag request whose tag has no tier chain: the config's gap.
    CompleteError(r, 404, "invalid_request_error", "model_not_found",
                  "no tier or model group routes model '" + in.requested_model + "'");
    return;
  }
  // R-2206: a human's decision on the request's own scopes comes first.
  const uint32_t scopes[3] = {index_->global_scope,
                              r.tier == kNone ? kNone : index_->tier_scope[r.tier],
                              index_->tag_scope[r.tag]};
  for (uint32_t s : scopes) {
    if (!guard_.Refused(s)) continue;
    CompleteError(
        r, 429, "insufficient_quota", "budget_exceeded",
        ScopeText(s) + " was stopped at the gate for period " + std::to_string(guard_.period()));
    return;
  }
  for (uint32_t s : scopes) {
    const uint32_t g = guard_.ContinueGroup(s);
    if (g == kNone) continue;
    r.chain = &index_->single_chain[g];
    break;
  }
  Advance(r);
}

// Releases the attempt's reservation, books its actual cost and records it.
void RouterCore::Impl::SettleAttempt(RequestMachine& r, const UpstreamResult& res) {
  const uint32_t d = r.deployment;
  const bool orphan = d == kNone;
  const int64_t input = std::max<int64_t>(res.input_tokens, 0);
  const int64_t output = std::max<int64_t>(res.output_tokens, 0);
  const int64_t cached = std::clamp<int64_t>(res.cached_tokens, 0, input);
  const int64_t cache_write = std::clamp<int64_t>(res.cache_write_tokens, 0, input - cached);
  const NanoUsd cost = CostNanos(r.price, input - cached - cache_write, output, cached, cache_write);
  guard_.Settle(r.scopes, r.reserved_nanos, cost);
  keys_.Release(r.key, r.reserved_nanos);
  const std::string& dep_id = orphan ? r.orphan_deployment : dep(d).id;
  const std::string& group =
      orphan ? r.orphan_group : index_->group_names[index_->deployment_group[d]];
  if (!orphan) {
    DeploymentRuntime& rt = runtime_[d];
    UKAIRO_CHECK(rt.in_flight > 0);
    --rt.in_flight;
    rt.window.Add(now_, 0, input + output);
  }
  Emit(ledger::AttemptFinished{r.id, r.attempts, dep_id, group, index_->tag_names[r.tag],
                               index_->TierName(r.tier), res.outcome, res.http_status,
                               res.latency_micros, input, output, cached, cost, res.retry_after_ms,
                               res.error, cache_write, std::max<int64_t>(res.reasoning_tokens, 0),
                               res.usage_json});
  r.total_cost_nanos += cost;
  if (cost > 0) CheckKeyAlerts(r.key);
  // A good attempt ends the request, so only failed ones need listing.
  if (res.outcome != Outcome::kOk) {
    r.attempt_list.push_back(
        AttemptSummary{r.attempts, dep_id, group, res.outcome, res.http_status});
  }
}

void RouterCore::Impl::OnUpstreamResult(const UpstreamResult& res) {
  auto it = requests_.find(res.request_id);
  if (it == requests_.end() || it->second.phase != RequestPhase::kAwaitingResult ||
      it->second.attempts != res.attempt) {
    ++stats_.stale_inputs;  // duplicate or late: the driver broke no invariant we own
    return;
  }
  RequestMachine& r = it->second;
  SettleAttempt(r, res);
  const uint32_t d = r.deployment;
  const bool orphan = d == kNone;
  r.phase = RequestPhase::kRouting;
  CheckAlerts(r.scopes);
  if (res.outcome == Outcome::kOk) {
    if (!orphan && Probeable(runtime_[d].state)) Recover(d, RecoveryConfirmation::kRequest);
    CompleteOk(r);
    return;
  }
  if (res.delivered_partially) {
    // The client already holds part of this answer: no retry, no fallback.
    // The break still counts against the deployment's allowed_fails, as it
    // does when WarmUp() refolds the AttemptFinished after a restart.
    if (!orphan && IsFailure(res.outcome)) RecordFailure(d);
    CompleteError(r, 502, "server_error", "upstream_stream_interrupted",
                  "the provider's stream broke after output reached the client: " + res.error);
    return;
  }
  if (res.outcome == Outcome::kClientError) {
    // Not retried and not the deployment's fault (R-2203): the client's error.
    CompleteError(r, res.http_status >= 400 && res.http_status < 500 ? res.http_status : 400,
                  "invalid_request_error", "upstream_client_error",
                  "the provider rejected the request: " + res.error);
    return;
  }
  if (orphan) {
    SetPending(r, kNone, kNone, FallbackReason::kFailure);
    Advance(r);
    return;
  }
  const uint32_t g = index_->deployment_group[d];
  switch (res.outcome) {
    case Outcome::kRateLimited:
      MarkRateLimited(d, res.retry_after_ms);
      SetPending(r, d, g, FallbackReason::kRateLimit);
      break;
    case Outcome::kAuthError:
      if (runtime_[d].state != DeploymentState::kMisconfigured) {
        SetState(d, DeploymentState::kMisconfigured, 0,
                 "HTTP " + std::to_string(res.http_status) + " from provider");
      }
      SetPending(r, d, g, FallbackReason::kMisconfigured);
      break;
    case Outcome::kContextWindow:
      SetPending(r, d, g, FallbackReason::kContextWindow);
      if (!r.on_context_chain && !index_->context_chain[g].empty()) {
        r.chain = &index_->context_chain[g];
        r.chain_pos = 0;
        r.on_context_chain = true;
      } else {
        ++r.chain_pos;
      }
      break;
    default:
      HandleFailure(r, res.outcome);
      return;
  }
  Advance(r);
}

// 5xx / timeout / connection error: retry the same deployment after the
// backoff schedule; past num_retries the deployment is down and the request
// falls back. A deployment that went cooling meanwhile is not retried.
void RouterCore::Impl::HandleFailure(RequestMachine& r, Outcome outcome) {
  const uint32_t d = r.deployment;
  const uint32_t g = index_->deployment_group[d];
  RecordFailure(d);
  const uint32_t retries = std::min(config_->retry.num_retries, kRetriesMax);
  const bool retries_left = r.try_on_deployment <= retries;
  if (retries_left && runtime_[d].state == DeploymentState::kHealthy &&
      r.attempts < kAttemptsPerRequestMax) {
    const int64_t backoff_ms = BackoffMs(config_->retry, r.try_on_deployment, rng_);
    const int64_t fire_at = now_ + backoff_ms * 1000;
    if (fire_at < r.deadline_micros) {
      Emit(ledger::RetryScheduled{r.id, r.attempts, dep(d).id, backoff_ms, outcome});
      ArmTimer(TimerKind::kRetry, kNone, fire_at, r.id);
      r.phase = RequestPhase::kAwaitingRetry;
      ++stats_.retries;
      return;
    }
  }
  if (!retries_left && runtime_[d].state != DeploymentState::kDown) {
    SetState(d, DeploymentState::kDown, 0, "failed after " + std::to_string(retries) + " retries");
  }
  const bool cooling = runtime_[d].state == DeploymentState::kCoolingDown;
  SetPending(r, d, g, cooling ? FallbackReason::kCooldown : FallbackReason::kFailure);
  Advance(r);
}

void RouterCore::Impl::OnTimer(uint64_t timer_id) {
  auto it = timers_.find(timer_id);
  if (it == timers_.end()) {
    ++stats_.stale_inputs;
    return;
  }
  const TimerTarget t = std::move(it->second);
  timers_.erase(it);
  if (t.kind == TimerKind::kRetry) {
    auto rit = requests_.find(t.request_id);
    if (rit == requests_.end() || rit->second.phase != RequestPhase::kAwaitingRetry) {
      ++stats_.stale_inputs;
      return;
    }
    RequestMachine& r = rit->second;
    r.phase = RequestPhase::kRouting;
    const uint32_t d = r.deployment;
    if (d == kNone) {  // its deployment left the config meanwhile
      SetPending(r, kNone, kNone, FallbackReason::kFailure);
      Advance(r);
      return;
    }
    const uint32_t g = index_->deployment_group[d];
    auto skip = SkipReason(r, d, g);
    if (!skip && now_ < r.deadline_micros && r.attempts < kAttemptsPerRequestMax) {
      StartAttempt(r, d, /*retry=*/true);
      return;
    }
    SetPending(r, d, g, skip.value_or(FallbackReason::kFailure));
    Advance(r);
    return;
  }
  DeploymentRuntime& rt = runtime_[t.deployment];
  if (rt.generation != t.generation) {
    ++stats_.stale_inputs;
    return;
  }
  if (t.kind == TimerKind::kDeadline) {
    if (HasDeadline(rt.state) && rt.until_micros <= now_) {
      Recover(t.deployment, RecoveryConfirmation::kDeadlinePassed);
    }
    return;
  }
  // R-2205: probe on the interval for as long as the deployment needs it.
  // The next probe is armed now, not on the result, so a lost probe result
  // cannot stop the probing.
  if (Probeable(rt.state)) {
    out_->probes.push_back(ProbeDeployment{dep(t.deployment).id, t.deployment});
    ArmTimer(TimerKind::kProbe, t.deployment, now_ + ProbeIntervalMicros(), "");
  }
}

void RouterCore::Impl::OnProbeResult(const ProbeResult& probe) {
  const uint32_t d = index_->FindDeployment(probe.deployment);
  if (d == kNone) {
    ++stats_.stale_inputs;
    return;
  }
  Emit(ledger::HealthProbe{probe.deployment, probe.ok, probe.latency_micros, probe.http_status,
                           probe.error});
  // A failed probe changes nothing: the next one is already armed.
  if (probe.ok && Probeable(runtime_[d].state)) Recover(d, RecoveryConfirmation::kProbe);
}

// R-2206: the human's answer to a stop. It applies to the current period
// only; a decision for another period is recorded and otherwise ignored.
void RouterCore::Impl::OnGateDecision(const ledger::GateDecision& decision) {
  ledger::GateDecision e = decision;
  if (e.period == 0) e.period = guard_.period();
  if (e.scope_kind == ScopeKind::kGlobal) e.scope_key.clear();
  Emit(e);
  Notify("gate_decision", std::string(ledger::GateChoiceName(e.choice)) + " for " +
                              ledger::ScopeKindName(e.scope_kind) + " '" + e.scope_key + "' by " +
                              e.actor);
  const uint32_t s = index_->FindScope(ledger::ScopeId{e.scope_kind, e.scope_key});
  if (e.period != guard_.period() || s == kNone) return;
  ScopeState& st = guard_.scope(s);
  st.decided = true;
  st.choice = e.choice;
  st.continue_group = index_->FindGroup(e.model);
  st.limit_override_nanos = e.new_limit_nanos;
  if (e.scope_kind != ScopeKind::kModel) return;
  for (uint32_t d : index_->group_deployments[index_->FindGroup(e.scope_key)]) {
    const DeploymentState state = runtime_[d].state;
    if (e.choice == ledger::GateChoice::kStop) {
      if (state != DeploymentState::kGated) {
        SetState(d, DeploymentState::kGated, 0, "stopped at the gate");
      }
    } else if (state == DeploymentState::kBudgetStopped || state == DeploymentState::kGated) {
      Recover(d, RecoveryConfirmation::kGate);
    }
  }
}

// Requests in flight move to the new config by name: their tag, tier, chain
// (at their current group when it still exists), their current deployment
// and budget scopes. A deployment that left the config finishes its attempt
// under its old name and price (an "orphan"), then the request moves on.
void RouterCore::Impl::OnConfig(std::shared_ptr<const Config> config) {
  UKAIRO_CHECK(config->deployments.size() <= kDeploymentsMax);
  std::shared_ptr<const CoreIndex> old = index_;
  std::shared_ptr<const CoreIndex> next = BuildCoreIndex(config, kChainGroupsMax);
  std::vector<DeploymentRuntime> runtime(config->deployments.size());
  for (size_t d = 0; d < runtime.size(); ++d) {
    const uint32_t od = old->FindDeployment(config->deployments[d].id);
    if (od != kNone) {
      runtime[d] = runtime_[od];
      continue;
    }
    const ledger::DeploymentStatus& status = projection_.Deployment(config->deployments[d].id);
    runtime[d].state = status.state;
    runtime[d].until_micros = status.until_micros;
    runtime[d].down_since_micros = status.down_since_micros;
  }
  index_ = next;
  config_ = config.get();
  runtime_ = std::move(runtime);
  for (auto& [id, r] : requests_) RemapRequest(r, *old);
  timers_.clear();  // deployment timers index the old config; re-armed below
  guard_.Load(*index_, projection_, PeriodOf(now_, config_->budget_period));
  period_start_micros_ = period_end_micros_ = 0;  // recomputed on the next input
  for (auto& [id, r] : requests_) {
    if (r.phase == RequestPhase::kAwaitingRetry) {
      ArmTimer(TimerKind::kRetry, kNone, now_, id);  // retry now rather than lose it
    }
  }
  ArmDeploymentTimers();
}

// Moves a request's indexes from `old` to the current index_, by name.
void RouterCore::Impl::RemapRequest(RequestMachine& r, const CoreIndex& old) {
  static const std::vector<uint32_t> kNoChain;
  const CoreIndex& next = *index_;
  auto map_scope = [&](uint32_t s) { return s == kNone ? kNone : next.FindScope(old.scopes[s]); };
  auto map_deployment = [&](uint32_t d) {
    return d == kNone ? kNone : next.FindDeployment(old.config->deployments[d].id);
  };
  auto map_group = [&](uint32_t g) {
    return g == kNone ? kNone : next.FindGroup(old.group_names[g]);
  };
  const uint32_t old_group = r.deployment == kNone ? kNone : old.deployment_group[r.deployment];
  if (r.deployment != kNone) {
    const uint32_t nd = map_deployment(r.deployment);
    if (nd == kNone) {
      r.orphan_deployment = old.config->deployments[r.deployment].id;
      r.orphan_group = old.group_names[old_group];
    }
    r.deployment = nd;
  }
  AttemptedSet attempted;
  for (uint32_t d : r.attempted) {
    if (map_deployment(d) != kNone) attempted.push_back(map_deployment(d));
  }
  r.attempted = attempted;
  r.quote_deployment = kNone;
  for (auto& s : r.scopes) s = map_scope(s);
  r.refused_scope = map_scope(r.refused_scope);
  r.tag = next.ResolveTag(old.tag_names[r.tag]);
  r.tier = next.tag_tier[r.tag];
  r.requested_group = map_group(r.requested_group);
  r.fallback_from_group = map_group(r.fallback_from_group);
  r.fallback_from_deployment = map_deployment(r.fallback_from_deployment);
  const std::vector<uint32_t>* chain = ResolveChain(r.tier, r.requested_group);
  r.chain = chain != nullptr ? chain : &kNoChain;
  r.last_resort_chain = r.chain;
  r.on_context_chain = false;
  r.chain_pos = 0;
  const uint32_t ng = map_group(old_group);
  for (uint32_t i = 0; i < r.chain->size(); ++i) {
    if ((*r.chain)[i] == ng) r.chain_pos = i;
  }
}

// --- the public facade -----------------------------------------------------

RouterCore::RouterCore(std::shared_ptr<const Config> config, ledger::Projection restored,
                       uint64_t seed)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(restored), seed)) {}
RouterCore::~RouterCore() = default;

void RouterCore::WarmUp(const ledger::Event& past_event) { impl_->WarmUp(past_event); }
void RouterCore::Start(int64_t now_micros, Actions& out) {
  impl_->Begin(now_micros, out);
  impl_->Start();
}
void RouterCore::OnRequest(const RequestInput& request, int64_t now_micros, Actions& out) {
  impl_->Begin(now_micros, out);
  impl_->OnRequest(request);
}
void RouterCore::OnUpstreamResult(const UpstreamResult& result, int64_t now_micros, Actions& out) {
  impl_->Begin(now_micros, out);
  impl_->OnUpstreamResult(result);
}
void RouterCore::OnTimer(uint64_t timer_id, int64_t now_micros, Actions& out) {
  impl_->Begin(now_micros, out);
  impl_->OnTimer(timer_id);
}
void RouterCore::OnProbeResult(const ProbeResult& probe, int64_t now_micros, Actions& out) {
  impl_->Begin(now_micros, out);
  impl_->OnProbeResult(probe);
}
void RouterCore::OnGateDecision(const ledger::GateDecision& decision, int64_t now_micros,
                                Actions& out) {
  impl_->Begin(now_micros, out);
  impl_->OnGateDecision(decision);
}
void RouterCore::OnConfig(std::shared_ptr<const Config> config, int64_t now_micros, Actions& out) {
  impl_->Begin(now_micros, out);
  impl_->OnConfig(std::move(config));
}

const ledger::Projection& RouterCore::projection() const { return impl_->projection_; }
const Config& RouterCore::config() const { return *impl_->config_; }
const CoreStats& RouterCore::stats() const { return impl_->stats_; }
size_t RouterCore::requests_in_flight() const { return impl_->requests_.size(); }

}  // namespace ukairo::router
