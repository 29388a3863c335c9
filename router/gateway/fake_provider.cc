#include "router/gateway/fake_provider.h"

#include "router/gateway/anthropic_api.h"
#include "router/gateway/fake_messages.h"

#include <yaml-cpp/yaml.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace ukairo::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Json = nlohmann::json;

constexpr size_t kBodyLimitBytes = 8 << 20;

// Applies one key of a behaviour object; false when the key is unknown.
template <typename Get>
bool ApplyKey(const std::string& key, Get get, FakeBehavior* b) {
  if (key == "latency_ms") b->latency_ms = get.template operator()<int64_t>();
  else if (key == "status") b->status = get.template operator()<uint32_t>();
  else if (key == "retry_after_s") b->retry_after_s = get.template operator()<int64_t>();
  else if (key == "fail_first") b->fail_first = get.template operator()<uint32_t>();
  else if (key == "error_every") b->error_every = get.template operator()<uint32_t>();
  else if (key == "fail_status") b->fail_status = get.template operator()<uint32_t>();
  else if (key == "outage_from_s") b->outage_from_s = get.template operator()<int64_t>();
  else if (key == "outage_to_s") b->outage_to_s = get.template operator()<int64_t>();
  else if (key == "hang_ms") b->hang_ms = get.template operator()<int64_t>();
  else if (key == "prompt_tokens") b->prompt_tokens = get.template operator()<int64_t>();
  else if (key == "completion_tokens") b->completion_tokens = get.template operator()<int64_t>();
  else if (key == "context_window") b->context_window = get.template operator()<uint32_t>();
  else if (key == "model") b->model = get.template operator()<std::string>();
  else if (key == "stream_gap_ms") b->stream_gap_ms = get.template operator()<int64_t>();
  else if (key == "cache_read_tokens") b->cache_read_tokens = get.template operator()<int64_t>();
  else if (key == "cache_write_tokens") b->cache_write_tokens = get.template operator()<int64_t>();
  else if (key == "required_header") b->required_header = get.template operator()<std::string>();
  else if (key == "stream_error_after") {
    b->stream_error_after = get.template operator()<uint32_t>();
  }
  else if (key == "stream_break_after") {
    b->stream_break_after = get.template operator()<uint32_t>();
  }
  else return false;
  return true;
}

Json ErrorBody(const std::string& message, const std::string& type, const std::string& code) {
  return Json{{"error", {{"message", message}, {"type", type}, {"param", nullptr},
                         {"code", code}}}};
}

bool IsMessagesTarget(const std::string& target) {
  return target == "/v1/messages" || target == "/messages";
}

int64_t EstimateTokens(const Json& request) {
  size_t chars = 0;
  if (request.contains("messages") && request["messages"].is_array()) {
    for (const auto& m : request["messages"]) {
      if (m.contains("content") && m["content"].is_string()) {
        chars += m["content"].get_ref<const std::string&>().size();
      }
    }
  }
  for (const char* key : {"prompt", "input", "system"}) {
    if (request.contains(key) && request[key].is_string()) {
      chars += request[key].get_ref<const std::string&>().size();
    }
  }
  return std::max<int64_t>(1, static_cast<int64_t>(chars / 4));
}

// A chat request with tools whose last message is not a tool result is
// answered with a call of the first tool (arguments "{}"), as a model would;
// null otherwise. The text after a tool result quotes it, so a test sees the
// result arrive.
Json FakeToolCall(const Json& request, const std::string& id) {
  if (!request.contains("tools") || !request["tools"].is_array() || request["tools"].empty()) {
    return nullptr;
  }
  const Json& messages = request.value("messages", Json::array());
  if (!messages.empty() && messages.back().is_object() &&
      messages.back().value("role", "") == "tool") {
    return nullptr;
  }
  const Json& tool = request["tools"][0];
  std::string name = "tool";
  if (tool.is_object() && tool.contains("function") && tool["function"].is_object()) {
    name = tool["function"].value("name", name);
  }
  return Json{{"id", "call_" + id}, {"type", "function"},
              {"function", {{"name", name}, {"arguments", "{}"}}}};
}

std::string ToolResultNote(const Json& request) {
  const Json& messages = request.value("messages", Json::array());
  if (messages.empty() || !messages.back().is_object() ||
      messages.back().value("role", "") != "tool" || !messages.back().contains("content") ||
      !messages.back()["content"].is_string()) {
    return "";
  }
  return " (tool said: " + messages.back()["content"].get<std::string>() + ")";
}

