// Goal: the event queue pops in (time, insertion) order whatever the push
// order, so equal-time events are deterministic, and the seeded Rng and ratio
// parsing are exact. Method: a shuffled fuzz against a stable sort.
#include <algorithm>

#include "sim/event_queue.h"
#include "sim/rng.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

TEST(EventQueue, EqualTimesPopInInsertionOrder) {
  EventQueue<int> q(16);
  q.Push(10, 1);
  q.Push(5, 2);
  q.Push(10, 3);
  q.Push(5, 4);
  q.Push(10, 5);
  std::vector<int> got;
  while (!q.empty()) got.push_back(q.Pop().payload);
  EXPECT_EQ(got, (std::vector<int>{2, 4, 1, 3, 5}));
  EXPECT_EQ(q.now(), 10);
}

TEST(EventQueue, FuzzMatchesStableSort) {
  Rng rng(42);
  for (int round = 0; round < 50; ++round) {
    EventQueue<uint32_t> q(1 << 12);
    std::vector<std::pair<int64_t, uint32_t>> pushed;
    int64_t now = 0;
    std::vector<std::pair<int64_t, uint32_t>> popped;
    for (uint32_t i = 0; i < 2000; ++i) {
      // Few distinct times, so ties are common; interleave pops.
      int64_t t = now + static_cast<int64_t>(rng.Below(8));
      q.Push(t, i);
      pushed.push_back({t, i});
      if (rng.Below(3) == 0) {
        auto e = q.Pop();
        now = e.time_micros;
        popped.push_back({e.time_micros, e.payload});
      }
    }
    while (!q.empty()) {
      auto e = q.Pop();
      popped.push_back({e.time_micros, e.payload});
    }
    ASSERT_EQ(popped.size(), pushed.size());
    for (size_t k = 1; k < popped.size(); ++k) {
      ASSERT_LE(popped[k - 1].first, popped[k].first);
      if (popped[k - 1].first == popped[k].first) {
        ASSERT_LT(popped[k - 1].second, popped[k].second) << "tie broken by insertion";
      }
    }
  }
}

TEST(Rng, SameSeedSameSequenceAndStreamsDiffer) {
  Rng a(7), b(7), c(7, 1), d(8);
  bool c_differs = false, d_differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    c_differs |= x != c.Next();
    d_differs |= x != d.Next();
  }
  EXPECT_TRUE(c_differs);
  EXPECT_TRUE(d_differs);
}

TEST(Rng, BelowAndChanceAreInRangeAndFair) {
  Rng rng(3);
  uint64_t hits = 0;
  for (int i = 0; i < 100000; ++i) {
    ASSERT_LT(rng.Below(7), 7u);
    hits += rng.Chance(Ratio{1, 4});
  }
  EXPECT_GT(hits, 24000u);
  EXPECT_LT(hits, 26000u);
  EXPECT_FALSE(rng.Chance(Ratio{0, 5}));
  EXPECT_TRUE(rng.Chance(Ratio{5, 5}));
}

TEST(Ratio, ParsesExactly) {
  auto a = ParseRatio("1/200");
  ASSERT_OK(a);
  EXPECT_EQ(*a, (Ratio{1, 200}));
  auto b = ParseRatio("0.5%");
  ASSERT_OK(b);
  EXPECT_EQ(*b, (Ratio{5'000'000, 1'000'000'000}));
  auto c = ParseRatio("0.001");
  ASSERT_OK(c);
  EXPECT_EQ(*c, (Ratio{1'000'000, 1'000'000'000}));
  EXPECT_FALSE(ParseRatio("3/2").ok());
  EXPECT_FALSE(ParseRatio("1.5").ok());
  EXPECT_FALSE(ParseRatio("x").ok());
}

}  // namespace
}  // namespace ukairo::sim
