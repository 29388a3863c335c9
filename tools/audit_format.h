// One-line human descriptions of events for `ukairo audit` tables.
#pragma once

#include <string>

#include "ledger/event.h"

namespace ukairo::tools {

// "attempt 2 on claude-sonnet-1: rate_limited (429) in 120 ms, $0", ...
std::string DescribeEvent(const ledger::Event& event);
// The request id an event belongs to, or "".
std::string RequestIdOf(const ledger::Event& event);

}  // namespace ukairo::tools
