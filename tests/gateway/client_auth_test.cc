// Authentication on every client endpoint (issue 13 item 1): once a master
// key is configured nobody spends without it. Real gateway on 127.0.0.1 in
// front of fake providers, real RocksDB ledger in a temp dir; and `ukairo
// serve` as a process for its open-gateway warning and refusal.
#include <utility>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "router/config/loader.h"
#include "router/gateway/gateway.h"
#include "tests/gateway/fake_fleet.h"
#include "tests/gateway/test_gateway.h"
#include "tests/util/http_client.h"
#include "tests/util/test_util.h"

namespace ukairo::gateway {
namespace {

using ::ukairo::testing::HttpRequest;
using ::ukairo::testing::HttpResponse;
using Headers = std::map<std::string, std::string>;
using Json = nlohmann::json;

const char* kMasterKey = "sk-auth-MASTER-never-logged-4b1e";
const char* kChatBody =
    R"({"model":"premium","max_tokens":10,"messages":[{"role":"user","content":"hello"}]})";

class ClientAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("UKAIRO_AUTH_TEST_MASTER", kMasterKey, 1);
    unsetenv("UKAIRO_AUTH_TEST_UNSET");
    ASSERT_NO_FATAL_FAILURE(fleet_.Start(2));
  }
  void TearDown() override {
    gateway_.reset();
    fleet_.Stop();
  }

  // `general_settings` is "" (no master key), or the YAML under it.
  std::string ConfigYaml(
      const std::string& general = "  master_key: os.environ/UKAIRO_AUTH_TEST_MASTER\n",
      const std::string& ukairo_extra = "") {
    std::string yaml = fleet_.ModelListYaml();
    if (!general.empty()) yaml += "general_settings:\n" + general;
    yaml += R"(ukairo:
  default_tag: Build
  tiers:
    - {name: build, tags: [Build], chain: [premium, backup]}
)" + ukairo_extra;
    return yaml;
  }

  void StartGateway(const std::string& yaml) {
    gateway_ = ukairo::testing::StartTestGateway(dir_, yaml);
    ASSERT_NE(gateway_, nullptr);
  }

  HttpResponse Call(const std::string& method, const std::string& target, const Headers& headers,
                    const std::string& body = "") {
    auto r = HttpRequest(method, gateway_->port(), target, body, headers);
    EXPECT_OK(r);
    return r.ok() ? *r : HttpResponse{};
  }
  HttpResponse Chat(const Headers& headers, const std::string& target = "/v1/chat/completions") {
    return Call("POST", target, headers, kChatBody);
  }
  uint64_t UpstreamRequests() const {
    uint64_t n = 0;
    for (const auto& f : fleet_.fakes) n += f->stats().requests;
    return n;
  }
  std::vector<ledger::Event> StopAndReadLedger() {
    gateway_->Stop();
    gateway_.reset();
    return ukairo::testing::ReadLedgerEvents(dir_.Sub("ledger"));
  }
  static size_t CountAccepted(const std::vector<ledger::Event>& events) {
    size_t n = 0;
    for (const auto& e : events) n += std::holds_alternative<ledger::RequestAccepted>(e.body);
    return n;
  }

  // The whole 401 contract: status, OpenAI error shape, WWW-Authenticate.
  static void Expect401(const HttpResponse& r, const std::string& message_start) {
    EXPECT_EQ(r.status, 401) << r.body;
    auto it = r.headers.find("www-authenticate");
    EXPECT_TRUE(it != r.headers.end() && it->second == "Bearer");
    Json j = Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
    const Json& e = j["error"];
    EXPECT_EQ(e["type"], "invalid_request_error");
    EXPECT_EQ(e["code"], "invalid_api_key");
    EXPECT_TRUE(e.contains("param") && e["param"].is_null());
    EXPECT_EQ(e["message"].get<std::string>().rfind(message_start, 0), 0u) << e["message"];
    EXPECT_EQ(r.body.find(kMasterKey), std::string::npos);
  }

  testing::TempDir dir_;
  ukairo::testing::FakeFleet fleet_;
  std::unique_ptr<Gateway> gateway_;
};

const Headers kBearer = {{"authorization", std::string("Bearer ") + kMasterKey}};

