#include "scenarios/units.h"

#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

namespace commsim::scenario {
namespace {

struct Unit {
  std::string suffix;
  double scale;
};

struct UnitKind {
  const char* noun;      // "a bandwidth"
  const char* accepted;  // human-readable list of the accepted units, with an example
  std::vector<Unit> units;
  bool bare_allowed;  // a number without a unit is valid (scale 1)
  // The range of magnitudes (see units.h): a value v != 0 must have smallest <= |v| <= largest.
  double smallest;
  double largest;
  const char* range;  // the range as the messages state it
};

struct Prefix {
  const char* text;
  double scale;
};

constexpr Prefix kDecimalPrefixes[] = {{"", 1},    {"k", 1e3},  {"K", 1e3}, {"M", 1e6},
                                       {"G", 1e9}, {"T", 1e12}, {"P", 1e15}};
constexpr Prefix kBinaryPrefixes[] = {{"Ki", 1024.0},
                                      {"Mi", 1024.0 * 1024},
                                      {"Gi", 1024.0 * 1024 * 1024},
                                      {"Ti", 1024.0 * 1024 * 1024 * 1024},
                                      {"Pi", 1024.0 * 1024 * 1024 * 1024 * 1024}};

// Every prefix (decimal, and binary when `binary`) applied to every base unit.
std::vector<Unit> with_prefixes(const std::vector<Unit>& bases, bool binary) {
  std::vector<Unit> units;
  for (const Unit& base : bases) {
    for (const Prefix& prefix : kDecimalPrefixes) {
      units.push_back({prefix.text + base.suffix, prefix.scale * base.scale});
    }
    if (!binary) continue;
    for (const Prefix& prefix : kBinaryPrefixes) {
      units.push_back({prefix.text + base.suffix, prefix.scale * base.scale});
    }
  }
  return units;
}

const UnitKind& bandwidth_kind() {
  static const UnitKind kKind{
      "a bandwidth",
      "bps (bits/s) or Bps (bytes/s), optionally prefixed by k/K, M, G, T, P (powers of 1000) or "
      "Ki, Mi, Gi, Ti, Pi (powers of 1024), e.g. 25Gbps or 200GBps",
      with_prefixes({{"bps", 1.0 / 8}, {"Bps", 1.0}}, /*binary=*/true),
      false,
      kMinBandwidth,
      kMaxBandwidth,
      "from 1bps to 1000PBps"};
  return kKind;
}

const UnitKind& time_kind() {
  static const UnitKind kKind{"a time",
                              "ns, us, ms or s, e.g. 10us or 1.5ms",
                              {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}},
                              false,
                              kMinTime,
                              kMaxTime,
                              "from 1ns to 1000000s"};
  return kKind;
}

const UnitKind& flops_kind() {
  static const UnitKind kKind{
      "a computing speed",
      "f or flops, optionally prefixed by k/K, M, G, T, P (powers of 1000), e.g. 100Gf",
      with_prefixes({{"f", 1.0}, {"flops", 1.0}}, /*binary=*/false),
      false,
      kMinFlops,
      kMaxFlops,
      "from 1f to 1000Pf"};
  return kKind;
}

const UnitKind& bytes_kind() {
  static const UnitKind kKind{
      "a size",
      "B, optionally prefixed by k/K, M, G, T, P (powers of 1000) or Ki, Mi, Gi, Ti, Pi (powers "
      "of 1024), e.g. 4KiB, or a bare number of bytes",
      with_prefixes({{"B", 1.0}}, /*binary=*/true),
      true,
      1.0,
      kMaxBytes,
      "from 1B to 1PiB"};
  return kKind;
}

std::string_view trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  const auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// Parses the leading number of `text`; returns the number of characters used (0 = no number).
// *out_of_range (when non-null) is set for a number too large for a double ("1e400").
std::size_t parse_leading_number(std::string_view text, double* value,
                                 bool* out_of_range = nullptr) {
  // from_chars rejects an explicit '+' and accepts "inf" and "nan": allow one sign, then require a
  // digit or '.'.
  const std::size_t start = (!text.empty() && text[0] == '+') ? 1 : 0;
  std::size_t first = start;
  if (start == 0 && !text.empty() && text[0] == '-') first = 1;
  if (first >= text.size()) return 0;
  const char c = text[first];
  if (!((c >= '0' && c <= '9') || c == '.')) return 0;
  double parsed = 0;
  const char* begin = text.data() + start;
  const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), parsed);
  if (ec == std::errc::result_out_of_range && out_of_range != nullptr) *out_of_range = true;
  if (ec != std::errc() || !std::isfinite(parsed)) return 0;
  *value = parsed;
  return static_cast<std::size_t>(ptr - text.data());
}

Quantity failure(std::string message) { return Quantity{std::nullopt, std::move(message)}; }

Quantity out_of_bounds(const UnitKind& kind, std::string_view text) {
  return failure("'" + std::string(text) + "' is out of range; " + kind.noun + " must be 0 or " +
                 kind.range);
}

// `value` when it is 0 or its magnitude is in the kind's range (the sign is the caller's).
Quantity within_range(const UnitKind& kind, std::string_view text, double value) {
  const double magnitude = std::fabs(value);
  if (magnitude != 0 && !(magnitude >= kind.smallest && magnitude <= kind.largest)) {
    return out_of_bounds(kind, text);
  }
  return Quantity{value, {}};
}

Quantity parse_with(const UnitKind& kind, std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) {
    return failure(std::string("empty value; expected ") + kind.noun +
                   " with a unit: " + kind.accepted);
  }
  double number = 0;
  bool out_of_range = false;
  const std::size_t used = parse_leading_number(text, &number, &out_of_range);
  if (out_of_range) return out_of_bounds(kind, text);
  if (used == 0) {
    return failure("'" + std::string(text) + "' is not " + kind.noun + "; expected a number and " +
                   "a unit: " + kind.accepted);
  }
  const std::string_view unit = trim(text.substr(used));
  if (unit.empty()) {
    if (kind.bare_allowed) return within_range(kind, text, number);
    return failure("'" + std::string(text) + "' has no unit; " + kind.noun +
                   " needs one of: " + kind.accepted);
  }
  for (const Unit& candidate : kind.units) {
    if (unit == candidate.suffix) return within_range(kind, text, number * candidate.scale);
  }
  return failure("unknown unit '" + std::string(unit) + "' in '" + std::string(text) + "'; " +
                 kind.noun + " needs one of: " + kind.accepted);
}

}  // namespace

Quantity parse_bandwidth(std::string_view text) { return parse_with(bandwidth_kind(), text); }

Quantity parse_time(std::string_view text) { return parse_with(time_kind(), text); }

Quantity parse_flops(std::string_view text) { return parse_with(flops_kind(), text); }

Quantity parse_bytes(std::string_view text) { return parse_with(bytes_kind(), text); }

bool parse_plain_number(std::string_view raw, double* value) {
  const std::string_view text = trim(raw);
  double number = 0;
  const std::size_t used = parse_leading_number(text, &number);
  if (used == 0 || used != text.size()) return false;
  if (value != nullptr) *value = number;
  return true;
}

}  // namespace commsim::scenario
