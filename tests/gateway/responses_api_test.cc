// The Responses API translation: a Codex-shaped request becomes the chat
// request the core routes, a chat answer becomes a Response object, a chat
// stream (text, then a function call) becomes the Responses event sequence,
// and what a chat upstream cannot take is a 400 naming the field.
#include "router/gateway/responses_api.h"

#include <nlohmann/json.hpp>

#include "router/gateway/openai_api.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::json;

// The shape Codex CLI sends (codex-rs ResponsesApiRequest).
const char* kCodexRequest = R"({
  "model": "auto", "instructions": "You are Codex.",
  "input": [
    {"type":"message","role":"developer","content":[{"type":"input_text","text":"sandbox: on"}]},
    {"type":"message","role":"user","content":[{"type":"input_text","text":"list files"}]},
    {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAA"},
    {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Running ls."}]},
    {"type":"function_call","call_id":"call_1","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"},
    {"type":"function_call_output","call_id":"call_1","output":"a.txt\nb.txt"}
  ],
  "tools": [{"type":"function","name":"shell","description":"Runs a command",
             "strict":false,"parameters":{"type":"object","properties":{}}}],
  "tool_choice": "auto", "parallel_tool_calls": false,
  "reasoning": {"effort":"medium","summary":"auto"}, "store": false, "stream": true,
  "include": ["reasoning.encrypted_content"], "prompt_cache_key": "conv-1",
  "max_output_tokens": 500, "metadata": {"tags": "Build"}
})";

TEST(ResponsesApi, CodexRequestBecomesChatRequest) {
  std::string param;
  auto call = ResponsesToChat(kCodexRequest, &param);
  ASSERT_OK(call);
  EXPECT_TRUE(call->stream);
  Json chat = Json::parse(call->chat_body);
  EXPECT_EQ(chat["model"], "auto");
  EXPECT_EQ(chat["stream"], true);
  EXPECT_EQ(chat["max_completion_tokens"], 500);
  EXPECT_EQ(chat["reasoning_effort"], "medium");
  EXPECT_EQ(chat["prompt_cache_key"], "conv-1");
  EXPECT_EQ(chat["parallel_tool_calls"], false);
  EXPECT_EQ(chat["tool_choice"], "auto");
  EXPECT_EQ(chat["tools"][0],
            Json::parse(R"({"type":"function","function":{"name":"shell",
              "description":"Runs a command","strict":false,
              "parameters":{"type":"object","properties":{}}}})"));
  const Json& m = chat["messages"];
  ASSERT_EQ(m.size(), 5u);  // the reasoning item is dropped, the call joins its turn
  EXPECT_EQ(m[0], Json::parse(R"({"role":"system","content":"You are Codex."})"));
  EXPECT_EQ(m[1]["role"], "system");  // developer
  EXPECT_EQ(m[1]["content"][0], Json::parse(R"({"type":"text","text":"sandbox: on"})"));
  EXPECT_EQ(m[2]["role"], "user");
  EXPECT_EQ(m[3]["role"], "assistant");
  EXPECT_EQ(m[3]["content"], "Running ls.");
  EXPECT_EQ(m[3]["tool_calls"][0],
            Json::parse(R"({"id":"call_1","type":"function",
              "function":{"name":"shell","arguments":"{\"cmd\":[\"ls\"]}"}})"));
  EXPECT_EQ(m[4], Json::parse(R"({"role":"tool","tool_call_id":"call_1",
                                   "content":"a.txt\nb.txt"})"));
  // The gateway's own parser reads it like any chat request: tag, limits.
  auto request = ParseClientRequest(Endpoint::kChatCompletions, call->chat_body, "");
  ASSERT_OK(request);
  EXPECT_EQ(request->tag, "Build");
  EXPECT_EQ(request->max_output_tokens, 500);
  EXPECT_TRUE(request->stream);
  Json echo = Json::parse(call->echo_json);
  EXPECT_EQ(echo["instructions"], "You are Codex.");
  EXPECT_EQ(echo["tools"][0]["name"], "shell");  // echoed in the Responses shape
  EXPECT_EQ(echo["reasoning"]["effort"], "medium");
}

