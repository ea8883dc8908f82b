#include "scenarios/model_spec.h"

namespace commsim::scenario {

namespace {

ModelSpec shape(int layers, int hidden, int heads, int kv_heads, int intermediate, int vocab,
                comm::DType dtype) {
  ModelSpec spec;
  spec.layers = layers;
  spec.hidden = hidden;
  spec.heads = heads;
  spec.kv_heads = kv_heads;
  spec.intermediate = intermediate;
  spec.vocab = vocab;
  spec.dtype = dtype;
  spec.comm_dtype = dtype;  // vLLM all-reduces and hands off activations in the model's dtype
  return spec;
}

std::string divisible(std::string_view what, int value, int tp) {
  return std::string(what) + " (" + std::to_string(value) +
         ") must be divisible by tensor parallel size (" + std::to_string(tp) + ")";
}

}  // namespace

const std::vector<ModelPreset>& model_presets() {
  static const std::vector<ModelPreset> presets = {
      {"llama-7b",
       "Llama 2 7B (meta-llama/Llama-2-7b-hf config.json): 32 layers, hidden 4096, 32 heads, "
       "32 KV heads, intermediate 11008, vocabulary 32000, bf16 (bf16 communication)",
       shape(32, 4096, 32, 32, 11008, 32000, comm::DType::kBF16)},
      {"llama-70b",
       "Llama 2 70B (meta-llama/Llama-2-70b-hf config.json): 80 layers, hidden 8192, 64 heads, "
       "8 KV heads, intermediate 28672, vocabulary 32000, bf16 (bf16 communication)",
       shape(80, 8192, 64, 8, 28672, 32000, comm::DType::kBF16)},
  };
  return presets;
}

const ModelPreset* find_model_preset(std::string_view name) {
  for (const ModelPreset& preset : model_presets()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

std::optional<std::string> model_layout_error(const ModelSpec& model, const Parallel& parallel) {
  const int tp = parallel.tensor;
  if (model.hidden % model.heads != 0) {
    return "hidden (" + std::to_string(model.hidden) + ") must be divisible by heads (" +
           std::to_string(model.heads) + ")";
  }
  if (model.head_dim() % 2 != 0) {
    return "the head size hidden / heads (" + std::to_string(model.head_dim()) +
           ") must be even for rotary embeddings";
  }
  if (model.heads % model.kv_heads != 0) {
    return "heads (" + std::to_string(model.heads) + ") must be divisible by kv_heads (" +
           std::to_string(model.kv_heads) + ")";
  }
  // vLLM's ModelConfig.verify_with_parallel_config.
  if (model.heads % tp != 0) {
    return "Total number of attention heads (" + std::to_string(model.heads) +
           ") must be divisible by tensor parallel size (" + std::to_string(tp) + ").";
  }
  // vLLM's QKVParallelLinear: KV heads are split when there are enough, replicated otherwise.
  if (model.kv_heads >= tp ? model.kv_heads % tp != 0 : tp % model.kv_heads != 0) {
    return "kv_heads (" + std::to_string(model.kv_heads) +
           ") must be divisible by tensor parallel size (" + std::to_string(tp) +
           "), or divide it (KV heads are then replicated)";
  }
  if (model.intermediate % tp != 0) return divisible("intermediate", model.intermediate, tp);
  if (model.vocab % tp != 0) {
    return divisible("vocab", model.vocab, tp) + "; commsim does not pad the vocabulary";
  }
  if (model.layers < parallel.pipeline) {
    return "layers (" + std::to_string(model.layers) +
           ") must be at least the pipeline parallel size (" + std::to_string(parallel.pipeline) +
           "): every stage holds a layer";
  }
  return std::nullopt;
}

std::vector<int> layers_per_stage(int layers, int stages) {
  std::vector<int> counts(static_cast<std::size_t>(stages), layers / stages);
  const int remaining = layers % stages;
  for (int i = 2; i < remaining + 2; ++i) ++counts[counts.size() - static_cast<std::size_t>(i)];
  return counts;
}

double model_weight_bytes(const ModelSpec& model) {
  const double h = model.hidden;
  const double d = model.head_dim();
  const double per_layer = h * (model.heads + 2.0 * model.kv_heads) * d      // qkv_proj
                           + model.heads * d * h                             // o_proj
                           + 3.0 * h * model.intermediate;                   // gate, up, down
  const double matrices = model.layers * per_layer + 2.0 * model.vocab * h;  // + embed, lm_head
  const double norms = (2.0 * model.layers + 1.0) * h * 4.0;                 // f32 gammas
  return matrices * static_cast<double>(comm::element_size(model.dtype)) + norms;
}

double stage_weight_bytes(const ModelSpec& model, int tp, int layers, bool first, bool last) {
  const double h = model.hidden;
  const double d = model.head_dim();
  const double q_heads = static_cast<double>(model.heads / tp);
  const double kv_heads = model.kv_heads >= tp ? model.kv_heads / tp : 1;
  const double per_layer = h * (q_heads + 2.0 * kv_heads) * d      // qkv_proj
                           + q_heads * d * h                       // o_proj
                           + 3.0 * h * (model.intermediate / tp);  // gate, up, down
  const double vocab_block = static_cast<double>(model.vocab / tp) * h;
  const double matrices =
      layers * per_layer + (first ? vocab_block : 0.0) + (last ? vocab_block : 0.0);
  const double norms = (2.0 * layers + (last ? 1.0 : 0.0)) * h * 4.0;
  return matrices * static_cast<double>(comm::element_size(model.dtype)) + norms;
}

}  // namespace commsim::scenario
