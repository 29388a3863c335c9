// The config verifier: V-2201..V-2204 over a loaded Config against a Policy.
#include "router/config/verifier.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "router/core/core.h"

namespace ukairo::router {
namespace {

// How much of a pattern a walk must cover: all of it, or only a prefix (for
// a walk that may stop early because the last resort follows it).
enum class Fit { kWhole, kPrefix };

// Does chain[i..] match pattern[p..] (kPrefix: a prefix of what pattern[p..]
// matches)? Small backtracking matcher: chains hold a handful of groups, so
// exponential worst cases cannot occur.
bool MatchFrom(const std::vector<std::string>& classes, size_t i,
               const std::vector<ChainElement>& pattern, size_t p, Fit fit) {
  if (fit == Fit::kPrefix && i == classes.size()) return true;
  if (p == pattern.size()) return i == classes.size();
  const ChainElement& element = pattern[p];
  auto fits = [&](size_t k) {
    return k < classes.size() && std::find(element.classes.begin(), element.classes.end(),
                                           classes[k]) != element.classes.end();
  };
  size_t min_count = (element.repeat == '1' || element.repeat == '+') ? 1 : 0;
  size_t max_count = (element.repeat == '1' || element.repeat == '?') ? 1 : classes.size();
  size_t count = 0;
  while (count < min_count) {
    if (!fits(i + count)) return false;
    ++count;
  }
  for (;; ++count) {
    if (MatchFrom(classes, i + count, pattern, p + 1, fit)) return true;
    if (count >= max_count || !fits(i + count)) return false;
  }
}

bool GroupIsLocal(const Config& config, const std::string& group) {
  const ModelGroup* g = config.FindGroup(group);
  if (g == nullptr || g->deployments.empty()) return false;
  for (size_t index : g->deployments) {
    if (!config.deployments[index].is_local()) return false;
  }
  return true;
}

void Add(CheckResult* result, bool is_error, std::string where, std::string message) {
  result->findings.push_back(Finding{is_error, std::move(where), std::move(message)});
}

CheckResult CheckConsistency(const Config& config, const Policy& policy) {
  CheckResult r{"V-2201", "config_consistency", "Tiers and tag mapping follow R-2201", {}, {}, ""};
  for (const TierPolicy& tp : policy.tiers) {
    const Tier* tier = config.FindTier(tp.name);
    r.checked.push_back("tier " + tp.name + " exists and serves its tags");
    if (tier == nullptr) {
      Add(&r, true, "tiers", "tier '" + tp.name + "' required by the policy is missing");
      continue;
    }
    for (const std::string& tag : tp.tags) {
      auto it = config.tag_to_tier.find(tag);
      if (it == config.tag_to_tier.end()) {
        Add(&r, true, "tiers[" + tp.name + "].tags", "tag '" + tag + "' is not mapped to a tier");
      } else if (it->second != tp.name) {
        Add(&r, true, "tiers[" + it->second + "].tags",
            "tag '" + tag + "' routes to tier '" + it->second + "', policy says '" + tp.name + "'");
      }
    }
    if (tp.chore && !tier->chain.empty()) {
      std::string cls = ClassOfGroup(policy, config, tier->chain.front());
      r.checked.push_back("no high-precision primary in chore tier " + tp.name);
      if (std::find(policy.high_precision_classes.begin(), policy.high_precision_classes.end(),
                    cls) != policy.high_precision_classes.end()) {
        Add(&r, true, "tiers[" + tp.name + "].chain[0]",
            "high-precision model '" + tier->chain.front() + "' is the primary of chore tier '" +
                tp.name + "'");
      }
    }
  }
  r.checked.push_back("default tag '" + config.default_tag + "' routes to a tier");
  if (config.tag_to_tier.find(config.default_tag) == config.tag_to_tier.end()) {
    Add(&r, true, "default_tag", "default tag '" + config.default_tag + "' maps to no tier");
  }
  for (const Tier& tier : config.tiers) {
    for (size_t i = 0; i < tier.chain.size(); ++i) {
      if (config.FindGroup(tier.chain[i]) == nullptr) {
        Add(&r, true, "tiers[" + tier.name + "].chain[" + std::to_string(i) + "]",
            "model '" + tier.chain[i] + "' has no deployment");
      }
    }
  }
  return r;
}

CheckResult CheckBudgets(const Config& config, const Policy& policy) {
  CheckResult r{"V-2202", "budgets_alerts", "Budgets, alerts and auto-stop follow R-2202/R-2206",
                {}, {}, ""};
  if (policy.require_model_budgets) {
    std::set<std::string> seen;
    for (const Tier& tier : config.tiers) {
      for (const std::string& group : tier.chain) {
        if (!seen.insert(group).second || GroupIsLocal(config, group)) continue;
        r.checked.push_back("spend on " + group + " is bounded by a model or tier budget");
        if (config.Limit(ScopeKind::kModel, group)) continue;
        // Without its own budget a model's spend is still bounded when every
        // tier that can reach it has a tier budget.
        for (const Tier& t : config.tiers) {
          bool reaches = std::find(t.chain.begin(), t.chain.end(), group) != t.chain.end();
          if (reaches && !config.Limit(ScopeKind::kTier, t.name)) {
            Add(&r, true, "budgets.model." + group,
                "model '" + group + "' has no budget and tier '" + t.name +
                    "', which can route to it, has none either");
          }
        }
      }
    }
  }
  if (policy.require_tag_budgets) {
    for (const TierPolicy& tp : policy.tiers) {
      for (const std::string& tag : tp.tags) {
        r.checked.push_back("tag budget for " + tag);
        if (!config.Limit(ScopeKind::kTag, tag)) {
          Add(&r, true, "budgets.tag." + tag, "tag '" + tag + "' has no budget");
        }
      }
    }
  }
  for (const AlertPolicy& want : policy.alerts) {
    r.checked.push_back("alert at " + std::to_string(want.threshold_pct) + " % → " +
                        ledger::AlertActionName(want.action));
    auto it = std::find_if(config.alerts.begin(), config.alerts.end(), [&](const AlertRule& a) {
      return a.threshold_pct == want.threshold_pct;
    });
    if (it == config.alerts.end()) {
      Add(&r, true, "alerts", "no alert at " + std::to_string(want.threshold_pct) + " %");
    } else if (it->action != want.action) {
      Add(&r, true, "alerts[" + std::to_string(want.threshold_pct) + "]",
          std::string("action is ") + ledger::AlertActionName(it->action) + ", policy requires " +
              ledger::AlertActionName(want.action));
    }
  }
  if (policy.require_gate) {
    r.checked.push_back("gate enabled (a stop waits for a human)");
    if (!config.gate.enabled) Add(&r, true, "gate.enabled", "the R-2206 gate is disabled");
  }
  return r;
}

// ---- V-2203: every chain a client can reach ------------------------------
//
// The rule (also the report's "Rule" section, kFallbackRule):
//  * A tier's chain matches its tier's pattern in full. A tier the policy
//    does not name still routes its tags, so it must match some tier's.
//  * A model group's own chain, walked by a client that names the group, is
//    [group] + fallbacks[group] (else default_fallbacks). It must continue
//    the pattern of every policy tier whose chain holds the group from where
//    that tier holds it: the tier's groups before it, then the group's
//    chain, match the tier's pattern in full. So opus's chain must be a whole
//    high-precision chain, and a chain starting at gemini-3-pro must be the
//    pattern's suffix after opus → sonnet. A tier whose own chain already
//    breaks at or before the group anchors nothing (it is reported once).
//    A group in no tier must match a tail of some tier's pattern.
//  * A context-window chain ([group] + context_window_fallbacks[group]) is
//    anchored the same way but may stop early: the core then takes the last
//    resort of the request's original chain. It may never leave the order.

constexpr const char* kFallbackRule =
    "Every chain the router can walk is checked: each tier's chain, each model group's own "
    "chain (the group, then its `fallbacks`, else `default_fallbacks`: what a client naming "
    "the group walks) and each `context_window_fallbacks` chain.\n\n"
    "- A tier's chain must match its tier's pattern in full (a tier the policy does not "
    "name: some tier's pattern).\n"
    "- A group's chain must continue the pattern of every tier whose chain holds the group, "
    "from where that tier holds it: the tier's groups before it followed by the group's "
    "chain must match the tier's pattern in full. A group in no tier must match the tail "
    "of some tier's pattern.\n"
    "- A context-window chain (the group, then its context-window fallbacks) is anchored "
    "the same way but may stop early, since the last resort of the request's chain follows "
    "it; what it lists must keep the pattern's order.";

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string ClassShown(const Policy& policy, const Config& config, const std::string& group) {
  std::string cls = ClassOfGroup(policy, config, group);
  return cls.empty() ? "?" : cls;
}

// "claude-opus (opus) → claude-sonnet (sonnet)".
std::string Shown(const Policy& policy, const Config& config,
                  const std::vector<std::string>& groups) {
  std::string out;
  for (const std::string& g : groups) {
    out += (out.empty() ? "" : " → ") + g + " (" + ClassShown(policy, config, g) + ")";
  }
  return out;
}

// Where a chain is held against a tier's pattern: from element `p`, after
// the groups the tier's own chain walks before the chain's first group.
struct Anchor {
  const TierPolicy* tier = nullptr;
  size_t p = 0;
  std::vector<std::string> before;
};

// Where a walk leaves an anchor's pattern: the chain's first element the
// pattern does not allow there (index == chain size: the chain stops while
// the pattern still requires more), and the classes allowed at that point.
struct Break {
  const Anchor* anchor = nullptr;
  size_t index = 0;
  std::vector<std::string> allowed;
};

std::optional<Break> Judge(const Policy& policy, const Config& config, const Anchor& anchor,
                           const std::vector<std::string>& groups, Fit fit) {
  std::vector<std::string> walk;
  for (const std::string& g : anchor.before) walk.push_back(ClassShown(policy, config, g));
  for (const std::string& g : groups) walk.push_back(ClassShown(policy, config, g));
  const std::vector<ChainElement>& pattern = anchor.tier->chain;
  if (MatchFrom(walk, 0, pattern, anchor.p, fit)) return std::nullopt;
  std::vector<std::string> head;
  while (head.size() < walk.size()) {
    head.push_back(walk[head.size()]);
    if (!MatchFrom(head, 0, pattern, anchor.p, Fit::kPrefix)) {
      head.pop_back();
      break;
    }
  }
  Break b{&anchor, head.size() - std::min(head.size(), anchor.before.size()), {}};
  for (const auto& [cls, unused] : policy.model_classes) {
    head.push_back(cls);
    if (MatchFrom(head, 0, pattern, anchor.p, Fit::kPrefix)) b.allowed.push_back(cls);
    head.pop_back();
  }
  return b;
}

// One reachable chain as the report names it.
struct Subject {
  std::string where;                 // key path of the list, e.g. "router_settings.fallbacks[glm]"
  std::string label;                 // how "Checked" names it: `where`, or more when shared
  std::vector<std::string> written;  // the list as written, to name an element's index
  size_t listed_from = 0;            // groups[listed_from..] come from `written`
  std::string walker;                // "a request for model 'glm'"
  std::vector<std::string> groups;   // walked, in order
  Fit fit = Fit::kWhole;
};

// The key path of the element a break points at ("...fallbacks[glm][0]").
std::string BreakWhere(const Subject& s, const Break& b) {
  if (b.index < s.listed_from || b.index >= s.groups.size()) return s.where;
  auto at = std::find(s.written.begin(), s.written.end(), s.groups[b.index]);
  if (at == s.written.end()) return s.where;
  return s.where + "[" + std::to_string(at - s.written.begin()) + "]";
}

std::string BreakText(const Policy& policy, const Config& config, const Subject& s,
                      const Break& b) {
  const Anchor& a = *b.anchor;
  const std::string pattern = "tier " + a.tier->name + "'s policy " + a.tier->chain_text;
  std::string prev = b.index > 0 ? s.groups[b.index - 1] : a.before.empty() ? "" : a.before.back();
  if (b.index == s.groups.size()) {
    return (prev.empty() ? "it is empty" : "it stops after '" + prev + "'") + " but " + pattern +
           " still requires " + Join(b.allowed, " or ");
  }
  const std::string& g = s.groups[b.index];
  std::string text = "'" + g + "' (" + ClassShown(policy, config, g) + ") ";
  text += prev.empty() ? "cannot start " + pattern : "cannot follow '" + prev + "' in " + pattern;
  return text + ", which allows " + (b.allowed.empty() ? "nothing more" : Join(b.allowed, " or ")) +
         " there";
}

std::string AnchorText(const Anchor& a) {
  std::string text = "tier " + a.tier->name;
  if (a.p > 0) text += " from element " + std::to_string(a.p);
  if (!a.before.empty()) text += " after " + Join(a.before, " → ");
  return text;
}

// kAll: every anchor's pattern must take the chain (a group in several
// tiers serves requests of all of them). kAny: one is enough (the chain has
// no tier of its own, any policy shape will do).
enum class Need { kAll, kAny };

void CheckChain(const Policy& policy, const Config& config, const Subject& s,
                const std::vector<Anchor>& anchors, Need need, const std::string& note,
                CheckResult* r) {
  std::vector<Break> breaks;
  for (const Anchor& a : anchors) {
    if (auto b = Judge(policy, config, a, s.groups, s.fit)) breaks.push_back(std::move(*b));
  }
  std::string against = note;
  if (need == Need::kAll) {
    std::vector<std::string> texts;
    for (const Anchor& a : anchors) texts.push_back(AnchorText(a));
    against = Join(texts, "; ") + (note.empty() ? "" : " " + note);
  }
  r->checked.push_back(s.label + ": " + Shown(policy, config, s.groups) + "  vs " + against);
  if (breaks.empty() || (need == Need::kAny && breaks.size() < anchors.size())) return;
  // The anchor the chain follows furthest explains the failure best.
  auto worst = breaks.begin();
  if (need == Need::kAny) {
    worst = std::max_element(breaks.begin(), breaks.end(),
                             [](const Break& x, const Break& y) { return x.index < y.index; });
  }
  std::string message = s.walker + " walks " + Shown(policy, config, s.groups) + ": ";
  if (need == Need::kAny) message += "no tier's policy fits; the closest: ";
  message += BreakText(policy, config, s, *worst);
  if (need == Need::kAll && breaks.size() > 1) {
    std::vector<std::string> others;
    for (auto b = breaks.begin() + 1; b != breaks.end(); ++b) {
      others.push_back(b->anchor->tier->name);
    }
    message += others.size() == 1 ? " (tier " + others[0] + " rejects it too)"
                                  : " (tiers " + Join(others, ", ") + " reject it too)";
  }
  Add(r, true, BreakWhere(s, *worst), message);
}

// Every element of every policy tier's pattern: a chain with no tier of its
// own may be the tail of any policy chain.
std::vector<Anchor> TailAnchors(const Policy& policy, bool whole_only) {
  std::vector<Anchor> anchors;
  for (const TierPolicy& tp : policy.tiers) {
    for (size_t p = 0; p < (whole_only ? 1 : tp.chain.size()); ++p) anchors.push_back({&tp, p, {}});
  }
  return anchors;
}

// The policy tiers whose configured chain holds `group`, anchored where
// they hold it. A tier whose own chain breaks at or before the group goes to
// *broken instead: its finding is already there, once.
std::vector<Anchor> TierAnchors(const Policy& policy, const Config& config,
                                const std::string& group, std::vector<std::string>* broken) {
  std::vector<Anchor> anchors;
  for (const TierPolicy& tp : policy.tiers) {
    const Tier* tier = config.FindTier(tp.name);
    if (tier == nullptr) continue;
    auto at = std::find(tier->chain.begin(), tier->chain.end(), group);
    if (at == tier->chain.end()) continue;
    std::vector<std::string> classes;
    for (auto g = tier->chain.begin(); g != at + 1; ++g) {
      classes.push_back(ClassShown(policy, config, *g));
    }
    if (!MatchFrom(classes, 0, tp.chain, 0, Fit::kPrefix)) {
      broken->push_back(tp.name);
      continue;
    }
    anchors.push_back({&tp, 0, std::vector<std::string>(tier->chain.begin(), at)});
  }
  return anchors;
}

// Where a fallback list is written, for the report. The loader merges
// litellm_settings, router_settings, then the short layout's `router:`
// entries, later winning (router/config/loader.cc), so the last one holding
// the group is named. Configs built in code have no text: the bare key.
class FallbackKeys {
 public:
  explicit FallbackKeys(const std::string& yaml_text) {
    try {
      root_ = YAML::Load(yaml_text);
    } catch (const YAML::Exception&) {
      root_ = YAML::Node();
    }
  }

