// Event <-> stored bytes (one Cap'n Proto message per event).
//
// Byte layout: the standard Cap'n Proto flat-array serialization
// (capnp::messageToFlatArray) of one ukairo.ledger.schema.Event, unpacked and
// always a single segment:
//
//   u32 LE segment_count - 1 (= 0)
//   u32 LE segment_0_size_words
//   segment_0 (segment_0_size_words * 8 bytes; root pointer first)
//
// So stored bytes are a multiple of 8 long and hash the same on every
// platform. The hash chain (store_format.h) is over exactly these bytes, so
// the encoder must never change the bytes of an already-stored event: the
// ledger stores what EncodeEvent produced once and never re-encodes.
//
// Thread safety: free functions without shared state (scratch is per thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/event.h"
#include "base/status.h"

namespace ukairo::ledger {

// Appends the stored form of `event` (with its seq, time and prev_hash) to
// *out. Never fails: every Event value is encodable.
void EncodeEvent(const Event& event, std::string* out);
std::string EncodeEvent(const Event& event);

// Parses stored bytes. Any malformed input (truncated, misaligned size, bad
// pointers, out-of-range enum, unknown union member, prev_hash not 32 bytes,
// trailing bytes) gives Corruption naming `seq_for_errors`; never crashes.
Result<Event> DecodeEvent(std::string_view bytes, uint64_t seq_for_errors);
// DecodeEvent into an existing Event, reusing its strings' capacity when
// the body type repeats (the replay path decodes millions of events). On
// error *event holds an unspecified mix and must not be used.
Status DecodeEventInto(std::string_view bytes, uint64_t seq_for_errors, Event* event);

// Seq, time and kind only, without building the whole Event (the time-range
// binary search and kind filters read just these). Same errors as
// DecodeEvent for bad framing and unknown kinds.
struct EventHeader {
  uint64_t seq = 0;
  int64_t time_micros = 0;
  size_t kind_index = 0;  // EventBody::index() of the body
};
Result<EventHeader> DecodeEventHeader(std::string_view bytes, uint64_t seq_for_errors);

// The request id of a request-scoped event, or "" for global events
// (budget, health, config, notification events). Drives the request index.
const std::string& RequestIdOf(const EventBody& body);

}  // namespace ukairo::ledger
