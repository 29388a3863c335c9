// Goal: the RocksDB ledger keeps a gap-free, hash-chained, time-ordered log
// that reads back exactly, and VerifyChain names the first damaged seq.
// Method: real RocksDB in a TempDir; append through the public interface,
// read back via Get/Scan/ReadRequest and compare with what was appended
// (scans against a brute-force filter over a seeded random log); damage the
// store with a raw RocksDB handle after closing the ledger and check the
// verdict; run several appending threads and check the chain is gap-free.
#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>

#include "ledger/event_codec.h"
#include "ledger/internal/chain_checker.h"
#include "ledger/sha256.h"
#include "ledger/store_format.h"
#include "tests/util/test_util.h"

namespace ukairo::ledger {
namespace {

using testing::TempDir;

constexpr int64_t kT0 = 1'790'000'000'000'000;

Event At(int64_t time_micros, EventBody body) {
  Event e;
  e.time_micros = time_micros;
  e.body = std::move(body);
  return e;
}

Event Attempt(int64_t t, std::string request_id, std::string deployment = "dep-a",
              std::string model_group = "gpt", std::string tag = "team", std::string tier = "gold") {
  AttemptStarted b;
  b.request_id = std::move(request_id);
  b.attempt = 1;
  b.deployment = std::move(deployment);
  b.model_group = std::move(model_group);
  b.tag = std::move(tag);
  b.tier = std::move(tier);
  b.reserved_nanos = 100;
  return At(t, std::move(b));
}

std::unique_ptr<Ledger> OpenOrDie(const std::string& dir, LedgerOptions options = {}) {
  Result<std::unique_ptr<Ledger>> r = Ledger::Open(dir, options);
  EXPECT_OK(r);
  if (!r.ok()) return nullptr;
  return std::move(r).value();
}

std::vector<std::string> RawValues(Ledger& ledger) {
  std::vector<std::string> out;
  auto it = ledger.Scan({});
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->raw());
  EXPECT_OK(it->status());
  return out;
}

// Opens the ledger's RocksDB directly (the ledger must be closed) and hands
// the "log" column family to `fn`, to damage it as an attacker or a bad disk.
void WithRawLog(const std::string& dir,
                const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& fn) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, descs, &handles, &db).ok());
  rocksdb::ColumnFamilyHandle* log = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == format::kLogCf) log = handles[i];
  }
  ASSERT_NE(log, nullptr);
  fn(db, log);
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  delete db;
}

ChainReport VerifyReadOnly(const std::string& dir) {
  LedgerOptions ro;
  ro.read_only = true;
  auto ledger = OpenOrDie(dir, ro);
  if (!ledger) return {};
  Result<ChainReport> report = ledger->VerifyChain();
  EXPECT_OK(report);
  return report.ok() ? *report : ChainReport{};
}

TEST(Ledger, AppendAssignsGapFreeSeqsAndChainsHashes) {
  TempDir dir;
  auto ledger = OpenOrDie(dir.path());
  EXPECT_EQ(ledger->LastSeq(), 0u);
  for (int i = 0; i < 5; ++i) {
    Result<uint64_t> seq = ledger->Append(Attempt(kT0 + i, "r" + std::to_string(i)));
    ASSERT_OK(seq);
    EXPECT_EQ(*seq, uint64_t(i + 1));
  }
  Result<uint64_t> first = ledger->Append({Attempt(kT0 + 9, "x"), Attempt(kT0 + 9, "y")});
  ASSERT_OK(first);
  EXPECT_EQ(*first, 6u);
  EXPECT_EQ(ledger->LastSeq(), 7u);
  EXPECT_EQ(ledger->LastTimeMicros(), kT0 + 9);

  std::vector<std::string> raw = RawValues(*ledger);
  ASSERT_EQ(raw.size(), 7u);
  Sha256 prev{};
  for (uint64_t seq = 1; seq <= 7; ++seq) {
    Result<Event> e = ledger->Get(seq);
    ASSERT_OK(e);
    EXPECT_EQ(e->seq, seq);
    EXPECT_EQ(e->prev_hash, prev) << "seq " << seq;
    EXPECT_EQ(EncodeEvent(*e), raw[seq - 1]);
    prev = Sha256Of(raw[seq - 1]);
  }
  EXPECT_EQ(std::get<AttemptStarted>(ledger->Get(7)->body).request_id, "y");
  EXPECT_TRUE(ledger->Get(8).status().IsNotFound());
  Result<ChainReport> report = ledger->VerifyChain();
  ASSERT_OK(report);
  EXPECT_FALSE(report->first_bad_seq.has_value()) << report->problem;
  EXPECT_EQ(report->events_checked, 7u);
}

