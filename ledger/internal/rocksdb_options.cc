#include "ledger/internal/rocksdb_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/check.h"
#include "ledger/store_format.h"

namespace ukairo::ledger::internal {
namespace {

constexpr size_t kBlockCacheBytes = 128ull << 20;
constexpr size_t kLogWriteBufferBytes = 64ull << 20;
constexpr size_t kIndexWriteBufferBytes = 16ull << 20;
constexpr size_t kSmallWriteBufferBytes = 4ull << 20;
constexpr uint64_t kWalTotalBytesMax = 512ull << 20;
constexpr int kBloomBitsPerKey = 10;

// The by_request prefix: everything up to and including the '\0' that ends
// the request id. Keys without it are outside the domain (none are written).
class RequestIdPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "ukairo.RequestIdPrefix.v1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* end = std::memchr(key.data(), format::kRequestIdTerminator, key.size());
    UKAIRO_CHECK(end != nullptr);
    return rocksdb::Slice(key.data(),
                          static_cast<const char*>(end) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), format::kRequestIdTerminator, key.size()) != nullptr;
  }
};

rocksdb::CompressionType LogCompression() {
  // LZ4 is cheap enough for background flushes and halves the zero-heavy
  // unpacked Cap'n Proto records; fall back to none if this build lacks it.
  auto supported = rocksdb::GetSupportedCompressions();
  if (std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) !=
      supported.end()) {
    return rocksdb::kLZ4Compression;
  }
  return rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions Family(size_t write_buffer_bytes,
                                    const std::shared_ptr<rocksdb::Cache>& cache,
                                    bool prefix_bloom, size_t block_bytes) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = write_buffer_bytes;
  cf.max_write_buffer_number = 4;
  cf.target_file_size_base = 64ull << 20;
  cf.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = block_bytes;
  table.cache_index_and_filter_blocks = false;  // small; keep them pinned in memory
  // This RocksDB build has no hardware CRC32C (the WAL still uses it); XXH3
  // makes flush and compaction checksums nearly free.
  table.checksum = rocksdb::kXXH3;
  if (prefix_bloom) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
    table.whole_key_filtering = false;
    cf.prefix_extractor = std::make_shared<RequestIdPrefix>();
    cf.memtable_prefix_bloom_size_ratio = 0.1;
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

}  // namespace

RocksDbLayout MakeRocksDbLayout(bool create_if_missing) {
  RocksDbLayout layout;
  rocksdb::DBOptions& db = layout.db;
  db.create_if_missing = create_if_missing;
  db.create_missing_column_families = create_if_missing;
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1 << 20;
  db.max_total_wal_size = kWalTotalBytesMax;
  db.keep_log_file_num = 4;
  db.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Appends are already serialized by the ledger's group commit; the
  // insert hints below require non-concurrent memtable writes.
  db.allow_concurrent_memtable_write = false;

  auto cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  // 4 KiB log blocks: a request lookup decompresses a few small blocks
  // rather than 16 KiB ones; scans read ahead regardless.
  rocksdb::ColumnFamilyOptions log = Family(kLogWriteBufferBytes, cache, false, 4096);
  log.compression = LogCompression();
  // Log keys ascend, so one insert hint for the whole family (empty prefix)
  // makes each memtable insert start where the last one ended.
  log.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
  rocksdb::ColumnFamilyOptions by_request = Family(kIndexWriteBufferBytes, cache, true, 4096);
  by_request.compression = LogCompression();
  rocksdb::ColumnFamilyOptions small = Family(kSmallWriteBufferBytes, cache, false, 4096);

  layout.families.emplace_back(rocksdb::kDefaultColumnFamilyName, small);
  layout.families.emplace_back(format::kLogCf, log);
  layout.families.emplace_back(format::kByRequestCf, by_request);
  layout.families.emplace_back(format::kSnapshotsCf, small);
  layout.families.emplace_back(format::kMetaCf, small);
  UKAIRO_CHECK(layout.families.size() == kCfCount);
  return layout;
}

}  // namespace ukairo::ledger::internal
