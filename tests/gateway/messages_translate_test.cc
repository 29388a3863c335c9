// Translating Anthropic Messages requests for chat/completions and the
// answers back: system, text and tool blocks, tools, stop reasons, usage;
// and naming what cannot be translated.
#include "router/gateway/messages_translate.h"

#include <nlohmann/json.hpp>

#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::json;

TEST(MessagesTranslate, NamesWhatCannotBeTranslated) {
  EXPECT_EQ(UntranslatableFeature(R"({"messages":[{"role":"user","content":"hi"}]})"), "");
  EXPECT_EQ(UntranslatableFeature(R"({"stream":true,"messages":[]})"), "stream");
  EXPECT_EQ(UntranslatableFeature(R"({"thinking":{"type":"enabled"},"messages":[]})"),
            "thinking");
  EXPECT_EQ(UntranslatableFeature(R"({"messages":[{"role":"user","content":[{"type":"image",
                                      "source":{}}]}]})"),
            "image content");
  EXPECT_EQ(UntranslatableFeature(R"({"tools":[{"type":"web_search_20250305","name":"w"}],
                                      "messages":[]})"),
            R"(server tool "web_search_20250305")");
  EXPECT_NE(UntranslatableFeature(R"({"stream":"yes","messages":[]})"), "");  // named, no throw
}

TEST(MessagesTranslate, RequestBecomesChatCompletions) {
  auto body = MessagesToChatBody(
      R"({"model":"auto","max_tokens":99,"stop_sequences":["END"],"temperature":0.5,
          "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
          "tools":[{"name":"read","description":"reads","input_schema":{"type":"object"}}],
          "tool_choice":{"type":"any"},
          "messages":[{"role":"user","content":"read a"},
                      {"role":"assistant","content":[{"type":"text","text":"ok"},
                        {"type":"tool_use","id":"t1","name":"read","input":{"path":"a"}}]},
                      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1",
                        "content":"A"}]}]})",
      "gpt-5.2");
  ASSERT_OK(body);
  Json want = Json::parse(R"({"model":"gpt-5.2","max_tokens":99,"stop":["END"],"temperature":0.5,
      "tool_choice":"required",
      "tools":[{"type":"function","function":{"name":"read","description":"reads",
                "parameters":{"type":"object"}}}],
      "messages":[{"role":"system","content":"Be brief."},
                  {"role":"user","content":"read a"},
                  {"role":"assistant","content":"ok","tool_calls":[{"id":"t1","type":"function",
                    "function":{"name":"read","arguments":"{\"path\":\"a\"}"}}]},
                  {"role":"tool","tool_call_id":"t1","content":"A"}]})");
  EXPECT_EQ(Json::parse(*body), want);
}

TEST(MessagesTranslate, AnswerBecomesAnAnthropicMessage) {
  auto answer = ChatToMessagesBody(R"({"id":"c1","model":"gpt-5.2","choices":[{"index":0,
      "message":{"role":"assistant","content":null,"tool_calls":[{"id":"t2","type":"function",
        "function":{"name":"read","arguments":"{\"path\":\"b\"}"}}]},
      "finish_reason":"tool_calls"}],
      "usage":{"prompt_tokens":120,"completion_tokens":9,
               "prompt_tokens_details":{"cached_tokens":100}}})");
  ASSERT_OK(answer);
  Json j = Json::parse(*answer);
  EXPECT_EQ(j["type"], "message");
  EXPECT_EQ(j["stop_reason"], "tool_use");
  EXPECT_EQ(j["content"], Json::parse(R"([{"type":"tool_use","id":"t2","name":"read",
                                           "input":{"path":"b"}}])"));
  EXPECT_EQ(j["usage"]["input_tokens"], 20);  // Anthropic's count excludes the cached
  EXPECT_EQ(j["usage"]["cache_read_input_tokens"], 100);
  EXPECT_EQ(j["usage"]["output_tokens"], 9);
  auto cut = ChatToMessagesBody(R"({"choices":[{"message":{"content":"x"},
                                    "finish_reason":"length"}]})");
  ASSERT_OK(cut);
  EXPECT_EQ(Json::parse(*cut)["stop_reason"], "max_tokens");
  EXPECT_FALSE(ChatToMessagesBody(R"({"choices":[]})").ok());
}

}  // namespace
}  // namespace ukairo::gateway
