#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace ukairo::internal {

void CheckFailed(const char* file, int line, const char* expression, std::string_view message) {
  // stdio, not iostream: this may run while static objects are being torn
  // down, and one fprintf keeps the line whole when several threads fail.
  if (message.empty()) {
    std::fprintf(stderr, "ukairo: check failed: %s:%d: %s\n", file, line, expression);
  } else {
    std::fprintf(stderr, "ukairo: check failed: %s:%d: %s: %.*s\n", file, line, expression,
                 static_cast<int>(message.size()), message.data());
  }
  std::fflush(stderr);
  std::abort();
}

}  // namespace ukairo::internal