TEST(Ledger, RejectsTimeGoingBackwardsAndWholeBatches) {
  TempDir dir;
  auto ledger = OpenOrDie(dir.path());
  ASSERT_OK(ledger->Append(Attempt(kT0 + 100, "a")));
  ASSERT_OK(ledger->Append(Attempt(kT0 + 100, "b")));  // equal time is fine
  Result<uint64_t> older = ledger->Append(Attempt(kT0 + 99, "c"));
  ASSERT_FALSE(older.ok());
  EXPECT_TRUE(older.status().IsInvalidArgument());
  // A batch whose second event goes back in time is rejected whole.
  Result<uint64_t> bad = ledger->Append({Attempt(kT0 + 200, "d"), Attempt(kT0 + 150, "e")});
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_EQ(ledger->LastSeq(), 2u);
  EXPECT_EQ(ledger->LastTimeMicros(), kT0 + 100);
  Result<std::vector<Event>> d = ledger->ReadRequest("d");
  ASSERT_OK(d);
  EXPECT_TRUE(d->empty()) << "no index entry may survive a rejected batch";
  Result<uint64_t> next = ledger->Append(Attempt(kT0 + 101, "f"));
  ASSERT_OK(next);
  EXPECT_EQ(*next, 3u);
}

TEST(Ledger, RejectsBadAppendsAndOptions) {
  TempDir dir;
  LedgerOptions options;
  options.append_batch_events_max = 2;
  auto ledger = OpenOrDie(dir.path(), options);
  EXPECT_TRUE(ledger->Append(std::vector<Event>{}).status().IsInvalidArgument());
  EXPECT_TRUE(ledger->Append({Attempt(kT0, "a"), Attempt(kT0, "b"), Attempt(kT0, "c")})
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ledger->Append(Attempt(kT0, std::string("nul\0id", 6))).status().IsInvalidArgument());
  EXPECT_EQ(ledger->LastSeq(), 0u);
  LedgerOptions zero;
  zero.append_batch_events_max = 0;
  EXPECT_TRUE(Ledger::Open(dir.Sub("z"), zero).status().IsInvalidArgument());
  LedgerOptions no_create;
  no_create.create_if_missing = false;
  EXPECT_FALSE(Ledger::Open(dir.Sub("missing"), no_create).ok());
}

TEST(Ledger, ReadRequestUsesTheIndex) {
  TempDir dir;
  auto ledger = OpenOrDie(dir.path());
  ASSERT_OK(ledger->Append(Attempt(kT0, "req-1")));
  ASSERT_OK(ledger->Append(Attempt(kT0 + 1, "req-10")));  // shares a prefix with req-1
  HealthProbe probe;
  probe.deployment = "dep-a";
  ASSERT_OK(ledger->Append(At(kT0 + 2, probe)));
  RequestCompleted done;
  done.request_id = "req-1";
  done.http_status = 200;
  ASSERT_OK(ledger->Append(At(kT0 + 3, done)));
  Result<std::vector<Event>> events = ledger->ReadRequest("req-1");
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].seq, 1u);
  EXPECT_EQ((*events)[1].seq, 4u);
  EXPECT_EQ(std::get<RequestCompleted>((*events)[1].body).http_status, 200u);
  Result<std::vector<Event>> none = ledger->ReadRequest("req-2");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(ledger->ReadRequest("").status().IsInvalidArgument());
}