class Impl;

// One keep-alive connection.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl* owner)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), owner_(owner) {}
  void Run() { Read(); }

 private:
  void Read();
  void OnRead(beast::error_code ec);
  void Answer(http::response<http::string_body> response, int64_t delay_ms);
  void Write();
  void WriteRaw(std::string bytes);
  void NextEvent();

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  Impl* owner_;
  // A stream sent event by event (stream_gap_ms / stream_break_after).
  std::vector<std::string> events_;
  size_t sent_events_ = 0;
  int64_t gap_ms_ = 0;
  uint32_t break_after_ = 0;
  std::string raw_;
};

class Impl : public FakeProvider {
 public:
  Impl(int threads, FakeBehavior behavior)
      : ioc_(threads), acceptor_(ioc_), behavior_(std::move(behavior)), threads_max_(threads),
        started_(std::chrono::steady_clock::now()) {}
  ~Impl() override { Stop(); }

  Status Listen(const std::string& host, uint16_t port) {
    beast::error_code ec;
    tcp::endpoint endpoint(net::ip::make_address(host, ec), port);
    if (ec) return Status::InvalidArgument("bad host '" + host + "': " + ec.message());
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IOError("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (int i = 0; i < threads_max_; ++i) workers_.emplace_back([this] { ioc_.run(); });
    return Status::Ok();
  }

  uint16_t port() const override { return port_; }
  void SetBehavior(FakeBehavior behavior) override {
    std::lock_guard<std::mutex> lock(mu_);
    behavior_ = std::move(behavior);
  }
  FakeBehavior behavior() const {
    std::lock_guard<std::mutex> lock(mu_);
    return behavior_;
  }
  FakeProviderStats stats() const override {
    return FakeProviderStats{requests_.load(), ok_.load(), errors_.load(), hangs_.load()};
  }
  void Stop() override {
    std::call_once(stop_once_, [this] {
      ioc_.stop();
      for (auto& t : workers_) {
        if (t.joinable()) t.join();
      }
      // Only now, with no worker left, is touching the acceptor safe; closed,
      // new connections are refused instead of queueing in the backlog.
      beast::error_code ignored;
      acceptor_.close(ignored);
      std::lock_guard<std::mutex> lock(stopped_mu_);
      stopped_ = true;
      stopped_cv_.notify_all();
    });
  }
  void Wait() override {
    std::unique_lock<std::mutex> lock(stopped_mu_);
    stopped_cv_.wait(lock, [this] { return stopped_; });
  }

  // Builds the answer to one request; *delay_ms is how long to wait first,
  // *hang tells the session to drop the connection instead of answering.
  http::response<http::string_body> Handle(const http::request<http::string_body>& req,
                                           int64_t* delay_ms, bool* hang);

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        beast::error_code ignored;
        s.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(s), this)->Run();
      }
      Accept();
    });
  }
  http::response<http::string_body> Completion(const http::request<http::string_body>& req,
                                               const FakeBehavior& b, const Json& body,
                                               const std::string& target);

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  mutable std::mutex mu_;
  FakeBehavior behavior_;  // GUARDED_BY(mu_)
  int threads_max_;
  std::chrono::steady_clock::time_point started_;
  std::vector<std::thread> workers_;
  uint16_t port_ = 0;
  std::atomic<uint64_t> requests_{0}, ok_{0}, errors_{0}, hangs_{0};
  std::once_flag stop_once_;
  std::mutex stopped_mu_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
};

http::response<http::string_body> MakeJson(unsigned version, bool keep_alive,
                                           http::status status, const Json& body) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, "ukairo-fake-provider");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = body.dump();
  res.prepare_payload();
  return res;
}

