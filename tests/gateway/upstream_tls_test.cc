// HTTPS upstreams: certificates are verified and SNI is sent. A TLS server
// on 127.0.0.1 with a self-signed certificate for "localhost" (made by the
// openssl CLI in a temp dir) is refused by default, and accepted when its
// certificate is given as an extra CA; the server sees the SNI name.
#include <utility>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <thread>

#include "router/gateway/upstream_client.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// Serves one TLS connection with a 200 JSON answer; records the SNI name.
class TlsServer {
 public:
  TlsServer(const std::string& cert, const std::string& key)
      : tls_(ssl::context::tls_server), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    tls_.use_certificate_chain_file(cert);
    tls_.use_private_key_file(key, ssl::context::pem);
    SSL_CTX_set_tlsext_servername_callback(tls_.native_handle(), &TlsServer::OnSni);
    SSL_CTX_set_tlsext_servername_arg(tls_.native_handle(), this);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TlsServer() {
    acceptor_.close();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string sni() {
    std::lock_guard<std::mutex> lock(mu_);
    return sni_;
  }

 private:
  static int OnSni(SSL* ssl, int*, void* arg) {
    auto* self = static_cast<TlsServer*>(arg);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->sni_ = name ? name : "";
    return SSL_TLSEXT_ERR_OK;
  }
  void Serve() {
    for (int connection = 0; connection < 2; ++connection) {
      beast::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      beast::ssl_stream<tcp::socket> stream(std::move(socket), tls_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) continue;  // the client refused our certificate
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) continue;
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = R"({"usage":{"prompt_tokens":1,"completion_tokens":1}})";
      res.keep_alive(false);
      res.prepare_payload();
      http::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }
  net::io_context ioc_;
  ssl::context tls_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::string sni_;
};

UpstreamReply CallOnce(const std::string& ca_file, uint16_t port) {
  net::io_context ioc;
  UpstreamClientOptions options;
  options.ca_file = ca_file;
  auto client = UpstreamClient::Create(ioc, options);
  EXPECT_OK(client);
  UpstreamCall call;
  call.url = *ParseUpstreamUrl("https://localhost:" + std::to_string(port) + "/v1");
  call.path = "/chat/completions";
  call.body = "{}";
  call.timeout_ms = 5000;
  UpstreamReply reply;
  (*client)->Send(call, [&](UpstreamReply r) { reply = std::move(r); });
  ioc.run();
  return reply;
}

TEST(UpstreamTls, VerifiesCertificatesAndSendsSni) {
  testing::TempDir dir;
  std::string out;
  ASSERT_EQ(testing::RunCommand(
                "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                "-addext subjectAltName=DNS:localhost -keyout " + dir.Sub("key.pem") + " -out " +
                    dir.Sub("cert.pem") + " 2>&1",
                &out),
            0)
      << out;
  TlsServer server(dir.Sub("cert.pem"), dir.Sub("key.pem"));

  UpstreamReply refused = CallOnce("", server.port());
  EXPECT_EQ(refused.outcome, ledger::Outcome::kConnectionError);
  EXPECT_NE(refused.error.find("certificate verify failed"), std::string::npos) << refused.error;

  UpstreamReply trusted = CallOnce(dir.Sub("cert.pem"), server.port());
  EXPECT_EQ(trusted.outcome, ledger::Outcome::kOk) << trusted.error;
  EXPECT_EQ(trusted.http_status, 200u);
  EXPECT_EQ(server.sni(), "localhost");
}

TEST(UpstreamTls, UnreadableCaFileIsAnError) {
  net::io_context ioc;
  UpstreamClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(UpstreamClient::Create(ioc, options).ok());
}

}  // namespace
}  // namespace ukairo::gateway
