#include "sim/tune.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "base/check.h"
#include "base/strings.h"
#include "base/time_units.h"
#include "router/config/loader.h"
#include "sim/simulator.h"
#include "sim/summary.h"
#include "sim/tag_mix.h"
#include "sim/traffic.h"

namespace ukairo::sim {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

// Counts the high-precision tier's requests and the ones its first two model
// groups served (the simulator hands every emitted event to its sink).
class TierFold : public EventSink {
 public:
  TierFold(const router::Config& config, const std::string& tier) : tier_(tier) {
    if (const router::Tier* t = config.FindTier(tier)) {
      for (size_t i = 0; i < t->chain.size() && i < 2; ++i) first_two_.insert(t->chain[i]);
    }
  }
  Status Append(const std::vector<ledger::Event>& events) override {
    for (const auto& e : events) {
      const auto* c = std::get_if<ledger::RequestCompleted>(&e.body);
      if (c == nullptr || c->tier != tier_) continue;
      ++requests_;
      if (c->error_code.empty() && c->http_status < 400 &&
          first_two_.count(c->final_model_group) > 0) {
        ++first_two_served_;
      }
    }
    return Status::Ok();
  }
  uint64_t requests() const { return requests_; }
  uint64_t first_two_served() const { return first_two_served_; }

 private:
  std::string tier_;
  std::set<std::string> first_two_;
  uint64_t requests_ = 0;
  uint64_t first_two_served_ = 0;
};

// One simulation of `config` on the traffic, exactly as `ukairo simulate`
// would run it with the same flags.
Status RunCandidate(std::shared_ptr<const router::Config> config, const TuneTraffic& traffic,
                    const TuneConstraints& constraints, CandidateResult* out) {
  if (!traffic.open_source) return Status::InvalidArgument("tune: no traffic source");
  UKAIRO_ASSIGN_OR_RETURN(std::unique_ptr<TrafficSource> source, traffic.open_source());
  const std::string& mix = traffic.fixed_tag.empty() && traffic.tag_mix.empty()
                               ? traffic.scenario.tag_mix
                               : traffic.tag_mix;
  UKAIRO_ASSIGN_OR_RETURN(
      TagAssigner tags,
      TagAssigner::Make(traffic.fixed_tag, mix, DeriveSeed(traffic.seed, kSeedStreamTags)));
  UKAIRO_ASSIGN_OR_RETURN(ProviderModel providers,
                          ProviderModel::Make(traffic.scenario, *config,
                                              DeriveSeed(traffic.seed, kSeedStreamProviders)));
  SimulationOptions opts;
  opts.seed = traffic.seed;
  opts.start_micros = traffic.start_micros;
  opts.start_at_first_arrival = traffic.start_at_first_arrival;
  SummaryBuilder summary;
  TierFold tier(*config, constraints.high_precision_tier);
  UKAIRO_ASSIGN_OR_RETURN(SimulationStats stats,
                          RunSimulation(config, providers, *source, tags, opts, summary, &tier));
  out->cost_nanos = summary.cost_total_nanos();
  out->requests = summary.requests_total();
  out->failed = summary.requests_failed();
  out->high_precision_requests = tier.requests();
  out->high_precision_first_two = tier.first_two_served();
  for (const auto& [scope, t] : summary.budget_exhausted_at()) {
    if (!out->first_exhausted_micros || t < *out->first_exhausted_micros) {
      out->first_exhausted_micros = t;
    }
  }
  if (out->first_exhausted_micros) {
    out->exhausted_day = (*out->first_exhausted_micros - stats.start_micros) / kMicrosPerDay + 1;
  }
  return Status::Ok();
}

bool Feasible(const CandidateResult& c, const TuneConstraints& k) {
  if (!c.error.empty()) return false;
  if (k.max_failed && c.failed > *k.max_failed) return false;
  if (k.min_high_precision_first_two_pct && c.high_precision_requests > 0 &&
      c.high_precision_first_two * 100 <
          static_cast<uint64_t>(*k.min_high_precision_first_two_pct) * c.high_precision_requests) {
    return false;
  }
  if (k.no_exhaust_before_day && c.exhausted_day && *c.exhausted_day < *k.no_exhaust_before_day) {
    return false;
  }
  return true;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

// "a.b[c.d].e" → {a, b, c.d, e}: a key holding dots (a model group such as
// gpt-5.2) is written in brackets.
Result<std::vector<std::string>> SplitKeyPath(const std::string& name) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("--grid " + name + ": " + why);
  };
  std::vector<std::string> path;
  size_t i = 0;
  while (i < name.size()) {
    std::string key;
    if (name[i] == '[') {
      const size_t close = name.find(']', i + 1);
      if (close == std::string::npos) return bad("'[' without ']'");
      key = name.substr(i + 1, close - i - 1);
      i = close + 1;
      if (i < name.size() && name[i] != '.' && name[i] != '[') return bad("text right after ']'");
    } else {
      const size_t end = name.find_first_of(".[", i);
      key = name.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? name.size() : end;
      if (key.find(']') != std::string::npos) return bad("']' without '['");
    }
    if (key.empty()) return bad("empty key in path");
    path.push_back(std::move(key));
    if (i < name.size() && name[i] == '.') {
      ++i;
      if (i == name.size()) return bad("empty key in path");
    }
  }
  if (path.empty()) return bad("empty key in path");
  return path;
}

