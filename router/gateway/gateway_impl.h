// Internal: the gateway's parts and how they share work. Not a public header.
//
//   HTTP sessions (any I/O thread)  ──post──▶  core strand  ──▶ RouterCore
//        ▲                                         │  Actions
//        └──── reply (posted back) ◀──────────────┤  1. events → Ledger::Append (WAL)
//                                                  │  2. responses → sessions
//   UpstreamClient ◀── sends ──────────────────────┤  3. sends, timers, probes
//   steady timers  ◀── timers ─────────────────────┘  4. notifications → webhook
//
// Everything the core touches runs on `core_strand_`, one input at a time.
#pragma once

#include <utility>  // before Asio: its awaitable.hpp uses std::exchange
#include <atomic>
#include <boost/asio.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/projection.h"
#include "router/core/core.h"
#include "ledger/sha256.h"
#include "router/gateway/gateway.h"
#include "router/gateway/gateway_metrics.h"
#include "router/gateway/openai_api.h"
#include "router/gateway/responses_api.h"
#include "router/gateway/upstream_client.h"

namespace ukairo::gateway {

namespace net = boost::asio;

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};
using ReplyFn = std::function<void(HttpReply)>;

// One HTTP response written piece by piece (chunked transfer encoding), for
// streamed completions. Calls may come from any thread; they are applied in
// call order. After Start, the session sends no other response.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual void Start(unsigned status, const std::string& content_type,
                     std::vector<std::pair<std::string, std::string>> headers) = 0;
  virtual void Write(std::string bytes) = 0;
  virtual void Finish() = 0;
};

struct HttpCall {
  std::string method;
  std::string target;        // path and query
  std::string body;
  std::string authorization; // the Authorization header
  std::string x_api_key;     // x-api-key (Anthropic clients)
  std::string api_key;       // api-key (Azure clients)
  std::string tag_header;    // x-ukairo-tag
  // Set by Handle after authentication: the id of the client key (never the
  // key), "master", or "" when the gateway is open. Becomes the request's
  // client_key_id.
  std::string client_key_id;
  std::string anthropic_version;  // forwarded unchanged to Anthropic deployments
  std::string anthropic_beta;
  std::shared_ptr<StreamWriter> stream;  // for streamed answers
};

// Who a request is, by the key it presents (gateway_auth.cc).
enum class AuthFailure : uint8_t { kNone = 0, kMissing, kInvalid, kRevoked, kExpired };
struct AuthResult {
  bool ok = false;
  // Names the key without revealing it: "master" for the master key, else
  // the client key's id (gateway_keys.cc). Empty when !ok.
  std::string key_id;
  AuthFailure reason = AuthFailure::kNone;
};

// The keys a call presents, in header order: Authorization: Bearer K,
// x-api-key: K, api-key: K. An Authorization header that is not a Bearer
// token presents "" (never matches). Empty when the call presents none.
// The views point into `call`. Without `api_key_header`, api-key is ignored.
std::vector<std::string_view> PresentedKeys(const HttpCall& call, bool api_key_header = true);

// Constant-time equality of a presented key and a known one: compares the
// SHA-256 digests of both with CRYPTO_memcmp, so neither the position of the
// first difference nor the known key's length shows in the time taken.
// An empty known key matches nothing.
bool KeyMatches(std::string_view presented, std::string_view known);

// POST /v1/responses: the body (*body, replaced by its chat-completions
// translation) parsed as the chat request the core routes, marked as a
// Responses client. A body that cannot be translated is an error whose
// *error_param names the field (responses_gateway.cc).
Result<ClientRequest> ParseResponsesRequest(std::string* body, std::string_view tag_header,
                                            std::string* error_param);

// A chat-completions reply turned into what a Responses API client expects
// (responses_api.h): a Response object, or (stream) its events, ending with
// response.completed. A reply that is not a chat completion becomes a 502.
void ToResponsesReply(const std::string& request_id, const std::string& echo_json, bool stream,
                      int64_t now_s, HttpReply* reply);

// The 401 for a failed client authentication, in OpenAI's error shape with
// WWW-Authenticate: Bearer.
HttpReply AuthFailureReply(AuthFailure reason);

// Client keys: "sk-uk-" and 40 hex digits of randomness. Their id is
// "k-" and the first 16 hex digits of the key's SHA-256 (names the key in
// the ledger and logs without revealing it); the prefix shown to humans is
// the key's first 10 characters and an ellipsis.
std::string KeyIdOf(const ledger::Sha256& secret_sha256);
std::string KeyPrefixOf(std::string_view secret);

// Query string value of `key` in `target` ("" when absent), %-decoded.
std::string Query(const std::string& target, const std::string& key);

