#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "kernels/checks.h"
#include "kernels/dnnl_glue.h"

namespace commsim::kernels {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

constexpr std::int64_t kKeyBlock = 64;   // keys are processed in multiples of this
constexpr std::int64_t kQueryTile = 64;  // prefill query positions per block
constexpr double kSoftmaxFlops = 5;      // per score: scale, max, exp, sum, normalise

// Runs a reorder between two (possibly strided) descriptions of the same dims.
void reorder(const char* what, const dnnl::memory::desc& src_md, const void* src,
             const dnnl::memory::desc& dst_md, void* dst) {
  const auto pd = checked_pd(what, [&] {
    return dnnl::reorder::primitive_desc(cpu_engine(), src_md, cpu_engine(), dst_md);
  });
  execute(dnnl::reorder(pd),
          {{DNNL_ARG_FROM, wrap(src_md, src)}, {DNNL_ARG_TO, wrap(dst_md, dst)}});
}

KernelCost attention_cost(const char* name, double batch, double new_tokens, double pairs,
                          double keys_read, std::int64_t q_heads, std::int64_t kv_heads,
                          std::int64_t head_dim, comm::DType cache_dtype) {
  const double hq = static_cast<double>(q_heads), hkv = static_cast<double>(kv_heads);
  const double d = static_cast<double>(head_dim);
  const auto c = static_cast<double>(comm::element_size(cache_dtype));
  const double flops = batch * hq * pairs * (4.0 * d + kSoftmaxFlops);
  const double q_and_out = 2.0 * batch * new_tokens * hq * d * sizeof(float);
  const double cache_read = 2.0 * batch * hkv * keys_read * d * c;
  const double append = 2.0 * batch * new_tokens * hkv * d * (sizeof(float) + c);
  return KernelCost{name, cache_dtype, flops, q_and_out + cache_read + append};
}

}  // namespace

Attention::Attention(std::int64_t q_heads, std::int64_t kv_heads, std::int64_t head_dim,
                     std::int64_t batch, std::int64_t max_seq, comm::DType cache_dtype)
    : q_heads_(q_heads),
      kv_heads_(kv_heads),
      head_dim_(head_dim),
      batch_(batch),
      max_seq_(max_seq),
      group_(kv_heads > 0 ? q_heads / kv_heads : 0),
      cache_dtype_(cache_dtype),
      cache_dt_(dnnl_dtype(cache_dtype, "attention")) {
  require(q_heads > 0 && kv_heads > 0 && head_dim > 0 && batch > 0 && max_seq > 0 &&
              q_heads % kv_heads == 0,
          "attention",
          "q_heads " + std::to_string(q_heads) + ", kv_heads " + std::to_string(kv_heads) +
              ", head_dim " + std::to_string(head_dim) + ", batch " + std::to_string(batch) +
              ", max_seq " + std::to_string(max_seq) +
              ": sizes must be positive and q_heads a multiple of kv_heads");
  const auto cache_bytes = static_cast<std::size_t>(batch * kv_heads * max_seq * head_dim) *
                           comm::element_size(cache_dtype);
  k_cache_.assign(cache_bytes, std::byte{0});
  v_cache_.assign(cache_bytes, std::byte{0});
}

void Attention::check_inputs(const char* kernel, std::int64_t tokens, const comm::Tensor& q,
                             const comm::Tensor& k, const comm::Tensor& v,
                             const comm::Tensor& out) const {
  require_matrix(q, kernel, "q", tokens, q_heads_ * head_dim_, comm::DType::kF32);
  require_matrix(k, kernel, "k", tokens, kv_heads_ * head_dim_, comm::DType::kF32);
  require_matrix(v, kernel, "v", tokens, kv_heads_ * head_dim_, comm::DType::kF32);
  require_matrix(out, kernel, "out", tokens, q_heads_ * head_dim_, comm::DType::kF32);
}

