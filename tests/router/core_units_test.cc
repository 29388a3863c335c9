// Goal: the router core's small data structures behave exactly as their
// simple models: the sliding rpm/tpm window, the failure ring, the seeded
// PRNG and the compiled config index. Method: seeded fuzzing against naive
// reference implementations, plus a few known answers.
#include <gtest/gtest.h>

#include <deque>

#include "router/core/internal/core_index.h"
#include "router/core/internal/health.h"
#include "router/core/internal/rate_window.h"
#include "router/core/rng.h"
#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

TEST(RateWindow, MatchesNaiveSlidingMinute) {
  Rng rng(99);
  RateWindow window;
  struct Entry {
    int64_t micros, requests, tokens;
  };
  std::deque<Entry> all;
  int64_t now = 1'000'000'000;
  for (int i = 0; i < 20000; ++i) {
    // 0..3 s steps, and now and then a gap longer than the window.
    now += i % 500 == 0 ? 75'000'000 : static_cast<int64_t>(rng.Below(3'000'000));
    const int64_t req = static_cast<int64_t>(rng.Below(3));
    const int64_t tok = static_cast<int64_t>(rng.Below(1000));
    window.Add(now, req, tok);
    all.push_back({now, req, tok});
    // Naive: entries whose second is within the last 60 seconds.
    const int64_t now_s = now / 1'000'000;
    int64_t want_req = 0, want_tok = 0;
    for (const auto& e : all) {
      if (e.micros / 1'000'000 > now_s - 60) {
        want_req += e.requests;
        want_tok += e.tokens;
      }
    }
    while (!all.empty() && all.front().micros / 1'000'000 <= now_s - 60) all.pop_front();
    ASSERT_EQ(window.Requests(now), want_req) << i;
    ASSERT_EQ(window.Tokens(now), want_tok) << i;
    ASSERT_GT(window.NextExpiryMicros(now), now);
    // A query ahead of the newest add (the window slides on without adds),
    // and one behind it (a look back).
    for (int64_t at : {now + static_cast<int64_t>(rng.Below(70'000'000)),
                       now - static_cast<int64_t>(rng.Below(5'000'000))}) {
      const int64_t at_s = at / 1'000'000;
      int64_t at_req = 0, at_tok = 0;
      for (const auto& e : all) {
        const int64_t s = e.micros / 1'000'000;
        if (s > at_s - 60 && s <= at_s) {
          at_req += e.requests;
          at_tok += e.tokens;
        }
      }
      ASSERT_EQ(window.Requests(at), at_req) << i << " at " << at - now;
      ASSERT_EQ(window.Tokens(at), at_tok) << i << " at " << at - now;
    }
  }
}

TEST(RateWindow, ExpiryIsWhenTheOldestSecondLeaves) {
  RateWindow w;
  w.Add(10'500'000, 1, 0);  // second 10
  w.Add(20'000'000, 1, 0);
  EXPECT_EQ(w.NextExpiryMicros(30'000'000), 70'000'000);
  EXPECT_EQ(w.Requests(69'999'999), 2);
  EXPECT_EQ(w.Requests(70'000'000), 1);
}

TEST(FailureRing, CountsOnlyRecentAndClears) {
  FailureRing ring;
  for (int i = 1; i <= 100; ++i) ring.Add(i);
  EXPECT_EQ(ring.CountSince(90), 10u);
  EXPECT_EQ(ring.CountSince(0), FailureRing::kCapacity);
  ring.Clear();
  EXPECT_EQ(ring.CountSince(0), 0u);
}

TEST(Rng, SeededAndUnbiasedEnough) {
  Rng a(5), b(5), c(6);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
  }
  int buckets[7] = {};
  for (int i = 0; i < 70000; ++i) {
    const uint64_t v = a.Below(7);
    ASSERT_LT(v, 7u);
    ++buckets[v];
  }
  for (int n : buckets) {
    EXPECT_GT(n, 9400);
    EXPECT_LT(n, 10600);
  }
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += a.Chance(1, 4);
  EXPECT_GT(hits, 2300);
  EXPECT_LT(hits, 2700);
}

TEST(CoreIndex, TagsChainsAndScopes) {
  auto c = SeedConfig();
  c->budgets = {{ScopeKind::kModel, "claude-opus", 5},
                {ScopeKind::kTag, "Build", 6},
                {ScopeKind::kGlobal, "", 7}};
  c->fallbacks["gemini-3-pro"] = {"gemini-flash", "local"};
  auto index = BuildCoreIndex(c, 16);
  const uint32_t build = index->ResolveTag("Build");
  EXPECT_EQ(index->ResolveTag("nope"), build);
  EXPECT_EQ(index->TierName(index->tag_tier[index->ResolveTag("Review")]), "high-precision");
  const auto& chain = index->tier_chain[0];
  ASSERT_EQ(chain.size(), 5u);
  EXPECT_EQ(index->group_names[chain[0]], "claude-opus");
  EXPECT_EQ(index->group_names[chain[4]], "local");
  const auto& own = index->group_chain[index->FindGroup("gemini-3-pro")];
  ASSERT_EQ(own.size(), 3u);
  EXPECT_EQ(index->group_names[own[1]], "gemini-flash");
  EXPECT_EQ(index->scopes.size(), 3u);
  EXPECT_NE(index->group_scope[index->FindGroup("claude-opus")], kNone);
  EXPECT_EQ(index->group_scope[index->FindGroup("claude-sonnet")], kNone);
  EXPECT_EQ(index->scope_limit_nanos[index->tag_scope[build]], 6);
  EXPECT_EQ(index->scope_limit_nanos[index->global_scope], 7);
}

}  // namespace
}  // namespace ukairo::router::testing
