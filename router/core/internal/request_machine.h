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

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/check.h"
#include "ledger/event.h"
#include "router/core/actions.h"
#include "router/core/internal/budget_guard.h"
#include "router/core/internal/key_guard.h"

namespace ukairo::router {

// Every attempt of a request counts toward this bound (asserted), so a
// request ends within it whatever its chain; RouterCore exposes it.
inline constexpr uint32_t kRequestAttemptsMax = 32;

// The deployments a request tried, without allocating: at most one entry per
// attempt.
class AttemptedSet {
 public:
  void push_back(uint32_t d) {
    UKAIRO_CHECK(size_ < items_.size());
    items_[size_++] = d;
  }
  bool contains(uint32_t d) const {
    for (uint32_t i = 0; i < size_; ++i) {
      if (items_[i] == d) return true;
    }
    return false;
  }
  void clear() { size_ = 0; }
  const uint32_t* begin() const { return items_.data(); }
  const uint32_t* end() const { return items_.data() + size_; }

 private:
  std::array<uint32_t, kRequestAttemptsMax> items_{};
  uint32_t size_ = 0;
};

enum class RequestPhase : uint8_t { kRouting = 0, kAwaitingResult, kAwaitingRetry };

struct RequestMachine {
  std::string id;
  RequestPhase phase = RequestPhase::kRouting;
  uint32_t tag = kNone;
  uint32_t tier = kNone;
  uint32_t requested_group = kNone;  // the model group the client named, if any
  int64_t input_tokens = 0;
  int64_t max_output_tokens = 0;
  bool anthropic_messages = false;  // RequestInput::api
  std::string untranslatable_feature;  // "" = OpenAI-compatible deployments serve it too
  int64_t accepted_micros = 0;
  int64_t deadline_micros = 0;  // no attempt starts after it

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
  TokenPrice price;  // of the current attempt's deployment
  // The reservation last computed for a deployment, reused by StartAttempt.
  uint32_t quote_deployment = kNone;
  NanoUsd quote_nanos = 0;
  // Set only when a config change removed the current attempt's deployment:
  // the names its AttemptFinished must still carry.
  std::string orphan_deployment;
  std::string orphan_group;
  bool last_resort = false;
  AttemptedSet attempted;  // deployments tried, in order

  // Why a budget refused a deployment (SkipReason), carried to the
  // FallbackTaken that reports it: the latest skip's, the first skip's in
  // the group being picked, and the pending fallback's.
  struct BudgetRefusal {
    uint32_t scope = kNone;
    bool stopped = false;  // stopped at the gate rather than too full
    NanoUsd reserve_nanos = 0;
  };
  BudgetRefusal last_refusal;
  BudgetRefusal group_refusal;
  BudgetRefusal fallback_refusal;

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

  // The client key and team it counts against (empty: none), and the key
  // or team budget that refused a deployment, for the error text.
  KeyScopes key;
  std::optional<KeyLimitHit> key_refusal;
};

}  // namespace ukairo::router
