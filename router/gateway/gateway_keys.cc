// Client keys and teams on the gateway (issue #13): authentication by key
// hash, and LiteLLM's admin endpoints, so that scripts written for
// LiteLLM's proxy work unchanged:
//   POST /key/generate  {key_alias, user_id, team_id, models, max_budget,
//                        budget_duration, rpm_limit, tpm_limit, metadata,
//                        duration | expires, default_tag}
//   GET  /key/info?key=<key | token hash | key id>   (spend included)
//   POST /key/update    {key, ...any generate field}
//   POST /key/delete    {keys: [...]}  (revokes: events are never removed)
//   GET  /key/list
//   POST /team/new      {team_id?, team_alias, models, max_budget, ...}
//   GET  /team/info?team_id=
// The secret is returned once, by /key/generate; the ledger, logs and
// answers afterwards carry only its SHA-256 ("token", as LiteLLM) and id.
// Money in and out is decimal text parsed exactly (never a double): JSON
// numbers are read from their text and written back as their text.
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "ledger/period.h"
#include "router/gateway/gateway_impl.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kKeyPrefix = "sk-uk-";
constexpr size_t kSecretRandomBytes = 20;
constexpr size_t kModelsPerKeyMax = 256;
constexpr size_t kMetadataBytesMax = 16 * 1024;

std::string Hex(const uint8_t* bytes, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

HttpReply Reply(unsigned status, std::string body) {
  return HttpReply{status, "application/json", std::move(body), {}};
}
HttpReply Bad(unsigned status, const std::string& message, const char* code) {
  return Reply(status, ErrorJson(message, status == 404 ? "not_found_error" : "invalid_request_error",
                                 code));
}

// A JSON number kept as its text: written into the answer unquoted.
constexpr std::string_view kRawNumberMark = "\x01num:";
std::string RawNumber(std::string text) { return std::string(kRawNumberMark) + text; }
std::string DumpWithNumbers(const Json& j) {
  std::string text = j.dump();
  // dump() escapes the mark's control character as \u0001.
  const std::string mark = "\"\\u0001num:";
  for (size_t at = text.find(mark); at != std::string::npos; at = text.find(mark, at)) {
    const size_t end = text.find('"', at + mark.size());
    text.replace(at, end - at + 1, text.substr(at + mark.size(), end - at - mark.size()));
  }
  return text;
}
Json Usd(NanoUsd nanos) { return RawNumber(FormatNanosAsUsd(nanos)); }
Json Budget(NanoUsd nanos) { return nanos < 0 ? Json(nullptr) : Usd(nanos); }

// The raw text of every top-level number of a JSON object, so that money
// is parsed from the text the client wrote (nlohmann turns 10.5 into a
// double before anyone could look at it).
class TopLevelNumbers : public nlohmann::json_sax<Json> {
 public:
  std::map<std::string, std::string> raw;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return Put(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Put(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& s) override { return Put(s); }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return ++depth_, true; }
  bool key(string_t& k) override {
    if (depth_ == 1) key_ = k;
    return true;
  }
  bool end_object() override { return --depth_, true; }
  bool start_array(std::size_t) override { return ++depth_, true; }
  bool end_array() override { return --depth_, true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool Put(std::string text) {
    if (depth_ == 1) raw[key_] = std::move(text);
    return true;
  }
  int depth_ = 0;
  std::string key_;
};

struct Body {
  Json json;
  std::map<std::string, std::string> numbers;
};

Result<Body> ParseBody(const std::string& text) {
  Body body;
  body.json = Json::parse(text.empty() ? "{}" : text, nullptr, false);
  if (body.json.is_discarded() || !body.json.is_object()) {
    return Status::InvalidArgument("the body must be a JSON object");
  }
  TopLevelNumbers numbers;
  Json::sax_parse(text.empty() ? "{}" : text, &numbers);
  body.numbers = std::move(numbers.raw);
  return body;
}

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "30s", "15m", "12h", "30d" → microseconds.
Result<int64_t> ParseDurationMicros(const std::string& text) {
  if (text.size() < 2) return Status::InvalidArgument("duration '" + text + "' is not <n>s|m|h|d");
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || n > 1'000'000) {
      return Status::InvalidArgument("duration '" + text + "' is not <n>s|m|h|d");
    }
    n = n * 10 + (text[i] - '0');
  }
  const char unit = text.back();
  const int64_t s = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
  if (s == 0 || n == 0) return Status::InvalidArgument("duration '" + text + "' is not <n>s|m|h|d");
  return n * s * 1'000'000;
}

