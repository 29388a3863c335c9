// The OpenAI-compatible wire format at the gateway's edge: parsing client
// request bodies and upstream replies, and building error bodies.
//
// Everything that can be wrong in a body is an expected failure: a Status
// naming what is wrong, never an exception past this file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "ledger/event.h"
#include "base/status.h"

namespace ukairo::gateway {

// kMessages is Anthropic's POST /v1/messages (router/gateway/anthropic_api.h).
enum class Endpoint : uint8_t { kChatCompletions = 0, kCompletions, kEmbeddings, kMessages };

// What the router needs from a client request.
struct ClientRequest {
  Endpoint endpoint = Endpoint::kChatCompletions;
  std::string model;             // "model" (required)
  std::string tag;               // x-ukairo-tag header, else metadata.tags / tags [0]
  int64_t input_tokens = 0;      // estimated: characters / 4, at least 1
  int64_t max_output_tokens = 0; // max_tokens / max_completion_tokens, 0 = absent
  bool stream = false;
  bool include_usage = false;    // stream_options.include_usage was asked by the client
  // POST /v1/responses: routed as the chat completion it was translated to,
  // answered as a Response (responses_api.h); the request fields it repeats.
  bool responses_api = false;
  std::string responses_echo_json;
  // kMessages: what keeps it from an OpenAI-compatible deployment ("" = nothing).
  std::string untranslatable_feature;
};

// Parses a client body. `tag_header` is the x-ukairo-tag header ("" if none).
// Errors name the field: "field 'messages' must be an array".
Result<ClientRequest> ParseClientRequest(Endpoint endpoint, std::string_view body,
                                         std::string_view tag_header);

// The process tag of a request: the x-ukairo-tag header, else the body's
// metadata.tags, else its tags (the first, as LiteLLM clients send them).
// `body` is a JSON object.
std::string RequestTag(std::string_view tag_header, const nlohmann::json& body);

// Rewrites a client body for one upstream: sets "model" to the deployment's
// provider model name, and for streams asks for usage in the final chunk
// (stream_options.include_usage) so the ledger gets real token counts.
Result<std::string> UpstreamBody(std::string_view client_body, const std::string& upstream_model,
                                 bool stream);

// The model name a provider expects: LiteLLM's "openai/gpt-5.2" → "gpt-5.2".
std::string UpstreamModelName(const std::string& provider_model);

// Token usage read from an upstream answer.
// Normalised as router::UpstreamResult: input_tokens includes cached and
// cache-written tokens (OpenAI's prompt_tokens already does).
struct Usage {
  int64_t input_tokens = 0;      // prompt_tokens (includes cached)
  int64_t output_tokens = 0;     // completion_tokens
  int64_t cached_tokens = 0;     // prompt_tokens_details.cached_tokens
  int64_t cache_write_tokens = 0;  // Anthropic's cache_creation_input_tokens
  int64_t reasoning_tokens = 0;  // completion_tokens_details.reasoning_tokens
  std::string raw_json;          // the provider's usage object, as it sent it
  bool found = false;
  // A 200 stream that carried an error event (Anthropic's "event: error"):
  // the error's type ("overloaded_error"), "" when none.
  std::string stream_error_type;
};

// From a JSON body, or from a server-sent-events stream (the last chunk that
// carries "usage"). A malformed reply is a Status naming what is wrong.
Result<Usage> ParseUsage(std::string_view body, bool stream);

// Classifies an upstream HTTP answer (R-2203): 429 and Anthropic's 529
// (overloaded) rate limited; 408 and
// timeouts; 5xx server error; 401/403 auth; a 400 whose error code or message
// says the context window was exceeded; other 4xx client error.
ledger::Outcome ClassifyStatus(uint32_t http_status, std::string_view body);

// {"error": {"message", "type", "param": null, "code"}}
std::string ErrorJson(std::string_view message, std::string_view type, std::string_view code);

// Retry-After as seconds ("120") or an HTTP-date; -1 when absent or unparsable.
// `now_unix_seconds` converts a date into a delay.
int64_t ParseRetryAfterMs(std::string_view value, int64_t now_unix_seconds);

}  // namespace ukairo::gateway
