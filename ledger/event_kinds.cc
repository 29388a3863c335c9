// The per-kind code of every event kind of UKAIRO_EVENT_KINDS (ledger/event.h),
// one section per kind with its four functions side by side:
//   Put      encode into its events.capnp struct (field meaning lives there)
//   Get      decode; starts with `v = T{}` so no field of a reused value
//            survives (with libstdc++ that move-assignment of empty strings
//            copies into the existing buffers, keeping their capacity)
//   ToJson   its JSON fields (shape: ledger/event_json.h)
//   Describe its line in `ukairo audit` tables
// The whole-body operations at the end are generated from the table and call
// these by overload, with no generic fallback: a kind without one of them
// does not compile. Field order in Put must never change: text is allocated
// in call order, and stored bytes (and so the hash chain) depend on it.
#include "ledger/event_kinds.h"

#include <cstdint>
#include <string>
#include <vector>

#include "base/money.h"

namespace ukairo::ledger::event_kinds {
namespace {

namespace s = ::ukairo::ledger::schema;
using Json = nlohmann::ordered_json;

template <typename From, typename To>
To CastEnum(From v) {
  return static_cast<To>(static_cast<uint16_t>(v));
}

// Assigns in place: a reused Event keeps its strings' capacity, so replay
// decodes without allocating (see DecodeEventInto).
void Assign(std::string* out, capnp::Text::Reader r) { out->assign(r.begin(), r.size()); }

void Money(Json& j, const char* name, NanoUsd nanos) {
  j[std::string(name) + "_nanos"] = nanos;
  j[std::string(name) + "_usd"] = FormatNanosAsUsd(nanos);
}

std::string Usd(NanoUsd nanos) { return "$" + FormatNanosAsUsd(nanos); }
std::string Ms(int64_t micros) { return std::to_string(micros / 1000) + " ms"; }
std::string Scope(ScopeKind kind, const std::string& key) {
  return std::string(ScopeKindName(kind)) + (key.empty() ? "" : ":" + key);
}

// --- RequestAccepted -----------------------------------------------------------

void Put(const RequestAccepted& v, s::RequestAccepted::Builder o) {
  o.setRequestId(v.request_id);
  o.setTag(v.tag);
  o.setTier(v.tier);
  o.setRequestedModel(v.requested_model);
  o.setClientKeyId(v.client_key_id);
  o.setEstimatedInputTokens(v.estimated_input_tokens);
  o.setMaxOutputTokens(v.max_output_tokens);
  o.setStream(v.stream);
}

void Get(s::RequestAccepted::Reader r, Checker&, RequestAccepted& v) {
  v = RequestAccepted{};
  Assign(&v.request_id, r.getRequestId());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  Assign(&v.requested_model, r.getRequestedModel());
  Assign(&v.client_key_id, r.getClientKeyId());
  v.estimated_input_tokens = r.getEstimatedInputTokens();
  v.max_output_tokens = r.getMaxOutputTokens();
  v.stream = r.getStream();
}

void ToJson(const RequestAccepted& e, Json& j) {
  j = {{"request_id", e.request_id}, {"tag", e.tag}, {"tier", e.tier},
       {"requested_model", e.requested_model}, {"client_key_id", e.client_key_id},
       {"estimated_input_tokens", e.estimated_input_tokens},
       {"max_output_tokens", e.max_output_tokens}, {"stream", e.stream}};
}

std::string Describe(const RequestAccepted& e) {
  return "accepted: tag " + e.tag + " → tier " + e.tier +
         (e.requested_model.empty() ? "" : ", asked for " + e.requested_model) +
         ", ~" + std::to_string(e.estimated_input_tokens) + " tokens in, max " +
         std::to_string(e.max_output_tokens) + " out";
}

// --- AttemptStarted ------------------------------------------------------------

void Put(const AttemptStarted& v, s::AttemptStarted::Builder o) {
  o.setRequestId(v.request_id);
  o.setAttempt(v.attempt);
  o.setTryOnDeployment(v.try_on_deployment);
  o.setDeployment(v.deployment);
  o.setModelGroup(v.model_group);
  o.setTag(v.tag);
  o.setTier(v.tier);
  o.setReservedNanos(v.reserved_nanos);
}

void Get(s::AttemptStarted::Reader r, Checker&, AttemptStarted& v) {
  v = AttemptStarted{};
  Assign(&v.request_id, r.getRequestId());
  v.attempt = r.getAttempt();
  v.try_on_deployment = r.getTryOnDeployment();
  Assign(&v.deployment, r.getDeployment());
  Assign(&v.model_group, r.getModelGroup());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  v.reserved_nanos = r.getReservedNanos();
}

void ToJson(const AttemptStarted& e, Json& j) {
  j = {{"request_id", e.request_id}, {"attempt", e.attempt},
       {"try_on_deployment", e.try_on_deployment}, {"deployment", e.deployment},
       {"model_group", e.model_group}, {"tag", e.tag}, {"tier", e.tier}};
  Money(j, "reserved", e.reserved_nanos);
}

std::string Describe(const AttemptStarted& e) {
  return "attempt " + std::to_string(e.attempt) + " → " + e.deployment + " (" +
         e.model_group + (e.try_on_deployment > 1
                              ? ", retry " + std::to_string(e.try_on_deployment - 1)
                              : "") +
         "), reserved " + Usd(e.reserved_nanos);
}

// --- AttemptFinished -----------------------------------------------------------

void Put(const AttemptFinished& v, s::AttemptFinished::Builder o) {
  o.setRequestId(v.request_id);
  o.setAttempt(v.attempt);
  o.setDeployment(v.deployment);
  o.setModelGroup(v.model_group);
  o.setTag(v.tag);
  o.setTier(v.tier);
  o.setOutcome(CastEnum<Outcome, s::Outcome>(v.outcome));
  o.setHttpStatus(v.http_status);
  o.setLatencyMicros(v.latency_micros);
  o.setInputTokens(v.input_tokens);
  o.setOutputTokens(v.output_tokens);
  o.setCachedTokens(v.cached_tokens);
  o.setCostNanos(v.cost_nanos);
  o.setRetryAfterMs(v.retry_after_ms);
  o.setError(v.error);
  o.setCacheWriteTokens(v.cache_write_tokens);
  o.setReasoningTokens(v.reasoning_tokens);
  o.setUsageJson(v.usage_json);
}

void Get(s::AttemptFinished::Reader r, Checker& c, AttemptFinished& v) {
  v = AttemptFinished{};
  Assign(&v.request_id, r.getRequestId());
  v.attempt = r.getAttempt();
  Assign(&v.deployment, r.getDeployment());
  Assign(&v.model_group, r.getModelGroup());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  v.outcome = c.Enum(r.getOutcome(), Outcome::kAuthError, "outcome");
  v.http_status = r.getHttpStatus();
  v.latency_micros = r.getLatencyMicros();
  v.input_tokens = r.getInputTokens();
  v.output_tokens = r.getOutputTokens();
  v.cached_tokens = r.getCachedTokens();
  v.cost_nanos = r.getCostNanos();
  v.retry_after_ms = r.getRetryAfterMs();
  Assign(&v.error, r.getError());
  v.cache_write_tokens = r.getCacheWriteTokens();
  v.reasoning_tokens = r.getReasoningTokens();
  Assign(&v.usage_json, r.getUsageJson());
}

void ToJson(const AttemptFinished& e, Json& j) {
  j = {{"request_id", e.request_id}, {"attempt", e.attempt},
       {"deployment", e.deployment}, {"model_group", e.model_group}, {"tag", e.tag},
       {"tier", e.tier}, {"outcome", OutcomeName(e.outcome)},
       {"http_status", e.http_status}, {"latency_micros", e.latency_micros},
       {"input_tokens", e.input_tokens}, {"output_tokens", e.output_tokens},
       {"cached_tokens", e.cached_tokens}};
  Money(j, "cost", e.cost_nanos);
  j["retry_after_ms"] = e.retry_after_ms;
  j["error"] = e.error;
  // Only when present, so audits of OpenAI-only ledgers read as before.
  if (e.cache_write_tokens != 0) j["cache_write_tokens"] = e.cache_write_tokens;
  if (e.reasoning_tokens != 0) j["reasoning_tokens"] = e.reasoning_tokens;
  if (!e.usage_json.empty()) {
    Json usage = Json::parse(e.usage_json, nullptr, /*allow_exceptions=*/false);
    j["usage"] = usage.is_discarded() ? Json(e.usage_json) : usage;  // a cut one stays text
  }
}

std::string Describe(const AttemptFinished& e) {
  std::string s = "attempt " + std::to_string(e.attempt) + " on " + e.deployment +
                  ": " + OutcomeName(e.outcome);
  if (e.http_status) s += " (" + std::to_string(e.http_status) + ")";
  s += " in " + Ms(e.latency_micros) + ", " + std::to_string(e.input_tokens) + "/" +
       std::to_string(e.output_tokens) + " tokens, cost " + Usd(e.cost_nanos);
  if (e.retry_after_ms >= 0) s += ", Retry-After " + std::to_string(e.retry_after_ms) + " ms";
  if (!e.error.empty()) s += ", error: " + e.error.substr(0, 80);
  return s;
}

// --- RetryScheduled ------------------------------------------------------------

void Put(const RetryScheduled& v, s::RetryScheduled::Builder o) {
  o.setRequestId(v.request_id);
  o.setAttempt(v.attempt);
  o.setDeployment(v.deployment);
  o.setBackoffMs(v.backoff_ms);
  o.setCause(CastEnum<Outcome, s::Outcome>(v.cause));
}

void Get(s::RetryScheduled::Reader r, Checker& c, RetryScheduled& v) {
  v = RetryScheduled{};
  Assign(&v.request_id, r.getRequestId());
  v.attempt = r.getAttempt();
  Assign(&v.deployment, r.getDeployment());
  v.backoff_ms = r.getBackoffMs();
  v.cause = c.Enum(r.getCause(), Outcome::kAuthError, "cause");
}

void ToJson(const RetryScheduled& e, Json& j) {
  j = {{"request_id", e.request_id}, {"attempt", e.attempt},
       {"deployment", e.deployment}, {"backoff_ms", e.backoff_ms},
       {"cause", OutcomeName(e.cause)}};
}

std::string Describe(const RetryScheduled& e) {
  return "retry of attempt " + std::to_string(e.attempt) + " on " + e.deployment +
         " in " + std::to_string(e.backoff_ms) + " ms (" + OutcomeName(e.cause) + ")";
}

// --- FallbackTaken -------------------------------------------------------------

void Put(const FallbackTaken& v, s::FallbackTaken::Builder o) {
  o.setRequestId(v.request_id);
  o.setTag(v.tag);
  o.setTier(v.tier);
  o.setFromDeployment(v.from_deployment);
  o.setFromModelGroup(v.from_model_group);
  o.setToDeployment(v.to_deployment);
  o.setToModelGroup(v.to_model_group);
  o.setReason(CastEnum<FallbackReason, s::FallbackReason>(v.reason));
  if (v.reason == FallbackReason::kBudget) {
    o.setBudgetScopeKind(CastEnum<ScopeKind, s::ScopeKind>(v.budget_scope_kind));
    o.setBudgetScopeKey(v.budget_scope_key);
    o.setBudgetScopeStopped(v.budget_scope_stopped);
    o.setBudgetUsedNanos(v.budget_used_nanos);
    o.setBudgetLimitNanos(v.budget_limit_nanos);
    o.setReserveNanos(v.reserve_nanos);
  }
}

void Get(s::FallbackTaken::Reader r, Checker& c, FallbackTaken& v) {
  v = FallbackTaken{};
  Assign(&v.request_id, r.getRequestId());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  Assign(&v.from_deployment, r.getFromDeployment());
  Assign(&v.from_model_group, r.getFromModelGroup());
  Assign(&v.to_deployment, r.getToDeployment());
  Assign(&v.to_model_group, r.getToModelGroup());
  v.reason = c.Enum(r.getReason(), FallbackReason::kUnsupported, "reason");
  if (v.reason == FallbackReason::kBudget && r.hasBudgetScopeKey()) {
    v.budget_scope_kind = c.Enum(r.getBudgetScopeKind(), ScopeKind::kTeam, "budget_scope_kind");
    Assign(&v.budget_scope_key, r.getBudgetScopeKey());
    v.budget_scope_stopped = r.getBudgetScopeStopped();
    v.budget_used_nanos = r.getBudgetUsedNanos();
    v.budget_limit_nanos = r.getBudgetLimitNanos();
    v.reserve_nanos = r.getReserveNanos();
  }
}

void ToJson(const FallbackTaken& e, Json& j) {
  j = {{"request_id", e.request_id}, {"tag", e.tag}, {"tier", e.tier},
       {"from_deployment", e.from_deployment}, {"from_model_group", e.from_model_group},
       {"to_deployment", e.to_deployment}, {"to_model_group", e.to_model_group},
       {"reason", FallbackReasonName(e.reason)}};
  if (e.reason == FallbackReason::kBudget) {
    j["budget_scope_kind"] = ScopeKindName(e.budget_scope_kind);
    j["budget_scope_key"] = e.budget_scope_key;
    j["budget_scope_stopped"] = e.budget_scope_stopped;
    Money(j, "budget_used", e.budget_used_nanos);
    Money(j, "budget_limit", e.budget_limit_nanos);
    Money(j, "reserve", e.reserve_nanos);
  }
}

std::string Describe(const FallbackTaken& e) {
  std::string why = FallbackReasonName(e.reason);
  const bool scoped = e.reason == FallbackReason::kBudget &&
                      (!e.budget_scope_key.empty() ||
                       e.budget_scope_kind == ScopeKind::kGlobal) &&
                      (e.budget_limit_nanos > 0 || e.budget_scope_stopped);
  if (scoped) {
    why += ": " + Scope(e.budget_scope_kind, e.budget_scope_key) +
           (e.budget_scope_stopped ? " stopped" : "") + ", " +
           Usd(e.budget_used_nanos) + " of " + Usd(e.budget_limit_nanos) + " used";
    if (!e.budget_scope_stopped) why += ", needs " + Usd(e.reserve_nanos);
  }
  return "fallback (" + why + "): " +
         (e.from_model_group.empty() ? "-" : e.from_model_group) + " → " +
         (e.to_model_group.empty() ? "nothing left" : e.to_model_group);
}

// --- RequestCompleted ----------------------------------------------------------

void Put(const RequestCompleted& v, s::RequestCompleted::Builder o) {
  o.setRequestId(v.request_id);
  o.setTag(v.tag);
  o.setTier(v.tier);
  o.setFinalDeployment(v.final_deployment);
  o.setFinalModelGroup(v.final_model_group);
  o.setHttpStatus(v.http_status);
  o.setErrorCode(v.error_code);
  o.setTotalCostNanos(v.total_cost_nanos);
  o.setAttempts(v.attempts);
  o.setFallbacks(v.fallbacks);
  o.setLatencyMicros(v.latency_micros);
  o.setLastResort(v.last_resort);
}

void Get(s::RequestCompleted::Reader r, Checker&, RequestCompleted& v) {
  v = RequestCompleted{};
  Assign(&v.request_id, r.getRequestId());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  Assign(&v.final_deployment, r.getFinalDeployment());
  Assign(&v.final_model_group, r.getFinalModelGroup());
  v.http_status = r.getHttpStatus();
  Assign(&v.error_code, r.getErrorCode());
  v.total_cost_nanos = r.getTotalCostNanos();
  v.attempts = r.getAttempts();
  v.fallbacks = r.getFallbacks();
  v.latency_micros = r.getLatencyMicros();
  v.last_resort = r.getLastResort();
}

void ToJson(const RequestCompleted& e, Json& j) {
  j = {{"request_id", e.request_id}, {"tag", e.tag}, {"tier", e.tier},
       {"final_deployment", e.final_deployment},
       {"final_model_group", e.final_model_group}, {"http_status", e.http_status},
       {"error_code", e.error_code}};
  Money(j, "total_cost", e.total_cost_nanos);
  j["attempts"] = e.attempts;
  j["fallbacks"] = e.fallbacks;
  j["latency_micros"] = e.latency_micros;
  j["last_resort"] = e.last_resort;
}

std::string Describe(const RequestCompleted& e) {
  std::string s = "completed " + std::to_string(e.http_status) + " by " +
                  (e.final_deployment.empty() ? "nobody" : e.final_deployment) + " after " +
                  std::to_string(e.attempts) + " attempts, " +
                  std::to_string(e.fallbacks) + " fallbacks, total " +
                  Usd(e.total_cost_nanos) + " in " + Ms(e.latency_micros);
  if (e.last_resort) s += " (last resort)";
  if (!e.error_code.empty()) s += ", error " + e.error_code;
  return s;
}

// --- BudgetAlert ---------------------------------------------------------------

void Put(const BudgetAlert& v, s::BudgetAlert::Builder o) {
  o.setScopeKind(CastEnum<ScopeKind, s::ScopeKind>(v.scope_kind));
  o.setScopeKey(v.scope_key);
  o.setThresholdPct(v.threshold_pct);
  o.setAction(CastEnum<AlertAction, s::AlertAction>(v.action));
  o.setSpentNanos(v.spent_nanos);
  o.setLimitNanos(v.limit_nanos);
  o.setPeriod(v.period);
}

void Get(s::BudgetAlert::Reader r, Checker& c, BudgetAlert& v) {
  v = BudgetAlert{};
  v.scope_kind = c.Enum(r.getScopeKind(), ScopeKind::kTeam, "scope_kind");
  Assign(&v.scope_key, r.getScopeKey());
  v.threshold_pct = r.getThresholdPct();
  v.action = c.Enum(r.getAction(), AlertAction::kStopAndFallback, "action");
  v.spent_nanos = r.getSpentNanos();
  v.limit_nanos = r.getLimitNanos();
  v.period = r.getPeriod();
}

void ToJson(const BudgetAlert& e, Json& j) {
  j = {{"scope_kind", ScopeKindName(e.scope_kind)}, {"scope_key", e.scope_key},
       {"threshold_pct", e.threshold_pct}, {"action", AlertActionName(e.action)}};
  Money(j, "spent", e.spent_nanos);
  Money(j, "limit", e.limit_nanos);
  j["period"] = e.period;
}

std::string Describe(const BudgetAlert& e) {
  return "alert " + std::to_string(e.threshold_pct) + "% (" + AlertActionName(e.action) +
         ") on " + Scope(e.scope_kind, e.scope_key) + ": " + Usd(e.spent_nanos) +
         " of " + Usd(e.limit_nanos) + " in " + std::to_string(e.period);
}

// --- BudgetStopped -------------------------------------------------------------

void Put(const BudgetStopped& v, s::BudgetStopped::Builder o) {
  o.setScopeKind(CastEnum<ScopeKind, s::ScopeKind>(v.scope_kind));
  o.setScopeKey(v.scope_key);
  o.setSpentNanos(v.spent_nanos);
  o.setLimitNanos(v.limit_nanos);
  o.setPeriod(v.period);
}

void Get(s::BudgetStopped::Reader r, Checker& c, BudgetStopped& v) {
  v = BudgetStopped{};
  v.scope_kind = c.Enum(r.getScopeKind(), ScopeKind::kTeam, "scope_kind");
  Assign(&v.scope_key, r.getScopeKey());
  v.spent_nanos = r.getSpentNanos();
  v.limit_nanos = r.getLimitNanos();
  v.period = r.getPeriod();
}

void ToJson(const BudgetStopped& e, Json& j) {
  j = {{"scope_kind", ScopeKindName(e.scope_kind)}, {"scope_key", e.scope_key}};
  Money(j, "spent", e.spent_nanos);
  Money(j, "limit", e.limit_nanos);
  j["period"] = e.period;
}

std::string Describe(const BudgetStopped& e) {
  return "stopped " + Scope(e.scope_kind, e.scope_key) + " at " + Usd(e.spent_nanos) +
         " of " + Usd(e.limit_nanos) + " in " + std::to_string(e.period);
}

// --- GateDecision --------------------------------------------------------------

void Put(const GateDecision& v, s::GateDecision::Builder o) {
  o.setScopeKind(CastEnum<ScopeKind, s::ScopeKind>(v.scope_kind));
  o.setScopeKey(v.scope_key);
  o.setPeriod(v.period);
  o.setChoice(CastEnum<GateChoice, s::GateChoice>(v.choice));
  o.setModel(v.model);
  o.setNewLimitNanos(v.new_limit_nanos);
  o.setActor(v.actor);
  o.setNote(v.note);
}

void Get(s::GateDecision::Reader r, Checker& c, GateDecision& v) {
  v = GateDecision{};
  v.scope_kind = c.Enum(r.getScopeKind(), ScopeKind::kTeam, "scope_kind");
  Assign(&v.scope_key, r.getScopeKey());
  v.period = r.getPeriod();
  v.choice = c.Enum(r.getChoice(), GateChoice::kStop, "choice");
  Assign(&v.model, r.getModel());
  v.new_limit_nanos = r.getNewLimitNanos();
  Assign(&v.actor, r.getActor());
  Assign(&v.note, r.getNote());
}

void ToJson(const GateDecision& e, Json& j) {
  j = {{"scope_kind", ScopeKindName(e.scope_kind)}, {"scope_key", e.scope_key},
       {"period", e.period}, {"choice", GateChoiceName(e.choice)}, {"model", e.model}};
  Money(j, "new_limit", e.new_limit_nanos);
  j["actor"] = e.actor;
  j["note"] = e.note;
}

std::string Describe(const GateDecision& e) {
  std::string s = "gate on " + Scope(e.scope_kind, e.scope_key) + ": " +
                  GateChoiceName(e.choice);
  if (e.choice == GateChoice::kContinueWithModel) s += " " + e.model;
  if (e.choice == GateChoice::kRaiseLimit) s += " to " + Usd(e.new_limit_nanos);
  return s + " by " + e.actor + (e.note.empty() ? "" : " (\"" + e.note + "\")");
}

// --- HealthProbe ---------------------------------------------------------------

void Put(const HealthProbe& v, s::HealthProbe::Builder o) {
  o.setDeployment(v.deployment);
  o.setOk(v.ok);
  o.setLatencyMicros(v.latency_micros);
  o.setHttpStatus(v.http_status);
  o.setError(v.error);
}

void Get(s::HealthProbe::Reader r, Checker&, HealthProbe& v) {
  v = HealthProbe{};
  Assign(&v.deployment, r.getDeployment());
  v.ok = r.getOk();
  v.latency_micros = r.getLatencyMicros();
  v.http_status = r.getHttpStatus();
  Assign(&v.error, r.getError());
}

void ToJson(const HealthProbe& e, Json& j) {
  j = {{"deployment", e.deployment}, {"ok", e.ok}, {"latency_micros", e.latency_micros},
       {"http_status", e.http_status}, {"error", e.error}};
}

std::string Describe(const HealthProbe& e) {
  return "probe " + e.deployment + ": " + (e.ok ? "ok" : "failed") + " in " +
         Ms(e.latency_micros) + (e.error.empty() ? "" : ", " + e.error.substr(0, 80));
}

// --- DeploymentStateChanged ----------------------------------------------------

void Put(const DeploymentStateChanged& v, s::DeploymentStateChanged::Builder o) {
  o.setDeployment(v.deployment);
  o.setFrom(CastEnum<DeploymentState, s::DeploymentState>(v.from));
  o.setTo(CastEnum<DeploymentState, s::DeploymentState>(v.to));
  o.setReason(v.reason);
  o.setUntilMicros(v.until_micros);
  o.setActor(v.actor);
}

void Get(s::DeploymentStateChanged::Reader r, Checker& c, DeploymentStateChanged& v) {
  v = DeploymentStateChanged{};
  Assign(&v.deployment, r.getDeployment());
  v.from = c.Enum(r.getFrom(), DeploymentState::kMisconfigured, "from");
  v.to = c.Enum(r.getTo(), DeploymentState::kMisconfigured, "to");
  Assign(&v.reason, r.getReason());
  v.until_micros = r.getUntilMicros();
  Assign(&v.actor, r.getActor());
}

void ToJson(const DeploymentStateChanged& e, Json& j) {
  j = {{"deployment", e.deployment}, {"from", DeploymentStateName(e.from)},
       {"to", DeploymentStateName(e.to)}, {"reason", e.reason},
       {"until_micros", e.until_micros}, {"actor", e.actor}};
}

std::string Describe(const DeploymentStateChanged& e) {
  return e.deployment + ": " + DeploymentStateName(e.from) + " → " +
         DeploymentStateName(e.to) + " (" + e.reason + ")" +
         (e.actor.empty() ? "" : " by " + e.actor);
}

// --- Recovered -----------------------------------------------------------------

void Put(const Recovered& v, s::Recovered::Builder o) {
  o.setDeployment(v.deployment);
  o.setDownSinceMicros(v.down_since_micros);
  o.setConfirmedBy(CastEnum<RecoveryConfirmation, s::RecoveryConfirmation>(v.confirmed_by));
}

void Get(s::Recovered::Reader r, Checker& c, Recovered& v) {
  v = Recovered{};
  Assign(&v.deployment, r.getDeployment());
  v.down_since_micros = r.getDownSinceMicros();
  v.confirmed_by =
      c.Enum(r.getConfirmedBy(), RecoveryConfirmation::kPeriodRollover, "confirmed_by");
}

void ToJson(const Recovered& e, Json& j) {
  j = {{"deployment", e.deployment}, {"down_since_micros", e.down_since_micros},
       {"confirmed_by", RecoveryConfirmationName(e.confirmed_by)}};
}

std::string Describe(const Recovered& e) {
  return e.deployment + " recovered, confirmed by " +
         RecoveryConfirmationName(e.confirmed_by);
}

// --- ConfigApplied -------------------------------------------------------------

void Put(const ConfigApplied& v, s::ConfigApplied::Builder o) {
  o.setSha256Hex(v.sha256_hex);
  o.setText(v.text);
  o.setSource(v.source);
  o.setActor(v.actor);
}

void Get(s::ConfigApplied::Reader r, Checker&, ConfigApplied& v) {
  v = ConfigApplied{};
  Assign(&v.sha256_hex, r.getSha256Hex());
  Assign(&v.text, r.getText());
  Assign(&v.source, r.getSource());
  Assign(&v.actor, r.getActor());
}

void ToJson(const ConfigApplied& e, Json& j) {
  j = {{"sha256", e.sha256_hex}, {"source", e.source}, {"actor", e.actor},
       {"text_bytes", e.text.size()}};
}

std::string Describe(const ConfigApplied& e) {
  return "config " + e.sha256_hex.substr(0, 12) + " applied from " + e.source +
         (e.actor.empty() ? "" : " by " + e.actor);
}

// --- NotificationSent ----------------------------------------------------------

void Put(const NotificationSent& v, s::NotificationSent::Builder o) {
  o.setChannel(v.channel);
  o.setSubject(v.subject);
  o.setHttpStatus(v.http_status);
  o.setTryNumber(v.try_number);
}

void Get(s::NotificationSent::Reader r, Checker&, NotificationSent& v) {
  v = NotificationSent{};
  Assign(&v.channel, r.getChannel());
  Assign(&v.subject, r.getSubject());
  v.http_status = r.getHttpStatus();
  v.try_number = r.getTryNumber();
}

void ToJson(const NotificationSent& e, Json& j) {
  j = {{"channel", e.channel}, {"subject", e.subject}, {"http_status", e.http_status},
       {"try_number", e.try_number}};
}

std::string Describe(const NotificationSent& e) {
  return "notified " + e.channel + ": " + e.subject;
}

// --- NotificationFailed --------------------------------------------------------

void Put(const NotificationFailed& v, s::NotificationFailed::Builder o) {
  o.setChannel(v.channel);
  o.setSubject(v.subject);
  o.setHttpStatus(v.http_status);
  o.setTryNumber(v.try_number);
  o.setError(v.error);
}

void Get(s::NotificationFailed::Reader r, Checker&, NotificationFailed& v) {
  v = NotificationFailed{};
  Assign(&v.channel, r.getChannel());
  Assign(&v.subject, r.getSubject());
  v.http_status = r.getHttpStatus();
  v.try_number = r.getTryNumber();
  Assign(&v.error, r.getError());
}

void ToJson(const NotificationFailed& e, Json& j) {
  j = {{"channel", e.channel}, {"subject", e.subject}, {"http_status", e.http_status},
       {"try_number", e.try_number}, {"error", e.error}};
}

std::string Describe(const NotificationFailed& e) {
  return "notification failed " + e.channel + ": " + e.subject + " (" + e.error + ")";
}

// --- ReservationExpired --------------------------------------------------------

void Put(const ReservationExpired& v, s::ReservationExpired::Builder o) {
  o.setRequestId(v.request_id);
  o.setAttempt(v.attempt);
  o.setDeployment(v.deployment);
  o.setReservedNanos(v.reserved_nanos);
}

void Get(s::ReservationExpired::Reader r, Checker&, ReservationExpired& v) {
  v = ReservationExpired{};
  Assign(&v.request_id, r.getRequestId());
  v.attempt = r.getAttempt();
  Assign(&v.deployment, r.getDeployment());
  v.reserved_nanos = r.getReservedNanos();
}

void ToJson(const ReservationExpired& e, Json& j) {
  j = {{"request_id", e.request_id}, {"attempt", e.attempt},
       {"deployment", e.deployment}};
  Money(j, "reserved", e.reserved_nanos);
}

std::string Describe(const ReservationExpired& e) {
  return "reservation of attempt " + std::to_string(e.attempt) + " on " + e.deployment +
         " expired (" + Usd(e.reserved_nanos) + ")";
}

// --- KeySettings, TeamSettings (parts of the key and team kinds) -----------

template <typename ListBuilder>
void PutList(const std::vector<std::string>& items, ListBuilder list) {
  for (unsigned i = 0; i < items.size(); ++i) list.set(i, items[i]);
}

void GetList(capnp::List<capnp::Text>::Reader r, std::vector<std::string>* out) {
  out->clear();
  for (auto t : r) out->emplace_back(t.begin(), t.size());
}

void Put(const KeySettings& v, s::KeySettings::Builder o) {
  o.setName(v.name);
  o.setOwner(v.owner);
  o.setTeamId(v.team_id);
  o.setMaxBudgetNanos(v.max_budget_nanos);
  o.setBudgetDuration(v.budget_duration);
  o.setRpmLimit(v.rpm_limit);
  o.setTpmLimit(v.tpm_limit);
  PutList(v.models, o.initModels(static_cast<unsigned>(v.models.size())));
  o.setDefaultTag(v.default_tag);
  o.setExpiresMicros(v.expires_micros);
  o.setMetadataJson(v.metadata_json);
}

void Get(s::KeySettings::Reader r, KeySettings& v) {
  v = KeySettings{};
  Assign(&v.name, r.getName());
  Assign(&v.owner, r.getOwner());
  Assign(&v.team_id, r.getTeamId());
  v.max_budget_nanos = r.getMaxBudgetNanos();
  Assign(&v.budget_duration, r.getBudgetDuration());
  v.rpm_limit = r.getRpmLimit();
  v.tpm_limit = r.getTpmLimit();
  GetList(r.getModels(), &v.models);
  Assign(&v.default_tag, r.getDefaultTag());
  v.expires_micros = r.getExpiresMicros();
  Assign(&v.metadata_json, r.getMetadataJson());
}

void Budget(Json& j, NanoUsd max_budget_nanos) {
  if (max_budget_nanos < 0) {
    j["max_budget_nanos"] = nullptr;
  } else {
    Money(j, "max_budget", max_budget_nanos);
  }
}

Json ToJson(const KeySettings& e) {
  Json j = {{"name", e.name}, {"owner", e.owner}, {"team_id", e.team_id}};
  Budget(j, e.max_budget_nanos);
  j["budget_duration"] = e.budget_duration;
  j["rpm_limit"] = e.rpm_limit;
  j["tpm_limit"] = e.tpm_limit;
  j["models"] = e.models;
  j["default_tag"] = e.default_tag;
  j["expires_micros"] = e.expires_micros;
  j["metadata_json"] = e.metadata_json;
  return j;
}

void Put(const TeamSettings& v, s::TeamSettings::Builder o) {
  o.setName(v.name);
  o.setMaxBudgetNanos(v.max_budget_nanos);
  o.setBudgetDuration(v.budget_duration);
  o.setRpmLimit(v.rpm_limit);
  o.setTpmLimit(v.tpm_limit);
  PutList(v.models, o.initModels(static_cast<unsigned>(v.models.size())));
  o.setMetadataJson(v.metadata_json);
}

void Get(s::TeamSettings::Reader r, TeamSettings& v) {
  v = TeamSettings{};
  Assign(&v.name, r.getName());
  v.max_budget_nanos = r.getMaxBudgetNanos();
  Assign(&v.budget_duration, r.getBudgetDuration());
  v.rpm_limit = r.getRpmLimit();
  v.tpm_limit = r.getTpmLimit();
  GetList(r.getModels(), &v.models);
  Assign(&v.metadata_json, r.getMetadataJson());
}

Json ToJson(const TeamSettings& e) {
  Json j = {{"name", e.name}};
  Budget(j, e.max_budget_nanos);
  j["budget_duration"] = e.budget_duration;
  j["rpm_limit"] = e.rpm_limit;
  j["tpm_limit"] = e.tpm_limit;
  j["models"] = e.models;
  j["metadata_json"] = e.metadata_json;
  return j;
}

std::string DescribeBudget(NanoUsd max_budget_nanos, const std::string& duration) {
  if (max_budget_nanos < 0) return "no budget";
  return "budget " + Usd(max_budget_nanos) + (duration.empty() ? "" : " per " + duration);
}

std::string By(const std::string& actor) { return actor.empty() ? "" : " by " + actor; }

// --- KeyIssued -----------------------------------------------------------------

void Put(const KeyIssued& v, s::KeyIssued::Builder o) {
  o.setKeyId(v.key_id);
  o.setKeyPrefix(v.key_prefix);
  o.setSecretSha256Hex(v.secret_sha256_hex);
  Put(v.settings, o.initSettings());
  o.setActor(v.actor);
}

void Get(s::KeyIssued::Reader r, Checker&, KeyIssued& v) {
  v = KeyIssued{};
  Assign(&v.key_id, r.getKeyId());
  Assign(&v.key_prefix, r.getKeyPrefix());
  Assign(&v.secret_sha256_hex, r.getSecretSha256Hex());
  Get(r.getSettings(), v.settings);
  Assign(&v.actor, r.getActor());
}

void ToJson(const KeyIssued& e, Json& j) {
  j = {{"key_id", e.key_id}, {"key_prefix", e.key_prefix},
       {"secret_sha256", e.secret_sha256_hex}, {"settings", ToJson(e.settings)},
       {"actor", e.actor}};
}

std::string Describe(const KeyIssued& e) {
  return "key " + e.key_id + " (" + e.key_prefix + ") issued" +
         (e.settings.name.empty() ? "" : " as " + e.settings.name) +
         (e.settings.team_id.empty() ? "" : " in team " + e.settings.team_id) + ", " +
         DescribeBudget(e.settings.max_budget_nanos, e.settings.budget_duration) + By(e.actor);
}

// --- KeyUpdated ----------------------------------------------------------------

void Put(const KeyUpdated& v, s::KeyUpdated::Builder o) {
  o.setKeyId(v.key_id);
  Put(v.settings, o.initSettings());
  o.setActor(v.actor);
}

void Get(s::KeyUpdated::Reader r, Checker&, KeyUpdated& v) {
  v = KeyUpdated{};
  Assign(&v.key_id, r.getKeyId());
  Get(r.getSettings(), v.settings);
  Assign(&v.actor, r.getActor());
}

void ToJson(const KeyUpdated& e, Json& j) {
  j = {{"key_id", e.key_id}, {"settings", ToJson(e.settings)}, {"actor", e.actor}};
}

std::string Describe(const KeyUpdated& e) {
  return "key " + e.key_id + " updated: " +
         DescribeBudget(e.settings.max_budget_nanos, e.settings.budget_duration) + By(e.actor);
}

// --- KeyRevoked ----------------------------------------------------------------

void Put(const KeyRevoked& v, s::KeyRevoked::Builder o) {
  o.setKeyId(v.key_id);
  o.setActor(v.actor);
  o.setReason(v.reason);
}

void Get(s::KeyRevoked::Reader r, Checker&, KeyRevoked& v) {
  v = KeyRevoked{};
  Assign(&v.key_id, r.getKeyId());
  Assign(&v.actor, r.getActor());
  Assign(&v.reason, r.getReason());
}

void ToJson(const KeyRevoked& e, Json& j) {
  j = {{"key_id", e.key_id}, {"actor", e.actor}, {"reason", e.reason}};
}

std::string Describe(const KeyRevoked& e) {
  return "key " + e.key_id + " revoked" + By(e.actor) +
         (e.reason.empty() ? "" : " (\"" + e.reason + "\")");
}

// --- TeamCreated ---------------------------------------------------------------

void Put(const TeamCreated& v, s::TeamCreated::Builder o) {
  o.setTeamId(v.team_id);
  Put(v.settings, o.initSettings());
  o.setActor(v.actor);
}

void Get(s::TeamCreated::Reader r, Checker&, TeamCreated& v) {
  v = TeamCreated{};
  Assign(&v.team_id, r.getTeamId());
  Get(r.getSettings(), v.settings);
  Assign(&v.actor, r.getActor());
}

void ToJson(const TeamCreated& e, Json& j) {
  j = {{"team_id", e.team_id}, {"settings", ToJson(e.settings)}, {"actor", e.actor}};
}

std::string Describe(const TeamCreated& e) {
  return "team " + e.team_id + " created, " +
         DescribeBudget(e.settings.max_budget_nanos, e.settings.budget_duration) + By(e.actor);
}

// --- TeamUpdated ---------------------------------------------------------------

void Put(const TeamUpdated& v, s::TeamUpdated::Builder o) {
  o.setTeamId(v.team_id);
  Put(v.settings, o.initSettings());
  o.setActor(v.actor);
}

void Get(s::TeamUpdated::Reader r, Checker&, TeamUpdated& v) {
  v = TeamUpdated{};
  Assign(&v.team_id, r.getTeamId());
  Get(r.getSettings(), v.settings);
  Assign(&v.actor, r.getActor());
}

void ToJson(const TeamUpdated& e, Json& j) {
  j = {{"team_id", e.team_id}, {"settings", ToJson(e.settings)}, {"actor", e.actor}};
}

std::string Describe(const TeamUpdated& e) {
  return "team " + e.team_id + " updated: " +
         DescribeBudget(e.settings.max_budget_nanos, e.settings.budget_duration) + By(e.actor);
}

// --- generated from UKAIRO_EVENT_KINDS --------------------------------------

// The union's member order is EventBody's alternative order, so which() is
// the variant index (DecodeEventHeader relies on it).
#define UKAIRO_EVENT_KIND_ORDINAL_(Type, WireField, WireTag, name)                      \
  static_assert(static_cast<size_t>(s::Event::Body::WireTag) == EventKindIndex<Type>(), \
                #Type ": its UKAIRO_EVENT_KINDS row is not at its Event.body ordinal");
UKAIRO_EVENT_KINDS(UKAIRO_EVENT_KIND_ORDINAL_)
#undef UKAIRO_EVENT_KIND_ORDINAL_

template <typename T, typename Reader>
void GetInto(Reader r, Checker& c, EventBody* out) {
  T* v = std::get_if<T>(out);
  if (v == nullptr) v = &out->emplace<T>();
  Get(r, c, *v);
}

}  // namespace

void PutSettings(const KeySettings& v, schema::KeySettings::Builder out) { Put(v, out); }
void GetSettings(schema::KeySettings::Reader in, KeySettings& v) { Get(in, v); }
void PutSettings(const TeamSettings& v, schema::TeamSettings::Builder out) { Put(v, out); }
void GetSettings(schema::TeamSettings::Reader in, TeamSettings& v) { Get(in, v); }

void EncodeBody(const EventBody& body, s::Event::Body::Builder b) {
  switch (body.index()) {
#define UKAIRO_EVENT_KIND_PUT_(Type, WireField, ...)    \
  case EventKindIndex<Type>():                          \
    Put(*std::get_if<Type>(&body), b.init##WireField()); \
    return;
    UKAIRO_EVENT_KINDS(UKAIRO_EVENT_KIND_PUT_)
#undef UKAIRO_EVENT_KIND_PUT_
  }
}

bool DecodeBody(s::Event::Body::Reader b, Checker& c, EventBody* out) {
  switch (b.which()) {
#define UKAIRO_EVENT_KIND_GET_(Type, WireField, WireTag, name) \
  case s::Event::Body::WireTag:                                \
    GetInto<Type>(b.get##WireField(), c, out);                 \
    return true;
    UKAIRO_EVENT_KINDS(UKAIRO_EVENT_KIND_GET_)
#undef UKAIRO_EVENT_KIND_GET_
  }
  return false;
}

Json BodyToJson(const EventBody& body) {
  Json j;
  switch (body.index()) {
#define UKAIRO_EVENT_KIND_JSON_(Type, ...)  \
  case EventKindIndex<Type>():              \
    ToJson(*std::get_if<Type>(&body), j);   \
    break;
    UKAIRO_EVENT_KINDS(UKAIRO_EVENT_KIND_JSON_)
#undef UKAIRO_EVENT_KIND_JSON_
  }
  return j;
}

}  // namespace ukairo::ledger::event_kinds

namespace ukairo::ledger {

std::string DescribeEventBody(const EventBody& body) {
  switch (body.index()) {
#define UKAIRO_EVENT_KIND_DESCRIBE_(Type, ...) \
  case EventKindIndex<Type>():                 \
    return event_kinds::Describe(*std::get_if<Type>(&body));
    UKAIRO_EVENT_KINDS(UKAIRO_EVENT_KIND_DESCRIBE_)
#undef UKAIRO_EVENT_KIND_DESCRIBE_
  }
  return {};
}

}  // namespace ukairo::ledger
