#include "communicators/shm/shm_ops.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>

#include "communicators/errors.h"
#include "communicators/half_float.h"
#include "communicators/reduce_ops.h"
#include "communicators/shm/torch_check.h"

namespace commsim::comm::shm {
namespace {

// One chunk of one thread: elements [offset, offset + count) of the thread's range.
struct Chunk {
  ThreadShmContext* ctx;
  std::int64_t offset;
  std::int64_t count;
  bool fast;
};

// What a round of chunks cost: bytes through the memory bus and arithmetic.
struct Cost {
  std::size_t bytes = 0;
  double flops = 0;
};

// The steps of one chunk around its publication (commit_ready_stamp).
struct ChunkSteps {
  // Waits the writer needs, then copies into this rank's half. Returns the bytes copied.
  std::function<std::size_t(const Chunk&)> write;
  bool publish = true;  // receivers of point to point never publish
  // Waits for peers' publications, then reads their halves.
  std::function<Cost(const Chunk&)> read;
};

// shm_cc_loop, in rounds across threads (see the header).
void cc_loop(ShmManager& manager, std::int64_t elem_num, std::size_t elem_size,
             const ChunkSteps& steps) {
  RankEnv& env = manager.env();
  const Partition plan = partition(elem_num, elem_size, manager.thread_num());
  const std::int64_t rounds = plan.max_iterations();
  for (std::int64_t round = 0; round < rounds; ++round) {
    std::vector<Chunk> chunks;
    for (int t = 0; t < manager.thread_num(); ++t) {
      if (round >= plan.iterations(t)) continue;
      const ThreadRange& range = plan.threads[static_cast<std::size_t>(t)];
      const std::int64_t offset = range.offset + round * plan.max_iteration_elems;
      chunks.push_back(Chunk{manager.context(t), offset,
                             std::min(plan.max_iteration_elems, range.end - offset), range.fast});
    }
    std::size_t written = 0;
    if (steps.write) {
      for (const Chunk& chunk : chunks) written += steps.write(chunk);
    }
    env.charge_memory_copy(written);
    if (steps.publish) {
      for (const Chunk& chunk : chunks) chunk.ctx->commit_ready_stamp();
      env.notify_node();
    }
    Cost cost;
    if (steps.read) {
      for (const Chunk& chunk : chunks) {
        const Cost c = steps.read(chunk);
        cost.bytes += c.bytes;
        cost.flops += c.flops;
      }
    }
    env.charge_memory_copy(cost.bytes);
    env.charge_compute(cost.flops, static_cast<int>(chunks.size()));
    for (const Chunk& chunk : chunks) {
      chunk.ctx->next_stamp();
      chunk.ctx->next_buffer();
    }
    env.notify_node();
  }
}

// The write step of the collectives: outside fast mode wait until no peer is two chunks behind,
// then copy the chunk of `data` (elements of `size` bytes; null for phantom data) into this
// rank's half.
std::function<std::size_t(const Chunk&)> collective_write(ShmManager& manager,
                                                          const std::byte* data, std::size_t size) {
  return [&manager, data, size](const Chunk& c) {
    if (!c.fast) manager.wait_for_all(c.ctx, no_buffer_conflict);
    const auto bytes = static_cast<std::size_t>(c.count) * size;
    if (data) {
      std::memcpy(c.ctx->shm_ptr(c.ctx->rank), data + c.offset * static_cast<std::int64_t>(size),
                  bytes);
    }
    return bytes;
  };
}

bool is_floating(DType dtype) {
  return dtype == DType::kF32 || dtype == DType::kBF16 || dtype == DType::kF16;
}

// VLLM_DISPATCH_FLOATING_TYPES (csrc/dispatch_utils.h) on another dtype: PyTorch's AT_DISPATCH
// switch raises NotImplementedError "\"<name>\" not implemented for '<type>'".
void require_floating(const Tensor& data, const char* kernel) {
  if (!is_floating(data.dtype())) {
    throw NotImplementedError(std::string("\"") + kernel + "\" not implemented for '" +
                              std::string(scalar_type_name(data.dtype())) + "'");
  }
}

// Sums `count` elements: data[i] = T(fp32(data[i]) + sum_j fp32(peers[j][i])), peers in order.
template <typename T, float (*Widen)(T), T (*Narrow)(float)>
void sum_rotated(std::byte* data, const std::vector<const std::byte*>& peers, std::int64_t count) {
  auto* out = reinterpret_cast<T*>(data);
  for (std::int64_t i = 0; i < count; ++i) {
    float acc = Widen(out[i]);
    for (const std::byte* peer : peers) acc += Widen(reinterpret_cast<const T*>(peer)[i]);
    out[i] = Narrow(acc);
  }
}

float identity(float x) { return x; }

void sum_into(DType dtype, std::byte* data, const std::vector<const std::byte*>& peers,
              std::int64_t count) {
  switch (dtype) {
    case DType::kF32:
      return sum_rotated<float, identity, identity>(data, peers, count);
    case DType::kBF16:
      return sum_rotated<std::uint16_t, bf16_to_float, float_to_bf16>(data, peers, count);
    case DType::kF16:
      return sum_rotated<std::uint16_t, f16_to_float, float_to_f16>(data, peers, count);
    default:
      COMMSIM_CHECK(false, "sum_into: not a floating dtype");
  }
}

// c10::ScalarType codes, as vLLM's TensorListMeta stores them.
std::uint8_t scalar_type_code(DType dtype) {
  switch (dtype) {
    case DType::kU8:
      return 0;
    case DType::kI32:
      return 3;
    case DType::kI64:
      return 4;
    case DType::kF16:
      return 5;
    case DType::kF32:
      return 6;
    case DType::kBF16:
      return 15;
  }
  return 0;
}

DType dtype_of_code(std::uint8_t code) {
  switch (code) {
    case 1:  // Char: the int8 metadata record
    case 0:
      return DType::kU8;
    case 3:
      return DType::kI32;
    case 4:
      return DType::kI64;
    case 5:
      return DType::kF16;
    case 6:
      return DType::kF32;
    case 15:
      return DType::kBF16;
    default:
      // Only commsim's own sender writes these records; another code is a harness bug.
      throw HarnessError("shm_recv_tensor_list: unknown scalar type " + std::to_string(code));
  }
}

// vLLM's TensorListMeta: 192 bytes, so it always fits in thread 0's first 256-byte unit.
struct TensorListMeta {
  std::int64_t tensor_bytes[kMaxP2PSendTensorNum] = {};
  std::uint8_t tensor_types[kMaxP2PSendTensorNum] = {};
  std::int64_t tensor_num = 0;
  std::int64_t total_bytes = 0;
  std::uint64_t tensor_ptrs[kMaxP2PSendTensorNum] = {};  // sender-local, never read by peers
  // commsim's own use of vLLM's padding: bit i set when tensor i is phantom (a size without
  // bytes), so the receiver makes a phantom tensor too. Always 0 with real data, as in vLLM.
  std::uint8_t phantom_mask = 0;
  std::uint8_t padding[39] = {};
};
static_assert(sizeof(TensorListMeta) == 192);
static_assert(sizeof(TensorListMeta) < kMinThreadProcessSize);
constexpr std::uint8_t kCharCode = 1;

// One tensor of a stream: its bytes, or none (phantom) with the size it stands for.
struct StreamPiece {
  std::byte* data = nullptr;  // null: phantom, nothing is copied
  std::int64_t size = 0;
};

// The concatenated bytes of a tensor list, addressed by one offset (MemPiece / get_data).
// Phantom pieces take their place in the offsets but copy nothing.
class TensorStream {
 public:
  explicit TensorStream(std::vector<StreamPiece> pieces) : pieces_(std::move(pieces)) {}

