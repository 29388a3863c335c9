// A fault scenario: how simulated providers behave, read from YAML.
//
//   name: fault_month
//   seed: 7                       # optional; --seed overrides
//   traffic:                      # optional; shapes a stretched month
//     daily_profile_permille: [24 values, 0..1000, hour 0 UTC first]
//     weekly_profile_permille: [7 values, Monday first]
//     tag_mix: "Spec=1,Design=1,Build=5"   # used when --tag/--tag-mix absent
//   defaults:                     # every deployment, unless overridden
//     latency: {median_ms: 900, p99_ms: 6000}
//     failure: "1/1000"           # integer ratio, "0.1%" or "0.001"
//     failure_status: 500
//   deployments:
//     claude-opus:                # a deployment id or a model group name
//       latency: {median_ms: 2500, p99_ms: 15000}
//       rpm: 40                   # provider-side limit: 429 + Retry-After
//       tpm: 400000               # tokens (input+output) per sliding 60 s: 429
//       rate_limited:             # bursts: every call in the window gets 429
//         - {start: 3d09h, end: 3d11h, retry_after_ms: 30000}
//       outages:                  # every call fails (status 0 = connection error)
//         - {start: 12d14h, end: 12d18h, status: 503}
//       max_input_tokens: 200000  # context window (default: the config's)
// Offsets ("3d09h30m", "90m", "45s") count from the simulation's start;
// ISO-8601 times are absolute.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/rng.h"
#include "sim/traffic.h"

namespace ukairo::sim {

struct LatencySpec {
  int64_t median_ms = 800;
  int64_t p99_ms = 5000;
};

struct FaultWindow {
  int64_t start_micros = 0;     // absolute, resolved against the start
  int64_t end_micros = 0;       // exclusive
  uint32_t http_status = 0;     // outages: 5xx, or 0 for a connection error
  int64_t retry_after_ms = -1;  // rate_limited windows; -1: until the end
};

struct DeploymentFaults {
  std::string match;  // deployment id or model group; "" = defaults
  std::optional<LatencySpec> latency;
  std::optional<Ratio> failure;
  std::optional<uint32_t> failure_status;
  int64_t rpm = 0;  // 0 = no provider-side limit
  int64_t tpm = 0;  // tokens per sliding minute; 0 = no provider-side limit
  std::vector<FaultWindow> outages;
  std::vector<FaultWindow> rate_limited;
  int64_t max_input_tokens = 0;  // 0 = the config's value
};

struct Scenario {
  static constexpr size_t kWindowsMax = 1024;

  std::string name;
  std::optional<uint64_t> seed;
  std::optional<TrafficProfile> profile;
  std::string tag_mix;
  DeploymentFaults defaults;
  std::vector<DeploymentFaults> deployments;

  // A scenario with no faults: default latency, nothing fails.
  static Scenario Healthy();
  // Parses YAML text; offsets resolve against start_micros. Errors name the
  // source and line.
  static Result<Scenario> Parse(const std::string& yaml_text, const std::string& source,
                                int64_t start_micros);
  static Result<Scenario> Load(const std::string& path, int64_t start_micros);
};

// "3d09h30m", "90m", "45s", "1500ms" → micros; or an ISO-8601 time minus
// start_micros. Exposed for tests.
Result<int64_t> ParseOffsetMicros(const std::string& text, int64_t start_micros);

}  // namespace ukairo::sim
