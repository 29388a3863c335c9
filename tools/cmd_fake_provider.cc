// `ukairo fake-provider`: a scriptable OpenAI-compatible upstream on loopback
// for end-to-end tests and load benchmarks (router/gateway/fake_provider.h).
#include <csignal>
#include <iostream>

#include "router/gateway/fake_provider.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int threads = 1;
  std::string script;
  gateway::FakeBehavior behavior;
};

int Run(const Options& options) {
  gateway::FakeBehavior behavior = options.behavior;
  if (!options.script.empty()) {
    Result<gateway::FakeBehavior> loaded = gateway::LoadFakeBehaviorYaml(options.script, behavior);
    if (!loaded.ok()) {
      std::cerr << "ukairo fake-provider: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    behavior = *loaded;
  }
  // Block the stop signals in every thread, then wait for one here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto provider = gateway::FakeProvider::Start(options.host, options.port, options.threads,
                                               behavior);
  if (!provider.ok()) {
    std::cerr << "ukairo fake-provider: " << provider.status().message() << "\n";
    return kExitFailed;
  }
  // The port line is read by tests and scripts that asked for port 0.
  std::cout << "listening " << options.host << ":" << (*provider)->port() << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  (*provider)->Stop();
  auto s = (*provider)->stats();
  std::cerr << "fake-provider: " << s.requests << " requests, " << s.ok << " ok, " << s.errors
            << " errors, " << s.hangs << " hangs\n";
  return kExitOk;
}

RegisterCommand registration(90, [](CLI::App& root, int* exit_code) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "fake-provider",
      "Run a scriptable fake OpenAI-compatible provider (tests, load benchmarks)");
  cmd->add_option("--host", options->host, "Address to bind (loopback)")->capture_default_str();
  cmd->add_option("--port", options->port, "Port (0 = any free port; printed)");
  cmd->add_option("--threads", options->threads, "Worker threads")->capture_default_str();
  cmd->add_option("--script", options->script, "YAML file with the behaviour keys below");
  auto& b = options->behavior;
  cmd->add_option("--latency-ms", b.latency_ms, "Delay before each answer");
  cmd->add_option("--status", b.status, "HTTP status of every answer");
  cmd->add_option("--retry-after-s", b.retry_after_s, "Retry-After sent with 429/503");
  cmd->add_option("--fail-first", b.fail_first, "Fail the first N requests");
  cmd->add_option("--error-every", b.error_every, "Fail every Nth request");
  cmd->add_option("--fail-status", b.fail_status, "Status of scripted failures");
  cmd->add_option("--outage-from-s", b.outage_from_s, "Outage window start (s after start)");
  cmd->add_option("--outage-to-s", b.outage_to_s, "Outage window end (s after start)");
  cmd->add_option("--hang-ms", b.hang_ms, "Hold each request this long, then drop it");
  cmd->add_option("--prompt-tokens", b.prompt_tokens, "Prompt tokens (0 = estimate)");
  cmd->add_option("--completion-tokens", b.completion_tokens, "Completion tokens");
  cmd->add_option("--context-window", b.context_window, "Reject longer prompts (400)");
  cmd->add_option("--model", b.model, "Model name to answer with (default: echo)");
  cmd->callback([options, exit_code] { *exit_code = Run(*options); });
});

}  // namespace
}  // namespace ukairo::tools
