#include "ledger/internal/chain_checker.h"

#include "base/check.h"
#include "ledger/event_codec.h"
#include "ledger/sha256.h"

namespace ukairo::ledger::internal {

void ChainChecker::Blame(uint64_t seq, std::string problem) {
  UKAIRO_CHECK(!bad_seq_.has_value());
  bad_seq_ = seq;
  problem_ = std::move(problem);
}

bool ChainChecker::Add(uint64_t key_seq, std::string_view bytes) {
  UKAIRO_CHECK(!bad_seq_.has_value());
  if (key_seq != expected_seq_) {
    if (suspect_) {
      Blame(*suspect_, "stored bytes do not match the hash recorded by its successor");
    } else {
      Blame(expected_seq_, "missing: next stored seq is " + std::to_string(key_seq));
    }
    return false;
  }
  Result<Event> event = DecodeEvent(bytes, key_seq);
  if (!event.ok()) {
    Blame(key_seq, event.status().message());
    return false;
  }
  if (event->seq != key_seq) {
    Blame(key_seq, "stored under key " + std::to_string(key_seq) + " but says seq " +
                       std::to_string(event->seq));
    return false;
  }
  const bool link_ok = event->prev_hash == prev_bytes_hash_;
  if (suspect_) {
    // Second link decides who was altered (see the header).
    if (link_ok) {
      Blame(*suspect_, "stored bytes do not match the hash recorded by seq " +
                           std::to_string(*suspect_ + 1));
    } else {
      Blame(*suspect_ + 1, "stored bytes do not match the hash recorded by seq " +
                               std::to_string(key_seq));
    }
    return false;
  }
  if (!link_ok) {
    if (key_seq == 1) {
      Blame(1, "first event's prev_hash is not zero");
      return false;
    }
    // The predecessor may be the altered one (e.g. its time raised), so its
    // time proves nothing until the next link decides.
    suspect_ = key_seq - 1;
  } else if (event->time_micros < prev_time_micros_) {
    Blame(key_seq, "time goes backwards: " + std::to_string(event->time_micros) + " < " +
                       std::to_string(prev_time_micros_));
    return false;
  }
  prev_time_micros_ = event->time_micros;
  prev_bytes_hash_ = Sha256Of(bytes);
  ++events_checked_;
  ++expected_seq_;
  return true;
}

ChainReport ChainChecker::Finish(const std::optional<format::HeadRecord>& head) {
  const uint64_t last_seq = expected_seq_ - 1;
  if (!bad_seq_) {
    if (!head) {
      if (last_seq > 0 || suspect_) Blame(last_seq, "head record missing or malformed");
    } else if (head->last_seq > last_seq) {
      Blame(suspect_ ? *suspect_ : last_seq + 1,
            "missing: head says the last seq is " + std::to_string(head->last_seq));
    } else if (head->last_seq < last_seq) {
      Blame(head->last_seq + 1, "beyond the head record's last seq " +
                                    std::to_string(head->last_seq));
    } else {
      const bool link_ok = last_seq == 0 || head->last_hash == prev_bytes_hash_;
      if (suspect_) {
        Blame(link_ok ? *suspect_ : last_seq,
              "stored bytes do not match the hash recorded by " +
                  std::string(link_ok ? "its successor" : "the head record"));
      } else if (!link_ok) {
        Blame(last_seq, "stored bytes do not match the hash in the head record");
      } else if (last_seq > 0 && head->last_time_micros != prev_time_micros_) {
        Blame(last_seq, "time differs from the head record's");
      }
    }
  }
  ChainReport report;
  report.events_checked = events_checked_;
  report.first_bad_seq = bad_seq_;
  report.problem = problem_;
  return report;
}

}  // namespace ukairo::ledger::internal
