// The RocksDB ledger: Ledger::Open and the one implementation behind it.
//
// Appends are serialized with LevelDB's leader/follower group commit
// (DBImpl::Write): each Append queues a Writer; the writer at the front
// becomes the leader, takes the queued writers (up to
// append_batch_events_max events), assigns seqs, time-checks, chains the
// hashes and writes ONE WriteBatch holding every event, its index entries
// and the new head record, then wakes the writers it served. Only the leader
// touches head_, and leadership passes under mu_, so seq assignment, the
// chain and the head stay in lock step without holding mu_ during I/O.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "base/check.h"
#include "ledger/event_codec.h"
#include "ledger/internal/chain_checker.h"
#include "ledger/internal/log_iterator.h"
#include "ledger/internal/rocksdb_options.h"
#include "ledger/ledger.h"
#include "ledger/sha256.h"
#include "ledger/store_format.h"

namespace ukairo::ledger {
namespace {

using internal::FromRocks;

constexpr size_t kAppendBatchEventsMaxLimit = 1 << 20;
constexpr int64_t kGroupCommitWindowMicrosMax = 1'000'000;
constexpr size_t kRequestEventsMax = 1 << 16;  // bound on one ReadRequest
constexpr uint64_t kVerifyProgressEvery = 1 << 16;

struct Writer {
  explicit Writer(std::vector<Event>* events) : events(events) {}
  std::vector<Event>* events;  // owned by the waiting Append call
  Status status;
  uint64_t first_seq = 0;
  bool done = false;
  std::condition_variable cv;
};

class RocksLedger final : public Ledger {
 public:
  explicit RocksLedger(const LedgerOptions& options) : options_(options) {}
  ~RocksLedger() override;

  Status OpenDb(const std::string& dir);
  Status Recover();

  Result<uint64_t> Append(std::vector<Event> events) override;
  uint64_t LastSeq() const override { return last_seq_.load(std::memory_order_acquire); }
  int64_t LastTimeMicros() const override {
    return last_time_micros_.load(std::memory_order_acquire);
  }
  std::unique_ptr<EventIterator> Scan(const ScanOptions& options) override;
  Result<std::vector<Event>> ReadRequest(const std::string& request_id) override;
  Result<Event> Get(uint64_t seq) override;
  Result<ChainReport> VerifyChain() override { return VerifyChain(nullptr); }
  Result<ChainReport> VerifyChain(const VerifyProgress& progress) override;
  Status PutSnapshot(uint64_t seq, std::string_view bytes) override;
  Result<std::pair<uint64_t, std::string>> LatestSnapshot(uint64_t seq_max) override;
  Result<LedgerStats> Stats() override;

 private:
  rocksdb::ColumnFamilyHandle* cf(size_t index) const { return handles_[index]; }
  rocksdb::WriteOptions WriteOpts() const {
    rocksdb::WriteOptions w;
    w.sync = options_.durability == Durability::kFsync;
    w.disableWAL = false;  // never: the WAL is what makes an ack durable
    return w;
  }
  // Leader only, without mu_: builds and writes one batch for `group`.
  Status WriteGroup(const std::vector<Writer*>& group);
  // Leader only: checks one writer's events against the running head.
  Status CheckEvents(const std::vector<Event>& events, int64_t last_time_micros) const;

  const LedgerOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  std::mutex mu_;
  std::deque<Writer*> writers_;           // GUARDED_BY(mu_)
  size_t queued_events_ = 0;              // GUARDED_BY(mu_)
  std::condition_variable window_cv_;     // a leader waiting for more writers
  Status write_error_;                    // GUARDED_BY(mu_); sticky