TEST_F(ClientAuth, NoKeyIs401AndReachesNoUpstreamAndNoLedger) {
  StartGateway(ConfigYaml());
  for (const char* target : {"/v1/chat/completions", "/chat/completions", "/v1/completions",
                             "/completions", "/v1/embeddings", "/embeddings"}) {
    SCOPED_TRACE(target);
    Expect401(Chat({}, target), "You didn't provide an API key");
  }
  // Also before the method and the body are looked at.
  Expect401(Call("GET", "/v1/chat/completions", {}), "You didn't provide an API key");
  Expect401(Call("POST", "/v1/chat/completions", {}, "{oops"), "You didn't provide an API key");
  EXPECT_EQ(UpstreamRequests(), 0u);
  auto events = StopAndReadLedger();
  EXPECT_EQ(CountAccepted(events), 0u);
}

TEST_F(ClientAuth, WrongKeysAre401) {
  StartGateway(ConfigYaml());
  Expect401(Chat({{"authorization", "Bearer sk-wrong"}}), "Incorrect API key");
  Expect401(Chat({{"authorization", std::string("Bearer ") + kMasterKey + "x"}}),
            "Incorrect API key");
  Expect401(Chat({{"authorization", std::string("Bearer ") + std::string(kMasterKey, 10)}}),
            "Incorrect API key");
  Expect401(Chat({{"authorization", kMasterKey}}), "Incorrect API key");  // no scheme
  Expect401(Chat({{"authorization", std::string("Basic ") + kMasterKey}}), "Incorrect API key");
  Expect401(Chat({{"authorization", "Bearer "}}), "Incorrect API key");
  Expect401(Chat({{"x-api-key", "sk-wrong"}}), "Incorrect API key");
  Expect401(Chat({{"api-key", "sk-wrong"}}), "Incorrect API key");
  EXPECT_EQ(UpstreamRequests(), 0u);
  EXPECT_EQ(CountAccepted(StopAndReadLedger()), 0u);
}

TEST_F(ClientAuth, MasterKeyInEachHeaderIsServed) {
  StartGateway(ConfigYaml());
  const std::vector<Headers> ways = {
      kBearer,
      {{"authorization", std::string("bearer  ") + kMasterKey}},  // scheme is case-insensitive
      {{"x-api-key", kMasterKey}},                                 // Anthropic clients
      {{"api-key", kMasterKey}},                                   // Azure clients
  };
  for (const auto& h : ways) {
    HttpResponse r = Chat(h);
    EXPECT_EQ(r.status, 200) << h.begin()->first << ": " << r.body;
  }
  EXPECT_EQ(UpstreamRequests(), 4u);
  EXPECT_EQ(CountAccepted(StopAndReadLedger()), 4u);
}