Result<GridAxis> ParseGridAxis(std::string_view spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("--grid '" + std::string(spec) + "': expected PATH=V1,V2,...");
  }
  GridAxis axis;
  axis.name = Trim(std::string(spec.substr(0, eq)));
  UKAIRO_ASSIGN_OR_RETURN(std::vector<std::string> path, SplitKeyPath(axis.name));
  static const char* kTopLevel[] = {"ukairo", "router_settings", "litellm_settings",
                                    "general_settings"};
  if (std::find(std::begin(kTopLevel), std::end(kTopLevel), path[0]) == std::end(kTopLevel)) {
    path.insert(path.begin(), "ukairo");
  }
  axis.path = std::move(path);
  for (std::string_view piece : SplitView(spec.substr(eq + 1), ',')) {
    std::string v = Trim(std::string(piece));
    if (v.empty()) return Status::InvalidArgument("--grid " + axis.name + ": an empty value");
    axis.values.push_back(std::move(v));
  }
  if (axis.values.size() > kGridValuesMax) {
    return Status::InvalidArgument("--grid " + axis.name + ": more than " +
                                   std::to_string(kGridValuesMax) + " values");
  }
  return axis;
}

namespace {

// Sets `value` at `path` under `root`, creating maps; InvalidArgument when
// the path crosses a non-map.
Status SetPath(YAML::Node root, const std::vector<std::string>& path, const YAML::Node& value,
               const std::string& name) {
  YAML::Node cur = root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    const YAML::Node existing = cur[path[i]];
    if (!existing.IsDefined() || existing.IsNull()) {
      cur[path[i]] = YAML::Node(YAML::NodeType::Map);
    } else if (!existing.IsMap()) {
      return Status::InvalidArgument(name + ": '" + path[i] + "' is not a map in the base config");
    }
    // Rebind with reset(): Node::operator= would overwrite the node.
    YAML::Node child = cur[path[i]];
    cur.reset(child);
  }
  cur[path.back()] = value;
  return Status::Ok();
}

Result<std::string> Emit(const YAML::Node& root) {
  YAML::Emitter out;
  out << root;
  if (!out.good()) return Status::InvalidArgument("cannot emit YAML: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace

Result<std::string> ApplyGridValues(const std::string& base_yaml, const std::vector<GridAxis>& axes,
                                    const std::vector<size_t>& value_index) {
  UKAIRO_CHECK(axes.size() == value_index.size());
  try {
    YAML::Node root = YAML::Load(base_yaml);
    if (!root.IsMap()) return Status::InvalidArgument("the base config is not a YAML map");
    for (size_t a = 0; a < axes.size(); ++a) {
      const GridAxis& axis = axes[a];
      UKAIRO_CHECK(value_index[a] < axis.values.size());
      const std::string& value = axis.values[value_index[a]];
      YAML::Node v(YAML::NodeType::Sequence);
      if (value.find('/') != std::string::npos) {
        for (std::string_view item : SplitView(value, '/')) v.push_back(std::string(item));
      } else {
        v.reset(YAML::Node(value));
      }
      UKAIRO_RETURN_IF_ERROR(SetPath(root, axis.path, v, "--grid " + axis.name));
    }
    return Emit(root);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("base config: ") + e.what());
  }
}

Result<std::string> SetYamlScalar(const std::string& yaml, const std::vector<std::string>& path,
                                  const std::string& value) {
  UKAIRO_CHECK(!path.empty());
  try {
    YAML::Node root = YAML::Load(yaml);
    if (!root.IsMap()) return Status::InvalidArgument("the config is not a YAML map");
    UKAIRO_RETURN_IF_ERROR(SetPath(root, path, YAML::Node(value), path.back()));
    return Emit(root);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("config: ") + e.what());
  }
}

