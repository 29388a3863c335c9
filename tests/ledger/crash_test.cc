// Goal: after a kill -9 at any moment, the ledger (kWal) reopens as a
// gap-free, hash-verified prefix 1..last that holds every acknowledged seq.
// Method: per seed, fork a child that appends at full speed and writes the
// last seq of every acknowledged Append to a pipe; the parent reads N acks
// (N drawn from the seed), SIGKILLs the child, drains the acks already in the
// pipe, then forks a second child that reopens the ledger, verifies the chain
// and appends once more. The parent itself never opens RocksDB, so no child
// inherits RocksDB's background threads or locks across fork().
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>

#include "ledger/ledger.h"
#include "tests/util/test_util.h"

namespace ukairo::ledger {
namespace {

constexpr int64_t kT0 = 1'790'000'000'000'000;
constexpr uint64_t kChildEventsMax = 5'000'000;  // bound if the parent never kills

bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Returns false at EOF (or error) before `size` bytes.
bool ReadAll(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = read(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

Event Attempt(int64_t t, uint64_t i) {
  AttemptStarted b;
  b.request_id = "req-" + std::to_string(i / 4);
  b.deployment = "dep-" + std::to_string(i % 3);
  b.attempt = static_cast<uint32_t>(i % 4);
  Event e;
  e.time_micros = t;
  e.body = b;
  return e;
}

[[noreturn]] void AppendForever(const std::string& dir, uint64_t seed, int ack_fd) {
  Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(dir, LedgerOptions{});
  if (!ledger.ok()) _exit(2);
  std::mt19937_64 rng(seed);
  uint64_t appended = 0;
  while (appended < kChildEventsMax) {
    std::vector<Event> batch;
    const size_t n = 1 + rng() % 8;
    for (size_t k = 0; k < n; ++k, ++appended) {
      batch.push_back(Attempt(kT0 + static_cast<int64_t>(appended / 2), appended));
    }
    Result<uint64_t> first = (*ledger)->Append(std::move(batch));
    if (!first.ok()) _exit(3);
    const uint64_t last = *first + n - 1;
    if (!WriteAll(ack_fd, &last, sizeof(last))) _exit(4);
  }
  _exit(5);
}

// Runs in a child: reopen, check, report a message ("" = fine) on `out_fd`.
[[noreturn]] void CheckRecovered(const std::string& dir, uint64_t acked_max, int out_fd) {
  std::string problem;
  Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(dir, LedgerOptions{});
  if (!ledger.ok()) {
    problem = "reopen: " + ledger.status().ToString();
  } else {
    Ledger& l = **ledger;
    Result<ChainReport> report = l.VerifyChain();
    if (!report.ok()) {
      problem = "verify: " + report.status().ToString();
    } else if (report->first_bad_seq) {
      problem = "bad seq " + std::to_string(*report->first_bad_seq) + ": " + report->problem;
    } else if (report->events_checked != l.LastSeq()) {
      problem = "checked " + std::to_string(report->events_checked) + " of " +
                std::to_string(l.LastSeq());
    } else if (l.LastSeq() < acked_max) {
      problem = "lost acknowledged events: last " + std::to_string(l.LastSeq()) + " < acked " +
                std::to_string(acked_max);
    } else {
      const uint64_t last_before = l.LastSeq();
      Result<uint64_t> next = l.Append(Attempt(l.LastTimeMicros(), 0));
      if (!next.ok() || *next != last_before + 1) problem = "append after recovery failed";
      Result<ChainReport> again = l.VerifyChain();
      if (!again.ok() || again->first_bad_seq) problem = "chain broken after recovery append";
    }
  }
  WriteAll(out_fd, problem.data(), problem.size());
  _exit(problem.empty() ? 0 : 1);
}

std::string RunCheck(const std::string& dir, uint64_t acked_max) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    CheckRecovered(dir, acked_max, fds[1]);
  }
  close(fds[1]);
  std::string message;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) message.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status)) return "checker died: " + message;
  if (WEXITSTATUS(status) != 0 && message.empty()) return "checker exit " +
                                                           std::to_string(WEXITSTATUS(status));
  return message;
}

TEST(LedgerCrash, KillNineKeepsEveryAcknowledgedEvent) {
  for (uint64_t seed : {1, 2, 3, 4, 5, 6, 7, 8}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::TempDir dir;
    std::mt19937_64 rng(seed * 7919);
    const uint64_t acks_before_kill = 1 + rng() % 4000;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      AppendForever(dir.path(), seed, fds[1]);
    }
    close(fds[1]);
    uint64_t acked_max = 0;
    uint64_t acks = 0;
    uint64_t ack = 0;
    while (acks < acks_before_kill && ReadAll(fds[0], &ack, sizeof(ack))) {
      ASSERT_GT(ack, acked_max) << "acks must grow";
      acked_max = ack;
      ++acks;
    }
    ASSERT_EQ(acks, acks_before_kill) << "child stopped early";
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    // Acks already in the pipe were given before the kill: they count too.
    while (ReadAll(fds[0], &ack, sizeof(ack))) acked_max = std::max(acked_max, ack);
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child exited by itself, status " << status;
    std::string problem = RunCheck(dir.path(), acked_max);
    EXPECT_EQ(problem, "") << "acked_max " << acked_max;
  }
}

}  // namespace
}  // namespace ukairo::ledger
