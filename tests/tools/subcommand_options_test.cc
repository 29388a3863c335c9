// Options of a subcommand typed before its name (tools/main.cc): `ukairo
// ledger --ledger DIR verify` does what `ukairo ledger verify --ledger DIR`
// does, for every command with subcommands; exit codes and --help are those
// of the subcommand either way. (`audit` is covered in audit_cli_test.)
#include <string>

#include "tests/util/test_util.h"

namespace ukairo {
namespace {

using testing::RunUkairo;
using testing::SourcePath;

class LedgerGroup : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto sim = RunUkairo("simulate -q --config " + SourcePath("data/litellm_config.yaml") +
                         " --trace " + SourcePath("data/traces/azure_code_sample.csv") +
                         " --days 1 --out /dev/null --ledger " + dir_->Sub("ledger"));
    ASSERT_EQ(sim.exit_code, 0) << sim.output;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string Ledger() { return " --ledger " + dir_->Sub("ledger") + " "; }
  static testing::TempDir* dir_;
};
testing::TempDir* LedgerGroup::dir_ = nullptr;

TEST_F(LedgerGroup, VerifyAndStatsTakeTheLedgerEitherSide) {
  const auto verify_before = RunUkairo("ledger" + Ledger() + "verify");
  const auto verify_after = RunUkairo("ledger verify" + Ledger());
  EXPECT_EQ(verify_before.exit_code, 0) << verify_before.output;
  EXPECT_NE(verify_before.output.find("hash chain intact"), std::string::npos)
      << verify_before.output;
  EXPECT_EQ(verify_before.output, verify_after.output);

  const auto stats_before = RunUkairo("ledger" + Ledger() + "--json stats");
  const auto stats_after = RunUkairo("ledger stats --json" + Ledger());
  EXPECT_EQ(stats_before.exit_code, 0) << stats_before.output;
  EXPECT_NE(stats_before.output.find("\"events_by_kind\""), std::string::npos)
      << stats_before.output;
  EXPECT_EQ(stats_before.output, stats_after.output);
}

TEST_F(LedgerGroup, UsageErrorsStayUsageErrors) {
  const std::string missing = " --ledger " + dir_->Sub("missing") + " ";
  EXPECT_EQ(RunUkairo("ledger" + missing + "verify").exit_code, 2);
  EXPECT_EQ(RunUkairo("ledger verify" + missing).exit_code, 2);
  // stats takes --json, verify does not: refused before the name as after.
  auto json_verify = RunUkairo("ledger" + Ledger() + "--json verify");
  EXPECT_EQ(json_verify.exit_code, 2) << json_verify.output;
  EXPECT_NE(json_verify.output.find("--json is not an option of 'ledger verify'"),
            std::string::npos)
      << json_verify.output;
  EXPECT_EQ(RunUkairo("ledger verify --json" + Ledger()).exit_code, 2);
  auto alone = RunUkairo("ledger" + Ledger());
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
  EXPECT_NE(alone.output.find("give the subcommand too"), std::string::npos) << alone.output;
  EXPECT_EQ(RunUkairo("ledger verify").exit_code, 2);
}

// Nothing listens on port 1: exit 1 names the URL, proof that the --url
// given before `status` (not the default :4000) was used.
TEST(GateGroup, TheUrlGoesEitherSide) {
  const std::string env = "UKAIRO_MASTER_KEY=test-key ";
  const std::string url = " --url http://127.0.0.1:1 --timeout-ms 2000 ";
  for (const std::string& args :
       {"gate" + url + "status", "gate status" + url, "gate" + url + "--json status",
        "gate" + url + "stop --scope global --actor tester",
        "gate stop --scope global" + url + "--actor tester"}) {
    std::string out;
    const int rc = testing::RunCommand(env + testing::UkairoBinary() + " " + args + " 2>&1", &out);
    EXPECT_EQ(rc, 1) << args << ": " << out;
    EXPECT_NE(out.find("cannot reach the gateway at http://127.0.0.1:1"), std::string::npos)
        << args << ": " << out;
  }
  // A decision option before `status`, which takes none, is a usage error.
  std::string out;
  EXPECT_EQ(testing::RunCommand(env + testing::UkairoBinary() + " gate" + url +
                                    "--scope global status 2>&1",
                                &out),
            2)
      << out;
  EXPECT_NE(out.find("--scope is not an option of 'gate status'"), std::string::npos) << out;
}

TEST(ConfigGroup, CheckTakesItsFlagsEitherSide) {
  const std::string config = " " + SourcePath("data/litellm_config.yaml") + " ";
  const auto before = RunUkairo("config --json check" + config);
  const auto after = RunUkairo("config check" + config + "--json");
  EXPECT_EQ(before.exit_code, 0) << before.output;
  EXPECT_NE(before.output.find("\"ok\": true"), std::string::npos) << before.output;
  EXPECT_EQ(before.output, after.output);
  EXPECT_EQ(RunUkairo("config --json check /nonexistent.yaml").exit_code, 2);
}

// The help of a subcommand still lists its options, and the group's help
// does not grow the hidden ones it accepts for its subcommands.
TEST(SubcommandHelp, ListsTheSubcommandsOwnOptions) {
  const auto verify = RunUkairo("ledger verify --help");
  EXPECT_EQ(verify.exit_code, 0);
  EXPECT_NE(verify.output.find("--ledger"), std::string::npos) << verify.output;
  const auto group = RunUkairo("ledger --help");
  EXPECT_EQ(group.exit_code, 0);
  EXPECT_EQ(group.output.find("--ledger"), std::string::npos) << group.output;
  const auto status = RunUkairo("gate status --help");
  EXPECT_NE(status.output.find("--url"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("--master-key-env"), std::string::npos) << status.output;
}

}  // namespace
}  // namespace ukairo
