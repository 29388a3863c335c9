// Goal: client keys and teams in the core (issue #13): a keyed request is
// refused before anything is recorded when its key is unknown, revoked or
// expired (401), names a model the key may not use (403, as LiteLLM), or
// is past the key's or team's rpm (429 + Retry-After) or budget (429
// budget_exceeded naming the scope and its reset); the default tag applies;
// concurrent reservations never let settled spend pass a key's budget; key
// alerts fire once per period. Method: the seed config in virtual time.
#include <gtest/gtest.h>

#include "ledger/sha256.h"
#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

using ledger::ScopeKind;

// sonnet: 1000 in + 1000 max out reserves $0.018; 1000 in + 500 out costs $0.0105.
constexpr int64_t kSonnetReserve = 18'000'000;
constexpr int64_t kSonnetCost = 10'500'000;
constexpr int32_t kNov = 202611;

ledger::KeyIssued Key(std::string id, NanoUsd budget_nanos = -1) {
  ledger::KeyIssued k;
  k.key_id = std::move(id);
  k.key_prefix = "sk-uk-" + k.key_id;
  k.secret_sha256_hex = std::string(64, '0');
  k.settings.max_budget_nanos = budget_nanos;
  k.actor = "test";
  return k;
}

class Keys : public ::testing::Test {
 protected:
  Keys() : h_(SeedConfig()) {}
  Status Change(const KeyChange& change) {
    Status status;
    h_.Collect([&](Actions& a) { status = h_.core().OnKeyChange(change, h_.now(), a); });
    return status;
  }
  const Actions& Send(const std::string& id, const std::string& key_id,
                      const std::string& tag = "Build", const std::string& model = "",
                      int64_t max_output_tokens = 1000) {
    RequestInput in;
    in.request_id = id;
    in.tag = tag;
    in.requested_model = model;
    in.client_key_id = key_id;
    in.input_tokens = 1000;
    in.max_output_tokens = max_output_tokens;
    return h_.Collect([&](Actions& a) { h_.core().OnRequest(in, h_.now(), a); });
  }
  // The refusal of `id`, which must have recorded nothing.
  const Respond& Refused(const std::string& id, uint32_t status) {
    EXPECT_TRUE(h_.last().events.empty()) << id;
    EXPECT_TRUE(h_.last().sends.empty()) << id;
    const Respond* r = h_.Response(id);
    EXPECT_NE(r, nullptr) << id;
    if (r != nullptr) {
      EXPECT_EQ(r->http_status, status) << id << ": " << r->error.message;
    }
    return *r;
  }
  Harness h_;
};

TEST_F(Keys, UnknownRevokedAndExpiredKeysAre401AndRecordNothing) {
  ASSERT_TRUE(Change(Key("k-live")).ok());
  ledger::KeyIssued expiring = Key("k-old");
  expiring.settings.expires_micros = h_.now() + Seconds(10);
  ASSERT_TRUE(Change(expiring).ok());
  ASSERT_TRUE(Change(Key("k-gone")).ok());
  ASSERT_TRUE(Change(ledger::KeyRevoked{"k-gone", "test", "leaked"}).ok());

  Send("r-unknown", "k-nope");
  EXPECT_EQ(Refused("r-unknown", 401).error.code, "invalid_api_key");
  Send("r-revoked", "k-gone");
  EXPECT_NE(Refused("r-revoked", 401).error.message.find("revoked"), std::string::npos);
  Send("r-old-ok", "k-old");
  EXPECT_EQ(h_.SentTo("r-old-ok"), "sonnet-1");
  h_.Advance(Seconds(10));
  Send("r-expired", "k-old");
  EXPECT_NE(Refused("r-expired", 401).error.message.find("expired"), std::string::npos);
  Send("r-live", "k-live");
  EXPECT_EQ(h_.SentTo("r-live"), "sonnet-1");
  EXPECT_EQ(h_.Events<ledger::RequestAccepted>().back().client_key_id, "k-live");
  // The master key is no client key: no checks.
  Send("r-master", std::string(kMasterKeyId));
  EXPECT_EQ(h_.SentTo("r-master"), "sonnet-1");
  EXPECT_EQ(h_.core().stats().refused_by_key, 3u);
  h_.ExpectProjectionMatchesLog();
}

TEST_F(Keys, RevocationTakesEffectOnTheNextRequest) {
  ASSERT_TRUE(Change(Key("k-1")).ok());
  Send("r1", "k-1");
  EXPECT_EQ(h_.SentTo("r1"), "sonnet-1");
  ASSERT_TRUE(Change(ledger::KeyRevoked{"k-1", "test", ""}).ok());
  Send("r2", "k-1");
  Refused("r2", 401);
  // The request in flight finishes and is booked to its key.
  h_.Ok("r1");
  EXPECT_EQ(h_.core().projection().Spent({ScopeKind::kKey, "k-1"}, kNov), kSonnetCost);
}

TEST_F(Keys, ModelsTheKeyMayNotUseAre403BeforeRouting) {
  ledger::KeyIssued k = Key("k-flash");
  k.settings.models = {"gemini-flash", "economy"};
  ASSERT_TRUE(Change(k).ok());
  Send("r-opus", "k-flash", "Build", "claude-opus");
  const Respond& r = Refused("r-opus", 403);
  EXPECT_EQ(r.error.code, "key_model_access_denied");
  EXPECT_NE(r.error.message.find("gemini-flash"), std::string::npos);
  Send("r-by-tag", "k-flash", "Build", "");  // the build tier starts at sonnet
  Refused("r-by-tag", 403);
  Send("r-flash", "k-flash", "Build", "gemini-flash");
  EXPECT_EQ(h_.SentTo("r-flash"), "flash-1");
  Send("r-tier", "k-flash", "Chores", "");  // economy, allowed by its tier name
  EXPECT_EQ(h_.SentTo("r-tier"), "flash-1");
}