TEST_F(ClientAuth, ModelsNeedAKeyWhenOneIsConfigured) {
  StartGateway(ConfigYaml());
  Expect401(Call("GET", "/v1/models", {}), "You didn't provide an API key");
  Expect401(Call("GET", "/models", {{"authorization", "Bearer nope"}}), "Incorrect API key");
  HttpResponse ok = Call("GET", "/v1/models", {{"x-api-key", kMasterKey}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("premium"), std::string::npos);
  EXPECT_EQ(Call("GET", "/models", kBearer).status, 200);
  // Health and metrics stay open for probes and scrapers.
  EXPECT_EQ(Call("GET", "/health", {}).status, 200);
  EXPECT_EQ(Call("GET", "/metrics", {}).status, 200);
}

TEST_F(ClientAuth, WithoutMasterKeyEverythingIsServedAsBefore) {
  StartGateway(ConfigYaml(""));
  EXPECT_EQ(Chat({}).status, 200);
  EXPECT_EQ(Chat({{"authorization", "Bearer anything"}}).status, 200);
  EXPECT_EQ(Call("GET", "/v1/models", {}).status, 200);
  // Admin endpoints stay closed without a master key, whatever is sent.
  EXPECT_EQ(Call("GET", "/budgets", {{"authorization", "Bearer "}}).status, 401);
  EXPECT_EQ(Call("GET", "/budgets", {{"x-api-key", "x"}}).status, 401);
  EXPECT_EQ(UpstreamRequests(), 2u);
}

TEST_F(ClientAuth, AuthRequiredWithoutAKeyRefusesEverything) {
  StartGateway(ConfigYaml("", "  auth: {required: true}\n"));
  Expect401(Chat({}), "You didn't provide an API key");
  Expect401(Chat({{"authorization", "Bearer anything"}}), "Incorrect API key");
  Expect401(Call("GET", "/v1/models", {}), "You didn't provide an API key");
  EXPECT_EQ(UpstreamRequests(), 0u);
}

TEST_F(ClientAuth, MasterKeyFromAnUnsetVariableFailsClosed) {
  StartGateway(ConfigYaml("  master_key: os.environ/UKAIRO_AUTH_TEST_UNSET\n"));
  Expect401(Chat({}), "You didn't provide an API key");
  Expect401(Chat({{"authorization", "Bearer "}}), "Incorrect API key");
  Expect401(Chat({{"x-api-key", "os.environ/UKAIRO_AUTH_TEST_UNSET"}}), "Incorrect API key");
  EXPECT_EQ(UpstreamRequests(), 0u);
}

TEST_F(ClientAuth, AdminEndpointsTakeBearerOrXApiKey) {
  StartGateway(ConfigYaml());
  EXPECT_EQ(Call("GET", "/budgets", kBearer).status, 200);
  EXPECT_EQ(Call("GET", "/budgets", {{"x-api-key", kMasterKey}}).status, 200);
  EXPECT_EQ(Call("GET", "/budgets", {}).status, 401);
  EXPECT_EQ(Call("GET", "/budgets", {{"authorization", "Bearer sk-wrong"}}).status, 401);
  EXPECT_EQ(Call("GET", "/budgets", {{"x-api-key", "sk-wrong"}}).status, 401);
  EXPECT_EQ(Call("GET", "/budgets", {{"x-api-key", std::string(kMasterKey) + "-"}}).status, 401);
}

TEST_F(ClientAuth, FailuresAreCountedInMetricsWithoutTheKey) {
  StartGateway(ConfigYaml());
  Chat({});
  Call("GET", "/v1/models", {});
  Chat({{"authorization", std::string("Bearer ") + kMasterKey + "-typo"}});
  Chat({{"x-api-key", "sk-wrong"}});
  Chat({{"api-key", "sk-wrong"}});
  EXPECT_EQ(Chat(kBearer).status, 200);
  HttpResponse m = Call("GET", "/metrics", {});
  EXPECT_NE(m.body.find("ukairo_auth_failures_total{reason=\"missing\"} 2\n"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("ukairo_auth_failures_total{reason=\"invalid\"} 3\n"), std::string::npos)
      << m.body;
  EXPECT_EQ(m.body.find(kMasterKey), std::string::npos);
  EXPECT_EQ(m.body.find("sk-wrong"), std::string::npos);
  EXPECT_EQ(m.body.find("typo"), std::string::npos);
}

// `ukairo serve` as a child process; stdout and stderr to files.
struct Serve {
  pid_t pid = -1;
  uint16_t port = 0;
  std::string out, err;

  void Start(const std::vector<std::string>& args, const std::string& dir) {
    out = dir + "/serve.out";
    err = dir + "/serve.err";
    std::vector<std::string> argv_s = {"ukairo", "serve"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(126);
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(testing::UkairoBinary().c_str(), argv.data());
      _exit(127);
    }
    for (int i = 0; i < 500 && port == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const std::string text = testing::ReadFileText(out);
      if (size_t at = text.find("serving on"); at != std::string::npos) {
        size_t colon = text.find(':', text.find("://", at) + 3);
        port = static_cast<uint16_t>(std::stoi(text.substr(colon + 1)));
      }
    }
    ASSERT_NE(port, 0) << "ukairo serve did not start: " << testing::ReadFileText(err);
  }
  // SIGTERM; the exit code (-1 when it did not exit normally).
  int Stop() {
    if (pid <= 0) return -1;
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~Serve() {
    if (pid > 0) Stop();
  }
};

TEST_F(ClientAuth, ServeRefusesAnOpenGatewayOnANonLoopbackHost) {
  const std::string config = dir_.Sub("config.yaml");
  std::ofstream(config) << ConfigYaml("");
  const std::string ledger = dir_.Sub("ledger");
  auto refused = testing::RunUkairo("serve --config " + config + " --ledger " + ledger +
                                    " --host 0.0.0.0 --port 0");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("general_settings.master_key"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("--allow-open"), std::string::npos) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(ledger)) << "refused before opening anything";
  // The same for any address outside 127.0.0.0/8 and ::1.
  EXPECT_EQ(testing::RunUkairo("serve --config " + config + " --ledger " + ledger +
                               " --host 10.1.2.3 --port 0")
                .exit_code,
            2);
  EXPECT_EQ(testing::RunUkairo("serve --config " + config + " --ledger " + ledger +
                               " --host :: --port 0")
                .exit_code,
            2);
}

TEST_F(ClientAuth, ServeAllowOpenStartsOnAnyAddressWithAWarning) {
  const std::string config = dir_.Sub("config.yaml");
  std::ofstream(config) << ConfigYaml("");
  Serve serve;
  ASSERT_NO_FATAL_FAILURE(serve.Start({"--config", config, "--ledger", dir_.Sub("ledger"),
                                       "--host", "0.0.0.0", "--port", "0", "--allow-open"},
                                      dir_.path()));
  auto r = HttpRequest("POST", serve.port, "/v1/chat/completions", kChatBody);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200) << r->body;  // open: served without a key
  EXPECT_EQ(serve.Stop(), 0);
  const std::string err = testing::ReadFileText(serve.err);
  EXPECT_NE(err.find("OPEN"), std::string::npos) << err;
}

TEST_F(ClientAuth, ServeOnLoopbackWithoutKeyWarnsThatTheGatewayIsOpen) {
  const std::string config = dir_.Sub("config.yaml");
  std::ofstream(config) << ConfigYaml("");
  Serve serve;
  ASSERT_NO_FATAL_FAILURE(serve.Start(
      {"--config", config, "--ledger", dir_.Sub("ledger"), "--port", "0"}, dir_.path()));
  EXPECT_EQ(serve.Stop(), 0);
  const std::string err = testing::ReadFileText(serve.err);
  EXPECT_NE(err.find("the gateway is OPEN"), std::string::npos) << err;
  EXPECT_NE(err.find("general_settings.master_key"), std::string::npos) << err;
}

TEST_F(ClientAuth, TheMasterKeyIsNeverInLogsMetricsOrTheLedger) {
  const std::string config = dir_.Sub("config.yaml");
  std::ofstream(config) << ConfigYaml();
  const std::string ledger = dir_.Sub("ledger");
  Serve serve;
  ASSERT_NO_FATAL_FAILURE(serve.Start(
      {"--config", config, "--ledger", ledger, "--host", "0.0.0.0", "--port", "0"},
      dir_.path()));  // a master key: any address is fine
  auto call = [&](const std::string& method, const std::string& target, const Headers& h) {
    auto r = HttpRequest(method, serve.port, target, method == "POST" ? kChatBody : "", h);
    EXPECT_OK(r);
    return r.ok() ? *r : HttpResponse{};
  };
  EXPECT_EQ(call("POST", "/v1/chat/completions", {}).status, 401);
  EXPECT_EQ(call("POST", "/v1/chat/completions",
                 {{"authorization", std::string("Bearer ") + kMasterKey + "0"}})
                .status,
            401);
  EXPECT_EQ(call("POST", "/v1/chat/completions", kBearer).status, 200);
  EXPECT_EQ(call("POST", "/v1/chat/completions", {{"api-key", kMasterKey}}).status, 200);
  HttpResponse metrics = call("GET", "/metrics", {});
  HttpResponse audit = call("GET", "/audit?limit=1000", kBearer);
  EXPECT_EQ(audit.status, 200);
  EXPECT_EQ(serve.Stop(), 0);
  const std::string key = kMasterKey;
  EXPECT_EQ(metrics.body.find(key), std::string::npos);
  EXPECT_EQ(audit.body.find(key), std::string::npos);
  EXPECT_EQ(testing::ReadFileText(serve.out).find(key), std::string::npos);
  EXPECT_EQ(testing::ReadFileText(serve.err).find(key), std::string::npos);
  size_t files = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(ledger)) {
    if (!f.is_regular_file()) continue;
    EXPECT_EQ(testing::ReadFileText(f.path().string()).find(key), std::string::npos) << f.path();
    ++files;
  }
  EXPECT_GT(files, 0u);
  auto events = ukairo::testing::ReadLedgerEvents(ledger);
  EXPECT_EQ(CountAccepted(events), 2u);
}

}  // namespace
}  // namespace ukairo::gateway
