// The OpenAI Responses API (POST /v1/responses, what Codex CLI speaks) at the
// gateway's edge, as pure translations to and from the chat-completions calls
// the gateway routes: a Responses request becomes a chat-completions body that
// the core routes, budgets, retries and falls back like any other; the chat
// answer (a JSON body or a server-sent-events stream) becomes a Response
// object or the Responses event stream. No I/O, no clock: times and ids come
// in as arguments.
//
// What a chat-completions upstream cannot represent is a 400 naming the field
// (never dropped silently): previous_response_id and conversation (the gateway
// stores no conversation), item_reference, built-in tools (web_search,
// file_search, local_shell, mcp, ...) and their call items, input files,
// background mode, truncation "auto". Deliberate choices:
//  - a custom (free-form) tool, such as Codex's apply_patch for GPT-5 models,
//    is a function of one string "input" upstream, its grammar given to the
//    model in the description (a chat upstream cannot enforce it); calls of
//    it come back as custom_tool_call items;
//  - reasoning items in the input are dropped: chat completions has no field
//    for them, and the Responses API lets a stateless client (store: false)
//    omit them (they only carry the model's earlier reasoning, never the
//    conversation); an upstream's reasoning_content comes back as a reasoning
//    item;
//  - reasoning.effort becomes reasoning_effort; reasoning.summary and
//    `include` (e.g. reasoning.encrypted_content) ask for output a chat
//    upstream cannot produce and are accepted without effect;
//  - the "developer" role becomes "system" (every chat upstream knows it);
//  - max_output_tokens becomes max_completion_tokens;
//  - `store` is accepted and the Response says store: false (nothing is kept).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ukairo::gateway {

// A Responses request turned into the gateway's chat-completions request.
struct ResponsesCall {
  std::string chat_body;  // what the core routes and UpstreamBody rewrites
  // The request fields a Response object repeats (instructions, tools,
  // tool_choice, reasoning, ...), as a JSON object text.
  std::string echo_json;
  bool stream = false;
};

// Errors: InvalidArgument with a message naming what is wrong; *error_param
// is set to the offending field's path ("input[2].type", "tools[0]") for the
// error body's "param".
Result<ResponsesCall> ResponsesToChat(std::string_view body, std::string* error_param);

// {"error": {"message", "type": "invalid_request_error", "param", "code"}}
std::string ResponsesErrorJson(std::string_view message, std::string_view param,
                               std::string_view code);

// A chat-completions answer (JSON) as a Response object. `response_id` names
// the response ("resp_" + the gateway's request id); `created_at_s` is used
// when the answer carries no "created". Errors: Corruption when the answer is
// not a chat completion.
Result<std::string> ChatToResponse(std::string_view chat_body, std::string_view echo_json,
                                   const std::string& response_id, int64_t created_at_s);

// Chat-completions stream chunks in, Responses events out
// ("event: <type>\ndata: {...}\n\n", each with its sequence_number): fed the
// upstream's bytes as they arrive (split anywhere), it opens and fills output
// items (reasoning, message text or refusal, function and custom tool
// calls; a custom call's input is told whole when it closes); Finish closes
// them and ends with response.completed (or response.incomplete when the
// upstream stopped at its token limit), or response.failed.
//
// Bounded: a line longer than kLineBytesMax or more than kToolCallsMax tool
// calls stop the translation (nothing more is emitted); Finish then ends the
// stream with response.failed naming the limit.
class ResponsesStream {
 public:
  static constexpr size_t kLineBytesMax = 8 << 20;
  static constexpr size_t kToolCallsMax = 128;

  ResponsesStream(std::string response_id, int64_t created_at_s, std::string_view echo_json);
  ~ResponsesStream();
  ResponsesStream(const ResponsesStream&) = delete;
  ResponsesStream& operator=(const ResponsesStream&) = delete;

  // The events the bytes complete (possibly none).
  std::string Feed(std::string_view bytes);
  // The closing events. ok: the upstream answered in full; otherwise the
  // stream fails with `error_code` / `error_message`. Later calls return "".
  std::string Finish(bool ok, std::string_view error_code, std::string_view error_message);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ukairo::gateway
