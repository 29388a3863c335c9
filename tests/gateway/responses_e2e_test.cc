// POST /v1/responses end to end over real HTTP on 127.0.0.1: ukairo's
// gateway in front of fake providers with a real RocksDB ledger. A Responses
// request is routed, budgeted, recorded and falls back exactly like a chat
// completion, and the client gets a Response (or its event stream) back.
#include <utility>

#include <nlohmann/json.hpp>

#include "router/gateway/gateway.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/gateway/gateway_harness.h"
#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::EventBodies;
using ::ukairo::testing::HttpRequest;
using ::ukairo::testing::HttpResponse;
using Json = nlohmann::json;

const char* kMasterKey = "sk-responses-master";

class ResponsesE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("UKAIRO_RESPONSES_MASTER", kMasterKey, 1);
    ASSERT_NO_FATAL_FAILURE(fleet_.Start(2));
    std::string yaml = fleet_.ModelListYaml() + R"(general_settings:
  master_key: os.environ/UKAIRO_RESPONSES_MASTER
ukairo:
  default_tag: Build
  tiers:
    - {name: high, tags: [Spec], chain: [premium, backup]}
    - {name: build, tags: [Build], chain: [backup]}
  retry: {num_retries: 1, backoff_ms: [10]}
)";
    auto gw = ukairo::testing::StartGatewayFromYaml(dir_, yaml);
    ASSERT_OK(gw);
    gateway_ = std::move(*gw);
  }
  void TearDown() override {
    gateway_.reset();
    fleet_.Stop();
  }

  HttpResponse Post(const Json& body, const std::string& tag = "Spec",
                    const std::string& key = kMasterKey) {
    std::map<std::string, std::string> headers{{"x-ukairo-tag", tag}};
    if (!key.empty()) headers["authorization"] = "Bearer " + key;
    auto r = HttpRequest("POST", gateway_->port(), "/v1/responses", body.dump(), headers);
    EXPECT_OK(r);
    return r.ok() ? *r : HttpResponse{};
  }

  std::vector<ledger::Event> StopAndReadLedger() {
    return ukairo::testing::StopAndReadLedger(&gateway_, dir_);
  }

  testing::TempDir dir_;
  ukairo::testing::FakeFleet fleet_;
  std::unique_ptr<Gateway> gateway_;
};

// "event: T\ndata: {...}\n\n" blocks → the data objects.
std::vector<Json> Events(const std::string& sse) {
  std::vector<Json> out;
  size_t pos = 0;
  while (true) {
    size_t data = sse.find("data: ", pos);
    if (data == std::string::npos) break;
    size_t end = sse.find('\n', data);
    out.push_back(Json::parse(sse.substr(data + 6, end - data - 6)));
    pos = end;
  }
  return out;
}

TEST_F(ResponsesE2E, AnswerIsAResponseAndTheLedgerRecordsAChatCompletion) {
  HttpResponse r = Post({{"model", "premium"}, {"instructions", "be brief"},
                         {"input", "hello world, hello"}, {"max_output_tokens", 10}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-ukairo-model-group"], "premium");
  Json response = Json::parse(r.body);
  EXPECT_EQ(response["object"], "response");
  EXPECT_EQ(response["status"], "completed");
  EXPECT_EQ(response["id"], "resp_" + r.headers["x-ukairo-request-id"]);
  EXPECT_EQ(response["instructions"], "be brief");
  EXPECT_EQ(response["output"][0]["content"][0]["text"], "fake reply from premium-model");
  // "be brief" + "hello world, hello" = 26 characters: 6 tokens by the fake's estimate.
  EXPECT_EQ(response["usage"]["input_tokens"], 6);
  EXPECT_EQ(response["usage"]["output_tokens"], 10);  // max_output_tokens reached upstream
  auto events = StopAndReadLedger();
  auto accepted = EventBodies<ledger::RequestAccepted>(events);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].tag, "Spec");
  EXPECT_EQ(accepted[0].tier, "high");
  auto finished = EventBodies<ledger::AttemptFinished>(events);
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].input_tokens, 6);
  EXPECT_EQ(finished[0].output_tokens, 10);
  EXPECT_EQ(finished[0].cost_nanos, 6 * 10'000 + 10 * 100'000);
}