// A seeded random log; every filter combination below is checked against a
// brute-force pass over the appended events.
TEST(Ledger, ScanFiltersMatchBruteForce) {
  TempDir dir;
  auto ledger = OpenOrDie(dir.path());
  std::mt19937_64 rng(7);
  const char* deployments[] = {"dep-a", "dep-b", "dep-c"};
  const char* groups[] = {"gpt", "claude"};
  const char* tags[] = {"team-x", "team-y"};
  const char* tiers[] = {"gold", "free"};
  std::vector<Event> all;
  int64_t t = kT0;
  for (int i = 0; i < 600; ++i) {
    t += static_cast<int64_t>(rng() % 3);  // repeated times included
    const std::string rid = "r" + std::to_string(i / 3);
    Event e;
    switch (rng() % 4) {
      case 0:
        e = Attempt(t, rid, deployments[rng() % 3], groups[rng() % 2], tags[rng() % 2],
                    tiers[rng() % 2]);
        break;
      case 1: {
        FallbackTaken f;
        f.request_id = rid;
        f.from_deployment = deployments[rng() % 3];
        f.to_model_group = groups[rng() % 2];
        f.tag = tags[rng() % 2];
        e = At(t, f);
        break;
      }
      case 2: {
        BudgetAlert a;
        a.scope_kind = (rng() % 2) ? ScopeKind::kTag : ScopeKind::kModel;
        a.scope_key = a.scope_kind == ScopeKind::kTag ? tags[rng() % 2] : groups[rng() % 2];
        e = At(t, a);
        break;
      }
      default: {
        HealthProbe h;
        h.deployment = deployments[rng() % 3];
        e = At(t, h);
      }
    }
    all.push_back(e);
  }
  for (size_t i = 0; i < all.size(); i += 50) {
    std::vector<Event> batch(all.begin() + i, all.begin() + std::min(all.size(), i + 50));
    ASSERT_OK(ledger->Append(std::move(batch)));
  }
  for (size_t i = 0; i < all.size(); ++i) all[i].seq = i + 1;

  auto check = [&](const ScanOptions& o, const std::function<bool(const Event&)>& want) {
    std::vector<uint64_t> expected, got;
    for (const Event& e : all) {
      if (e.seq >= o.seq_min && e.seq <= o.seq_max && want(e)) expected.push_back(e.seq);
    }
    auto it = ledger->Scan(o);
    for (it->SeekToFirst(); it->Valid(); it->Next()) got.push_back(it->event().seq);
    EXPECT_OK(it->status());
    EXPECT_EQ(got, expected);
    return expected.size();
  };
  EXPECT_EQ(check({}, [](const Event&) { return true; }), 600u);
  ScanOptions o;
  o.kind = "health_probe";
  EXPECT_GT(check(o, [](const Event& e) { return e.body.index() == 9; }), 0u);
  o = {};
  o.deployment = "dep-b";
  EXPECT_GT(check(o, [](const Event& e) {
              if (auto* a = std::get_if<AttemptStarted>(&e.body)) return a->deployment == "dep-b";
              if (auto* f = std::get_if<FallbackTaken>(&e.body)) return f->from_deployment == "dep-b";
              if (auto* h = std::get_if<HealthProbe>(&e.body)) return h->deployment == "dep-b";
              return false;
            }),
            0u);
  o = {};
  o.model_group = "claude";
  o.seq_min = 100;
  o.seq_max = 400;
  EXPECT_GT(check(o, [](const Event& e) {
              if (auto* a = std::get_if<AttemptStarted>(&e.body)) return a->model_group == "claude";
              if (auto* f = std::get_if<FallbackTaken>(&e.body)) return f->to_model_group == "claude";
              if (auto* b = std::get_if<BudgetAlert>(&e.body)) {
                return b->scope_kind == ScopeKind::kModel && b->scope_key == "claude";
              }
              return false;
            }),
            0u);
  o = {};
  o.tag = "team-x";
  o.tier = "free";
  EXPECT_GT(check(o, [](const Event& e) {
              auto* a = std::get_if<AttemptStarted>(&e.body);
              return a && a->tag == "team-x" && a->tier == "free";
            }),
            0u);
  // Time ranges, including bounds that fall on repeated times and outside.
  for (int64_t lo : {kT0 - 5, kT0 + 1, kT0 + 100, kT0 + 333, t, t + 1}) {
    for (int64_t hi : {kT0, kT0 + 101, kT0 + 500, t, t + 1}) {
      o = {};
      o.time_min_micros = lo;
      o.time_max_micros = hi;
      check(o, [&](const Event& e) { return e.time_micros >= lo && e.time_micros < hi; });
    }
  }
  o = {};
  o.kind = "no_such_kind";
  auto unknown = ledger->Scan(o);
  unknown->SeekToFirst();
  EXPECT_FALSE(unknown->Valid());
  EXPECT_TRUE(unknown->status().IsInvalidArgument());
  o = {};
  o.time_min_micros = kT0 + 200;
  o.time_max_micros = kT0 + 400;
  o.kind = "budget_alert";
  o.seq_max = 500;
  check(o, [&](const Event& e) {
    return e.time_micros >= kT0 + 200 && e.time_micros < kT0 + 400 && e.body.index() == 6;
  });
}