void Attention::store(const comm::Tensor& k, const comm::Tensor& v, std::int64_t seq,
                      std::int64_t first) {
  const std::int64_t d = head_dim_, hkv = kv_heads_;
  const dnnl::memory::dims dims{batch_, hkv, seq, d};
  const dnnl::memory::desc rows_md(dims, dt::f32, dnnl::memory::dims{seq * hkv * d, d, hkv * d, 1});
  const dnnl::memory::desc cache_md(dims, cache_dt_,
                                    dnnl::memory::dims{hkv * max_seq_ * d, max_seq_ * d, d, 1});
  const std::size_t offset = static_cast<std::size_t>(first * d) * comm::element_size(cache_dtype_);
  reorder("attention cache store", rows_md, k.bytes().data(), cache_md, k_cache_.data() + offset);
  reorder("attention cache store", rows_md, v.bytes().data(), cache_md, v_cache_.data() + offset);
}

void Attention::clear_positions(std::int64_t from, std::int64_t to) {
  const std::size_t esize = comm::element_size(cache_dtype_);
  const auto row_bytes = static_cast<std::size_t>(head_dim_) * esize;
  for (std::int64_t bg = 0; bg < batch_ * kv_heads_; ++bg) {
    const std::size_t offset = static_cast<std::size_t>(bg * max_seq_ + from) * row_bytes;
    const std::size_t bytes = static_cast<std::size_t>(to - from) * row_bytes;
    std::memset(k_cache_.data() + offset, 0, bytes);
    std::memset(v_cache_.data() + offset, 0, bytes);
  }
}

std::int64_t Attention::key_span(std::int64_t end) const {
  return std::min((end + kKeyBlock - 1) / kKeyBlock * kKeyBlock, max_seq_);
}

Attention::Block& Attention::block(std::int64_t rows, std::int64_t keys) {
  const auto key = std::make_pair(rows, keys);
  if (auto it = blocks_.find(key); it != blocks_.end()) return it->second;
  const std::int64_t d = head_dim_;
  const std::string shape = " [" + std::to_string(rows) + " rows, " + std::to_string(keys) +
                            " keys, head_dim " + std::to_string(d) + ", " +
                            std::string(comm::dtype_name(cache_dtype_)) + "]";
  const dnnl::memory::desc q_md({rows, d}, cache_dt_, tag::ab);
  const dnnl::memory::desc k_md({d, keys}, cache_dt_, tag::ba);  // the cache's [keys, D] rows
  const dnnl::memory::desc scores_md({rows, keys}, dt::f32, tag::ab);
  const dnnl::memory::desc probabilities_md({rows, keys}, cache_dt_, tag::ab);
  const dnnl::memory::desc v_md({keys, d}, cache_dt_, tag::ab);
  const dnnl::memory::desc out_md({rows, d}, dt::f32, tag::ab);
  const auto scores_pd = checked_pd("attention scores" + shape, [&] {
    dnnl::post_ops scale;
    scale.append_eltwise(1.F, dnnl::algorithm::eltwise_linear,
                         static_cast<float>(1.0 / std::sqrt(static_cast<double>(d))), 0.F);
    dnnl::primitive_attr attr;
    attr.set_post_ops(scale);
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(q_md, k_md, scores_md), attr,
                                        cpu_engine());
  });
  const auto softmax_pd = checked_pd("attention softmax" + shape, [&] {
    return dnnl::softmax_v2_forward::primitive_desc(
        dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference,
                                       dnnl::algorithm::softmax_accurate, scores_md,
                                       probabilities_md, 1),
        cpu_engine());
  });
  const auto sum_pd = checked_pd("attention probabilities x values" + shape, [&] {
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(probabilities_md, v_md, out_md),
                                        cpu_engine());
  });
  return blocks_
      .emplace(key, Block{dnnl::matmul(scores_pd), dnnl::softmax_v2_forward(softmax_pd),
                          dnnl::matmul(sum_pd)})
      .first->second;
}

