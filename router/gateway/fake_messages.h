// The fake provider's Anthropic Messages API (POST /v1/messages): answers
// shaped as Anthropic sends them, for tests and benchmarks.
//
// An answer is text, or, when the request offers tools and its last message
// carries no tool_result, a tool_use of the first tool (inputs filled from
// its input_schema), so a client can run a tool round trip. Streams follow
// Anthropic's event order: message_start (usage with output_tokens 1),
// content_block_start, ping, content_block_delta..., content_block_stop,
// message_delta (the final cumulative usage), message_stop.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace ukairo::gateway {

struct FakeMessagesUsage {
  int64_t input_tokens = 0;  // uncached input, as Anthropic counts it
  int64_t output_tokens = 0;
  int64_t cache_read_input_tokens = 0;
  int64_t cache_creation_input_tokens = 0;
};

// The JSON body of a non-streamed answer.
std::string FakeMessagesJson(const nlohmann::json& request, const std::string& model,
                             const std::string& id, const FakeMessagesUsage& usage);

// The server-sent events of a streamed answer. error_after_events > 0: after
// that many events an `error` event (overloaded_error) ends the stream, as
// Anthropic does when it is overloaded midway.
std::string FakeMessagesSse(const nlohmann::json& request, const std::string& model,
                            const std::string& id, const FakeMessagesUsage& usage,
                            uint32_t error_after_events);

}  // namespace ukairo::gateway
