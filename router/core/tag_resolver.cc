#include "router/core/tag_resolver.h"

#include "router/core/core.h"
#include "router/core/internal/core_index.h"

namespace ukairo::router {

TagResolver::TagResolver(std::shared_ptr<const Config> config)
    : index_(BuildCoreIndex(std::move(config), RouterCore::kChainGroupsMax)) {}

TagResolver::~TagResolver() = default;

std::optional<ResolvedTag> TagResolver::Resolve(const std::string& tag) const {
  const uint32_t t = index_->ResolveTag(tag);
  if (t == kNone) return std::nullopt;
  ResolvedTag out;
  out.tag = index_->tag_names[t];
  out.tier = index_->TierName(index_->tag_tier[t]);
  out.defaulted = out.tag != tag;
  return out;
}

}  // namespace ukairo::router
