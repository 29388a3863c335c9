// Anthropic's Messages API at the gateway's edge: POST /v1/messages and
// /v1/messages/count_tokens from clients (Claude Code, the Anthropic SDKs),
// and the same API to anthropic/... deployments upstream.
//
// A Messages request is passed through without loss: only "model" is
// rewritten (and ukairo's own routing hints removed); tools, images,
// thinking, cache_control and fields ukairo does not know go on as sent.
// Everything that can be wrong in a body is a Status naming what is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "router/gateway/openai_api.h"

namespace ukairo::gateway {

// The Anthropic API version sent upstream when the client sent none.
inline constexpr std::string_view kDefaultAnthropicVersion = "2023-06-01";

// Parses a Messages body: "model", "messages" (an array of objects) and
// "max_tokens" (a positive integer) are required, as Anthropic requires
// them. The input estimate counts system, message and tool text (chars / 4).
// The tag: `tag_header`, else metadata.tags, else tags (as on OpenAI bodies).
Result<ClientRequest> ParseMessagesRequest(std::string_view body, std::string_view tag_header);

// The body of a count_tokens answer: {"input_tokens": N}, N estimated as for
// routing (characters / 4), not the provider's tokenizer. Errors as
// ParseMessagesRequest except that max_tokens is not required.
Result<std::string> CountTokensReply(std::string_view body);

// The client's body for an Anthropic deployment: "model" set to
// `upstream_model`; "tags" and metadata.tags (ukairo's hints) removed.
Result<std::string> MessagesUpstreamBody(std::string_view client_body,
                                         const std::string& upstream_model);

// Usage of a Messages answer, normalised (openai_api.h Usage): input_tokens
// = input + cache_read + cache_creation. A stream's usage is message_start's
// overlaid by every message_delta's (cumulative) usage, so the final counts
// win; an "error" event in it is reported in stream_error_type.
Result<Usage> ParseMessagesUsage(std::string_view body, bool stream);

// The Outcome of a stream that ended with an error event of `error_type`:
// overloaded_error and rate_limit_error count as a 429 (R-2203), the rest
// as a server error.
ledger::Outcome StreamErrorOutcome(std::string_view error_type);

// Anthropic's error type for an HTTP status: 400 invalid_request_error, 401
// authentication_error, 403 permission_error, 404 not_found_error, 413
// request_too_large, 429 rate_limit_error, 503/529 overloaded_error, other
// 5xx api_error.
const char* AnthropicErrorType(uint32_t http_status);

// {"type":"error","error":{"type":...,"message":...}}
std::string AnthropicErrorJson(std::string_view type, std::string_view message);

// An error body of the gateway's own (OpenAI's shape, {"error":{"message"}})
// rewritten in Anthropic's shape for `http_status`; a body already in
// Anthropic's shape (a provider's) or not JSON is returned unchanged.
std::string ToAnthropicErrorBody(uint32_t http_status, const std::string& body);

}  // namespace ukairo::gateway
