#include "tests/util/test_util.h"

#include <stdlib.h>

#include <cstdlib>
#include <sys/wait.h>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ledger/ledger.h"

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

std::string DataPath(const std::string& relative) {
  std::string path = SourcePath("data/" + relative);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    ADD_FAILURE() << "missing data file: " << path
                  << " (the repository's data/ must hold every file a test reads)";
  }
  return path;
}

std::string UkairoBinary() {
#ifdef UKAIRO_BINARY_DIR
  return std::string(UKAIRO_BINARY_DIR) + "/tools/ukairo";
#else
  return "ukairo";
#endif
}

int RunCommand(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out->append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

CommandOutcome RunUkairo(const std::string& args) {
  CommandOutcome o;
  o.exit_code = RunCommand(UkairoBinary() + " " + args + " 2>&1", &o.output);
  return o;
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<ledger::Event> ReadLedgerEvents(const std::string& dir) {
  ledger::LedgerOptions options;
  options.read_only = true;
  auto ledger = ledger::Ledger::Open(dir, options);
  EXPECT_TRUE(IsOk(ledger)) << dir;
  std::vector<ledger::Event> events;
  if (!ledger.ok()) return events;
  auto it = (*ledger)->Scan(ledger::ScanOptions{});
  for (it->SeekToFirst(); it->Valid(); it->Next()) events.push_back(it->event());
  EXPECT_TRUE(IsOk(it->status())) << dir;
  return events;
}

}  // namespace ukairo::testing