  // Copies stream[offset, offset + n) to `out`.
  void read(std::int64_t offset, std::byte* out, std::int64_t n) const {
    visit(offset, n, [&](std::byte* piece, std::int64_t done, std::int64_t size) {
      std::memcpy(out + done, piece, static_cast<std::size_t>(size));
    });
  }
  // Copies `in` to stream[offset, offset + n).
  void write(std::int64_t offset, const std::byte* in, std::int64_t n) const {
    visit(offset, n, [&](std::byte* piece, std::int64_t done, std::int64_t size) {
      std::memcpy(piece, in + done, static_cast<std::size_t>(size));
    });
  }

 private:
  template <typename F>
  void visit(std::int64_t offset, std::int64_t n, F&& f) const {
    std::int64_t done = 0;
    for (const StreamPiece& piece : pieces_) {
      const std::int64_t size = piece.size;
      if (done >= n) return;
      if (offset >= size) {
        offset -= size;
        continue;
      }
      const std::int64_t take = std::min(size - offset, n - done);
      if (piece.data != nullptr) f(piece.data + offset, done, take);
      done += take;
      offset = 0;
    }
  }

  std::vector<StreamPiece> pieces_;
};

// bind_tensor_list: fills `meta` from the list (metadata record first).
void bind_tensor_list(TensorListMeta& meta, const std::vector<Tensor>& list) {
  // TORCH_CHECK_LE(tensor_list.size(), MAX_P2P_SEND_TENSOR_NUM) (shm.cpp:642 @ 2aab9acf4): the
  // macro's second argument is expanded before it is turned into text, so it reads "8".
  if (list.size() > static_cast<std::size_t>(kMaxP2PSendTensorNum)) {
    throw RuntimeError(torch_check_op_text("tensor_list.size()", "<=",
                                           std::to_string(kMaxP2PSendTensorNum),
                                           static_cast<std::int64_t>(list.size()),
                                           kMaxP2PSendTensorNum));
  }
  meta.tensor_num = static_cast<std::int64_t>(list.size());
  meta.total_bytes = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    meta.tensor_bytes[i] = static_cast<std::int64_t>(list[i].nbytes());
    meta.tensor_types[i] = i == 0 ? kCharCode : scalar_type_code(list[i].dtype());
    meta.total_bytes += meta.tensor_bytes[i];
    if (list[i].is_phantom()) meta.phantom_mask |= static_cast<std::uint8_t>(1u << i);
  }
}

TensorStream stream_of(std::vector<Tensor>& list) {
  std::vector<StreamPiece> pieces;
  for (Tensor& t : list) {
    pieces.push_back(StreamPiece{t.is_phantom() ? nullptr : t.mutable_bytes().data(),
                                 static_cast<std::int64_t>(t.nbytes())});
  }
  return TensorStream(std::move(pieces));
}

}  // namespace

