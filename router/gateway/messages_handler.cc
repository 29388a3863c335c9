// Anthropic's Messages API on the gateway: the client side (POST
// /v1/messages, /v1/messages/count_tokens) and the call to an Anthropic
// deployment. Routing, budgets and the ledger are the same as for the
// OpenAI endpoints; only the wire format differs.
#include "router/gateway/anthropic_api.h"
#include "router/gateway/gateway_impl.h"
#include "router/gateway/messages_translate.h"

namespace ukairo::gateway {

void GatewayImpl::HandleMessages(HttpCall call, ReplyFn reply, bool count_tokens) {
  // Claude Code and the Anthropic SDKs read errors in Anthropic's shape,
  // whoever produced them (auth, parsing, admission, routing, the ledger).
  ReplyFn anthropic_reply = [reply = std::move(reply)](HttpReply r) {
    if (r.status >= 400 && r.content_type == "application/json") {
      r.body = ToAnthropicErrorBody(r.status, r.body);
    }
    reply(std::move(r));
  };
  if (std::optional<HttpReply> refusal = AuthRefusal(call)) {
    return anthropic_reply(std::move(*refusal));
  }
  auto error = [&](unsigned status, const std::string& message) {
    http_errors_.fetch_add(1, std::memory_order_relaxed);
    anthropic_reply(HttpReply{status, "application/json",
                              AnthropicErrorJson(AnthropicErrorType(status), message), {}});
  };
  if (call.method != "POST") return error(405, "use POST for " + call.target);
  if (count_tokens) {
    Result<std::string> counted = CountTokensReply(call.body);
    if (!counted.ok()) return error(400, counted.status().message());
    return anthropic_reply(HttpReply{200, "application/json", std::move(*counted), {}});
  }
  Result<ClientRequest> request = ParseMessagesRequest(call.body, call.tag_header);
  if (!request.ok()) return error(400, request.status().message());
  request->untranslatable_feature = UntranslatableFeature(call.body);
  SubmitRequest(Endpoint::kMessages, std::move(call), std::move(*request),
                std::move(anthropic_reply));
}

Result<UpstreamCall> GatewayImpl::MessagesCall(const router::Deployment& d,
                                               const Pending& pending) const {
  UpstreamCall call;
  // LiteLLM's default; an api_base written with its /v1 gets no second one.
  UKAIRO_ASSIGN_OR_RETURN(
      call.url, ParseUpstreamUrl(d.api_base.empty() ? "https://api.anthropic.com" : d.api_base));
  std::string& base = call.url.base_path;
  if (base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0) base.resize(base.size() - 3);
  call.path = "/v1/messages";
  UKAIRO_ASSIGN_OR_RETURN(call.body,
                          MessagesUpstreamBody(pending.body, UpstreamModelName(d.provider_model)));
  call.x_api_key = DeploymentKey(d);
  call.headers.emplace_back("anthropic-version", pending.anthropic_version.empty()
                                                     ? std::string(kDefaultAnthropicVersion)
                                                     : pending.anthropic_version);
  if (!pending.anthropic_beta.empty()) {
    call.headers.emplace_back("anthropic-beta", pending.anthropic_beta);
  }
  return call;
}

}  // namespace ukairo::gateway