// Codex's apply_patch for GPT-5 models is a custom (free-form) tool.
TEST(ResponsesApi, CustomToolsTravelAsFunctionsOfOneString) {
  std::string param;
  auto call = ResponsesToChat(R"({"model":"m","tools":[{"type":"custom","name":"apply_patch",
      "description":"Edit files.","format":{"type":"grammar","syntax":"lark",
      "definition":"start: patch"}}],"tool_choice":{"type":"custom","name":"apply_patch"},
    "input":[{"role":"user","content":"fix it"},
      {"type":"custom_tool_call","call_id":"c1","name":"apply_patch","input":"*** Begin"},
      {"type":"custom_tool_call_output","call_id":"c1","output":"done"}]})",
                              &param);
  ASSERT_OK(call);
  Json chat = Json::parse(call->chat_body);
  const Json& function = chat["tools"][0]["function"];
  EXPECT_EQ(function["name"], "apply_patch");
  EXPECT_EQ(function["description"],
            "Edit files.\n\nThe input must follow this lark grammar:\nstart: patch");
  EXPECT_EQ(function["parameters"]["required"], Json::parse(R"(["input"])"));
  EXPECT_EQ(chat["tool_choice"]["function"]["name"], "apply_patch");
  EXPECT_EQ(chat["messages"][1]["tool_calls"][0]["function"]["arguments"],
            R"({"input":"*** Begin"})");
  EXPECT_EQ(chat["messages"][2]["tool_call_id"], "c1");

  const char* answer = R"({"choices":[{"finish_reason":"tool_calls","message":{"tool_calls":[
    {"id":"c2","type":"function","function":{"name":"apply_patch",
     "arguments":"{\"input\":\"*** Begin Patch\"}"}}]}}]})";
  auto response = ChatToResponse(answer, call->echo_json, "resp_q", 1);
  ASSERT_OK(response);
  EXPECT_EQ(Json::parse(*response)["output"][0],
            Json::parse(R"({"id":"ctc_q_0","type":"custom_tool_call","status":"completed",
                            "call_id":"c2","name":"apply_patch","input":"*** Begin Patch"})"));

  ResponsesStream stream("resp_s", 1, call->echo_json);
  std::string out = stream.Feed(
      R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c3","type":"function",)"
      R"("function":{"name":"apply_patch","arguments":"{\"input\":"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":)"
      R"("\"*** Begin\"}"}}]},"finish_reason":"tool_calls"}]})"
      "\n\n");
  out += stream.Finish(true, "", "");
  EXPECT_NE(out.find("response.custom_tool_call_input.done"), std::string::npos) << out;
  const size_t completed = out.find("data: ", out.find("event: response.completed"));
  Json done = Json::parse(out.substr(completed + 6, out.find('\n', completed) - completed - 6));
  EXPECT_EQ(done["response"]["output"][0]["type"], "custom_tool_call");
  EXPECT_EQ(done["response"]["output"][0]["input"], "*** Begin");
}

TEST(ResponsesApi, StringInputAndDefaults) {
  std::string param;
  auto call = ResponsesToChat(R"({"model":"m","input":"hi"})", &param);
  ASSERT_OK(call);
  EXPECT_FALSE(call->stream);
  EXPECT_EQ(Json::parse(call->chat_body),
            Json::parse(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})"));
}