TEST(Ledger, ScanReadsTheSnapshotAtItsCreation) {
  TempDir dir;
  auto ledger = OpenOrDie(dir.path());
  for (int i = 0; i < 3; ++i) ASSERT_OK(ledger->Append(Attempt(kT0 + i, "a")));
  ScanOptions o;
  o.time_min_micros = kT0 + 1;
  auto it = ledger->Scan(o);
  ASSERT_OK(ledger->Append(Attempt(kT0 + 5, "b")));
  std::vector<uint64_t> seqs;
  for (int pass = 0; pass < 2; ++pass) {  // SeekToFirst restarts
    seqs.clear();
    for (it->SeekToFirst(); it->Valid(); it->Next()) seqs.push_back(it->event().seq);
    ASSERT_OK(it->status());
    EXPECT_EQ(seqs, (std::vector<uint64_t>{2, 3}));
  }
}

TEST(Ledger, ReopenContinuesTheChain) {
  TempDir dir;
  {
    auto ledger = OpenOrDie(dir.path());
    ASSERT_OK(ledger->Append({Attempt(kT0, "a"), Attempt(kT0 + 1, "b")}));
  }
  auto ledger = OpenOrDie(dir.path());
  EXPECT_EQ(ledger->LastSeq(), 2u);
  EXPECT_EQ(ledger->LastTimeMicros(), kT0 + 1);
  EXPECT_TRUE(ledger->Append(Attempt(kT0, "old")).status().IsInvalidArgument());
  Result<uint64_t> seq = ledger->Append(Attempt(kT0 + 2, "c"));
  ASSERT_OK(seq);
  EXPECT_EQ(*seq, 3u);
  std::vector<std::string> raw = RawValues(*ledger);
  ASSERT_EQ(raw.size(), 3u);
  EXPECT_EQ(ledger->Get(3)->prev_hash, Sha256Of(raw[1]));
  Result<ChainReport> report = ledger->VerifyChain();
  ASSERT_OK(report);
  EXPECT_FALSE(report->first_bad_seq.has_value()) << report->problem;
  ASSERT_OK(ledger->ReadRequest("a"));
  EXPECT_EQ(ledger->ReadRequest("a")->size(), 1u);
}

TEST(Ledger, ReadOnlyReadsButRefusesWrites) {
  TempDir dir;
  {
    auto ledger = OpenOrDie(dir.path());
    ASSERT_OK(ledger->Append(Attempt(kT0, "a")));
  }
  LedgerOptions ro;
  ro.read_only = true;
  auto ledger = OpenOrDie(dir.path(), ro);
  EXPECT_EQ(ledger->LastSeq(), 1u);
  ASSERT_OK(ledger->Get(1));
  EXPECT_EQ(ledger->Append(Attempt(kT0, "b")).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(ledger->PutSnapshot(1, "s").code(), Status::Code::kFailedPrecondition);
  LedgerOptions ro_missing = ro;
  EXPECT_FALSE(Ledger::Open(dir.Sub("nope"), ro_missing).ok());
}

TEST(Ledger, SnapshotsAndStats) {
  TempDir dir;
  auto ledger = OpenOrDie(dir.path());
  EXPECT_TRUE(ledger->LatestSnapshot().status().IsNotFound());
  for (int i = 0; i < 10; ++i) ASSERT_OK(ledger->Append(Attempt(kT0 + 10 * i, "r")));
  ASSERT_OK(ledger->PutSnapshot(3, "three"));
  ASSERT_OK(ledger->PutSnapshot(7, "seven"));
  EXPECT_TRUE(ledger->PutSnapshot(11, "future").IsInvalidArgument());
  auto latest = ledger->LatestSnapshot();
  ASSERT_OK(latest);
  EXPECT_EQ(latest->first, 7u);
  EXPECT_EQ(latest->second, "seven");
  auto at5 = ledger->LatestSnapshot(5);
  ASSERT_OK(at5);
  EXPECT_EQ(at5->first, 3u);
  EXPECT_EQ(at5->second, "three");
  EXPECT_TRUE(ledger->LatestSnapshot(2).status().IsNotFound());
  Result<LedgerStats> stats = ledger->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->events, 10u);
  EXPECT_EQ(stats->last_seq, 10u);
  EXPECT_EQ(stats->time_first_micros, kT0);
  EXPECT_EQ(stats->time_last_micros, kT0 + 90);
  EXPECT_GT(stats->size_bytes, 0u);
}

