// Translating a non-streamed Anthropic Messages request for an
// OpenAI-compatible deployment (chat/completions), and its answer back, so a
// Messages client still gets a Messages answer when its chain falls back
// from Anthropic to another provider.
//
// What cannot be translated is never dropped: UntranslatableFeature names it
// and the core skips such deployments with fallback reason unsupported.
// cache_control marks are hints for Anthropic's prompt cache and are left
// out for other providers (the answer is the same; only its price differs).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ukairo::gateway {

// "" when `messages_body` can be served by chat/completions, else what
// cannot: "stream", "thinking", "image content", "server tool web_search", ...
// Today streamed requests are not translated.
std::string UntranslatableFeature(std::string_view messages_body);

// The chat/completions body for `messages_body`: system → a system message,
// text blocks → text, tool_use → assistant tool_calls, tool_result → tool
// messages, tools → functions, tool_choice, max_tokens, stop_sequences →
// stop, temperature, top_p. REQUIRES: UntranslatableFeature is "".
Result<std::string> MessagesToChatBody(std::string_view messages_body,
                                       const std::string& upstream_model);

// A chat.completion answer as an Anthropic message: text and tool_calls
// (their JSON arguments parsed) become content blocks, finish_reason a
// stop_reason (stop → end_turn, length → max_tokens, tool_calls → tool_use),
// usage Anthropic's (input_tokens without the cached ones, which become
// cache_read_input_tokens).
Result<std::string> ChatToMessagesBody(std::string_view chat_body);

}  // namespace ukairo::gateway
