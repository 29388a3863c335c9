#include "router/gateway/fake_messages.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "router/gateway/anthropic_api.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::json;

bool LastMessageHasToolResult(const Json& request) {
  if (!request.contains("messages") || !request["messages"].is_array() ||
      request["messages"].empty()) {
    return false;
  }
  const Json& content = request["messages"].back().value("content", Json());
  if (!content.is_array()) return false;
  for (const auto& block : content) {
    if (block.is_object() && block.value("type", std::string()) == "tool_result") return true;
  }
  return false;
}

// The tool to call, or null: the first tool, unless the client is answering one.
const Json* ToolToCall(const Json& request) {
  if (!request.contains("tools") || !request["tools"].is_array() || request["tools"].empty()) {
    return nullptr;
  }
  const Json& tool = request["tools"][0];
  if (!tool.is_object() || !tool.contains("name") || LastMessageHasToolResult(request)) {
    return nullptr;
  }
  return &tool;
}

// Inputs for a tool from its JSON schema: one plausible value per property.
Json ToolInput(const Json& tool) {
  Json input = Json::object();
  const Json schema = tool.value("input_schema", Json::object());
  if (!schema.is_object() || !schema.contains("properties") || !schema["properties"].is_object()) {
    return input;
  }
  for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
    const std::string type = it.value().is_object() ? it.value().value("type", "") : "";
    if (type == "number" || type == "integer") input[it.key()] = 1;
    else if (type == "boolean") input[it.key()] = true;
    else input[it.key()] = "fake";
  }
  return input;
}

Json UsageJson(const FakeMessagesUsage& u, int64_t output_tokens) {
  return Json{{"input_tokens", u.input_tokens},
              {"cache_creation_input_tokens", u.cache_creation_input_tokens},
              {"cache_read_input_tokens", u.cache_read_input_tokens},
              {"output_tokens", output_tokens}};
}

std::string Text(const std::string& model) { return "fake reply from " + model; }

}  // namespace

std::string FakeMessagesJson(const Json& request, const std::string& model, const std::string& id,
                             const FakeMessagesUsage& usage) {
  Json content = Json::array();
  const Json* tool = ToolToCall(request);
  if (tool != nullptr) {
    content.push_back({{"type", "tool_use"}, {"id", "toolu_" + id},
                       {"name", (*tool)["name"]}, {"input", ToolInput(*tool)}});
  } else {
    content.push_back({{"type", "text"}, {"text", Text(model)}});
  }
  return Json{{"id", id},
              {"type", "message"},
              {"role", "assistant"},
              {"model", model},
              {"content", content},
              {"stop_reason", tool != nullptr ? "tool_use" : "end_turn"},
              {"stop_sequence", nullptr},
              {"usage", UsageJson(usage, usage.output_tokens)}}
      .dump();
}

std::string FakeMessagesSse(const Json& request, const std::string& model, const std::string& id,
                            const FakeMessagesUsage& usage, uint32_t error_after_events) {
  std::vector<std::pair<std::string, Json>> events;
  Json message{{"id", id},           {"type", "message"},        {"role", "assistant"},
               {"model", model},     {"content", Json::array()}, {"stop_reason", nullptr},
               {"stop_sequence", nullptr}, {"usage", UsageJson(usage, 1)}};
  events.emplace_back("message_start", Json{{"type", "message_start"}, {"message", message}});
  const Json* tool = ToolToCall(request);
  Json block = tool != nullptr ? Json{{"type", "tool_use"}, {"id", "toolu_" + id},
                                      {"name", (*tool)["name"]}, {"input", Json::object()}}
                               : Json{{"type", "text"}, {"text", ""}};
  events.emplace_back("content_block_start",
                      Json{{"type", "content_block_start"}, {"index", 0}, {"content_block", block}});
  events.emplace_back("ping", Json{{"type", "ping"}});
  auto delta = [&](const Json& d) {
    events.emplace_back("content_block_delta",
                        Json{{"type", "content_block_delta"}, {"index", 0}, {"delta", d}});
  };
  if (tool != nullptr) {
    // The input arrives as partial JSON text, cut anywhere.
    const std::string input = ToolInput(*tool).dump();
    const size_t half = input.size() / 2;
    delta({{"type", "input_json_delta"}, {"partial_json", input.substr(0, half)}});
    delta({{"type", "input_json_delta"}, {"partial_json", input.substr(half)}});
  } else {
    const std::string text = Text(model);
    size_t pos = 0;
    while (pos < text.size()) {  // a word (and its space) per delta
      size_t end = text.find(' ', pos);
      end = end == std::string::npos ? text.size() : end + 1;
      delta({{"type", "text_delta"}, {"text", text.substr(pos, end - pos)}});
      pos = end;
    }
  }
  events.emplace_back("content_block_stop", Json{{"type", "content_block_stop"}, {"index", 0}});
  events.emplace_back("message_delta",
                      Json{{"type", "message_delta"},
                           {"delta", {{"stop_reason", tool != nullptr ? "tool_use" : "end_turn"},
                                      {"stop_sequence", nullptr}}},
                           {"usage", UsageJson(usage, usage.output_tokens)}});
  events.emplace_back("message_stop", Json{{"type", "message_stop"}});
  std::string sse;
  for (size_t i = 0; i < events.size(); ++i) {
    if (error_after_events > 0 && i == error_after_events) {
      sse += "event: error\ndata: " +
             AnthropicErrorJson("overloaded_error", "Overloaded (scripted, fake provider)") +
             "\n\n";
      break;
    }
    sse += "event: " + events[i].first + "\ndata: " + events[i].second.dump() + "\n\n";
  }
  return sse;
}

}  // namespace ukairo::gateway