void shm_allreduce(ShmManager& manager, Tensor& data, const std::set<int>& world_sizes) {
  require_floating(data, "shm_allreduce_sum");
  if (!world_sizes.contains(manager.group_size())) {
    throw RuntimeError("Invalid world size: " + std::to_string(manager.group_size()));
  }
  const std::size_t size = element_size(data.dtype());
  const int world = manager.group_size();
  std::byte* base = data.mutable_bytes().data();
  for (int t = 0; t < manager.thread_num(); ++t) manager.context(t)->set_stamp_slots(0, 0);
  ChunkSteps steps;
  steps.write = collective_write(manager, base, size);
  steps.read = [&](const Chunk& c) {
    manager.wait_for_all(c.ctx, stamp_ready);
    std::vector<const std::byte*> peers;
    for (int j = 1; j < world; ++j) peers.push_back(c.ctx->shm_ptr(c.ctx->swizzled_ranks[j]));
    if (base)
      sum_into(data.dtype(), base + c.offset * static_cast<std::int64_t>(size), peers, c.count);
    return Cost{static_cast<std::size_t>(c.count) * size * static_cast<std::size_t>(world - 1),
                static_cast<double>(c.count) * (world - 1)};
  };
  cc_loop(manager, data.numel(), size, steps);
}

void shm_gather(ShmManager& manager, const Tensor& data, std::vector<Tensor>* outputs, int dst) {
  require_floating(data, "shm_gather_impl");
  const int world = manager.group_size();
  if (dst >= world) {  // TORCH_CHECK_LT(dst, worldsize) (shm.cpp:575)
    throw RuntimeError(torch_check_op_text("dst", "<", "worldsize", dst, world));
  }
  const bool is_dst = manager.rank() == dst;
  COMMSIM_CHECK(!is_dst || (outputs && static_cast<int>(outputs->size()) == world),
                "shm_gather: dst needs one output per rank");
  const std::size_t size = element_size(data.dtype());
  const std::byte* input = data.bytes().data();
  for (int t = 0; t < manager.thread_num(); ++t) manager.context(t)->set_stamp_slots(0, 0);
  const auto at = [size](Tensor& t, std::int64_t offset) {
    return t.mutable_bytes().data() + offset * static_cast<std::int64_t>(size);
  };
  ChunkSteps steps;
  steps.write = collective_write(manager, input, size);
  steps.read = [&](const Chunk& c) {
    if (!is_dst) return Cost{};
    const auto bytes = static_cast<std::size_t>(c.count) * size;
    const int rank = c.ctx->rank;
    if (input)
      std::memcpy(at((*outputs)[static_cast<std::size_t>(rank)], c.offset),
                  input + c.offset * static_cast<std::int64_t>(size), bytes);
    for (int j = 1; j < world; ++j) {
      const int src = c.ctx->swizzled_ranks[j];
      manager.wait_for_one(c.ctx, src, stamp_ready);
      if (input)
        std::memcpy(at((*outputs)[static_cast<std::size_t>(src)], c.offset), c.ctx->shm_ptr(src),
                    bytes);
    }
    return Cost{bytes * static_cast<std::size_t>(world), 0};
  };
  cc_loop(manager, data.numel(), size, steps);
}

