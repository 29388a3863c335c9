// A 60-second sliding window of requests and tokens for one deployment, kept
// in 60 one-second buckets so that its memory is fixed (R-2203: a
// deployment's own rpm/tpm limits). Running totals of the window ending at
// the newest second seen make a query O(seconds since then), not O(60): it
// is asked on every routing decision for a deployment with a limit.
//
// Thread safety: a value; one owner.
#pragma once

#include <array>
#include <cstdint>

namespace ukairo::router {

class RateWindow {
 public:
  static constexpr int kBuckets = 60;
  static constexpr int64_t kBucketMicros = 1'000'000;
  static constexpr int64_t kWindowMicros = kBuckets * kBucketMicros;

  // Counts `requests` and `tokens` at `now_micros`. Times older than the
  // window ending at the newest time added are ignored (they no longer
  // count).
  void Add(int64_t now_micros, int64_t requests, int64_t tokens);
  // Sums over the window ending at `now_micros`.
  int64_t Requests(int64_t now_micros) const;
  int64_t Tokens(int64_t now_micros) const;
  // The first time after `now_micros` at which the oldest counted bucket
  // leaves the window; now_micros + kWindowMicros when the window is empty.
  int64_t NextExpiryMicros(int64_t now_micros) const;

 private:
  struct Bucket {
    int64_t second = -1;  // absolute second this bucket holds, -1 empty
    int64_t requests = 0;
    int64_t tokens = 0;
  };
  static int64_t SecondOf(int64_t micros) { return micros / kBucketMicros; }
  // Moves the window to end at `second` (> head_second_), dropping from the
  // totals the buckets that leave it.
  void AdvanceTo(int64_t second);
  // The sum of `field` over the window ending at `now_second`.
  int64_t Sum(int64_t now_second, int64_t Bucket::*field, int64_t total) const;
  bool Live(const Bucket& b, int64_t now_second) const {
    return b.second >= 0 && b.second > now_second - kBuckets && b.second <= now_second;
  }
  // Buckets holding a second in (head_second_ - kBuckets, head_second_]
  // are the window; their sums are the totals. Others are stale.
  std::array<Bucket, kBuckets> buckets_{};
  int64_t head_second_ = -1;  // -1: nothing added yet
  int64_t requests_total_ = 0;
  int64_t tokens_total_ = 0;
};

}  // namespace ukairo::router
