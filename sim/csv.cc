#include "sim/csv.h"

namespace ukairo::sim {

bool SplitCsv(std::string_view line, std::vector<std::string_view>* fields,
              std::deque<std::string>* scratch) {
  fields->clear();
  size_t quoted = 0;
  size_t i = 0;
  for (;;) {
    if (i < line.size() && line[i] == '"') {
      if (quoted >= scratch->size()) scratch->emplace_back();
      std::string& out = (*scratch)[quoted++];
      out.clear();
      for (++i;; ++i) {
        if (i >= line.size()) return false;  // unterminated quote
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            out.push_back('"');
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          out.push_back(line[i]);
        }
      }
      fields->emplace_back(out);
      if (i < line.size() && line[i] != ',') return false;
    } else {
      size_t comma = line.find(',', i);
      size_t stop = comma == std::string_view::npos ? line.size() : comma;
      fields->push_back(line.substr(i, stop - i));
      i = stop;
    }
    if (i >= line.size()) return true;
    ++i;  // skip the comma
  }
}

}  // namespace ukairo::sim
