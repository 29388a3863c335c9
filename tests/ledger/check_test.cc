// base/check.h: UKAIRO_CHECK stays on in every build (this suite runs in the
// RelWithDebInfo build, where NDEBUG is set) and names where and what failed.
#include "base/check.h"

#include <gtest/gtest.h>

#include <string>

namespace ukairo {
namespace {

TEST(CheckDeathTest, FailsWithFileLineExpressionAndMessage) {
  int used = 3;
  EXPECT_DEATH(UKAIRO_CHECK(used < 2, "used " + std::to_string(used) + " of 2"),
               "ukairo: check failed: .*check_test.cc:[0-9]+: used < 2: used 3 of 2");
}

TEST(CheckDeathTest, MessageIsOptional) {
  EXPECT_DEATH(UKAIRO_CHECK(1 + 1 == 3), "check failed: .*check_test.cc:[0-9]+: 1 \\+ 1 == 3");
}

TEST(Check, PassingCheckEvaluatesItsConditionOnceAndNotItsMessage) {
  int evaluated = 0;
  int messages = 0;
  UKAIRO_CHECK(++evaluated == 1, (++messages, "never built"));
  EXPECT_EQ(evaluated, 1);
  EXPECT_EQ(messages, 0);
}

TEST(Check, DcheckFollowsNdebug) {
  int evaluated = 0;
  UKAIRO_DCHECK(++evaluated > 0, "debug only");
#ifdef NDEBUG
  EXPECT_EQ(evaluated, 0) << "compiled out: the expression is type-checked, never run";
#else
  EXPECT_EQ(evaluated, 1);
#endif
}

#ifndef NDEBUG
TEST(CheckDeathTest, DcheckFailsInDebugBuilds) {
  EXPECT_DEATH(UKAIRO_DCHECK(false, "hot path"), "check failed: .*: false: hot path");
}
#endif

}  // namespace
}  // namespace ukairo