void Attention::attend(std::int64_t b, std::int64_t g, std::int64_t first, std::int64_t count,
                       const std::byte* q_rows, float* out_rows) {
  const std::int64_t rows = count * group_;
  const std::int64_t keys = key_span(first + count);
  const std::int64_t d = head_dim_;
  Block& blk = block(rows, keys);
  const auto cells = static_cast<std::size_t>(rows * keys);
  if (scores_.size() < cells) scores_.resize(cells);
  const std::size_t esize = comm::element_size(cache_dtype_);
  const bool f32 = cache_dtype_ == comm::DType::kF32;
  if (!f32 && probabilities_.size() < cells * esize) probabilities_.resize(cells * esize);
  void* probabilities = f32 ? static_cast<void*>(scores_.data()) : probabilities_.data();
  const std::size_t kv_offset =
      static_cast<std::size_t>((b * kv_heads_ + g) * max_seq_ * d) * esize;

  const dnnl::memory::desc scores_md({rows, keys}, dt::f32, tag::ab);
  const dnnl::memory::desc probabilities_md({rows, keys}, cache_dt_, tag::ab);
  const dnnl::memory scores = wrap(scores_md, scores_.data());
  execute(blk.scores,
          {{DNNL_ARG_SRC, wrap(dnnl::memory::desc({rows, d}, cache_dt_, tag::ab), q_rows)},
           {DNNL_ARG_WEIGHTS,
            wrap(dnnl::memory::desc({d, keys}, cache_dt_, tag::ba), k_cache_.data() + kv_offset)},
           {DNNL_ARG_DST, scores}});
  // Causal mask: row (p, j) is query position first + p; it sees keys 0..first + p.
  constexpr float kMasked = -std::numeric_limits<float>::infinity();
  for (std::int64_t p = 0; p < count; ++p) {
    const std::int64_t visible = first + p + 1;
    for (std::int64_t j = 0; j < group_; ++j) {
      float* row = scores_.data() + (p * group_ + j) * keys;
      std::fill(row + visible, row + keys, kMasked);
    }
  }
  const dnnl::memory probabilities_mem = wrap(probabilities_md, probabilities);
  execute(blk.softmax, {{DNNL_ARG_SRC, scores}, {DNNL_ARG_DST, probabilities_mem}});
  execute(blk.weighted_sum,
          {{DNNL_ARG_SRC, probabilities_mem},
           {DNNL_ARG_WEIGHTS,
            wrap(dnnl::memory::desc({keys, d}, cache_dt_, tag::ab), v_cache_.data() + kv_offset)},
           {DNNL_ARG_DST, wrap(dnnl::memory::desc({rows, d}, dt::f32, tag::ab), out_rows)}});
}

void Attention::regroup(const void* src, dt src_dt, void* dst, dt dst_dt, std::int64_t seq,
                        bool to_grouped) const {
  const std::int64_t width = group_ * head_dim_;  // one kv head's query heads, side by side
  const dnnl::memory::dims dims{batch_, kv_heads_, seq, width};
  const dnnl::memory::dims row_strides{seq * q_heads_ * head_dim_, width, q_heads_ * head_dim_, 1};
  if (to_grouped) {
    reorder("attention query regroup", dnnl::memory::desc(dims, src_dt, row_strides), src,
            dnnl::memory::desc(dims, dst_dt, tag::abcd), dst);
  } else {
    reorder("attention output regroup", dnnl::memory::desc(dims, src_dt, tag::abcd), src,
            dnnl::memory::desc(dims, dst_dt, row_strides), dst);
  }
}

