// The fold keeps scope totals in hashed slots and open reservations in a
// hash map with reused nodes (projection.h); these tests check that this
// is only a speed-up. Method: seeded random attempt streams (shared-prefix
// request ids, finishes naming other scopes than their reservation,
// unknown releases, duplicate starts, expiries, month changes and finishes
// out of period order) are folded by the Projection and by a plain
// std::map reference written here from SPEC §5, and the views, snapshots,
// copies and a fixed snapshot's bytes are compared.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ledger/projection.h"
#include "tests/ledger/projection_test_util.h"
#include "tests/util/test_util.h"

namespace ukairo::ledger {
namespace {

// The reference fold: the attempt rules of SPEC §5 on sorted maps.
struct Reference {
  std::map<std::pair<int32_t, ScopeId>, NanoUsd> spend;
  std::map<ScopeId, NanoUsd> reserved;
  std::map<Projection::ReservationKey, OpenReservation> open;
  ProjectionAnomalies anomalies;

  static std::vector<ScopeId> Scopes(const std::string& model, const std::string& tag,
                                     const std::string& tier) {
    std::vector<ScopeId> out;
    if (!model.empty()) out.push_back(ScopeId::Model(model));
    if (!tag.empty()) out.push_back(ScopeId::Tag(tag));
    if (!tier.empty()) out.push_back(ScopeId::Tier(tier));
    out.push_back(ScopeId::Global());
    return out;
  }
  bool Release(const std::string& id, uint32_t attempt) {
    auto it = open.find({id, attempt});
    if (it == open.end()) return false;
    for (const ScopeId& s : Scopes(it->second.model_group, it->second.tag, it->second.tier)) {
      reserved[s] -= it->second.reserved_nanos;
    }
    open.erase(it);
    return true;
  }
  void Apply(const Event& e) {
    if (const auto* a = std::get_if<AttemptStarted>(&e.body)) {
      if (Release(a->request_id, a->attempt)) ++anomalies.duplicate_reservations;
      open[{a->request_id, a->attempt}] = OpenReservation{
          a->deployment, a->model_group, a->tag, a->tier, a->reserved_nanos, e.time_micros};
      for (const ScopeId& s : Scopes(a->model_group, a->tag, a->tier)) {
        reserved[s] += a->reserved_nanos;
      }
    } else if (const auto* f = std::get_if<AttemptFinished>(&e.body)) {
      if (!Release(f->request_id, f->attempt)) ++anomalies.unknown_releases;
      if (f->cost_nanos == 0) return;
      int32_t period = PeriodOf(e.time_micros, PeriodKind::kMonth);
      for (const ScopeId& s : Scopes(f->model_group, f->tag, f->tier)) {
        spend[{period, s}] += f->cost_nanos;
      }
    } else if (const auto* x = std::get_if<ReservationExpired>(&e.body)) {
      if (!Release(x->request_id, x->attempt)) ++anomalies.unknown_releases;
    }
  }
};

void ExpectMatches(const Projection& p, const Reference& r) {
  EXPECT_EQ(p.spend(), r.spend);
  EXPECT_EQ(p.reserved(), r.reserved);
  EXPECT_EQ(p.open_reservations(), r.open);
  EXPECT_EQ(p.open_reservation_count(), r.open.size());
  EXPECT_EQ(p.anomalies(), r.anomalies);
  for (const auto& [key, nanos] : r.spend) EXPECT_EQ(p.Spent(key.second, key.first), nanos);
  for (const auto& [scope, nanos] : r.reserved) EXPECT_EQ(p.Reserved(scope), nanos);
}

// A stream where every rule the slots shortcut is exercised.
std::vector<Event> RandomAttempts(uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return rng() % n; };
  const std::vector<std::string> models = {"opus", "sonnet", "flash", ""};
  const std::vector<std::string> tags = {"Spec", "Build", "Review", ""};
  const std::vector<std::string> tiers = {"high", "low", ""};
  Stream s(kNov1);
  std::vector<AttemptStarted> open;
  for (int i = 0; i < count; ++i) {
    // Mostly forward in time across Nov -> Jan; sometimes a step back into
    // the previous period.
    if (pick(50) == 0) {
      s.Advance(-int64_t{20} * 86'400'000'000);
    } else {
      s.Advance(static_cast<int64_t>(pick(400'000'000)));
    }
    uint64_t what = pick(10);
    if (open.empty() || what < 4) {
      std::string id = "req-2026-11-27T12:00:00.000000-long-shared-prefix-" +
                       std::to_string(pick(what == 0 ? 8 : 1'000'000));
      AttemptStarted a = Start(id, static_cast<uint32_t>(1 + pick(2)), models[pick(4)],
                               tags[pick(4)], tiers[pick(3)], static_cast<NanoUsd>(pick(5000)));
      s.Add(a);
      open.push_back(a);
    } else {
      size_t k = pick(open.size());
      AttemptStarted a = open[k];
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(k));
      if (what == 9) {
        ReservationExpired x;
        x.request_id = a.request_id;
        x.attempt = a.attempt;
        x.reserved_nanos = a.reserved_nanos;
        s.Add(x);
        continue;
      }
      if (what == 8) a.request_id += "-unknown";  // unknown release, spend still counts
      AttemptFinished f = Finish(a, static_cast<NanoUsd>(pick(3) == 0 ? 0 : pick(9000)));
      // Finishes normally name the reservation's scopes; some do not.
      if (pick(6) == 0) f.model_group = models[pick(4)];
      if (pick(6) == 0) f.tag = tags[pick(4)];
      if (pick(6) == 0) f.tier = tiers[pick(3)];
      s.Add(f);
    }
  }
  return s.events();
}

TEST(ProjectionSlots, RandomStreamsMatchTheReferenceFold) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE(seed);
    std::vector<Event> events = RandomAttempts(seed, 3000);
    Projection p;
    Reference r;
    for (size_t i = 0; i < events.size(); ++i) {
      p.Apply(events[i]);
      r.Apply(events[i]);
      if (i % 500 == 0) ExpectMatches(p, r);
    }
    ExpectMatches(p, r);
    EXPECT_GT(r.anomalies.unknown_releases, 0u);
    EXPECT_GT(r.anomalies.duplicate_reservations, 0u);
    EXPECT_GT(r.spend.size(), 20u);
  }
}

