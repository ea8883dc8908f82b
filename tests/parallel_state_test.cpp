// initialize_model_parallel's rank lists for TP x PP (x DP), as vLLM computes them.
#include "communicators/parallel_state.h"

#include <gtest/gtest.h>

namespace commsim::comm {
namespace {

using Lists = std::vector<std::vector<int>>;

const GroupKindLayout& kind(const std::vector<GroupKindLayout>& layout, const std::string& name) {
  for (const auto& k : layout) {
    if (k.kind == name) return k;
  }
  throw std::runtime_error("no kind " + name);
}

TEST(ModelParallelLayout, Tp2Pp2MatchesVllmExample) {
  const auto layout = model_parallel_layout(2, 2, 1);
  ASSERT_EQ(layout.size(), 4u);
  EXPECT_EQ(layout[0].kind, "world");
  EXPECT_FALSE(layout[0].use_device_communicator);
  EXPECT_EQ(kind(layout, "world").rank_lists, (Lists{{0, 1, 2, 3}}));
  EXPECT_EQ(kind(layout, "tp").rank_lists, (Lists{{0, 1}, {2, 3}}));
  EXPECT_EQ(kind(layout, "pp").rank_lists, (Lists{{0, 2}, {1, 3}}));
  // transpose(1, 4) puts TP outermost: (t=0: p=0, p=1), (t=1: p=0, p=1).
  EXPECT_EQ(kind(layout, "dp").rank_lists, (Lists{{0}, {2}, {1}, {3}}));
}

TEST(ModelParallelLayout, Tp1Pp2) {
  const auto layout = model_parallel_layout(1, 2, 1);
  EXPECT_EQ(kind(layout, "tp").rank_lists, (Lists{{0}, {1}}));
  EXPECT_EQ(kind(layout, "pp").rank_lists, (Lists{{0, 1}}));
}

TEST(ModelParallelLayout, Tp2Pp3Dp2) {
  const auto layout = model_parallel_layout(2, 3, 2);
  EXPECT_EQ(kind(layout, "tp").rank_lists,
            (Lists{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}, {10, 11}}));
  EXPECT_EQ(kind(layout, "pp").rank_lists, (Lists{{0, 2, 4}, {1, 3, 5}, {6, 8, 10}, {7, 9, 11}}));
  EXPECT_EQ(kind(layout, "dp").rank_lists,
            (Lists{{0, 6}, {2, 8}, {4, 10}, {1, 7}, {3, 9}, {5, 11}}));
}

}  // namespace
}  // namespace commsim::comm
