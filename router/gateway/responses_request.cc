// Responses request → chat-completions request (see responses_api.h for what
// is translated, what is refused with a 400 and why).
#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "router/gateway/responses_api.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::json;

// A translation failure: the message and the field it is about.
struct Refusal {
  std::string message;
  std::string param;
};

std::string Quoted(const Json& value) {
  return value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump();
}

bool IsSet(const Json& j, const char* key) { return j.contains(key) && !j[key].is_null(); }

// Content parts of a message → chat content parts. Assistant text becomes a
// plain string (what every upstream takes for an assistant turn).
std::optional<Refusal> ConvertContent(const Json& content, const std::string& role,
                                      const std::string& where, Json* out) {
  if (content.is_string()) {
    *out = content;
    return std::nullopt;
  }
  if (!content.is_array()) return Refusal{where + " must be a string or an array", where};
  Json parts = Json::array();
  std::string text;
  bool only_text = true;
  for (size_t i = 0; i < content.size(); ++i) {
    const Json& part = content[i];
    const std::string at = where + "[" + std::to_string(i) + "]";
    if (!part.is_object() || !part.contains("type") || !part["type"].is_string()) {
      return Refusal{at + " must be an object with a string 'type'", at + ".type"};
    }
    const std::string type = part["type"].get<std::string>();
    if (type == "input_text" || type == "output_text" || type == "text") {
      if (!part.contains("text") || !part["text"].is_string()) {
        return Refusal{at + ".text must be a string", at + ".text"};
      }
      parts.push_back({{"type", "text"}, {"text", part["text"]}});
      text += part["text"].get<std::string>();
    } else if (type == "refusal" && role == "assistant") {
      parts.push_back({{"type", "refusal"}, {"refusal", part.value("refusal", "")}});
      only_text = false;
    } else if (type == "input_image" && role != "assistant") {
      if (!part.contains("image_url") || !part["image_url"].is_string()) {
        return Refusal{at + ": an input_image needs an image_url (a file_id refers to OpenAI's "
                            "file store, which a chat-completions upstream cannot read)",
                       at + ".image_url"};
      }
      Json image{{"url", part["image_url"]}};
      if (part.contains("detail") && part["detail"].is_string()) image["detail"] = part["detail"];
      parts.push_back({{"type", "image_url"}, {"image_url", image}});
      only_text = false;
    } else {
      return Refusal{at + ".type " + Quoted(part["type"]) + " cannot be sent to a " + role +
                         " message of a chat-completions upstream",
                     at + ".type"};
    }
  }
  *out = only_text && role == "assistant" ? Json(text) : parts;
  return std::nullopt;
}

