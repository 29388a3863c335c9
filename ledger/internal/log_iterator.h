// LogIterator: Ledger::Scan over the "log" column family.
//
// Seq bounds become RocksDB key bounds; time bounds are turned into seq
// bounds by binary search with point reads (times never decrease along the
// log), then re-checked per event. Field filters (scan_filter.h) are applied
// per event. Reads one RocksDB snapshot taken at creation.
//
// Thread safety: one thread at a time. REQUIRES: the DB outlives it.
#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <string>

#include "base/check.h"
#include "ledger/ledger.h"

namespace ukairo::ledger::internal {

class LogIterator final : public EventIterator {
 public:
  // `last_seq` is the highest seq known committed when Scan was called; it
  // bounds the time binary search.
  LogIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, ScanOptions options,
              uint64_t last_seq);
  ~LogIterator() override;

  void SeekToFirst() override;
  bool Valid() const override { return valid_; }
  void Next() override;
  const Event& event() const override {
    UKAIRO_DCHECK(valid_);
    return event_;
  }
  std::string_view raw() const override {
    UKAIRO_DCHECK(valid_);
    return std::string_view(it_->value().data(), it_->value().size());
  }
  Status status() const override { return status_; }

 private:
  // First seq in [lo, last_seq_] whose time >= t, or last_seq_ + 1.
  Result<uint64_t> FirstSeqAtOrAfter(int64_t time_micros, uint64_t lo);
  void SkipToMatch();

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* log_;
  const ScanOptions options_;
  const uint64_t last_seq_;
  std::optional<size_t> kind_index_;  // set when options_.kind names a kind
  const rocksdb::Snapshot* snapshot_;
  std::string upper_key_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
  Event event_;
  bool valid_ = false;
  Status status_;
};

// RocksDB status -> ukairo Status, keeping the message.
Status FromRocks(const rocksdb::Status& s);

}  // namespace ukairo::ledger::internal
