#include "communicators/object_codec.h"

#include <nlohmann/json.hpp>

#include "communicators/errors.h"

namespace commsim::comm {
namespace {

using nlohmann::json;

json plain_to_json(const PlainValue& value) {
  struct ToJson {
    json operator()(const None&) const { return {{"none", true}}; }
    json operator()(bool b) const { return {{"bool", b}}; }
    json operator()(std::int64_t i) const { return {{"int", i}}; }
    json operator()(double d) const { return {{"float", d}}; }
    json operator()(const std::string& s) const { return {{"str", s}}; }
  };
  return std::visit(ToJson{}, value);
}

PlainValue plain_from_json(const json& j) {
  if (j.contains("none")) return None{};
  if (j.contains("bool")) return j.at("bool").get<bool>();
  if (j.contains("int")) return j.at("int").get<std::int64_t>();
  if (j.contains("float")) return j.at("float").get<double>();
  return j.at("str").get<std::string>();
}

ObjectBytes to_bytes(const json& j) {
  const std::vector<std::uint8_t> cbor = json::to_cbor(j);
  ObjectBytes out(cbor.size());
  for (std::size_t i = 0; i < cbor.size(); ++i) out[i] = static_cast<std::byte>(cbor[i]);
  return out;
}

json from_bytes(std::span<const std::byte> bytes) {
  const auto* begin = reinterpret_cast<const std::uint8_t*>(bytes.data());
  return json::from_cbor(begin, begin + bytes.size());
}

}  // namespace

ObjectBytes encode_metadata(const MetadataList& list) {
  json items = json::array();
  for (const auto& [key, value] : list) {
    json item = {{"key", key}};
    if (const auto* meta = std::get_if<TensorMetadata>(&value)) {
      item["tensor"] = {{"device", meta->device},
                        {"dtype", std::string(dtype_name(meta->dtype))},
                        {"size", meta->size}};
    } else {
      item["value"] = plain_to_json(std::get<PlainValue>(value));
    }
    items.push_back(std::move(item));
  }
  return to_bytes(items);
}

MetadataList decode_metadata(std::span<const std::byte> bytes) {
  MetadataList list;
  try {
    for (const json& item : from_bytes(bytes)) {
      const std::string key = item.at("key").get<std::string>();
      if (item.contains("tensor")) {
        const json& t = item.at("tensor");
        const auto dtype = parse_dtype(t.at("dtype").get<std::string>());
        COMMSIM_CHECK(dtype.has_value(), "unknown dtype in tensor metadata");
        list.emplace_back(key, TensorMetadata{t.at("device").get<std::string>(), *dtype,
                                              t.at("size").get<Shape>()});
      } else {
        list.emplace_back(key, plain_from_json(item.at("value")));
      }
    }
  } catch (const json::exception& e) {
    throw HarnessError(std::string("undecodable metadata object: ") + e.what());
  }
  return list;
}

ObjectBytes encode_key_sizes(const KeySizes& key_sizes) {
  json keys = json::array();
  json sizes = json::array();
  for (const auto& [key, size] : key_sizes) {
    keys.push_back(key);
    sizes.push_back(size);
  }
  return to_bytes(json::array({keys, sizes}));
}

KeySizes decode_key_sizes(std::span<const std::byte> bytes) {
  try {
    const json record = from_bytes(bytes);
    const json& keys = record.at(0);
    const json& sizes = record.at(1);
    // `assert len(key_list) == len(size_list)` (cpu_communicator.py:333): no message.
    if (keys.size() != sizes.size()) throw AssertionError("");
    KeySizes out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      out.emplace_back(keys[i].get<std::string>(), sizes[i].get<Shape>());
    }
    return out;
  } catch (const json::exception& e) {
    throw HarnessError(std::string("undecodable key/size record: ") + e.what());
  }
}

ObjectBytes encode_string(const std::string& text) { return to_bytes(json(text)); }

std::string decode_string(std::span<const std::byte> bytes) {
  try {
    return from_bytes(bytes).get<std::string>();
  } catch (const json::exception& e) {
    throw HarnessError(std::string("undecodable string object: ") + e.what());
  }
}

}  // namespace commsim::comm
