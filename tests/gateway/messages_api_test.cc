// Anthropic's Messages API through the gateway, end to end on 127.0.0.1:
// fake providers speaking the Messages API behind anthropic/... deployments,
// a real RocksDB ledger, real HTTP. Costs are checked to the nano-dollar
// against the real price table (data/prices/model_prices.json).
#include <nlohmann/json.hpp>

#include <fstream>

#include "ledger/ledger.h"
#include "router/config/loader.h"
#include "router/gateway/anthropic_api.h"
#include "router/gateway/gateway.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/gateway/test_gateway.h"
#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::HttpRequest;
using ::ukairo::testing::HttpResponse;
using Json = nlohmann::json;

const char* kMasterKey = "sk-messages-master";

class MessagesApi : public ::testing::Test {
 public:
  void SetUp() override {
    setenv("UKAIRO_MESSAGES_MASTER", kMasterKey, 1);
    setenv("UKAIRO_MESSAGES_UPSTREAM_KEY", "sk-ant-upstream", 1);
    ASSERT_NO_FATAL_FAILURE(fleet_.Start(3));
  }
  void TearDown() override {
    gateway_.reset();
    fleet_.Stop();
  }

  std::string Base(size_t i) const {
    return "http://127.0.0.1:" + std::to_string(fleet_.fakes[i]->port());
  }

  // claude: two Anthropic deployments priced as claude-sonnet-4-6 by the real
  // table (fakes 0 and 1, the first tried first); gpt: an OpenAI one (fake 2).
  void StartGateway() {
    const std::string yaml = R"(model_list:
  - model_name: claude
    litellm_params: {model: anthropic/claude-sonnet-4-6, api_base: ")" + Base(0) + R"("}
    model_info: {id: claude-a}
  - model_name: claude-b
    litellm_params: {model: anthropic/claude-sonnet-4-6, api_base: ")" + Base(1) + R"(/v1",
                     api_key: os.environ/UKAIRO_MESSAGES_UPSTREAM_KEY}
    model_info: {id: claude-b}
  - model_name: gpt
    litellm_params: {model: openai/gpt-5.2, api_base: ")" + Base(2) + R"(/v1"}
    model_info: {id: gpt-1}
general_settings:
  master_key: os.environ/UKAIRO_MESSAGES_MASTER
ukairo:
  default_tag: Spec
  tiers:
    - {name: high, tags: [Spec], chain: [claude, claude-b]}
    - {name: build, tags: [Build], chain: [gpt]}
    - {name: mixed, tags: [Mixed], chain: [claude, gpt]}
  retry: {num_retries: 2, backoff_ms: [10, 20]}
  cooldown: {allowed_fails: 100, cooldown_time_s: 60}
)";
    router::LoadOptions load;
    load.price_table_path = ukairo::testing::DataPath("prices/model_prices.json");
    gateway_ = ukairo::testing::StartTestGateway(dir_, yaml, load);
    ASSERT_NE(gateway_, nullptr);
  }

  void SetFake(size_t i, const std::string& json) {
    auto b = ParseFakeBehaviorJson(json, FakeBehavior{});
    ASSERT_OK(b);
    fleet_.fakes[i]->SetBehavior(*b);
  }

  HttpResponse Post(const std::string& target, const std::string& body,
                    std::map<std::string, std::string> headers = {}) {
    if (!headers.contains("x-api-key")) headers["x-api-key"] = kMasterKey;
    headers["anthropic-version"] = "2023-06-01";
    headers["content-type"] = "application/json";
    auto r = HttpRequest("POST", gateway_->port(), target, body, headers);
    EXPECT_OK(r);
    return r.ok() ? *r : HttpResponse{};
  }

  static std::string MessagesBody(bool stream, const std::string& model = "claude") {
    return Json{{"model", model},
                {"max_tokens", 1024},
                {"stream", stream},
                {"system", Json::array({{{"type", "text"},
                                         {"text", "You are a careful reviewer."},
                                         {"cache_control", {{"type", "ephemeral"}}}}})},
                {"messages", Json::array({{{"role", "user"}, {"content", "Review this diff."}}})},
                {"thinking", {{"type", "enabled"}, {"budget_tokens", 1024}}},
                {"some_future_field", {{"kept", true}}}}
        .dump();
  }

  std::vector<ledger::AttemptFinished> StopAndReadAttempts() {
    gateway_->Stop();
    gateway_.reset();
    std::vector<ledger::AttemptFinished> out;
    for (const auto& e : ukairo::testing::ReadLedgerEvents(dir_.Sub("ledger"))) {
      if (auto* f = std::get_if<ledger::AttemptFinished>(&e.body)) out.push_back(*f);
    }
    return out;
  }

  ukairo::testing::TempDir dir_;
  ukairo::testing::FakeFleet fleet_;
  std::unique_ptr<Gateway> gateway_;
};

