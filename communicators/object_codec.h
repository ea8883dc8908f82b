// commsim's stand-in for vLLM's pickle: objects that cross the wire as uint8 tensors.
//
// The generic tensor-dict path sends a metadata list (per key: tensor metadata or a plain value);
// the name-agreement check all-gathers strings. Both are encoded as CBOR, so byte counts on the
// wire are realistic and decoding really parses what was sent.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "communicators/tensor.h"
#include "communicators/tensor_dict.h"

namespace commsim::comm {

// vLLM's TensorMetadata(device, dtype, size).
struct TensorMetadata {
  std::string device = "cpu";
  DType dtype = DType::kF32;
  Shape size;
};

using MetadataValue = std::variant<TensorMetadata, PlainValue>;
using MetadataList = std::vector<std::pair<std::string, MetadataValue>>;

using ObjectBytes = std::vector<std::byte>;

ObjectBytes encode_metadata(const MetadataList& list);
// Throws HarnessError on bytes that encode_metadata did not produce.
MetadataList decode_metadata(std::span<const std::byte> bytes);

// The SHM fast path's pickled [keys, sizes] record.
using KeySizes = std::vector<std::pair<std::string, Shape>>;
ObjectBytes encode_key_sizes(const KeySizes& key_sizes);
KeySizes decode_key_sizes(std::span<const std::byte> bytes);

ObjectBytes encode_string(const std::string& text);
std::string decode_string(std::span<const std::byte> bytes);

}  // namespace commsim::comm