// Reads the LiteLLM fields present in `b` into the settings (an update
// changes only what it names). Checks names against the config.
Status ReadCommon(const Body& b, const router::Config& config, NanoUsd* max_budget_nanos,
                  std::string* budget_duration, int64_t* rpm, int64_t* tpm,
                  std::vector<std::string>* models, std::string* metadata_json) {
  const Json& j = b.json;
  if (j.contains("max_budget")) {
    if (j["max_budget"].is_null()) {
      *max_budget_nanos = -1;
    } else {
      auto raw = b.numbers.find("max_budget");
      std::string text = raw != b.numbers.end() ? raw->second
                         : j["max_budget"].is_string() ? j["max_budget"].get<std::string>()
                                                       : "";
      Result<NanoUsd> nanos = ParseUsd(text);
      if (!nanos.ok() || *nanos < 0) {
        return Status::InvalidArgument("max_budget must be a non-negative USD amount: " +
                                       (nanos.ok() ? text : nanos.status().message()));
      }
      *max_budget_nanos = *nanos;
    }
  }
  if (j.contains("budget_duration") && !j["budget_duration"].is_null()) {
    if (!j["budget_duration"].is_string()) return Status::InvalidArgument("budget_duration must be text");
    const std::string d = j["budget_duration"].get<std::string>();
    const bool month = config.budget_period == PeriodKind::kMonth;
    const bool ok = month ? (d == "1mo" || d == "30d" || d == "month" || d == "monthly")
                          : (d == "1d" || d == "24h" || d == "day" || d == "daily");
    if (!ok) {
      return Status::InvalidArgument(
          "budget_duration '" + d + "' is not supported: budgets here reset every calendar " +
          (month ? "month (use \"1mo\" or \"30d\")" : "day (use \"1d\")") +
          ", the gateway's budget period");
    }
    *budget_duration = d;
  }
  for (auto [name, out] : {std::pair{"rpm_limit", rpm}, std::pair{"tpm_limit", tpm}}) {
    if (!j.contains(name) || j[name].is_null()) continue;
    if (!j[name].is_number_integer() || j[name].get<int64_t>() < 0) {
      return Status::InvalidArgument(std::string(name) + " must be a non-negative integer");
    }
    *out = j[name].get<int64_t>();
  }
  if (j.contains("models") && !j["models"].is_null()) {
    if (!j["models"].is_array() || j["models"].size() > kModelsPerKeyMax) {
      return Status::InvalidArgument("models must be a list of at most " +
                                     std::to_string(kModelsPerKeyMax) + " model names");
    }
    models->clear();
    for (const Json& m : j["models"]) {
      if (!m.is_string()) return Status::InvalidArgument("models must be a list of names");
      const std::string name = m.get<std::string>();
      bool known = name == "all-proxy-models" || config.FindGroup(name) != nullptr;
      for (const router::Tier& t : config.tiers) known |= t.name == name;
      if (!known) {
        return Status::InvalidArgument("models: '" + name +
                                       "' is neither a model group nor a tier of this gateway");
      }
      models->push_back(name);
    }
  }
  if (j.contains("metadata") && !j["metadata"].is_null()) {
    if (!j["metadata"].is_object()) return Status::InvalidArgument("metadata must be a JSON object");
    *metadata_json = j["metadata"].dump();
    if (metadata_json->size() > kMetadataBytesMax) {
      return Status::InvalidArgument("metadata is larger than 16 KiB");
    }
  }
  return Status::Ok();
}

std::string TextField(const Json& j, const char* name, const std::string& fallback) {
  return j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : fallback;
}