// claude-sonnet-4-6 in data/prices/model_prices.json, per token: input
// 3e-06, output 1.5e-05, cache read 3e-07, cache creation 3.75e-06. With
// 1001 uncached input, 203 output, 5003 cache-read and 2007 cache-write tokens:
//   1001 × 3'000'000 + 203 × 15'000'000 + 5003 × 300'000 + 2007 × 3'750'000
//   = 3'003'000'000 + 3'045'000'000 + 1'500'900'000 + 7'526'250'000
//   = 15'075'150'000 pico-USD = 15'075'150 nano-USD ($0.01507515).
constexpr const char* kCacheUsage =
    R"({"prompt_tokens":1001,"completion_tokens":203,"cache_read_tokens":5003,)"
    R"("cache_write_tokens":2007})";
constexpr NanoUsd kCacheCostNanos = 15'075'150;

TEST_F(MessagesApi, NonStreamedAnswerIsAnthropicsAndPricedWithCacheTokens) {
  StartGateway();
  SetFake(0, kCacheUsage);
  HttpResponse r = Post("/v1/messages", MessagesBody(false), {{"x-ukairo-tag", "Spec"}});
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["type"], "message");
  EXPECT_EQ(j["role"], "assistant");
  EXPECT_EQ(j["model"], "claude-sonnet-4-6");  // the provider's model name went upstream
  EXPECT_EQ(j["content"][0]["type"], "text");
  EXPECT_EQ(j["stop_reason"], "end_turn");
  EXPECT_EQ(j["usage"]["cache_read_input_tokens"], 5003);
  EXPECT_EQ(r.headers["x-ukairo-deployment"], "claude-a");
  EXPECT_EQ(r.headers["x-ukairo-cost-usd"], "0.01507515");
  auto attempts = StopAndReadAttempts();
  ASSERT_EQ(attempts.size(), 1u);
  const ledger::AttemptFinished& a = attempts[0];
  EXPECT_EQ(a.outcome, ledger::Outcome::kOk);
  EXPECT_EQ(a.tag, "Spec");
  EXPECT_EQ(a.input_tokens, 1001 + 5003 + 2007);  // normalised: includes the cache's
  EXPECT_EQ(a.cached_tokens, 5003);
  EXPECT_EQ(a.cache_write_tokens, 2007);
  EXPECT_EQ(a.output_tokens, 203);
  EXPECT_EQ(a.cost_nanos, kCacheCostNanos);
  Json usage = Json::parse(a.usage_json);
  EXPECT_EQ(usage["input_tokens"], 1001);
  EXPECT_EQ(usage["cache_creation_input_tokens"], 2007);
}

