// RouterCore: the sans-IO decision logic of ukairo (rules R-2201..R-2206).
//
// Inputs are a new request, an upstream result, a timer firing, a probe
// result, a gate decision and a config change, each with the current time.
// Outputs are appended to an `Actions` (router/core/actions.h). The core owns no
// thread, reads no clock, never sleeps and draws randomness only from the
// seed it is given, so the same inputs and seed give the same actions — the
// live gateway and the simulator drive this same code.
//
// State. The durable state is the ledger projection: every event the core
// emits is also folded into its own Projection (seq 0) before the call
// returns, so projection() always equals a fold of the emitted events over
// the restored projection. The rest (sliding rpm/tpm windows, recent failure
// counts, in-flight counts per deployment) is a fold over the same events:
// after a restart, feed the tail of the log (at least cooldown_time and 60 s)
// to WarmUp(). Requests in flight at a crash are gone with their clients;
// Start() releases their reservations with ReservationExpired events.
//
// Driver contract: one SendAttempt → exactly one OnUpstreamResult, at most
// timeout_ms later; one StartTimer → one OnTimer at/after its time; one
// ProbeDeployment → one OnProbeResult (a lost one only costs that probe:
// the next is armed when it is sent). now_micros never goes backwards.
//
// Decisions worth knowing (details at their code):
//  * Model names: the core, not the driver, decides what the client's
//    "model" means (CoreIndex::ResolveModel), so live and simulated traffic
//    agree. A name nothing serves gets a Respond 404 {invalid_request_error,
//    model_not_found} and no event: like a malformed body it is the
//    client's mistake, touches no budget or deployment, and recording it
//    would let any client grow the ledger with junk. CoreStats counts it.
//  * Chain: the tag's tier chain; a client naming a group that is not the
//    tier's primary gets [group] + fallbacks[group] (or default_fallbacks).
//    Within a group every untried deployment is tried before the next group.
//  * Budgets: an attempt reserves CostNanos(price, input, max_output) in its
//    model, tag, tier and global scopes; it is skipped (reason budget) when
//    any limited scope cannot fit it. A refusal with nothing reserved in the
//    scope and <= 10 % of its limit left counts as reaching 100 % (settled
//    spend alone may never get there). Stopped model: skipped. Stopped tag,
//    tier or global: zero-cost deployments only, until a gate decision.
//  * Failures: 429 / own rpm-tpm → next deployment at once; 5xx, timeout,
//    connection → retries on the same deployment, then down + fallback;
//    more than allowed_fails failures within cooldown_time → cooling_down.
//  * Last resort: when the chain is spent, an untried zero-cost deployment of
//    the chain gets one try whatever its health. RequestCompleted.last_resort
//    is set when a zero-cost deployment served after at least one fallback.
//  * Bounds: at most kAttemptsPerRequestMax attempts; no attempt or retry
//    starts after accepted + request_timeout_ms, and each attempt's timeout
//    ends by then, so every request is answered within that time.
//
// Thread safety: none; one owner calls it (one core per gateway thread/shard).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "ledger/event.h"
#include "base/status.h"
#include "ledger/projection.h"
#include "router/core/actions.h"
#include "router/core/config.h"

