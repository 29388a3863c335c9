// The ledger: an append-only, hash-chained event log on RocksDB.
//
// Every event gets a gap-free sequence number (from 1) and the SHA-256 of the
// previous event's stored bytes. Appends are atomic per call (one WriteBatch)
// and land in sequence order, so after any crash the log is a gap-free prefix
// holding every acknowledged event. There is no update or delete API.
//
// Thread safety: a Ledger may be used from many threads. Append calls are
// grouped (leader/follower, as LevelDB's DBImpl::Write) so concurrent callers
// share one WriteBatch and one sync. Iterators are independent snapshots.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "base/status.h"

namespace ukairo::ledger {

enum class Durability : uint8_t {
  // Written to RocksDB's WAL before Append returns (no fsync): survives a
  // kill -9 of the process, not a power loss.
  kWal = 0,
  // WAL fsynced before Append returns; concurrent appends within
  // group_commit_window_micros share one fsync.
  kFsync,
};

struct LedgerOptions {
  Durability durability = Durability::kWal;
  int64_t group_commit_window_micros = 0;  // kFsync only; 0 = no waiting
  bool create_if_missing = true;
  bool read_only = false;                  // audit tools open read-only
  size_t append_batch_events_max = 65536;  // bound on one group commit
};

// What to read. Unset fields do not filter.
struct ScanOptions {
  uint64_t seq_min = 1;
  uint64_t seq_max = UINT64_MAX;              // inclusive
  std::optional<int64_t> time_min_micros;     // inclusive
  std::optional<int64_t> time_max_micros;     // exclusive
  std::optional<std::string> kind;            // KindName(), e.g. "attempt_finished"
  std::optional<std::string> deployment;      // matches deployment fields
  std::optional<std::string> model_group;
  std::optional<std::string> tag;
  std::optional<std::string> tier;
  // Only the stored bytes (raw()) are read; event() is not decoded and must
  // not be called. For a reader that decodes elsewhere (a replay decodes on
  // another thread than the one scanning). REQUIRES: no time, kind or field
  // filter (they need the decoded event).
  bool raw_only = false;
};

// Streams events in sequence order; never loads the ledger into memory.
// Usage: for (it->SeekToFirst(); it->Valid(); it->Next()) use(it->event());
//        then check it->status().
class EventIterator {
 public:
  virtual ~EventIterator() = default;
  virtual void SeekToFirst() = 0;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual const Event& event() const = 0;
  // The stored bytes of the current event. REQUIRES: Valid()
  virtual std::string_view raw() const = 0;
  // Not OK if reading or decoding failed; iteration then stops.
  virtual Status status() const = 0;
};

struct ChainReport {
  uint64_t events_checked = 0;
  std::optional<uint64_t> first_bad_seq;  // set when verification failed
  std::string problem;                    // what is wrong at first_bad_seq
};

struct LedgerStats {
  uint64_t events = 0;
  uint64_t last_seq = 0;
  int64_t time_first_micros = 0;
  int64_t time_last_micros = 0;
  uint64_t size_bytes = 0;  // live SST + memtable estimate
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  static Result<std::unique_ptr<Ledger>> Open(const std::string& dir,
                                              const LedgerOptions& options);

  // Appends `events` (their seq and prev_hash are assigned here) atomically:
  // all or none. Returns the seq of the first. Times must not decrease along
  // the log: an event older than the last stored one is rejected
  // (InvalidArgument) so that time-range reads can binary-search the log.
  // On return with OK the events are durable per options.durability.
  virtual Result<uint64_t> Append(std::vector<Event> events) = 0;
  Result<uint64_t> Append(Event event) {
    std::vector<Event> one;
    one.push_back(std::move(event));
    return Append(std::move(one));
  }

  // Highest stored seq (0 when empty) and its hash.
  virtual uint64_t LastSeq() const = 0;
  virtual int64_t LastTimeMicros() const = 0;

  virtual std::unique_ptr<EventIterator> Scan(const ScanOptions& options) = 0;
  // Every event of one request, in order (through the request-id index).
  virtual Result<std::vector<Event>> ReadRequest(const std::string& request_id) = 0;
  virtual Result<Event> Get(uint64_t seq) = 0;

  // Walks the whole chain; reports the first event whose stored bytes do not
  // match the hash its successor (or the head record) holds, or whose seq is
  // out of place. Status is not OK only for I/O failures.
  virtual Result<ChainReport> VerifyChain() = 0;
  // Same, calling `progress(events_checked, last_seq)` every so often (for a
  // CLI progress line on long walks). The default ignores `progress`.
  using VerifyProgress = std::function<void(uint64_t events_checked, uint64_t last_seq)>;
  virtual Result<ChainReport> VerifyChain(const VerifyProgress& progress) {
    (void)progress;
    return VerifyChain();
  }

  // Snapshots of a projection, keyed by the seq they include up to.
  virtual Status PutSnapshot(uint64_t seq, std::string_view bytes) = 0;
  // The newest snapshot with seq <= seq_max, or NotFound.
  virtual Result<std::pair<uint64_t, std::string>> LatestSnapshot(
      uint64_t seq_max = UINT64_MAX) = 0;

  virtual Result<LedgerStats> Stats() = 0;
};

}  // namespace ukairo::ledger
