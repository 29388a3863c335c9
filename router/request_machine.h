// The life of one request inside the router core: an explicit state
// machine, so that a request in flight is plain data.
//
//   kRouting ──SendAttempt──> kAwaitingResult ──ok / client error──> done
//       ^                          │
//       │   429, failure past retries, 401/403, context window
//       ├──────────────────────────┘ (next deployment or group at once)
//       │                          │ 5xx / timeout / connection, retries left
//       └── timer ── kAwaitingRetry <┘
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "router/actions.h"
#include "router/budget_guard.h"

namespace ukairo::router {

enum class RequestPhase : uint8_t { kRouting = 0, kAwaitingResult, kAwaitingRetry };

struct RequestMachine {
  std::string id;
  RequestPhase phase = RequestPhase::kRouting;
  uint32_t tag = kNone;
  uint32_t tier = kNone;
  uint32_t requested_group = kNone;  // the model group the client named, if any
  int64_t input_tokens = 0;
  int64_t max_output_tokens = 0;
  int64_t accepted_micros = 0;
  int64_t deadline_micros = 0;     // no attempt starts after it

  // Where it is in its chain. `chain` points into the CoreIndex it was
  // routed with (kept alive by the core across config changes).
  const std::vector<uint32_t>* chain = nullptr;
  const std::vector<uint32_t>* last_resort_chain = nullptr;
  uint32_t chain_pos = 0;
  bool on_context_chain = false;

  // The current (or last) attempt.
  uint32_t attempts = 0;
  uint32_t deployment = kNone;
  uint32_t try_on_deployment = 0;
  NanoUsd reserved_nanos = 0;
  AttemptScopes scopes{kNone, kNone, kNone, kNone};
  TokenPrice price;                // of the current attempt's deployment
  // Set only when a config change removed the current attempt's deployment:
  // the names its AttemptFinished must still carry.
  std::string orphan_deployment;
  std::string orphan_group;
  bool last_resort = false;
  std::vector<uint32_t> attempted;  // deployments tried, in order

  // A fallback waiting for its destination before it is emitted.
  bool fallback_pending = false;
  uint32_t fallback_from_deployment = kNone;
  uint32_t fallback_from_group = kNone;
  ledger::FallbackReason fallback_reason = ledger::FallbackReason::kFailure;

  // What the client will be told.
  uint32_t fallbacks = 0;
  std::vector<ledger::FallbackReason> fallback_reasons;
  std::vector<AttemptSummary> attempt_list;
  NanoUsd total_cost_nanos = 0;
  uint32_t refused_scope = kNone;  // a budget scope that refused it, for the error text
};

}  // namespace ukairo::router
