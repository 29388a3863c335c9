// `ukairo verify --config FILE [--policy FILE] [--out DIR] [--json]`:
// V-2201..V-2204. Each check writes
// <out>/verify_reports/YYYYMMDD_HHMMSS_<check>.md and the command prints one
// line per check. Exit 0 all pass (warnings allowed), 1 a check failed
// (each violation is named with where it is), 2 usage or unreadable input.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ledger/period.h"
#include "router/config/loader.h"
#include "router/config/verifier.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

struct Options {
  std::string config;
  std::string policy;  // "" = the shipped data/policy/part22.yaml
  std::string out = "evidence";
  std::string at;  // ISO-8601 report time; default now
  bool json = false;
};

int Run(const Options& o) {
  auto config = router::LoadConfigFile(o.config);
  if (!config.ok()) {
    std::cerr << "ukairo verify: " << config.status().message() << "\n";
    return kExitUsage;
  }
  std::string policy_path = o.policy;
  if (policy_path.empty()) {
    // The shipped policy: from the working directory (a checkout), else next
    // to the binary's source tree (build/tools/ukairo → data/policy/).
    policy_path = "data/policy/part22.yaml";
    std::error_code ec;
    if (!std::filesystem::exists(policy_path, ec)) {
      auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
      auto beside = exe.parent_path() / "../../data/policy/part22.yaml";
      if (!ec && std::filesystem::exists(beside, ec)) policy_path = beside.lexically_normal();
    }
  }
  auto policy = router::LoadPolicy(policy_path);
  if (!policy.ok()) {
    std::cerr << "ukairo verify: " << policy.status().message() << "\n";
    return kExitUsage;
  }
  int64_t at_micros;
  if (o.at.empty()) {
    // The CLI is an edge: the wall clock only stamps report names.
    at_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  } else {
    auto parsed = ParseIso8601(o.at);
    if (!parsed.ok()) {
      std::cerr << "ukairo verify: --at: " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    at_micros = *parsed;
  }
  CivilTime t = CivilFromMicros(at_micros);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%04d%02d%02d_%02d%02d%02d", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  const std::filesystem::path dir = std::filesystem::path(o.out) / "verify_reports";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "ukairo verify: cannot create " << dir << ": " << ec.message() << "\n";
    return kExitUsage;
  }
  auto results = router::VerifyConfig(**config, *policy);
  bool all_passed = true;
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    const std::filesystem::path file = dir / (std::string(stamp) + "_" + r.name + ".md");
    std::ofstream(file) << router::RenderCheckMarkdown(r, **config, *policy,
                                                       FormatIso8601(at_micros));
    all_passed = all_passed && r.passed();
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto& f : r.findings) {
      findings.push_back({{"severity", f.is_error ? "error" : "warning"},
                          {"where", f.where},
                          {"message", f.message}});
    }
    json.push_back({{"id", r.id}, {"check", r.name}, {"passed", r.passed()},
                    {"report", file.string()}, {"findings", findings}});
    if (!o.json) {
      std::cout << r.id << " " << r.name << ": " << (r.passed() ? "PASS" : "FAIL") << "  ("
                << file.string() << ")\n";
      for (const auto& f : r.findings) {
        std::cout << "  " << (f.is_error ? "ERROR " : "WARNING ") << f.where << ": "
                  << f.message << "\n";
      }
    }
  }
  if (o.json) std::cout << json.dump(2) << "\n";
  return all_passed ? kExitOk : kExitFailed;
}

RegisterCommand registration(60, [](CLI::App& root, int* exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "verify", "Check a config against the Part 22 policy (V-2201..V-2204); writes reports");
  cmd->add_option("--config", o->config, "Config YAML to check")->required();
  cmd->add_option("--policy", o->policy,
                  "Policy YAML (default: the shipped data/policy/part22.yaml)");
  cmd->add_option("--out", o->out, "Evidence root; reports go to <out>/verify_reports/")
      ->capture_default_str();
  cmd->add_option("--at", o->at, "Report time (ISO-8601; default now)");
  cmd->add_flag("--json", o->json, "Print the results as JSON");
  cmd->footer("Exit codes: 0 all checks pass, 1 a check failed, 2 usage or unreadable input.");
  cmd->callback([o, exit_code] { *exit_code = Run(*o); });
});

}  // namespace
}  // namespace ukairo::tools
