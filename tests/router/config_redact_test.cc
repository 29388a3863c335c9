// Goal: no secret written literally in a config reaches the ledger through
// ConfigApplied's text, while everything an auditor needs stays readable.
#include <gtest/gtest.h>

#include "router/config/redact.h"

namespace ukairo::router {
namespace {

TEST(ConfigRedact, SecretValuesGoEnvReferencesAndOtherFieldsStay) {
  const std::string yaml =
      "model_list:\n"
      "  - model_name: gpt\n"
      "    litellm_params:\n"
      "      model: openai/gpt-4o\n"
      "      api_key: sk-live-123456   # inline comment\n"
      "      max_tokens: 4096\n"
      "      rpm: 60\n"
      "  - model_name: other\n"
      "    litellm_params: {model: openai/x, api_key: \"sk-flow-999\", tpm: 10}\n"
      "  - model_name: env\n"
      "    litellm_params:\n"
      "      api_key: os.environ/OPENAI_API_KEY\n"
      "general_settings:\n"
      "  master_key: 'sk-master-abc'\n"
      "  database_url: postgres://u:pw@db/x\n"
      "  alerting_webhook_secret: whsec_42\n";
  const std::string out = RedactConfigSecrets(yaml);
  for (const char* secret : {"sk-live-123456", "sk-flow-999", "sk-master-abc", "pw@db",
                             "whsec_42"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in\n" << out;
  }
  EXPECT_NE(out.find("api_key: os.environ/OPENAI_API_KEY"), std::string::npos) << out;
  EXPECT_NE(out.find("max_tokens: 4096"), std::string::npos) << out;
  EXPECT_NE(out.find("model: openai/gpt-4o"), std::string::npos) << out;
  EXPECT_NE(out.find("tpm: 10}"), std::string::npos) << out;
  EXPECT_NE(out.find("master_key: \"[redacted]\""), std::string::npos) << out;
  EXPECT_NE(out.find("# inline comment"), std::string::npos) << out;
}

TEST(ConfigRedact, EventKeepsTheHashOfTheFileAsRead) {
  Config config;
  config.text = "general_settings:\n  master_key: sk-1234\n";
  config.sha256_hex = "abc";
  config.source = "x.yaml";
  const ledger::ConfigApplied e = ConfigAppliedEvent(config, "me");
  EXPECT_EQ(e.sha256_hex, "abc");
  EXPECT_EQ(e.text.find("sk-1234"), std::string::npos);
  EXPECT_EQ(e.actor, "me");
}

}  // namespace
}  // namespace ukairo::router
