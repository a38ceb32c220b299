// The duty officer's PIN: set by the officer, checked on the device when they
// sign a handover. Only a random salt and a scrypt hash travel in events; the
// parameters travel with them, so that stronger ones can be adopted later
// without breaking the PINs already set.
//
// A PIN has few digits: anyone who holds a replica can try them all offline,
// and scrypt only makes each try cost ~30 MiB and tens of milliseconds. The
// real limit is who receives duty profiles (the duty devices of the site).
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>

#include "duty/duty.h"
#include "duty/internal.h"

namespace houqin::duty {

using namespace internal;

namespace {

constexpr std::string_view kKdf = "scrypt";
// N = 2^15, r = 8, p = 1: 32 MiB, the interactive-login setting of the scrypt paper.
constexpr std::uint64_t kScryptN = 1u << 15;
constexpr std::uint32_t kScryptR = 8;
constexpr std::uint32_t kScryptP = 1;
// Refuse stored parameters beyond these: a damaged or forged profile must not make a device
// allocate gigabytes.
constexpr std::uint64_t kMaxScryptN = 1u << 20;
constexpr std::uint64_t kMaxMemory = 256ull * 1024 * 1024;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMinPinDigits = 4, kMaxPinDigits = 12;

std::optional<std::string> FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (char c : hex.substr(i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else return std::nullopt;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

std::optional<std::array<std::uint8_t, kHashBytes>> Scrypt(const std::string& pin, const std::string& salt,
                                                           std::uint64_t n, std::uint32_t r, std::uint32_t p) {
  std::array<std::uint8_t, kHashBytes> out{};
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
  if (kdf == nullptr) return std::nullopt;
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return std::nullopt;
  std::uint64_t maxmem = kMaxMemory;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(pin.data()), pin.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  const bool ok = EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return out;
}

Status PinShape(const std::string& pin) {
  if (pin.size() < kMinPinDigits || pin.size() > kMaxPinDigits)
    return Bad("pin", "the PIN has 4 to 12 digits", "PIN应为4至12位数字");
  for (char c : pin)
    if (c < '0' || c > '9') return Bad("pin", "the PIN holds digits only", "PIN只能包含数字");
  bool same = true, up = true, down = true;
  for (std::size_t i = 1; i < pin.size(); ++i) {
    same = same && pin[i] == pin[0];
    up = up && pin[i] == pin[i - 1] + 1;
    down = down && pin[i] == pin[i - 1] - 1;
  }
  if (same || up || down)
    return Bad("pin", "the PIN is too easy to guess (one digit repeated or a plain run)",
               "PIN过于简单(同一数字重复或连续数字)");
  return Status::Ok();
}

}  // namespace

Status VerifyPin(Store& store, const std::string& user, const std::string& pin) {
  auto v = Load(store, entity::kProfile, user);
  if (!v || Str(v->fields, "status") != "active" || Str(v->fields, "hash").empty())
    return Status::NotFound("pin", {user + " has not set a duty PIN yet", user + " 尚未设置值班PIN"});
  const Json& f = v->fields;
  const std::int64_t n = Int(f, "n"), r = Int(f, "r"), p = Int(f, "p");
  auto salt = FromHex(Str(f, "salt"));
  auto want = FromHex(Str(f, "hash"));
  if (Str(f, "kdf") != kKdf || n < 2 || static_cast<std::uint64_t>(n) > kMaxScryptN || r < 1 || r > 64 || p < 1 ||
      p > 16 || !salt || !want || want->size() != kHashBytes)
    return Status::Corruption({"the duty PIN record of " + user + " is damaged; the admin must reset it",
                               user + " 的值班PIN记录已损坏, 请管理员清除后重新设置"});
  auto got = Scrypt(pin, *salt, static_cast<std::uint64_t>(n), static_cast<std::uint32_t>(r),
                    static_cast<std::uint32_t>(p));
  if (!got) return Status::Io({"the PIN could not be checked (scrypt failed)", "无法校验PIN(scrypt计算失败)"});
  if (CRYPTO_memcmp(got->data(), want->data(), kHashBytes) != 0)
    return Status::Refused("pin", {"wrong PIN for " + user, user + " 的PIN不正确"});
  return Status::Ok();
}

Result<Command> SetPin(Store& store, const Author& actor, const std::string& pin, const std::string& current_pin,
                       LocalTime now) {
  auto profile = Load(store, entity::kProfile, actor.user);
  const std::string status = profile ? Str(profile->fields, "status") : std::string();
  if (Status s = CheckStep(store, ProfileWorkflow(), status, kind::kPinSet, actor); !s.ok()) return s;
  if (status == "active") {
    if (current_pin.empty()) return Missing("current_pin", "the current PIN", "当前PIN");
    if (Status s = VerifyPin(store, actor.user, current_pin); !s.ok()) {
      if (s.IsRefused())
        return Status::Refused("current_pin", {"the current PIN is wrong", "当前PIN不正确"});
      return s;
    }
  }
  if (Status s = PinShape(pin); !s.ok()) return s;
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    return Status::Io({"no random bytes for the PIN salt", "无法生成PIN盐值"});
  auto hash = Scrypt(pin, salt, kScryptN, kScryptR, kScryptP);
  if (!hash) return Status::Io({"the PIN could not be hashed (scrypt failed)", "无法计算PIN哈希(scrypt失败)"});
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kProfile), actor.user, std::string(kind::kPinSet),
                        Json{{"salt", ToHex(reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size())},
                             {"hash", ToHex(hash->data(), hash->size())},
                             {"kdf", std::string(kKdf)},
                             {"n", kScryptN},
                             {"r", kScryptR},
                             {"p", kScryptP},
                             {"base", profile ? Str(profile->fields, "pin_event") : std::string()},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> ResetPin(Store& store, const Author& actor, const std::string& user, LocalTime now) {
  if (user.empty()) return Missing("user", "the officer", "值班人员");
  auto profile = Load(store, entity::kProfile, user);
  const std::string status = profile ? Str(profile->fields, "status") : std::string();
  if (!profile) return Status::NotFound("user", {user + " has no duty PIN", user + " 没有值班PIN"});
  if (Status s = CheckStep(store, ProfileWorkflow(), status, kind::kPinReset, actor); !s.ok()) return s;
  Command cmd;
  cmd.drafts.push_back(
      {std::string(entity::kProfile), user, std::string(kind::kPinReset), Json{{"at", now.ToString()}}});
  return cmd;
}

}  // namespace houqin::duty
