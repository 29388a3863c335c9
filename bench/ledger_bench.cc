// Ledger speed: appends (single, batched, fsync group commit), request
// lookups on a >= 5M-event ledger (p50/p99 by manual timing), scans.
// Targets (SPEC.md section 6): batched append >= 300k events/s with kWal;
// lookup by request id p99 < 100 us. Commands and numbers: bench/README.md.
//
// The 5M-event ledger is built once under /tmp and reused by later runs
// (set UKAIRO_BENCH_LEDGER to put it elsewhere).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "ledger/ledger.h"
#include "ledger/event_codec.h"
#include "ledger/internal/rocksdb_options.h"
#include "ledger/sha256.h"

namespace ukairo::ledger {
namespace {

constexpr int64_t kT0 = 1'790'000'000'000'000;
constexpr uint64_t kBigEvents = 5'000'000;
constexpr uint64_t kEventsPerRequest = 4;
constexpr int kLookupSamples = 10'000;

std::string RequestId(uint64_t request) { return "req-" + std::to_string(request); }

// The four events of one ordinary request, as the router would append them.
void AddRequest(uint64_t request, int64_t t, std::vector<Event>* out) {
  const std::string id = RequestId(request);
  const std::string dep = "openai-" + std::to_string(request % 4);
  RequestAccepted a{id, "team-" + std::to_string(request % 8), "gold", "gpt-4o", "key-1",
                    800, 256, false};
  AttemptStarted s{id, 1, 1, dep, "gpt-4o", a.tag, "gold", 1'234'567};
  AttemptFinished f{id, 1, dep, "gpt-4o", a.tag, "gold", Outcome::kOk, 200, 420'000, 800,
                    200, 0, 987'654, -1, "", 0, 0, ""};
  RequestCompleted c{id, a.tag, "gold", dep, "gpt-4o", 200, "", 987'654, 1, 0, 430'000, false};
  for (EventBody body : {EventBody(a), EventBody(s), EventBody(f), EventBody(c)}) {
    Event e;
    e.time_micros = t;
    e.body = std::move(body);
    out->push_back(std::move(e));
  }
}

std::unique_ptr<Ledger> OpenFresh(const std::string& dir, LedgerOptions options = {}) {
  std::filesystem::remove_all(dir);
  auto r = Ledger::Open(dir, options);
  if (!r.ok()) {
    std::cerr << r.status().ToString() << "\n";
    std::abort();
  }
  return std::move(r).value();
}

std::string BenchDir(const char* name) {
  const char* base = std::getenv("TMPDIR");
  return std::string(base && *base ? base : "/tmp") + "/ukairo-bench-" + name;
}

void BM_Append(benchmark::State& state) {
  const size_t batch_events = static_cast<size_t>(state.range(0));
  auto ledger = OpenFresh(BenchDir("append"));
  uint64_t request = 0;
  std::vector<Event> batch;
  for (auto _ : state) {
    batch.clear();
    while (batch.size() < batch_events) {
      AddRequest(request, kT0 + static_cast<int64_t>(request), &batch);
      ++request;
    }
    batch.resize(batch_events);
    auto r = ledger->Append(std::move(batch));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    batch = {};
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch_events));
}
BENCHMARK(BM_Append)->Arg(1)->Arg(100)->Arg(1000)->UseRealTime();

// The per-event CPU outside RocksDB: building the events (the caller's
// cost), and encoding + hashing them (the ledger's).
void BM_BuildEvents(benchmark::State& state) {
  std::vector<Event> batch;
  uint64_t request = 0;
  for (auto _ : state) {
    batch.clear();
    AddRequest(request++, kT0, &batch);
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEventsPerRequest));
}
BENCHMARK(BM_BuildEvents);

void BM_EncodeAndHash(benchmark::State& state) {
  std::vector<Event> events;
  AddRequest(1, kT0, &events);
  std::string bytes;
  size_t i = 0;
  for (auto _ : state) {
    bytes.clear();
    EncodeEvent(events[i++ % events.size()], &bytes);
    benchmark::DoNotOptimize(Sha256Of(bytes));
  }
  state.counters["bytes_per_event"] = static_cast<double>(bytes.size());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_EncodeAndHash);

// Reference on the same machine and load: raw RocksDB puts of the same
// encoded events (one column family, no index, no hash chain).
void BM_RawRocksDbBatch(benchmark::State& state) {
  const size_t batch_events = static_cast<size_t>(state.range(0));
  const std::string dir = BenchDir("raw");
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 20;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) std::abort();
  std::unique_ptr<rocksdb::DB> db(raw);
  std::vector<Event> events;
  AddRequest(1, kT0, &events);
  std::vector<std::string> values;
  for (const Event& e : events) values.push_back(EncodeEvent(e));
  uint64_t key = 0;
  rocksdb::WriteOptions write;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < batch_events; ++i, ++key) {
      char k[8];
      for (int b = 7, shift = 0; b >= 0; --b, shift += 8) k[b] = static_cast<char>(key >> shift);
      batch.Put(rocksdb::Slice(k, 8), values[key % values.size()]);
    }
    if (!db->Write(write, &batch).ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch_events));
}
BENCHMARK(BM_RawRocksDbBatch)->Arg(1000)->UseRealTime();

// kFsync, several threads appending one request's events each: group commit
// shares one fsync among the waiting writers.
std::unique_ptr<Ledger> g_fsync_ledger;
std::atomic<uint64_t> g_fsync_request{0};