// Writes 10 events, then for several byte positions of event 5 (including
// its prev_hash field, which breaks the link *before* it), flips one byte and
// expects VerifyChain to name seq 5.
TEST(Ledger, VerifyNamesAFlippedEvent) {
  TempDir dir;
  Sha256 prev_of_5{};
  {
    auto ledger = OpenOrDie(dir.path());
    for (int i = 0; i < 10; ++i) {
      ConfigApplied c;
      c.text = "config number " + std::to_string(i);
      c.actor = "ops";
      ASSERT_OK(ledger->Append(At(kT0 + i, c)));
    }
    prev_of_5 = ledger->Get(5)->prev_hash;
  }
  std::string original;
  WithRawLog(dir.path(), [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    ASSERT_TRUE(db->Get({}, log, format::SeqKey(5), &original).ok());
  });
  const size_t hash_at = original.find(
      std::string(reinterpret_cast<const char*>(prev_of_5.data()), prev_of_5.size()));
  ASSERT_NE(hash_at, std::string::npos);
  const size_t text_at = original.find("number 4");
  ASSERT_NE(text_at, std::string::npos);
  for (size_t pos : {size_t{0}, size_t{4}, size_t{8}, size_t{16}, hash_at, hash_at + 31, text_at,
                     original.size() - 1}) {
    std::string damaged = original;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x20);
    WithRawLog(dir.path(), [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
      ASSERT_TRUE(db->Put({}, log, format::SeqKey(5), damaged).ok());
    });
    ChainReport report = VerifyReadOnly(dir.path());
    ASSERT_TRUE(report.first_bad_seq.has_value()) << "byte " << pos;
    EXPECT_EQ(*report.first_bad_seq, 5u) << "byte " << pos << ": " << report.problem;
  }
  // Restored: clean again, and a writable open still works (head intact).
  WithRawLog(dir.path(), [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    ASSERT_TRUE(db->Put({}, log, format::SeqKey(5), original).ok());
  });
  EXPECT_FALSE(VerifyReadOnly(dir.path()).first_bad_seq.has_value());
}

TEST(Ledger, VerifyNamesAFlippedLastEventAndWritableOpenRefuses) {
  TempDir dir;
  {
    auto ledger = OpenOrDie(dir.path());
    for (int i = 0; i < 4; ++i) ASSERT_OK(ledger->Append(Attempt(kT0 + i, "r")));
  }
  WithRawLog(dir.path(), [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    std::string v;
    ASSERT_TRUE(db->Get({}, log, format::SeqKey(4), &v).ok());
    v[v.size() - 3] ^= 1;
    ASSERT_TRUE(db->Put({}, log, format::SeqKey(4), v).ok());
  });
  Result<std::unique_ptr<Ledger>> writable = Ledger::Open(dir.path(), {});
  ASSERT_FALSE(writable.ok());
  EXPECT_TRUE(writable.status().IsCorruption()) << writable.status().ToString();
  ChainReport report = VerifyReadOnly(dir.path());
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 4u) << report.problem;
}

TEST(Ledger, VerifyNamesADeletedEvent) {
  TempDir dir;
  {
    auto ledger = OpenOrDie(dir.path());
    for (int i = 0; i < 8; ++i) ASSERT_OK(ledger->Append(Attempt(kT0 + i, "r")));
  }
  WithRawLog(dir.path(), [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    ASSERT_TRUE(db->Delete({}, log, format::SeqKey(4)).ok());
  });
  ChainReport report = VerifyReadOnly(dir.path());
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 4u) << report.problem;
  EXPECT_EQ(report.events_checked, 3u);
  // Deleting the tail is caught through the head record.
  WithRawLog(dir.path(), [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    ASSERT_TRUE(db->DeleteRange({}, log, format::SeqKey(4), format::SeqKey(9)).ok());
  });
  report = VerifyReadOnly(dir.path());
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 4u) << report.problem;
  EXPECT_TRUE(Ledger::Open(dir.path(), {}).status().IsCorruption());
}

