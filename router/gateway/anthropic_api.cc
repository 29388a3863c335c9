#include "router/gateway/anthropic_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "router/gateway/sse.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::json;

int64_t IntField(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_integer()) return 0;
  return object[key].get<int64_t>();
}

// Characters of text a request sends: strings, and the "text" of content
// blocks (tool_result blocks nest theirs). Images count nothing here.
size_t TextChars(const Json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>().size();
  size_t chars = 0;
  if (value.is_array()) {
    for (const auto& block : value) chars += TextChars(block);
  } else if (value.is_object()) {
    if (value.contains("text")) chars += TextChars(value["text"]);
    if (value.contains("content")) chars += TextChars(value["content"]);
    if (value.contains("input")) chars += value["input"].dump().size();  // tool_use
  }
  return chars;
}

// The checks both /v1/messages and count_tokens make; the estimate of input
// tokens into *input_tokens.
Result<Json> ParseMessagesBody(std::string_view body, int64_t* input_tokens) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  if (!j.contains("model")) return Status::InvalidArgument("model: field required");
  if (!j["model"].is_string() || j["model"].get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument("model: must be a non-empty string");
  }
  if (!j.contains("messages")) return Status::InvalidArgument("messages: field required");
  if (!j["messages"].is_array()) return Status::InvalidArgument("messages: must be an array");
  size_t chars = 0;
  for (size_t i = 0; i < j["messages"].size(); ++i) {
    const Json& m = j["messages"][i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
      return Status::InvalidArgument("messages." + std::to_string(i) +
                                     ": must be an object with a string 'role'");
    }
    if (m.contains("content")) chars += TextChars(m["content"]);
  }
  if (j.contains("system")) chars += TextChars(j["system"]);
  if (j.contains("tools") && j["tools"].is_array()) chars += j["tools"].dump().size();
  *input_tokens = std::max<int64_t>(1, static_cast<int64_t>(chars / 4));
  return j;
}

}  // namespace

Result<ClientRequest> ParseMessagesRequest(std::string_view body, std::string_view tag_header) {
  ClientRequest r;
  r.endpoint = Endpoint::kMessages;
  UKAIRO_ASSIGN_OR_RETURN(Json j, ParseMessagesBody(body, &r.input_tokens));
  r.model = j["model"].get<std::string>();
  if (!j.contains("max_tokens")) return Status::InvalidArgument("max_tokens: field required");
  if (!j["max_tokens"].is_number_integer() || j["max_tokens"].get<int64_t>() < 1) {
    return Status::InvalidArgument("max_tokens: must be a positive integer");
  }
  r.max_output_tokens = j["max_tokens"].get<int64_t>();
  if (j.contains("stream") && !j["stream"].is_null()) {
    if (!j["stream"].is_boolean()) return Status::InvalidArgument("stream: must be a boolean");
    r.stream = j["stream"].get<bool>();
  }
  r.tag = RequestTag(tag_header, j);
  return r;
}

Result<std::string> CountTokensReply(std::string_view body) {
  int64_t input_tokens = 0;
  UKAIRO_RETURN_IF_ERROR(ParseMessagesBody(body, &input_tokens).status());
  return Json{{"input_tokens", input_tokens}}.dump();
}

Result<std::string> MessagesUpstreamBody(std::string_view client_body,
                                         const std::string& upstream_model) {
  Json j = Json::parse(client_body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("request body must be a JSON object");
  }
  j["model"] = upstream_model;
  // ukairo's routing hints are not for the provider; metadata.user_id is.
  j.erase("tags");
  if (j.contains("metadata") && j["metadata"].is_object()) {
    j["metadata"].erase("tags");
    if (j["metadata"].empty()) j.erase("metadata");
  }
  return j.dump();
}

Result<Usage> ParseMessagesUsage(std::string_view body, bool stream) {
  Json merged = Json::object();  // the usage fields as last reported
  auto overlay = [&merged](const Json& usage) {
    if (!usage.is_object()) return;
    for (auto it = usage.begin(); it != usage.end(); ++it) {
      if (!it.value().is_null()) merged[it.key()] = it.value();
    }
  };
  Usage out;
  if (!stream) {
    Json j = Json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::Corruption("upstream reply is not a JSON object");
    }
    if (j.contains("usage")) overlay(j["usage"]);
  } else {
    Status status = Status::Ok();
    ForEachSseData(body, [&](std::string_view data) {
      Json event = Json::parse(data, nullptr, false);
      if (event.is_discarded() || !event.is_object()) {
        status = Status::Corruption("upstream stream event is not a JSON object");
        return false;
      }
      const std::string type = event.value("type", std::string());
      if (type == "message_start" && event.contains("message") &&
          event["message"].is_object() && event["message"].contains("usage")) {
        overlay(event["message"]["usage"]);
      } else if (type == "message_delta" && event.contains("usage")) {
        overlay(event["usage"]);  // cumulative: later counts replace earlier ones
      } else if (type == "error") {
        out.stream_error_type = "api_error";
        if (event.contains("error") && event["error"].is_object()) {
          out.stream_error_type = event["error"].value("type", std::string("api_error"));
        }
      }
      return true;
    });
    if (!status.ok()) return status;
  }
  if (merged.empty()) return out;
  const int64_t uncached = IntField(merged, "input_tokens");
  out.cached_tokens = IntField(merged, "cache_read_input_tokens");
  out.cache_write_tokens = IntField(merged, "cache_creation_input_tokens");
  out.input_tokens = uncached + out.cached_tokens + out.cache_write_tokens;
  out.output_tokens = IntField(merged, "output_tokens");
  out.raw_json = merged.dump();
  out.found = true;
  return out;
}

ledger::Outcome StreamErrorOutcome(std::string_view error_type) {
  if (error_type == "overloaded_error" || error_type == "rate_limit_error") {
    return ledger::Outcome::kRateLimited;
  }
  return ledger::Outcome::kServerError;
}

const char* AnthropicErrorType(uint32_t http_status) {
  switch (http_status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503:
    case 529: return "overloaded_error";
    default: break;
  }
  return http_status >= 500 ? "api_error" : "invalid_request_error";
}

std::string AnthropicErrorJson(std::string_view type, std::string_view message) {
  return Json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}.dump();
}

std::string ToAnthropicErrorBody(uint32_t http_status, const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("type", std::string()) == "error") return body;
  if (!j.contains("error") || !j["error"].is_object()) return body;
  const Json& error = j["error"];
  std::string message = error.value("message", std::string("error"));
  Json out{{"type", "error"},
           {"error", {{"type", AnthropicErrorType(http_status)}, {"message", message}}}};
  // ukairo's own detail (the code, the attempts) stays, beside Anthropic's fields.
  if (error.contains("code") && error["code"].is_string()) out["error"]["code"] = error["code"];
  if (error.contains("attempts")) out["error"]["attempts"] = error["attempts"];
  return out.dump();
}

}  // namespace ukairo::gateway
