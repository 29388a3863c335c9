// Reading server-sent events: the "data:" payloads of a complete stream.
#pragma once

#include <string_view>

namespace ukairo::gateway {

// Calls fn(payload) for each "data:" line of `body` in order, with the
// leading spaces and trailing CR removed; empty payloads and "[DONE]" are
// skipped. Stops early when fn returns false.
template <typename Fn>
void ForEachSseData(std::string_view body, Fn fn) {
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    if (line.substr(0, 5) != "data:") continue;
    line.remove_prefix(5);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "[DONE]" || line.empty()) continue;
    if (!fn(line)) return;
  }
}

}  // namespace ukairo::gateway
