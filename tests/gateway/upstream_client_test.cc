// The upstream client against the real fake provider on 127.0.0.1: replies
// classify per R-2203, timeouts and refused connections become outcomes,
// keep-alive connections are reused, every call completes exactly once.
#include "router/gateway/upstream_client.h"

#include <boost/asio.hpp>
#include <future>
#include <thread>

#include "router/gateway/fake_provider.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ledger::Outcome;

class UpstreamClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_.emplace(ioc_.get_executor());
    thread_ = std::thread([this] { ioc_.run(); });
    client_ = UpstreamClient::Create(ioc_, UpstreamClientOptions{}).value();
  }
  void TearDown() override {
    work_.reset();
    ioc_.stop();
    thread_.join();
  }
  UpstreamReply Call(uint16_t port, int64_t timeout_ms = 2000) {
    UpstreamCall call;
    call.url = *ParseUpstreamUrl("http://127.0.0.1:" + std::to_string(port) + "/v1");
    call.path = "/chat/completions";
    call.body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
    call.bearer_token = "sk-test";
    call.timeout_ms = timeout_ms;
    std::promise<UpstreamReply> promise;
    client_->Send(call, [&](UpstreamReply r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::unique_ptr<UpstreamClient> client_;
};

TEST(UpstreamUrl, Parses) {
  auto u = ParseUpstreamUrl("https://api.openai.com/v1/");
  ASSERT_OK(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "api.openai.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->base_path, "/v1");
  auto local = ParseUpstreamUrl("http://127.0.0.1:11434");
  EXPECT_EQ(local->port, "11434");
  EXPECT_EQ(local->base_path, "");
  EXPECT_FALSE(ParseUpstreamUrl("ftp://x").ok());
}

TEST_F(UpstreamClientTest, OkReplyAndKeepAliveReuse) {
  auto fake = FakeProvider::Start("127.0.0.1", 0, 1, FakeBehavior{});
  ASSERT_OK(fake);
  for (int i = 0; i < 3; ++i) {
    UpstreamReply r = Call((*fake)->port());
    EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
    EXPECT_EQ(r.http_status, 200u);
    EXPECT_NE(r.body.find("usage"), std::string::npos);
  }
  EXPECT_EQ((*fake)->stats().requests, 3u);
}

TEST_F(UpstreamClientTest, RateLimitKeepsRetryAfter) {
  FakeBehavior b;
  b.status = 429;
  b.retry_after_s = 3;
  auto fake = FakeProvider::Start("127.0.0.1", 0, 1, b);
  ASSERT_OK(fake);
  UpstreamReply r = Call((*fake)->port());
  EXPECT_EQ(r.outcome, Outcome::kRateLimited);
  EXPECT_EQ(r.retry_after, "3");
}

TEST_F(UpstreamClientTest, ServerErrorAndTimeoutAndRefused) {
  FakeBehavior b;
  b.status = 503;
  auto fake = FakeProvider::Start("127.0.0.1", 0, 1, b);
  ASSERT_OK(fake);
  EXPECT_EQ(Call((*fake)->port()).outcome, Outcome::kServerError);

  b.status = 200;
  b.latency_ms = 2000;
  (*fake)->SetBehavior(b);
  UpstreamReply slow = Call((*fake)->port(), /*timeout_ms=*/100);
  EXPECT_EQ(slow.outcome, Outcome::kTimeout) << slow.error;
  EXPECT_EQ(slow.http_status, 0u);

  uint16_t closed_port = (*fake)->port();
  (*fake)->Stop();
  UpstreamReply refused = Call(closed_port);
  EXPECT_EQ(refused.outcome, Outcome::kConnectionError);
  EXPECT_FALSE(refused.error.empty());
}

}  // namespace
}  // namespace ukairo::gateway