  format::HeadRecord head_;               // leader only (see the top comment)
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<int64_t> last_time_micros_{0};
};

RocksLedger::~RocksLedger() {
  UKAIRO_CHECK(writers_.empty());
  if (db_ == nullptr) return;
  if (!options_.read_only) {
    // Turn the WAL into SST files on a clean close, so the next open (often a
    // read-only audit) reads tables instead of replaying a long WAL. The WAL
    // already holds every acknowledged event; this only saves time.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    rocksdb::Status flushed = db_->Flush(flush, handles_);
    (void)flushed;  // a failed flush loses nothing: the WAL is replayed on open
  }
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    rocksdb::Status s = db_->DestroyColumnFamilyHandle(h);
    UKAIRO_CHECK(s.ok());
    (void)s;
  }
  rocksdb::Status s = db_->Close();
  (void)s;  // nothing to do about a failed close in a destructor
}

Status RocksLedger::OpenDb(const std::string& dir) {
  internal::RocksDbLayout layout =
      internal::MakeRocksDbLayout(options_.create_if_missing && !options_.read_only);
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  if (options_.read_only) {
    s = rocksdb::DB::OpenForReadOnly(layout.db, dir, layout.families, &handles_, &db);
  } else {
    s = rocksdb::DB::Open(layout.db, dir, layout.families, &handles_, &db);
  }
  if (!s.ok()) return FromRocks(s);
  db_.reset(db);
  UKAIRO_CHECK(handles_.size() == internal::kCfCount);
  return Status::Ok();
}

// Loads the head and cross-checks it with the last log entry. A read-only
// open tolerates a mismatch so that VerifyChain can name the bad seq.
Status RocksLedger::Recover() {
  std::string head_bytes;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(internal::kMetaCfIndex), format::kHeadKey, &head_bytes);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s);
  std::optional<format::HeadRecord> head;
  std::string problem;
  if (s.ok()) {
    head = format::DecodeHead(head_bytes);
    if (!head) problem = "malformed head record";
  }
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(internal::kLogCfIndex)));
  it->SeekToLast();
  UKAIRO_RETURN_IF_ERROR(FromRocks(it->status()));
  if (problem.empty() && !head && it->Valid()) problem = "log has events but no head record";
  if (problem.empty() && head) {
    std::optional<uint64_t> last_key =
        it->Valid() ? format::ParseSeqKey(it->key().ToStringView()) : std::optional<uint64_t>(0);
    if (last_key != head->last_seq) {
      problem = "head says last seq " + std::to_string(head->last_seq) + ", log ends at " +
                (last_key ? std::to_string(*last_key) : std::string("a malformed key"));
    } else if (it->Valid()) {
      std::string_view bytes = it->value().ToStringView();
      Result<EventHeader> header = DecodeEventHeader(bytes, head->last_seq);
      if (Sha256Of(bytes) != head->last_hash) {
        problem = "last event's bytes do not match the head record's hash";
      } else if (!header.ok()) {
        problem = header.status().message();
      } else if (header->time_micros != head->last_time_micros) {
        problem = "last event's time differs from the head record's";
      }
    }
  }
  if (!problem.empty() && !options_.read_only) {
    return Status::Corruption("ledger head: " + problem + " (run `ukairo ledger verify`)");
  }
  if (head) head_ = *head;
  last_seq_.store(head_.last_seq, std::memory_order_release);
  last_time_micros_.store(head_.last_time_micros, std::memory_order_release);
  return Status::Ok();
}

Status RocksLedger::CheckEvents(const std::vector<Event>& events, int64_t last_time_micros) const {
  int64_t time = last_time_micros;
  for (const Event& e : events) {
    if (e.time_micros < time) {
      return Status::InvalidArgument("event time " + std::to_string(e.time_micros) +
                                     " is before the last stored time " + std::to_string(time));
    }
    time = e.time_micros;
    const std::string& request_id = RequestIdOf(e.body);
    if (request_id.find(format::kRequestIdTerminator) != std::string::npos) {
      return Status::InvalidArgument("request_id contains a NUL byte");
    }
  }
  return Status::Ok();
}

Status RocksLedger::WriteGroup(const std::vector<Writer*>& group) {
  format::HeadRecord head = head_;
  rocksdb::WriteBatch batch;
  std::string bytes;
  std::string index_key;
  char log_key[format::kSeqKeyBytes];
  for (Writer* w : group) {
    w->status = CheckEvents(*w->events, head.last_time_micros);
    if (!w->status.ok()) continue;  // all or none per Append call
    w->first_seq = head.last_seq + 1;
    for (Event& e : *w->events) {
      e.seq = ++head.last_seq;
      e.prev_hash = head.last_hash;
      bytes.clear();
      EncodeEvent(e, &bytes);
      head.last_hash = Sha256Of(bytes);
      head.last_time_micros = e.time_micros;
      format::PutBigEndian64(e.seq, log_key);
      batch.Put(cf(internal::kLogCfIndex), rocksdb::Slice(log_key, sizeof(log_key)), bytes);
      const std::string& request_id = RequestIdOf(e.body);
      if (!request_id.empty()) {
        format::AssignRequestKey(request_id, e.seq, &index_key);
        batch.Put(cf(internal::kByRequestCfIndex), index_key, rocksdb::Slice());
      }
    }
  }
  if (head.last_seq == head_.last_seq) return Status::Ok();  // every writer was rejected
  batch.Put(cf(internal::kMetaCfIndex), format::kHeadKey, format::EncodeHead(head));
  Status s = FromRocks(db_->Write(WriteOpts(), &batch));
  if (!s.ok()) return s;
  UKAIRO_CHECK(head.last_seq > head_.last_seq);
  head_ = head;
  last_time_micros_.store(head.last_time_micros, std::memory_order_release);
  last_seq_.store(head.last_seq, std::memory_order_release);
  return Status::Ok();
}