  // e.g. "router_settings.fallbacks[claude-opus]".
  std::string ForGroup(const std::string& key, const std::string& group) const {
    try {
      if (key == "fallbacks") {
        if (std::string at = InShortLayout(group); !at.empty()) return at;
      }
      for (const char* section : {"router_settings", "litellm_settings"}) {
        YAML::Node list = Get(Get(root_, section), key);
        if (!list.IsSequence()) continue;
        for (const auto& item : list) {
          if (Get(item, group)) return std::string(section) + "." + key + "[" + group + "]";
        }
      }
    } catch (const YAML::Exception&) {
      // An odd shape the loader accepted: fall back to the bare key.
    }
    return key + "[" + group + "]";
  }

  // e.g. "router_settings.default_fallbacks".
  std::string Default() const {
    for (const char* section : {"router_settings", "litellm_settings"}) {
      if (Get(Get(root_, section), "default_fallbacks")) {
        return std::string(section) + ".default_fallbacks";
      }
    }
    return "default_fallbacks";
  }

 private:
  // An undefined node when absent. Not YAML::Node(): that is a defined null,
  // and yaml-cpp's own answer for a missing key is invalid (IsMap() throws).
  static YAML::Node Get(const YAML::Node& map, const std::string& key) {
    const YAML::Node absent(YAML::NodeType::Undefined);
    if (!map.IsDefined() || !map.IsMap()) return absent;
    YAML::Node value = map[key];
    return value.IsDefined() ? value : absent;
  }

