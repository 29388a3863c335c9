// Goal: the core alone decides what a request's "model" means (issue 12
// item 4): "" / "auto" / a tier name → the tag's tier chain, a model group →
// that group's chain, anything else → 404 model_not_found, answered without
// recording anything. Method: drive the core with the seed's config.
#include <gtest/gtest.h>

#include "router/core/internal/core_index.h"
#include "tests/router/core_harness.h"

namespace ukairo::router::testing {
namespace {

TEST(CoreModels, EmptyAutoAndTierNamesRouteByTag) {
  Harness h(SeedConfig());
  // A tier name does not pick that tier: the tag does ("Chores" → economy).
  const std::pair<const char*, const char*> cases[] = {
      {"", "flash-1"}, {"auto", "flash-1"}, {"high-precision", "flash-1"}, {"build", "flash-1"}};
  int n = 0;
  for (const auto& [model, want] : cases) {
    const std::string id = "r" + std::to_string(++n);
    h.Request(id, "Chores", 1000, 1000, model);
    EXPECT_EQ(h.SentTo(id), want) << "model '" << model << "'";
  }
  h.Request("spec", "Spec", 1000, 1000, "economy");
  EXPECT_EQ(h.SentTo("spec"), "opus-1");
  auto accepted = h.Events<ledger::RequestAccepted>();
  ASSERT_EQ(accepted.size(), 5u);
  for (const auto& a : accepted) {
    EXPECT_EQ(a.requested_model, "") << "by-tag requests are recorded as such";
  }
  EXPECT_EQ(h.core().stats().refused_unknown_model, 0u);
  h.ExpectProjectionMatchesLog();
}

TEST(CoreModels, GroupNameRoutesToThatGroup) {
  Harness h(SeedConfig());
  // Not in the tag's tier at all: the group's own chain.
  h.Request("r1", "Chores", 1000, 1000, "claude-opus");
  EXPECT_EQ(h.SentTo("r1"), "opus-1");
  // The tier's primary: the tier chain (same first deployment).
  h.Request("r2", "Chores", 1000, 1000, "gemini-flash");
  EXPECT_EQ(h.SentTo("r2"), "flash-1");
  // In the tier but not its primary.
  h.Request("r3", "Spec", 1000, 1000, "gemini-3-pro");
  EXPECT_EQ(h.SentTo("r3"), "pro-1");
  auto accepted = h.Events<ledger::RequestAccepted>();
  ASSERT_EQ(accepted.size(), 3u);
  EXPECT_EQ(accepted[0].requested_model, "claude-opus");
  EXPECT_EQ(accepted[0].tier, "economy");  // budgets still count the tag's tier
  h.ExpectProjectionMatchesLog();
}

TEST(CoreModels, UnknownModelIs404WithoutRecording) {
  Harness h(SeedConfig());
  const size_t events_before = h.log().size();
  for (const char* model : {"gpt-4o", "Auto", "claude-opus ", "Build"}) {
    const std::string id = std::string("u-") + model;
    const Actions& a = h.Request(id, "Spec", 1000, 1000, model);
    EXPECT_TRUE(a.events.empty()) << model;
    EXPECT_TRUE(a.sends.empty()) << model;
    ASSERT_EQ(a.responses.size(), 1u) << model;
    const Respond& r = a.responses[0];
    EXPECT_EQ(r.request_id, id);
    EXPECT_EQ(r.http_status, 404u);
    EXPECT_EQ(r.error.type, "invalid_request_error");
    EXPECT_EQ(r.error.code, "model_not_found");
    EXPECT_EQ(r.error.message, std::string("model '") + model +
                                   "' is not served here; GET /v1/models lists the models");
    EXPECT_TRUE(r.deployment.empty());
    EXPECT_EQ(r.attempts, 0u);
  }
  EXPECT_EQ(h.log().size(), events_before);
  EXPECT_EQ(h.core().requests_in_flight(), 0u);
  const CoreStats& s = h.core().stats();
  EXPECT_EQ(s.refused_unknown_model, 4u);
  EXPECT_EQ(s.requests, 4u);
  EXPECT_EQ(s.responses_error, 4u);
  EXPECT_EQ(s.events, events_before);
  // The refused ids hold nothing: the same id is a fresh request next time.
  h.Request("u-gpt-4o", "Spec");
  EXPECT_EQ(h.SentTo("u-gpt-4o"), "opus-1");
  h.ExpectProjectionMatchesLog();
}

TEST(CoreModels, ResolutionFollowsTheConfigInUse) {
  Harness h(SeedConfig());
  h.Request("r1", "Spec", 1000, 1000, "glm");
  ASSERT_NE(h.Response("r1"), nullptr);
  EXPECT_EQ(h.Response("r1")->http_status, 404u);
  auto c = SeedConfig();
  AddDeployment(*c, MakeDeployment("glm-1", "glm", 1, 1));
  h.Collect([&](Actions& a) { h.core().OnConfig(c, h.now(), a); });
  h.Request("r2", "Spec", 1000, 1000, "glm");
  EXPECT_EQ(h.SentTo("r2"), "glm-1");
}

TEST(CoreModels, IndexResolveModel) {
  auto index = BuildCoreIndex(SeedConfig(), RouterCore::kChainGroupsMax);
  EXPECT_EQ(index->ResolveModel("").kind, ModelKind::kByTag);
  EXPECT_EQ(index->ResolveModel("auto").kind, ModelKind::kByTag);
  EXPECT_EQ(index->ResolveModel("economy").kind, ModelKind::kByTag);
  const ModelResolution g = index->ResolveModel("gemini-flash");
  EXPECT_EQ(g.kind, ModelKind::kGroup);
  EXPECT_EQ(index->group_names[g.group], "gemini-flash");
  EXPECT_EQ(index->ResolveModel("gpt-4o").kind, ModelKind::kUnknown);
  EXPECT_EQ(index->ResolveModel("AUTO").kind, ModelKind::kUnknown);
}

}  // namespace
}  // namespace ukairo::router::testing
