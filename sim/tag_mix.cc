#include "sim/tag_mix.h"

#include "base/check.h"
#include "base/money.h"

namespace ukairo::sim {

Result<TagAssigner> TagAssigner::Make(const std::string& fixed_tag, std::string_view mix_spec,
                                      uint64_t seed) {
  TagAssigner out(seed);
  if (!fixed_tag.empty() && !mix_spec.empty()) {
    return Status::InvalidArgument("give --tag or --tag-mix, not both");
  }
  if (!fixed_tag.empty()) {
    out.entries_.push_back({fixed_tag, 1});
  }
  size_t start = 0;
  while (!mix_spec.empty() && start <= mix_spec.size()) {
    size_t comma = mix_spec.find(',', start);
    std::string_view item = mix_spec.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? mix_spec.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Status::InvalidArgument("--tag-mix item '" + std::string(item) +
                                     "' is not TAG=WEIGHT");
    }
    auto weight = ParseDecimalScaled(item.substr(eq + 1), 6);
    if (!weight.ok()) {
      return Status::InvalidArgument("--tag-mix weight of '" + std::string(item.substr(0, eq)) +
                                     "': " + weight.status().message());
    }
    if (out.entries_.size() >= kTagsMax) {
      return Status::InvalidArgument("--tag-mix has more than 64 tags");
    }
    out.entries_.push_back({std::string(item.substr(0, eq)), static_cast<uint64_t>(*weight)});
  }
  for (const auto& e : out.entries_) {
    out.total_ += e.weight_millionths;
    out.cumulative_.push_back(out.total_);
  }
  if (!out.entries_.empty() && out.total_ == 0) {
    return Status::InvalidArgument("--tag-mix weights sum to zero");
  }
  return out;
}

const std::string& TagAssigner::Assign(const std::string& record_tag) {
  if (!record_tag.empty() || entries_.empty()) return record_tag.empty() ? empty_ : record_tag;
  if (entries_.size() == 1) return entries_[0].tag;
  uint64_t draw = rng_.Below(total_);
  for (size_t i = 0; i < cumulative_.size(); ++i) {
    if (draw < cumulative_[i]) return entries_[i].tag;
  }
  UKAIRO_CHECK(false, "draw below total must land in a bucket");
  return entries_.back().tag;
}

}  // namespace ukairo::sim