  std::string InShortLayout(const std::string& group) const {
    YAML::Node router = Get(root_, "router");
    if (!router.IsSequence()) return "";
    for (size_t i = router.size(); i-- > 0;) {
      YAML::Node model = Get(router[i], "model");
      if (!model.IsScalar() || model.Scalar() != group) continue;
      for (const char* key : {"fallbacks", "fallback"}) {
        if (Get(router[i], key)) return "router[" + std::to_string(i) + "]." + key;
      }
    }
    return "";
  }

  YAML::Node root_;
};

Subject TierSubject(const Config& config, const ReachableChain& chain) {
  Subject s;
  s.where = "tiers[" + chain.name + "].chain";
  s.label = s.where;
  s.written = config.FindTier(chain.name)->chain;
  s.walker = "tier " + chain.name;
  s.groups = chain.groups;
  return s;
}

Subject GroupSubject(const Config& config, const FallbackKeys& keys, const ReachableChain& chain) {
  Subject s;
  s.listed_from = 1;
  s.groups = chain.groups;
  s.walker = "a request for model '" + chain.name + "'";
  if (chain.source == "default_fallbacks") {
    s.where = keys.Default();
    s.written = config.default_fallbacks;
    s.walker += " (no fallbacks of its own)";
    s.label = s.where + " for " + chain.name;
  } else {
    s.where = keys.ForGroup("fallbacks", chain.name);
    s.label = s.where;
    if (chain.source.empty()) {
      s.walker += " (no fallbacks configured)";
    } else {
      s.written = config.fallbacks.at(chain.name);
    }
  }
  return s;
}

Subject ContextSubject(const Config& config, const FallbackKeys& keys,
                       const ReachableChain& chain) {
  Subject s;
  s.where = keys.ForGroup("context_window_fallbacks", chain.name);
  s.label = s.where;
  s.written = config.context_window_fallbacks.at(chain.name);
  s.listed_from = 1;
  s.walker = "a request too long for " + chain.name + "'s context window";
  s.groups = {chain.name};
  s.groups.insert(s.groups.end(), chain.groups.begin(), chain.groups.end());
  s.fit = Fit::kPrefix;
  return s;
}

void CheckTierChain(const Config& config, const Policy& policy, const ReachableChain& chain,
                    CheckResult* r) {
  const std::vector<std::string>& written = config.FindTier(chain.name)->chain;
  for (size_t i = 0; i < written.size(); ++i) {
    if (std::find(written.begin(), written.begin() + i, written[i]) != written.begin() + i) {
      Add(r, true, "tiers[" + chain.name + "].chain[" + std::to_string(i) + "]",
          "model '" + written[i] + "' appears twice in the chain");
    }
  }
  Subject s = TierSubject(config, chain);
  auto tp = std::find_if(policy.tiers.begin(), policy.tiers.end(),
                         [&](const TierPolicy& t) { return t.name == chain.name; });
  if (tp != policy.tiers.end()) {
    CheckChain(policy, config, s, {Anchor{&*tp, 0, {}}}, Need::kAll, "", r);
  } else {
    CheckChain(policy, config, s, TailAnchors(policy, /*whole_only=*/true), Need::kAny,
               "any tier's policy (the policy does not name tier " + chain.name + ")", r);
  }
}

// A group's own chain or a context-window chain: anchored in the tiers
// holding the group, or, for a group in no tier, in any tail of a pattern.
void CheckGroupChain(const Config& config, const Policy& policy, const Subject& s,
                     const std::string& group, CheckResult* r) {
  std::vector<std::string> broken;
  std::vector<Anchor> anchors = TierAnchors(policy, config, group, &broken);
  const std::string skipped = broken.empty() ? ""
                                             : "(not against tier " + Join(broken, ", ") +
                                                   ": its chain breaks at or before " + group + ")";
  if (anchors.empty() && broken.empty()) {
    CheckChain(policy, config, s, TailAnchors(policy, /*whole_only=*/false), Need::kAny,
               "a tail of any tier's policy (" + group + " is in no tier's chain)", r);
  } else if (anchors.empty()) {
    r->checked.push_back(s.label + ": " + Shown(policy, config, s.groups) + "  not checked " +
                         skipped);
  } else {
    CheckChain(policy, config, s, anchors, Need::kAll, skipped, r);
  }
}

CheckResult CheckFallbackOrder(const Config& config, const Policy& policy) {
  CheckResult r;
  r.id = "V-2203";
  r.name = "fallback_order";
  r.title = "Every reachable chain follows the R-2204 policy";
  r.rule = kFallbackRule;
  for (const TierPolicy& tp : policy.tiers) {
    if (config.FindTier(tp.name) == nullptr) {
      Add(&r, true, "tiers", "tier '" + tp.name + "' is missing");
    }
  }
  const FallbackKeys keys(config.text);
  for (const ReachableChain& chain : ReachableChains(config)) {
    switch (chain.kind) {
      case ReachableChain::Kind::kTier:
        CheckTierChain(config, policy, chain, &r);
        break;
      case ReachableChain::Kind::kGroup:
        CheckGroupChain(config, policy, GroupSubject(config, keys, chain), chain.name, &r);
        break;
      case ReachableChain::Kind::kContextWindow:
        CheckGroupChain(config, policy, ContextSubject(config, keys, chain), chain.name, &r);
        break;
    }
  }
  return r;
}

CheckResult CheckRecovery(const Config& config, const Policy& policy) {
  CheckResult r{"V-2204", "auto_recovery", "Automatic recovery is enabled (R-2205)", {}, {}, ""};
  r.checked.push_back("health checks enabled, interval <= " +
                      std::to_string(policy.health_check_interval_s_max) + " s");
  if (!config.health.enabled) {
    Add(&r, false, "health_check.enabled", "automatic recovery (health checks) is disabled");
  } else if (config.health.interval_ms > policy.health_check_interval_s_max * 1000) {
    Add(&r, false, "health_check.interval_s",
        "interval " + std::to_string(config.health.interval_ms / 1000) + " s exceeds " +
            std::to_string(policy.health_check_interval_s_max) + " s");
  }
  return r;
}

}  // namespace

bool CheckResult::passed() const {
  return std::none_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.is_error;
  });
}

