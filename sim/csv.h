// One CSV line split into fields (RFC 4180 quotes, "" inside quotes), for
// the trace readers and the spend-log import.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace ukairo::sim {

// Splits `line` into `fields`. Quoted fields are unescaped into `scratch` (a
// deque, so growing it does not move the strings `fields` already points
// into); the views are valid until the next call with the same scratch.
// Returns false on an unterminated quote or text after a closing quote.
bool SplitCsv(std::string_view line, std::vector<std::string_view>* fields,
              std::deque<std::string>* scratch);

}  // namespace ukairo::sim