TEST_F(ResponsesE2E, StreamedFunctionCallRoundTrip) {
  Json tools = Json::array({{{"type", "function"}, {"name", "get_weather"},
                             {"parameters", {{"type", "object"}, {"properties", Json::object()}}}}});
  HttpResponse first = Post({{"model", "premium"}, {"input", "weather in Paris?"},
                             {"tools", tools}, {"stream", true}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.headers["content-type"], "text/event-stream");
  std::vector<Json> events = Events(first.body);
  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(events.front()["type"], "response.created");
  const Json& done = events.back();
  ASSERT_EQ(done["type"], "response.completed") << first.body;
  const Json& call = done["response"]["output"][0];
  EXPECT_EQ(call["type"], "function_call");
  EXPECT_EQ(call["name"], "get_weather");
  EXPECT_EQ(call["arguments"], "{}");
  EXPECT_GT(done["response"]["usage"]["output_tokens"].get<int64_t>(), 0);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i]["sequence_number"], i);

  // The client runs the tool and sends the whole conversation back.
  Json input = Json::array({{{"role", "user"}, {"content", "weather in Paris?"}}, call,
                            {{"type", "function_call_output"}, {"call_id", call["call_id"]},
                             {"output", "sunny, 21 C"}}});
  HttpResponse second = Post({{"model", "premium"}, {"input", input}, {"tools", tools}});
  ASSERT_EQ(second.status, 200) << second.body;
  Json answer = Json::parse(second.body);
  EXPECT_EQ(answer["output"][0]["content"][0]["text"],
            "fake reply from premium-model (tool said: sunny, 21 C)");
  auto finished = EventBodies<ledger::AttemptFinished>(StopAndReadLedger());
  ASSERT_EQ(finished.size(), 2u);
  EXPECT_GT(finished[0].output_tokens, 0);  // the stream's usage chunk was read
}

// A turn shaped as Codex CLI sends it (codex-rs ResponsesApiRequest): its
// fields, a developer message, a reasoning item from the previous turn, a
// function tool and the free-form apply_patch tool, streamed.
TEST_F(ResponsesE2E, CodexShapedTurnStreams) {
  Json request = Json::parse(R"({
    "model": "auto", "instructions": "You are a coding agent.",
    "input": [
      {"type":"message","role":"developer","content":[{"type":"input_text","text":"cwd: /src"}]},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"fix the build"}]},
      {"type":"reasoning","id":"rs_0","summary":[{"type":"summary_text","text":"look"}],
       "encrypted_content":null},
      {"type":"function_call","call_id":"call_0","name":"shell",
       "arguments":"{\"command\":[\"make\"]}"},
      {"type":"function_call_output","call_id":"call_0","output":"error: x.cc:1"},
      {"type":"custom_tool_call","call_id":"call_1","name":"apply_patch","input":"*** Begin Patch"},
      {"type":"custom_tool_call_output","call_id":"call_1","output":"applied"}
    ],
    "tools": [
      {"type":"function","name":"shell","description":"Runs a command","strict":false,
       "parameters":{"type":"object","properties":{"command":{"type":"array",
         "items":{"type":"string"}}},"required":["command"],"additionalProperties":false}},
      {"type":"custom","name":"apply_patch","description":"Edits files",
       "format":{"type":"grammar","syntax":"lark","definition":"start: begin_patch"}}
    ],
    "tool_choice": "auto", "parallel_tool_calls": false,
    "reasoning": {"effort":"medium","summary":"auto"}, "store": false, "stream": true,
    "include": ["reasoning.encrypted_content"], "prompt_cache_key": "0199-session",
    "text": {"verbosity":"medium"}
  })");
  HttpResponse r = Post(request, "Build");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-ukairo-model-group"], "backup");  // tag Build → the build tier
  std::vector<Json> events = Events(r.body);
  ASSERT_FALSE(events.empty());
  const Json& done = events.back();
  ASSERT_EQ(done["type"], "response.completed") << r.body;
  // The last item is a tool result: the (fake) model answers in text, and it
  // saw the result of the free-form tool as a tool message.
  EXPECT_EQ(done["response"]["output"][0]["type"], "message");
  EXPECT_EQ(done["response"]["output"][0]["content"][0]["text"],
            "fake reply from backup-model (tool said: applied)");
  EXPECT_EQ(done["response"]["tools"][1]["type"], "custom");  // echoed as sent
  EXPECT_EQ(done["response"]["reasoning"]["effort"], "medium");
}

