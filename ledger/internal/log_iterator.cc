#include "ledger/internal/log_iterator.h"

#include <algorithm>

#include "base/check.h"
#include "ledger/event_codec.h"
#include "ledger/internal/scan_filter.h"
#include "ledger/store_format.h"

namespace ukairo::ledger::internal {

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(s.ToString());
  if (s.IsCorruption()) return Status::Corruption(s.ToString());
  if (s.IsInvalidArgument()) return Status::InvalidArgument(s.ToString());
  if (s.IsBusy() || s.IsTryAgain() || s.IsIncomplete()) return Status::Unavailable(s.ToString());
  return Status::IOError(s.ToString());
}

LogIterator::LogIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, ScanOptions options,
                         uint64_t last_seq)
    : db_(db), log_(log), options_(std::move(options)), last_seq_(last_seq),
      snapshot_(db->GetSnapshot()) {
  UKAIRO_CHECK(db_ != nullptr && log_ != nullptr);
  if (options_.kind) kind_index_ = KindIndex(*options_.kind);
}

LogIterator::~LogIterator() {
  it_.reset();
  db_->ReleaseSnapshot(snapshot_);
}

Result<uint64_t> LogIterator::FirstSeqAtOrAfter(int64_t time_micros, uint64_t lo) {
  uint64_t hi = last_seq_ + 1;  // answer in [lo, hi]
  rocksdb::ReadOptions read;
  read.snapshot = snapshot_;
  rocksdb::PinnableSlice value;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    value.Reset();
    rocksdb::Status s = db_->Get(read, log_, format::SeqKey(mid), &value);
    if (!s.ok()) {
      if (s.IsNotFound()) return Status::Corruption("seq " + std::to_string(mid) + " missing");
      return FromRocks(s);
    }
    UKAIRO_ASSIGN_OR_RETURN(EventHeader header, DecodeEventHeader(value.ToStringView(), mid));
    if (header.time_micros >= time_micros) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

void LogIterator::SeekToFirst() {
  valid_ = false;
  status_ = Status::Ok();
  it_.reset();
  if (options_.raw_only && (options_.kind || options_.time_min_micros ||
                            options_.time_max_micros || HasFieldFilter(options_))) {
    status_ = Status::InvalidArgument("a raw_only scan cannot filter");
    return;
  }
  if (options_.kind && !kind_index_) {
    status_ = Status::InvalidArgument("unknown event kind '" + *options_.kind + "'");
    return;
  }
  uint64_t lo = std::max<uint64_t>(options_.seq_min, 1);
  uint64_t hi = options_.seq_max;
  if (options_.time_min_micros && lo <= last_seq_) {
    Result<uint64_t> first = FirstSeqAtOrAfter(*options_.time_min_micros, lo);
    if (!first.ok()) {
      status_ = first.status();
      return;
    }
    lo = *first;
  }
  if (options_.time_max_micros && lo <= last_seq_) {
    Result<uint64_t> end = FirstSeqAtOrAfter(*options_.time_max_micros, lo);
    if (!end.ok()) {
      status_ = end.status();
      return;
    }
    // Events after last_seq_ may still be in the snapshot; the per-event
    // time check below handles them.
    if (*end <= last_seq_) hi = std::min(hi, *end - 1);
  }
  if (lo > hi) return;
  rocksdb::ReadOptions read;
  read.snapshot = snapshot_;
  read.fill_cache = false;  // a scan should not evict the lookups' working set
  read.readahead_size = 1 << 20;
  if (hi != UINT64_MAX) {
    upper_key_ = format::SeqKey(hi + 1);
    upper_slice_ = rocksdb::Slice(upper_key_);
    read.iterate_upper_bound = &upper_slice_;
  }
  it_.reset(db_->NewIterator(read, log_));
  it_->Seek(format::SeqKey(lo));
  SkipToMatch();
}

void LogIterator::Next() {
  UKAIRO_DCHECK(valid_);
  it_->Next();
  SkipToMatch();
}

void LogIterator::SkipToMatch() {
  valid_ = false;
  for (; it_->Valid(); it_->Next()) {
    std::optional<uint64_t> seq = format::ParseSeqKey(it_->key().ToStringView());
    if (!seq) {
      status_ = Status::Corruption("log key of " + std::to_string(it_->key().size()) + " bytes");
      return;
    }
    if (kind_index_) {
      // Most events fail a kind filter: reject them from the header alone.
      Result<EventHeader> header = DecodeEventHeader(it_->value().ToStringView(), *seq);
      if (!header.ok()) {
        status_ = header.status();
        return;
      }
      if (header->seq != *seq) {
        status_ = Status::Corruption("log key " + std::to_string(*seq) + " holds event seq " +
                                     std::to_string(header->seq));
        return;
      }
      if (header->kind_index != *kind_index_) {
        if (options_.time_max_micros && header->time_micros >= *options_.time_max_micros) return;
        continue;
      }
    }
    if (options_.raw_only) {
      valid_ = true;
      return;
    }
    // Into event_ itself: its strings keep their capacity from one event
    // to the next, so a scan does not allocate per event. event_ is only
    // read while valid_.
    Status decoded = DecodeEventInto(it_->value().ToStringView(), *seq, &event_);
    if (!decoded.ok()) {
      status_ = decoded;
      return;
    }
    if (event_.seq != *seq) {
      status_ = Status::Corruption("log key " + std::to_string(*seq) + " holds event seq " +
                                   std::to_string(event_.seq));
      return;
    }
    if (options_.time_min_micros && event_.time_micros < *options_.time_min_micros) continue;
    if (options_.time_max_micros && event_.time_micros >= *options_.time_max_micros) {
      return;  // times never decrease: nothing later can match
    }
    if (HasFieldFilter(options_) && !MatchesFields(options_, event_)) continue;
    valid_ = true;
    return;
  }
  status_ = FromRocks(it_->status());
}

}  // namespace ukairo::ledger::internal
