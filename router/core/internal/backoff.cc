#include "router/core/internal/backoff.h"
#include "base/check.h"

#include <algorithm>

namespace ukairo::router {

int64_t BackoffMs(const RetryPolicy& policy, uint32_t retry, Rng& rng) {
  UKAIRO_CHECK(retry >= 1);
  int64_t base_ms = 0;
  if (!policy.backoff_ms.empty()) {
    const size_t i = std::min<size_t>(retry - 1, policy.backoff_ms.size() - 1);
    base_ms = std::clamp<int64_t>(policy.backoff_ms[i], 0, kBackoffMsMax);
  }
  const uint32_t jitter_pct = std::min<uint32_t>(policy.jitter_pct, 100);
  if (jitter_pct == 0 || base_ms == 0) return base_ms;
  const int64_t spread_ms = base_ms * jitter_pct / 100;
  const int64_t low_ms = base_ms - spread_ms;
  const int64_t result_ms =
      low_ms + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(2 * spread_ms + 1)));
  UKAIRO_CHECK(result_ms >= low_ms);
  UKAIRO_CHECK(result_ms <= base_ms + spread_ms);
  return std::clamp<int64_t>(result_ms, 0, kBackoffMsMax);
}

}  // namespace ukairo::router
