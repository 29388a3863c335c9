// Assigns process tags to trace records that have none.
//
// Either one fixed tag (--tag Build) or a seeded mix (--tag-mix
// Spec=0.1,Build=0.5,Fix=0.4). Weights are decimal text read exactly into
// integers (millionths), so a pick is an integer draw: no float decides.
//
// Thread safety: not thread-safe (owns its Rng).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sim/rng.h"

namespace ukairo::sim {

class TagAssigner {
 public:
  static constexpr size_t kTagsMax = 64;

  // Exactly one of fixed_tag / mix_spec may be non-empty; both empty means
  // "leave tags empty" (the router's default tag applies).
  static Result<TagAssigner> Make(const std::string& fixed_tag, std::string_view mix_spec,
                                  uint64_t seed);

  // The tag for a record whose own tag is `record_tag` (kept when set).
  const std::string& Assign(const std::string& record_tag);

  struct Entry {
    std::string tag;
    uint64_t weight_millionths = 0;
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  TagAssigner(uint64_t seed) : rng_(seed, /*stream=*/0x7a6) {}
  std::vector<Entry> entries_;
  std::vector<uint64_t> cumulative_;
  uint64_t total_ = 0;
  Rng rng_;
  std::string empty_;
};

}  // namespace ukairo::sim
