// Starting a real gateway for a test: its config written to
// <dir>/config.yaml, its ledger in <dir>/ledger, on 127.0.0.1, any port.
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "router/config/loader.h"
#include "router/gateway/gateway.h"
#include "tests/util/test_util.h"

namespace ukairo::testing {

// nullptr (and a test failure naming why) when the config or the gateway
// does not load.
inline std::unique_ptr<gateway::Gateway> StartTestGateway(const TempDir& dir,
                                                          const std::string& yaml,
                                                          const router::LoadOptions& load = {}) {
  const std::string path = dir.Sub("config.yaml");
  std::ofstream(path) << yaml;
  auto config = router::LoadConfigFile(path, load);
  if (!config.ok()) {
    ADD_FAILURE() << config.status().ToString();
    return nullptr;
  }
  gateway::GatewayOptions o;
  o.port = 0;
  o.ledger_dir = dir.Sub("ledger");
  o.config_path = path;
  o.drain_deadline_ms = 2000;
  auto gw = gateway::Gateway::Start(o, *config);
  if (!gw.ok()) {
    ADD_FAILURE() << gw.status().ToString();
    return nullptr;
  }
  return std::move(*gw);
}

}  // namespace ukairo::testing