Result<uint64_t> RocksLedger::Append(std::vector<Event> events) {
  if (options_.read_only) return Status::FailedPrecondition("ledger is open read-only");
  if (events.empty()) return Status::InvalidArgument("Append of no events");
  if (events.size() > options_.append_batch_events_max) {
    return Status::InvalidArgument("Append of " + std::to_string(events.size()) +
                                   " events exceeds append_batch_events_max");
  }
  Writer self(&events);
  std::unique_lock<std::mutex> lock(mu_);
  writers_.push_back(&self);
  queued_events_ += events.size();
  if (writers_.size() > 1) window_cv_.notify_one();
  while (!self.done && &self != writers_.front()) self.cv.wait(lock);
  if (self.done) {
    if (!self.status.ok()) return self.status;
    return self.first_seq;
  }
  // Leader. With fsync, waiting a little lets concurrent appends share it.
  if (options_.durability == Durability::kFsync && options_.group_commit_window_micros > 0) {
    window_cv_.wait_for(lock, std::chrono::microseconds(options_.group_commit_window_micros),
                        [&] { return queued_events_ >= options_.append_batch_events_max; });
  }
  std::vector<Writer*> group;
  size_t group_events = 0;
  for (Writer* w : writers_) {
    if (!group.empty() && group_events + w->events->size() > options_.append_batch_events_max) {
      break;
    }
    group.push_back(w);
    group_events += w->events->size();
  }
  UKAIRO_CHECK(group.front() == &self);
  Status write_status = write_error_;
  if (write_status.ok()) {
    lock.unlock();
    write_status = WriteGroup(group);
    lock.lock();
    // A failed write leaves the WAL state unknown: refuse further appends
    // until the ledger is reopened and its head re-read.
    if (!write_status.ok()) write_error_ = write_status;
  }
  for (Writer* w : group) {
    UKAIRO_CHECK(writers_.front() == w);
    writers_.pop_front();
    queued_events_ -= w->events->size();
    if (!write_status.ok() && w->status.ok()) w->status = write_status;
    if (w != &self) {
      w->done = true;
      w->cv.notify_one();
    }
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  if (!self.status.ok()) return self.status;
  return self.first_seq;
}

std::unique_ptr<EventIterator> RocksLedger::Scan(const ScanOptions& options) {
  return std::make_unique<internal::LogIterator>(db_.get(), cf(internal::kLogCfIndex), options,
                                                 LastSeq());
}

Result<Event> RocksLedger::Get(uint64_t seq) {
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(internal::kLogCfIndex), format::SeqKey(seq), &value);
  if (s.IsNotFound()) return Status::NotFound("no event with seq " + std::to_string(seq));
  UKAIRO_RETURN_IF_ERROR(FromRocks(s));
  UKAIRO_ASSIGN_OR_RETURN(Event event, DecodeEvent(value.ToStringView(), seq));
  if (event.seq != seq) {
    return Status::Corruption("log key " + std::to_string(seq) + " holds event seq " +
                              std::to_string(event.seq));
  }
  return event;
}

Result<std::vector<Event>> RocksLedger::ReadRequest(const std::string& request_id) {
  if (request_id.empty() || request_id.find('\0') != std::string::npos) {
    return Status::InvalidArgument("request_id must be non-empty and without NUL");
  }
  // No explicit snapshot: an index entry and its event land in one batch
  // and the log is never rewritten, so any event the index names exists.
  rocksdb::ReadOptions read;
  read.prefix_same_as_start = true;
  const std::string prefix = format::RequestPrefix(request_id);
  std::vector<std::string> keys;
  Status status;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read, cf(internal::kByRequestCfIndex)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      std::optional<uint64_t> seq = format::ParseRequestKeySeq(it->key().ToStringView());
      if (!seq || it->key().size() != prefix.size() + format::kSeqKeyBytes) {
        status = Status::Corruption("malformed request index key for " + request_id);
        break;
      }
      if (keys.size() >= kRequestEventsMax) {
        status = Status::Unavailable("request " + request_id + " has too many events");
        break;
      }
      keys.push_back(format::SeqKey(*seq));
    }
    if (status.ok()) status = FromRocks(it->status());
  }
  std::vector<Event> events;
  if (status.ok() && !keys.empty()) {
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(read, cf(internal::kLogCfIndex), keys.size(), slices.data(), values.data(),
                  statuses.data(), /*sorted_input=*/true);
    events.reserve(keys.size());
    for (size_t i = 0; i < keys.size() && status.ok(); ++i) {
      const uint64_t seq = *format::ParseSeqKey(keys[i]);
      if (statuses[i].IsNotFound()) {
        status = Status::Corruption("request index names seq " + std::to_string(seq) +
                                    ", missing from the log");
        break;
      }
      status = FromRocks(statuses[i]);
      if (!status.ok()) break;
      Result<Event> event = DecodeEvent(values[i].ToStringView(), seq);
      if (!event.ok()) {
        status = event.status();
      } else if (event->seq != seq || RequestIdOf(event->body) != request_id) {
        status = Status::Corruption("request index entry for seq " + std::to_string(seq) +
                                    " does not match the event");
      } else {
        events.push_back(std::move(event).value());
      }
    }
  }
  if (!status.ok()) return status;
  return events;
}

