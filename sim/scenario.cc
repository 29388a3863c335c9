#include "sim/scenario.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "ledger/period.h"

namespace ukairo::sim {
namespace {

// Errors at a YAML node name the source and the 1-based line.
Status At(const std::string& source, const YAML::Node& node, const std::string& what) {
  return Status::InvalidArgument(source + ":" + std::to_string(node.Mark().line + 1) + ": " + what);
}

Result<int64_t> Int(const std::string& source, const YAML::Node& node, const char* name,
                    int64_t min, int64_t max) {
  int64_t v = 0;
  if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, v) || v < min || v > max) {
    return At(source, node,
              std::string(name) + " must be an integer in " + std::to_string(min) + ".." +
                  std::to_string(max));
  }
  return v;
}

Result<std::vector<FaultWindow>> Windows(const std::string& source, const YAML::Node& list,
                                         const char* name, int64_t start_micros) {
  std::vector<FaultWindow> out;
  if (!list.IsSequence()) return At(source, list, std::string(name) + " must be a list");
  if (list.size() > Scenario::kWindowsMax) return At(source, list, "too many windows");
  for (const auto& w : list) {
    if (!w.IsMap() || !w["start"] || !w["end"]) {
      return At(source, w, std::string(name) + " entries need start and end");
    }
    FaultWindow fw;
    auto begin = ParseOffsetMicros(w["start"].as<std::string>(), start_micros);
    if (!begin.ok()) return At(source, w["start"], begin.status().message());
    auto end = ParseOffsetMicros(w["end"].as<std::string>(), start_micros);
    if (!end.ok()) return At(source, w["end"], end.status().message());
    if (*end <= *begin) return At(source, w, "window end must be after its start");
    fw.start_micros = start_micros + *begin;
    fw.end_micros = start_micros + *end;
    if (w["status"]) {
      UKAIRO_ASSIGN_OR_RETURN(int64_t s, Int(source, w["status"], "status", 0, 599));
      fw.http_status = static_cast<uint32_t>(s);
    } else {
      fw.http_status = std::string(name) == "outages" ? 503 : 429;
    }
    if (w["retry_after_ms"]) {
      UKAIRO_ASSIGN_OR_RETURN(fw.retry_after_ms,
                              Int(source, w["retry_after_ms"], "retry_after_ms", 0, 86'400'000));
    }
    out.push_back(fw);
  }
  return out;
}

Result<DeploymentFaults> Faults(const std::string& source, const YAML::Node& node,
                                int64_t start_micros) {
  DeploymentFaults f;
  if (!node.IsMap()) return At(source, node, "a deployment's faults must be a map");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "latency") {
      if (!v.IsMap() || !v["median_ms"] || !v["p99_ms"]) {
        return At(source, v, "latency needs median_ms and p99_ms");
      }
      LatencySpec l;
      UKAIRO_ASSIGN_OR_RETURN(l.median_ms, Int(source, v["median_ms"], "median_ms", 1, 3'600'000));
      UKAIRO_ASSIGN_OR_RETURN(l.p99_ms, Int(source, v["p99_ms"], "p99_ms", 1, 3'600'000));
      if (l.p99_ms < l.median_ms) return At(source, v, "p99_ms must be >= median_ms");
      f.latency = l;
    } else if (key == "failure") {
      auto r = ParseRatio(v.as<std::string>());
      if (!r.ok()) return At(source, v, r.status().message());
      f.failure = *r;
    } else if (key == "failure_status") {
      UKAIRO_ASSIGN_OR_RETURN(int64_t s, Int(source, v, "failure_status", 500, 599));
      f.failure_status = static_cast<uint32_t>(s);
    } else if (key == "rpm") {
      UKAIRO_ASSIGN_OR_RETURN(f.rpm, Int(source, v, "rpm", 0, 100'000'000));
    } else if (key == "tpm") {
      UKAIRO_ASSIGN_OR_RETURN(f.tpm, Int(source, v, "tpm", 0, 1'000'000'000'000));
    } else if (key == "max_input_tokens") {
      UKAIRO_ASSIGN_OR_RETURN(f.max_input_tokens,
                              Int(source, v, "max_input_tokens", 0, 100'000'000));
    } else if (key == "outages" || key == "rate_limited") {
      UKAIRO_ASSIGN_OR_RETURN(auto windows, Windows(source, v, key.c_str(), start_micros));
      (key == "outages" ? f.outages : f.rate_limited) = std::move(windows);
    } else {
      return At(source, kv.first, "unknown key '" + key + "'");
    }
  }
  return f;
}

