// The gateway's side of POST /v1/responses: the request goes in as the chat
// completion it translates to (so routing, budgets, retries, fallbacks and
// the ledger are those of every chat completion) and the answer comes back
// as a Response. Streams are translated piece by piece in gateway.cc.
#include "router/gateway/gateway_impl.h"

namespace ukairo::gateway {

Result<ClientRequest> ParseResponsesRequest(std::string* body, std::string_view tag_header,
                                            std::string* error_param) {
  UKAIRO_ASSIGN_OR_RETURN(ResponsesCall call, ResponsesToChat(*body, error_param));
  *body = std::move(call.chat_body);
  UKAIRO_ASSIGN_OR_RETURN(ClientRequest request,
                          ParseClientRequest(Endpoint::kChatCompletions, *body, tag_header));
  request.responses_api = true;
  request.responses_echo_json = std::move(call.echo_json);
  return request;
}

void ToResponsesReply(const std::string& request_id, const std::string& echo_json, bool stream,
                      int64_t now_s, HttpReply* reply) {
  const std::string response_id = "resp_" + request_id;
  if (stream) {
    // A stream that reached the gateway whole (no piece went out before it
    // ended): translated at once.
    ResponsesStream translation(response_id, now_s, echo_json);
    std::string events = translation.Feed(reply->body);
    events += translation.Finish(true, "", "");
    reply->body = std::move(events);
    reply->content_type = "text/event-stream";
    return;
  }
  Result<std::string> response = ChatToResponse(reply->body, echo_json, response_id, now_s);
  if (!response.ok()) {
    // The attempt is settled as the provider's success (its usage was read);
    // only the client's copy cannot be built.
    reply->status = 502;
    reply->body = ErrorJson("the upstream's answer cannot be turned into a Response: " +
                                response.status().message(),
                            "server_error", "bad_upstream_reply");
  } else {
    reply->body = std::move(*response);
  }
  reply->content_type = "application/json";
}

}  // namespace ukairo::gateway
