// The dashboard's files (data/ui/), compiled into the binary by
// cmake/embed_files.cmake so `ukairo serve` needs nothing installed.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace ukairo::gateway {

struct UiFile {
  const char* path;          // relative to data/ui/, e.g. "index.html"
  const char* content_type;
  const char* data;
  size_t size;
  std::string_view bytes() const { return {data, size}; }
};

const std::vector<UiFile>& EmbeddedUiFiles();

}  // namespace ukairo::gateway