std::string ClassOfGroup(const Policy& policy, const Config& config, const std::string& group) {
  if (GroupIsLocal(config, group)) return "local";
  std::vector<std::string> names = {AsciiLower(group)};
  if (const ModelGroup* g = config.FindGroup(group)) {
    for (size_t index : g->deployments) {
      names.push_back(AsciiLower(config.deployments[index].provider_model));
    }
  }
  // The group's own name decides first, so "gemini-3-pro" is never taken
  // for a flash model because of an odd provider string.
  for (const std::string& name : names) {
    for (const auto& [cls, needles] : policy.model_classes) {
      for (const std::string& needle : needles) {
        if (name.find(AsciiLower(needle)) != std::string::npos) return cls;
      }
    }
  }
  return "";
}

namespace {

// The groups of `names` as BuildCoreIndex's ChainOf keeps them: unknown ones
// and repeats dropped, at most RouterCore::kChainGroupsMax.
std::vector<std::string> Walked(const Config& config, const std::vector<std::string>& names) {
  std::vector<std::string> chain;
  for (const std::string& name : names) {
    if (config.FindGroup(name) == nullptr) continue;
    if (std::find(chain.begin(), chain.end(), name) != chain.end()) continue;
    if (chain.size() == RouterCore::kChainGroupsMax) break;
    chain.push_back(name);
  }
  return chain;
}

}  // namespace