Result<ChainReport> RocksLedger::VerifyChain(const VerifyProgress& progress) {
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.fill_cache = false;
  read.readahead_size = 4 << 20;
  std::optional<format::HeadRecord> head;
  std::string head_bytes;
  rocksdb::Status s = db_->Get(read, cf(internal::kMetaCfIndex), format::kHeadKey, &head_bytes);
  Status status = s.IsNotFound() ? Status::Ok() : FromRocks(s);
  if (s.ok()) head = format::DecodeHead(head_bytes);
  const uint64_t last_seq = head ? head->last_seq : 0;
  internal::ChainChecker checker;
  if (status.ok()) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, cf(internal::kLogCfIndex)));
    uint64_t walked = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::optional<uint64_t> seq = format::ParseSeqKey(it->key().ToStringView());
      // A malformed key sorts somewhere; treat it as a gap at this point.
      if (!checker.Add(seq ? *seq : 0, it->value().ToStringView())) break;  // verdict
      if (progress && ++walked % kVerifyProgressEvery == 0) progress(walked, last_seq);
    }
    status = FromRocks(it->status());
  }
  db_->ReleaseSnapshot(snapshot);
  UKAIRO_RETURN_IF_ERROR(status);
  ChainReport report = checker.Finish(head);
  if (progress) progress(report.events_checked, last_seq);
  return report;
}

Status RocksLedger::PutSnapshot(uint64_t seq, std::string_view bytes) {
  if (options_.read_only) return Status::FailedPrecondition("ledger is open read-only");
  if (seq == 0 || seq > LastSeq()) {
    return Status::InvalidArgument("snapshot seq " + std::to_string(seq) +
                                   " is not a stored event");
  }
  return FromRocks(db_->Put(WriteOpts(), cf(internal::kSnapshotsCfIndex), format::SeqKey(seq),
                            rocksdb::Slice(bytes.data(), bytes.size())));
}

Result<std::pair<uint64_t, std::string>> RocksLedger::LatestSnapshot(uint64_t seq_max) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(internal::kSnapshotsCfIndex)));
  it->SeekForPrev(format::SeqKey(seq_max));
  UKAIRO_RETURN_IF_ERROR(FromRocks(it->status()));
  if (!it->Valid()) return Status::NotFound("no snapshot at or before " + std::to_string(seq_max));
  std::optional<uint64_t> seq = format::ParseSeqKey(it->key().ToStringView());
  if (!seq) return Status::Corruption("malformed snapshot key");
  return std::make_pair(*seq, it->value().ToString());
}

Result<LedgerStats> RocksLedger::Stats() {
  LedgerStats stats;
  stats.last_seq = LastSeq();
  stats.events = stats.last_seq;  // gap-free from 1
  stats.time_last_micros = LastTimeMicros();
  if (stats.last_seq > 0) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cf(internal::kLogCfIndex), format::SeqKey(1), &value);
    UKAIRO_RETURN_IF_ERROR(FromRocks(s));
    UKAIRO_ASSIGN_OR_RETURN(EventHeader first, DecodeEventHeader(value.ToStringView(), 1));
    stats.time_first_micros = first.time_micros;
  }
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    uint64_t sst = 0, mem = 0;
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kTotalSstFilesSize, &sst)) {
      stats.size_bytes += sst;
    }
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kCurSizeAllMemTables, &mem)) {
      stats.size_bytes += mem;
    }
  }
  return stats;
}

}  // namespace

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& dir,
                                             const LedgerOptions& options) {
  if (options.append_batch_events_max == 0 ||
      options.append_batch_events_max > kAppendBatchEventsMaxLimit) {
    return Status::InvalidArgument("append_batch_events_max must be in [1, 2^20]");
  }
  if (options.group_commit_window_micros < 0 ||
      options.group_commit_window_micros > kGroupCommitWindowMicrosMax) {
    return Status::InvalidArgument("group_commit_window_micros must be in [0, 1e6]");
  }
  auto ledger = std::make_unique<RocksLedger>(options);
  UKAIRO_RETURN_IF_ERROR(ledger->OpenDb(dir));
  UKAIRO_RETURN_IF_ERROR(ledger->Recover());
  return std::unique_ptr<Ledger>(std::move(ledger));
}

}  // namespace ukairo::ledger
