// Snapshots change nothing. Method: a seeded random event stream checks that
// fold == Deserialize(Serialize()) + tail == full replay at random cut points,
// and that spend and reserved totals equal a naive recount; bad snapshot
// bytes are rejected; LoadProjection is run against an in-memory Ledger (a
// fake of ledger/ledger.h) with snapshots, corrupt snapshots and gaps, and
// against the RocksDB ledger in a TempDir across a restart.
#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "ledger/ledger.h"
#include "ledger/event_codec.h"
#include "ledger/projection.h"
#include "ledger/snapshot.capnp.h"
#include "tests/ledger/projection_test_util.h"
#include "tests/util/test_util.h"

namespace ukairo::ledger {
namespace {

// ---- Randomized streams -------------------------------------------------

// An alert, stop or gate decision for (kind, key, period).
EventBody BudgetEvent(std::mt19937_64& rng, ScopeKind kind, const std::string& key,
                      int32_t period) {
  size_t which = rng() % 3;
  if (which == 0) {
    BudgetAlert a;
    a.scope_kind = kind;
    a.scope_key = key;
    a.threshold_pct = 80 + 10 * static_cast<uint32_t>(rng() % 3);
    a.period = period;
    return a;
  }
  if (which == 1) {
    BudgetStopped b;
    b.scope_kind = kind;
    b.scope_key = key;
    b.period = period;
    return b;
  }
  GateDecision g;
  g.scope_kind = kind;
  g.scope_key = key;
  g.period = period;
  g.choice = static_cast<GateChoice>(rng() % 3);
  g.model = g.choice == GateChoice::kContinueWithModel ? "local" : "";
  g.new_limit_nanos = g.choice == GateChoice::kRaiseLimit ? 1'000'000'000 : 0;
  g.actor = "op" + std::to_string(rng() % 3);
  g.note = "n";
  return g;
}

// A seeded stream with the shapes the router writes, plus the odd anomaly.
std::vector<Event> RandomStream(uint64_t seed, size_t count, int64_t start_micros) {
  std::mt19937_64 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const char* models[] = {"claude-opus", "claude-sonnet-4-5-20250929", "gemini-flash", "local"};
  const char* tags[] = {"Spec", "Build", "Review", ""};
  const char* tiers[] = {"high-precision", "build", "economy", ""};
  const char* deployments[] = {"opus-1", "sonnet-1", "sonnet-2", "flash-1", "local-1"};
  std::vector<Event> out;
  std::vector<AttemptStarted> open;
  int64_t t = start_micros;
  uint64_t request = 0;
  while (out.size() < count) {
    Event e;
    e.seq = out.size() + 1;
    t += static_cast<int64_t>(pick(2'000'000));
    if (pick(500) == 0) t += 9 * 24 * 3600 * int64_t{1'000'000};  // jump ~9 days
    e.time_micros = t;
    int32_t period = PeriodOf(t) + static_cast<int32_t>(pick(3)) - 1;  // some stale
    size_t roll = pick(100);
    if (roll < 35 || open.empty()) {
      AttemptStarted a;
      a.request_id = "req-" + std::to_string(seed) + "-" + std::to_string(++request) +
                     "-0123456789abcdef";
      a.attempt = 1 + static_cast<uint32_t>(pick(3));
      a.deployment = deployments[pick(5)];
      a.model_group = models[pick(4)];
      a.tag = tags[pick(4)];
      a.tier = tiers[pick(4)];
      a.reserved_nanos = static_cast<NanoUsd>(pick(1'000'000));
      if (pick(200) == 0 && !open.empty()) a = open[pick(open.size())];  // duplicate
      open.push_back(a);
      e.body = a;
    } else if (roll < 65) {
      size_t i = pick(open.size());
      AttemptFinished f = Finish(open[i], static_cast<NanoUsd>(pick(800'000)));
      if (pick(100) == 0) f.request_id += "-unknown";
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
      e.body = f;
    } else if (roll < 68) {
      size_t i = pick(open.size());
      ReservationExpired x;
      x.request_id = open[i].request_id;
      x.attempt = open[i].attempt;
      x.reserved_nanos = open[i].reserved_nanos;
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
      e.body = x;
    } else if (roll < 80) {
      ScopeKind kind = static_cast<ScopeKind>(pick(4));
      // Odd keys too: a stray key on global, an empty tag.
      std::string key = kind == ScopeKind::kGlobal ? (pick(20) == 0 ? "stray" : "")
                        : kind == ScopeKind::kModel ? models[pick(4)]
                                                    : tags[pick(4)];
      e.body = BudgetEvent(rng, kind, key, period);
    } else if (roll < 88) {
      e.body = StateChange(deployments[pick(5)], static_cast<DeploymentState>(pick(7)),
                           pick(2) ? t + 30'000'000 : 0);
    } else if (roll < 91) {
      Recovered r;
      r.deployment = deployments[pick(5)];
      r.confirmed_by = static_cast<RecoveryConfirmation>(pick(6));
      e.body = r;
    } else if (roll < 95) {
      HealthProbe h;
      h.deployment = deployments[pick(5)];
      h.ok = pick(2) == 0;
      e.body = h;
    } else if (roll < 96) {
      ConfigApplied c;
      c.sha256_hex = std::to_string(rng());
      e.body = c;
    } else {
      RequestAccepted r;
      r.request_id = "x";
      e.body = r;
    }
    out.push_back(std::move(e));
  }
  return out;
}

// Spend and reserved recounted naively from the events.
void ExpectTotalsMatchRecount(const std::vector<Event>& events, const Projection& p) {
  std::map<std::pair<int32_t, ScopeId>, NanoUsd> spend;
  for (const Event& e : events) {
    if (const auto* f = std::get_if<AttemptFinished>(&e.body)) {
      int32_t period = PeriodOf(e.time_micros, p.period_kind());
      if (f->cost_nanos == 0) continue;
      if (!f->model_group.empty()) spend[{period, ScopeId::Model(f->model_group)}] += f->cost_nanos;
      if (!f->tag.empty()) spend[{period, ScopeId::Tag(f->tag)}] += f->cost_nanos;
      if (!f->tier.empty()) spend[{period, ScopeId::Tier(f->tier)}] += f->cost_nanos;
      spend[{period, ScopeId::Global()}] += f->cost_nanos;
    }
  }
  EXPECT_EQ(spend, p.spend());
  NanoUsd open_total = 0;
  for (const auto& [key, r] : p.open_reservations()) open_total += r.reserved_nanos;
  EXPECT_EQ(p.Reserved(ScopeId::Global()), open_total);
}

TEST(ProjectionProperty, SnapshotPlusTailEqualsFullReplay) {
  for (uint64_t seed : {1u, 2u, 3u, 42u, 2026u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    PeriodKind kind = seed % 2 ? PeriodKind::kMonth : PeriodKind::kDay;
    std::vector<Event> events = RandomStream(seed, 6000, MicrosFromCivil(2026, 10, 28));
    std::mt19937_64 rng(seed * 7919);
    std::vector<size_t> cuts = {0, events.size()};
    for (int i = 0; i < 6; ++i) cuts.push_back(rng() % events.size());
    std::sort(cuts.begin(), cuts.end());

    Projection full(kind);
    for (const Event& e : events) full.Apply(e);
    ExpectTotalsMatchRecount(events, full);
    EXPECT_GT(full.anomalies().unknown_releases, 0u);  // the stream exercises them
    EXPECT_GT(full.anomalies().stale_gate_events, 0u);
    EXPECT_FALSE(full.open_reservations().empty());

    Projection incremental(kind);
    size_t folded = 0;
    for (size_t cut : cuts) {
      for (; folded < cut; ++folded) incremental.Apply(events[folded]);
      std::string bytes = incremental.Serialize();
      Result<Projection> loaded = Projection::Deserialize(bytes);
      ASSERT_OK(loaded);
      ASSERT_TRUE(*loaded == incremental) << "cut " << cut << "\n"
                                          << loaded->DebugString() << "\n"
                                          << incremental.DebugString();
      EXPECT_EQ(loaded->Serialize(), bytes);  // deterministic bytes
      Projection resumed = std::move(loaded).value();
      for (size_t i = cut; i < events.size(); ++i) resumed.Apply(events[i]);
      ASSERT_TRUE(resumed == full) << "cut " << cut;
    }
    EXPECT_TRUE(incremental == full);
  }
}

TEST(ProjectionProperty, EqualityNoticesEveryPart) {
  std::vector<Event> events = RandomStream(9, 3000, MicrosFromCivil(2026, 11, 2));
  for (Event& e : events) e.seq = 0;  // so that a fold may skip one
  Projection full;
  for (const Event& e : events) full.Apply(e);
  // Dropping any single state-changing event changes the result.
  std::mt19937_64 rng(9);
  int differing = 0;
  for (int i = 0; i < 40; ++i) {
    size_t skip = rng() % events.size();
    if (std::holds_alternative<RequestAccepted>(events[skip].body)) continue;
    Projection p;
    for (size_t j = 0; j < events.size(); ++j) {
      if (j != skip) p.Apply(events[j]);
    }
    differing += p == full ? 0 : 1;
  }
  EXPECT_GT(differing, 20);
}

// ---- Snapshot bytes -------------------------------------------------------

TEST(ProjectionSnapshot, RejectsBadBytes) {
  std::vector<Event> events = RandomStream(5, 2000, kNov1);
  Projection p;
  for (const Event& e : events) p.Apply(e);
  std::string bytes = p.Serialize();
  EXPECT_TRUE(Projection::Deserialize("").status().IsCorruption());
  EXPECT_TRUE(Projection::Deserialize("1234567").status().IsCorruption());
  EXPECT_TRUE(Projection::Deserialize(std::string(16, '\xff')).status().IsCorruption());
  EXPECT_TRUE(Projection::Deserialize(bytes.substr(0, bytes.size() / 2)).status().IsCorruption());
  EXPECT_TRUE(Projection::Deserialize(bytes + std::string(8, '\0')).status().IsCorruption());
  // Random damage never crashes; when it still parses, it is a consistent
  // projection that serializes again.
  std::mt19937_64 rng(5);
  int rejected = 0;
  for (int i = 0; i < 300; ++i) {
    std::string damaged = bytes;
    for (int k = 0; k < 4; ++k) damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
    Result<Projection> r = Projection::Deserialize(damaged);
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
      ++rejected;
    } else {
      EXPECT_OK(Projection::Deserialize(r->Serialize()));
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(ProjectionSnapshot, RejectsInconsistentContent) {
  auto bytes_of = [](capnp::MallocMessageBuilder& m) {
    auto words = capnp::messageToFlatArray(m);
    return std::string(reinterpret_cast<const char*>(words.asBytes().begin()),
                       words.asBytes().size());
  };
  {  // a reserved total with no open reservation behind it
    capnp::MallocMessageBuilder m;
    auto root = m.initRoot<schema::ProjectionSnapshot>();
    auto r = root.initReserved(1)[0];
    r.initScope().setKind(schema::ScopeKind::GLOBAL);
    r.setReservedNanos(5);
    Status s = Projection::Deserialize(bytes_of(m)).status();
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_NE(s.message().find("reserved"), std::string::npos) << s.ToString();
  }
  {  // duplicate keys
    capnp::MallocMessageBuilder m;
    auto root = m.initRoot<schema::ProjectionSnapshot>();
    auto list = root.initDeployments(2);
    list[0].setDeployment("a");
    list[1].setDeployment("a");
    EXPECT_TRUE(Projection::Deserialize(bytes_of(m)).status().IsCorruption());
  }
  {  // unknown enum value, global scope with a key, future format
    capnp::MallocMessageBuilder m;
    auto root = m.initRoot<schema::ProjectionSnapshot>();
    root.initDeployments(1)[0].setState(static_cast<schema::DeploymentState>(42));
    EXPECT_TRUE(Projection::Deserialize(bytes_of(m)).status().IsCorruption());
    root.initDeployments(0);
    auto alert = root.initAlertsFired(1)[0];
    alert.initScope().setKind(schema::ScopeKind::GLOBAL);
    alert.getScope().setKey("x");
    EXPECT_TRUE(Projection::Deserialize(bytes_of(m)).status().IsCorruption());
    root.initAlertsFired(0);
    EXPECT_OK(Projection::Deserialize(bytes_of(m)));
    root.setFormatVersion(2);
    EXPECT_TRUE(Projection::Deserialize(bytes_of(m)).status().IsCorruption());
  }
}

// ---- LoadProjection on an in-memory Ledger --------------------------------

// Holds events and snapshots in vectors; enough of ledger/ledger.h for
// LoadProjection and MaybeSnapshot.
class MemoryLedger : public Ledger {
 public:
  using Ledger::Append;
  Result<uint64_t> Append(std::vector<Event> events) override {
    uint64_t first = events_.size() + 1;
    for (Event& e : events) {
      e.seq = events_.size() + 1 + skip_;
      events_.push_back(std::move(e));
    }
    return first;
  }
  uint64_t LastSeq() const override { return events_.empty() ? 0 : events_.back().seq; }
  int64_t LastTimeMicros() const override {
    return events_.empty() ? 0 : events_.back().time_micros;
  }
  std::unique_ptr<EventIterator> Scan(const ScanOptions& options) override {
    return std::make_unique<Iter>(this, options.seq_min, options.seq_max);
  }
  Result<std::vector<Event>> ReadRequest(const std::string&) override {
    return Status::NotFound("not kept");
  }
  Result<Event> Get(uint64_t seq) override {
    if (seq == 0 || seq > events_.size()) return Status::NotFound("seq");
    return events_[seq - 1];
  }
  Result<ChainReport> VerifyChain() override { return ChainReport{}; }
  Status PutSnapshot(uint64_t seq, std::string_view bytes) override {
    snapshots_[seq] = std::string(bytes);
    return Status::Ok();
  }
  Result<std::pair<uint64_t, std::string>> LatestSnapshot(uint64_t seq_max) override {
    auto it = snapshots_.upper_bound(seq_max);
    if (it == snapshots_.begin()) return Status::NotFound("no snapshot");
    --it;
    ++latest_snapshot_reads_;
    return std::pair<uint64_t, std::string>(it->first, it->second);
  }
  Result<LedgerStats> Stats() override { return LedgerStats{}; }

  std::map<uint64_t, std::string> snapshots_;
  uint64_t skip_ = 0;  // makes the next appends leave a gap
  int latest_snapshot_reads_ = 0;

 private:
  class Iter : public EventIterator {
   public:
    Iter(MemoryLedger* ledger, uint64_t seq_min, uint64_t seq_max)
        : ledger_(ledger), seq_min_(seq_min), seq_max_(seq_max) {}
    void SeekToFirst() override {
      i_ = 0;
      while (i_ < ledger_->events_.size() && ledger_->events_[i_].seq < seq_min_) ++i_;
    }
    bool Valid() const override {
      return i_ < ledger_->events_.size() && ledger_->events_[i_].seq <= seq_max_;
    }
    void Next() override { ++i_; }
    const Event& event() const override { return ledger_->events_[i_]; }
    // The stored form, as a real ledger returns it (a replay may read only
    // this and decode it on another thread).
    std::string_view raw() const override {
      raw_ = EncodeEvent(ledger_->events_[i_]);
      return raw_;
    }
    Status status() const override { return Status::Ok(); }

   private:
    MemoryLedger* ledger_;
    uint64_t seq_min_;
    uint64_t seq_max_;
    size_t i_ = 0;
    mutable std::string raw_;
  };
  std::vector<Event> events_;
};

TEST(LoadProjection, SnapshotsPlusTailEqualIncremental) {
  std::vector<Event> events = RandomStream(77, 5000, kNov1);
  MemoryLedger ledger;
  Projection live;
  Snapshotter snapshotter(ledger, 700);
  for (size_t i = 0; i < events.size(); i += 50) {  // appended in batches of 50
    std::vector<Event> batch(events.begin() + static_cast<std::ptrdiff_t>(i),
                             events.begin() + static_cast<std::ptrdiff_t>(i + 50));
    ASSERT_OK(ledger.Append(batch));
    for (const Event& e : batch) live.Apply(e);
    ASSERT_OK(snapshotter.Maybe(live));
  }
  EXPECT_EQ(ledger.snapshots_.size(), 7u);  // 700, 1400, ... 4900 (batch ends)
  EXPECT_EQ(ledger.latest_snapshot_reads_, 0);  // Snapshotter remembers

  LoadStats stats;
  uint64_t progress_last = 0;
  LoadOptions options;
  options.stats = &stats;
  options.progress_every_events = 10;
  options.on_progress = [&](uint64_t done) { progress_last = done; };
  Result<Projection> loaded = LoadProjection(ledger, options);
  ASSERT_OK(loaded);
  EXPECT_TRUE(*loaded == live) << loaded->DebugString() << "\n" << live.DebugString();
  EXPECT_EQ(stats.snapshot_seq, 4900u);
  EXPECT_EQ(stats.events_replayed, 100u);
  EXPECT_EQ(progress_last, 100u);
  EXPECT_TRUE(stats.snapshot_problem.empty());
  // Small chunks so that the decode-ahead thread runs over odd boundaries.
  options.decode_ahead_chunk_events = 7;
  loaded = LoadProjection(ledger, options);
  ASSERT_OK(loaded);
  EXPECT_TRUE(*loaded == live);
  EXPECT_EQ(stats.events_replayed, 100u);

  // A corrupt latest snapshot costs a full replay, not a wrong state.
  ledger.snapshots_.rbegin()->second[10] ^= 0x55;
  ledger.snapshots_.rbegin()->second.resize(24);
  loaded = LoadProjection(ledger, options);
  ASSERT_OK(loaded);
  EXPECT_TRUE(*loaded == live);
  EXPECT_EQ(stats.snapshot_seq, 0u);
  EXPECT_EQ(stats.events_replayed, 5000u);
  EXPECT_EQ(progress_last, 5000u);
  EXPECT_FALSE(stats.snapshot_problem.empty());
  for (uint64_t chunk : {0u, 1u, 333u, 2499u, 2500u, 4999u}) {
    options.decode_ahead_chunk_events = chunk;
    loaded = LoadProjection(ledger, options);
    ASSERT_OK(loaded);
    EXPECT_TRUE(*loaded == live) << "chunk " << chunk;
    EXPECT_EQ(stats.events_replayed, 5000u);
  }

  // A snapshot of another period kind is not used either.
  Result<Projection> daily = LoadProjection(ledger, PeriodKind::kDay);
  ASSERT_OK(daily);
  EXPECT_EQ(daily->period_kind(), PeriodKind::kDay);
  EXPECT_EQ(daily->last_seq(), 5000u);
}

TEST(LoadProjection, MaybeSnapshotEveryEvents) {
  MemoryLedger ledger;
  Projection live;
  std::vector<Event> events = RandomStream(3, 250, kNov1);
  for (const Event& e : events) {
    ASSERT_OK(ledger.Append(e));
    live.Apply(e);
    ASSERT_OK(MaybeSnapshot(ledger, live, 100));
  }
  ASSERT_EQ(ledger.snapshots_.size(), 2u);
  EXPECT_EQ(ledger.snapshots_.begin()->first, 100u);
  Result<Projection> at200 = Projection::Deserialize(ledger.snapshots_.rbegin()->second);
  ASSERT_OK(at200);
  EXPECT_EQ(at200->last_seq(), 200u);
  Result<Projection> loaded = LoadProjection(ledger);
  ASSERT_OK(loaded);
  EXPECT_TRUE(*loaded == live);
}

TEST(LoadProjection, GapInTheLogIsCorruption) {
  MemoryLedger ledger;
  std::vector<Event> events = RandomStream(4, 20, kNov1);
  ASSERT_OK(ledger.Append(std::vector<Event>(events.begin(), events.begin() + 10)));
  ledger.skip_ = 1;
  ASSERT_OK(ledger.Append(std::vector<Event>(events.begin() + 10, events.end())));
  for (uint64_t chunk : {0u, 1u, 3u, 4u, 5u}) {
    LoadOptions options;
    options.decode_ahead_chunk_events = chunk;
    Result<Projection> loaded = LoadProjection(ledger, options);
    EXPECT_TRUE(loaded.status().IsCorruption()) << chunk << " " << loaded.status().ToString();
  }
}

// ---- LoadProjection on the RocksDB ledger ---------------------------------

// Appends `events` in batches of 1..max_batch (seqs as the ledger assigns
// them), folding each into *live and offering it to the snapshotter.
void AppendAndFold(Ledger& ledger, std::vector<Event> events, std::mt19937_64& rng,
                   size_t max_batch, Projection* live, Snapshotter* snapshotter) {
  size_t i = 0;
  while (i < events.size()) {
    size_t n = std::min(events.size() - i, 1 + static_cast<size_t>(rng() % max_batch));
    std::vector<Event> batch(events.begin() + static_cast<std::ptrdiff_t>(i),
                             events.begin() + static_cast<std::ptrdiff_t>(i + n));
    Result<uint64_t> first = ledger.Append(batch);
    ASSERT_OK(first);
    for (size_t k = 0; k < n; ++k) {
      batch[k].seq = *first + k;
      live->Apply(batch[k]);
    }
    ASSERT_OK(snapshotter->Maybe(*live));
    i += n;
  }
}

TEST(LoadProjectionStore, RestartEqualsLive) {
  testing::TempDir dir;
  std::vector<Event> events = RandomStream(11, 8000, kNov1);
  std::vector<Event> head(events.begin(), events.begin() + 6000);
  std::vector<Event> tail(events.begin() + 6000, events.end());
  std::mt19937_64 rng(11);
  Projection live;
  {
    Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(dir.Sub("ledger"), LedgerOptions{});
    ASSERT_OK(ledger);
    Snapshotter snapshotter(**ledger, 1000);
    AppendAndFold(**ledger, head, rng, 100, &live, &snapshotter);
    ASSERT_GE(snapshotter.snapshot_seq(), 5000u);
    LoadStats stats;
    LoadOptions options;
    options.stats = &stats;
    Result<Projection> loaded = LoadProjection(**ledger, options);
    ASSERT_OK(loaded);
    EXPECT_TRUE(*loaded == live) << loaded->DebugString() << "\n" << live.DebugString();
    EXPECT_EQ(stats.snapshot_seq, snapshotter.snapshot_seq());
    EXPECT_EQ(stats.snapshot_seq + stats.events_replayed, 6000u);
  }
  // Restart: the reopened ledger gives the live state, and folding goes on.
  Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(dir.Sub("ledger"), LedgerOptions{});
  ASSERT_OK(ledger);
  Result<Projection> restarted = LoadProjection(**ledger);
  ASSERT_OK(restarted);
  ASSERT_TRUE(*restarted == live);
  Projection resumed = std::move(restarted).value();
  Snapshotter snapshotter(**ledger, 1000);
  AppendAndFold(**ledger, tail, rng, 100, &live, &snapshotter);
  LoadStats stats;
  LoadOptions options;
  options.stats = &stats;
  Result<Projection> loaded = LoadProjection(**ledger, options);
  ASSERT_OK(loaded);
  EXPECT_TRUE(*loaded == live);
  EXPECT_GT(stats.snapshot_seq, 6000u);

  // A damaged newest snapshot: replay from seq 1, same state, with and
  // without the decode-ahead thread.
  ASSERT_OK((*ledger)->PutSnapshot((*ledger)->LastSeq(), "not a snapshot at all!!"));
  for (uint64_t chunk : {0u, 500u, 65536u}) {
    options.decode_ahead_chunk_events = chunk;
    loaded = LoadProjection(**ledger, options);
    ASSERT_OK(loaded);
    EXPECT_TRUE(*loaded == live) << "chunk " << chunk;
    EXPECT_EQ(stats.snapshot_seq, 0u);
    EXPECT_EQ(stats.events_replayed, 8000u);
    EXPECT_FALSE(stats.snapshot_problem.empty());
  }

  // The tail folded onto the restarted projection gives the same state too.
  for (uint64_t seq = resumed.last_seq() + 1; seq <= (*ledger)->LastSeq(); ++seq) {
    Result<Event> e = (*ledger)->Get(seq);
    ASSERT_OK(e);
    resumed.Apply(*e);
  }
  EXPECT_TRUE(resumed == live);
}


}  // namespace
}  // namespace ukairo::ledger
