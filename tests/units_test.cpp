#include "scenarios/units.h"

#include <gtest/gtest.h>

namespace commsim::scenario {
namespace {

double value_of(const Quantity& quantity) {
  EXPECT_TRUE(quantity.value.has_value()) << quantity.error;
  EXPECT_TRUE(quantity.error.empty());
  return quantity.value.value_or(-1);
}

TEST(ParseBandwidth, BitsPerSecondAreConvertedToBytesPerSecond) {
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("25Gbps")), 3.125e9);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("100Mbps")), 12.5e6);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("8kbps")), 1000);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("8Kbps")), 1000);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("8bps")), 1);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("1Tbps")), 1.25e11);
}

TEST(ParseBandwidth, BytesPerSecondAreKept) {
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("200GBps")), 200e9);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("3MBps")), 3e6);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("2KBps")), 2000);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("2kBps")), 2000);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("7Bps")), 7);
}

TEST(ParseBandwidth, BinaryPrefixesArePowersOf1024) {
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("1KiBps")), 1024);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("2MiBps")), 2.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("1GiBps")), 1024.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("8Kibps")), 1024);
}

TEST(ParseBandwidth, AcceptsFractionsExponentsAndWhitespace) {
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("1.5GBps")), 1.5e9);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("2e3Bps")), 2000);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("  25 Gbps ")), 3.125e9);
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("+4Bps")), 4);
}

TEST(ParseBandwidth, NegativeValuesParseSoCallersCanReportTheRange) {
  EXPECT_DOUBLE_EQ(value_of(parse_bandwidth("-1GBps")), -1e9);
}

TEST(ParseBandwidth, BareNumberIsRejectedAndTheMessageListsTheUnits) {
  const Quantity quantity = parse_bandwidth("25");
  EXPECT_FALSE(quantity);
  EXPECT_NE(quantity.error.find("'25' has no unit"), std::string::npos) << quantity.error;
  EXPECT_NE(quantity.error.find("bps"), std::string::npos);
  EXPECT_NE(quantity.error.find("Bps"), std::string::npos);
  EXPECT_NE(quantity.error.find("25Gbps"), std::string::npos);
}

TEST(ParseBandwidth, UnknownUnitIsNamed) {
  const Quantity quantity = parse_bandwidth("25Gbit");
  EXPECT_FALSE(quantity);
  EXPECT_NE(quantity.error.find("unknown unit 'Gbit'"), std::string::npos) << quantity.error;
}

TEST(ParseBandwidth, UnitsAreCaseSensitive) {
  EXPECT_FALSE(parse_bandwidth("25gbps"));
  EXPECT_FALSE(parse_bandwidth("25GBPS"));
}

TEST(ParseBandwidth, RejectsTextWithoutANumber) {
  EXPECT_FALSE(parse_bandwidth(""));
  EXPECT_FALSE(parse_bandwidth("   "));
  EXPECT_FALSE(parse_bandwidth("fast"));
  EXPECT_FALSE(parse_bandwidth("Gbps"));
  EXPECT_FALSE(parse_bandwidth("infGbps"));
  EXPECT_FALSE(parse_bandwidth("nanBps"));
  EXPECT_FALSE(parse_bandwidth("--1Bps"));
  EXPECT_FALSE(parse_bandwidth("+-1Bps"));
}

TEST(ParseTime, AcceptsNanoMicroMilliAndSeconds) {
  EXPECT_DOUBLE_EQ(value_of(parse_time("100ns")), 100e-9);
  EXPECT_DOUBLE_EQ(value_of(parse_time("10us")), 10e-6);
  EXPECT_DOUBLE_EQ(value_of(parse_time("1.5ms")), 1.5e-3);
  EXPECT_DOUBLE_EQ(value_of(parse_time("2s")), 2);
  EXPECT_DOUBLE_EQ(value_of(parse_time("0s")), 0);
}

TEST(ParseTime, BareNumberIsRejectedAndTheMessageListsTheUnits) {
  const Quantity quantity = parse_time("10");
  EXPECT_FALSE(quantity);
  EXPECT_NE(quantity.error.find("'10' has no unit"), std::string::npos) << quantity.error;
  EXPECT_NE(quantity.error.find("ns, us, ms or s"), std::string::npos) << quantity.error;
}

TEST(ParseTime, MinutesAndOtherUnitsAreRejected) {
  EXPECT_FALSE(parse_time("1m"));
  EXPECT_FALSE(parse_time("1h"));
  EXPECT_FALSE(parse_time("1sec"));
  EXPECT_FALSE(parse_time("10Us"));
}

TEST(ParseFlops, AcceptsFAndFlopsWithDecimalPrefixes) {
  EXPECT_DOUBLE_EQ(value_of(parse_flops("100Gf")), 100e9);
  EXPECT_DOUBLE_EQ(value_of(parse_flops("2.5Tflops")), 2.5e12);
  EXPECT_DOUBLE_EQ(value_of(parse_flops("1Mf")), 1e6);
  EXPECT_DOUBLE_EQ(value_of(parse_flops("3kf")), 3e3);
  EXPECT_DOUBLE_EQ(value_of(parse_flops("7f")), 7);
}

TEST(ParseFlops, BareNumberAndBinaryPrefixesAreRejected) {
  EXPECT_FALSE(parse_flops("100"));
  EXPECT_FALSE(parse_flops("1Gif"));
}

TEST(ParseBytes, AcceptsDecimalAndBinaryPrefixes) {
  EXPECT_DOUBLE_EQ(value_of(parse_bytes("4KiB")), 4096);
  EXPECT_DOUBLE_EQ(value_of(parse_bytes("1MiB")), 1024.0 * 1024);
  EXPECT_DOUBLE_EQ(value_of(parse_bytes("1GiB")), 1024.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(value_of(parse_bytes("1MB")), 1e6);
  EXPECT_DOUBLE_EQ(value_of(parse_bytes("3kB")), 3000);
  EXPECT_DOUBLE_EQ(value_of(parse_bytes("9B")), 9);
}

TEST(ParseBytes, BareNumberIsACountOfBytes) { EXPECT_DOUBLE_EQ(value_of(parse_bytes("512")), 512); }

TEST(ParseBytes, BitsAreNotASize) {
  const Quantity quantity = parse_bytes("8b");
  EXPECT_FALSE(quantity);
  EXPECT_NE(quantity.error.find("unknown unit 'b'"), std::string::npos) << quantity.error;
}

TEST(ParsePlainNumber, AcceptsOnlyANumberWithoutUnit) {
  double value = 0;
  EXPECT_TRUE(parse_plain_number("100", &value));
  EXPECT_DOUBLE_EQ(value, 100);
  EXPECT_TRUE(parse_plain_number(" -2.5 ", &value));
  EXPECT_DOUBLE_EQ(value, -2.5);
  EXPECT_TRUE(parse_plain_number("1e9", &value));
  EXPECT_DOUBLE_EQ(value, 1e9);
  EXPECT_TRUE(parse_plain_number("7", nullptr));
  EXPECT_FALSE(parse_plain_number("100Gf", &value));
  EXPECT_FALSE(parse_plain_number("", &value));
  EXPECT_FALSE(parse_plain_number("inf", &value));
  EXPECT_FALSE(parse_plain_number("1e", &value));
}

}  // namespace
}  // namespace commsim::scenario
