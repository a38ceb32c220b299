#include "util/uuid.h"

#include <openssl/rand.h>

#include <random>

namespace houqin {

UuidBytes NewUuidV7Bytes(std::int64_t unix_ms) {
  UuidBytes b{};
  const auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  if (RAND_bytes(b.data() + 6, 10) != 1) {
    // The CSPRNG failing is near impossible; ids must still be unique, so fall back.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    for (int i = 6; i < 16; ++i) b[i] = static_cast<std::uint8_t>(rng());
  }
  b[6] = static_cast<std::uint8_t>(0x70 | (b[6] & 0x0f));  // version 7
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));  // variant 10
  return b;
}

std::string NewUuidV7(std::int64_t unix_ms) { return UuidToString(NewUuidV7Bytes(unix_ms)); }

std::string UuidToString(const UuidBytes& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 0xf]);
  }
  return s;
}

std::optional<UuidBytes> ParseUuid(std::string_view s) {
  if (s.size() != 36) return std::nullopt;
  UuidBytes b{};
  int byte = 0;
  for (std::size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nib(s[i]), lo = nib(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    b[byte++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return b;
}

}  // namespace houqin