TEST_F(MessagesApi, StreamIsAnthropicsEventSequenceAndPricedFromTheFinalDelta) {
  StartGateway();
  SetFake(0, kCacheUsage);
  HttpResponse r = Post("/v1/messages", MessagesBody(true));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "text/event-stream");
  std::vector<std::string> events;
  for (size_t pos = 0; (pos = r.body.find("event: ", pos)) != std::string::npos;) {
    const size_t end = r.body.find('\n', pos);
    events.push_back(r.body.substr(pos + 7, end - pos - 7));
    pos = end;
  }
  ASSERT_GE(events.size(), 7u) << r.body;
  EXPECT_EQ(events.front(), "message_start");
  EXPECT_EQ(events[1], "content_block_start");
  EXPECT_EQ(events[2], "ping");
  EXPECT_EQ(events[3], "content_block_delta");
  EXPECT_EQ(events[events.size() - 3], "content_block_stop");
  EXPECT_EQ(events[events.size() - 2], "message_delta");
  EXPECT_EQ(events.back(), "message_stop");
  auto attempts = StopAndReadAttempts();
  ASSERT_EQ(attempts.size(), 1u);
  // message_start says output_tokens 1; the final message_delta says 203.
  EXPECT_EQ(attempts[0].output_tokens, 203);
  EXPECT_EQ(attempts[0].cost_nanos, kCacheCostNanos);
}

// A 429 and Anthropic's 529 (overloaded) both move to the next deployment at
// once (R-2203), with retries configured: none is spent on claude-a.
void ExpectImmediateFallback(MessagesApi* t, uint32_t status, bool stream) {
  SCOPED_TRACE(std::to_string(status) + (stream ? " streamed" : ""));
  t->SetFake(0, R"({"status":)" + std::to_string(status) + "}");
  HttpResponse r = t->Post("/v1/messages", MessagesApi::MessagesBody(stream));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-ukairo-deployment"], "claude-b");
  // A stream's headers go out with its first event, before the core's summary.
  if (!stream) {
    EXPECT_EQ(r.headers["x-ukairo-fallback-reason"], "rate_limit");
  }
  EXPECT_NE(r.body.find(stream ? "event: message_stop" : "\"type\":\"message\""),
            std::string::npos)
      << r.body;
  auto attempts = t->StopAndReadAttempts();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].deployment, "claude-a");
  EXPECT_EQ(attempts[0].http_status, status);
  EXPECT_EQ(attempts[0].outcome, ledger::Outcome::kRateLimited);
  EXPECT_EQ(attempts[1].deployment, "claude-b");
}

TEST_F(MessagesApi, RateLimitedAnthropicDeploymentFallsBackAtOnce) {
  StartGateway();
  ExpectImmediateFallback(this, 429, false);
}

TEST_F(MessagesApi, OverloadedAnthropicDeploymentFallsBackAtOnceWhileStreaming) {
  StartGateway();
  ExpectImmediateFallback(this, 529, true);
}