http::response<http::string_body> Impl::Handle(const http::request<http::string_body>& req,
                                               int64_t* delay_ms, bool* hang) {
  const std::string target(req.target());
  const unsigned v = req.version();
  const bool ka = req.keep_alive();
  *delay_ms = 0;
  *hang = false;
  if (target == "/_fake/stats" && req.method() == http::verb::get) {
    FakeProviderStats s = stats();
    return MakeJson(v, ka, http::status::ok,
                    Json{{"requests", s.requests}, {"ok", s.ok}, {"errors", s.errors},
                         {"hangs", s.hangs}});
  }
  if (target == "/_fake/config" && req.method() == http::verb::post) {
    Result<FakeBehavior> b = ParseFakeBehaviorJson(req.body(), behavior());
    if (!b.ok()) {
      return MakeJson(v, ka, http::status::bad_request,
                      ErrorBody(b.status().message(), "invalid_request_error", "bad_config"));
    }
    SetBehavior(*b);
    return MakeJson(v, ka, http::status::ok, Json{{"ok", true}});
  }
  if (target == "/health" || target == "/v1/models" || target == "/models") {
    FakeBehavior b = behavior();
    return MakeJson(v, ka, http::status::ok,
                    Json{{"object", "list"},
                         {"data", Json::array({{{"id", b.model.empty() ? "fake" : b.model},
                                                {"object", "model"},
                                                {"owned_by", "ukairo-fake"}}})}});
  }
  if (req.method() != http::verb::post) {
    return MakeJson(v, ka, http::status::method_not_allowed,
                    ErrorBody("method not allowed", "invalid_request_error", "bad_method"));
  }
  Json body = Json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return MakeJson(v, ka, http::status::bad_request,
                    ErrorBody("body is not a JSON object", "invalid_request_error", "bad_json"));
  }
  FakeBehavior b = behavior();
  *delay_ms = b.latency_ms;
  const uint64_t n = ++requests_;
  const int64_t since_start_s = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::steady_clock::now() - started_).count();
  const bool messages = IsMessagesTarget(target);
  auto fail = [&](uint32_t status, const std::string& why) {
    ++errors_;
    auto res = MakeJson(v, ka, static_cast<http::status>(status),
                        messages ? Json::parse(AnthropicErrorJson(AnthropicErrorType(status), why))
                                 : ErrorBody(why, status == 429 ? "rate_limit_error" : "server_error",
                                             std::to_string(status)));
    if ((status == 429 || status == 503 || status == 529) && b.retry_after_s >= 0) {
      res.set(http::field::retry_after, std::to_string(b.retry_after_s));
    }
    return res;
  };
  if (messages && req["anthropic-version"].empty()) {
    // As Anthropic answers it: the version header is required.
    ++errors_;
    return MakeJson(v, ka, http::status::bad_request,
                    Json::parse(AnthropicErrorJson("invalid_request_error",
                                                   "anthropic-version: header is required")));
  }
  if (const size_t colon = b.required_header.find(": "); colon != std::string::npos) {
    const std::string name = b.required_header.substr(0, colon);
    if (req[name] != b.required_header.substr(colon + 2)) {
      ++errors_;
      const std::string why = "scripted: header '" + name + "' missing or not as required";
      return MakeJson(v, ka, http::status::bad_request,
                      messages ? Json::parse(AnthropicErrorJson("invalid_request_error", why))
                               : ErrorBody(why, "invalid_request_error", "required_header"));
    }
  }
  if (b.outage_from_s >= 0 && since_start_s >= b.outage_from_s &&
      (b.outage_to_s < 0 || since_start_s < b.outage_to_s)) {
    return fail(503, "scripted outage");
  }
  if (n <= b.fail_first) return fail(b.fail_status, "scripted failure (fail_first)");
  if (b.error_every > 0 && n % b.error_every == 0) {
    return fail(b.fail_status, "scripted failure (error_every)");
  }
  if (b.hang_ms > 0) {
    ++hangs_;
    *hang = true;
    *delay_ms = b.hang_ms;
    return {};
  }
  if (b.status != 200) return fail(b.status, "scripted status");
  return Completion(req, b, body, target);
}

