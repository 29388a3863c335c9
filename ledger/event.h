// The events of the ledger as plain C++ values.
//
// ledger/events.capnp is the stored format and the one source of truth for
// field meaning; these structs mirror it one to one so that the router and
// the simulator can build events without Cap'n Proto builders, and so that
// projections fold plain values. ledger/event_codec.h converts between them.
//
// Adding an event kind touches three places; forgetting a part of the second
// or the third does not compile, and tests/ledger/event_kinds_test.cc checks
// the first against the table:
//   1. events.capnp: its struct and a new member of Event.body (next ordinal);
//   2. here: its struct, and a row at the end of UKAIRO_EVENT_KINDS below
//      (EventBody, the kind name and the EventHandler callback come from it);
//   3. ledger/event_kinds.cc: its Put (encode), Get (decode), ToJson and
//      Describe (audit line), side by side.
//
// Units: times are microseconds since the Unix epoch (UTC) from an injected
// clock; durations say their unit; money is nano-USD (see base/money.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "base/money.h"

namespace ukairo::ledger {

enum class Outcome : uint8_t {
  kOk = 0,
  kRateLimited,      // HTTP 429 or the deployment's own rpm/tpm reached
  kServerError,      // 5xx
  kTimeout,          // no (complete) answer in time; HTTP 408 too
  kConnectionError,  // could not connect, reset, TLS failure
  kClientError,      // 4xx other than 408/409/429: not the deployment's fault
  kContextWindow,    // the prompt does not fit the model's context window
  kAuthError,        // 401/403: the deployment is misconfigured
};

enum class FallbackReason : uint8_t {
  kRateLimit = 0,
  kFailure,
  kBudget,
  kCooldown,
  kGate,
  kContextWindow,
  kMisconfigured,
  kUnsupported,  // the deployment cannot serve the request's API or a feature of it
};

// kKey and kTeam: a client key's and a team's own budget (the key's id, the
// team's id as key). Their spend is booked from the request's client key
// (RequestAccepted.client_key_id); see ledger/projection.h.
enum class ScopeKind : uint8_t { kModel = 0, kTag, kTier, kGlobal, kKey, kTeam };

enum class AlertAction : uint8_t { kNotify = 0, kWarn, kStopAndFallback };

enum class GateChoice : uint8_t { kContinueWithModel = 0, kRaiseLimit, kStop };

enum class DeploymentState : uint8_t {
  kHealthy = 0,
  kRateLimited,   // until a time (Retry-After or cooldown_time)
  kCoolingDown,   // until a time (allowed_fails reached)
  kDown,          // failed past retries; waits for a probe or a good request
  kBudgetStopped, // its model scope hit 100 %
  kGated,         // stopped by a human at the gate
  kMisconfigured, // 401/403 from the provider
};

enum class RecoveryConfirmation : uint8_t {
  kProbe = 0,        // a health probe succeeded
  kRequest,          // a real request succeeded
  kDeadlinePassed,   // Retry-After / cooldown deadline passed
  kManual,           // forced by hand (admin API / CLI)
  kGate,             // a gate decision lifted a stop
  kPeriodRollover,   // a new budget period began
};

// Request-scoped events carry the request's tag and tier so that every event
// is self-describing for auditors and projections need no join.
struct RequestAccepted {
  std::string request_id;
  std::string tag;              // the process tag after defaulting
  std::string tier;
  std::string requested_model;  // what the client asked for ("" if none)
  std::string client_key_id;    // a key *id* (hash prefix), never the key
  int64_t estimated_input_tokens = 0;
  int64_t max_output_tokens = 0;  // the cap used for reservations
  bool stream = false;
  bool operator==(const RequestAccepted&) const = default;
};

struct AttemptStarted {
  std::string request_id;
  uint32_t attempt = 0;           // 1-based over the whole request
  uint32_t try_on_deployment = 0; // 1 = first try on this deployment, 2.. = retries
  std::string deployment;         // deployment id
  std::string model_group;        // the model (group) name it belongs to
  std::string tag;
  std::string tier;
  NanoUsd reserved_nanos = 0;     // worst-case cost held in every scope
  bool operator==(const AttemptStarted&) const = default;
};

struct AttemptFinished {
  std::string request_id;
  uint32_t attempt = 0;
  std::string deployment;
  std::string model_group;
  std::string tag;
  std::string tier;
  Outcome outcome = Outcome::kOk;
  uint32_t http_status = 0;       // 0 when there was no HTTP answer
  int64_t latency_micros = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_tokens = 0;
  NanoUsd cost_nanos = 0;         // settled actual cost
  int64_t retry_after_ms = -1;    // -1: the provider sent none
  std::string error;              // short provider error text, never secrets
  // Part of input_tokens written to the provider's prompt cache (priced at
  // cache_creation_input_token_cost); cached_tokens are the ones read from it.
  int64_t cache_write_tokens = 0;
  int64_t reasoning_tokens = 0;   // part of output_tokens, when the provider says
  std::string usage_json;         // the provider's own usage object, as sent ("" if none)
  bool operator==(const AttemptFinished&) const = default;
};

struct RetryScheduled {
  std::string request_id;
  uint32_t attempt = 0;           // the attempt that failed
  std::string deployment;
  int64_t backoff_ms = 0;
  Outcome cause = Outcome::kServerError;
  bool operator==(const RetryScheduled&) const = default;
};

struct FallbackTaken {
  std::string request_id;
  std::string tag;
  std::string tier;
  std::string from_deployment;    // "" when the first choice was skipped outright
  std::string from_model_group;
  std::string to_deployment;      // "" when nothing was left
  std::string to_model_group;
  FallbackReason reason = FallbackReason::kFailure;
  // reason kBudget: the scope that refused the deployment and its state then
  // (budget_scope_key "" with kind kGlobal when unknown, e.g. older events).
  ScopeKind budget_scope_kind = ScopeKind::kGlobal;
  std::string budget_scope_key;
  bool budget_scope_stopped = false;  // stopped at the gate rather than too full
  NanoUsd budget_used_nanos = 0;      // spent + reserved in the scope
  NanoUsd budget_limit_nanos = 0;
  NanoUsd reserve_nanos = 0;          // what the attempt would have reserved
  bool operator==(const FallbackTaken&) const = default;
};

struct RequestCompleted {
  std::string request_id;
  std::string tag;
  std::string tier;
  std::string final_deployment;   // "" when no deployment served it
  std::string final_model_group;
  uint32_t http_status = 0;       // status returned to the client
  std::string error_code;         // "" on success, else e.g. "budget_exceeded"
  NanoUsd total_cost_nanos = 0;
  uint32_t attempts = 0;
  uint32_t fallbacks = 0;
  int64_t latency_micros = 0;     // accepted → answered
  bool last_resort = false;       // served by the local last-resort model
  bool operator==(const RequestCompleted&) const = default;
};

struct BudgetAlert {
  ScopeKind scope_kind = ScopeKind::kGlobal;
  std::string scope_key;          // model group, tag, tier; "" for global
  uint32_t threshold_pct = 0;
  AlertAction action = AlertAction::kNotify;
  NanoUsd spent_nanos = 0;
  NanoUsd limit_nanos = 0;
  int32_t period = 0;             // e.g. 202611 for a calendar month
  bool operator==(const BudgetAlert&) const = default;
};

struct BudgetStopped {
  ScopeKind scope_kind = ScopeKind::kGlobal;
  std::string scope_key;
  NanoUsd spent_nanos = 0;
  NanoUsd limit_nanos = 0;
  int32_t period = 0;
  bool operator==(const BudgetStopped&) const = default;
};

struct GateDecision {
  ScopeKind scope_kind = ScopeKind::kGlobal;
  std::string scope_key;
  int32_t period = 0;
  GateChoice choice = GateChoice::kStop;
  std::string model;              // for kContinueWithModel
  NanoUsd new_limit_nanos = 0;    // for kRaiseLimit
  std::string actor;
  std::string note;
  bool operator==(const GateDecision&) const = default;
};

struct HealthProbe {
  std::string deployment;
  bool ok = false;
  int64_t latency_micros = 0;
  uint32_t http_status = 0;
  std::string error;
  bool operator==(const HealthProbe&) const = default;
};

struct DeploymentStateChanged {
  std::string deployment;
  DeploymentState from = DeploymentState::kHealthy;
  DeploymentState to = DeploymentState::kHealthy;
  std::string reason;
  int64_t until_micros = 0;       // 0: no deadline
  std::string actor;              // "" for automatic; a person for manual
  bool operator==(const DeploymentStateChanged&) const = default;
};

struct Recovered {
  std::string deployment;
  int64_t down_since_micros = 0;
  RecoveryConfirmation confirmed_by = RecoveryConfirmation::kProbe;
  bool operator==(const Recovered&) const = default;
};

struct ConfigApplied {
  std::string sha256_hex;
  std::string text;               // the full config text as read
  std::string source;             // file path or "admin-api"
  std::string actor;
  bool operator==(const ConfigApplied&) const = default;
};

struct NotificationSent {
  std::string channel;            // "webhook", "email"
  std::string subject;            // what it was about (alert, stop, ...)
  uint32_t http_status = 0;
  uint32_t try_number = 1;
  bool operator==(const NotificationSent&) const = default;
};

struct NotificationFailed {
  std::string channel;
  std::string subject;
  uint32_t http_status = 0;
  uint32_t try_number = 1;
  std::string error;
  bool operator==(const NotificationFailed&) const = default;
};

// A reservation left open by a crash, released on restart.
struct ReservationExpired {
  std::string request_id;
  uint32_t attempt = 0;
  std::string deployment;
  NanoUsd reserved_nanos = 0;
  bool operator==(const ReservationExpired&) const = default;
};

// What a client key may do; KeyIssued sets it and every KeyUpdated replaces
// it whole (the admin API merges a partial update before recording), so the
// fold needs no merge rules and each event tells the full new state.
struct KeySettings {
  std::string name;               // LiteLLM key_alias
  std::string owner;              // LiteLLM user_id
  std::string team_id;            // "" for none
  NanoUsd max_budget_nanos = -1;  // per budget period; -1: no budget
  std::string budget_duration;    // as given ("30d", "1mo"); the period is the ledger's
  int64_t rpm_limit = 0;          // 0: none
  int64_t tpm_limit = 0;          // 0: none
  std::vector<std::string> models;  // allowed model groups / tiers; empty: all
  std::string default_tag;        // applies when the client sends no tag
  int64_t expires_micros = 0;     // 0: never
  std::string metadata_json;      // a JSON object as text, never secrets
  bool operator==(const KeySettings&) const = default;
};

// A client key was created. The secret itself is shown once to its creator
// and never recorded: only its SHA-256 and a short non-secret prefix.
struct KeyIssued {
  std::string key_id;             // stable id, derived from the hash (never the key)
  std::string key_prefix;         // "sk-uk-ab12…" for humans to recognise it
  std::string secret_sha256_hex;
  KeySettings settings;
  std::string actor;
  bool operator==(const KeyIssued&) const = default;
};

struct KeyUpdated {
  std::string key_id;
  KeySettings settings;           // the complete new settings
  std::string actor;
  bool operator==(const KeyUpdated&) const = default;
};

struct KeyRevoked {
  std::string key_id;
  std::string actor;
  std::string reason;
  bool operator==(const KeyRevoked&) const = default;
};

struct TeamSettings {
  std::string name;               // LiteLLM team_alias
  NanoUsd max_budget_nanos = -1;  // -1: no budget
  std::string budget_duration;
  int64_t rpm_limit = 0;
  int64_t tpm_limit = 0;
  std::vector<std::string> models;
  std::string metadata_json;
  bool operator==(const TeamSettings&) const = default;
};

struct TeamCreated {
  std::string team_id;
  TeamSettings settings;
  std::string actor;
  bool operator==(const TeamCreated&) const = default;
};

struct TeamUpdated {
  std::string team_id;
  TeamSettings settings;          // the complete new settings
  std::string actor;
  bool operator==(const TeamUpdated&) const = default;
};

// The one table of event kinds; every per-kind piece of code is generated
// from it or is a per-kind overload it calls (with no generic fallback). Row:
//   X(Type, WireField, WIRE_TAG, "kind_name")
//   Type       the C++ struct above; its EventHandler callback is On<Type>
//   WireField  its member of Event.body in events.capnp as the generated
//              accessors spell it (init<WireField>, get<WireField>)
//   WIRE_TAG   the generated union tag, schema::Event::Body::WIRE_TAG
//   kind_name  stable: --kind filters, JSON "kind", `ukairo ledger stats`
// Rows follow the union's ordinals: a row's position is its EventBody index
// and its Event.body.which() (checked at compile time in event_kinds.cc).
// Never reorder or remove rows: stored events name their kind by ordinal.
#define UKAIRO_EVENT_KINDS(X)                                                          \
  X(RequestAccepted, RequestAccepted, REQUEST_ACCEPTED, "request_accepted")            \
  X(AttemptStarted, AttemptStarted, ATTEMPT_STARTED, "attempt_started")                \
  X(AttemptFinished, AttemptFinished, ATTEMPT_FINISHED, "attempt_finished")            \
  X(RetryScheduled, RetryScheduled, RETRY_SCHEDULED, "retry_scheduled")                \
  X(FallbackTaken, FallbackTaken, FALLBACK_TAKEN, "fallback_taken")                    \
  X(RequestCompleted, RequestCompleted, REQUEST_COMPLETED, "request_completed")        \
  X(BudgetAlert, BudgetAlert, BUDGET_ALERT, "budget_alert")                            \
  X(BudgetStopped, BudgetStopped, BUDGET_STOPPED, "budget_stopped")                    \
  X(GateDecision, GateDecision, GATE_DECISION, "gate_decision")                        \
  X(HealthProbe, HealthProbe, HEALTH_PROBE, "health_probe")                            \
  X(DeploymentStateChanged, DeploymentStateChanged, DEPLOYMENT_STATE_CHANGED,          \
    "deployment_state_changed")                                                        \
  X(Recovered, Recovered, RECOVERED, "recovered")                                      \
  X(ConfigApplied, ConfigApplied, CONFIG_APPLIED, "config_applied")                    \
  X(NotificationSent, NotificationSent, NOTIFICATION_SENT, "notification_sent")        \
  X(NotificationFailed, NotificationFailed, NOTIFICATION_FAILED, "notification_failed") \
  X(ReservationExpired, ReservationExpired, RESERVATION_EXPIRED, "reservation_expired") \
  X(KeyIssued, KeyIssued, KEY_ISSUED, "key_issued")                                    \
  X(KeyUpdated, KeyUpdated, KEY_UPDATED, "key_updated")                                \
  X(KeyRevoked, KeyRevoked, KEY_REVOKED, "key_revoked")                                \
  X(TeamCreated, TeamCreated, TEAM_CREATED, "team_created")                            \
  X(TeamUpdated, TeamUpdated, TEAM_UPDATED, "team_updated")

namespace event_kinds_detail {
template <class Ignored, class... Kinds>
struct VariantOfRest {
  using type = std::variant<Kinds...>;
};
}  // namespace event_kinds_detail

#define UKAIRO_EVENT_KIND_COMMA_TYPE_(Type, ...) , Type
using EventBody = event_kinds_detail::VariantOfRest<void UKAIRO_EVENT_KINDS(
    UKAIRO_EVENT_KIND_COMMA_TYPE_)>::type;
#undef UKAIRO_EVENT_KIND_COMMA_TYPE_

// The kind names by EventBody index.
#define UKAIRO_EVENT_KIND_NAME_(Type, WireField, WireTag, name) name,
inline constexpr const char* kEventKindNames[] = {UKAIRO_EVENT_KINDS(UKAIRO_EVENT_KIND_NAME_)};
#undef UKAIRO_EVENT_KIND_NAME_
inline constexpr size_t kEventKindCount = std::size(kEventKindNames);
static_assert(kEventKindCount == std::variant_size_v<EventBody>);

// EventBody index of the kind T (a compile error for a type not in the table).
template <class T, size_t I = 0>
constexpr size_t EventKindIndex() {
  static_assert(I < kEventKindCount, "not an event kind of UKAIRO_EVENT_KINDS");
  if constexpr (std::is_same_v<std::variant_alternative_t<I, EventBody>, T>) {
    return I;
  } else {
    return EventKindIndex<T, I + 1>();
  }
}

using Sha256 = std::array<uint8_t, 32>;

// One ledger entry. `seq` and `prev_hash` are assigned by the ledger on append.
struct Event {
  uint64_t seq = 0;          // gap-free, starting at 1
  int64_t time_micros = 0;   // event time from the injected clock
  Sha256 prev_hash{};        // SHA-256 of the previous event's stored bytes
  EventBody body;
  bool operator==(const Event&) const = default;
};

// The kind name of an event body ("attempt_finished", ...), stable, used by
// the CLI's --kind filter and in JSON output.
const char* KindName(const EventBody& body);
const char* OutcomeName(Outcome outcome);
const char* FallbackReasonName(FallbackReason reason);
const char* ScopeKindName(ScopeKind kind);
const char* AlertActionName(AlertAction action);
const char* GateChoiceName(GateChoice choice);
const char* DeploymentStateName(DeploymentState state);
const char* RecoveryConfirmationName(RecoveryConfirmation how);

// One line for humans ("attempt 2 on claude-sonnet-1: rate_limited (429) in
// 120 ms, ..."), the description column of `ukairo audit` tables.
std::string DescribeEventBody(const EventBody& body);

// Visitor with one callback per event type, each a no-op by default, so a new
// event type breaks no existing handler (as rocksdb::WriteBatch::Handler).
// For every row of UKAIRO_EVENT_KINDS it has
//   virtual void On<Type>(const Event&, const <Type>&) {}
// e.g. OnRequestAccepted(const Event&, const RequestAccepted&).
class EventHandler {
 public:
  virtual ~EventHandler() = default;
#define UKAIRO_EVENT_KIND_CALLBACK_(Type, ...) \
  virtual void On##Type(const Event&, const Type&) {}
  UKAIRO_EVENT_KINDS(UKAIRO_EVENT_KIND_CALLBACK_)
#undef UKAIRO_EVENT_KIND_CALLBACK_
};

// Calls the handler's callback for the event's type.
void Dispatch(const Event& event, EventHandler& handler);

}  // namespace ukairo::ledger