// A session shaped like Claude Code's: a cached system prompt and tools,
// ten turns whose cache reads grow as the conversation does, alternately
// streamed. Every attempt and the session's total are priced to the
// nano-dollar against the table's claude-sonnet-4-6 prices (pico-USD per
// token: input 3'000'000, output 15'000'000, cache read 300'000, cache
// write 3'750'000; each an exact multiple of 1000, so no rounding).
TEST_F(MessagesApi, ClaudeCodeShapedSessionIsPricedToTheNanoDollar) {
  StartGateway();
  Json request = Json::parse(MessagesBody(false));
  request["tools"] = Json::array({{{"name", "read_file"},
                                   {"input_schema", {{"type", "object"}}},
                                   {"cache_control", {{"type", "ephemeral"}}}}});
  NanoUsd expected_total = 0;
  for (int turn = 0; turn < 10; ++turn) {
    const int64_t uncached = 40 + 7 * turn, output = 100 + 11 * turn;
    const int64_t cache_read = turn == 0 ? 0 : 3000 + 900 * turn;
    const int64_t cache_write = turn == 0 ? 3000 : 900;
    SetFake(0, Json{{"prompt_tokens", uncached}, {"completion_tokens", output},
                    {"cache_read_tokens", cache_read}, {"cache_write_tokens", cache_write}}
                   .dump());
    request["stream"] = turn % 2 == 1;
    request["messages"].push_back({{"role", "user"}, {"content", "turn " + std::to_string(turn)}});
    HttpResponse r = Post("/v1/messages", request.dump(), {{"x-ukairo-tag", "Spec"}});
    ASSERT_EQ(r.status, 200) << r.body;
    request["messages"].push_back({{"role", "assistant"}, {"content", "ok"}});
    expected_total += (uncached * 3'000'000 + output * 15'000'000 + cache_read * 300'000 +
                       cache_write * 3'750'000) /
                      1000;
  }
  auto attempts = StopAndReadAttempts();
  ASSERT_EQ(attempts.size(), 10u);
  NanoUsd total = 0;
  for (const auto& a : attempts) total += a.cost_nanos;
  EXPECT_EQ(total, expected_total);
  EXPECT_EQ(attempts[9].cached_tokens, 3000 + 900 * 9);
  EXPECT_EQ(attempts[9].cache_write_tokens, 900);
  EXPECT_EQ(attempts[9].output_tokens, 199);
  // Turn 9 by hand: 103 × 3'000'000 + 199 × 15'000'000 + 11'100 × 300'000
  //   + 900 × 3'750'000 = 309'000'000 + 2'985'000'000 + 3'330'000'000
  //   + 3'375'000'000 = 9'999'000'000 pico-USD.
  EXPECT_EQ(attempts[9].cost_nanos, 9'999'000);
}

TEST_F(MessagesApi, UpstreamGetsItsKeyAndTheClientsAnthropicHeaders) {
  StartGateway();
  auto expect_header = [&](const std::string& required, const std::string& beta, int status) {
    SCOPED_TRACE(required);
    SetFake(1, Json{{"required_header", required}}.dump());
    std::map<std::string, std::string> headers{{"x-ukairo-tag", "Spec"}};
    if (!beta.empty()) headers["anthropic-beta"] = beta;
    HttpResponse r = Post("/v1/messages", MessagesBody(false, "claude-b"), headers);
    EXPECT_EQ(r.status, status) << r.body;
    if (status == 400) {  // the provider's own error, passed on in its shape
      EXPECT_EQ(Json::parse(r.body)["error"]["type"], "invalid_request_error") << r.body;
    }
  };
  // The deployment's key as x-api-key (never the client's), version and beta as sent.
  expect_header("x-api-key: sk-ant-upstream", "", 200);
  expect_header("anthropic-version: 2023-06-01", "", 200);
  expect_header("anthropic-beta: prompt-caching-2024-07-31,tools-2024-05-16",
                "prompt-caching-2024-07-31,tools-2024-05-16", 200);
  expect_header("anthropic-beta: prompt-caching-2024-07-31", "", 400);
}

