// Quantities with units, spelled as SimGrid spells them in platform files.
//
// Every parser takes the text of one value ("25Gbps", "1.5ms"), accepts surrounding whitespace and
// whitespace between the number and the unit, and returns the value in SI base units (bytes/s,
// seconds, flop/s, bytes) or an error message that says which units are accepted. Nothing here
// throws. Negative values parse (callers decide which sign and which zero is valid); NaN and
// infinities do not, and a value other than 0 must have its magnitude in the kind's range below.
// The ranges keep every time a run computes from them (bytes / bandwidth, flops / speed, sums of
// delays) finite and resolvable to the nanosecond in a double.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace commsim::scenario {

constexpr double kMinTime = 1e-9;          // 1ns: SimGrid's clock is a double of seconds
constexpr double kMaxTime = 1e6;           // 1000000s (11.6 days): a double still holds its ns
constexpr double kMinBandwidth = 1.0 / 8;  // 1bps
constexpr double kMaxBandwidth = 1e18;     // 1000PBps
constexpr double kMinFlops = 1;            // 1f
constexpr double kMaxFlops = 1e18;         // 1000Pf
constexpr double kMaxBytes = 1125899906842624.0;  // 1PiB

// The value of a quantity, or why the text is not one. Exactly one of the two is set.
struct Quantity {
  std::optional<double> value;
  std::string error;  // e.g. "'25' has no unit; a bandwidth needs one of ..."

  explicit operator bool() const { return value.has_value(); }
};

// Bandwidth, in bytes/s. Units: "bps" (bits/s) and "Bps" (bytes/s), each with an optional prefix:
// decimal k or K (1e3), M, G, T, P, or binary Ki, Mi, Gi, Ti, Pi (powers of 1024).
// "25Gbps" = 3.125e9, "200GBps" = 2e11, "1KiBps" = 1024. A bare number is an error.
Quantity parse_bandwidth(std::string_view text);

// Time, in seconds. Units: ns, us, ms, s. "10us" = 1e-5. A bare number is an error.
Quantity parse_time(std::string_view text);

// Computing speed, in flop/s. Units: "f" or "flops" with an optional decimal prefix k or K, M, G,
// T, P: "100Gf" = 1e11, "2.5Tflops" = 2.5e12. A bare number is an error.
Quantity parse_flops(std::string_view text);

// Size, in bytes. Units: "B" with an optional decimal (k or K, M, G, T) or binary (Ki, Mi, Gi, Ti)
// prefix, "4KiB" = 4096, "1MB" = 1e6. A bare number is a count of bytes.
Quantity parse_bytes(std::string_view text);

// True if `text` (after trimming whitespace) is a plain decimal number such as "100", "-2.5" or
// "1e9", with no unit. Sets *value when non-null.
bool parse_plain_number(std::string_view text, double* value);

}  // namespace commsim::scenario