std::vector<ReachableChain> ReachableChains(const Config& config) {
  using Kind = ReachableChain::Kind;
  std::vector<ReachableChain> chains;
  for (const Tier& tier : config.tiers) {
    chains.push_back({Kind::kTier, tier.name, "chain", Walked(config, tier.chain)});
  }
  for (const auto& [name, unused] : config.groups) {
    std::vector<std::string> names = {name};
    auto own = config.fallbacks.find(name);
    std::string source = own != config.fallbacks.end()      ? "fallbacks"
                         : config.default_fallbacks.empty() ? ""
                                                            : "default_fallbacks";
    const auto& next = own != config.fallbacks.end() ? own->second : config.default_fallbacks;
    names.insert(names.end(), next.begin(), next.end());
    chains.push_back({Kind::kGroup, name, source, Walked(config, names)});
  }
  for (const auto& [name, unused] : config.groups) {
    auto cw = config.context_window_fallbacks.find(name);
    if (cw == config.context_window_fallbacks.end()) continue;
    std::vector<std::string> walked = Walked(config, cw->second);
    // The core never switches to an empty context chain: nothing to walk.
    if (walked.empty()) continue;
    chains.push_back({Kind::kContextWindow, name, "context_window_fallbacks", std::move(walked)});
  }
  return chains;
}