// Threads append singles and small batches concurrently; group commit must
// still give a gap-free chain holding every event exactly once, each
// thread's events in its own order.
void ConcurrentAppends(LedgerOptions options, int threads, int appends_per_thread) {
  TempDir dir;
  auto ledger = OpenOrDie(dir.path(), options);
  std::vector<std::thread> pool;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < appends_per_thread; ++i) {
        std::vector<Event> batch;
        const int n = 1 + (i % 3);
        for (int k = 0; k < n; ++k) {
          // One shared time: concurrent callers have no common clock order.
          batch.push_back(Attempt(kT0, "t" + std::to_string(t) + "-" + std::to_string(i)));
          std::get<AttemptStarted>(batch.back().body).attempt = static_cast<uint32_t>(k);
        }
        Result<uint64_t> seq = ledger->Append(std::move(batch));
        if (!seq.ok() || *seq == 0) failures++;
      }
    });
  }
  for (auto& th : pool) th.join();
  ASSERT_EQ(failures.load(), 0);
  uint64_t total = 0;
  for (int i = 0; i < appends_per_thread; ++i) total += 1 + (i % 3);
  total *= threads;
  EXPECT_EQ(ledger->LastSeq(), total);
  Result<ChainReport> report = ledger->VerifyChain();
  ASSERT_OK(report);
  EXPECT_FALSE(report->first_bad_seq.has_value()) << report->problem;
  EXPECT_EQ(report->events_checked, total);
  // Each Append's events are contiguous and in order.
  std::vector<int> next_append(threads, 0);
  auto it = ledger->Scan({});
  for (it->SeekToFirst(); it->Valid();) {
    const auto& a = std::get<AttemptStarted>(it->event().body);
    const int t = std::stoi(a.request_id.substr(1));
    const int i = std::stoi(a.request_id.substr(a.request_id.find('-') + 1));
    EXPECT_EQ(i, next_append[t]) << "thread " << t;
    next_append[t] = i + 1;
    for (int k = 0; k < 1 + (i % 3); ++k) {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(std::get<AttemptStarted>(it->event().body).attempt, uint32_t(k));
      it->Next();
    }
  }
  ASSERT_OK(it->status());
}

TEST(Ledger, ConcurrentAppendsWalGiveAGapFreeChain) {
  ConcurrentAppends(LedgerOptions{}, 4, 500);
}

TEST(Ledger, ConcurrentAppendsFsyncGroupCommit) {
  LedgerOptions options;
  options.durability = Durability::kFsync;
  options.group_commit_window_micros = 200;
  options.append_batch_events_max = 16;  // forces groups to split
  ConcurrentAppends(options, 4, 40);
}

// The CLI over a real ledger: `ukairo ledger verify` exits 0 when intact and
// 1 naming the bad seq when damaged; `stats --json` counts kinds.
std::pair<int, std::string> RunUkairo(const std::string& args) {
  std::string command = testing::UkairoBinary() + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(LedgerCli, VerifyAndStats) {
  if (!std::filesystem::exists(testing::UkairoBinary())) GTEST_SKIP() << "ukairo not built";
  TempDir dir;
  {
    auto ledger = OpenOrDie(dir.path());
    for (int i = 0; i < 5; ++i) ASSERT_OK(ledger->Append(Attempt(kT0 + i, "r")));
    HealthProbe probe;
    ASSERT_OK(ledger->Append(At(kT0 + 9, probe)));
  }
  auto [rc, out] = RunUkairo("ledger verify --ledger " + dir.path());
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("ok: 6 events"), std::string::npos) << out;
  std::tie(rc, out) = RunUkairo("ledger stats --json --ledger " + dir.path());
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"attempt_started\": 5"), std::string::npos) << out;
  EXPECT_NE(out.find("\"health_probe\": 1"), std::string::npos) << out;
  EXPECT_NE(out.find("\"events\": 6"), std::string::npos) << out;
  WithRawLog(dir.path(), [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    std::string v;
    ASSERT_TRUE(db->Get({}, log, format::SeqKey(3), &v).ok());
    v[v.size() / 2] ^= 0x40;
    ASSERT_TRUE(db->Put({}, log, format::SeqKey(3), v).ok());
  });
  std::tie(rc, out) = RunUkairo("ledger verify --ledger " + dir.path());
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("first bad seq 3"), std::string::npos) << out;
  std::tie(rc, out) = RunUkairo("ledger verify --ledger " + dir.Sub("missing"));
  EXPECT_EQ(rc, 2) << out;
}

