#include "communicators/rank_env.h"

#include <array>
#include <exception>
#include <utility>

namespace commsim::comm {
namespace {

struct ArchSpelling {
  Arch arch;
  std::string_view uname;
  std::string_view vllm;
};

constexpr std::array<ArchSpelling, 5> kArchs{{
    {Arch::kX86, "x86_64", "X86"},
    {Arch::kArm, "aarch64", "ARM"},
    {Arch::kPowerPC, "ppc64le", "POWERPC"},
    {Arch::kS390X, "s390x", "S390X"},
    {Arch::kRiscV, "riscv64", "RISCV"},
}};

}  // namespace

std::string_view arch_name(Arch arch) { return kArchs[static_cast<std::size_t>(arch)].uname; }

std::optional<Arch> parse_arch(std::string_view text) {
  for (const ArchSpelling& spelling : kArchs) {
    if (text == spelling.uname || text == spelling.vllm) return spelling.arch;
  }
  return std::nullopt;
}

void RankEnv::send(int dst, const std::string& channel, Message message) {
  post_send(dst, channel, std::move(message))->wait();
}

void RankEnv::enter_op(std::string op, std::string group) {
  ops_.push_back(OpSite{std::move(op), std::move(group)});
  op_started(ops_.back());
}

void RankEnv::exit_op(bool failed) {
  if (ops_.empty()) return;
  op_ending(failed);
  ops_.pop_back();
}

std::optional<OpSite> RankEnv::current_op() const {
  if (ops_.empty()) return std::nullopt;
  return ops_.back();
}

std::optional<OpSite> RankEnv::outer_op() const {
  if (ops_.empty()) return std::nullopt;
  return ops_.front();
}

OpScope::OpScope(RankEnv& env, std::string op, std::string group)
    : env_(env), exceptions_at_entry_(std::uncaught_exceptions()) {
  env_.enter_op(std::move(op), std::move(group));
}

OpScope::~OpScope() {
  const bool unwinding = std::uncaught_exceptions() > exceptions_at_entry_;
  if (unwinding && env_.failure_stack_.empty()) env_.failure_stack_ = env_.ops_;
  env_.exit_op(unwinding);
}

}  // namespace commsim::comm
