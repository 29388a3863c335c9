// The fake provider answers real HTTP on 127.0.0.1 as scripted: OpenAI-shaped
// bodies with usage, 429 with Retry-After, scripted failures, hangs that end
// in a dropped connection, context-window errors, live reconfiguration.
#include "router/gateway/fake_provider.h"

#include <nlohmann/json.hpp>

#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::HttpRequest;
using Json = nlohmann::json;

std::unique_ptr<FakeProvider> StartFake(FakeBehavior b) {
  auto p = FakeProvider::Start("127.0.0.1", 0, 1, std::move(b));
  EXPECT_OK(p);
  return p.ok() ? std::move(*p) : nullptr;
}

const char* kChat = R"({"model":"m1","messages":[{"role":"user","content":"hello there, fake"}],
                       "max_tokens":5})";

TEST(FakeProvider, AnswersChatWithUsage) {
  FakeBehavior b;
  b.completion_tokens = 9;
  auto p = StartFake(b);
  auto r = HttpRequest("POST", p->port(), "/v1/chat/completions", kChat);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  Json j = Json::parse(r->body);
  EXPECT_EQ(j["model"], "m1");
  EXPECT_EQ(j["usage"]["completion_tokens"], 5);  // capped by max_tokens
  EXPECT_EQ(j["usage"]["prompt_tokens"], 4);      // 17 chars / 4
  EXPECT_EQ(p->stats().ok, 1u);
}

TEST(FakeProvider, StreamsServerSentEventsEndingInDone) {
  auto p = StartFake(FakeBehavior{});
  auto r = HttpRequest("POST", p->port(), "/v1/chat/completions",
                       R"({"model":"m","stream":true,"messages":[]})");
  ASSERT_OK(r);
  EXPECT_EQ(r->headers["content-type"], "text/event-stream");
  EXPECT_NE(r->body.find("\"usage\""), std::string::npos);
  EXPECT_EQ(r->body.substr(r->body.size() - 14), "data: [DONE]\n\n");
}

TEST(FakeProvider, RateLimitCarriesRetryAfter) {
  FakeBehavior b;
  b.status = 429;
  b.retry_after_s = 7;
  auto p = StartFake(b);
  auto r = HttpRequest("POST", p->port(), "/v1/chat/completions", kChat);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->headers["retry-after"], "7");
  EXPECT_EQ(Json::parse(r->body)["error"]["type"], "rate_limit_error");
}

TEST(FakeProvider, FailFirstThenRecovers) {
  FakeBehavior b;
  b.fail_first = 2;
  b.fail_status = 503;
  auto p = StartFake(b);
  EXPECT_EQ(HttpRequest("POST", p->port(), "/v1/chat/completions", kChat)->status, 503);
  EXPECT_EQ(HttpRequest("POST", p->port(), "/v1/chat/completions", kChat)->status, 503);
  EXPECT_EQ(HttpRequest("POST", p->port(), "/v1/chat/completions", kChat)->status, 200);
  EXPECT_EQ(p->stats().errors, 2u);
}

TEST(FakeProvider, HangDropsTheConnection) {
  FakeBehavior b;
  b.hang_ms = 50;
  auto p = StartFake(b);
  auto r = HttpRequest("POST", p->port(), "/v1/chat/completions", kChat, {}, 2000);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(p->stats().hangs, 1u);
}

TEST(FakeProvider, ContextWindowAndLiveReconfiguration) {
  auto p = StartFake(FakeBehavior{});
  auto set = HttpRequest("POST", p->port(), "/_fake/config", R"({"context_window": 2})");
  ASSERT_OK(set);
  EXPECT_EQ(set->status, 200);
  auto r = HttpRequest("POST", p->port(), "/v1/chat/completions", kChat);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], "context_length_exceeded");
  auto bad = HttpRequest("POST", p->port(), "/_fake/config", R"({"nope": 1})");
  EXPECT_EQ(bad->status, 400);
  auto stats = HttpRequest("GET", p->port(), "/_fake/stats");
  EXPECT_EQ(Json::parse(stats->body)["requests"], 1);
}

TEST(FakeProvider, BadJsonIsAClientError) {
  auto p = StartFake(FakeBehavior{});
  auto r = HttpRequest("POST", p->port(), "/v1/chat/completions", "{not json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], "bad_json");
}

}  // namespace
}  // namespace ukairo::gateway
