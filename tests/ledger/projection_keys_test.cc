// Goal: client keys and teams are a projection like every other state:
// issued / updated / revoked keys and created / updated teams fold to the
// state the events describe, a keyed request's settled cost is booked to its
// key and team scopes (and nothing else changes), and a snapshot carries
// all of it so that a loaded projection equals the live one.
#include <gtest/gtest.h>

#include "ledger/projection.h"
#include "tests/ledger/projection_test_util.h"

namespace ukairo::ledger {
namespace {

KeyIssued Issue(std::string id, std::string team, NanoUsd budget_nanos) {
  KeyIssued k;
  k.key_id = std::move(id);
  k.key_prefix = "sk-uk-" + k.key_id.substr(0, 4);
  k.secret_sha256_hex = std::string(64, 'a');
  k.settings.team_id = std::move(team);
  k.settings.max_budget_nanos = budget_nanos;
  k.actor = "admin";
  return k;
}

RequestAccepted Accept(std::string req, std::string key_id) {
  RequestAccepted a;
  a.request_id = std::move(req);
  a.tag = "t";
  a.client_key_id = std::move(key_id);
  return a;
}

RequestCompleted Complete(std::string req) {
  RequestCompleted c;
  c.request_id = std::move(req);
  c.http_status = 200;
  return c;
}

Stream KeyedTraffic() {
  Stream s(kNov1 + 1000);
  TeamCreated team;
  team.team_id = "platform";
  team.settings.max_budget_nanos = 900;
  s.Add(team);
  s.Add(Issue("k-aaaa", "platform", 500));
  s.Add(Issue("k-bbbb", "", -1));
  s.Add(Accept("r1", "k-aaaa"));
  const AttemptStarted a1 = Start("r1", 1, "gpt", "t", "gold", 100);
  s.Add(a1);
  s.Add(Finish(a1, 70));
  s.Add(Complete("r1"));
  s.Add(Accept("r2", "k-bbbb"));
  const AttemptStarted a2 = Start("r2", 1, "gpt", "t", "gold", 100);
  s.Add(a2);
  s.Add(Finish(a2, 30));
  s.Add(Complete("r2"));
  s.Add(Accept("r3", "master"));  // the master key: no scope of its own
  const AttemptStarted a3 = Start("r3", 1, "gpt", "t", "gold", 100);
  s.Add(a3);
  s.Add(Finish(a3, 5));
  s.Add(Complete("r3"));
  s.Add(Accept("r4", "k-aaaa"));  // still in flight at the end
  return s;
}

TEST(ProjectionKeys, KeyedSpendGoesToKeyAndTeamScopes) {
  const Projection p = KeyedTraffic().Fold();
  EXPECT_EQ(p.Spent({ScopeKind::kKey, "k-aaaa"}, kNov), 70);
  EXPECT_EQ(p.Spent({ScopeKind::kKey, "k-bbbb"}, kNov), 30);
  EXPECT_EQ(p.Spent({ScopeKind::kTeam, "platform"}, kNov), 70);
  EXPECT_EQ(p.Spent({ScopeKind::kKey, "master"}, kNov), 0);
  EXPECT_EQ(p.Spent(ScopeId::Global(), kNov), 105);
  ASSERT_EQ(p.request_keys().size(), 1u);
  EXPECT_EQ(p.request_keys().at("r4"), "k-aaaa");
  EXPECT_TRUE(p.WithinLimits());
}

TEST(ProjectionKeys, UpdateReplacesSettingsRevokeIsFinal) {
  Stream s = KeyedTraffic();
  KeyUpdated u;
  u.key_id = "k-aaaa";
  u.settings.team_id = "";
  u.settings.max_budget_nanos = 1000;
  u.settings.models = {"gpt"};
  s.Add(u);
  s.Add(KeyRevoked{"k-bbbb", "admin", "leaked"});
  s.Add(KeyRevoked{"k-bbbb", "admin", "again"});      // ignored, counted
  s.Add(KeyRevoked{"k-nope", "admin", ""});           // unknown, counted
  s.Add(Issue("k-aaaa", "other", 1));                 // a second issue, counted
  TeamUpdated t;
  t.team_id = "platform";
  t.settings.max_budget_nanos = 2000;
  s.Add(t);
  const Projection p = s.Fold();
  ASSERT_NE(p.Key("k-aaaa"), nullptr);
  EXPECT_EQ(p.Key("k-aaaa")->settings, u.settings);
  EXPECT_FALSE(p.Key("k-aaaa")->revoked);
  EXPECT_EQ(p.Key("k-aaaa")->created_by, "admin");
  ASSERT_NE(p.Key("k-bbbb"), nullptr);
  EXPECT_TRUE(p.Key("k-bbbb")->revoked);
  EXPECT_EQ(p.Key("k-nope"), nullptr);
  EXPECT_EQ(p.anomalies().key_events_ignored, 3u);
  EXPECT_EQ(p.Team("platform")->settings.max_budget_nanos, 2000);
}

TEST(ProjectionKeys, SnapshotCarriesKeysTeamsAndKeyedRequests) {
  const Projection p = KeyedTraffic().Fold();
  Result<Projection> back = Projection::Deserialize(p.Serialize());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p) << back->DebugString() << "\nvs\n" << p.DebugString();
  EXPECT_EQ(back->Serialize(), p.Serialize());
  // The request still in flight books to its key after the reload too.
  Projection live = p;
  Projection loaded = *back;
  const AttemptStarted a = Start("r4", 1, "gpt", "t", "gold", 100);
  Event e;
  e.time_micros = kNov1 + 5000;
  e.body = a;
  live.Apply(e);
  loaded.Apply(e);
  e.body = Finish(a, 11);
  live.Apply(e);
  loaded.Apply(e);
  EXPECT_EQ(loaded.Spent({ScopeKind::kKey, "k-aaaa"}, kNov), 81);
  EXPECT_EQ(loaded, live);
}

}  // namespace
}  // namespace ukairo::ledger