http::response<http::string_body> Impl::Completion(const http::request<http::string_body>& req,
                                                   const FakeBehavior& b, const Json& body,
                                                   const std::string& target) {
  const unsigned v = req.version();
  const bool ka = req.keep_alive();
  const std::string model =
      !b.model.empty() ? b.model : body.value("model", std::string("fake"));
  const int64_t prompt = b.prompt_tokens > 0 ? b.prompt_tokens : EstimateTokens(body);
  if (b.context_window > 0 && prompt > b.context_window) {
    ++errors_;
    return MakeJson(v, ka, http::status::bad_request,
                    ErrorBody("This model's maximum context length is " +
                                  std::to_string(b.context_window) + " tokens",
                              "invalid_request_error", "context_length_exceeded"));
  }
  int64_t completion = b.completion_tokens;
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {
    if (body.contains(key) && body[key].is_number_integer()) {
      completion = std::min<int64_t>(completion, body[key].get<int64_t>());
    }
  }
  const std::string id = "fake-" + std::to_string(requests_.load());
  Json usage{{"prompt_tokens", prompt}, {"completion_tokens", completion},
             {"total_tokens", prompt + completion}};
  const std::string text = "fake reply from " + model + ToolResultNote(body);
  const Json tool_call = FakeToolCall(body, id);
  ++ok_;
  if (IsMessagesTarget(target)) {
    const FakeMessagesUsage u{prompt, completion, b.cache_read_tokens, b.cache_write_tokens};
    if (!body.value("stream", false)) {
      auto res = MakeJson(v, ka, http::status::ok, Json());
      res.body() = FakeMessagesJson(body, model, "msg_" + id, u);
      res.prepare_payload();
      return res;
    }
    http::response<http::string_body> res{http::status::ok, v};
    res.set(http::field::content_type, "text/event-stream");
    res.keep_alive(ka);
    res.body() = FakeMessagesSse(body, model, "msg_" + id, u, b.stream_error_after);
    res.prepare_payload();
    return res;
  }
  if (target.find("/embeddings") != std::string::npos) {
    return MakeJson(v, ka, http::status::ok,
                    Json{{"object", "list"},
                         {"data", Json::array({{{"object", "embedding"}, {"index", 0},
                                                {"embedding", Json::array({0.0, 0.5, 1.0})}}})},
                         {"model", model},
                         {"usage", {{"prompt_tokens", prompt}, {"total_tokens", prompt}}}});
  }
  if (target.find("/chat/completions") == std::string::npos) {
    return MakeJson(v, ka, http::status::ok,
                    Json{{"id", id}, {"object", "text_completion"}, {"created", 0},
                         {"model", model},
                         {"choices", Json::array({{{"index", 0}, {"text", text},
                                                   {"finish_reason", "stop"}}})},
                         {"usage", usage}});
  }
  if (body.value("stream", false)) {
    // Server-sent events: a role chunk, a content chunk, a finish chunk, the
    // usage chunk (as with stream_options.include_usage), then [DONE].
    auto chunk = [&](const Json& delta, const Json& finish) {
      Json c{{"id", id}, {"object", "chat.completion.chunk"}, {"created", 0}, {"model", model},
             {"choices", Json::array({{{"index", 0}, {"delta", delta},
                                       {"finish_reason", finish}}})}};
      return "data: " + c.dump() + "\n\n";
    };
    std::string sse = chunk({{"role", "assistant"}, {"content", ""}}, nullptr);
    if (tool_call.is_null()) {
      sse += chunk({{"content", text}}, nullptr) + chunk(Json::object(), "stop");
    } else {  // the call, then its arguments in two pieces
      Json opening = tool_call;
      opening["index"] = 0;
      opening["function"]["arguments"] = "";
      sse += chunk({{"tool_calls", Json::array({opening})}}, nullptr);
      for (const char* piece : {"{", "}"}) {
        Json more{{"index", 0}, {"function", {{"arguments", piece}}}};
        sse += chunk({{"tool_calls", Json::array({more})}}, nullptr);
      }
      sse += chunk(Json::object(), "tool_calls");
    }
    Json usage_chunk{{"id", id}, {"object", "chat.completion.chunk"}, {"created", 0},
                     {"model", model}, {"choices", Json::array()}, {"usage", usage}};
    sse += "data: " + usage_chunk.dump() + "\n\ndata: [DONE]\n\n";
    http::response<http::string_body> res{http::status::ok, v};
    res.set(http::field::content_type, "text/event-stream");
    res.keep_alive(ka);
    res.body() = std::move(sse);
    res.prepare_payload();
    return res;
  }
  Json message{{"role", "assistant"}, {"content", text}};
  if (!tool_call.is_null()) message = {{"role", "assistant"}, {"content", nullptr},
                                       {"tool_calls", Json::array({tool_call})}};
  return MakeJson(
      v, ka, http::status::ok,
      Json{{"id", id}, {"object", "chat.completion"}, {"created", 0}, {"model", model},
           {"choices", Json::array({{{"index", 0},
                                     {"message", message},
                                     {"finish_reason", tool_call.is_null() ? "stop"
                                                                           : "tool_calls"}}})},
           {"usage", usage}});
}

void Session::Read() {
  parser_.emplace();
  parser_->body_limit(kBodyLimitBytes);
  stream_.expires_after(std::chrono::seconds(60));
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
}

