// Goal: R-2201 (tag → tier → chain, default tag, balancing) and R-2204 (the
// chain is walked in exactly the configured order). Method: drive the core
// by hand with the seed's config in virtual time and read its actions.
#include <gtest/gtest.h>

#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

TEST(CoreTiers, TagSelectsTierPrimary) {
  Harness h(SeedConfig());
  h.Request("r1", "Spec");
  EXPECT_EQ(h.SentTo("r1"), "opus-1");
  h.Request("r2", "Build");
  EXPECT_EQ(h.SentTo("r2"), "sonnet-1");
  h.Request("r3", "Chores");
  EXPECT_EQ(h.SentTo("r3"), "flash-1");
  auto accepted = h.Events<ledger::RequestAccepted>();
  ASSERT_EQ(accepted.size(), 3u);
  EXPECT_EQ(accepted[0].tier, "high-precision");
  EXPECT_EQ(accepted[2].tier, "economy");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreTiers, MissingOrUnknownTagTakesTheDefault) {
  Harness h(SeedConfig());
  h.Request("r1", "");
  EXPECT_EQ(h.SentTo("r1"), "sonnet-1");
  h.Request("r2", "NoSuchTag");
  EXPECT_EQ(h.SentTo("r2"), "sonnet-1");
  auto accepted = h.Events<ledger::RequestAccepted>();
  EXPECT_EQ(accepted[0].tag, "Build");
  EXPECT_EQ(accepted[1].tag, "Build");
  EXPECT_EQ(accepted[1].tier, "build");
}

TEST(CoreTiers, NamedGroupGetsItsOwnFallbacks) {
  auto c = SeedConfig();
  c->fallbacks["gemini-3-pro"] = {"gemini-flash"};
  Harness h(c);
  h.Request("r1", "Spec", 1000, 1000, "gemini-3-pro");
  EXPECT_EQ(h.SentTo("r1"), "pro-1");
  h.Result("r1", Outcome::kRateLimited, 429);
  EXPECT_EQ(h.SentTo("r1"), "flash-1");  // pro's own chain, not the tier's
  // Naming the tier's primary is the tier chain.
  h.Request("r2", "Spec", 1000, 1000, "claude-opus");
  EXPECT_EQ(h.SentTo("r2"), "opus-1");
}

TEST(CoreTiers, ChainOrderIsNeverChanged) {
  Harness h(SeedConfig());
  h.Request("r1", "Design");
  std::vector<std::string> order{h.SentTo("r1")};
  for (int i = 0; i < 4; ++i) {
    h.Result("r1", Outcome::kRateLimited, 429);
    order.push_back(h.SentTo("r1"));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"opus-1", "sonnet-1", "pro-1", "flash-1", "local-1"}));
  auto fallbacks = h.Events<ledger::FallbackTaken>();
  ASSERT_EQ(fallbacks.size(), 4u);
  EXPECT_EQ(fallbacks[0].from_model_group, "claude-opus");
  EXPECT_EQ(fallbacks[0].to_model_group, "claude-sonnet");
  EXPECT_EQ(fallbacks[0].reason, ledger::FallbackReason::kRateLimit);
  h.Ok("r1");
  ASSERT_NE(h.Response("r1"), nullptr);
  EXPECT_TRUE(h.Response("r1")->ok());
  EXPECT_TRUE(h.Response("r1")->last_resort);
  EXPECT_EQ(h.Response("r1")->fallbacks, 4u);
  h.ExpectProjectionMatchesLog();
}

std::shared_ptr<Config> TwoDeploymentConfig(RoutingStrategy strategy) {
  auto c = SeedConfig();
  auto d = MakeDeployment("sonnet-2", "claude-sonnet", 3, 15);
  d.weight = 3;
  AddDeployment(*c, d);
  c->routing_strategy = strategy;
  return c;
}

TEST(CoreTiers, SimpleShuffleIsWeightedAndSeeded) {
  std::map<std::string, int> count;
  std::vector<std::string> first_run;
  for (int run = 0; run < 2; ++run) {
    Harness h(TwoDeploymentConfig(RoutingStrategy::kSimpleShuffle), /*seed=*/7);
    for (int i = 0; i < 400; ++i) {
      const std::string id = "r" + std::to_string(i);
      h.Request(id, "Build");
      const std::string to = h.SentTo(id);
      if (run == 0) {
        ++count[to];
        first_run.push_back(to);
      } else {
        EXPECT_EQ(to, first_run[i]) << "same seed, different choice at " << i;
      }
      h.Ok(id);
    }
  }
  // Weight 1 vs 3: about 100 vs 300.
  EXPECT_GT(count["sonnet-2"], 250);
  EXPECT_LT(count["sonnet-2"], 350);
  EXPECT_EQ(count["sonnet-1"] + count["sonnet-2"], 400);
}

TEST(CoreTiers, LeastBusyPicksFewestInFlight) {
  Harness h(TwoDeploymentConfig(RoutingStrategy::kLeastBusy));
  h.Request("a", "Build");
  EXPECT_EQ(h.SentTo("a"), "sonnet-1");  // tie → lowest index
  h.Request("b", "Build");
  EXPECT_EQ(h.SentTo("b"), "sonnet-2");
  h.Request("c", "Build");
  EXPECT_EQ(h.SentTo("c"), "sonnet-1");
  h.Ok("a");
  h.Ok("c");
  h.Request("d", "Build");
  EXPECT_EQ(h.SentTo("d"), "sonnet-1");  // sonnet-2 still busy with b
}

TEST(CoreTiers, SameSeedSameActions) {
  auto run = [](uint64_t seed) {
    Harness h(TwoDeploymentConfig(RoutingStrategy::kSimpleShuffle), seed);
    std::string trace;
    for (int i = 0; i < 50; ++i) {
      const std::string id = "r" + std::to_string(i);
      h.Request(id, i % 2 ? "Spec" : "Build");
      if (i % 5 == 0) h.Result(id, Outcome::kServerError, 503);
      trace += h.SentTo(id) + ",";
      h.Advance(Seconds(1));
    }
    h.RunTimersUntil(h.now() + Seconds(60));
    for (const auto& e : h.log()) trace += ledger::KindName(e.body);
    return trace;
  };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

}  // namespace
}  // namespace ukairo::router::testing