Status ReadKeySettings(const Body& b, const router::Config& config, ledger::KeySettings* s) {
  const Json& j = b.json;
  s->name = TextField(j, "key_alias", s->name);
  s->owner = TextField(j, "user_id", s->owner);
  s->team_id = TextField(j, "team_id", s->team_id);
  s->default_tag = TextField(j, "default_tag", s->default_tag);
  if (!s->default_tag.empty() &&
      std::find(config.known_tags.begin(), config.known_tags.end(), s->default_tag) ==
          config.known_tags.end() &&
      config.tag_to_tier.count(s->default_tag) == 0) {
    return Status::InvalidArgument("default_tag '" + s->default_tag + "' is not a known tag");
  }
  if (j.contains("duration") && j["duration"].is_string()) {
    Result<int64_t> micros = ParseDurationMicros(j["duration"].get<std::string>());
    if (!micros.ok()) return micros.status();
    s->expires_micros = WallMicros() + *micros;
  }
  if (j.contains("expires")) {
    if (j["expires"].is_null()) {
      s->expires_micros = 0;
    } else {
      Result<int64_t> at = ParseIso8601(TextField(j, "expires", ""));
      if (!at.ok()) return Status::InvalidArgument("expires: " + at.status().message());
      s->expires_micros = *at;
    }
  }
  return ReadCommon(b, config, &s->max_budget_nanos, &s->budget_duration, &s->rpm_limit,
                    &s->tpm_limit, &s->models, &s->metadata_json);
}

Json Metadata(const std::string& text) {
  if (text.empty()) return Json::object();
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json::object() : j;
}

HttpReply FromStatus(const Status& s) {
  const unsigned code = s.IsNotFound() ? 404 : s.IsUnavailable() ? 507
                        : s.code() == Status::Code::kFailedPrecondition ? 409 : 400;
  return Bad(code, s.message(), s.IsNotFound() ? "not_found" : "invalid_request");
}

}  // namespace

std::string KeyIdOf(const ledger::Sha256& secret_sha256) {
  return "k-" + Hex(secret_sha256.data(), 8);
}

std::string KeyPrefixOf(std::string_view secret) {
  return std::string(secret.substr(0, 10)) + "…";
}

AuthResult GatewayImpl::FindClientKey(std::string_view presented) const {
  AuthResult result;
  result.reason = AuthFailure::kInvalid;
  if (presented.empty()) return result;
  const ledger::Sha256 hash = ledger::Sha256Of(presented);
  const std::string id = KeyIdOf(hash);
  std::lock_guard<std::mutex> lock(keys_mu_);
  auto it = key_directory_.find(id);
  if (it == key_directory_.end()) return result;
  // The id is a hash prefix; the whole hash decides, in constant time.
  if (CRYPTO_memcmp(hash.data(), it->second.secret_sha256.data(), hash.size()) != 0) return result;
  if (it->second.revoked) {
    result.reason = AuthFailure::kRevoked;
    return result;
  }
  if (it->second.expires_micros > 0 && WallMicros() >= it->second.expires_micros) {
    result.reason = AuthFailure::kExpired;
    return result;
  }
  result.ok = true;
  result.reason = AuthFailure::kNone;
  result.key_id = id;
  return result;
}

void GatewayImpl::RefreshKeyDirectory() {
  std::unordered_map<std::string, KeyDirectoryEntry> directory;
  for (const auto& [id, k] : core_->projection().keys()) {
    KeyDirectoryEntry e;
    if (k.secret_sha256_hex.size() != 64) continue;
    for (size_t i = 0; i < e.secret_sha256.size(); ++i) {
      e.secret_sha256[i] =
          static_cast<uint8_t>(std::stoi(k.secret_sha256_hex.substr(2 * i, 2), nullptr, 16));
    }
    e.revoked = k.revoked;
    e.expires_micros = k.settings.expires_micros;
    directory.emplace(id, e);
  }
  std::lock_guard<std::mutex> lock(keys_mu_);
  key_directory_ = std::move(directory);
}