// claude (Anthropic) answers 429; the chain's next group is OpenAI-compatible:
// a plain request is translated there and back, a streamed one (not
// translated yet) is refused naming why, never silently degraded.
TEST_F(MessagesApi, FallbackToOpenAiIsTranslatedOrSkippedNamingTheFeature) {
  StartGateway();
  SetFake(0, R"({"status":429})");
  SetFake(2, R"({"prompt_tokens":50,"completion_tokens":7})");
  const std::string plain =
      R"({"model":"auto","max_tokens":64,"system":[{"type":"text","text":"Be brief.",
          "cache_control":{"type":"ephemeral"}}],
          "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]})";
  HttpResponse r = Post("/v1/messages", plain, {{"x-ukairo-tag", "Mixed"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-ukairo-deployment"], "gpt-1");
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["type"], "message");
  EXPECT_EQ(j["content"][0]["type"], "text");
  EXPECT_NE(j["content"][0]["text"].get<std::string>().find("fake reply"), std::string::npos);
  EXPECT_EQ(j["stop_reason"], "end_turn");
  EXPECT_EQ(j["usage"]["input_tokens"], 50);
  EXPECT_EQ(j["usage"]["output_tokens"], 7);
  Json streamed = Json::parse(plain);
  streamed["stream"] = true;
  HttpResponse refused = Post("/v1/messages", streamed.dump(), {{"x-ukairo-tag", "Mixed"}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("unsupported"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("stream"), std::string::npos) << refused.body;
  auto attempts = StopAndReadAttempts();
  ASSERT_GE(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].deployment, "gpt-1");
  EXPECT_EQ(attempts[1].input_tokens, 50);
}

TEST_F(MessagesApi, MidStreamOverloadEndsTheStreamWithOneErrorEvent) {
  StartGateway();
  SetFake(0, R"({"stream_error_after":3})");
  HttpResponse r = Post("/v1/messages", MessagesBody(true));
  ASSERT_EQ(r.status, 200) << r.body;
  const size_t first = r.body.find("event: error");
  ASSERT_NE(first, std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("event: error", first + 1), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("overloaded_error"), std::string::npos);
  auto attempts = StopAndReadAttempts();
  ASSERT_EQ(attempts.size(), 1u);  // output reached the client: no fallback
  EXPECT_EQ(attempts[0].outcome, ledger::Outcome::kRateLimited);
}

TEST_F(MessagesApi, OpenAiOnlyChainIsUnsupportedInAnthropicsErrorShape) {
  StartGateway();
  HttpResponse r = Post("/v1/messages", MessagesBody(false, "gpt"));
  EXPECT_EQ(r.status, 503) << r.body;
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["type"], "error");
  EXPECT_EQ(j["error"]["type"], "overloaded_error");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("unsupported"), std::string::npos)
      << r.body;
  gateway_->Stop();
  gateway_.reset();
  bool unsupported = false;
  for (const auto& e : ukairo::testing::ReadLedgerEvents(dir_.Sub("ledger"))) {
    if (auto* f = std::get_if<ledger::FallbackTaken>(&e.body)) {
      unsupported |= f->reason == ledger::FallbackReason::kUnsupported;
    }
  }
  EXPECT_TRUE(unsupported);
  EXPECT_EQ(fleet_.fakes[2]->stats().requests, 0u);
}

TEST_F(MessagesApi, CountTokensAnswersAnEstimate) {
  StartGateway();
  HttpResponse r = Post("/v1/messages/count_tokens",
                        R"({"model":"claude","messages":[{"role":"user","content":")" +
                            std::string(400, 'x') + R"("}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body), Json::parse(R"({"input_tokens":100})"));
  EXPECT_EQ(fleet_.fakes[0]->stats().requests, 0u);
}

TEST_F(MessagesApi, GatewayErrorsUseAnthropicsShape) {
  StartGateway();
  auto expect_error = [](const HttpResponse& r, int status, const std::string& type,
                         const std::string& says) {
    EXPECT_EQ(r.status, status) << r.body;
    Json j = Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["type"], "error") << r.body;
    EXPECT_EQ(j["error"]["type"], type) << r.body;
    EXPECT_NE(j["error"]["message"].get<std::string>().find(says), std::string::npos) << r.body;
  };
  expect_error(Post("/v1/messages", MessagesBody(false), {{"x-api-key", "sk-wrong"}}), 401,
               "authentication_error", "Incorrect API key");
  expect_error(Post("/v1/messages", R"({"model":"claude","messages":[]})"), 400,
               "invalid_request_error", "max_tokens");
  expect_error(Post("/v1/messages", "not json"), 400, "invalid_request_error", "JSON");
  expect_error(Post("/v1/messages", MessagesBody(false, "no-such-model")), 404, "not_found_error",
               "no-such-model");
  expect_error(Post("/v1/messages/count_tokens", R"({"model":"claude"})"), 400,
               "invalid_request_error", "messages");
}

}  // namespace
}  // namespace ukairo::gateway
