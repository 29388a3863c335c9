// Event <-> Cap'n Proto: the framing. The layout is described in
// event_codec.h; field meaning lives in events.capnp. Bodies are encoded and
// decoded per kind by ledger/event_kinds.cc (the UKAIRO_EVENT_KINDS table).
#include "ledger/event_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "base/check.h"
#include "ledger/event_kinds.h"
#include "ledger/events.capnp.h"

namespace ukairo::ledger {
namespace {

namespace s = ::ukairo::ledger::schema;

// Scratch for the first segment: most events fit in 8 KiB, so encoding does
// not allocate for the builder. Cap'n Proto zeroes it again on destruction.
constexpr size_t kScratchWords = 1024;
// Decoding reads each field once, so a sound message is traversed in at
// most its own size; a crafted one that makes the reader visit more words
// (amplification through repeated pointers) is cut off at this multiple.
constexpr uint64_t kTraversalLimitPerWord = 2;
constexpr uint64_t kTraversalLimitSlackWords = 64;
// Misaligned input is copied into a per-thread buffer of this size (64 KiB).
constexpr size_t kAlignedScratchWordsMax = 8 * 1024;

void FillRoot(const Event& event, s::Event::Builder root) {
  root.setSeq(event.seq);
  root.setTimeMicros(event.time_micros);
  root.setPrevHash(capnp::Data::Reader(event.prev_hash.data(), event.prev_hash.size()));
  event_kinds::EncodeBody(event.body, root.initBody());
}

// Appends exactly what capnp::messageToFlatArray(segments) returns for one
// segment (the segment table, then the segment), without its temporary
// array: u32 LE segment count - 1 (0), u32 LE size in words, the words.
void AppendFlat(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments, std::string* out) {
  UKAIRO_CHECK(segments.size() == 1);
  const kj::ArrayPtr<const capnp::word> segment = segments[0];
  const uint32_t words = static_cast<uint32_t>(segment.size());
  const unsigned char table[8] = {0, 0, 0, 0,
                                  static_cast<unsigned char>(words),
                                  static_cast<unsigned char>(words >> 8),
                                  static_cast<unsigned char>(words >> 16),
                                  static_cast<unsigned char>(words >> 24)};
  const size_t start = out->size();
  out->resize(start + sizeof(table) + words * sizeof(capnp::word));
  std::memcpy(out->data() + start, table, sizeof(table));
  std::memcpy(out->data() + start + sizeof(table), segment.begin(),
              words * sizeof(capnp::word));
}

// --- decode -----------------------------------------------------------------

Status Bad(uint64_t seq, std::string_view why) {
  return Status::Corruption("event seq " + std::to_string(seq) + ": " + std::string(why));
}

// Runs `fn(root)` over a validated message; converts every Cap'n Proto
// exception into Corruption. Copies to an aligned buffer when needed, since
// RocksDB values carry no alignment guarantee.
template <typename Fn>
Status WithRoot(std::string_view bytes, uint64_t seq, Fn&& fn) {
  if (bytes.size() < 8 || bytes.size() % sizeof(capnp::word) != 0) {
    return Bad(seq, "stored size " + std::to_string(bytes.size()) + " is not a whole message");
  }
  const size_t words = bytes.size() / sizeof(capnp::word);
  // Values inside RocksDB blocks are rarely 8-aligned: copy into a per-thread
  // buffer (kept up to kAlignedScratchWordsMax, so one huge event does not
  // pin memory), uninitialized since it is overwritten at once.
  thread_local std::unique_ptr<capnp::word[]> scratch;
  thread_local size_t scratch_words = 0;
  std::unique_ptr<capnp::word[]> oversized;
  const capnp::word* begin = reinterpret_cast<const capnp::word*>(bytes.data());
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
    capnp::word* target;
    if (words > kAlignedScratchWordsMax) {
      oversized.reset(new capnp::word[words]);
      target = oversized.get();
    } else {
      if (words > scratch_words) {
        scratch.reset(new capnp::word[kAlignedScratchWordsMax]);
        scratch_words = kAlignedScratchWordsMax;
      }
      target = scratch.get();
    }
    std::memcpy(target, bytes.data(), bytes.size());
    begin = target;
  }
  kj::ArrayPtr<const capnp::word> array(begin, words);
  capnp::ReaderOptions options;
  options.traversalLimitInWords = words * kTraversalLimitPerWord + kTraversalLimitSlackWords;
  Status status;
  KJ_IF_MAYBE(e, kj::runCatchingExceptions([&]() {
                capnp::FlatArrayMessageReader reader(array, options);
                if (reader.getEnd() != array.end()) {
                  status = Bad(seq, "trailing bytes after the message");
                  return;
                }
                status = fn(reader.getRoot<s::Event>());
              })) {
    return Bad(seq, "malformed Cap'n Proto: " + std::string(e->getDescription().cStr()));
  }
  return status;
}

}  // namespace

