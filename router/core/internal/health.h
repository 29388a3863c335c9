// Per-deployment runtime state of the router core (R-2203, R-2205).
//
// `state`, `until_micros` and `down_since_micros` mirror the projection's
// DeploymentStatus (the core emits the events that change them); the rest is
// in-memory and rebuilt by folding the log tail (RouterCore::WarmUp): the
// rpm/tpm window, recent failure times for allowed_fails, attempts in flight
// (for least-busy), and the generation that invalidates armed timers.
#pragma once

#include <array>
#include <cstdint>

#include "ledger/event.h"
#include "router/core/internal/rate_window.h"

namespace ukairo::router {

// Recent failure times, newest kept; enough for any allowed_fails we accept.
class FailureRing {
 public:
  static constexpr uint32_t kCapacity = 64;
  void Add(int64_t micros) {
    times_[next_ % kCapacity] = micros;
    ++next_;
  }
  void Clear() { next_ = 0; }
  // Failures at times > since_micros, at most kCapacity.
  uint32_t CountSince(int64_t since_micros) const {
    uint32_t n = 0;
    const uint64_t held = next_ < kCapacity ? next_ : kCapacity;
    for (uint64_t i = 0; i < held; ++i) {
      if (times_[i] > since_micros) ++n;
    }
    return n;
  }

 private:
  std::array<int64_t, kCapacity> times_{};
  uint64_t next_ = 0;
};

struct DeploymentRuntime {
  ledger::DeploymentState state = ledger::DeploymentState::kHealthy;
  int64_t until_micros = 0;
  int64_t down_since_micros = 0;
  uint64_t generation = 0;  // bumped on every state change; timers carry it
  // The newest deadline and probe timers armed for it (0: none). Arming a
  // new one forgets the older one, which a state change made stale anyway,
  // so a deployment holds at most two timers however often it flaps.
  uint64_t deadline_timer_id = 0;
  uint64_t probe_timer_id = 0;
  uint32_t in_flight = 0;   // attempts sent and not yet finished
  RateWindow window;
  FailureRing failures;
};

// States a health probe may end.
inline bool Probeable(ledger::DeploymentState s) {
  return s == ledger::DeploymentState::kDown || s == ledger::DeploymentState::kCoolingDown ||
         s == ledger::DeploymentState::kMisconfigured;
}
// States that end by themselves at until_micros.
inline bool HasDeadline(ledger::DeploymentState s) {
  return s == ledger::DeploymentState::kRateLimited || s == ledger::DeploymentState::kCoolingDown;
}
inline bool IsFailure(ledger::Outcome o) {
  return o == ledger::Outcome::kServerError || o == ledger::Outcome::kTimeout ||
         o == ledger::Outcome::kConnectionError;
}

}  // namespace ukairo::router
