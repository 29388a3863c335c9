// Events as JSON, for the audit API, `ukairo audit --json` and reports.
//
// Field names are the snake_case names of events.capnp; money fields keep
// their integer nano-USD value and gain an exact decimal "_usd" string twin;
// times are micros plus an ISO-8601 twin. The shape is stable: fields are
// only ever added.
#pragma once

#include <string>

#include "ledger/event.h"

namespace ukairo::ledger {

// One line of JSON (no trailing newline).
std::string EventToJson(const Event& event);

}  // namespace ukairo::ledger