void EncodeEvent(const Event& event, std::string* out) {
  UKAIRO_DCHECK(out != nullptr);
  thread_local std::array<capnp::word, kScratchWords> scratch{};
  capnp::MallocMessageBuilder message(kj::ArrayPtr<capnp::word>(scratch.data(), scratch.size()));
  auto root = message.initRoot<s::Event>();
  FillRoot(event, root);
  auto segments = message.getSegmentsForOutput();
  if (segments.size() == 1) {
    AppendFlat(segments, out);
    return;
  }
  // Large event (e.g. a config text): copy into one segment sized to fit.
  const size_t words = root.totalSize().wordCount + 1;  // + the root pointer
  capnp::MallocMessageBuilder exact(words, capnp::AllocationStrategy::FIXED_SIZE);
  exact.setRoot(root.asReader());
  AppendFlat(exact.getSegmentsForOutput(), out);
}

std::string EncodeEvent(const Event& event) {
  std::string out;
  EncodeEvent(event, &out);
  return out;
}

Result<Event> DecodeEvent(std::string_view bytes, uint64_t seq_for_errors) {
  Event event;
  UKAIRO_RETURN_IF_ERROR(DecodeEventInto(bytes, seq_for_errors, &event));
  return event;
}

Status DecodeEventInto(std::string_view bytes, uint64_t seq_for_errors, Event* out) {
  return WithRoot(bytes, seq_for_errors, [&](s::Event::Reader root) -> Status {
    Event& event = *out;
    event.seq = root.getSeq();
    event.time_micros = root.getTimeMicros();
    capnp::Data::Reader hash = root.getPrevHash();
    if (hash.size() != event.prev_hash.size()) {
      return Bad(seq_for_errors, "prev_hash is " + std::to_string(hash.size()) + " bytes");
    }
    std::memcpy(event.prev_hash.data(), hash.begin(), hash.size());
    event_kinds::Checker checker;
    if (!event_kinds::DecodeBody(root.getBody(), checker, &event.body)) {
      return Bad(seq_for_errors,
                 "unknown event kind " + std::to_string(uint16_t(root.getBody().which())));
    }
    if (checker.problem != nullptr) {
      return Bad(seq_for_errors, std::string("enum out of range: ") + checker.problem);
    }
    return Status::Ok();
  });
}

Result<EventHeader> DecodeEventHeader(std::string_view bytes, uint64_t seq_for_errors) {
  EventHeader header;
  Status status = WithRoot(bytes, seq_for_errors, [&](s::Event::Reader root) -> Status {
    header.seq = root.getSeq();
    header.time_micros = root.getTimeMicros();
    header.kind_index = static_cast<size_t>(root.getBody().which());
    if (header.kind_index >= std::variant_size_v<EventBody>) {
      return Bad(seq_for_errors, "unknown event kind " + std::to_string(header.kind_index));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return header;
}

const std::string& RequestIdOf(const EventBody& body) {
  static const std::string kNone;
  return std::visit(
      [](const auto& b) -> const std::string& {
        if constexpr (requires { b.request_id; }) {
          return b.request_id;
        } else {
          return kNone;
        }
      },
      body);
}

}  // namespace ukairo::ledger
