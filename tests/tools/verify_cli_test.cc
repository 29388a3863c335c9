// `ukairo verify` as a script sees it: exit 0 and four reports for the
// shipped config, exit 1 naming the violation for a config whose chain (a
// tier's, a model group's own, a context-window or a default one) deviates
// from the policy, exit 2 for a config that does not load.
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

// Replaces the first `from` in *text by `to`; false when it is not there.
bool ReplaceOnce(std::string* text, const std::string& from, const std::string& to) {
  size_t at = text->find(from);
  if (at == std::string::npos) return false;
  text->replace(at, from.size(), to);
  return true;
}

// A copy of data/litellm_config.yaml in `dir` with `from` replaced by `to`;
// its price table points at the original's. "" when `from` is not there.
std::string EditedShippedConfig(const TempDir& dir, const std::string& from,
                                const std::string& to) {
  std::string text = testing::ReadFileText(SourcePath("data/litellm_config.yaml"));
  if (!ReplaceOnce(&text, from, to) ||
      !ReplaceOnce(&text, "price_table: prices/model_prices.json",
                   "price_table: " + SourcePath("data/prices/model_prices.json"))) {
    return "";
  }
  const std::string path = dir.Sub("edited.yaml");
  std::ofstream(path) << text;
  return path;
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
  // Not only the tiers: every chain a client can reach is listed as checked.
  for (const char* chain : {"- router_settings.fallbacks[claude-opus]: claude-opus (opus) →",
                            "- router_settings.default_fallbacks for local: local (local)",
                            "- router_settings.context_window_fallbacks[gpt-5.2]: gpt-5.2"}) {
    EXPECT_NE(text.str().find(chain), std::string::npos) << chain << "\n" << text.str();
  }
}

TEST(VerifyCli, ReorderedChainFailsWithWhere) {
  TempDir dir;
  const std::string path =
      EditedShippedConfig(dir, "chain: [claude-opus, claude-sonnet, gemini-3-pro,",
                          "chain: [claude-opus, gemini-3-pro, claude-sonnet,");
  ASSERT_FALSE(path.empty());
  std::string out;
  int rc = RunCommand(Verify(path, dir.path()), &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("V-2203 fallback_order: FAIL"), std::string::npos) << out;
  EXPECT_NE(out.find("tiers[high-precision].chain"), std::string::npos) << out;
}

TEST(VerifyCli, ReversedGroupFallbacksFailNamingTheChainAndElement) {
  // data/configs/bad_reversed_group_fallbacks.yaml: the shipped config with
  // claude-opus's own fallbacks reversed; every tier chain is unchanged.
  TempDir dir;
  std::string out;
  int rc = RunCommand(
      Verify(SourcePath("data/configs/bad_reversed_group_fallbacks.yaml"), dir.path()), &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("V-2201 config_consistency: PASS"), std::string::npos) << out;
  EXPECT_NE(out.find("V-2203 fallback_order: FAIL"), std::string::npos) << out;
  EXPECT_NE(out.find("  ERROR router_settings.fallbacks[claude-opus][0]: a request for model "
                     "'claude-opus' walks claude-opus (opus) → local (local) → glm"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("'local' (local) cannot follow 'claude-opus' in tier high-precision's "
                     "policy opus|pro → sonnet → pro? → flash_glm+ → local, which allows "
                     "sonnet there"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("tiers["), std::string::npos) << out;
  const std::string report =
      testing::ReadFileText(dir.Sub("verify_reports/20261127_100000_fallback_order.md"));
  EXPECT_NE(report.find("result: **FAIL**"), std::string::npos) << report;
  EXPECT_NE(report.find("## Rule"), std::string::npos) << report;
  EXPECT_NE(report.find("ERROR `router_settings.fallbacks[claude-opus][0]`"), std::string::npos)
      << report;
}

TEST(VerifyCli, BadContextWindowChainFails) {
  TempDir dir;
  const std::string path =
      EditedShippedConfig(dir, "    - gpt-5.2: [gemini-3-pro]", "    - gpt-5.2: [claude-opus]");
  ASSERT_FALSE(path.empty());
  std::string out;
  EXPECT_EQ(RunCommand(Verify(path, dir.path()), &out), 1) << out;
  EXPECT_NE(out.find("ERROR router_settings.context_window_fallbacks[gpt-5.2][0]: a request "
                     "too long for gpt-5.2's context window walks gpt-5.2 (codex) → "
                     "claude-opus (opus): 'claude-opus' (opus) cannot follow 'gpt-5.2'"),
            std::string::npos)
      << out;
}

TEST(VerifyCli, BadDefaultFallbackChainFails) {
  // Only `local` has no fallbacks of its own; defaults that lead to opus
  // would send a request for the free local model to the dearest one.
  TempDir dir;
  const std::string path = EditedShippedConfig(dir, "default_fallbacks: [local]",
                                               "default_fallbacks: [claude-opus, local]");
  ASSERT_FALSE(path.empty());
  std::string out;
  EXPECT_EQ(RunCommand(Verify(path, dir.path()), &out), 1) << out;
  EXPECT_NE(out.find("ERROR router_settings.default_fallbacks[0]: a request for model 'local' "
                     "(no fallbacks of its own) walks local (local) → claude-opus (opus)"),
            std::string::npos)
      << out;
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