TEST(ResponsesApi, WhatCannotBeRepresentedIsA400NamingTheField) {
  auto check = [](const std::string& body, const std::string& want_param,
                  const std::string& words) {
    std::string param;
    auto r = ResponsesToChat(body, &param);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_EQ(param, want_param) << r.status().message();
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
  };
  check(R"({"model":"m","input":"x","previous_response_id":"resp_1"})", "previous_response_id",
        "stores no conversation");
  check(R"({"model":"m","input":"x","tools":[{"type":"function","name":"f"},
           {"type":"web_search"}]})",
        "tools[1].type", "'web_search' is a built-in tool");
  check(R"({"model":"m","input":"x","tools":[{"type":"local_shell"}]})", "tools[0].type",
        "built-in tool");
  check(R"({"model":"m","input":[{"type":"local_shell_call","call_id":"c"}]})", "input[0].type",
        "'local_shell_call' is not supported");
  check(R"({"model":"m","input":[{"type":"item_reference","id":"msg_1"}]})", "input[0].type",
        "item_reference");
  check(R"({"model":"m","input":[{"role":"user","content":[{"type":"input_file",
           "file_id":"f"}]}]})",
        "input[0].content[0].type", "'input_file'");
  check(R"({"model":"m","input":[{"role":"robot","content":"x"}]})", "input[0].role", "robot");
  check(R"({"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]})",
        "input[0].call_id", "call_id must be a string");
  check(R"({"model":"m"})", "input", "'input' is required");
  check(R"({"model":"m","input":"x","tool_choice":{"type":"web_search"}})", "tool_choice",
        "tool_choice");
  check(R"({"model":"m","input":"x","max_tool_calls":3})", "max_tool_calls", "not supported");
  check(R"({"model":"m","input":"x","max_output_tokens":0})", "max_output_tokens",
        "positive integer");
  std::string param;
  EXPECT_FALSE(ResponsesToChat("{nope", &param).ok());
  Json error = Json::parse(ResponsesErrorJson("bad", "tools[1].type", "invalid_request"));
  EXPECT_EQ(error["error"]["param"], "tools[1].type");
  EXPECT_EQ(error["error"]["type"], "invalid_request_error");
}

TEST(ResponsesApi, ChatAnswerBecomesResponseWithUsage) {
  const char* chat = R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,
    "model":"gpt-x","choices":[{"index":0,"finish_reason":"tool_calls","message":{
      "role":"assistant","content":"Let me look.","tool_calls":[{"id":"call_9","type":"function",
      "function":{"name":"shell","arguments":"{\"cmd\":[\"ls\"]}"}}]}}],
    "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,
      "prompt_tokens_details":{"cached_tokens":64},
      "completion_tokens_details":{"reasoning_tokens":7}}})";
  auto text = ChatToResponse(chat, R"({"instructions":"be brief","tools":[]})", "resp_req-1", 5);
  ASSERT_OK(text);
  Json r = Json::parse(*text);
  EXPECT_EQ(r["id"], "resp_req-1");
  EXPECT_EQ(r["object"], "response");
  EXPECT_EQ(r["status"], "completed");
  EXPECT_EQ(r["created_at"], 1700000000);
  EXPECT_EQ(r["model"], "gpt-x");
  EXPECT_EQ(r["instructions"], "be brief");
  ASSERT_EQ(r["output"].size(), 2u);
  EXPECT_EQ(r["output"][0]["type"], "message");
  EXPECT_EQ(r["output"][0]["id"], "msg_req-1_0");
  EXPECT_EQ(r["output"][0]["content"][0]["type"], "output_text");
  EXPECT_EQ(r["output"][0]["content"][0]["text"], "Let me look.");
  EXPECT_EQ(r["output"][1], Json::parse(R"({"id":"fc_req-1_1","type":"function_call",
    "status":"completed","call_id":"call_9","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"})"));
  EXPECT_EQ(r["usage"], Json::parse(R"({"input_tokens":100,"input_tokens_details":{
    "cached_tokens":64},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":7},
    "total_tokens":120})"));

  auto cut = ChatToResponse(R"({"choices":[{"finish_reason":"length","message":{
    "content":"abc","reasoning_content":"thinking"}}]})", "{}", "resp_x", 5);
  ASSERT_OK(cut);
  Json c = Json::parse(*cut);
  EXPECT_EQ(c["status"], "incomplete");
  EXPECT_EQ(c["incomplete_details"]["reason"], "max_output_tokens");
  EXPECT_EQ(c["created_at"], 5);
  EXPECT_EQ(c["output"][0]["type"], "reasoning");
  EXPECT_EQ(c["output"][0]["content"][0]["text"], "thinking");
  EXPECT_TRUE(c["usage"].is_null());
  EXPECT_FALSE(ChatToResponse(R"({"choices":[]})", "{}", "resp_x", 5).ok());
}