Result<TuneResult> RunGrid(const std::string& base_yaml, const std::string& base_source,
                           const std::vector<GridAxis>& axes, const TuneTraffic& traffic,
                           const TuneConstraints& constraints, const TuneOptions& options) {
  if (axes.size() > kGridAxesMax) return Status::InvalidArgument("too many --grid axes");
  size_t total = 1;
  for (const auto& axis : axes) {
    if (axis.values.empty()) return Status::InvalidArgument("--grid " + axis.name + ": no values");
    total *= axis.values.size();
    if (total > kCandidatesMax) {
      return Status::InvalidArgument("the grid has more than " + std::to_string(kCandidatesMax) +
                                     " candidates");
    }
  }
  TuneResult result;
  result.candidates.resize(total);
  for (size_t c = 0; c < total; ++c) {
    // Mixed radix, the last axis fastest.
    std::vector<size_t>& idx = result.candidates[c].value_index;
    idx.resize(axes.size());
    size_t rest = c;
    for (size_t a = axes.size(); a-- > 0;) {
      idx[a] = rest % axes[a].values.size();
      rest /= axes[a].values.size();
    }
  }
  unsigned threads = options.threads > 0 ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(total)));
  std::atomic<size_t> next{0};
  std::mutex progress_mu;
  size_t done = 0;
  auto worker = [&] {
    for (;;) {
      const size_t c = next.fetch_add(1);
      if (c >= total) return;
      CandidateResult& cand = result.candidates[c];
      Status s = [&]() -> Status {
        UKAIRO_ASSIGN_OR_RETURN(std::string yaml,
                                ApplyGridValues(base_yaml, axes, cand.value_index));
        UKAIRO_ASSIGN_OR_RETURN(auto config, router::ParseConfig(yaml, base_source));
        return RunCandidate(config, traffic, constraints, &cand);
      }();
      if (!s.ok()) cand.error = s.message();
      cand.feasible = Feasible(cand, constraints);
      if (options.on_progress) {
        std::lock_guard<std::mutex> lock(progress_mu);
        options.on_progress(++done, total);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  for (size_t c = 0; c < total; ++c) {
    const CandidateResult& cand = result.candidates[c];
    if (!cand.feasible) continue;
    if (!result.best || cand.cost_nanos < result.candidates[*result.best].cost_nanos) {
      result.best = c;
    }
  }
  return result;
}

std::string CandidatesCsv(const std::vector<GridAxis>& axes, const TuneResult& result) {
  std::string out = "candidate";
  for (const auto& axis : axes) out += "," + CsvField(axis.name);
  out +=
      ",cost_usd,requests,failed,high_precision_first_two_pct,exhausted_day,feasible,chosen,"
      "error\n";
  char buf[64];
  for (size_t c = 0; c < result.candidates.size(); ++c) {
    const CandidateResult& cand = result.candidates[c];
    out += std::to_string(c + 1);
    for (size_t a = 0; a < axes.size(); ++a) {
      out += "," + CsvField(axes[a].values[cand.value_index[a]]);
    }
    out += "," + FormatNanosAsUsd(cand.cost_nanos) + "," + std::to_string(cand.requests) + "," +
           std::to_string(cand.failed) + ",";
    if (cand.high_precision_requests > 0) {
      // Hundredths of a percent, floored: integers only.
      const uint64_t bp = cand.high_precision_first_two * 10000 / cand.high_precision_requests;
      std::snprintf(buf, sizeof buf, "%llu.%02llu", static_cast<unsigned long long>(bp / 100),
                    static_cast<unsigned long long>(bp % 100));
      out += buf;
    }
    out += ",";
    if (cand.exhausted_day) out += std::to_string(*cand.exhausted_day);
    out += cand.feasible ? ",yes" : ",no";
    out += result.best && *result.best == c ? ",yes," : ",no,";
    out += CsvField(cand.error) + "\n";
  }
  return out;
}

}  // namespace ukairo::sim