std::vector<CheckResult> VerifyConfig(const Config& config, const Policy& policy) {
  return {CheckConsistency(config, policy), CheckBudgets(config, policy),
          CheckFallbackOrder(config, policy), CheckRecovery(config, policy)};
}

std::string RenderCheckMarkdown(const CheckResult& r, const Config& config,
                                const Policy& policy, const std::string& generated_at) {
  std::ostringstream md;
  size_t errors = 0, warnings = 0;
  for (const Finding& f : r.findings) (f.is_error ? errors : warnings)++;
  md << "# " << r.id << " " << r.title << "\n\n";
  md << "- result: **" << (r.passed() ? (warnings ? "PASS (with warnings)" : "PASS") : "FAIL")
     << "**\n";
  md << "- config: `" << config.source << "` (sha256 `" << config.sha256_hex << "`)\n";
  md << "- policy: `" << policy.source << "`\n";
  md << "- generated: " << generated_at << "\n\n";
  if (!r.rule.empty()) md << "## Rule\n\n" << r.rule << "\n\n";
  md << "## Checked\n\n";
  for (const std::string& line : r.checked) md << "- " << line << "\n";
  md << "\n## Findings (" << errors << " errors, " << warnings << " warnings)\n\n";
  if (r.findings.empty()) md << "None.\n";
  for (const Finding& f : r.findings) {
    md << "- " << (f.is_error ? "ERROR" : "WARNING") << " `" << f.where << "`: " << f.message
       << "\n";
  }
  return md.str();
}

}  // namespace ukairo::router
