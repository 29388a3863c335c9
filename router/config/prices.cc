// Prices and context windows for each deployment: model_info / litellm_params
// overrides first, then the price table, then "local" (zero cost) for models
// served on this machine. An unpriced remote model warns and keeps
// price_known = false.
#include <string_view>

#include "base/check.h"
#include "router/config/internal.h"

namespace ukairo::router::config_internal {
namespace {

bool IsLocalProvider(std::string_view model) {
  size_t slash = model.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view provider = model.substr(0, slash);
  return provider == "ollama" || provider == "ollama_chat" || provider == "lm_studio" ||
         provider == "hosted_vllm" || provider == "local";
}

bool IsLoopbackBase(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  std::string_view host;
  if (!url.empty() && url.front() == '[') {
    host = url.substr(0, url.find(']') == std::string_view::npos ? url.size() : url.find(']') + 1);
  } else {
    host = url.substr(0, url.find_first_of(":/"));
  }
  return host == "localhost" || host == "0.0.0.0" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

}  // namespace

void ApplyPrices(Reader* r, const PriceTable* table, Draft* d) {
  UKAIRO_CHECK(d->overrides.size() == d->config.deployments.size());
  for (size_t i = 0; i < d->config.deployments.size(); ++i) {
    Deployment& dep = d->config.deployments[i];
    const PriceOverride& ov = d->overrides[i];
    // LiteLLM prices Azure deployments by model_info.base_model.
    const PriceEntry* entry = nullptr;
    if (table != nullptr && !ov.base_model.empty()) entry = table->Find(ov.base_model);
    if (table != nullptr && entry == nullptr) entry = table->Find(dep.provider_model);
    bool input_known = false, output_known = false;
    if (entry != nullptr) {
      dep.price = entry->price;
      input_known = entry->has_input_price;
      output_known = entry->has_output_price;
      if (dep.max_input_tokens == 0) dep.max_input_tokens = entry->max_input_tokens;
    }
    if (ov.input_pico) {
      dep.price.input_pico = *ov.input_pico;
      input_known = true;
    }
    if (ov.output_pico) {
      dep.price.output_pico = *ov.output_pico;
      output_known = true;
    }
    if (ov.cache_read_pico) dep.price.cache_read_pico = *ov.cache_read_pico;
    if (ov.cache_write_pico) dep.price.cache_write_pico = *ov.cache_write_pico;
    if (dep.max_output_tokens == 0) {
      dep.max_output_tokens = ov.max_tokens_param != 0 ? ov.max_tokens_param
                              : entry != nullptr       ? entry->max_output_tokens
                                                       : 0;
    }
    dep.price_known = input_known && output_known;
    bool local = IsLocalProvider(dep.provider_model) || IsLoopbackBase(dep.api_base);
    if (!dep.price_known && local) {
      dep.price = TokenPrice{};
      dep.price_known = true;
    }
    if (!dep.price_known) {
      r->Warn(ov.where, "deployment '" + dep.id + "': no price for '" + dep.provider_model +
                            "' in " + (table ? table->source() : std::string("(no price table)")) +
                            "; its cost counts as 0 and budgets cannot limit it");
    }
  }
}

}  // namespace ukairo::router::config_internal
