#include "router/gateway/openai_api.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

#include "router/gateway/sse.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::json;

size_t ContentChars(const Json& content) {
  if (content.is_string()) return content.get_ref<const std::string&>().size();
  size_t chars = 0;
  if (content.is_array()) {  // [{"type":"text","text":"..."}, ...]
    for (const auto& part : content) {
      if (part.is_object() && part.contains("text") && part["text"].is_string()) {
        chars += part["text"].get_ref<const std::string&>().size();
      } else if (part.is_string()) {
        chars += part.get_ref<const std::string&>().size();
      }
    }
  }
  return chars;
}

std::string FirstTag(const Json& tags) {
  if (tags.is_string()) return tags.get<std::string>();
  if (tags.is_array() && !tags.empty() && tags[0].is_string()) return tags[0].get<std::string>();
  return "";
}

}  // namespace

Result<ClientRequest> ParseClientRequest(Endpoint endpoint, std::string_view body,
                                         std::string_view tag_header) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  ClientRequest r;
  r.endpoint = endpoint;
  if (!j.contains("model")) return Status::InvalidArgument("field 'model' is required");
  if (!j["model"].is_string() || j["model"].get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument("field 'model' must be a non-empty string");
  }
  r.model = j["model"].get<std::string>();
  size_t chars = 0;
  if (endpoint == Endpoint::kChatCompletions) {
    if (!j.contains("messages")) return Status::InvalidArgument("field 'messages' is required");
    if (!j["messages"].is_array()) {
      return Status::InvalidArgument("field 'messages' must be an array");
    }
    for (const auto& m : j["messages"]) {
      if (!m.is_object()) return Status::InvalidArgument("each message must be an object");
      if (m.contains("content")) chars += ContentChars(m["content"]);
    }
  } else {
    const char* field = endpoint == Endpoint::kEmbeddings ? "input" : "prompt";
    if (!j.contains(field)) {
      return Status::InvalidArgument(std::string("field '") + field + "' is required");
    }
    chars += ContentChars(j[field]);
  }
  r.input_tokens = std::max<int64_t>(1, static_cast<int64_t>(chars / 4));
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    if (!j.contains(key) || j[key].is_null()) continue;
    if (!j[key].is_number_integer() || j[key].get<int64_t>() < 1) {
      return Status::InvalidArgument(std::string("field '") + key +
                                     "' must be a positive integer");
    }
    r.max_output_tokens = j[key].get<int64_t>();
    break;
  }
  if (j.contains("stream")) {
    if (!j["stream"].is_boolean()) return Status::InvalidArgument("field 'stream' must be a boolean");
    r.stream = j["stream"].get<bool>();
  }
  if (j.contains("stream_options") && j["stream_options"].is_object()) {
    r.include_usage = j["stream_options"].value("include_usage", false);
  }
  r.tag = RequestTag(tag_header, j);
  return r;
}

std::string RequestTag(std::string_view tag_header, const nlohmann::json& body) {
  if (!tag_header.empty()) return std::string(tag_header);
  std::string tag;
  if (body.contains("metadata") && body["metadata"].is_object() &&
      body["metadata"].contains("tags")) {
    tag = FirstTag(body["metadata"]["tags"]);
  }
  if (tag.empty() && body.contains("tags")) tag = FirstTag(body["tags"]);
  return tag;
}

Result<std::string> UpstreamBody(std::string_view client_body, const std::string& upstream_model,
                                 bool stream) {
  Json j = Json::parse(client_body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("request body must be a JSON object");
  }
  j["model"] = upstream_model;
  // ukairo's own routing hints are not for the provider.
  j.erase("metadata");
  j.erase("tags");
  if (stream) j["stream_options"]["include_usage"] = true;
  return j.dump();
}

std::string UpstreamModelName(const std::string& provider_model) {
  size_t slash = provider_model.find('/');
  return slash == std::string::npos ? provider_model : provider_model.substr(slash + 1);
}

Result<Usage> ParseUsage(std::string_view body, bool stream) {
  auto read = [](const Json& usage, Usage* out) {
    if (!usage.is_object()) return;
    out->input_tokens = usage.value("prompt_tokens", int64_t{0});
    out->output_tokens = usage.value("completion_tokens", int64_t{0});
    if (usage.contains("prompt_tokens_details") && usage["prompt_tokens_details"].is_object()) {
      const Json& details = usage["prompt_tokens_details"];
      if (details.contains("cached_tokens") && details["cached_tokens"].is_number_integer()) {
        out->cached_tokens = details["cached_tokens"].get<int64_t>();
      }
    }
    if (usage.contains("completion_tokens_details") &&
        usage["completion_tokens_details"].is_object()) {
      const Json& details = usage["completion_tokens_details"];
      if (details.contains("reasoning_tokens") && details["reasoning_tokens"].is_number_integer()) {
        out->reasoning_tokens = details["reasoning_tokens"].get<int64_t>();
      }
    }
    out->raw_json = usage.dump();
    out->found = true;
  };
  Usage usage;
  if (!stream) {
    Json j = Json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::Corruption("upstream reply is not a JSON object");
    }
    if (j.contains("usage")) read(j["usage"], &usage);
    return usage;
  }
  // Server-sent events: lines "data: {...}"; the usage chunk comes last.
  Status status = Status::Ok();
  ForEachSseData(body, [&](std::string_view line) {
    Json chunk = Json::parse(line, nullptr, false);
    if (chunk.is_discarded()) {
      status = Status::Corruption("upstream stream chunk is not JSON");
      return false;
    }
    if (chunk.is_object() && chunk.contains("usage") && !chunk["usage"].is_null()) {
      read(chunk["usage"], &usage);
    }
    return true;
  });
  if (!status.ok()) return status;
  return usage;
}

ledger::Outcome ClassifyStatus(uint32_t status, std::string_view body) {
  using ledger::Outcome;
  if (status >= 200 && status < 300) return Outcome::kOk;
  if (status == 429 || status == 529) return Outcome::kRateLimited;
  if (status == 408) return Outcome::kTimeout;
  if (status >= 500) return Outcome::kServerError;
  if (status == 401 || status == 403) return Outcome::kAuthError;
  if (status == 400 || status == 413) {
    // Providers say it differently; OpenAI uses code context_length_exceeded.
    std::string lower(body.substr(0, 4096));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.find("context_length_exceeded") != std::string::npos ||
        lower.find("context length") != std::string::npos ||
        lower.find("context window") != std::string::npos ||
        lower.find("too many tokens") != std::string::npos) {
      return Outcome::kContextWindow;
    }
  }
  if (status == 409) return Outcome::kServerError;  // conflict: retryable per R-2203
  return Outcome::kClientError;
}

std::string ErrorJson(std::string_view message, std::string_view type, std::string_view code) {
  Json j{{"error",
          {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
  return j.dump();
}

int64_t ParseRetryAfterMs(std::string_view value, int64_t now_unix_seconds) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.empty()) return -1;
  if (std::all_of(value.begin(), value.end(), [](char c) { return std::isdigit(
                                                               static_cast<unsigned char>(c)); })) {
    if (value.size() > 9) return -1;
    return std::stoll(std::string(value)) * 1000;
  }
  // IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  std::string text(value);
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return -1;
  int64_t at = static_cast<int64_t>(timegm(&tm));
  return std::max<int64_t>(0, at - now_unix_seconds) * 1000;
}

}  // namespace ukairo::gateway