TEST_F(Keys, DefaultTagAppliesWhenTheClientSendsNone) {
  ledger::KeyIssued k = Key("k-ci");
  k.settings.default_tag = "Chores";
  ASSERT_TRUE(Change(k).ok());
  Send("r1", "k-ci", "");
  EXPECT_EQ(h_.SentTo("r1"), "flash-1");
  EXPECT_EQ(h_.Events<ledger::RequestAccepted>().back().tag, "Chores");
  Send("r2", "k-ci", "Spec");  // an explicit tag wins
  EXPECT_EQ(h_.SentTo("r2"), "opus-1");
}

TEST_F(Keys, ConcurrentRequestsNeverSettleAboveTheKeyBudget) {
  // Room for 3 reservations; 10 requests arrive before any answer.
  ASSERT_TRUE(Change(Key("k-b", 3 * kSonnetReserve + 1)).ok());
  std::vector<std::string> sent;
  for (int i = 0; i < 10; ++i) {
    const std::string id = "r" + std::to_string(i);
    Send(id, "k-b", "Build", "claude-sonnet");
    if (h_.SentTo(id) == "sonnet-1") sent.push_back(id);
  }
  EXPECT_EQ(sent.size(), 3u);
  for (const std::string& id : sent) h_.Ok(id, 1000, 1000);  // the worst case
  const NanoUsd spent = h_.core().projection().Spent({ScopeKind::kKey, "k-b"}, kNov);
  EXPECT_EQ(spent, 3 * kSonnetReserve);
  EXPECT_LE(spent, 3 * kSonnetReserve + 1);
  h_.ExpectProjectionMatchesLog();
}

TEST_F(Keys, ExhaustedKeyOrTeamBudgetIs429NamingScopeAndReset) {
  ledger::TeamCreated team{"platform", {}, "test"};
  team.settings.max_budget_nanos = 2 * kSonnetCost;
  ASSERT_TRUE(Change(team).ok());
  ledger::KeyIssued k = Key("k-a", kUsd);
  k.settings.team_id = "platform";
  ASSERT_TRUE(Change(k).ok());
  for (const char* id : {"r1", "r2"}) {
    // 500 tokens out at most: the reservation is the cost, so both fit.
    Send(id, "k-a", "Build", "claude-sonnet", 500);
    EXPECT_EQ(h_.SentTo(id), "sonnet-1");
    h_.Ok(id);
  }
  EXPECT_EQ(h_.core().projection().Spent({ScopeKind::kTeam, "platform"}, kNov), 2 * kSonnetCost);
  Send("r3", "k-a", "Build", "claude-sonnet");
  const Respond& r = Refused("r3", 429);
  EXPECT_EQ(r.error.code, "budget_exceeded");
  EXPECT_NE(r.error.message.find("team 'platform'"), std::string::npos) << r.error.message;
  EXPECT_NE(r.error.message.find("resets at 2026-12-01T00:00:00"), std::string::npos)
      << r.error.message;
  EXPECT_GT(r.retry_after_ms, 0);
  // Team alerts: 80, 90 and 100 % each once.
  std::vector<uint32_t> fired;
  for (const auto& a : h_.Events<ledger::BudgetAlert>()) {
    if (a.scope_kind == ScopeKind::kTeam) fired.push_back(a.threshold_pct);
  }
  EXPECT_EQ(fired, (std::vector<uint32_t>{80, 90, 100}));
}

TEST_F(Keys, RpmLimitIs429WithRetryAfterUntilTheWindowFrees) {
  ledger::KeyIssued k = Key("k-slow");
  k.settings.rpm_limit = 2;
  ASSERT_TRUE(Change(k).ok());
  Send("r1", "k-slow");
  Send("r2", "k-slow");
  Send("r3", "k-slow");
  const Respond& r = Refused("r3", 429);
  EXPECT_EQ(r.error.code, "rate_limit_exceeded");
  EXPECT_GT(r.retry_after_ms, 0);
  EXPECT_LE(r.retry_after_ms, 60'000);
  h_.Advance(Seconds(61));
  Send("r4", "k-slow");
  EXPECT_EQ(h_.SentTo("r4"), "sonnet-1");
}

TEST_F(Keys, ChangesAreCheckedAgainstTheCurrentState) {
  ASSERT_TRUE(Change(Key("k-1")).ok());
  EXPECT_EQ(Change(Key("k-1")).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(Change(ledger::KeyUpdated{"k-2", {}, "x"}).code(), Status::Code::kNotFound);
  EXPECT_EQ(Change(ledger::TeamUpdated{"t-1", {}, "x"}).code(), Status::Code::kNotFound);
  EXPECT_EQ(Change(Key("")).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(Change(ledger::KeyRevoked{"k-1", "x", ""}).ok());
  EXPECT_EQ(Change(ledger::KeyRevoked{"k-1", "x", ""}).code(), Status::Code::kNotFound);
  EXPECT_EQ(h_.Events<ledger::KeyIssued>().size(), 1u);
  EXPECT_EQ(h_.Events<ledger::KeyRevoked>().size(), 1u);
  h_.ExpectProjectionMatchesLog();
}

}  // namespace
}  // namespace ukairo::router::testing