void FsyncSetup(const benchmark::State&) {
  LedgerOptions options;
  options.durability = Durability::kFsync;
  options.group_commit_window_micros = 100;
  g_fsync_ledger = OpenFresh(BenchDir("fsync"), options);
}
void FsyncTeardown(const benchmark::State&) { g_fsync_ledger.reset(); }

void BM_AppendFsyncGroupCommit(benchmark::State& state) {
  std::vector<Event> batch;
  for (auto _ : state) {
    batch.clear();
    AddRequest(g_fsync_request.fetch_add(1), kT0, &batch);  // one shared time
    auto r = g_fsync_ledger->Append(std::move(batch));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    batch = {};
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEventsPerRequest));
}
BENCHMARK(BM_AppendFsyncGroupCommit)
    ->Setup(FsyncSetup)
    ->Teardown(FsyncTeardown)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime();

// Brings the fixture to steady state (what background compaction reaches
// on a live ledger) so runs measure lookups, not a compaction backlog. Uses
// the ledger's own RocksDB options so compaction output keeps its filters.
void CompactLedger(const std::string& dir) {
  internal::RocksDbLayout layout = internal::MakeRocksDbLayout(false);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(layout.db, dir, layout.families, &handles, &db).ok()) std::abort();
  for (auto* h : handles) {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kSkip;
    if (!db->CompactRange(options, h, nullptr, nullptr).ok()) std::abort();
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

// The shared >= 5M-event ledger, built on first use and kept for later runs.
Ledger* BigLedger() {
  static std::unique_ptr<Ledger> ledger = [] {
    const char* env = std::getenv("UKAIRO_BENCH_LEDGER");
    const std::string dir = env && *env ? env : BenchDir("ledger-5m");
    auto r = Ledger::Open(dir, LedgerOptions{});
    if (!r.ok()) {
      std::cerr << r.status().ToString() << "\n";
      std::abort();
    }
    std::unique_ptr<Ledger> l = std::move(r).value();
    if (l->LastSeq() < kBigEvents) {
      std::cerr << "building " << kBigEvents << "-event ledger in " << dir << " ...\n";
      uint64_t request = l->LastSeq() / kEventsPerRequest;
      std::vector<Event> batch;
      while (l->LastSeq() < kBigEvents) {
        batch.clear();
        for (int i = 0; i < 250; ++i, ++request) {
          AddRequest(request, kT0 + static_cast<int64_t>(request) * 1000, &batch);
        }
        auto a = l->Append(std::move(batch));
        if (!a.ok()) std::abort();
        batch = {};
      }
    }
    l.reset();
    CompactLedger(dir);
    auto reopened = Ledger::Open(dir, LedgerOptions{});
    if (!reopened.ok()) std::abort();
    return std::move(reopened).value();
  }();
  return ledger.get();
}

void BM_ReadRequest(benchmark::State& state) {
  Ledger* ledger = BigLedger();
  const uint64_t requests = ledger->LastSeq() / kEventsPerRequest;
  std::mt19937_64 rng(42);
  // Manual timing of a fixed sample for the tail: Google Benchmark reports
  // means only.
  std::vector<double> micros;
  micros.reserve(kLookupSamples);
  for (int i = 0; i < kLookupSamples; ++i) {
    const std::string id = RequestId(rng() % requests);
    auto start = std::chrono::steady_clock::now();
    auto r = ledger->ReadRequest(id);
    auto end = std::chrono::steady_clock::now();
    if (!r.ok() || r->size() != kEventsPerRequest) {
      state.SkipWithError("lookup failed");
      return;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::sort(micros.begin(), micros.end());
  for (auto _ : state) {
    auto r = ledger->ReadRequest(RequestId(rng() % requests));
    benchmark::DoNotOptimize(r);
  }
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["max_us"] = micros.back();
  state.counters["ledger_events"] = static_cast<double>(ledger->LastSeq());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ReadRequest)->UseRealTime();

void BM_ReadRequestMissing(benchmark::State& state) {
  Ledger* ledger = BigLedger();
  uint64_t i = 0;
  for (auto _ : state) {
    auto r = ledger->ReadRequest("absent-" + std::to_string(i++));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ReadRequestMissing)->UseRealTime();

// Scans 1M events per iteration (all, or filtered by kind / tag / time).
void BM_Scan(benchmark::State& state) {
  Ledger* ledger = BigLedger();
  constexpr uint64_t kScanEvents = 1'000'000;
  ScanOptions options;
  options.seq_min = 1'000'001;
  options.seq_max = options.seq_min + kScanEvents - 1;
  if (state.range(0) == 1) options.kind = "attempt_finished";
  if (state.range(0) == 2) options.tag = "team-3";
  if (state.range(0) == 3) {  // the same range given by time: binary search
    options.seq_min = 1;
    options.seq_max = UINT64_MAX;
    options.time_min_micros = kT0 + 250'000 * 1000;
    options.time_max_micros = kT0 + 500'000 * 1000;
  }
  uint64_t matched = 0;
  for (auto _ : state) {
    auto it = ledger->Scan(options);
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++matched;
    if (!it->status().ok()) state.SkipWithError(it->status().ToString().c_str());
  }
  state.counters["matched_per_iter"] =
      static_cast<double>(matched) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kScanEvents));
}
BENCHMARK(BM_Scan)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ukairo::ledger

BENCHMARK_MAIN();