TEST_F(ResponsesE2E, RateLimitFallsBackStreamedAndNot) {
  FakeBehavior limited;
  limited.status = 429;
  limited.retry_after_s = 30;
  fleet_.fakes[0]->SetBehavior(limited);
  HttpResponse plain = Post({{"model", "auto"}, {"input", "hi"}});
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.headers["x-ukairo-model-group"], "backup");
  EXPECT_EQ(plain.headers["x-ukairo-fallback-reason"], "rate_limit");
  EXPECT_EQ(Json::parse(plain.body)["output"][0]["content"][0]["text"],
            "fake reply from backup-model");
  HttpResponse streamed = Post({{"model", "auto"}, {"input", "hi"}, {"stream", true}});
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  EXPECT_EQ(streamed.headers["x-ukairo-model-group"], "backup");
  std::vector<Json> events = Events(streamed.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["type"], "response.completed");
  EXPECT_EQ(events.back()["response"]["output"][0]["content"][0]["text"],
            "fake reply from backup-model");
  EXPECT_EQ(fleet_.fakes[0]->stats().requests, 1u);  // rate limited: skipped the second time
  auto fallbacks = EventBodies<ledger::FallbackTaken>(StopAndReadLedger());
  ASSERT_GE(fallbacks.size(), 1u);
  EXPECT_EQ(fallbacks[0].reason, ledger::FallbackReason::kRateLimit);
}

TEST_F(ResponsesE2E, StreamBrokenAfterOutputEndsWithResponseFailed) {
  FakeBehavior breaking;
  breaking.stream_break_after = 2;  // the role chunk and the text, then the connection drops
  fleet_.fakes[0]->SetBehavior(breaking);
  HttpResponse r = Post({{"model", "premium"}, {"input", "hi"}, {"stream", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<Json> events = Events(r.body);
  ASSERT_GE(events.size(), 3u) << r.body;
  bool text = false;
  for (const Json& e : events) text = text || e["type"] == "response.output_text.delta";
  EXPECT_TRUE(text) << r.body;  // the client had output: no fallback, the stream says it failed
  EXPECT_EQ(events.back()["type"], "response.failed") << r.body;
  EXPECT_EQ(events.back()["response"]["status"], "failed");
  EXPECT_FALSE(events.back()["response"]["error"]["message"].get<std::string>().empty());
  EXPECT_EQ(fleet_.fakes[1]->stats().requests, 0u);
}

TEST_F(ResponsesE2E, BadInputIs400NamingTheFieldAndKeysAreChecked) {
  HttpResponse r = Post({{"model", "premium"}, {"input", "x"},
                         {"previous_response_id", "resp_1"}});
  EXPECT_EQ(r.status, 400);
  Json error = Json::parse(r.body)["error"];
  EXPECT_EQ(error["param"], "previous_response_id");
  EXPECT_EQ(error["type"], "invalid_request_error");
  HttpResponse tool = Post({{"model", "premium"}, {"input", "x"},
                            {"tools", Json::array({{{"type", "web_search"}}})}});
  EXPECT_EQ(tool.status, 400);
  EXPECT_EQ(Json::parse(tool.body)["error"]["param"], "tools[0].type");
  HttpResponse no_key = Post({{"model", "premium"}, {"input", "x"}}, "Spec", "");
  EXPECT_EQ(no_key.status, 401);
  HttpResponse unknown = Post({{"model", "nope"}, {"input", "x"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(fleet_.fakes[0]->stats().requests, 0u);
  auto events = StopAndReadLedger();
  EXPECT_TRUE(EventBodies<ledger::RequestAccepted>(events).empty());
}

}  // namespace
}  // namespace ukairo::gateway
