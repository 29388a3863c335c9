// `ukairo serve --config FILE --ledger DIR [--host 127.0.0.1] [--port 4000]
// [--allow-open]`: the live gateway. SIGTERM/SIGINT: stop accepting, drain
// requests in flight up to --drain-ms, flush the ledger, exit 0.
//
// Without a master key the client endpoints are open: anyone who reaches the
// port spends. That is allowed on a loopback address (with a warning); on any
// other address serve refuses to start unless --allow-open says so.
#include <arpa/inet.h>

#include <csignal>
#include <cstring>
#include <iostream>

#include "router/config/loader.h"
#include "router/gateway/gateway.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

struct Options {
  std::string config;
  gateway::GatewayOptions gw;
  bool fsync = false;
  bool allow_open = false;
};

// 127.0.0.0/8, ::1, ::ffff:127.x.x.x or "localhost".
bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  unsigned char v4[4], v6[16];
  if (inet_pton(AF_INET, host.c_str(), v4) == 1) return v4[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), v6) == 1) {
    static const unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6, kLoopback, 16) == 0) return true;
    return std::memcmp(v6, kMapped, 12) == 0 && v6[12] == 127;
  }
  return false;
}

// Refuses (false) an open gateway on a non-loopback address without
// --allow-open; warns about every open gateway.
bool CheckOpen(const Options& o, const router::Config& config) {
  if (!config.master_key.empty()) return true;
  if (!config.master_key_env.empty() || config.auth_required) {
    std::cerr << "warning: no master key is set ("
              << (config.master_key_env.empty() ? std::string("ukairo.auth.required is true")
                                                : "environment variable " +
                                                      config.master_key_env + " is empty")
              << "): every client request will be refused with 401\n";
    return true;
  }
  if (!IsLoopback(o.gw.host) && !o.allow_open) {
    std::cerr << "ukairo serve: refusing to serve on " << o.gw.host
              << " without a master key: anyone who reaches the port would spend. Set "
                 "general_settings.master_key (e.g. master_key: os.environ/UKAIRO_MASTER_KEY), "
                 "bind a loopback address, or pass --allow-open to serve openly anyway\n";
    return false;
  }
  std::cerr << "warning: no master key (general_settings.master_key): the gateway is OPEN, "
               "anyone who reaches "
            << o.gw.host << (o.gw.port ? ":" + std::to_string(o.gw.port) : std::string())
            << " can send requests and spend; set general_settings.master_key to require "
               "a key\n";
  return true;
}

int Run(Options o) {
  auto config = router::LoadConfigFile(o.config);
  if (!config.ok()) {
    std::cerr << "ukairo serve: " << config.status().message() << "\n";
    return kExitUsage;
  }
  for (const auto& w : (*config)->warnings) std::cerr << "warning: " << w << "\n";
  if (!CheckOpen(o, **config)) return kExitUsage;
  o.gw.config_path = o.config;
  o.gw.durability = o.fsync ? ledger::Durability::kFsync : ledger::Durability::kWal;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every worker
  auto gw = gateway::Gateway::Start(o.gw, *config);
  if (!gw.ok()) {
    std::cerr << "ukairo serve: " << gw.status().message() << "\n";
    return kExitFailed;
  }
  std::cout << "ukairo serving on http://" << o.gw.host << ":" << (*gw)->port()
            << " (ledger " << o.gw.ledger_dir << ", config sha256 " << (*config)->sha256_hex
            << ")" << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  std::cerr << "ukairo serve: signal " << signal << ", draining\n";
  (*gw)->Stop();
  auto c = (*gw)->counters();
  std::cerr << "ukairo serve: stopped after " << c.http_requests << " HTTP requests, "
            << c.ledger_events << " ledger events\n";
  return kExitOk;
}

RegisterCommand registration(10, [](CLI::App& root, int* exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand("serve", "Run the live gateway (OpenAI-compatible HTTP)");
  cmd->add_option("--config", o->config, "Config YAML")->required();
  cmd->add_option("--ledger", o->gw.ledger_dir, "Ledger directory (RocksDB)")->required();
  cmd->add_option("--host", o->gw.host, "Address to bind")->capture_default_str();
  cmd->add_option("--port", o->gw.port, "Port (0 = any free port)")->capture_default_str();
  cmd->add_option("--threads", o->gw.threads, "I/O worker threads")->capture_default_str();
  cmd->add_flag("--allow-open", o->allow_open,
                "Serve without a master key on a non-loopback --host (anyone who reaches the "
                "port spends)");
  cmd->add_flag("--fsync", o->fsync, "fsync the WAL before acknowledging (group commit)");
  cmd->add_option("--group-commit-us", o->gw.group_commit_window_micros,
                  "With --fsync: wait this long for more events per fsync");
  cmd->add_option("--drain-ms", o->gw.drain_deadline_ms, "Drain deadline on SIGTERM")
      ->capture_default_str();
  cmd->add_option("--idle-timeout-ms", o->gw.idle_timeout_ms, "Idle/slow connection timeout")
      ->capture_default_str();
  cmd->add_option("--ca-file", o->gw.ca_file,
                  "Extra PEM CA bundle for HTTPS upstreams (the system store stays trusted)");
  cmd->add_option("--requests-in-flight-max", o->gw.requests_in_flight_max,
                  "Requests admitted at once; more get 503 + Retry-After")
      ->capture_default_str();
  cmd->add_option("--ledger-queue-events-max", o->gw.ledger_queue_events_max,
                  "Events waiting for the ledger writer before new requests get 503")
      ->capture_default_str();
  cmd->add_option("--seed", o->gw.seed, "Seed of the router's balancing and jitter")
      ->capture_default_str();
  cmd->callback([o, exit_code] { *exit_code = Run(*o); });
});

}  // namespace
}  // namespace ukairo::tools
