// `ukairo report` on a ledger built in the test: E-2201..E-2204 files exist
// with the right names (from event times) and contents, and a second run
// over the same ledger writes byte-identical files.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "tests/util/test_util.h"

namespace ukairo {
namespace {

using namespace ukairo::ledger;
using testing::RunCommand;
using testing::UkairoBinary;
namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> Tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = Read(e.path());
  }
  return files;
}

Event At(int64_t micros, EventBody body) {
  Event e;
  e.time_micros = micros;
  e.body = std::move(body);
  return e;
}

TEST(ReportCli, WritesReproducibleEvidence) {
  testing::TempDir dir;
  const int64_t t0 = MicrosFromCivil(2026, 11, 3, 9, 0, 0);
  {
    auto ledger = Ledger::Open(dir.Sub("ledger"), LedgerOptions{});
    ASSERT_OK(ledger);
    std::vector<Event> events;
    events.push_back(At(t0, ConfigApplied{"abc123", "model_list: []\n", "test.yaml", "ci"}));
    events.push_back(At(t0 + 1, AttemptStarted{"r1", 1, 1, "opus-1", "claude-opus", "Spec",
                                              "high", 5'000'000}));
    events.push_back(At(t0 + 2, AttemptFinished{"r1", 1, "opus-1", "claude-opus", "Spec", "high",
                                               Outcome::kRateLimited, 429, 1000, 0, 0, 0, 0,
                                               30'000, "slow down", 0, 0, ""}));
    events.push_back(At(t0 + 2, DeploymentStateChanged{"opus-1", DeploymentState::kHealthy,
                                                      DeploymentState::kRateLimited,
                                                      "429 from provider", t0 + 30'000'000, ""}));
    events.push_back(At(t0 + 2, FallbackTaken{"r1", "Spec", "high", "opus-1", "claude-opus",
                                             "sonnet-1", "claude-sonnet",
                                             FallbackReason::kRateLimit, ScopeKind::kGlobal, "",
                                             false, 0, 0, 0}));
    events.push_back(At(t0 + 3, AttemptStarted{"r1", 2, 1, "sonnet-1", "claude-sonnet", "Spec",
                                              "high", 3'000'000}));
    events.push_back(At(t0 + 4, AttemptFinished{"r1", 2, "sonnet-1", "claude-sonnet", "Spec",
                                               "high", Outcome::kOk, 200, 2000, 100, 10, 0,
                                               450'000, -1, "", 0, 0, ""}));
    events.push_back(At(t0 + 5, BudgetAlert{ScopeKind::kTag, "Spec", 80, AlertAction::kNotify,
                                           450'000, 500'000, 202611}));
    events.push_back(At(t0 + 30'000'000, Recovered{"opus-1", t0 + 2,
                                                  RecoveryConfirmation::kDeadlinePassed}));
    ASSERT_OK((*ledger)->Append(std::move(events)));
  }
  for (const char* out : {"ev1", "ev2"}) {
    std::string log;
    ASSERT_EQ(RunCommand(UkairoBinary() + " report --ledger " + dir.Sub("ledger") + " --out " +
                             dir.Sub(out) + " 2>&1",
                         &log),
              0)
        << log;
    EXPECT_NE(log.find("1 fallback episodes"), std::string::npos) << log;
  }
  auto first = Tree(dir.Sub("ev1"));
  EXPECT_EQ(first, Tree(dir.Sub("ev2")));
  ASSERT_TRUE(first.count("config/20261103_090000_config.md"));
  EXPECT_NE(first["config/20261103_090000_config.md"].find("abc123"), std::string::npos);
  ASSERT_TRUE(first.count("budget/20261103_budget_consumption.md"));
  const std::string& budget = first["budget/20261103_budget_consumption.md"];
  EXPECT_NE(budget.find("| Spec | 0.00045 |"), std::string::npos) << budget;
  EXPECT_NE(budget.find("| 202611 | tag:Spec | 80% | notify |"), std::string::npos) << budget;
  ASSERT_TRUE(first.count("fallback/20261103_090000_fallback.md"));
  const std::string& episode = first["fallback/20261103_090000_fallback.md"];
  EXPECT_NE(episode.find("| duration | 0h 00m 29s |"), std::string::npos) << episode;
  EXPECT_NE(episode.find("| claude-sonnet | rate_limit | 1 |"), std::string::npos) << episode;
  ASSERT_TRUE(first.count("recovery/20261103_090030_recovery.md"));
  EXPECT_NE(first["recovery/20261103_090030_recovery.md"].find("deadline_passed"),
            std::string::npos);
}

}  // namespace
}  // namespace ukairo
