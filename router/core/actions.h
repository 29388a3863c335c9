// What the router core asks its driver to do.
//
// The core (router/core/core.h) performs no I/O: every input returns its decisions
// by appending to an `Actions` value. The driver (the live gateway, or the
// simulator) executes them in this order for one call:
//   1. append `events` to the ledger, in order (seq 0 in them; the ledger
//      assigns seq and prev_hash),
//   2. then deliver `responses` to clients, send `sends` upstream, arm
//      `timers`, start `probes`, and hand `notifications` to the notifier.
// Appending before answering means an acknowledged request is always in the
// ledger. The caller owns the Actions and should Clear() and reuse it, so the
// vectors keep their capacity and the hot path does not allocate.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "base/money.h"

namespace ukairo::router {

// Send attempt `attempt` of request `request_id` to deployment `deployment`.
// The driver must deliver exactly one UpstreamResult for it, at the latest
// `timeout_ms` after sending (outcome kTimeout then). That rule is what
// bounds the life of every request (see RouterCore::kAttemptsPerRequestMax).
struct SendAttempt {
  std::string request_id;
  uint32_t attempt = 0;           // 1-based over the whole request
  std::string deployment;         // Config::Deployment::id
  uint32_t deployment_index = 0;  // index into Config::deployments of the core's config
  std::string model_group;
  int64_t timeout_ms = 0;
};

// Call RouterCore::OnTimer(timer_id, now) once now >= fire_at_micros. Timers
// are never cancelled: the core ignores ones that no longer matter.
struct StartTimer {
  uint64_t timer_id = 0;
  int64_t fire_at_micros = 0;
};

// Run a health check on `deployment` and report it with OnProbeResult.
struct ProbeDeployment {
  std::string deployment;
  uint32_t deployment_index = 0;
};

// An alert, a stop, a gate: the notifier posts it (Slack-compatible webhook)
// and records NotificationSent / NotificationFailed itself.
struct Notify {
  std::string subject;  // "budget_alert", "budget_stopped", ...
  std::string text;     // one human-readable line
};

// One attempt of a request, as listed in an all-failed error.
struct AttemptSummary {
  uint32_t attempt = 0;
  std::string deployment;
  std::string model_group;
  ledger::Outcome outcome = ledger::Outcome::kOk;
  uint32_t http_status = 0;
};

// The OpenAI-style error body: {"error": {"message", "type", "code"}}.
struct ClientError {
  std::string type;     // "invalid_request_error", "insufficient_quota", ...
  std::string code;     // "budget_exceeded", "all_deployments_failed", ...
  std::string message;  // names the scope / lists the attempts
};

// Answer the client of `request_id`. On success (error.code empty) the body is
// the upstream answer of `served_attempt`, which the driver holds.
struct Respond {
  std::string request_id;
  uint32_t http_status = 200;
  uint32_t served_attempt = 0;  // 0 when no attempt served it
  std::string deployment;       // "" when none served it
  std::string model_group;
  uint32_t attempts = 0;
  uint32_t fallbacks = 0;
  std::vector<ledger::FallbackReason> fallback_reasons;
  NanoUsd total_cost_nanos = 0;
  bool last_resort = false;
  ClientError error;                         // empty code on success
  std::vector<AttemptSummary> attempt_list;  // every attempt, on errors
  int64_t retry_after_ms = -1;               // >= 0: a Retry-After for the client
  bool ok() const { return error.code.empty(); }
};

struct Actions {
  std::vector<ledger::Event> events;
  std::vector<Respond> responses;
  std::vector<SendAttempt> sends;
  std::vector<StartTimer> timers;
  std::vector<ProbeDeployment> probes;
  std::vector<Notify> notifications;

  // Empties every vector but keeps its capacity.
  void Clear() {
    events.clear();
    responses.clear();
    sends.clear();
    timers.clear();
    probes.clear();
    notifications.clear();
  }
  bool empty() const {
    return events.empty() && responses.empty() && sends.empty() && timers.empty() &&
           probes.empty() && notifications.empty();
  }
};

}  // namespace ukairo::router
