#include "tests/util/test_util.h"

#include <stdlib.h>

#include <cstdlib>

namespace ukairo::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/ukairo-test-XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

// Set per test executable by tests/CMakeLists.txt.
std::string SourcePath(const std::string& relative) {
#ifdef UKAIRO_SOURCE_DIR
  return std::string(UKAIRO_SOURCE_DIR) + "/" + relative;
#else
  return relative;
#endif
}

std::string SharedDataPath(const std::string& relative) {
  return SourcePath("../shared/data/" + relative);
}

std::string UkairoBinary() {
#ifdef UKAIRO_BINARY_DIR
  return std::string(UKAIRO_BINARY_DIR) + "/tools/ukairo";
#else
  return "ukairo";
#endif
}

}  // namespace ukairo::testing
