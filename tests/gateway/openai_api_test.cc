// The gateway's wire format: client bodies parse into what the router needs
// (tags from header, metadata.tags or tags), bad bodies name the field,
// upstream usage is read from JSON and SSE, statuses classify per R-2203.
#include "router/gateway/openai_api.h"

#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ledger::Outcome;

TEST(OpenAiApi, ParsesChatRequestAndTagSources) {
  auto r = ParseClientRequest(Endpoint::kChatCompletions,
                              R"({"model":"claude-opus","max_tokens":100,"stream":true,
                                  "messages":[{"role":"user","content":"12345678"}],
                                  "metadata":{"tags":["Spec","x"]}})",
                              "");
  ASSERT_OK(r);
  EXPECT_EQ(r->model, "claude-opus");
  EXPECT_EQ(r->tag, "Spec");
  EXPECT_EQ(r->input_tokens, 2);
  EXPECT_EQ(r->max_output_tokens, 100);
  EXPECT_TRUE(r->stream);
  auto header = ParseClientRequest(Endpoint::kChatCompletions,
                                   R"({"model":"m","messages":[],"tags":["Build"]})", "Review");
  EXPECT_EQ(header->tag, "Review");  // the header wins
  auto body_tags = ParseClientRequest(Endpoint::kChatCompletions,
                                      R"({"model":"m","messages":[],"tags":["Build"]})", "");
  EXPECT_EQ(body_tags->tag, "Build");
}

TEST(OpenAiApi, BadBodiesNameWhatIsWrong) {
  auto check = [](std::string_view body, std::string_view words) {
    auto r = ParseClientRequest(Endpoint::kChatCompletions, body, "");
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().ToString();
  };
  check("{nope", "not valid JSON");
  check("[1]", "JSON object");
  check(R"({"messages":[]})", "'model' is required");
  check(R"({"model":7,"messages":[]})", "'model' must be");
  check(R"({"model":"m"})", "'messages' is required");
  check(R"({"model":"m","messages":{}})", "'messages' must be an array");
  check(R"({"model":"m","messages":[],"max_tokens":-3})", "'max_tokens'");
  check(R"({"model":"m","messages":[],"stream":"yes"})", "'stream'");
}

TEST(OpenAiApi, UpstreamBodyRenamesModelAndAsksForStreamUsage) {
  auto body = UpstreamBody(R"({"model":"claude-opus","messages":[],"metadata":{"tags":["Spec"]}})",
                           "claude-opus-4-8", true);
  ASSERT_OK(body);
  EXPECT_NE(body->find(R"("model":"claude-opus-4-8")"), std::string::npos);
  EXPECT_NE(body->find(R"("include_usage":true)"), std::string::npos);
  EXPECT_EQ(body->find("metadata"), std::string::npos);
}

TEST(OpenAiApi, ReadsUsageFromJsonAndStreams) {
  auto u = ParseUsage(R"({"usage":{"prompt_tokens":10,"completion_tokens":3,
                          "prompt_tokens_details":{"cached_tokens":4}}})", false);
  ASSERT_OK(u);
  EXPECT_EQ(u->input_tokens, 10);
  EXPECT_EQ(u->output_tokens, 3);
  EXPECT_EQ(u->cached_tokens, 4);
  auto s = ParseUsage("data: {\"choices\":[]}\n\ndata: {\"usage\":{\"prompt_tokens\":7,"
                      "\"completion_tokens\":2}}\n\ndata: [DONE]\n\n", true);
  ASSERT_OK(s);
  EXPECT_TRUE(s->found);
  EXPECT_EQ(s->input_tokens, 7);
  EXPECT_FALSE(ParseUsage("<html>", false).ok());
  EXPECT_FALSE(ParseUsage("data: {broken\n\n", true).ok());
}

TEST(OpenAiApi, ClassifiesStatusesPerR2203) {
  EXPECT_EQ(ClassifyStatus(200, ""), Outcome::kOk);
  EXPECT_EQ(ClassifyStatus(429, ""), Outcome::kRateLimited);
  EXPECT_EQ(ClassifyStatus(408, ""), Outcome::kTimeout);
  EXPECT_EQ(ClassifyStatus(503, ""), Outcome::kServerError);
  EXPECT_EQ(ClassifyStatus(401, ""), Outcome::kAuthError);
  EXPECT_EQ(ClassifyStatus(400, R"({"error":{"code":"context_length_exceeded"}})"),
            Outcome::kContextWindow);
  EXPECT_EQ(ClassifyStatus(400, R"({"error":{"code":"bad"}})"), Outcome::kClientError);
  EXPECT_EQ(ClassifyStatus(404, ""), Outcome::kClientError);
}

TEST(OpenAiApi, RetryAfterSecondsAndHttpDate) {
  EXPECT_EQ(ParseRetryAfterMs("120", 0), 120'000);
  // 2015-10-21T07:28:00Z is 1445412480.
  EXPECT_EQ(ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10'000);
  EXPECT_EQ(ParseRetryAfterMs("soon", 0), -1);
  EXPECT_EQ(ParseRetryAfterMs("", 0), -1);
}

}  // namespace
}  // namespace ukairo::gateway