// A rejected Append inside a group commit fails alone: its neighbours in the
// same WriteBatch land, and the chain has no hole where it would have been.
TEST(Ledger, RejectedWriterDoesNotDisturbItsGroup) {
  TempDir dir;
  LedgerOptions options;
  options.durability = Durability::kFsync;
  options.group_commit_window_micros = 500;  // makes mixed groups likely
  auto ledger = OpenOrDie(dir.path(), options);
  ASSERT_OK(ledger->Append(Attempt(kT0, "base")));
  constexpr int kThreads = 4;
  constexpr int kAppends = 40;
  std::atomic<int> good{0}, rejected{0}, other{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        // Thread 0 always sends a time before the base event's.
        Result<uint64_t> r = ledger->Append(Attempt(t == 0 ? kT0 - 1 : kT0, "x"));
        if (r.ok()) {
          good++;
        } else if (r.status().IsInvalidArgument()) {
          rejected++;
        } else {
          other++;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(rejected.load(), kAppends);
  EXPECT_EQ(good.load(), (kThreads - 1) * kAppends);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ledger->LastSeq(), uint64_t(1 + (kThreads - 1) * kAppends));
  Result<ChainReport> report = ledger->VerifyChain();
  ASSERT_OK(report);
  EXPECT_FALSE(report->first_bad_seq.has_value()) << report->problem;
}

// Fuzz of the verdict logic alone (no RocksDB): an in-memory chain of
// encoded events with one seeded random byte flipped, or one event dropped,
// must be blamed on exactly that seq.
struct MemoryChain {
  std::vector<std::string> bytes;  // bytes[i] is seq i + 1
  format::HeadRecord head;
};

MemoryChain BuildChain(size_t events, std::mt19937_64& rng) {
  MemoryChain chain;
  Sha256 prev{};
  for (size_t i = 0; i < events; ++i) {
    Event e = Attempt(kT0 + static_cast<int64_t>(i), "req-" + std::to_string(rng() % 1000));
    e.seq = i + 1;
    e.prev_hash = prev;
    chain.bytes.push_back(EncodeEvent(e));
    prev = Sha256Of(chain.bytes.back());
    chain.head = {e.seq, prev, e.time_micros};
  }
  return chain;
}

ChainReport Check(const MemoryChain& chain, std::optional<size_t> skip_index = std::nullopt) {
  internal::ChainChecker checker;
  for (size_t i = 0; i < chain.bytes.size(); ++i) {
    if (skip_index && i == *skip_index) continue;
    if (!checker.Add(i + 1, chain.bytes[i])) break;
  }
  return checker.Finish(chain.head);
}

TEST(ChainChecker, FuzzSingleFlipIsBlamedOnItsEvent) {
  std::mt19937_64 rng(2026);
  for (int round = 0; round < 3000; ++round) {
    MemoryChain chain = BuildChain(1 + rng() % 12, rng);
    ASSERT_FALSE(Check(chain).first_bad_seq.has_value());
    const size_t victim = rng() % chain.bytes.size();
    std::string& b = chain.bytes[victim];
    const size_t pos = rng() % b.size();
    b[pos] = static_cast<char>(b[pos] ^ (1 << (rng() % 8)));
    ChainReport report = Check(chain);
    ASSERT_TRUE(report.first_bad_seq.has_value()) << "round " << round;
    EXPECT_EQ(*report.first_bad_seq, victim + 1)
        << "round " << round << " byte " << pos << ": " << report.problem;
  }
}

TEST(ChainChecker, FuzzDroppedEventIsNamed) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 500; ++round) {
    MemoryChain chain = BuildChain(1 + rng() % 12, rng);
    const size_t victim = rng() % chain.bytes.size();
    ChainReport report = Check(chain, victim);
    ASSERT_TRUE(report.first_bad_seq.has_value());
    EXPECT_EQ(*report.first_bad_seq, victim + 1) << report.problem;
  }
}

TEST(ChainChecker, EmptyLedgerWithoutHeadIsFine) {
  internal::ChainChecker checker;
  ChainReport report = checker.Finish(std::nullopt);
  EXPECT_FALSE(report.first_bad_seq.has_value());
  EXPECT_EQ(report.events_checked, 0u);
}

}  // namespace
}  // namespace ukairo::ledger
