// Anthropic's Messages API wire format: request checks, the body passed
// upstream (only model rewritten), usage normalised from JSON and from a
// stream's final cumulative message_delta, error shapes.
#include "router/gateway/anthropic_api.h"

#include <nlohmann/json.hpp>

#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::json;

TEST(AnthropicApi, ParsesMessagesRequestWithTagAndEstimate) {
  auto r = ParseMessagesRequest(
      R"({"model":"claude","max_tokens":300,"stream":true,"system":"12345678",
          "messages":[{"role":"user","content":[{"type":"text","text":"abcdefgh"}]}],
          "metadata":{"user_id":"u1","tags":["Review"]}})",
      "");
  ASSERT_OK(r);
  EXPECT_EQ(r->endpoint, Endpoint::kMessages);
  EXPECT_EQ(r->model, "claude");
  EXPECT_EQ(r->max_output_tokens, 300);
  EXPECT_TRUE(r->stream);
  EXPECT_EQ(r->tag, "Review");
  EXPECT_EQ(r->input_tokens, 4);  // 16 characters of system and text
  auto header = ParseMessagesRequest(
      R"({"model":"m","max_tokens":1,"messages":[],"tags":["Build"]})", "Spec");
  ASSERT_OK(header);
  EXPECT_EQ(header->tag, "Spec");
}

TEST(AnthropicApi, BadBodiesNameWhatIsWrong) {
  auto check = [](std::string_view body, std::string_view words) {
    auto r = ParseMessagesRequest(body, "");
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().ToString();
  };
  check("{nope", "not valid JSON");
  check(R"({"messages":[],"max_tokens":1})", "model: field required");
  check(R"({"model":"m","max_tokens":1})", "messages: field required");
  check(R"({"model":"m","messages":[]})", "max_tokens: field required");
  check(R"({"model":"m","messages":[],"max_tokens":0})", "max_tokens: must be a positive");
  check(R"({"model":"m","messages":[{"content":"x"}],"max_tokens":1})", "messages.0");
}

TEST(AnthropicApi, UpstreamBodyRewritesOnlyTheModel) {
  const std::string client =
      R"({"model":"claude","max_tokens":5,"tags":["Spec"],"metadata":{"user_id":"u","tags":["x"]},
          "system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],
          "thinking":{"type":"enabled","budget_tokens":1024},"future_field":[1,2],
          "messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64",
          "media_type":"image/png","data":"AAAA"}}]}]})";
  auto body = MessagesUpstreamBody(client, "claude-sonnet-4-6");
  ASSERT_OK(body);
  Json want = Json::parse(client);
  want["model"] = "claude-sonnet-4-6";
  want.erase("tags");
  want["metadata"].erase("tags");
  EXPECT_EQ(Json::parse(*body), want);
}

TEST(AnthropicApi, UsageIsNormalisedAndTakenFromTheFinalDelta) {
  auto plain = ParseMessagesUsage(
      R"({"type":"message","usage":{"input_tokens":10,"output_tokens":7,
          "cache_read_input_tokens":100,"cache_creation_input_tokens":20}})",
      false);
  ASSERT_OK(plain);
  EXPECT_EQ(plain->input_tokens, 130);  // Anthropic's input excludes the cache's
  EXPECT_EQ(plain->cached_tokens, 100);
  EXPECT_EQ(plain->cache_write_tokens, 20);
  EXPECT_EQ(plain->output_tokens, 7);
  EXPECT_TRUE(plain->found);
  const std::string sse =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
      "{\"input_tokens\":10,\"cache_read_input_tokens\":100,\"cache_creation_input_tokens\":20,"
      "\"output_tokens\":1}}}\n\n"
      "event: ping\ndata: {\"type\":\"ping\"}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":5}}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":42}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto streamed = ParseMessagesUsage(sse, true);
  ASSERT_OK(streamed);
  EXPECT_EQ(streamed->output_tokens, 42);
  EXPECT_EQ(streamed->input_tokens, 130);
  EXPECT_TRUE(streamed->stream_error_type.empty());
  auto broken = ParseMessagesUsage(
      sse.substr(0, sse.find("event: message_stop")) +
          "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
          "\"message\":\"Overloaded\"}}\n\n",
      true);
  ASSERT_OK(broken);
  EXPECT_EQ(broken->stream_error_type, "overloaded_error");
  EXPECT_EQ(StreamErrorOutcome(broken->stream_error_type), ledger::Outcome::kRateLimited);
  EXPECT_FALSE(ParseMessagesUsage("data: {nope\n\n", true).ok());
}

TEST(AnthropicApi, ErrorBodiesTakeAnthropicsShape) {
  EXPECT_EQ(Json::parse(AnthropicErrorJson("rate_limit_error", "slow down")),
            Json::parse(R"({"type":"error","error":{"type":"rate_limit_error",
                                                     "message":"slow down"}})"));
  Json converted = Json::parse(ToAnthropicErrorBody(
      429, R"({"error":{"message":"budget","type":"insufficient_quota","code":"budget_exceeded"}})"));
  EXPECT_EQ(converted["type"], "error");
  EXPECT_EQ(converted["error"]["type"], "rate_limit_error");
  EXPECT_EQ(converted["error"]["message"], "budget");
  const std::string provider = R"({"type":"error","error":{"type":"invalid_request_error"}})";
  EXPECT_EQ(ToAnthropicErrorBody(400, provider), provider);
  EXPECT_STREQ(AnthropicErrorType(529), "overloaded_error");
  EXPECT_STREQ(AnthropicErrorType(500), "api_error");
  EXPECT_STREQ(AnthropicErrorType(401), "authentication_error");
}

}  // namespace
}  // namespace ukairo::gateway
