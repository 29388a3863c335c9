// The gateway's HTTP side: listener, keep-alive sessions, routing.
#include <boost/beast.hpp>
#include <cstdio>
#include <deque>

#include "router/gateway/gateway_impl.h"

namespace ukairo::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class Session;
std::shared_ptr<StreamWriter> MakeSessionStream(std::shared_ptr<Session> session);

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, GatewayImpl* gateway, size_t body_limit, int64_t idle_timeout_ms)
      : stream_(std::move(socket)), gateway_(gateway), body_limit_(body_limit),
        idle_timeout_ms_(idle_timeout_ms) {}

  net::any_io_executor executor() { return stream_.get_executor(); }

  void Read() {
    parser_.emplace();
    parser_->body_limit(body_limit_);
    parser_->header_limit(64 * 1024);
    // Idle keep-alive connections and slow clients both end here.
    stream_.expires_after(std::chrono::milliseconds(idle_timeout_ms_));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return Write(HttpReply{413, "application/json",
                             ErrorJson("request body exceeds " + std::to_string(body_limit_) +
                                           " bytes",
                                       "invalid_request_error", "body_too_large"),
                             {}});
    }
    if (ec) {
      if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
          ec != net::error::operation_aborted && ec != net::error::connection_reset &&
          ec != net::error::eof) {
        keep_alive_ = false;
        return Write(HttpReply{400, "application/json",
                               ErrorJson("malformed HTTP request: " + ec.message(),
                                         "invalid_request_error", "bad_http"),
                               {}});
      }
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    HttpCall call;
    call.method = std::string(req.method_string());
    call.target = std::string(req.target());
    call.body = std::move(req.body());
    if (auto it = req.find(http::field::authorization); it != req.end()) {
      call.authorization = std::string(it->value());
    }
    if (auto it = req.find("x-api-key"); it != req.end()) {
      call.x_api_key = std::string(it->value());
    }
    if (auto it = req.find("api-key"); it != req.end()) {
      call.api_key = std::string(it->value());
    }
    if (auto it = req.find("x-ukairo-tag"); it != req.end()) {
      call.tag_header = std::string(it->value());
    }
    if (auto it = req.find("anthropic-version"); it != req.end()) {
      call.anthropic_version = std::string(it->value());
    }
    if (auto it = req.find("anthropic-beta"); it != req.end()) {
      call.anthropic_beta = std::string(it->value());
    }
    // The response may come from another thread: hop back to this stream.
    stream_.expires_never();
    auto self = shared_from_this();
    call.stream = MakeSessionStream(self);
    gateway_->Handle(std::move(call), [self](HttpReply reply) {
      net::post(self->stream_.get_executor(),
                [self, reply = std::move(reply)]() mutable { self->Write(std::move(reply)); });
    });
  }

public:
  // The chunked-response half (StreamWriter), always on this stream's
  // executor. Bytes queue up and go out one async_write at a time.
  void StreamStart(unsigned status, const std::string& content_type,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                       std::string(http::obsolete_reason(static_cast<http::status>(status))) +
                       "\r\nServer: ukairo\r\nContent-Type: " + content_type +
                       "\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n";
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    if (!keep_alive_) head += "Connection: close\r\n";
    Queue(head + "\r\n");
  }
  void StreamWrite(const std::string& bytes) {
    if (bytes.empty()) return;  // an empty chunk would end the body
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
    Queue(size + bytes + "\r\n");
  }
  void StreamFinish() {
    streaming_done_ = true;
    Queue("0\r\n\r\n");
  }

  void Queue(std::string bytes) {
    out_.push_back(std::move(bytes));
    if (out_.size() == 1) Pump();
  }
  void Pump() {
    stream_.expires_after(std::chrono::milliseconds(idle_timeout_ms_));
    net::async_write(stream_, net::buffer(out_.front()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         self->out_.clear();
                         return;
                       }
                       self->out_.pop_front();
                       if (!self->out_.empty()) return self->Pump();
                       if (!self->streaming_done_) return;
                       self->streaming_done_ = false;
                       if (!self->keep_alive_) {
                         beast::error_code ignored;
                         self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                         return;
                       }
                       self->Read();
                     });
  }

private:
  void Write(HttpReply reply) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), version_ ? version_ : 11);
    res->set(http::field::server, "ukairo");
    res->set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) res->set(name, value);
    res->keep_alive(keep_alive_);
    res->body() = std::move(reply.body);
    res->prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(idle_timeout_ms_));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec) return;
                        if (!self->keep_alive_) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  GatewayImpl* gateway_;
  size_t body_limit_;
  int64_t idle_timeout_ms_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::deque<std::string> out_;  // streamed bytes waiting to be written
  bool streaming_done_ = false;
};