template <size_t N>
Status Permille(const std::string& source, const YAML::Node& node, const char* name,
                std::array<uint32_t, N>* out) {
  if (!node.IsSequence() || node.size() != N) {
    return At(source, node, std::string(name) + " needs " + std::to_string(N) + " values");
  }
  for (size_t i = 0; i < N; ++i) {
    UKAIRO_ASSIGN_OR_RETURN(int64_t v, Int(source, node[i], name, 0, 1000));
    (*out)[i] = static_cast<uint32_t>(v);
  }
  return Status::Ok();
}

Result<Scenario> ParseNode(const YAML::Node& root, const std::string& source,
                           int64_t start_micros) {
  Scenario s = Scenario::Healthy();
  if (!root.IsMap()) return At(source, root, "a scenario must be a YAML map");
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "name") {
      s.name = v.as<std::string>();
    } else if (key == "seed") {
      UKAIRO_ASSIGN_OR_RETURN(int64_t seed, Int(source, v, "seed", 0, INT64_MAX));
      s.seed = static_cast<uint64_t>(seed);
    } else if (key == "description") {
      // Free text for people.
    } else if (key == "traffic") {
      TrafficProfile p = TrafficProfile::Default();
      if (v["daily_profile_permille"]) {
        UKAIRO_RETURN_IF_ERROR(Permille(source, v["daily_profile_permille"],
                                        "daily_profile_permille", &p.daily_permille));
      }
      if (v["weekly_profile_permille"]) {
        UKAIRO_RETURN_IF_ERROR(Permille(source, v["weekly_profile_permille"],
                                        "weekly_profile_permille", &p.weekly_permille));
      }
      if (v["tag_mix"]) s.tag_mix = v["tag_mix"].as<std::string>();
      s.profile = p;
    } else if (key == "defaults") {
      UKAIRO_ASSIGN_OR_RETURN(DeploymentFaults d, Faults(source, v, start_micros));
      if (d.latency) s.defaults.latency = d.latency;
      if (d.failure) s.defaults.failure = d.failure;
      if (d.failure_status) s.defaults.failure_status = d.failure_status;
      s.defaults.rpm = d.rpm;
      s.defaults.tpm = d.tpm;
      s.defaults.max_input_tokens = d.max_input_tokens;
      if (!d.outages.empty() || !d.rate_limited.empty()) {
        return At(source, v, "defaults cannot hold outage or rate-limit windows");
      }
    } else if (key == "deployments") {
      if (!v.IsMap()) return At(source, v, "deployments must be a map of name → faults");
      for (const auto& d : v) {
        UKAIRO_ASSIGN_OR_RETURN(DeploymentFaults f, Faults(source, d.second, start_micros));
        f.match = d.first.as<std::string>();
        s.deployments.push_back(std::move(f));
      }
    } else {
      return At(source, kv.first, "unknown key '" + key + "'");
    }
  }
  return s;
}

}  // namespace

Scenario Scenario::Healthy() {
  Scenario s;
  s.name = "healthy";
  s.defaults.latency = LatencySpec{};
  s.defaults.failure = Ratio{0, 1};
  s.defaults.failure_status = 500;
  return s;
}

Result<Scenario> Scenario::Parse(const std::string& yaml_text, const std::string& source,
                                 int64_t start_micros) {
  try {
    YAML::Node root = YAML::Load(yaml_text);
    return ParseNode(root, source, start_micros);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<Scenario> Scenario::Load(const std::string& path, int64_t start_micros) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open scenario " + path);
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path, start_micros);
}

Result<int64_t> ParseOffsetMicros(const std::string& text, int64_t start_micros) {
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    UKAIRO_ASSIGN_OR_RETURN(int64_t t, ParseIso8601(text));
    return t - start_micros;
  }
  int64_t total = 0;
  size_t i = 0;
  if (text.empty()) return Status::InvalidArgument("empty offset");
  while (i < text.size()) {
    int64_t n = 0;
    size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (n > 1'000'000'000) return Status::InvalidArgument("offset too large: " + text);
      n = n * 10 + (text[i] - '0');
    }
    size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    int64_t scale = unit == "d"    ? 86'400'000'000LL
                    : unit == "h"  ? 3'600'000'000LL
                    : unit == "m"  ? 60'000'000LL
                    : unit == "s"  ? 1'000'000LL
                    : unit == "ms" ? 1'000LL
                                   : 0;
    if (digits == 0 || scale == 0) {
      return Status::InvalidArgument("bad offset '" + text +
                                     "': expected e.g. 3d09h30m, 90m, 45s, 1500ms or ISO-8601");
    }
    total += n * scale;
  }
  return total;
}

}  // namespace ukairo::sim
