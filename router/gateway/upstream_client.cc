#include "router/gateway/upstream_client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <vector>

#include "router/gateway/openai_api.h"

namespace ukairo::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

beast::tcp_stream& Lowest(PlainStream& s) { return s; }
beast::tcp_stream& Lowest(TlsStream& s) { return beast::get_lowest_layer(s); }

class ClientImpl;

// A pool of idle keep-alive connections of one stream type, per endpoint.
template <typename Stream>
class Pool {
 public:
  std::unique_ptr<Stream> Take(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    auto stream = std::move(it->second.back());
    it->second.pop_back();
    return stream;
  }
  void Give(const std::string& key, std::unique_ptr<Stream> stream, size_t max) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& list = idle_[key];
    if (list.size() < max) list.push_back(std::move(stream));
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<Stream>>> idle_;
};

// One request/response exchange on one connection (new or reused).
template <typename Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  Exchange(ClientImpl* client, UpstreamCall call, std::function<void(UpstreamReply)> done,
           std::unique_ptr<Stream> stream, bool reused)
      : client_(client), call_(std::move(call)), done_(std::move(done)),
        stream_(std::move(stream)), reused_(reused), started_(Clock::now()) {}

  void Start(tcp::resolver* resolver);

 private:
  void Connected();
  void Handshaken();
  void Write();
  void Read();
  void ReadSome();
  void Finish(ledger::Outcome outcome, std::string error);
  void Fail(beast::error_code ec, const char* stage);

  ClientImpl* client_;
  UpstreamCall call_;
  std::function<void(UpstreamReply)> done_;
  std::unique_ptr<Stream> stream_;
  bool reused_;
  Clock::time_point started_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  tcp::resolver::results_type endpoints_;
  bool finished_ = false;
  size_t forwarded_bytes_ = 0;  // body bytes already given to on_body_piece
};

class ClientImpl : public UpstreamClient {
 public:
  ClientImpl(net::io_context& ioc, const UpstreamClientOptions& options)
      : ioc_(ioc), options_(options), tls_(ssl::context::tls_client) {
    tls_.set_default_verify_paths();
    tls_.set_verify_mode(ssl::verify_peer);
  }

  void Send(UpstreamCall call, std::function<void(UpstreamReply)> done) override {
    Send(std::move(call), std::move(done), /*allow_reuse=*/true);
  }

  // allow_reuse=false after a pooled connection turned out to be closed by
  // the server while idle: the retry takes a fresh connection.
  void Send(UpstreamCall call, std::function<void(UpstreamReply)> done, bool allow_reuse) {
    const std::string key = call.url.host + ":" + call.url.port;
    if (call.url.tls) {
      auto stream = allow_reuse ? tls_pool_.Take(key) : nullptr;
      bool reused = stream != nullptr;
      if (!reused) {
        stream = std::make_unique<TlsStream>(net::make_strand(ioc_), tls_);
        // SNI and certificate host name check.
        SSL_set_tlsext_host_name(stream->native_handle(), call.url.host.c_str());
        stream->set_verify_callback(ssl::host_name_verification(call.url.host));
      }
      auto ex = std::make_shared<Exchange<TlsStream>>(this, std::move(call), std::move(done),
                                                      std::move(stream), reused);
      ex->Start(&resolver_);
    } else {
      auto stream = allow_reuse ? plain_pool_.Take(key) : nullptr;
      bool reused = stream != nullptr;
      if (!reused) stream = std::make_unique<PlainStream>(net::make_strand(ioc_));
      auto ex = std::make_shared<Exchange<PlainStream>>(this, std::move(call), std::move(done),
                                                        std::move(stream), reused);
      ex->Start(&resolver_);
    }
  }

  Status LoadExtraCa() {
    if (options_.ca_file.empty()) return Status::Ok();
    beast::error_code ec;
    tls_.load_verify_file(options_.ca_file, ec);
    if (ec) {
      return Status::InvalidArgument("cannot load CA file " + options_.ca_file + ": " +
                                     ec.message());
    }
    return Status::Ok();
  }

  void GiveBack(const std::string& key, std::unique_ptr<PlainStream> s) {
    plain_pool_.Give(key, std::move(s), options_.idle_connections_max);
  }
  void GiveBack(const std::string& key, std::unique_ptr<TlsStream> s) {
    tls_pool_.Give(key, std::move(s), options_.idle_connections_max);
  }
  const UpstreamClientOptions& options() const { return options_; }

 private:
  net::io_context& ioc_;
  UpstreamClientOptions options_;
  ssl::context tls_;
  tcp::resolver resolver_{ioc_};
  Pool<PlainStream> plain_pool_;
  Pool<TlsStream> tls_pool_;
};

