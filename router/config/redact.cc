#include "router/config/redact.h"

#include <regex>

namespace ukairo::router {

std::string RedactConfigSecrets(std::string_view yaml_text) {
  // name: value, at a line start (after indentation or "- ") or inside a
  // flow map after "{" or ","; the value runs to a comma, brace, comment or
  // the end of the line. Names match whole (max_tokens is not a token).
  static const std::regex kSecretField(
      R"(((?:^|[\s{,-])["']?(?:[A-Za-z0-9_]*_)?(?:master_key|api_key|secret|secret_key|password|token|access_token|auth_token|database_url)["']?\s*:[ \t]*)([^,}\n#]*[^,}\n#\s]))",
      std::regex::ECMAScript | std::regex::multiline);
  std::string out;
  std::string text(yaml_text);
  auto begin = std::sregex_iterator(text.begin(), text.end(), kSecretField);
  size_t copied = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    std::string value = m[2].str();
    std::string bare = value;
    if (bare.size() >= 2 && (bare.front() == '"' || bare.front() == '\'')) {
      bare = bare.substr(1, bare.size() - 2);
    }
    if (bare.empty() || bare.rfind("os.environ/", 0) == 0 || bare == "null" || bare == "~") {
      continue;
    }
    const size_t value_at = static_cast<size_t>(m.position(2));
    out.append(text, copied, value_at - copied);
    out += "\"[redacted]\"";
    copied = value_at + value.size();
  }
  out.append(text, copied, std::string::npos);
  return out;
}

ledger::ConfigApplied ConfigAppliedEvent(const Config& config, std::string actor) {
  return ledger::ConfigApplied{config.sha256_hex, RedactConfigSecrets(config.text),
                               config.source, std::move(actor)};
}

}  // namespace ukairo::router
