// Small string helpers shared by every module (one copy of each).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ukairo {

// ASCII lower case; other bytes (UTF-8 included) are left as they are.
inline std::string AsciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// The pieces of `text` between each `sep`, empty ones included: "a,,b" is
// {"a", "", "b"} and "" is {""}. Views into `text`.
inline std::vector<std::string_view> SplitView(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t from = 0;
  for (;;) {
    const size_t at = text.find(sep, from);
    out.push_back(text.substr(from, at == std::string_view::npos ? at : at - from));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

}  // namespace ukairo
