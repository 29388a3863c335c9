// R-2201 for callers outside the core: the tag a request is counted under
// and the tier it routes by, resolved exactly as the core resolves them
// (used by `import`, which records requests it did not route).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "router/core/config.h"

namespace ukairo::router {

struct CoreIndex;

struct ResolvedTag {
  std::string tag;   // the configured tag the request counts under
  std::string tier;  // its tier, "" when the tag maps to none
  bool defaulted = false;  // the asked-for tag is unknown: the default was used
};

class TagResolver {
 public:
  explicit TagResolver(std::shared_ptr<const Config> config);
  ~TagResolver();
  TagResolver(const TagResolver&) = delete;
  TagResolver& operator=(const TagResolver&) = delete;

  // nullopt when `tag` is unknown and the config has no default tag.
  std::optional<ResolvedTag> Resolve(const std::string& tag) const;

 private:
  std::shared_ptr<const CoreIndex> index_;
};

}  // namespace ukairo::router
