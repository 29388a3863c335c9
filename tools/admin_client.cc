// The admin client runs Asio's asynchronous operations on a private
// io_context under one steady_timer: Beast's synchronous calls ignore
// tcp_stream deadlines, and a CLI must not wait forever on a hung gateway.
#include "tools/admin_client.h"
#include "base/check.h"

#include <utility>  // before Asio: its awaitable.hpp needs std::exchange

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

namespace ukairo::tools {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr size_t kErrorTextBytesMax = 300;

}  // namespace

Result<AdminUrl> ParseAdminUrl(const std::string& text) {
  const std::string scheme = "http://";
  if (text.rfind("https://", 0) == 0) {
    return Status::InvalidArgument("'" + text +
                                   "': plain http only (the admin API is for the local "
                                   "machine), e.g. http://127.0.0.1:4000");
  }
  if (text.rfind(scheme, 0) != 0) {
    return Status::InvalidArgument("'" + text + "': the URL must start with http://");
  }
  AdminUrl url;
  url.text = text;
  std::string rest = text.substr(scheme.size());
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) url.base_path = rest.substr(slash);
  while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {  // [::1]:4000
    const size_t close = authority.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("'" + text + "': bad host");
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Status::InvalidArgument("'" + text + "': bad host");
      port_text = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.find(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return Status::InvalidArgument("'" + text + "': no host");
  if (authority.find('@') != std::string::npos) {
    return Status::InvalidArgument("'" + text + "': no credentials in the URL");
  }
  if (!port_text.empty() || authority.back() == ':') {
    uint32_t port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) {
        return Status::InvalidArgument("'" + text + "': bad port");
      }
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return Status::InvalidArgument("'" + text + "': bad port");
    url.port = static_cast<uint16_t>(port);
  }
  return url;
}

Result<AdminReply> AdminCall(const AdminUrl& url, const AdminCallOptions& options) {
  UKAIRO_CHECK(options.timeout_ms > 0);
  UKAIRO_CHECK(!options.path.empty() && options.path[0] == '/');
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  net::steady_timer deadline(ioc);
  bool timed_out = false, connected = false;
  Status failure = Status::Ok();

  http::request<http::string_body> request{http::string_to_verb(options.method),
                                           url.base_path + options.path, 11};
  request.set(http::field::host, url.host + ":" + std::to_string(url.port));
  request.set(http::field::user_agent, "ukairo-cli");
  if (!options.bearer_key.empty()) {
    request.set(http::field::authorization, "Bearer " + options.bearer_key);
  }
  if (!options.body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = options.body;
  request.keep_alive(false);
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kAdminReplyBytesMax);

  deadline.expires_after(std::chrono::milliseconds(options.timeout_ms));
  deadline.async_wait([&](beast::error_code ec) {
    if (ec) return;  // cancelled: the call finished first
    timed_out = true;
    resolver.cancel();
    beast::error_code ignored;
    stream.socket().close(ignored);
  });
  auto finish = [&](Status s) {
    failure = std::move(s);
    deadline.cancel();
  };
  const std::string after = " after " + std::to_string(options.timeout_ms) + " ms";
  auto on_read = [&](beast::error_code ec, size_t) {
    if (timed_out) return finish(Status::IOError("no answer" + after));
    if (ec) return finish(Status::IOError("read: " + ec.message()));
    finish(Status::Ok());
  };
  // A gateway may answer (401, 413) and close before reading the whole
  // body: the write then fails but the answer is still there to read.
  auto on_write = [&](beast::error_code, size_t) {
    if (timed_out) return finish(Status::IOError("no answer" + after));
    http::async_read(stream, buffer, parser, on_read);
  };
  auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
    if (timed_out) return finish(Status::Unavailable("connect timed out" + after));
    if (ec) return finish(Status::Unavailable(ec.message()));
    connected = true;
    http::async_write(stream, request, on_write);
  };
  auto on_resolve = [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (timed_out) return finish(Status::Unavailable("name lookup timed out" + after));
    if (ec) return finish(Status::Unavailable("name lookup: " + ec.message()));
    stream.async_connect(results, on_connect);
  };
  resolver.async_resolve(url.host, std::to_string(url.port), on_resolve);
  ioc.run();
  if (!failure.ok()) return failure;
  UKAIRO_CHECK(connected);
  (void)connected;
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  AdminReply reply;
  reply.status = parser.get().result_int();
  reply.body = std::move(parser.get().body());
  return reply;
}

std::string AdminErrorMessage(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const auto& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) {
      return e["message"].get<std::string>();
    }
    if (e.is_string()) return e.get<std::string>();
  }
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.size() > kErrorTextBytesMax) text = text.substr(0, kErrorTextBytesMax) + "...";
  return text.empty() ? "(empty reply)" : text;
}

}  // namespace ukairo::tools