void Session::OnRead(beast::error_code ec) {
  if (ec) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  int64_t delay_ms = 0;
  bool hang = false;
  auto response = owner_->Handle(parser_->get(), &delay_ms, &hang);
  if (hang) {
    stream_.expires_never();
    timer_.expires_after(std::chrono::milliseconds(delay_ms));
    timer_.async_wait([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      self->stream_.socket().close(ignored);
    });
    return;
  }
  Answer(std::move(response), delay_ms);
}

void Session::Answer(http::response<http::string_body> response, int64_t delay_ms) {
  response_ = std::move(response);
  const FakeBehavior b = owner_->behavior();
  if (response_[http::field::content_type] == "text/event-stream" &&
      (b.stream_gap_ms > 0 || b.stream_break_after > 0)) {
    // Send the events as chunks over time, as a real model streams tokens.
    std::string body = response_.body();
    size_t pos = 0;
    events_.clear();
    while (pos < body.size()) {
      size_t end = body.find("\n\n", pos);
      end = end == std::string::npos ? body.size() : end + 2;
      events_.push_back(body.substr(pos, end - pos));
      pos = end;
    }
    gap_ms_ = b.stream_gap_ms;
    break_after_ = b.stream_break_after;
    sent_events_ = 0;
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n";
    stream_.expires_never();
    WriteRaw(std::move(head));
    return;
  }
  if (delay_ms <= 0) return Write();
  stream_.expires_never();
  timer_.expires_after(std::chrono::milliseconds(delay_ms));
  timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Write(); });
}

void Session::WriteRaw(std::string bytes) {
  raw_ = std::move(bytes);
  net::async_write(stream_, net::buffer(raw_), [self = shared_from_this()](beast::error_code ec,
                                                                          size_t) {
    if (ec) return;
    self->NextEvent();
  });
}

void Session::NextEvent() {
  if (sent_events_ == events_.size()) {
    if (sent_events_ == SIZE_MAX) return;
    sent_events_ = SIZE_MAX;  // the terminating chunk is on its way
    raw_ = "0\r\n\r\n";
    net::async_write(stream_, net::buffer(raw_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Read();
                     });
    return;
  }
  if (sent_events_ == SIZE_MAX) return;
  if (break_after_ > 0 && sent_events_ >= break_after_) {
    beast::error_code ignored;
    stream_.socket().close(ignored);  // a stream that breaks midway
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(sent_events_ == 0 ? 0 : gap_ms_));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    const std::string& e = self->events_[self->sent_events_++];
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", e.size());
    self->WriteRaw(size + e + "\r\n");
  });
}

void Session::Write() {
  stream_.expires_after(std::chrono::seconds(60));
  http::async_write(stream_, response_,
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (ec) return;
                      if (!self->response_.keep_alive()) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                        return;
                      }
                      self->Read();
                    });
}

}  // namespace

Result<FakeBehavior> ParseFakeBehaviorJson(const std::string& json_text,
                                           const FakeBehavior& base) {
  Json j = Json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("fake provider config must be a JSON object");
  }
  FakeBehavior b = base;
  for (auto it = j.begin(); it != j.end(); ++it) {
    try {
      auto get = [&]<typename T>() { return it.value().get<T>(); };
      if (!ApplyKey(it.key(), get, &b)) {
        return Status::InvalidArgument("unknown fake provider key '" + it.key() + "'");
      }
    } catch (const Json::exception& e) {
      return Status::InvalidArgument("fake provider key '" + it.key() + "': " + e.what());
    }
  }
  return b;
}

Result<FakeBehavior> LoadFakeBehaviorYaml(const std::string& path, const FakeBehavior& base) {
  FakeBehavior b = base;
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap()) return Status::InvalidArgument(path + ": expected a mapping");
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      auto get = [&]<typename T>() { return entry.second.as<T>(); };
      if (!ApplyKey(key, get, &b)) {
        const YAML::Mark m = entry.first.Mark();
        return Status::InvalidArgument(path + ":" + std::to_string(m.line + 1) + ":" +
                                       std::to_string(m.column + 1) + ": unknown key '" + key +
                                       "'");
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return b;
}

Result<std::unique_ptr<FakeProvider>> FakeProvider::Start(const std::string& host, uint16_t port,
                                                          int threads, FakeBehavior behavior) {
  if (threads < 1 || threads > 64) return Status::InvalidArgument("threads must be 1..64");
  auto impl = std::make_unique<Impl>(threads, std::move(behavior));
  UKAIRO_RETURN_IF_ERROR(impl->Listen(host, port));
  return std::unique_ptr<FakeProvider>(std::move(impl));
}

}  // namespace ukairo::gateway
