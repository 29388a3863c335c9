// `ukairo verify` as a script sees it: exit 0 and four reports for the
// shipped config, exit 1 naming the violation for a config whose chain
// deviates from the policy, exit 2 for a config that does not load.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/util/test_util.h"

namespace ukairo {
namespace {

using testing::RunCommand;
using testing::SourcePath;
using testing::TempDir;
using testing::UkairoBinary;

std::string Verify(const std::string& config, const std::string& out_dir) {
  return UkairoBinary() + " verify --config " + config + " --policy " +
         SourcePath("data/policy/part22.yaml") + " --out " + out_dir +
         " --at 2026-11-27T10:00:00Z 2>&1";
}

TEST(VerifyCli, ShippedConfigPassesAndWritesFourReports) {
  TempDir dir;
  std::string out;
  EXPECT_EQ(RunCommand(Verify(SourcePath("data/litellm_config.yaml"), dir.path()), &out), 0)
      << out;
  size_t reports = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.Sub("verify_reports"))) {
    EXPECT_EQ(entry.path().filename().string().substr(0, 16), "20261127_100000_");
    ++reports;
  }
  EXPECT_EQ(reports, 4u);
  std::ifstream report(dir.Sub("verify_reports/20261127_100000_fallback_order.md"));
  std::stringstream text;
  text << report.rdbuf();
  EXPECT_NE(text.str().find("result: **PASS**"), std::string::npos) << text.str();
}

TEST(VerifyCli, ReorderedChainFailsWithWhere) {
  TempDir dir;
  std::ifstream in(SourcePath("data/litellm_config.yaml"));
  std::stringstream yaml;
  yaml << in.rdbuf();
  std::string text = yaml.str();
  const std::string chain = "chain: [claude-opus, claude-sonnet, gemini-3-pro,";
  size_t at = text.find(chain);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, chain.size(), "chain: [claude-opus, gemini-3-pro, claude-sonnet,");
  // The copy lives in the temp dir: point its price table at the original.
  const std::string table = "price_table: prices/model_prices.json";
  at = text.find(table);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, table.size(),
               "price_table: " + SourcePath("data/prices/model_prices.json"));
  const std::string path = dir.Sub("reordered.yaml");
  std::ofstream(path) << text;
  std::string out;
  int rc = RunCommand(Verify(path, dir.path()), &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("V-2203 fallback_order: FAIL"), std::string::npos) << out;
  EXPECT_NE(out.find("tiers[high-precision].chain"), std::string::npos) << out;
}

TEST(VerifyCli, UnloadableConfigIsAUsageError) {
  TempDir dir;
  const std::string path = dir.Sub("bad.yaml");
  std::ofstream(path) << "model_list: [oops";
  std::string out;
  EXPECT_EQ(RunCommand(Verify(path, dir.path()), &out), 2) << out;
  EXPECT_NE(out.find("bad.yaml"), std::string::npos) << out;
}

}  // namespace
}  // namespace ukairo
