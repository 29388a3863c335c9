#include "router/gateway/messages_translate.h"

#include <nlohmann/json.hpp>

namespace ukairo::gateway {
namespace {

using Json = nlohmann::json;

// The text of a string or of an array of text blocks.
std::string JoinedText(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string text;
  if (!content.is_array()) return text;
  for (const auto& block : content) {
    if (block.is_object() && block.value("type", "") == "text" && block.contains("text") &&
        block["text"].is_string()) {
      text += block["text"].get<std::string>();
    }
  }
  return text;
}

std::string BlockFeature(const Json& block) {
  if (!block.is_object()) return "a content block that is not an object";
  const std::string type = block.value("type", "");
  if (type == "text" || type == "tool_use") return "";
  if (type == "tool_result") {
    const Json content = block.value("content", Json(""));
    if (content.is_string()) return "";
    for (const auto& inner : content) {
      if (!inner.is_object() || inner.value("type", "") != "text") {
        return "non-text tool_result content";
      }
    }
    return "";
  }
  return type + " content";
}

std::string UntranslatableFeatureOrThrow(std::string_view messages_body) {
  Json j = Json::parse(messages_body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "a body that is not a JSON object";
  if (j.value("stream", false)) return "stream";
  if (j.contains("thinking") && !j["thinking"].is_null()) return "thinking";
  if (j.contains("tools") && j["tools"].is_array()) {
    for (const auto& tool : j["tools"]) {
      if (!tool.is_object() || !tool.contains("name")) return "a tool without a name";
      if (tool.contains("type") && tool["type"] != "custom") {
        return "server tool " + tool["type"].dump();
      }
    }
  }
  if (j.contains("system") && j["system"].is_array()) {
    for (const auto& block : j["system"]) {
      if (!block.is_object() || block.value("type", "") != "text") return "non-text system";
    }
  }
  if (j.contains("messages") && j["messages"].is_array()) {
    for (const auto& m : j["messages"]) {
      if (!m.is_object() || !m.contains("content") || m["content"].is_string()) continue;
      if (!m["content"].is_array()) return "content that is neither text nor blocks";
      for (const auto& block : m["content"]) {
        if (std::string f = BlockFeature(block); !f.empty()) return f;
      }
    }
  }
  return "";
}

Result<std::string> MessagesToChatBodyOrThrow(std::string_view messages_body,
                                              const std::string& upstream_model) {
  Json in = Json::parse(messages_body, nullptr, false);
  if (in.is_discarded() || !in.is_object()) {
    return Status::InvalidArgument("request body must be a JSON object");
  }
  Json out{{"model", upstream_model}, {"messages", Json::array()}};
  if (in.contains("system")) {
    out["messages"].push_back({{"role", "system"}, {"content", JoinedText(in["system"])}});
  }
  for (const auto& m : in.value("messages", Json::array())) {
    const std::string role = m.value("role", "user");
    const Json content = m.value("content", Json(""));
    if (content.is_string()) {
      out["messages"].push_back({{"role", role}, {"content", content}});
      continue;
    }
    std::string text;
    Json tool_calls = Json::array();
    for (const auto& block : content) {
      const std::string type = block.value("type", "");
      if (type == "text") {
        text += block.value("text", "");
      } else if (type == "tool_use") {
        tool_calls.push_back({{"id", block.value("id", "")},
                              {"type", "function"},
                              {"function", {{"name", block.value("name", "")},
                                            {"arguments", block.value("input", Json::object()).dump()}}}});
      } else if (type == "tool_result") {
        // Each result is a message of its own, in order.
        out["messages"].push_back({{"role", "tool"},
                                   {"tool_call_id", block.value("tool_use_id", "")},
                                   {"content", JoinedText(block.value("content", Json("")))}});
      }
    }
    if (!tool_calls.empty()) {
      Json msg{{"role", "assistant"}, {"tool_calls", tool_calls}};
      msg["content"] = text.empty() ? Json(nullptr) : Json(text);
      out["messages"].push_back(msg);
    } else if (!text.empty()) {
      out["messages"].push_back({{"role", role}, {"content", text}});
    }
  }
  if (in.contains("tools")) {
    Json tools = Json::array();
    for (const auto& t : in["tools"]) {
      Json fn{{"name", t["name"]},
              {"parameters", t.value("input_schema", Json{{"type", "object"}})}};
      if (t.contains("description")) fn["description"] = t["description"];
      tools.push_back({{"type", "function"}, {"function", fn}});
    }
    out["tools"] = tools;
  }
  if (in.contains("tool_choice") && in["tool_choice"].is_object()) {
    const std::string type = in["tool_choice"].value("type", "auto");
    if (type == "any") out["tool_choice"] = "required";
    else if (type == "none") out["tool_choice"] = "none";
    else if (type == "tool") {
      out["tool_choice"] = {{"type", "function"},
                            {"function", {{"name", in["tool_choice"].value("name", "")}}}};
    } else out["tool_choice"] = "auto";
  }
  if (in.contains("max_tokens")) out["max_tokens"] = in["max_tokens"];
  if (in.contains("stop_sequences")) out["stop"] = in["stop_sequences"];
  for (const char* key : {"temperature", "top_p"}) {
    if (in.contains(key)) out[key] = in[key];
  }
  return out.dump();
}

Result<std::string> ChatToMessagesBodyOrThrow(std::string_view chat_body) {
  Json in = Json::parse(chat_body, nullptr, false);
  if (in.is_discarded() || !in.is_object() || !in.contains("choices") ||
      !in["choices"].is_array() || in["choices"].empty()) {
    return Status::Corruption("upstream chat answer has no choices");
  }
  const Json& choice = in["choices"][0];
  const Json message = choice.value("message", Json::object());
  Json content = Json::array();
  if (message.contains("content") && message["content"].is_string() &&
      !message["content"].get_ref<const std::string&>().empty()) {
    content.push_back({{"type", "text"}, {"text", message["content"]}});
  }
  for (const auto& call : message.value("tool_calls", Json::array())) {
    const Json fn = call.value("function", Json::object());
    Json input = Json::parse(fn.value("arguments", "{}"), nullptr, false);
    if (input.is_discarded()) return Status::Corruption("tool call arguments are not JSON");
    content.push_back({{"type", "tool_use"}, {"id", call.value("id", "")},
                       {"name", fn.value("name", "")}, {"input", input}});
  }
  const std::string finish = choice.value("finish_reason", "stop");
  const char* stop_reason = finish == "length"       ? "max_tokens"
                            : finish == "tool_calls" ? "tool_use"
                                                     : "end_turn";
  const Json usage = in.value("usage", Json::object());
  int64_t cached = 0;
  if (usage.contains("prompt_tokens_details") && usage["prompt_tokens_details"].is_object()) {
    cached = usage["prompt_tokens_details"].value("cached_tokens", int64_t{0});
  }
  const int64_t prompt = usage.value("prompt_tokens", int64_t{0});
  return Json{{"id", "msg_" + in.value("id", std::string("translated"))},
              {"type", "message"},
              {"role", "assistant"},
              {"model", in.value("model", "")},
              {"content", content},
              {"stop_reason", stop_reason},
              {"stop_sequence", nullptr},
              {"usage", {{"input_tokens", prompt - cached},
                         {"cache_read_input_tokens", cached},
                         {"cache_creation_input_tokens", 0},
                         {"output_tokens", usage.value("completion_tokens", int64_t{0})}}}}
      .dump();
}

}  // namespace

// A field of an unexpected JSON type throws in nlohmann's value(): named,
// never past this file.
std::string UntranslatableFeature(std::string_view messages_body) {
  try {
    return UntranslatableFeatureOrThrow(messages_body);
  } catch (const Json::exception& e) {
    return std::string("a malformed field (") + e.what() + ")";
  }
}

Result<std::string> MessagesToChatBody(std::string_view messages_body,
                                       const std::string& upstream_model) {
  try {
    return MessagesToChatBodyOrThrow(messages_body, upstream_model);
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("cannot translate the request: ") + e.what());
  }
}

Result<std::string> ChatToMessagesBody(std::string_view chat_body) {
  try {
    return ChatToMessagesBodyOrThrow(chat_body);
  } catch (const Json::exception& e) {
    return Status::Corruption(std::string("cannot translate the answer: ") + e.what());
  }
}

}  // namespace ukairo::gateway
