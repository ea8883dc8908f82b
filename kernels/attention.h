// Causal self-attention with a KV cache, for one layer on one rank, with grouped-query attention
// (GQA): query head h reads kv head h / (Hq / Hkv). vLLM's paged cache is modelled as one
// contiguous block per sequence: every sequence of the batch has the same length.
//
// Numerics: scores = (q · kᵀ)·(1/sqrt(D)) on oneDNN matmuls with the cache dtype as the input dtype
// (bf16: q and the probabilities are rounded to bf16; accumulation and outputs are f32), a causal
// mask, softmax_v2 (accurate) in f32, then probabilities · v. Keys are processed in blocks of 64
// (masked beyond the causal limit), so one primitive set per (rows, key block) serves every decode
// step of a 64-key span; prefill runs in tiles of 64 query positions against the keys they see.
#pragma once

#include <cstdint>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <utility>
#include <vector>

#include "communicators/dtype.h"
#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"

namespace commsim::kernels {

class Attention {
 public:
  // A zeroed cache of [batch, kv_heads, max_seq, head_dim] keys and as many values, in
  // cache_dtype (float32 or bfloat16). REQUIRES: every size > 0, q_heads % kv_heads == 0. Throws
  // KernelError otherwise, or for bf16 on a CPU without native bf16 matmul (on first use).
  Attention(std::int64_t q_heads, std::int64_t kv_heads, std::int64_t head_dim, std::int64_t batch,
            std::int64_t max_seq, comm::DType cache_dtype);

  // Prompt processing. q: [B·S, Hq·D], k and v: [B·S, Hkv·D], out: [B·S, Hq·D], all float32, rows
  // sequence-major (row b·S + s). Stores k and v at positions 0..S-1 of each sequence (converted
  // to the cache dtype), attends causally within each sequence, and sets length() to S.
  // REQUIRES: 1 <= seq <= max_seq. Returns prefill_cost(B, S, Hq, Hkv, D, cache dtype).
  KernelCost prefill(const comm::Tensor& q, const comm::Tensor& k, const comm::Tensor& v,
                     std::int64_t seq, comm::Tensor& out);

  // One generation step. q: [B, Hq·D], k and v: [B, Hkv·D], out: [B, Hq·D], float32. Appends k and
  // v at position length() of every sequence, attends over positions 0..length(), then
  // length() += 1. Throws KernelError when the cache is full (length() == max_seq).
  // Returns decode_cost(B, length() + 1, Hq, Hkv, D, cache dtype).
  KernelCost decode(const comm::Tensor& q, const comm::Tensor& k, const comm::Tensor& v,
                    comm::Tensor& out);

  // Positions held per sequence.
  std::int64_t length() const { return length_; }
  std::int64_t max_seq() const { return max_seq_; }

  // name "attention_prefill". Per (sequence, query head), causal prefill scores S·(S+1)/2
  // (query, key) pairs; each costs 4·D flops (q·k and p·v) + 5 (scale, max, exp, sum, normalise).
  // bytes = q read + out written (B·S·Hq·D·4 each) + K and V read once (2·B·S·Hkv·D·sizeof(cache))
  // + the append (k and v read as f32 and written in the cache dtype: 2·B·S·Hkv·D·(4 + sizeof)).
  // dtype = cache dtype.
  static KernelCost prefill_cost(std::int64_t batch, std::int64_t seq, std::int64_t q_heads,
                                 std::int64_t kv_heads, std::int64_t head_dim,
                                 comm::DType cache_dtype);
  // name "attention_decode". `context` = keys attended, the new one included. flops =
  // B·Hq·context·(4·D + 5); bytes = q + out (B·Hq·D·4 each) + K and V read
  // (2·B·Hkv·context·D·sizeof(cache)) + the append (2·B·Hkv·D·(4 + sizeof(cache))).
  static KernelCost decode_cost(std::int64_t batch, std::int64_t context, std::int64_t q_heads,
                                std::int64_t kv_heads, std::int64_t head_dim,
                                comm::DType cache_dtype);

 private:
  // Scores, softmax and probabilities·V for `rows` query rows against `keys` cached keys.
  struct Block {
    dnnl::matmul scores;
    dnnl::softmax_v2_forward softmax;
    dnnl::matmul weighted_sum;
  };

  void check_inputs(const char* kernel, std::int64_t tokens, const comm::Tensor& q,
                    const comm::Tensor& k, const comm::Tensor& v, const comm::Tensor& out) const;
  // Writes k and v rows ([B·S, Hkv·D] f32) into positions first..first+S-1 of the cache.
  void store(const comm::Tensor& k, const comm::Tensor& v, std::int64_t seq, std::int64_t first);
  // Zeroes cache positions [from, to) of every sequence and kv head.
  void clear_positions(std::int64_t from, std::int64_t to);
  // Keys a query at positions < end must see, rounded up to the key block (at most max_seq).
  std::int64_t key_span(std::int64_t end) const;
  Block& block(std::int64_t rows, std::int64_t keys);
  // Attends `count` query positions first..first+count-1 of sequence b, kv head g. q_rows:
  // [count·G, D] in the cache dtype, rows (position, head in group); out_rows: the same shape in
  // f32.
  void attend(std::int64_t b, std::int64_t g, std::int64_t first, std::int64_t count,
              const std::byte* q_rows, float* out_rows);
  // Copies between the [B·S, H·D] row layout and the grouped [B, Hkv, S, G·D] layout.
  void regroup(const void* src, dnnl::memory::data_type src_dt, void* dst,
               dnnl::memory::data_type dst_dt, std::int64_t seq, bool to_grouped) const;

  std::int64_t q_heads_, kv_heads_, head_dim_, batch_, max_seq_, group_;
  comm::DType cache_dtype_;
  dnnl::memory::data_type cache_dt_;
  std::vector<std::byte> k_cache_;  // [B, Hkv, max_seq, D] in the cache dtype
  std::vector<std::byte> v_cache_;
  std::int64_t length_ = 0;
  std::int64_t written_ = 0;  // positions [written_, max_seq) of the cache are all zero
  std::map<std::pair<std::int64_t, std::int64_t>, Block> blocks_;
  std::vector<std::byte> q_grouped_;      // [B, Hkv, S, G·D] in the cache dtype
  std::vector<float> out_grouped_;        // [B, Hkv, S, G·D]
  std::vector<float> scores_;             // [rows, keys]
  std::vector<std::byte> probabilities_;  // [rows, keys] in the cache dtype (bf16 only)
};

}  // namespace commsim::kernels