// Append latency histogram (Prometheus buckets, microseconds).
struct LatencyHistogram {
  static constexpr int64_t kBucketsMicros[] = {50, 100, 250, 500, 1000, 2500, 5000, 10000,
                                               50000, 250000};
  static constexpr size_t kBuckets = std::size(kBucketsMicros);
  std::atomic<uint64_t> counts[kBuckets + 1] = {};
  std::atomic<uint64_t> sum_micros{0};
  std::atomic<uint64_t> total{0};
  void Observe(int64_t micros);
};

class GatewayImpl : public Gateway {
 public:
  GatewayImpl(const GatewayOptions& options, std::shared_ptr<const router::Config> config);
  ~GatewayImpl() override;

  Status Init();
  uint16_t port() const override { return port_; }
  void Stop() override;
  GatewayCounters counters() const override;

  // Entry point for every HTTP request (any thread). `reply` is called once.
  void Handle(HttpCall call, ReplyFn reply);

 private:
  struct Pending {
    std::string body;
    Endpoint endpoint = Endpoint::kChatCompletions;
    bool stream = false;
    std::map<uint32_t, UpstreamReply> replies;  // by attempt
    ReplyFn reply;
    std::shared_ptr<StreamWriter> stream_writer;
    uint32_t streamed_attempt = 0;  // the attempt whose output the client is receiving
    // A Responses API client (responses_gateway.cc): its echo fields and, once
    // streaming, the translation of the streamed attempt.
    bool responses_api = false;
    std::string responses_echo_json;
    std::shared_ptr<ResponsesStream> responses_stream;
    int64_t accepted_micros = 0;    // for the time to first token
    std::string anthropic_version;  // the client's headers, for kMessages
    std::string anthropic_beta;
    bool stream_error_forwarded = false;  // the provider's own error event reached the client
  };

  // http_server.cc
  Status Listen();
  void Accept();

  // gateway.cc: the core strand.
  int64_t NowMicros();
  // The 503 a new request gets when an admission limit is reached, if one is.
  std::optional<HttpReply> AdmissionRefusal();
  void SubmitRequest(Endpoint endpoint, HttpCall call, ClientRequest request, ReplyFn reply);
  void Execute();  // runs actions_ (on the strand)
  void DeliverResponse(const router::Respond& respond);
  void SendAttempt(const router::SendAttempt& send);
  void ArmTimer(const router::StartTimer& timer);
  void Probe(const router::ProbeDeployment& probe);
  void SendNotification(const router::Notify& notify, uint32_t try_number);
  // Appends now, on the calling thread: Init (before the writer runs) and
  // the writer thread only.
  Status AppendEvents(std::vector<ledger::Event>* events);
  // The ledger writer: events queue up in core-strand order and one thread
  // appends everything queued in one call (group commit across requests),
  // then runs each batch's `then` with the append's status.
  using AfterDurable = std::function<void(const Status&)>;
  void Enqueue(std::vector<ledger::Event> events, AfterDurable then);
  void WriterLoop();
  Result<UpstreamUrl> DeploymentUrl(const router::Deployment& d) const;
  std::string DeploymentKey(const router::Deployment& d) const;

  // messages_handler.cc: Anthropic's Messages API (router/gateway/anthropic_api.h).
  // POST /v1/messages and /v1/messages/count_tokens; every error the gateway
  // itself answers there is in Anthropic's shape.
  void HandleMessages(HttpCall call, ReplyFn reply, bool count_tokens);
  // The upstream call of a Messages request to Anthropic deployment `d`:
  // {api_base}/v1/messages, x-api-key, anthropic-version (the client's, else
  // kDefaultAnthropicVersion) and anthropic-beta when the client sent one.
  Result<UpstreamCall> MessagesCall(const router::Deployment& d, const Pending& pending) const;

  // gateway_auth.cc
  // Whether client endpoints need a key: a master key is configured
  // (general_settings.master_key, even one whose env var is unset: then no
  // key is valid and every client call is refused) or ukairo.auth.required.
  // `config` is CurrentConfig(), taken once per call (I/O threads).
  static bool ClientAuthRequired(const router::Config& config);
  // The one place a client call's key is checked: the master key, or a
  // client key found by its hash in the key directory (not revoked, not
  // expired). The core checks the key again with its own state and time.
  AuthResult AuthenticateClient(const HttpCall& call, const router::Config& config) const;
  // A client key's id from a presented key, if it is a known, live one.
  AuthResult FindClientKey(std::string_view presented) const;
  // Counts a failure for /metrics (never the key).
  void CountAuthFailure(AuthFailure reason);
  // The 401 for a client call on a key-protected endpoint, counted; nullopt
  // when the call may proceed, with call.client_key_id set (I/O threads).
  std::optional<HttpReply> AuthRefusal(HttpCall& call);

