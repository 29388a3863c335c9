#include "router/core/internal/rate_window.h"
#include "base/check.h"

#include <cstddef>

namespace ukairo::router {

void RateWindow::AdvanceTo(int64_t second) {
  UKAIRO_DCHECK(second > head_second_);
  if (head_second_ < 0 || second - head_second_ >= kBuckets) {
    buckets_.fill(Bucket{});
    requests_total_ = tokens_total_ = 0;
  } else {
    // Stepping into second s evicts the bucket of s - kBuckets, if it holds it.
    for (int64_t s = head_second_ + 1; s <= second; ++s) {
      Bucket& b = buckets_[static_cast<size_t>(s % kBuckets)];
      if (b.second == s - kBuckets) {
        requests_total_ -= b.requests;
        tokens_total_ -= b.tokens;
      }
      b = Bucket{};
    }
  }
  head_second_ = second;
}

void RateWindow::Add(int64_t now_micros, int64_t requests, int64_t tokens) {
  UKAIRO_DCHECK(requests >= 0);
  UKAIRO_DCHECK(tokens >= 0);
  const int64_t second = SecondOf(now_micros);
  if (second > head_second_) AdvanceTo(second);
  if (second <= head_second_ - kBuckets) return;  // outside the window
  Bucket& b = buckets_[static_cast<size_t>(second % kBuckets)];
  // Two seconds inside one window never share a bucket, so a bucket holding
  // another second is stale (emptied by AdvanceTo).
  UKAIRO_DCHECK(b.second == second || b.second == -1);
  b.second = second;
  b.requests += requests;
  b.tokens += tokens;
  requests_total_ += requests;
  tokens_total_ += tokens;
}

int64_t RateWindow::Sum(int64_t now_second, int64_t Bucket::*field, int64_t total) const {
  if (now_second >= head_second_) {
    if (now_second - head_second_ >= kBuckets) return 0;
    // The totals minus the seconds that left between the head and now.
    for (int64_t s = head_second_ - kBuckets + 1; s <= now_second - kBuckets; ++s) {
      const Bucket& b = buckets_[static_cast<size_t>((s % kBuckets + kBuckets) % kBuckets)];
      if (b.second == s) total -= b.*field;
    }
    return total;
  }
  // A look back in time (the core's clock never goes back): scan.
  int64_t sum = 0;
  for (const Bucket& b : buckets_) {
    if (Live(b, now_second)) sum += b.*field;
  }
  return sum;
}

int64_t RateWindow::Requests(int64_t now_micros) const {
  return Sum(SecondOf(now_micros), &Bucket::requests, requests_total_);
}

int64_t RateWindow::Tokens(int64_t now_micros) const {
  return Sum(SecondOf(now_micros), &Bucket::tokens, tokens_total_);
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
  UKAIRO_DCHECK(expiry > now_micros);
  return expiry;
}

}  // namespace ukairo::router
