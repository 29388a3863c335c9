#include "router/rate_window.h"

#include <cassert>
#include <cstddef>

namespace ukairo::router {

void RateWindow::Add(int64_t now_micros, int64_t requests, int64_t tokens) {
  assert(requests >= 0);
  assert(tokens >= 0);
  const int64_t second = SecondOf(now_micros);
  Bucket& b = buckets_[static_cast<size_t>(second % kBuckets)];
  if (b.second > second) return;  // older than what the slot holds: outside the window
  if (b.second != second) b = Bucket{second, 0, 0};
  b.requests += requests;
  b.tokens += tokens;
}

int64_t RateWindow::Requests(int64_t now_micros) const {
  const int64_t now_second = SecondOf(now_micros);
  int64_t total = 0;
  for (const Bucket& b : buckets_) {
    if (Live(b, now_second)) total += b.requests;
  }
  return total;
}

int64_t RateWindow::Tokens(int64_t now_micros) const {
  const int64_t now_second = SecondOf(now_micros);
  int64_t total = 0;
  for (const Bucket& b : buckets_) {
    if (Live(b, now_second)) total += b.tokens;
  }
  return total;
}

int64_t RateWindow::NextExpiryMicros(int64_t now_micros) const {
  const int64_t now_second = SecondOf(now_micros);
  int64_t oldest = now_second;
  for (const Bucket& b : buckets_) {
    if (Live(b, now_second) && (b.requests > 0 || b.tokens > 0) && b.second < oldest) {
      oldest = b.second;
    }
  }
  const int64_t expiry = (oldest + kBuckets) * kBucketMicros;
  assert(expiry > now_micros);
  return expiry;
}

}  // namespace ukairo::router
