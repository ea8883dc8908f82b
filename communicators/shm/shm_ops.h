// The shared-memory operations of vLLM's csrc/cpu/shm.cpp over a joined ShmManager:
// shm_allreduce, shm_gather, shm_all_gather, shm_send_tensor_list, shm_recv_tensor_list.
//
// Every operation runs shm_cc_loop: the data is partitioned over the manager's threads
// (partition()), and each thread moves its range in half-buffer chunks on its own channel. The
// threads of vLLM run in parallel; here they advance in rounds (chunk k of every thread, then
// chunk k+1), which keeps each channel's order and charges each round's copies to the node's
// memory bus together, as concurrent copies share it.
#pragma once

#include <optional>
#include <set>
#include <vector>

#include "communicators/shm/shm_manager.h"
#include "communicators/tensor.h"

namespace commsim::comm::shm {

// shm_allreduce: in-place SUM, accumulated in float32 in rank-rotated order (own value, then
// rank+1, rank+2, ...), rounded once to the dtype. Errors as vLLM raises them:
// NotImplementedError `"shm_allreduce_sum" not implemented for 'Long'` for non-float dtypes, then
// RuntimeError `Invalid world size: N` when the group size is not in `world_sizes`.
void shm_allreduce(ShmManager& manager, Tensor& data, const std::set<int>& world_sizes);

// shm_gather: group rank `dst` receives every rank's data in outputs[rank] (outputs is null on
// the other ranks). Checks dst < group size.
void shm_gather(ShmManager& manager, const Tensor& data, std::vector<Tensor>* outputs, int dst);

// shm_all_gather: output holds every rank's data, rank-major. Checks that output.numel() is a
// multiple of data.numel() equal to the group size.
void shm_all_gather(ShmManager& manager, const Tensor& data, Tensor& output);

// shm_send_tensor_list: eager; returns once the bytes are in this rank's segment. A sender runs
// at most two chunks ahead of its receiver on each thread channel. At most 8 tensors counting
// the 192-byte metadata record that goes first.
void shm_send_tensor_list(ShmManager& manager, const std::vector<Tensor>& tensors, int dst);

// shm_recv_tensor_list: new 1-D tensors with the sender's dtypes, in the sender's order.
std::vector<Tensor> shm_recv_tensor_list(ShmManager& manager, int src);

}  // namespace commsim::comm::shm