// Parses "event: T\ndata: {...}\n\n" blocks; checks that event and type agree.
std::vector<Json> Events(const std::string& sse) {
  std::vector<Json> out;
  size_t pos = 0;
  while (pos < sse.size()) {
    size_t end = sse.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos);
    if (end == std::string::npos) break;
    std::string block = sse.substr(pos, end - pos);
    pos = end + 2;
    size_t nl = block.find('\n');
    std::string name = block.substr(7, nl - 7);
    Json data = Json::parse(block.substr(nl + 7));
    EXPECT_EQ(data["type"], name);
    out.push_back(data);
  }
  return out;
}

std::string Chunk(const std::string& delta, const std::string& finish = "null") {
  return R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x",)"
         R"("choices":[{"index":0,"delta":)" + delta + R"(,"finish_reason":)" + finish + "}]}\n\n";
}

TEST(ResponsesApi, StreamedTextThenFunctionCall) {
  std::string upstream =
      Chunk(R"({"role":"assistant","content":""})") + Chunk(R"({"content":"Let "})") +
      Chunk(R"({"content":"me look."})") +
      Chunk(R"({"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{)"
            R"("name":"shell","arguments":""}}]})") +
      Chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"cmd\":"}}]})") +
      Chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"[\"ls\"]}"}}]})") +
      Chunk("{}", "\"tool_calls\"") +
      "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
      "\"completion_tokens\":4,\"total_tokens\":13,"
      "\"prompt_tokens_details\":{\"cached_tokens\":3}}}\n\ndata: [DONE]\n\n";
  ResponsesStream stream("resp_r1", 77, R"({"tools":[]})");
  std::string out;
  // Fed in awkward pieces: 7 bytes at a time, splitting lines anywhere.
  for (size_t i = 0; i < upstream.size(); i += 7) out += stream.Feed(upstream.substr(i, 7));
  out += stream.Finish(true, "", "");
  EXPECT_EQ(stream.Finish(true, "", ""), "");
  std::vector<Json> events = Events(out);
  std::vector<std::string> types;
  for (size_t i = 0; i < events.size(); ++i) {
    types.push_back(events[i]["type"]);
    EXPECT_EQ(events[i]["sequence_number"], i);
  }
  EXPECT_EQ(types, (std::vector<std::string>{
                       "response.created", "response.in_progress",
                       "response.output_item.added", "response.content_part.added",
                       "response.output_text.delta", "response.output_text.delta",
                       "response.output_text.done", "response.content_part.done",
                       "response.output_item.done", "response.output_item.added",
                       "response.function_call_arguments.delta",
                       "response.function_call_arguments.delta",
                       "response.function_call_arguments.done", "response.output_item.done",
                       "response.completed"}));
  EXPECT_EQ(events[0]["response"]["status"], "in_progress");
  EXPECT_EQ(events[0]["response"]["model"], "gpt-x");
  EXPECT_EQ(events[6]["text"], "Let me look.");
  EXPECT_EQ(events[9]["item"]["call_id"], "call_9");
  EXPECT_EQ(events[9]["output_index"], 1);
  EXPECT_EQ(events[12]["arguments"], "{\"cmd\":[\"ls\"]}");
  const Json& done = events.back()["response"];
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["output"][0]["content"][0]["text"], "Let me look.");
  EXPECT_EQ(done["output"][1]["arguments"], "{\"cmd\":[\"ls\"]}");
  EXPECT_EQ(done["output"][1]["status"], "completed");
  EXPECT_EQ(done["usage"]["input_tokens"], 9);
  EXPECT_EQ(done["usage"]["input_tokens_details"]["cached_tokens"], 3);
  EXPECT_EQ(done["usage"]["output_tokens"], 4);
}