void shm_all_gather(ShmManager& manager, const Tensor& data, Tensor& output) {
  const std::int64_t in = data.numel();
  const std::int64_t out = output.numel();
  // in == 0: vLLM computes output_elem_num % 0 (shm.cpp:810), undefined behaviour (SIGFPE on
  // x86). Not modelled: commsim stops the run with its own error, never a text of vLLM's.
  if (in == 0) {
    throw HarnessError("shm_all_gather of an empty tensor: vLLM divides by zero here (not modelled)");
  }
  if (out % in != 0) {  // TORCH_CHECK_EQ(output_elem_num % input_elem_num, 0) (shm.cpp:810)
    throw RuntimeError(
        torch_check_op_text("output_elem_num % input_elem_num", "==", "0", out % in, 0));
  }
  require_floating(data, "shm_all_gather_impl");
  const int world = static_cast<int>(out / in);
  if (manager.group_size() != world) {  // TORCH_CHECK_EQ(ctx->group_size, world_size) (:816)
    throw RuntimeError(
        torch_check_op_text("ctx->group_size", "==", "world_size", manager.group_size(), world));
  }
  std::vector<Tensor> outputs;
  for (int r = 0; r < world; ++r) outputs.push_back(output.slice(r * in, in));
  shm_gather(manager, data, &outputs, manager.rank());
}

void shm_send_tensor_list(ShmManager& manager, const std::vector<Tensor>& tensors, int dst) {
  std::vector<Tensor> list{Tensor::zeros(DType::kU8, {sizeof(TensorListMeta)})};
  list.insert(list.end(), tensors.begin(), tensors.end());
  TensorListMeta meta;
  bind_tensor_list(meta, list);
  std::memcpy(list[0].mutable_bytes().data(), &meta, sizeof meta);
  const TensorStream stream = stream_of(list);
  for (int t = 0; t < manager.thread_num(); ++t) manager.context(t)->set_stamp_slots(0, 1);
  ChunkSteps steps;
  steps.write = [&](const Chunk& c) {
    manager.wait_for_one(c.ctx, dst, no_buffer_conflict);  // always, even in fast mode
    stream.read(c.offset, c.ctx->shm_ptr(c.ctx->rank), c.count);
    return static_cast<std::size_t>(c.count);
  };
  cc_loop(manager, meta.total_bytes, 1, steps);
}

std::vector<Tensor> shm_recv_tensor_list(ShmManager& manager, int src) {
  for (int t = 0; t < manager.thread_num(); ++t) manager.context(t)->set_stamp_slots(1, 0);
  ThreadShmContext* first = manager.context(0);
  manager.wait_for_one(first, src, stamp_ready);
  TensorListMeta sent;
  std::memcpy(&sent, first->shm_ptr(src), sizeof sent);
  if (sent.tensor_num < 1 || sent.tensor_num > kMaxP2PSendTensorNum) {
    // Only commsim's own sender writes these records; a bad one is a harness bug.
    throw HarnessError("shm_recv_tensor_list: corrupt metadata record");
  }
  std::vector<Tensor> list;
  for (std::int64_t i = 0; i < sent.tensor_num; ++i) {
    const DType dtype = dtype_of_code(sent.tensor_types[i]);
    const auto elem = static_cast<std::int64_t>(element_size(dtype));
    if (sent.tensor_bytes[i] % elem != 0) {  // TORCH_CHECK_EQ(bytes % elem_bytes, 0) (:666)
      throw RuntimeError(
          torch_check_op_text("bytes % elem_bytes", "==", "0", sent.tensor_bytes[i] % elem, 0));
    }
    const bool phantom = (sent.phantom_mask >> i) & 1u;
    list.push_back(phantom ? Tensor::phantom(dtype, {sent.tensor_bytes[i] / elem})
                           : Tensor::zeros(dtype, {sent.tensor_bytes[i] / elem}));
  }
  TensorListMeta mine;
  bind_tensor_list(mine, list);
  // TORCH_CHECK_EQ(metadata.total_bytes, src_metadata->total_bytes) (shm.cpp:749)
  if (mine.total_bytes != sent.total_bytes) {
    throw RuntimeError(torch_check_op_text("metadata.total_bytes", "==",
                                           "src_metadata->total_bytes", mine.total_bytes,
                                           sent.total_bytes));
  }
  const TensorStream stream = stream_of(list);
  ChunkSteps steps;
  steps.publish = false;
  steps.read = [&](const Chunk& c) {
    manager.wait_for_one(c.ctx, src, stamp_ready);
    stream.write(c.offset, c.ctx->shm_ptr(src), c.count);
    return Cost{static_cast<std::size_t>(c.count), 0};
  };
  cc_loop(manager, mine.total_bytes, 1, steps);
  list.erase(list.begin());
  return list;
}

}  // namespace commsim::comm::shm
