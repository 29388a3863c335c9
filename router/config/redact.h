// Secrets out of the config text that the ledger keeps.
//
// ConfigApplied records the config as read so an auditor sees what was in
// force; a literal `master_key: sk-...` or `api_key: sk-...` in the YAML must
// not ride along into an immutable log. Values of secret-named fields are
// replaced by "[redacted]"; `os.environ/NAME` references (not secrets) and
// everything else stay as written. The recorded sha256 stays that of the
// file as read, so a config is still recognised by its hash.
#pragma once

#include <string>
#include <string_view>

#include "ledger/event.h"
#include "router/core/config.h"

namespace ukairo::router {

// The YAML with the values of secret fields (master_key, api_key, *_api_key,
// secret, *_secret, *_secret_key, password, *_password, *_token, token,
// database_url) replaced by "[redacted]". Line-based: block and flow maps.
std::string RedactConfigSecrets(std::string_view yaml_text);

// The ConfigApplied event of `config`, its text redacted.
ledger::ConfigApplied ConfigAppliedEvent(const Config& config, std::string actor);

}  // namespace ukairo::router