namespace ukairo::router {

// The client_key_id of requests made with the master key: not a client key,
// so no key scope, limits or allowed models apply.
inline constexpr std::string_view kMasterKeyId = "master";

// An admin change to client keys or teams (router/core/core_keys.cc).
using KeyChange = std::variant<ledger::KeyIssued, ledger::KeyUpdated, ledger::KeyRevoked,
                               ledger::TeamCreated, ledger::TeamUpdated>;

// The API a client request speaks. A deployment that cannot serve it is
// skipped with fallback reason unsupported (Deployment::Serves), so the
// simulator, given the same input, makes the same skips.
enum class ClientApi : uint8_t {
  kOpenAi = 0,          // chat/completions, completions, embeddings
  kAnthropicMessages,   // POST /v1/messages: anthropic/... deployments, others if translatable
};

struct RequestInput {
  std::string request_id;       // unique among requests in flight
  std::string tag;              // process tag; "" or unknown → Config::default_tag
  // The client's "model", as sent: "" (none), "auto" or a tier name → the
  // tag's tier chain; a model group → that group's chain (see "Chain" above);
  // anything else → 404 model_not_found, answered without recording.
  std::string requested_model;
  // The id of the client key that authenticated it (never the key), "master"
  // (kMasterKeyId) or "" when the gateway is open. A client key's state in
  // the projection decides: unknown, revoked or expired → 401; a model it
  // may not use → 403 key_model_access_denied (as LiteLLM); its or its team's rpm/tpm
  // reached → 429 with Retry-After; budget used up → 429 budget_exceeded.
  // Refusals are answered before anything is recorded, like an unknown
  // model. Its default tag applies when `tag` is "".
  std::string client_key_id;
  int64_t input_tokens = 0;       // counted or estimated by the driver
  int64_t max_output_tokens = 0;  // max_tokens of the body; 0 = config default
  bool stream = false;
  ClientApi api = ClientApi::kOpenAi;
  // kAnthropicMessages: what keeps the request from being translated for an
  // OpenAI-compatible deployment; "" = it can be, so such deployments serve it.
  std::string untranslatable_feature = "not checked";
};

struct UpstreamResult {
  std::string request_id;
  uint32_t attempt = 0;  // as in the SendAttempt
  ledger::Outcome outcome = ledger::Outcome::kOk;
  uint32_t http_status = 0;  // 0: no HTTP answer
  int64_t latency_micros = 0;
  // Normalised across providers: input_tokens includes cached_tokens (read
  // from the prompt cache) and cache_write_tokens (written to it), as
  // OpenAI's prompt_tokens does; Anthropic's input_tokens excludes both.
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t cache_write_tokens = 0;
  int64_t reasoning_tokens = 0;  // part of output_tokens
  std::string usage_json;        // the provider's usage object, kept in the ledger
  int64_t retry_after_ms = -1;  // -1: none sent
  std::string error;            // short provider text, never secrets
  // Part of this attempt's output already reached the client (a stream that
  // broke midway). Such a request cannot be retried or moved to another
  // model without garbling what the client has: a failure then ends it.
  bool delivered_partially = false;
};

struct ProbeResult {
  std::string deployment;
  bool ok = false;
  int64_t latency_micros = 0;
  uint32_t http_status = 0;
  std::string error;
};

// Counters for tests, benchmarks and /metrics.
struct CoreStats {
  uint64_t requests = 0;
  uint64_t responses_ok = 0;
  uint64_t responses_error = 0;
  uint64_t attempts = 0;
  uint64_t retries = 0;
  uint64_t fallbacks = 0;
  uint64_t stale_inputs = 0;  // results/timers/probes that no longer matched
  // Requests naming a model not served here (also in requests and
  // responses_error): answered 404 model_not_found, nothing recorded.
  uint64_t refused_unknown_model = 0;
  // Keyed requests refused before recording (401 / 429, see RequestInput).
  uint64_t refused_by_key = 0;
  uint64_t events = 0;
};

class RouterCore {
 public:
  // Limits (TigerStyle: a limit on everything; asserted).
  static constexpr uint32_t kAttemptsPerRequestMax = 32;  // = kRequestAttemptsMax
  static constexpr uint32_t kChainGroupsMax = 16;
  static constexpr uint32_t kRetriesMax = 8;
  static constexpr size_t kRequestsInFlightMax = 1u << 20;  // more: 503 overloaded
  static constexpr size_t kDeploymentsMax = 1024;  // configs with more are rejected
  // Timers armed and not yet fired: one retry timer per request in flight,
  // a deadline and a probe timer per deployment. Bounded by construction;
  // checked.
  static constexpr size_t kTimersMax = kRequestsInFlightMax + 2 * kDeploymentsMax;

  // `restored` is the projection loaded from the ledger (a fresh one for a new
  // ledger); its period kind must be config->budget_period.
  // REQUIRES: config is valid (every chain names existing groups).
  RouterCore(std::shared_ptr<const Config> config, ledger::Projection restored, uint64_t seed);
  ~RouterCore();
  RouterCore(const RouterCore&) = delete;
  RouterCore& operator=(const RouterCore&) = delete;

  // Rebuilds in-memory windows from a past event that `restored` already
  // contains (the log tail). Emits nothing. Call before Start().
  void WarmUp(const ledger::Event& past_event);
  // Call once before any other input: expires reservations left open by a
  // crash, arms probe and deadline timers for deployments not healthy.
  void Start(int64_t now_micros, Actions& out);

  void OnRequest(const RequestInput& request, int64_t now_micros, Actions& out);
  void OnUpstreamResult(const UpstreamResult& result, int64_t now_micros, Actions& out);
  void OnTimer(uint64_t timer_id, int64_t now_micros, Actions& out);
  void OnProbeResult(const ProbeResult& probe, int64_t now_micros, Actions& out);
  // Records a human decision at the gate (period 0 = the current period).
  void OnGateDecision(const ledger::GateDecision& decision, int64_t now_micros, Actions& out);
  // Records an admin change to keys or teams (KeyIssued, ...), after
  // checking it against the current state: InvalidArgument for an empty id,
  // FailedPrecondition for a second issue of an id, NotFound for a change to
  // an unknown key or team (or a revoked key), Unavailable past
  // ProjectionLimits::kKeysMax / kTeamsMax. Takes effect for the next request.
  Status OnKeyChange(const KeyChange& change, int64_t now_micros, Actions& out);
  // Switches to a new config for new requests; requests in flight finish on
  // the chains they started with. The driver records ConfigApplied itself.
  void OnConfig(std::shared_ptr<const Config> config, int64_t now_micros, Actions& out);

  // What requests in flight hold in a key or team scope (ledger::ScopeKind
  // kKey / kTeam): the core's own part of those budgets, not in the projection.
  NanoUsd KeyReserved(ledger::ScopeKind kind, const std::string& id) const;
  const ledger::Projection& projection() const;
  const Config& config() const;
  const CoreStats& stats() const;
  size_t requests_in_flight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ukairo::router