KernelCost Attention::prefill(const comm::Tensor& q, const comm::Tensor& k, const comm::Tensor& v,
                              std::int64_t seq, comm::Tensor& out) {
  constexpr const char* kName = "attention_prefill";
  require(
      seq >= 1 && seq <= max_seq_, kName,
      "seq " + std::to_string(seq) + " is outside [1, max_seq " + std::to_string(max_seq_) + "]");
  check_inputs(kName, batch_ * seq, q, k, v, out);
  store(k, v, seq, 0);
  if (written_ > seq) clear_positions(seq, written_);  // keys beyond a block's limit stay finite
  written_ = seq;
  length_ = seq;

  const std::size_t esize = comm::element_size(cache_dtype_);
  const auto elements = static_cast<std::size_t>(batch_ * seq * q_heads_ * head_dim_);
  if (q_grouped_.size() < elements * esize) q_grouped_.resize(elements * esize);
  if (out_grouped_.size() < elements) out_grouped_.resize(elements);
  regroup(q.bytes().data(), dt::f32, q_grouped_.data(), cache_dt_, seq, /*to_grouped=*/true);
  const std::int64_t width = group_ * head_dim_;
  for (std::int64_t b = 0; b < batch_; ++b) {
    for (std::int64_t g = 0; g < kv_heads_; ++g) {
      const std::int64_t base = (b * kv_heads_ + g) * seq * width;
      for (std::int64_t first = 0; first < seq; first += kQueryTile) {
        const std::int64_t offset = base + first * width;
        attend(b, g, first, std::min(kQueryTile, seq - first),
               q_grouped_.data() + static_cast<std::size_t>(offset) * esize,
               out_grouped_.data() + offset);
      }
    }
  }
  regroup(out_grouped_.data(), dt::f32, out.mutable_bytes().data(), dt::f32, seq,
          /*to_grouped=*/false);
  return prefill_cost(batch_, seq, q_heads_, kv_heads_, head_dim_, cache_dtype_);
}

KernelCost Attention::decode(const comm::Tensor& q, const comm::Tensor& k, const comm::Tensor& v,
                             comm::Tensor& out) {
  constexpr const char* kName = "attention_decode";
  check_inputs(kName, batch_, q, k, v, out);
  require(length_ < max_seq_, kName,
          "the KV cache is full (" + std::to_string(max_seq_) + " positions)");
  store(k, v, 1, length_);
  written_ = std::max(written_, length_ + 1);

  // With one position per sequence the row layout is already the grouped layout.
  const std::byte* q_rows = q.bytes().data();
  const std::size_t esize = comm::element_size(cache_dtype_);
  if (cache_dtype_ != comm::DType::kF32) {
    const auto bytes = static_cast<std::size_t>(q.numel()) * esize;
    if (q_grouped_.size() < bytes) q_grouped_.resize(bytes);
    regroup(q_rows, dt::f32, q_grouped_.data(), cache_dt_, 1, /*to_grouped=*/true);
    q_rows = q_grouped_.data();
  }
  float* out_rows = out.data<float>().data();
  const std::int64_t width = group_ * head_dim_;
  for (std::int64_t b = 0; b < batch_; ++b) {
    for (std::int64_t g = 0; g < kv_heads_; ++g) {
      const std::int64_t offset = (b * kv_heads_ + g) * width;
      attend(b, g, length_, 1, q_rows + static_cast<std::size_t>(offset) * esize,
             out_rows + offset);
    }
  }
  length_ += 1;
  return decode_cost(batch_, length_, q_heads_, kv_heads_, head_dim_, cache_dtype_);
}

KernelCost Attention::prefill_cost(std::int64_t batch, std::int64_t seq, std::int64_t q_heads,
                                   std::int64_t kv_heads, std::int64_t head_dim,
                                   comm::DType cache_dtype) {
  const double s = static_cast<double>(seq);
  return attention_cost("attention_prefill", static_cast<double>(batch), s, s * (s + 1) / 2, s,
                        q_heads, kv_heads, head_dim, cache_dtype);
}

KernelCost Attention::decode_cost(std::int64_t batch, std::int64_t context, std::int64_t q_heads,
                                  std::int64_t kv_heads, std::int64_t head_dim,
                                  comm::DType cache_dtype) {
  const double c = static_cast<double>(context);
  return attention_cost("attention_decode", static_cast<double>(batch), 1.0, c, c, q_heads,
                        kv_heads, head_dim, cache_dtype);
}

}  // namespace commsim::kernels
