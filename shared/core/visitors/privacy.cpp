#include "visitors/privacy.h"

#include <openssl/evp.h>

#include <array>

#include "util/hash.h"
#include "validation/validate.h"

namespace houqin::visitors {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

using validation::TrimSpaces;
}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (static_cast<std::uint8_t>(bytes[i]) << 16) |
                            (static_cast<std::uint8_t>(bytes[i + 1]) << 8) | static_cast<std::uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const std::uint32_t v =
        (static_cast<std::uint8_t>(bytes[i]) << 16) | (static_cast<std::uint8_t>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = Sextet(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, so that every byte string has exactly one encoding (a signed
  // token cannot be re-spelled).
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

Result<std::string> HmacSha256Hex(std::string_view key, std::string_view message) {
  if (key.empty())
    return Status::Invalid("site_key", {"the site key is not configured on this device",
                                        "本设备未配置院区密钥"});
  std::array<unsigned char, 32> mac{};
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), mac.size(),
                &len) == nullptr ||
      len != mac.size())
    return Status::Io({"HMAC-SHA256 failed in OpenSSL", "OpenSSL 计算 HMAC-SHA256 失败"});
  return ToHex(mac.data(), mac.size());
}

std::string NormalizeDocument(std::string_view value) {
  std::string out(TrimSpaces(value));
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string LastFour(std::string_view normalized) {
  return std::string(normalized.size() <= 4 ? normalized : normalized.substr(normalized.size() - 4));
}

Result<std::string> DocumentHash(std::string_view site_key, validation::DocumentKind kind,
                                 std::string_view normalized) {
  std::string message = "doc|";
  message += validation::DocumentKindName(kind);
  message += '|';
  message += normalized;
  return HmacSha256Hex(site_key, message);
}

Result<std::string> PhoneHash(std::string_view site_key, std::string_view normalized_phone) {
  return HmacSha256Hex(site_key, "tel|" + std::string(normalized_phone));
}

std::string DocumentMatchKey(std::string_view document_hash) { return "doc:" + std::string(document_hash); }
std::string PhoneMatchKey(std::string_view phone_hash) { return "tel:" + std::string(phone_hash); }

std::string MaskDocument(validation::DocumentKind kind, std::string_view last_four) {
  const std::string tail = LastFour(last_four);
  if (kind == validation::DocumentKind::kResidentId) return std::string(18 - tail.size(), '*') + tail;
  return "****" + tail;
}

std::string MaskDocument(std::string_view kind_name, std::string_view last_four) {
  if (auto kind = validation::ParseDocumentKind(kind_name)) return MaskDocument(*kind, last_four);
  return "****" + LastFour(last_four);
}

std::string MaskDocumentNumber(validation::DocumentKind kind, std::string_view number) {
  return MaskDocument(kind, LastFour(NormalizeDocument(number)));
}

std::string MaskPhone(std::string_view phone) {
  std::string digits;
  for (char c : phone)
    if (c >= '0' && c <= '9') digits += c;
  if (digits.size() == 13 && digits.starts_with("86")) digits = digits.substr(2);
  if (digits.size() == 11) return digits.substr(0, 3) + "****" + digits.substr(7);
  if (digits.size() <= 4) return std::string(digits.size(), '*');
  return "****" + digits.substr(digits.size() - 4);
}

Result<ProtectedDocument> ProtectDocument(std::string_view site_key, std::string_view kind_name,
                                          std::string_view number, std::string_view field) {
  auto kind = validation::ParseDocumentKind(kind_name);
  if (!kind)
    return Status::Invalid("document_kind",
                           {"choose the document: resident ID, passport, Hong Kong/Macau permit or Taiwan permit",
                            "请选择证件类型: 居民身份证、护照、港澳居民来往内地通行证或台湾居民来往大陆通行证"});
  if (Status s = validation::Document(*kind, number, field); !s.ok()) return s;
  const std::string normalized = NormalizeDocument(number);
  auto hash = DocumentHash(site_key, *kind, normalized);
  if (!hash.ok()) return hash.status();
  return ProtectedDocument{std::string(validation::DocumentKindName(*kind)), LastFour(normalized), *hash};
}

Text KioskNotice(std::int64_t retention_days) {
  const std::string days = std::to_string(retention_days);
  return {
      "Visitor registration notice. To keep these offices safe, every visitor from outside is registered on "
      "entry and on exit. We collect your name, your mobile number, the person or office you visit, the purpose "
      "of your visit, the size of your party and, where this site requires it, the type and number of your "
      "identity document (resident ID, passport, Hong Kong/Macau or Taiwan permit). Of the document number we "
      "keep only the last four characters and a keyed check value, used to recognise a returning visitor and "
      "for security checks; the full number is not stored and is shown masked on every screen and record. "
      "Your information is used only for entry and exit registration, security and emergency evacuation, is "
      "seen only by the reception, the guard and the person you visit, and is deleted automatically " +
          days +
          " days after your visit. Visitors may not use office telephones or fax machines without approval. "
          "Please confirm that you have read and accept this notice before you register.",
      "来访登记告知: 为保障机关办公安全, 外来人员进出均须登记. 本机收集您的姓名、手机号码、被访人或部门、来访事由、"
      "同行人数, 以及按本单位规定需要时的证件类型和号码(居民身份证、护照、港澳居民来往内地通行证、台湾居民来往大陆"
      "通行证). 证件号码仅保存末四位及加密校验值, 用于识别再次来访和安全核查, 不保存完整号码, 在所有屏幕和记录中均以"
      "遮蔽形式显示. 您的信息仅用于进出登记、安全保卫和紧急疏散, 仅接待人员、门卫和被访人可见, 来访结束 " +
          days +
          " 天后自动清除. 外来人员未经批准不得使用机关办公电话和传真. 请阅读并确认同意本告知后再登记."};
}

}  // namespace houqin::visitors
