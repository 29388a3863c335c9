// Chat-completions answer → Response object, and the Response pieces the
// streamed translation shares (responses_internal.h).
#include "router/gateway/responses_api.h"
#include "router/gateway/responses_internal.h"

namespace ukairo::gateway {
namespace responses_internal {

Json BaseResponse(const std::string& response_id, int64_t created_at_s, const Json& echo,
                  const Json& model, const char* status) {
  Json r = echo.is_object() ? echo : Json::object();
  r["id"] = response_id;
  r["object"] = "response";
  r["created_at"] = created_at_s;
  r["status"] = status;
  r["background"] = false;
  r["error"] = nullptr;
  r["incomplete_details"] = nullptr;
  r["model"] = model.is_string() ? model : Json("");
  r["output"] = Json::array();
  r["previous_response_id"] = nullptr;
  r["store"] = false;  // the gateway keeps no responses
  r["truncation"] = "disabled";
  r["usage"] = nullptr;
  return r;
}

Json MapUsage(const Json& chat_usage) {
  if (!chat_usage.is_object()) return nullptr;
  auto integer = [](const Json& object, const char* key) -> int64_t {
    if (!object.is_object() || !object.contains(key) || !object[key].is_number_integer()) {
      return 0;
    }
    return object[key].get<int64_t>();
  };
  const int64_t input = integer(chat_usage, "prompt_tokens");
  const int64_t output = integer(chat_usage, "completion_tokens");
  const Json empty = Json::object();
  const Json& prompt_details = chat_usage.contains("prompt_tokens_details")
                                   ? chat_usage["prompt_tokens_details"]
                                   : empty;
  const Json& completion_details = chat_usage.contains("completion_tokens_details")
                                       ? chat_usage["completion_tokens_details"]
                                       : empty;
  const int64_t total =
      chat_usage.contains("total_tokens") ? integer(chat_usage, "total_tokens") : input + output;
  return Json{{"input_tokens", input},
              {"input_tokens_details", {{"cached_tokens", integer(prompt_details, "cached_tokens")}}},
              {"output_tokens", output},
              {"output_tokens_details",
               {{"reasoning_tokens", integer(completion_details, "reasoning_tokens")}}},
              {"total_tokens", total}};
}

void ApplyFinishReason(const Json& finish_reason, Json* response) {
  if (finish_reason == "length") {
    (*response)["status"] = "incomplete";
    (*response)["incomplete_details"] = {{"reason", "max_output_tokens"}};
  } else if (finish_reason == "content_filter") {
    (*response)["status"] = "incomplete";
    (*response)["incomplete_details"] = {{"reason", "content_filter"}};
  } else {
    (*response)["status"] = "completed";
  }
}

std::string ItemId(const char* prefix, const std::string& response_id, size_t output_index) {
  std::string_view base = response_id;
  if (base.substr(0, 5) == "resp_") base.remove_prefix(5);
  return std::string(prefix) + std::string(base) + "_" + std::to_string(output_index);
}

Json MessageItem(const std::string& id, const Json& content_parts, const char* status) {
  return Json{{"id", id},          {"type", "message"},       {"status", status},
              {"role", "assistant"}, {"content", content_parts}};
}

Json FunctionCallItem(const std::string& id, const Json& call_id, const Json& name,
                      const std::string& arguments, const char* status) {
  return Json{{"id", id},     {"type", "function_call"}, {"status", status},
              {"call_id", call_id}, {"name", name},      {"arguments", arguments}};
}

bool IsCustomTool(const Json& echo, const Json& name) {
  if (!echo.is_object() || !echo.contains("tools") || !echo["tools"].is_array()) return false;
  for (const Json& tool : echo["tools"]) {
    if (tool.is_object() && tool.value("type", "") == "custom" && tool.contains("name") &&
        tool["name"] == name) {
      return true;
    }
  }
  return false;
}

std::string CustomToolInput(const std::string& arguments) {
  Json parsed = Json::parse(arguments, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("input") && parsed["input"].is_string()) {
    return parsed["input"].get<std::string>();
  }
  return arguments;
}

Json CustomToolCallItem(const std::string& id, const Json& call_id, const Json& name,
                        const std::string& input, const char* status) {
  return Json{{"id", id},     {"type", "custom_tool_call"}, {"status", status},
              {"call_id", call_id}, {"name", name},         {"input", input}};
}

Json ReasoningItem(const std::string& id, const std::string& text) {
  return Json{{"id", id},
              {"type", "reasoning"},
              {"summary", Json::array()},
              {"content", Json::array({{{"type", "reasoning_text"}, {"text", text}}})}};
}

Json TextPart(const std::string& text) {
  return Json{{"type", "output_text"}, {"text", text}, {"annotations", Json::array()},
              {"logprobs", Json::array()}};
}

Json RefusalPart(const std::string& refusal) {
  return Json{{"type", "refusal"}, {"refusal", refusal}};
}

}  // namespace responses_internal

using namespace responses_internal;

Result<std::string> ChatToResponse(std::string_view chat_body, std::string_view echo_json,
                                   const std::string& response_id, int64_t created_at_s) {
  Json chat = Json::parse(chat_body, nullptr, /*allow_exceptions=*/false);
  if (chat.is_discarded() || !chat.is_object()) {
    return Status::Corruption("upstream reply is not a JSON object");
  }
  if (!chat.contains("choices") || !chat["choices"].is_array() || chat["choices"].empty() ||
      !chat["choices"][0].is_object() || !chat["choices"][0].contains("message") ||
      !chat["choices"][0]["message"].is_object()) {
    return Status::Corruption("upstream reply has no choices[0].message");
  }
  const Json echo = Json::parse(echo_json, nullptr, false);
  if (chat.contains("created") && chat["created"].is_number_integer() &&
      chat["created"].get<int64_t>() > 0) {
    created_at_s = chat["created"].get<int64_t>();
  }
  Json response = BaseResponse(response_id, created_at_s, echo, chat.value("model", Json("")),
                               "completed");
  const Json& choice = chat["choices"][0];
  const Json& message = choice["message"];
  Json& output = response["output"];
  // vLLM, DeepSeek and llama.cpp say reasoning_content, OpenRouter and Ollama reasoning.
  for (const char* key : {"reasoning_content", "reasoning"}) {
    if (message.contains(key) && message[key].is_string() &&
        !message[key].get_ref<const std::string&>().empty()) {
      output.push_back(ReasoningItem(ItemId("rs_", response_id, output.size()),
                                     message[key].get<std::string>()));
      break;
    }
  }
  Json parts = Json::array();
  if (message.contains("content") && message["content"].is_string() &&
      !message["content"].get_ref<const std::string&>().empty()) {
    parts.push_back(TextPart(message["content"].get<std::string>()));
  }
  if (message.contains("refusal") && message["refusal"].is_string()) {
    parts.push_back(RefusalPart(message["refusal"].get<std::string>()));
  }
  if (!parts.empty()) {
    output.push_back(MessageItem(ItemId("msg_", response_id, output.size()), parts, "completed"));
  }
  if (message.contains("tool_calls") && message["tool_calls"].is_array()) {
    for (const Json& call : message["tool_calls"]) {
      if (!call.is_object() || !call.contains("function") || !call["function"].is_object()) {
        return Status::Corruption("upstream reply has a tool call without 'function'");
      }
      const Json& function = call["function"];
      const std::string arguments = function.contains("arguments") &&
                                            function["arguments"].is_string()
                                        ? function["arguments"].get<std::string>()
                                        : "";
      const Json name = function.value("name", Json(""));
      if (IsCustomTool(echo, name)) {
        output.push_back(CustomToolCallItem(ItemId("ctc_", response_id, output.size()),
                                            call.value("id", Json("")), name,
                                            CustomToolInput(arguments), "completed"));
        continue;
      }
      output.push_back(FunctionCallItem(ItemId("fc_", response_id, output.size()),
                                        call.value("id", Json("")), name, arguments,
                                        "completed"));
    }
  }
  ApplyFinishReason(choice.value("finish_reason", Json(nullptr)), &response);
  response["usage"] = MapUsage(chat.value("usage", Json(nullptr)));
  return response.dump();
}

}  // namespace ukairo::gateway
