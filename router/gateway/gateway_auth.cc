// Client authentication: which key a call presents and whether it is valid.
// Keys are secrets: nothing here logs, counts or records one, only why a
// call was refused (missing or invalid).
#include <openssl/crypto.h>

#include <cctype>

#include "ledger/sha256.h"
#include "router/gateway/gateway_impl.h"

namespace ukairo::gateway {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "Bearer K" (scheme case-insensitive, RFC 7235) → "K"; anything else → "".
std::string_view BearerToken(std::string_view authorization) {
  authorization = Trim(authorization);
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  const char sep = authorization[kScheme.size()];
  if (sep != ' ' && sep != '\t') return {};
  return Trim(authorization.substr(kScheme.size()));
}

}  // namespace

std::vector<std::string_view> PresentedKeys(const HttpCall& call, bool api_key_header) {
  std::vector<std::string_view> keys;
  if (!Trim(call.authorization).empty()) keys.push_back(BearerToken(call.authorization));
  if (!Trim(call.x_api_key).empty()) keys.push_back(Trim(call.x_api_key));
  if (api_key_header && !Trim(call.api_key).empty()) keys.push_back(Trim(call.api_key));
  return keys;
}

bool KeyMatches(std::string_view presented, std::string_view known) {
  // Both digests are always computed: the time does not depend on which
  // input is empty or how long either is (beyond hashing it).
  const ledger::Sha256 a = ledger::Sha256Of(presented);
  const ledger::Sha256 b = ledger::Sha256Of(known);
  const bool equal = CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
  return equal & !known.empty() & !presented.empty();
}

HttpReply AuthFailureReply(AuthFailure reason) {
  const std::string message =
      reason == AuthFailure::kMissing
          ? "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), "
            "or as the x-api-key or api-key header."
      : reason == AuthFailure::kRevoked
          ? "This API key was revoked. Ask the gateway's operator for a new key."
      : reason == AuthFailure::kExpired
          ? "This API key has expired. Ask the gateway's operator for a new key."
          : "Incorrect API key provided. Ask the gateway's operator for a valid key.";
  HttpReply reply{401, "application/json",
                  ErrorJson(message, "invalid_request_error", "invalid_api_key"), {}};
  reply.headers.emplace_back("WWW-Authenticate", "Bearer");
  return reply;
}

bool GatewayImpl::ClientAuthRequired(const router::Config& config) {
  return !config.master_key.empty() || !config.master_key_env.empty() || config.auth_required;
}

AuthResult GatewayImpl::AuthenticateClient(const HttpCall& call,
                                           const router::Config& config) const {
  AuthResult result;
  const std::vector<std::string_view> keys = PresentedKeys(call);
  if (keys.empty()) {
    result.reason = AuthFailure::kMissing;
    return result;
  }
  const std::string& master = config.master_key;
  bool master_ok = false;
  for (std::string_view key : keys) master_ok |= KeyMatches(key, master);
  if (master_ok) {
    result.ok = true;
    result.key_id = std::string(router::kMasterKeyId);
    return result;
  }
  // Client keys (gateway_keys.cc): the first presented key that is one.
  result.reason = AuthFailure::kInvalid;
  for (std::string_view key : keys) {
    AuthResult client = FindClientKey(key);
    if (client.ok) return client;
    if (client.reason != AuthFailure::kInvalid) result.reason = client.reason;
  }
  return result;
}

std::optional<HttpReply> GatewayImpl::AuthRefusal(HttpCall& call) {
  const std::shared_ptr<const router::Config> config = CurrentConfig();
  if (!ClientAuthRequired(*config)) return std::nullopt;
  AuthResult auth = AuthenticateClient(call, *config);
  if (auth.ok) {
    call.client_key_id = std::move(auth.key_id);
    return std::nullopt;
  }
  http_errors_.fetch_add(1, std::memory_order_relaxed);
  CountAuthFailure(auth.reason);
  return AuthFailureReply(auth.reason);
}

void GatewayImpl::CountAuthFailure(AuthFailure reason) {
  if (reason == AuthFailure::kMissing) {
    auth_failures_missing_.fetch_add(1, std::memory_order_relaxed);
  } else if (reason == AuthFailure::kInvalid) {
    auth_failures_invalid_.fetch_add(1, std::memory_order_relaxed);
  } else if (reason == AuthFailure::kRevoked) {
    auth_failures_revoked_.fetch_add(1, std::memory_order_relaxed);
  } else if (reason == AuthFailure::kExpired) {
    auth_failures_expired_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace ukairo::gateway
