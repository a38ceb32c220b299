// UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Made on the
// device, so ids never need a server. Thread safety: reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace houqin {

using UuidBytes = std::array<std::uint8_t, 16>;

UuidBytes NewUuidV7Bytes(std::int64_t unix_ms);
std::string NewUuidV7(std::int64_t unix_ms);
std::string UuidToString(const UuidBytes& b);
// Parses the canonical lowercase 8-4-4-4-12 form only; anything else is nullopt.
std::optional<UuidBytes> ParseUuid(std::string_view s);

}  // namespace houqin
