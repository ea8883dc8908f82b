// The texts of PyTorch's check macros that vLLM's shm.cpp uses, as a failed check prints them.
//
// Both take the condition as the preprocessor leaves it: a macro inside it is expanded before
// it is turned into text, so shm.cpp's `group_size <= MAX_SHM_RANK_NUM` reads
// `group_size <= 8`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace commsim::comm::shm {

// TORCH_CHECK(cond) without a message of its own (c10/util/Exception.h, TORCH_CHECK_MSG):
// "Expected <cond> to be true, but got false.  (Could this error message be improved?  If so,
// please report an enhancement request to PyTorch.)", with two spaces after each sentence.
std::string torch_check_text(std::string_view condition);

// TORCH_CHECK_EQ / _LE / _LT (c10/util/Exception.h, TORCH_CHECK_OP, non-fatal since
// pytorch/pytorch#167004): "Check failed: <val1> <op> <val2> (<a> vs. <b>). ".
std::string torch_check_op_text(std::string_view val1, std::string_view op, std::string_view val2,
                                std::int64_t a, std::int64_t b);

}  // namespace commsim::comm::shm
