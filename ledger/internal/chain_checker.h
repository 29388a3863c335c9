// ChainChecker: the verdict logic of Ledger::VerifyChain, apart from I/O.
//
// Fed the stored (key seq, bytes) pairs of the log in key order, then the
// head record, it names the first bad seq:
//   - a missing seq (gap) names the missing seq;
//   - undecodable bytes, or a decoded seq that differs from its key, or a
//     time earlier than its predecessor's, name that event;
//   - a broken hash link k -> k+1 (k+1's prev_hash != SHA-256(bytes of k))
//     is resolved by looking one link further: if k+1's own bytes also fail
//     the next link (or the head), k+1 was altered (its prev_hash field is
//     what broke the first link); otherwise k's bytes were altered. Exact for
//     a single altered event, which is what an audit must pin down.
//
// Thread safety: none; one checker per walk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/ledger.h"
#include "ledger/store_format.h"

namespace ukairo::ledger::internal {

class ChainChecker {
 public:
  // Returns false once a verdict is reached: stop feeding.
  bool Add(uint64_t key_seq, std::string_view bytes);
  // Call after the last Add (or when Add returned false).
  ChainReport Finish(const std::optional<format::HeadRecord>& head);

 private:
  void Blame(uint64_t seq, std::string problem);

  uint64_t expected_seq_ = 1;
  uint64_t events_checked_ = 0;
  Sha256 prev_bytes_hash_{};       // SHA-256 of the last accepted event's bytes
  int64_t prev_time_micros_ = INT64_MIN;
  std::optional<uint64_t> suspect_;  // link suspect_ -> suspect_+1 failed
  std::optional<uint64_t> bad_seq_;
  std::string problem_;
};

}  // namespace ukairo::ledger::internal