class SessionStream : public StreamWriter {
 public:
  explicit SessionStream(std::shared_ptr<Session> session) : session_(std::move(session)) {}
  void Start(unsigned status, const std::string& content_type,
             std::vector<std::pair<std::string, std::string>> headers) override {
    Post([=](Session& s) { s.StreamStart(status, content_type, headers); });
  }
  void Write(std::string bytes) override {
    Post([bytes = std::move(bytes)](Session& s) { s.StreamWrite(bytes); });
  }
  void Finish() override {
    Post([](Session& s) { s.StreamFinish(); });
  }

 private:
  template <typename Fn>
  void Post(Fn fn) {
    net::post(session_->executor(), [s = session_, fn = std::move(fn)] { fn(*s); });
  }
  std::shared_ptr<Session> session_;
};

std::shared_ptr<StreamWriter> MakeSessionStream(std::shared_ptr<Session> session) {
  return std::make_shared<SessionStream>(std::move(session));
}

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

Status GatewayImpl::Listen() {
  boost::system::error_code ec;
  tcp::endpoint endpoint(net::ip::make_address(options_.host, ec), options_.port);
  if (ec) return Status::InvalidArgument("bad --host '" + options_.host + "': " + ec.message());
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + options_.host + ":" +
                           std::to_string(options_.port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  return Status::Ok();
}

void GatewayImpl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](boost::system::error_code ec,
                                                        tcp::socket socket) {
    if (!acceptor_.is_open() || stopping_) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      const size_t body_limit = CurrentConfig()->max_request_body_bytes;
      std::make_shared<Session>(std::move(socket), this, body_limit, options_.idle_timeout_ms)
          ->Read();
    }
    Accept();
  });
}

void GatewayImpl::Handle(HttpCall call, ReplyFn reply) {
  http_requests_.fetch_add(1, std::memory_order_relaxed);
  const std::string path = PathOf(call.target);
  auto error = [&](unsigned status, const std::string& message, const char* type,
                   const char* code) {
    http_errors_.fetch_add(1, std::memory_order_relaxed);
    reply(HttpReply{status, "application/json", ErrorJson(message, type, code), {}});
  };
  if (path == "/v1/messages" || path == "/v1/messages/count_tokens") {
    return HandleMessages(std::move(call), std::move(reply), path != "/v1/messages");
  }
  Endpoint endpoint = Endpoint::kChatCompletions;  // meaningful when api
  bool api = true;
  // The Responses API goes upstream as a chat completion (responses_api.h).
  const bool responses = path == "/v1/responses" || path == "/responses";
  if (path == "/v1/chat/completions" || path == "/chat/completions" || responses) {
    endpoint = Endpoint::kChatCompletions;
  } else if (path == "/v1/completions" || path == "/completions") {
    endpoint = Endpoint::kCompletions;
  } else if (path == "/v1/embeddings" || path == "/embeddings") {
    endpoint = Endpoint::kEmbeddings;
  } else {
    api = false;
  }
  // Every client endpoint needs a valid key once one is configured: a
  // refused call reaches no upstream and writes nothing to the ledger.
  if (api || path == "/v1/models" || path == "/models") {
    if (std::optional<HttpReply> refusal = AuthRefusal(call)) return reply(std::move(*refusal));
  }
  if (api) {
    if (call.method != "POST") {
      return error(405, "use POST for " + path, "invalid_request_error", "method_not_allowed");
    }
    std::string param;
    Result<ClientRequest> request =
        responses ? ParseResponsesRequest(&call.body, call.tag_header, &param)
                  : ParseClientRequest(endpoint, call.body, call.tag_header);
    if (!request.ok() && !param.empty()) {
      http_errors_.fetch_add(1, std::memory_order_relaxed);
      return reply(HttpReply{400, "application/json",
                             ResponsesErrorJson(request.status().message(), param,
                                                "invalid_request"),
                             {}});
    }
    if (!request.ok()) {
      return error(400, request.status().message(), "invalid_request_error", "invalid_request");
    }
    SubmitRequest(endpoint, std::move(call), std::move(*request), std::move(reply));
    return;
  }
  if (path == "/health" || path == "/health/liveliness" || path == "/health/liveness") {
    if (call.method != "GET") return error(405, "use GET", "invalid_request_error", "method_not_allowed");
    return reply(HttpReply{200, "application/json", R"({"status":"healthy"})", {}});
  }
  HandleAdmin(call, std::move(reply));
}

}  // namespace ukairo::gateway