TEST(ProjectionSlots, FinishInOtherScopesThanItsReservation) {
  Stream s(kNov1 + 1000);
  AttemptStarted a = Start("r1", 1, "opus", "Spec", "high", 500);
  s.Add(a);
  AttemptFinished f = Finish(a, 40);
  f.model_group = "flash";
  f.tag = "";
  f.tier = "low";
  s.Add(f);
  Projection p = s.Fold();
  // Released where it was reserved, spent where the finish says.
  EXPECT_EQ(p.Reserved(ScopeId::Model("opus")), 0);
  EXPECT_EQ(p.Reserved(ScopeId::Tag("Spec")), 0);
  EXPECT_EQ(p.Reserved(ScopeId::Global()), 0);
  EXPECT_EQ(p.Spent(ScopeId::Model("opus"), kNov), 0);
  EXPECT_EQ(p.Spent(ScopeId::Tag("Spec"), kNov), 0);
  EXPECT_EQ(p.Spent(ScopeId::Tier("high"), kNov), 0);
  EXPECT_EQ(p.Spent(ScopeId::Model("flash"), kNov), 40);
  EXPECT_EQ(p.Spent(ScopeId::Tier("low"), kNov), 40);
  EXPECT_EQ(p.Spent(ScopeId::Global(), kNov), 40);
  EXPECT_EQ(p.Reserved(ScopeId::Model("flash")), 0);
  EXPECT_EQ(p.reserved().count(ScopeId::Model("flash")), 0u);  // never reserved in
  EXPECT_EQ(p.reserved().size(), 4u);  // opus, Spec, high, global, all back at zero
  EXPECT_EQ(p.anomalies(), ProjectionAnomalies{});
}

TEST(ProjectionSlots, CopiesAndSnapshotsKeepFoldingLikeAFreshFold) {
  std::vector<Event> events = RandomAttempts(42, 4000);
  Projection full;
  for (const Event& e : events) full.Apply(e);

  Projection first;
  for (size_t i = 0; i < events.size() / 2; ++i) first.Apply(events[i]);
  Projection copied = first;      // copy construction
  Projection assigned;
  assigned = first;               // copy assignment
  Result<Projection> loaded = Projection::Deserialize(first.Serialize());
  ASSERT_OK(loaded.status());
  Projection moved = std::move(loaded).value();
  for (size_t i = events.size() / 2; i < events.size(); ++i) {
    first.Apply(events[i]);
    copied.Apply(events[i]);
    assigned.Apply(events[i]);
    moved.Apply(events[i]);
  }
  for (const Projection* p : {&first, &copied, &assigned, &moved}) {
    EXPECT_TRUE(*p == full) << p->DebugString() << "\nvs\n" << full.DebugString();
    EXPECT_EQ(p->Serialize(), full.Serialize());
  }
  // Scopes created in a different order still compare and serialize equal.
  EXPECT_EQ(Projection::Deserialize(full.Serialize()).value().Serialize(), full.Serialize());
}

// FNV-1a, to pin the snapshot bytes of a fixed stream.
uint64_t Fnv1a(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

TEST(ProjectionSlots, SnapshotBytesOfAFixedStreamAreUnchanged) {
  // Computed with the std::map projection before the slots (commit
  // fa0adef): equal projections must keep giving the same bytes, so that
  // stored snapshots still load and compare. Re-pinned when the snapshot
  // schema grew the key and team lists (ordinals 12-14) and
  // keyEventsIgnored: the same state, 88 bytes of new (empty) fields.
  std::vector<Event> events = RandomAttempts(7, 2000);
  Projection p;
  for (const Event& e : events) p.Apply(e);
  std::string bytes = p.Serialize();
  EXPECT_FALSE(p.open_reservations().empty());
  EXPECT_EQ(bytes.size(), 35168u);
  EXPECT_EQ(Fnv1a(bytes), 5664118451717242019ull);
}

}  // namespace
}  // namespace ukairo::ledger
