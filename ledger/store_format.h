// The RocksDB layout of a ledger directory: column families, keys, values.
// Reader and writer share these constants and helpers; nothing else in the
// tree may hard-code a key format.
//
// Column family "log" (the truth):
//   key   = u64 big-endian seq (8 bytes), so byte order = seq order
//   value = the event's Cap'n Proto flat array (event_codec.h), exactly the
//           bytes that the successor's prevHash (and the head) hash
//
// Column family "by_request" (index, rebuildable from the log):
//   key   = request_id bytes + '\0' + u64 big-endian seq
//   value = empty
//   Request ids must not contain '\0' (Append rejects them), so the prefix
//   up to and including '\0' names exactly one request; a prefix bloom
//   filter on it answers "no such request" without reading data blocks.
//
// Column family "snapshots":
//   key   = u64 big-endian seq the snapshot includes up to
//   value = opaque snapshot bytes (projection.h / snapshot.capnp)
//
// Column family "meta":
//   key "head" (written in the same WriteBatch as every append):
//     u8   format version (kHeadVersion)
//     u64  big-endian last seq
//     32   SHA-256 of the last event's stored bytes
//     i64  big-endian last event time, micros (two's complement)
//   An empty ledger has no head record.
//
// On open the head must agree with the last log key and the last event's
// bytes and time; otherwise the ledger is corrupt (read-only opens still
// succeed so that `ukairo ledger verify` can name the bad seq).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/event.h"

namespace ukairo::ledger::format {

inline constexpr char kLogCf[] = "log";
inline constexpr char kByRequestCf[] = "by_request";
inline constexpr char kSnapshotsCf[] = "snapshots";
inline constexpr char kMetaCf[] = "meta";
inline constexpr char kHeadKey[] = "head";

inline constexpr size_t kSeqKeyBytes = 8;
inline constexpr char kRequestIdTerminator = '\0';
inline constexpr uint8_t kHeadVersion = 1;
inline constexpr size_t kHeadBytes = 1 + 8 + sizeof(Sha256) + 8;
static_assert(kHeadBytes == 49);

inline void PutBigEndian64(uint64_t v, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}
inline uint64_t GetBigEndian64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

inline std::string SeqKey(uint64_t seq) {
  std::string key(kSeqKeyBytes, '\0');
  PutBigEndian64(seq, key.data());
  return key;
}
// Returns nullopt when `key` is not a seq key (wrong length).
inline std::optional<uint64_t> ParseSeqKey(std::string_view key) {
  if (key.size() != kSeqKeyBytes) return std::nullopt;
  return GetBigEndian64(key.data());
}

// The by_request key prefix for one request: request_id + '\0'.
inline std::string RequestPrefix(std::string_view request_id) {
  std::string prefix(request_id);
  prefix.push_back(kRequestIdTerminator);
  return prefix;
}
// Sets *key to the by_request key, reusing its buffer.
inline void AssignRequestKey(std::string_view request_id, uint64_t seq, std::string* key) {
  key->assign(request_id);
  key->push_back(kRequestIdTerminator);
  key->resize(key->size() + kSeqKeyBytes);
  PutBigEndian64(seq, key->data() + key->size() - kSeqKeyBytes);
}
inline std::string RequestKey(std::string_view request_id, uint64_t seq) {
  std::string key;
  AssignRequestKey(request_id, seq, &key);
  return key;
}
// The seq at the end of a by_request key; nullopt when malformed.
inline std::optional<uint64_t> ParseRequestKeySeq(std::string_view key) {
  if (key.size() < kSeqKeyBytes + 1) return std::nullopt;
  if (key[key.size() - kSeqKeyBytes - 1] != kRequestIdTerminator) return std::nullopt;
  return GetBigEndian64(key.data() + key.size() - kSeqKeyBytes);
}

struct HeadRecord {
  uint64_t last_seq = 0;
  Sha256 last_hash{};
  int64_t last_time_micros = 0;
};

inline std::string EncodeHead(const HeadRecord& head) {
  std::string out(kHeadBytes, '\0');
  out[0] = static_cast<char>(kHeadVersion);
  PutBigEndian64(head.last_seq, out.data() + 1);
  std::memcpy(out.data() + 9, head.last_hash.data(), sizeof(Sha256));
  PutBigEndian64(static_cast<uint64_t>(head.last_time_micros), out.data() + 9 + sizeof(Sha256));
  return out;
}
// Returns nullopt for a malformed or unknown-version record.
inline std::optional<HeadRecord> DecodeHead(std::string_view bytes) {
  if (bytes.size() != kHeadBytes) return std::nullopt;
  if (static_cast<uint8_t>(bytes[0]) != kHeadVersion) return std::nullopt;
  HeadRecord head;
  head.last_seq = GetBigEndian64(bytes.data() + 1);
  std::memcpy(head.last_hash.data(), bytes.data() + 9, sizeof(Sha256));
  head.last_time_micros = static_cast<int64_t>(GetBigEndian64(bytes.data() + 9 + sizeof(Sha256)));
  return head;
}

}  // namespace ukairo::ledger::format
