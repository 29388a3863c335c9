// A 60-second sliding window of requests and tokens for one deployment, kept
// in 60 one-second buckets so that its memory is fixed (R-2203: a
// deployment's own rpm/tpm limits).
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
  // window are ignored (they no longer count).
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
  bool Live(const Bucket& b, int64_t now_second) const {
    return b.second >= 0 && b.second > now_second - kBuckets && b.second <= now_second;
  }
  std::array<Bucket, kBuckets> buckets_{};
};

}  // namespace ukairo::router