Json GatewayImpl::KeyScopesJson(int32_t period) {
  const ledger::Projection& p = core_->projection();
  Json out = Json::array();
  auto add = [&](ledger::ScopeKind kind, const std::string& id, const std::string& name,
                 NanoUsd limit, int64_t rpm, int64_t tpm) {
    const NanoUsd spent = p.Spent({kind, id}, period);
    const NanoUsd reserved = core_->KeyReserved(kind, id);
    if (limit < 0 && spent == 0 && reserved == 0) return;
    Json alerts = Json::array();
    for (const auto& a : core_->config().alerts) {
      if (p.AlertFired({kind, id}, period, a.threshold_pct)) alerts.push_back(a.threshold_pct);
    }
    out.push_back({{"scope_kind", ledger::ScopeKindName(kind)}, {"scope_key", id},
                   {"name", name}, {"period", period},
                   {"limit_usd", limit < 0 ? Json(nullptr) : Json(FormatNanosAsUsd(limit))},
                   {"spent_usd", FormatNanosAsUsd(spent)},
                   {"reserved_usd", FormatNanosAsUsd(reserved)},
                   {"remaining_usd", limit < 0 ? Json(nullptr)
                                               : Json(FormatNanosAsUsd(std::max<NanoUsd>(
                                                     0, limit - spent - reserved)))},
                   {"rpm_limit", rpm}, {"tpm_limit", tpm}, {"alerts_fired_pct", alerts}});
  };
  for (const auto& [id, k] : p.keys()) {
    if (k.revoked) continue;
    add(ledger::ScopeKind::kKey, id, k.settings.name, k.settings.max_budget_nanos,
        k.settings.rpm_limit, k.settings.tpm_limit);
  }
  for (const auto& [id, t] : p.teams()) {
    add(ledger::ScopeKind::kTeam, id, t.settings.name, t.settings.max_budget_nanos,
        t.settings.rpm_limit, t.settings.tpm_limit);
  }
  return out;
}

void GatewayImpl::ApplyKeyChange(router::KeyChange change, std::function<std::string()> answer,
                                 ReplyFn reply) {
  Status status = core_->OnKeyChange(change, NowMicros(), actions_);
  if (!status.ok()) {
    Execute();
    return reply(FromStatus(status));
  }
  RefreshKeyDirectory();
  std::string body = answer();
  std::vector<ledger::Event> events = std::move(actions_.events);
  actions_.events.clear();
  Enqueue(std::move(events), [reply, body = std::move(body)](const Status& s) {
    reply(s.ok() ? Reply(200, body)
                 : Reply(503, ErrorJson(s.message(), "server_error", "ledger_unavailable")));
  });
  Execute();
}