TEST(ResponsesApi, StreamFailsAndStaysBounded) {
  ResponsesStream failed("resp_f", 1, "{}");
  std::string out = failed.Feed(Chunk(R"({"content":"partial"})"));
  out += failed.Finish(false, "upstream_error", "the provider broke the stream");
  std::vector<Json> events = Events(out);
  EXPECT_EQ(events.back()["type"], "response.failed");
  EXPECT_EQ(events.back()["response"]["error"]["code"], "upstream_error");

  ResponsesStream garbage("resp_g", 1, "{}");
  EXPECT_EQ(garbage.Feed("data: {not json\n\n"), "");
  EXPECT_EQ(garbage.Feed(Chunk(R"({"content":"ignored"})")), "");  // stopped
  events = Events(garbage.Finish(true, "", ""));
  EXPECT_EQ(events.back()["type"], "response.failed");
  EXPECT_NE(events.back()["response"]["error"]["message"].get<std::string>().find("not JSON"),
            std::string::npos);

  ResponsesStream many("resp_m", 1, "{}");
  std::string calls;
  for (size_t i = 0; i <= ResponsesStream::kToolCallsMax; ++i) {
    calls += Chunk(R"({"tool_calls":[{"index":)" + std::to_string(i) +
                   R"(,"id":"c","function":{"name":"f","arguments":"{}"}}]})");
  }
  many.Feed(calls);
  events = Events(many.Finish(true, "", ""));
  EXPECT_EQ(events.back()["type"], "response.failed");
  EXPECT_NE(events.back()["response"]["error"]["message"].get<std::string>().find("tool calls"),
            std::string::npos);

  ResponsesStream long_line("resp_l", 1, "{}");
  long_line.Feed("data: " + std::string(ResponsesStream::kLineBytesMax, 'x'));
  events = Events(long_line.Finish(true, "", ""));
  EXPECT_EQ(events.back()["type"], "response.failed");

  ResponsesStream reported("resp_e", 1, "{}");
  reported.Feed(Chunk(R"({"content":"abc"})") +
                "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n");
  events = Events(reported.Finish(true, "", ""));
  EXPECT_EQ(events.back()["type"], "response.failed");
  EXPECT_NE(events.back()["response"]["error"]["message"].get<std::string>().find("overloaded"),
            std::string::npos);

  ResponsesStream thinking("resp_t", 1, "{}");
  out = thinking.Feed(Chunk(R"({"reasoning":"hmm"})") + Chunk(R"({"content":"ok"})"));
  events = Events(out + thinking.Finish(true, "", ""));
  const Json& thought = events.back()["response"]["output"];
  ASSERT_EQ(thought.size(), 2u);
  EXPECT_EQ(thought[0]["type"], "reasoning");
  EXPECT_EQ(thought[0]["content"][0]["text"], "hmm");
  EXPECT_EQ(thought[1]["content"][0]["text"], "ok");

  ResponsesStream cut("resp_c", 1, "{}");
  out = cut.Feed(Chunk(R"({"content":"abc"})") + Chunk("{}", "\"length\""));
  events = Events(out + cut.Finish(true, "", ""));
  EXPECT_EQ(events.back()["type"], "response.incomplete");
  EXPECT_EQ(events.back()["response"]["incomplete_details"]["reason"], "max_output_tokens");
}

}  // namespace
}  // namespace ukairo::gateway
