// The upstream client: OpenAI-compatible HTTP and HTTPS calls to providers.
//
// Async on Boost.Asio/Beast. HTTPS verifies certificates against the system
// store and sends SNI. Idle connections are kept per (scheme, host, port)
// and reused (keep-alive), up to idle_connections_max each. Every call ends
// with exactly one reply: a timeout, a refused connection or a malformed
// answer is a reply with the matching Outcome, never an exception.
//
// Thread safety: Send may be called from any thread; completions run on the
// io_context's threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ledger/event.h"
#include "base/status.h"

namespace boost::asio {
class io_context;
}

namespace ukairo::gateway {

struct UpstreamUrl {
  bool tls = false;
  std::string host;
  std::string port;       // "443", "80", or explicit
  std::string base_path;  // "/v1" (no trailing slash)
};
// "https://api.openai.com/v1" → {tls, api.openai.com, 443, /v1}.
Result<UpstreamUrl> ParseUpstreamUrl(const std::string& url);

struct UpstreamCall {
  UpstreamUrl url;
  std::string path;          // appended to base_path: "/chat/completions"
  std::string method = "POST";
  std::string body;
  std::string bearer_token;  // "" = no Authorization header; never logged
  std::string x_api_key;     // "" = no x-api-key header (Anthropic's auth); never logged
  // Further request headers, sent as given (anthropic-version, anthropic-beta).
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timeout_ms = 600'000;
  // When set, the body of a 2xx answer is also handed over piece by piece as
  // it arrives (a server-sent-events stream), before the reply completes.
  std::function<void(std::string_view piece)> on_body_piece;
};

struct UpstreamReply {
  ledger::Outcome outcome = ledger::Outcome::kOk;
  uint32_t http_status = 0;      // 0: no HTTP answer
  std::string body;
  std::string content_type;
  std::string retry_after;       // raw header value, "" if none
  int64_t latency_micros = 0;
  std::string error;             // transport error text
};

struct UpstreamClientOptions {
  size_t idle_connections_max = 64;  // per (scheme, host, port)
  size_t response_bytes_max = 64 << 20;
  // An extra PEM file of trusted CAs (a private vLLM behind internal TLS);
  // the system store (or $SSL_CERT_FILE) is always trusted too.
  std::string ca_file;
};

class UpstreamClient {
 public:
  virtual ~UpstreamClient() = default;
  // Errors: InvalidArgument when options.ca_file cannot be loaded.
  static Result<std::unique_ptr<UpstreamClient>> Create(boost::asio::io_context& ioc,
                                                        const UpstreamClientOptions& options);
  virtual void Send(UpstreamCall call, std::function<void(UpstreamReply)> done) = 0;
};

}  // namespace ukairo::gateway
