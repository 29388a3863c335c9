// Time units. Every time in ukairo is an int64 count of microseconds (since
// the Unix epoch for instants, UTC); these name the spans once.
#pragma once

#include <cstdint>

namespace ukairo {

inline constexpr int64_t kMicrosPerMilli = 1'000;
inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

}  // namespace ukairo