void GatewayImpl::HandleKeyAdmin(const HttpCall& call, ReplyFn reply) {
  const std::string path = call.target.substr(0, call.target.find('?'));
  const bool post = call.method == "POST";
  if (post != (path == "/key/generate" || path == "/key/update" || path == "/key/delete" ||
               path == "/team/new")) {
    return reply(Bad(405, "method " + call.method + " not allowed on " + path,
                     "method_not_allowed"));
  }
  Result<Body> parsed = post ? ParseBody(call.body) : Result<Body>(Body{});
  if (!parsed.ok()) return reply(Bad(400, path + ": " + parsed.status().message(), "invalid_request"));
  net::dispatch(core_strand_, [this, path, target = call.target, body = std::move(*parsed),
                               reply = std::move(reply)]() mutable {
    const ledger::Projection& p = core_->projection();
    const router::Config& config = core_->config();
    const int32_t period = PeriodOf(NowMicros(), config.budget_period);
    // A key as LiteLLM names it: the key itself, its token (SHA-256 hex), or
    // ukairo's key id.
    auto find_key = [&](const std::string& named) -> std::string {
      std::string id = named;
      if (named.rfind("sk-", 0) == 0) id = KeyIdOf(ledger::Sha256Of(named));
      if (named.size() == 64) id = "k-" + named.substr(0, 16);
      return p.Key(id) != nullptr ? id : "";
    };
    auto key_info = [&](const std::string& id) {
      const ledger::KeyState& k = *p.Key(id);
      const ledger::KeySettings& s = k.settings;
      Json j = {{"key_id", id},
                {"token", k.secret_sha256_hex},
                {"key_name", k.key_prefix},
                {"key_alias", s.name.empty() ? Json(nullptr) : Json(s.name)},
                {"user_id", s.owner.empty() ? Json(nullptr) : Json(s.owner)},
                {"team_id", s.team_id.empty() ? Json(nullptr) : Json(s.team_id)},
                {"spend", Usd(p.Spent({ledger::ScopeKind::kKey, id}, period))},
                {"max_budget", Budget(s.max_budget_nanos)},
                {"budget_duration", s.budget_duration.empty() ? Json(nullptr) : Json(s.budget_duration)},
                {"budget_reset_at", FormatIso8601(PeriodEndMicros(period, config.budget_period))},
                {"rpm_limit", s.rpm_limit > 0 ? Json(s.rpm_limit) : Json(nullptr)},
                {"tpm_limit", s.tpm_limit > 0 ? Json(s.tpm_limit) : Json(nullptr)},
                {"models", s.models},
                {"metadata", Metadata(s.metadata_json)},
                {"default_tag", s.default_tag.empty() ? Json(nullptr) : Json(s.default_tag)},
                {"expires", s.expires_micros > 0 ? Json(FormatIso8601(s.expires_micros)) : Json(nullptr)},
                {"created_at", FormatIso8601(k.created_micros)},
                {"updated_at", FormatIso8601(k.updated_micros)},
                {"created_by", k.created_by},
                {"blocked", k.revoked},
                {"revoked", k.revoked}};
      return j;
    };
    auto team_info = [&](const std::string& id) {
      const ledger::TeamSettings& s = p.Team(id)->settings;
      return Json{{"team_id", id},
                  {"team_alias", s.name.empty() ? Json(nullptr) : Json(s.name)},
                  {"spend", Usd(p.Spent({ledger::ScopeKind::kTeam, id}, period))},
                  {"max_budget", Budget(s.max_budget_nanos)},
                  {"budget_duration", s.budget_duration.empty() ? Json(nullptr) : Json(s.budget_duration)},
                  {"rpm_limit", s.rpm_limit > 0 ? Json(s.rpm_limit) : Json(nullptr)},
                  {"tpm_limit", s.tpm_limit > 0 ? Json(s.tpm_limit) : Json(nullptr)},
                  {"models", s.models},
                  {"metadata", Metadata(s.metadata_json)}};
    };
    const Json& j = body.json;
    if (path == "/key/generate") {
      ledger::KeyIssued k;
      if (Status s = ReadKeySettings(body, config, &k.settings); !s.ok()) return reply(FromStatus(s));
      if (!k.settings.team_id.empty() && p.Team(k.settings.team_id) == nullptr) {
        return reply(Bad(400, "team_id '" + k.settings.team_id + "' does not exist (POST /team/new)",
                         "invalid_request"));
      }
      uint8_t random[kSecretRandomBytes];
      if (RAND_bytes(random, sizeof random) != 1) {
        return reply(Reply(500, ErrorJson("no randomness for a key", "server_error", "rand_failed")));
      }
      std::string secret = std::string(kKeyPrefix) + Hex(random, sizeof random);
      const ledger::Sha256 hash = ledger::Sha256Of(secret);
      k.key_id = KeyIdOf(hash);
      k.key_prefix = KeyPrefixOf(secret);
      k.secret_sha256_hex = ledger::Sha256Hex(hash);
      k.actor = "admin-api";
      const std::string id = k.key_id;
      return ApplyKeyChange(std::move(k), [&, id, secret] {
        Json out = key_info(id);
        out["key"] = secret;  // the one time the secret is shown
        return DumpWithNumbers(out);
      }, std::move(reply));
    }
    if (path == "/key/update") {
      const std::string id = find_key(TextField(j, "key", ""));
      if (id.empty()) return reply(Bad(404, "no such key", "not_found"));
      ledger::KeyUpdated u{id, p.Key(id)->settings, "admin-api"};
      if (Status s = ReadKeySettings(body, config, &u.settings); !s.ok()) return reply(FromStatus(s));
      if (!u.settings.team_id.empty() && p.Team(u.settings.team_id) == nullptr) {
        return reply(Bad(400, "team_id '" + u.settings.team_id + "' does not exist", "invalid_request"));
      }
      return ApplyKeyChange(std::move(u), [&, id] { return DumpWithNumbers(key_info(id)); },
                            std::move(reply));
    }
    if (path == "/key/delete") {
      if (!j.contains("keys") || !j["keys"].is_array() || j["keys"].empty()) {
        return reply(Bad(400, "keys must be a non-empty list of keys", "invalid_request"));
      }
      // Revoked, not removed: the ledger keeps every key's history.
      std::vector<std::string> ids;
      for (const Json& named : j["keys"]) {
        const std::string id = named.is_string() ? find_key(named.get<std::string>()) : "";
        if (id.empty() || p.Key(id)->revoked) return reply(Bad(404, "no such live key", "not_found"));
        ids.push_back(id);
      }
      for (size_t i = 0; i + 1 < ids.size(); ++i) {
        Status s = core_->OnKeyChange(ledger::KeyRevoked{ids[i], "admin-api", "deleted"},
                                      NowMicros(), actions_);
        if (!s.ok()) return reply(FromStatus(s));
      }
      Json deleted = Json::array();
      for (const Json& named : j["keys"]) deleted.push_back(named);
      return ApplyKeyChange(ledger::KeyRevoked{ids.back(), "admin-api", "deleted"},
                            [deleted] { return Json{{"deleted_keys", deleted}}.dump(); },
                            std::move(reply));
    }
    if (path == "/key/info") {
      const std::string id = find_key(Query(target, "key"));
      if (id.empty()) return reply(Bad(404, "no such key", "not_found"));
      return reply(Reply(200, DumpWithNumbers(Json{{"key", p.Key(id)->secret_sha256_hex},
                                                   {"info", key_info(id)}})));
    }
    if (path == "/key/list") {
      const bool full = Query(target, "return_full_object") == "true";
      const std::string team = Query(target, "team_id");
      Json keys = Json::array();
      for (const auto& [id, k] : p.keys()) {
        if (k.revoked || (!team.empty() && k.settings.team_id != team)) continue;
        keys.push_back(full ? key_info(id) : Json(k.secret_sha256_hex));
      }
      const size_t n = keys.size();
      return reply(Reply(200, DumpWithNumbers(Json{{"keys", std::move(keys)}, {"total_count", n},
                                                   {"current_page", 1}, {"total_pages", 1}})));
    }
    if (path == "/team/new") {
      ledger::TeamCreated t;
      t.team_id = TextField(j, "team_id", "");
      if (t.team_id.empty()) {
        uint8_t random[8];
        if (RAND_bytes(random, sizeof random) != 1) {
          return reply(Reply(500, ErrorJson("no randomness for an id", "server_error", "rand_failed")));
        }
        t.team_id = "team-" + Hex(random, sizeof random);
      }
      t.settings.name = TextField(j, "team_alias", "");
      ledger::TeamSettings& s = t.settings;
      if (Status st = ReadCommon(body, config, &s.max_budget_nanos, &s.budget_duration,
                                 &s.rpm_limit, &s.tpm_limit, &s.models, &s.metadata_json);
          !st.ok()) {
        return reply(FromStatus(st));
      }
      t.actor = "admin-api";
      const std::string id = t.team_id;
      return ApplyKeyChange(std::move(t), [&, id] { return DumpWithNumbers(team_info(id)); },
                            std::move(reply));
    }
    if (path == "/team/info") {
      const std::string id = Query(target, "team_id");
      if (p.Team(id) == nullptr) return reply(Bad(404, "no team '" + id + "'", "not_found"));
      Json keys = Json::array();
      for (const auto& [key_id, k] : p.keys()) {
        if (k.settings.team_id == id && !k.revoked) keys.push_back(key_info(key_id));
      }
      return reply(Reply(200, DumpWithNumbers(Json{{"team_id", id}, {"team_info", team_info(id)},
                                                   {"keys", std::move(keys)}})));
    }
    reply(Bad(404, "no route " + path, "not_found"));
  });
}

}  // namespace ukairo::gateway
