// Internal to the Responses translation (responses_output.cc,
// responses_stream.cc): the pieces a Response object is built from, shared
// by the whole-answer and the streamed translation so both say the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace ukairo::gateway::responses_internal {

using Json = nlohmann::json;

// The Response object without output and usage: id, object, created_at,
// model, status and the request fields it repeats (`echo`).
Json BaseResponse(const std::string& response_id, int64_t created_at_s, const Json& echo,
                  const Json& model, const char* status);

// Chat usage {prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens,
// completion_tokens_details.reasoning_tokens} → Responses usage {input_tokens,
// output_tokens, input_tokens_details.cached_tokens,
// output_tokens_details.reasoning_tokens, total_tokens}; null when absent.
Json MapUsage(const Json& chat_usage);

// Sets status (and incomplete_details) from the chat finish_reason: "length"
// → incomplete (max_output_tokens), "content_filter" → incomplete
// (content_filter), anything else → completed.
void ApplyFinishReason(const Json& finish_reason, Json* response);

// Output item ids, derived from the response id so a replay gives the same:
// "msg_<id>_<output index>", "fc_...", "rs_...".
std::string ItemId(const char* prefix, const std::string& response_id, size_t output_index);

// Items as they stand once complete.
Json MessageItem(const std::string& id, const Json& content_parts, const char* status);
Json FunctionCallItem(const std::string& id, const Json& call_id, const Json& name,
                      const std::string& arguments, const char* status);
// A custom (free-form) tool goes upstream as a function of one string,
// "input" (responses_request.cc); a call of it comes back as a
// custom_tool_call. IsCustomTool: `name` is a custom tool in echo's tools.
bool IsCustomTool(const Json& echo, const Json& name);
// The "input" of the function arguments; the arguments text itself when it
// is not such an object (the model did not follow the schema).
std::string CustomToolInput(const std::string& arguments);
Json CustomToolCallItem(const std::string& id, const Json& call_id, const Json& name,
                        const std::string& input, const char* status);
Json ReasoningItem(const std::string& id, const std::string& text);
Json TextPart(const std::string& text);
Json RefusalPart(const std::string& refusal);

}  // namespace ukairo::gateway::responses_internal