template <typename Stream>
void Exchange<Stream>::Start(tcp::resolver* resolver) {
  request_ = {http::string_to_verb(call_.method), call_.url.base_path + call_.path, 11};
  request_.set(http::field::host, call_.url.host);
  request_.set(http::field::user_agent, "ukairo/0.1");
  request_.set(http::field::content_type, "application/json");
  request_.keep_alive(true);
  if (!call_.bearer_token.empty()) {
    request_.set(http::field::authorization, "Bearer " + call_.bearer_token);
  }
  if (!call_.x_api_key.empty()) request_.set("x-api-key", call_.x_api_key);
  for (const auto& [name, value] : call_.headers) request_.set(name, value);
  request_.body() = call_.body;
  request_.prepare_payload();
  Lowest(*stream_).expires_after(std::chrono::milliseconds(call_.timeout_ms));
  if (reused_) return Write();
  auto self = this->shared_from_this();
  resolver->async_resolve(call_.url.host, call_.url.port,
                          [self](beast::error_code ec, tcp::resolver::results_type results) {
                            if (ec) return self->Fail(ec, "resolve");
                            self->endpoints_ = results;
                            Lowest(*self->stream_).async_connect(
                                results, [self](beast::error_code ec2, auto) {
                                  if (ec2) return self->Fail(ec2, "connect");
                                  self->Connected();
                                });
                          });
}

template <typename Stream>
void Exchange<Stream>::Connected() {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    auto self = this->shared_from_this();
    stream_->async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
      if (ec) return self->Fail(ec, "tls handshake");
      self->Write();
    });
  } else {
    Write();
  }
}

template <typename Stream>
void Exchange<Stream>::Write() {
  auto self = this->shared_from_this();
  http::async_write(*stream_, request_, [self](beast::error_code ec, size_t) {
    if (ec) return self->Fail(ec, "write");
    self->Read();
  });
}

template <typename Stream>
void Exchange<Stream>::Read() {
  parser_.emplace();
  parser_->body_limit(client_->options().response_bytes_max);
  auto self = this->shared_from_this();
  if (call_.on_body_piece) {
    http::async_read_header(*stream_, buffer_, *parser_, [self](beast::error_code ec, size_t) {
      if (ec) return self->Fail(ec, "read");
      const unsigned status = self->parser_->get().result_int();
      if (status < 200 || status >= 300) self->call_.on_body_piece = nullptr;
      self->ReadSome();
    });
    return;
  }
  http::async_read(*stream_, buffer_, *parser_, [self](beast::error_code ec, size_t) {
    if (ec) return self->Fail(ec, "read");
    self->Finish(ledger::Outcome::kOk, "");
  });
}

// Reads the body in pieces, handing each new piece to on_body_piece.
template <typename Stream>
void Exchange<Stream>::ReadSome() {
  if (parser_->is_done()) return Finish(ledger::Outcome::kOk, "");
  auto self = this->shared_from_this();
  http::async_read_some(*stream_, buffer_, *parser_, [self](beast::error_code ec, size_t) {
    const std::string& body = self->parser_->get().body();
    if (self->call_.on_body_piece && body.size() > self->forwarded_bytes_) {
      self->call_.on_body_piece(std::string_view(body).substr(self->forwarded_bytes_));
      self->forwarded_bytes_ = body.size();
    }
    if (ec) return self->Fail(ec, "read");
    self->ReadSome();
  });
}

template <typename Stream>
void Exchange<Stream>::Fail(beast::error_code ec, const char* stage) {
  // An idle pooled connection the server already closed fails at once with
  // EOF/reset: not the provider's failure, so try again on a fresh one.
  const bool stale = ec == http::error::end_of_stream || ec == net::error::eof ||
                     ec == net::error::connection_reset || ec == net::error::broken_pipe;
  if (reused_ && stale && !finished_ && forwarded_bytes_ == 0 &&
      (!parser_ || !parser_->is_header_done())) {
    finished_ = true;
    client_->Send(std::move(call_), std::move(done_), /*allow_reuse=*/false);
    return;
  }
  ledger::Outcome outcome = ec == beast::error::timeout ? ledger::Outcome::kTimeout
                                                         : ledger::Outcome::kConnectionError;
  Finish(outcome, std::string(stage) + ": " + ec.message());
}

template <typename Stream>
void Exchange<Stream>::Finish(ledger::Outcome transport, std::string error) {
  if (finished_) return;
  finished_ = true;
  UpstreamReply reply;
  reply.latency_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
  if (!error.empty()) {
    reply.outcome = transport;
    reply.error = std::move(error);
    done_(std::move(reply));
    return;
  }
  auto& res = parser_->get();
  reply.http_status = res.result_int();
  reply.body = std::move(res.body());
  if (auto it = res.find(http::field::content_type); it != res.end()) {
    reply.content_type = std::string(it->value());
  }
  if (auto it = res.find(http::field::retry_after); it != res.end()) {
    reply.retry_after = std::string(it->value());
  }
  reply.outcome = ClassifyStatus(reply.http_status, reply.body);
  if (res.keep_alive()) {
    Lowest(*stream_).expires_never();
    client_->GiveBack(call_.url.host + ":" + call_.url.port, std::move(stream_));
  }
  done_(std::move(reply));
}

}  // namespace

Result<UpstreamUrl> ParseUpstreamUrl(const std::string& url) {
  UpstreamUrl out;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("upstream url '" + url + "' must start with http:// or https://");
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.empty()) return Status::InvalidArgument("upstream url '" + url + "' has no host");
  return out;
}

Result<std::unique_ptr<UpstreamClient>> UpstreamClient::Create(
    net::io_context& ioc, const UpstreamClientOptions& options) {
  auto client = std::make_unique<ClientImpl>(ioc, options);
  UKAIRO_RETURN_IF_ERROR(client->LoadExtraCa());
  return std::unique_ptr<UpstreamClient>(std::move(client));
}

}  // namespace ukairo::gateway
