// Fake OpenAI providers on 127.0.0.1 for the gateway tests, and the
// model_list that routes to them, so each test writes only what it is about
// (its tiers, budgets and alerts):
//   premium  $0.00001 in / $0.0001 out per token (a 4-token prompt with 100
//            output tokens: $0.00104)
//   backup   ten times cheaper
//   local    zero cost (ollama), from a third fake on
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "router/gateway/fake_provider.h"
#include "tests/util/test_util.h"

namespace ukairo::testing {

struct FakeFleet {
  std::vector<std::unique_ptr<gateway::FakeProvider>> fakes;

  // REQUIRES: 2 <= n <= 3. A fake that does not start fails the test.
  void Start(int n) {
    for (int i = 0; i < n; ++i) {
      auto fake = gateway::FakeProvider::Start("127.0.0.1", 0, 1, gateway::FakeBehavior{});
      ASSERT_OK(fake);
      fakes.push_back(std::move(*fake));
    }
  }
  void Stop() {
    for (auto& f : fakes) f->Stop();
  }
  std::string BaseUrl(size_t i) const {
    return "http://127.0.0.1:" + std::to_string(fakes[i]->port()) + "/v1";
  }
  // "model_list:" with premium, backup and (with three fakes) local.
  std::string ModelListYaml() const {
    std::string yaml = R"(model_list:
  - model_name: premium
    litellm_params: {model: openai/premium-model, api_base: ")" +
                       BaseUrl(0) + R"("}
    model_info: {input_cost_per_token: "0.00001", output_cost_per_token: "0.0001"}
  - model_name: backup
    litellm_params: {model: openai/backup-model, api_base: ")" +
                       BaseUrl(1) + R"("}
    model_info: {input_cost_per_token: "0.000001", output_cost_per_token: "0.00001"}
)";
    if (fakes.size() > 2) {
      yaml += R"(  - model_name: local
    litellm_params: {model: ollama/llama3, api_base: ")" +
              BaseUrl(2) + R"("}
)";
    }
    return yaml;
  }
};

}  // namespace ukairo::testing