// One input item appended to the chat messages.
std::optional<Refusal> ConvertItem(const Json& item, size_t index, Json* messages) {
  const std::string at = "input[" + std::to_string(index) + "]";
  if (!item.is_object()) return Refusal{at + " must be an object", at};
  std::string type = "message";  // an "easy" message has a role and no type
  if (item.contains("type")) {
    if (!item["type"].is_string()) return Refusal{at + ".type must be a string", at + ".type"};
    type = item["type"].get<std::string>();
  }
  if (type == "message") {
    if (!item.contains("role") || !item["role"].is_string()) {
      return Refusal{at + ".role must be a string", at + ".role"};
    }
    std::string role = item["role"].get<std::string>();
    if (role != "user" && role != "assistant" && role != "system" && role != "developer") {
      return Refusal{at + ".role " + Quoted(item["role"]) +
                         " must be user, assistant, system or developer",
                     at + ".role"};
    }
    if (role == "developer") role = "system";
    if (!item.contains("content")) return Refusal{at + ".content is required", at + ".content"};
    Json content;
    if (auto r = ConvertContent(item["content"], role, at + ".content", &content)) return r;
    messages->push_back({{"role", role}, {"content", content}});
    return std::nullopt;
  }
  if (type == "function_call" || type == "custom_tool_call") {
    const bool custom = type == "custom_tool_call";
    for (const char* key : {"call_id", "name", custom ? "input" : "arguments"}) {
      if (!item.contains(key) || !item[key].is_string()) {
        return Refusal{at + "." + key + " must be a string", at + "." + key};
      }
    }
    // A custom tool is a function of one string, "input" (ConvertTools).
    const Json arguments = custom ? Json(Json{{"input", item["input"]}}.dump()) : item["arguments"];
    Json call{{"id", item["call_id"]},
              {"type", "function"},
              {"function", {{"name", item["name"]}, {"arguments", arguments}}}};
    // Calls of one turn (and the text before them) are one assistant message.
    if (!messages->empty() && messages->back()["role"] == "assistant") {
      Json& last = messages->back();
      if (!last.contains("tool_calls")) last["tool_calls"] = Json::array();
      last["tool_calls"].push_back(call);
    } else {
      messages->push_back(
          {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", Json::array({call})}});
    }
    return std::nullopt;
  }
  if (type == "function_call_output" || type == "custom_tool_call_output") {
    if (!item.contains("call_id") || !item["call_id"].is_string()) {
      return Refusal{at + ".call_id must be a string", at + ".call_id"};
    }
    if (!item.contains("output")) return Refusal{at + ".output is required", at + ".output"};
    Json content;
    const Json& output = item["output"];
    if (output.is_string()) {
      content = output;
    } else {
      // Chat tool messages carry text only.
      if (auto r = ConvertContent(output, "tool", at + ".output", &content)) return r;
      std::string text;
      for (const Json& part : content) {
        if (part.value("type", "") != "text") {
          return Refusal{at + ".output: a tool result sent to a chat-completions upstream "
                              "must be text",
                         at + ".output"};
        }
        text += part["text"].get<std::string>();
      }
      content = text;
    }
    messages->push_back(
        {{"role", "tool"}, {"tool_call_id", item["call_id"]}, {"content", content}});
    return std::nullopt;
  }
  if (type == "reasoning") return std::nullopt;  // dropped: see responses_api.h
  if (type == "item_reference") {
    return Refusal{at + ": item_reference needs stored items; ukairo stores no conversation, "
                        "send the items themselves",
                   at + ".type"};
  }
  return Refusal{at + ".type " + Quoted(item["type"]) +
                     " is not supported: a chat-completions upstream can take messages, "
                     "function_call, custom_tool_call, their outputs and reasoning items",
                 at + ".type"};
}

// A custom (free-form) tool, such as Codex's apply_patch for GPT-5 models,
// becomes a function of one string argument, "input"; its grammar, which a
// chat upstream cannot enforce, is given to the model in the description.
// The answer turns a call of it back into a custom_tool_call.
std::optional<Refusal> CustomToolAsFunction(const Json& tool, const std::string& at,
                                            Json* function) {
  std::string description = tool.value("description", "");
  if (IsSet(tool, "format")) {
    const Json& format = tool["format"];
    const std::string type = format.is_object() ? format.value("type", "") : "";
    if (type == "grammar") {
      if (!format.contains("definition") || !format["definition"].is_string()) {
        return Refusal{at + ".format.definition must be a string", at + ".format.definition"};
      }
      description += "\n\nThe input must follow this " + format.value("syntax", std::string()) +
                     " grammar:\n" + format["definition"].get<std::string>();
    } else if (type != "text") {
      return Refusal{at + ".format.type must be text or grammar", at + ".format.type"};
    }
  }
  (*function)["description"] = description;
  (*function)["parameters"] = {
      {"type", "object"},
      {"properties", {{"input", {{"type", "string"}, {"description", "the tool's input"}}}}},
      {"required", Json::array({"input"})},
      {"additionalProperties", false}};
  return std::nullopt;
}

std::optional<Refusal> ConvertTools(const Json& tools, Json* out) {
  if (!tools.is_array()) return Refusal{"field 'tools' must be an array", "tools"};
  *out = Json::array();
  for (size_t i = 0; i < tools.size(); ++i) {
    const Json& t = tools[i];
    const std::string at = "tools[" + std::to_string(i) + "]";
    if (!t.is_object() || !t.contains("type") || !t["type"].is_string()) {
      return Refusal{at + " must be an object with a string 'type'", at + ".type"};
    }
    if (t["type"] != "function" && t["type"] != "custom") {
      return Refusal{at + ".type " + Quoted(t["type"]) +
                         " is a built-in tool that a chat-completions upstream cannot run; "
                         "only type 'function' and 'custom' tools are supported",
                     at + ".type"};
    }
    if (!t.contains("name") || !t["name"].is_string()) {
      return Refusal{at + ".name must be a string", at + ".name"};
    }
    Json function{{"name", t["name"]}};
    if (t["type"] == "custom") {
      if (auto r = CustomToolAsFunction(t, at, &function)) return r;
    } else {
      for (const char* key : {"description", "parameters", "strict"}) {
        if (IsSet(t, key)) function[key] = t[key];
      }
    }
    out->push_back({{"type", "function"}, {"function", function}});
  }
  return std::nullopt;
}

std::optional<Refusal> ConvertToolChoice(const Json& choice, Json* out) {
  if (choice.is_string() &&
      (choice == "auto" || choice == "none" || choice == "required")) {
    *out = choice;
    return std::nullopt;
  }
  const std::string type = choice.is_object() ? choice.value("type", "") : "";
  if ((type == "function" || type == "custom") && choice.contains("name") &&
      choice["name"].is_string()) {
    *out = {{"type", "function"}, {"function", {{"name", choice["name"]}}}};
    return std::nullopt;
  }
  return Refusal{"field 'tool_choice' " + choice.dump() +
                     " is not supported: use auto, none, required or "
                     "{\"type\":\"function\",\"name\":...}",
                 "tool_choice"};
}

std::optional<Refusal> ConvertText(const Json& text, Json* chat) {
  if (!text.is_object()) return Refusal{"field 'text' must be an object", "text"};
  if (IsSet(text, "verbosity")) (*chat)["verbosity"] = text["verbosity"];
  if (!IsSet(text, "format")) return std::nullopt;
  const Json& format = text["format"];
  const std::string type = format.is_object() ? format.value("type", "") : "";
  if (type == "text") return std::nullopt;
  if (type == "json_object") {
    (*chat)["response_format"] = {{"type", "json_object"}};
    return std::nullopt;
  }
  if (type == "json_schema") {
    Json schema = format;
    schema.erase("type");
    (*chat)["response_format"] = {{"type", "json_schema"}, {"json_schema", schema}};
    return std::nullopt;
  }
  return Refusal{"field 'text.format' must have type text, json_object or json_schema",
                 "text.format.type"};
}

// Fields that must be absent (or null, false) because the gateway cannot do
// what they ask.
std::optional<Refusal> RefuseStateful(const Json& j) {
  for (const char* key : {"previous_response_id", "conversation"}) {
    if (IsSet(j, key)) {
      return Refusal{std::string("field '") + key +
                         "' is not supported: ukairo stores no conversation; send the whole "
                         "input (as Codex CLI does with store = false)",
                     key};
    }
  }
  if (IsSet(j, "background") && j["background"] != false) {
    return Refusal{"field 'background' is not supported: ukairo answers in the foreground",
                   "background"};
  }
  if (IsSet(j, "truncation") && j["truncation"] != "disabled") {
    return Refusal{"field 'truncation' must be 'disabled': ukairo does not truncate input",
                   "truncation"};
  }
  return std::nullopt;
}

std::optional<Refusal> Translate(const Json& j, ResponsesCall* call) {
  static const char* const kKnown[] = {
      "model",  "input",        "instructions", "tools",       "tool_choice",
      "stream", "store",        "reasoning",    "include",     "max_output_tokens",
      "text",   "temperature",  "top_p",        "user",        "metadata",
      "tags",   "service_tier", "safety_identifier", "prompt_cache_key",
      "parallel_tool_calls",    "stream_options",    "previous_response_id",
      "conversation",           "background",        "truncation"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(std::begin(kKnown), std::end(kKnown), it.key()) == std::end(kKnown)) {
      return Refusal{"field '" + it.key() + "' is not supported by ukairo's /v1/responses",
                     it.key()};
    }
  }
  if (auto r = RefuseStateful(j)) return r;
  Json chat = Json::object();
  Json echo = Json::object();
  if (j.contains("model")) chat["model"] = j["model"];
  Json messages = Json::array();
  echo["instructions"] = nullptr;
  if (IsSet(j, "instructions")) {
    if (!j["instructions"].is_string()) {
      return Refusal{"field 'instructions' must be a string", "instructions"};
    }
    messages.push_back({{"role", "system"}, {"content", j["instructions"]}});
    echo["instructions"] = j["instructions"];
  }
  if (!j.contains("input")) return Refusal{"field 'input' is required", "input"};
  const Json& input = j["input"];
  if (input.is_string()) {
    messages.push_back({{"role", "user"}, {"content", input}});
  } else if (input.is_array()) {
    for (size_t i = 0; i < input.size(); ++i) {
      if (auto r = ConvertItem(input[i], i, &messages)) return r;
    }
  } else {
    return Refusal{"field 'input' must be a string or an array of items", "input"};
  }
  chat["messages"] = messages;
  echo["tools"] = Json::array();
  if (IsSet(j, "tools")) {
    Json tools;
    if (auto r = ConvertTools(j["tools"], &tools)) return r;
    if (!tools.empty()) chat["tools"] = tools;
    echo["tools"] = j["tools"];
  }
  echo["tool_choice"] = "auto";
  if (IsSet(j, "tool_choice")) {
    Json choice;
    if (auto r = ConvertToolChoice(j["tool_choice"], &choice)) return r;
    chat["tool_choice"] = choice;
    echo["tool_choice"] = j["tool_choice"];
  }
  echo["parallel_tool_calls"] = true;
  if (IsSet(j, "parallel_tool_calls")) {
    if (!j["parallel_tool_calls"].is_boolean()) {
      return Refusal{"field 'parallel_tool_calls' must be a boolean", "parallel_tool_calls"};
    }
    // OpenAI refuses parallel_tool_calls on a request without tools.
    if (chat.contains("tools")) chat["parallel_tool_calls"] = j["parallel_tool_calls"];
    echo["parallel_tool_calls"] = j["parallel_tool_calls"];
  }
  echo["reasoning"] = {{"effort", nullptr}, {"summary", nullptr}};
  if (IsSet(j, "reasoning")) {
    if (!j["reasoning"].is_object()) {
      return Refusal{"field 'reasoning' must be an object", "reasoning"};
    }
    if (IsSet(j["reasoning"], "effort")) chat["reasoning_effort"] = j["reasoning"]["effort"];
    echo["reasoning"] = j["reasoning"];
  }
  echo["max_output_tokens"] = nullptr;
  if (IsSet(j, "max_output_tokens")) {
    if (!j["max_output_tokens"].is_number_integer() || j["max_output_tokens"].get<int64_t>() < 1) {
      return Refusal{"field 'max_output_tokens' must be a positive integer", "max_output_tokens"};
    }
    chat["max_completion_tokens"] = j["max_output_tokens"];
    echo["max_output_tokens"] = j["max_output_tokens"];
  }
  echo["text"] = {{"format", {{"type", "text"}}}};
  if (IsSet(j, "text")) {
    if (auto r = ConvertText(j["text"], &chat)) return r;
    echo["text"] = j["text"];
  }
  for (const char* key : {"temperature", "top_p", "user", "service_tier", "safety_identifier",
                          "prompt_cache_key", "metadata", "tags"}) {
    if (IsSet(j, key)) chat[key] = j[key];
  }
  for (const char* key : {"temperature", "top_p", "user", "service_tier"}) {
    echo[key] = IsSet(j, key) ? j[key] : Json(nullptr);
  }
  echo["metadata"] = IsSet(j, "metadata") ? j["metadata"] : Json::object();
  if (IsSet(j, "stream")) {
    if (!j["stream"].is_boolean()) return Refusal{"field 'stream' must be a boolean", "stream"};
    call->stream = j["stream"].get<bool>();
    chat["stream"] = call->stream;
  }
  call->chat_body = chat.dump();
  call->echo_json = echo.dump();
  return std::nullopt;
}

}  // namespace

Result<ResponsesCall> ResponsesToChat(std::string_view body, std::string* error_param) {
  error_param->clear();
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  ResponsesCall call;
  if (std::optional<Refusal> r = Translate(j, &call)) {
    *error_param = r->param;
    return Status::InvalidArgument(r->message);
  }
  return call;
}

std::string ResponsesErrorJson(std::string_view message, std::string_view param,
                               std::string_view code) {
  Json j{{"error",
          {{"message", message},
           {"type", "invalid_request_error"},
           {"param", param.empty() ? Json(nullptr) : Json(param)},
           {"code", code}}}};
  return j.dump();
}

}  // namespace ukairo::gateway
