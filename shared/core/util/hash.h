// SHA-256 helpers over OpenSSL's EVP interface. Thread safety: free functions, reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace houqin {

using Digest = std::array<std::uint8_t, 32>;

Digest Sha256(std::string_view bytes);
std::string ToHex(const std::uint8_t* data, std::size_t size);
inline std::string ToHex(const Digest& d) { return ToHex(d.data(), d.size()); }

// Incremental hashing, for state hashes over many records.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view bytes);
  // Length-prefixed update, so that ("ab","c") and ("a","bc") hash apart.
  void UpdateField(std::string_view bytes);
  Digest Finish();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque to spare callers the OpenSSL headers
};

}  // namespace houqin