  // admin_api.cc
  void HandleAdmin(const HttpCall& call, ReplyFn reply);
  bool Authorized(const HttpCall& call, const router::Config& config) const;
  std::string MetricsText();
  std::string BudgetsJson();
  std::string DeploymentsJson();
  std::string ModelsJson();
  void HandleGate(const HttpCall& call, ReplyFn reply);
  void HandleAudit(const HttpCall& call, ReplyFn reply);
  void HandleReload(ReplyFn reply);
  bool Ready();

  // gateway_keys.cc: LiteLLM's key and team admin endpoints (/key/*,
  // /team/*), over RouterCore::OnKeyChange; answered once recorded.
  void HandleKeyAdmin(const HttpCall& call, ReplyFn reply);
  // Copies the core's key state (hashes, revocation, expiry) for the I/O
  // threads' authentication. On the strand, after every key change.
  void RefreshKeyDirectory();
  // /budgets' key and team scopes: every live key and team with a budget or
  // spend in `period` (on the strand).
  nlohmann::ordered_json KeyScopesJson(int32_t period);
  // Records a key change and replies with `answer()` (run on the strand
  // after the change) once the change is durable; errors as 4xx.
  void ApplyKeyChange(router::KeyChange change, std::function<std::string()> answer,
                      ReplyFn reply);
  // The config in force. /config/reload replaces it on the strand while I/O
  // threads read it (Accept's body limit, the admin key check): readers take
  // a snapshot and keep it for as long as they use it.
  std::shared_ptr<const router::Config> CurrentConfig() const {
    std::lock_guard<std::mutex> lock(config_mu_);
    return config_;
  }
  void SetConfig(std::shared_ptr<const router::Config> config) {
    std::lock_guard<std::mutex> lock(config_mu_);
    config_ = std::move(config);
  }

  struct KeyDirectoryEntry {
    ledger::Sha256 secret_sha256{};
    bool revoked = false;
    int64_t expires_micros = 0;
  };
  mutable std::mutex keys_mu_;
  // By key id; bounded by ProjectionLimits::kKeysMax like the core's state.
  std::unordered_map<std::string, KeyDirectoryEntry> key_directory_;  // GUARDED_BY(keys_mu_)

  GatewayOptions options_;
  mutable std::mutex config_mu_;
  std::shared_ptr<const router::Config> config_;  // GUARDED_BY(config_mu_)
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> core_strand_;
  // On a strand of its own: the accept handler and Stop's close never overlap.
  net::ip::tcp::acceptor acceptor_;
  // Keeps the workers running while Stop() drains, after the acceptor closed
  // and before the last request finished.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> workers_;
  uint16_t port_ = 0;

  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<router::RouterCore> core_;
  ledger::Projection durable_;  // folded with ledger seqs: what snapshots store
  std::unique_ptr<ledger::Snapshotter> snapshotter_;
  std::unique_ptr<UpstreamClient> upstream_;
  router::Actions actions_;
  std::unordered_map<std::string, Pending> pending_;
  int64_t last_now_micros_ = 0;
  uint64_t request_counter_ = 0;
  std::string request_prefix_;
  std::atomic<bool> ledger_failed_{false};
  static constexpr size_t kWriterBatchEventsMax = 8192;
  // A request's events: at most 32 attempts (RouterCore::kAttemptsPerRequestMax),
  // each with its start, finish, retry or fallback, state changes and the
  // alerts and stops of its four scopes, plus acceptance and completion.
  static constexpr size_t kQueueEventsPerRequestMax = 32 * 32;
  std::mutex writer_mu_;
  std::condition_variable writer_cv_;
  std::deque<std::pair<std::vector<ledger::Event>, AfterDurable>> writer_queue_;  // GUARDED_BY(writer_mu_)
  // Events in writer_queue_ (written under writer_mu_, read at admission).
  std::atomic<size_t> writer_queue_events_{0};
  bool writer_stop_ = false;  // GUARDED_BY(writer_mu_)
  std::thread writer_;

  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> http_requests_{0}, http_errors_{0}, ledger_appends_{0},
      ledger_events_{0}, refused_overload_{0}, refused_ledger_queue_{0},
      auth_failures_missing_{0}, auth_failures_invalid_{0}, auth_failures_revoked_{0},
      auth_failures_expired_{0};
  LatencyHistogram append_latency_;
  GatewayMetrics metrics_;  // labelled families, counted from appended events
  std::once_flag stop_once_;
};

}  // namespace ukairo::gateway
