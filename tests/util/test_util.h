// Shared test helpers: ASSERT_OK / EXPECT_OK and a temporary directory that
// removes itself.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "base/status.h"

namespace ukairo::testing {

inline ::testing::AssertionResult IsOk(const Status& s) {
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << s.ToString();
}
template <typename T>
::testing::AssertionResult IsOk(const Result<T>& r) {
  return IsOk(r.ok() ? Status::Ok() : r.status());
}

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Absolute path of a file in the source tree, e.g. SourcePath("data/x.yaml").
std::string SourcePath(const std::string& relative);
// Absolute path of data/<relative> in the source tree. A missing file is a
// test failure that names it (the test goes on and fails at its first use),
// never an abort: a clone must carry everything its tests read.
std::string DataPath(const std::string& relative);
// The built `ukairo` binary.
std::string UkairoBinary();

// Runs a shell command; appends its stdout to *out (stderr too if the command
// redirects it) and returns its exit code, or -1 if it did not exit.
int RunCommand(const std::string& command, std::string* out);

// `ukairo ARGS 2>&1` through the shell: its exit code (-1 if it did not
// exit) and everything it printed.
struct CommandOutcome {
  int exit_code = -1;
  std::string output;
};
CommandOutcome RunUkairo(const std::string& args);

// The whole content of a file ("" when it cannot be read).
std::string ReadFileText(const std::string& path);

// Every event of the ledger in `dir`, in order, opened read-only; a failure
// to open or scan it is a test failure (and gives what was read).
std::vector<ledger::Event> ReadLedgerEvents(const std::string& dir);

}  // namespace ukairo::testing

#define ASSERT_OK(expr) ASSERT_TRUE(::ukairo::testing::IsOk(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(::ukairo::testing::IsOk(expr))
