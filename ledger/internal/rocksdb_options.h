// RocksDB tuning for the ledger's column families (store_format.h).
//
// Why these settings: the log is append-only with ascending keys, so flushed
// files never overlap and compaction is mostly trivial moves; large write
// buffers keep flushes rare during bursts. The request index is read by
// prefix (request_id + '\0'), so it gets a prefix bloom filter that answers
// "no such request" from memory.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <string>
#include <vector>

namespace ukairo::ledger::internal {

struct RocksDbLayout {
  rocksdb::DBOptions db;
  // In handle order: default, log, by_request, snapshots, meta.
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
};

inline constexpr size_t kDefaultCfIndex = 0;
inline constexpr size_t kLogCfIndex = 1;
inline constexpr size_t kByRequestCfIndex = 2;
inline constexpr size_t kSnapshotsCfIndex = 3;
inline constexpr size_t kMetaCfIndex = 4;
inline constexpr size_t kCfCount = 5;

RocksDbLayout MakeRocksDbLayout(bool create_if_missing);

}  // namespace ukairo::ledger::internal
