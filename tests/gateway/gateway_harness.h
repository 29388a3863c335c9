// A gateway on 127.0.0.1 (any free port) with a real ledger in a temp dir,
// from a config's YAML text, and the ledger's events by kind: what a
// gateway test needs besides what it is about.
#pragma once

#include <fstream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "ledger/event.h"
#include "router/config/loader.h"
#include "router/gateway/gateway.h"
#include "tests/util/test_util.h"

namespace ukairo::testing {

// Writes `yaml` to dir/config.yaml and starts a gateway on dir/ledger.
inline Result<std::unique_ptr<gateway::Gateway>> StartGatewayFromYaml(const TempDir& dir,
                                                                      const std::string& yaml) {
  const std::string path = dir.Sub("config.yaml");
  std::ofstream(path) << yaml;
  UKAIRO_ASSIGN_OR_RETURN(std::shared_ptr<const router::Config> config,
                          router::LoadConfigFile(path));
  gateway::GatewayOptions o;
  o.port = 0;
  o.ledger_dir = dir.Sub("ledger");
  o.config_path = path;
  o.drain_deadline_ms = 2000;
  return gateway::Gateway::Start(o, config);
}

// Stops the gateway (its ledger closes) and reads the whole ledger.
inline std::vector<ledger::Event> StopAndReadLedger(std::unique_ptr<gateway::Gateway>* gw,
                                                    const TempDir& dir) {
  (*gw)->Stop();
  gw->reset();
  return ReadLedgerEvents(dir.Sub("ledger"));
}

// The bodies of the events of kind T, in ledger order.
template <typename T>
std::vector<T> EventBodies(const std::vector<ledger::Event>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (const T* b = std::get_if<T>(&e.body)) out.push_back(*b);
  }
  return out;
}

}  // namespace ukairo::testing
