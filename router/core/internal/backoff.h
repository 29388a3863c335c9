// Retry backoff as a pure function of the schedule, the retry number and an
// injected Rng (TigerBeetle vsr.zig exponential_backoff_with_jitter).
#pragma once

#include <cstdint>

#include "router/core/config.h"
#include "router/core/rng.h"

namespace ukairo::router {

// Upper bound on any single backoff, whatever the config says: a retry that
// waits longer than this is a misconfiguration, and the bound keeps every
// request's life bounded.
inline constexpr int64_t kBackoffMsMax = 10 * 60 * 1000;

// The wait before retry number `retry` (1 = first retry) under `policy`:
// backoff_ms[retry-1] (the last entry repeats), then ± jitter_pct percent of
// it drawn from `rng` (no draw when jitter_pct is 0).
// REQUIRES: retry >= 1. ENSURES: base*(100-j)/100 <= result <= base*(100+j)/100,
// and 0 <= result <= kBackoffMsMax.
int64_t BackoffMs(const RetryPolicy& policy, uint32_t retry, Rng& rng);

}  // namespace ukairo::router
