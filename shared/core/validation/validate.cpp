#include "validation/validate.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <utility>

namespace houqin::validation {

// Chinese input methods produce U+3000 as readily as ASCII spaces.
std::string_view TrimSpaces(std::string_view s) {
  constexpr std::string_view kAscii = " \t\r\n\f\v";
  constexpr std::string_view kIdeographic = "\u3000";
  for (;;) {
    if (!s.empty() && kAscii.find(s.front()) != std::string_view::npos) {
      s.remove_prefix(1);
    } else if (s.starts_with(kIdeographic)) {
      s.remove_prefix(kIdeographic.size());
    } else if (!s.empty() && kAscii.find(s.back()) != std::string_view::npos) {
      s.remove_suffix(1);
    } else if (s.ends_with(kIdeographic)) {
      s.remove_suffix(kIdeographic.size());
    } else {
      return s;
    }
  }
}

namespace {

// Strict: overlong forms, surrogates and values past U+10FFFF are refused, so
// the number of code points is the number of characters a person sees.
std::optional<std::u32string> Decode(std::string_view s) {
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (lead < 0x80) {
      len = 1, cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      len = 2, cp = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      len = 3, cp = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      len = 4, cp = lead & 0x07, min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (s.size() - i < len) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    out += cp;
    i += len;
  }
  return out;
}


std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool IsUpper(char32_t c) { return c >= U'A' && c <= U'Z'; }

int ToInt(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

std::string Num(size_t n) { return std::to_string(n); }

// A control character would vanish from the message, so name it instead.
std::string Shown(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "U+%04X", static_cast<unsigned>(c));
    return buf.data();
  }
  std::string out;
  const auto byte = [&out](char32_t b) { out += static_cast<char>(b); };
  if (c < 0x80) {
    byte(c);
  } else if (c < 0x800) {
    byte(0xC0 | (c >> 6)), byte(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    byte(0xE0 | (c >> 12)), byte(0x80 | ((c >> 6) & 0x3F)), byte(0x80 | (c & 0x3F));
  } else {
    byte(0xF0 | (c >> 18)), byte(0x80 | ((c >> 12) & 0x3F)), byte(0x80 | ((c >> 6) & 0x3F)), byte(0x80 | (c & 0x3F));
  }
  return out;
}

Status Fail(std::string_view field, std::string en, std::string zh) {
  return Status::Invalid(std::string(field), Text{std::move(en), std::move(zh)});
}

Status NotUtf8(std::string_view field) {
  return Fail(field, "contains bytes that are not valid UTF-8 text", "包含无效的UTF-8字符");
}

Status Empty(std::string_view field) { return Fail(field, "is empty", "未填写"); }

Status BadLength(std::string_view field, size_t n, std::string_view expected_en,
                 std::string_view expected_zh) {
  return Fail(field, "has " + Num(n) + (n == 1 ? " character" : " characters") + ", expected " + std::string(expected_en),
              "长度为" + Num(n) + "位，应为" + std::string(expected_zh));
}

// `index` is 0-based; people count from 1.
Status BadChar(std::string_view field, size_t index, char32_t c, std::string_view rule_en,
               std::string_view rule_zh) {
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on a chain starting "'" + std::string.
  const std::string shown = Shown(c), position = Num(index + 1);
  std::string en = "'";
  en.append(shown).append("' at position ").append(position).append(" is not allowed: ").append(rule_en);
  std::string zh = "第";
  zh.append(position).append("位“").append(shown).append("”不允许：").append(rule_zh);
  return Fail(field, std::move(en), std::move(zh));
}

// Decodes the normalized text; on failure `error` holds the Status to return.
struct Chars {
  std::u32string chars;
  Status error;
};

Chars DecodeNonEmpty(std::string_view text, std::string_view field) {
  auto decoded = Decode(text);
  if (!decoded) return {{}, NotUtf8(field)};
  if (decoded->empty()) return {{}, Empty(field)};
  return {std::move(*decoded), Status::Ok()};
}

// Birth dates on PRC documents are in China Standard Time (UTC+8, no
// daylight saving), whatever zone the host runs in.
int TodayInChina() {
  using namespace std::chrono;
  const year_month_day d{floor<days>(system_clock::now() + hours{8})};
  return static_cast<int>(d.year()) * 10000 + static_cast<int>(static_cast<unsigned>(d.month())) * 100 +
         static_cast<int>(static_cast<unsigned>(d.day()));
}

}  // namespace

// --- Resident identity card ------------------------------------------------

std::string NormalizeResidentId(std::string_view value) { return UpperAscii(TrimSpaces(value)); }

Status ResidentId(std::string_view value, std::string_view field, std::optional<int> today_yyyymmdd) {
  const std::string id = NormalizeResidentId(value);
  const auto [chars, error] = DecodeNonEmpty(id, field);
  if (!error.ok()) return error;
  if (chars.size() != 18) return BadLength(field, chars.size(), "18", "18位");
  for (size_t i = 0; i < 17; ++i) {
    if (!IsDigit(chars[i])) {
      return BadChar(field, i, chars[i], "the first 17 characters must be digits", "前17位必须是数字");
    }
  }
  if (!IsDigit(chars[17]) && chars[17] != U'X') {
    return BadChar(field, 17, chars[17], "the last character must be a digit or X", "末位必须是数字或X");
  }
  // Every character is ASCII from here on, so bytes and characters coincide.

  const std::string region = id.substr(0, 6);
  const bool hk_macau_taiwan = id[0] == '8' && id[1] >= '1' && id[1] <= '3';
  if ((id[0] < '1' || id[0] > '6') && !hk_macau_taiwan) {
    return Fail(field,
                "region code " + region +
                    " is not a PRC administrative division: it must start with 1 to 6, or 81 to 83 "
                    "for Hong Kong, Macau and Taiwan residents",
                "地区码" + region + "无效：首位应为1至6，港澳台居民应为81至83");
  }

  const std::string birth = id.substr(6, 8);
  const std::chrono::year_month_day date{std::chrono::year{ToInt(birth.substr(0, 4))},
                                         std::chrono::month{static_cast<unsigned>(ToInt(birth.substr(4, 2)))},
                                         std::chrono::day{static_cast<unsigned>(ToInt(birth.substr(6, 2)))}};
  if (!date.ok()) return Fail(field, "birth date " + birth + " is not a real date", "出生日期" + birth + "不存在");
  if (ToInt(birth) < 19000101) {
    return Fail(field, "birth date " + birth + " is before 1900-01-01", "出生日期" + birth + "早于1900年1月1日");
  }
  if (ToInt(birth) > today_yyyymmdd.value_or(TodayInChina())) {
    return Fail(field, "birth date " + birth + " is in the future", "出生日期" + birth + "晚于今天");
  }

  // ISO 7064 MOD 11-2, as GB 11643-1999 prescribes.
  static constexpr std::array<int, 17> kWeights{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr std::string_view kCheck = "10X98765432";
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) sum += (id[i] - '0') * kWeights[i];
  const char expected = kCheck[static_cast<size_t>(sum % 11)];
  if (id[17] != expected) {
    return Fail(field, std::string("check digit is ") + id[17] + ", expected " + expected,
                std::string("校验位为") + id[17] + "，应为" + expected);
  }
  return Status::Ok();
}

// --- Passports and travel permits -----------------------------------------

Status Passport(std::string_view value, std::string_view field) {
  const auto [chars, error] = DecodeNonEmpty(UpperAscii(TrimSpaces(value)), field);
  if (!error.ok()) return error;
  if (chars.size() < 5 || chars.size() > 17) return BadLength(field, chars.size(), "5 to 17", "5至17位");
  bool has_digit = false;
  for (size_t i = 0; i < chars.size(); ++i) {
    if (!IsDigit(chars[i]) && !IsUpper(chars[i])) {
      return BadChar(field, i, chars[i], "a passport number has only Latin letters and digits",
                     "护照号码只能包含拉丁字母和数字");
    }
    has_digit = has_digit || IsDigit(chars[i]);
  }
  if (!has_digit) return Fail(field, "contains no digit; a passport number has at least one", "不含数字，护照号码至少包含一位数字");
  return Status::Ok();
}

Status HkMacauPermit(std::string_view value, std::string_view field) {
  const auto [chars, error] = DecodeNonEmpty(UpperAscii(TrimSpaces(value)), field);
  if (!error.ok()) return error;
  if (chars[0] != U'H' && chars[0] != U'M') {
    return Fail(field, "starts with '" + Shown(chars[0]) + "', expected H (Hong Kong) or M (Macau)",
                "首位为“" + Shown(chars[0]) + "”，应为H（香港）或M（澳门）");
  }
  if (chars.size() != 9 && chars.size() != 11) {
    return BadLength(field, chars.size(), "9 (H or M and 8 digits) or 11 (older form: H or M and 10 digits)",
                     "9位（H或M加8位数字）或11位（旧版：H或M加10位数字）");
  }
  for (size_t i = 1; i < chars.size(); ++i) {
    if (!IsDigit(chars[i])) {
      return BadChar(field, i, chars[i], "only digits follow H or M", "H或M之后只能是数字");
    }
  }
  return Status::Ok();
}

Status TaiwanPermit(std::string_view value, std::string_view field) {
  const auto [chars, error] = DecodeNonEmpty(TrimSpaces(value), field);
  if (!error.ok()) return error;
  if (chars.size() != 8 && chars.size() != 10) {
    return BadLength(field, chars.size(), "8 digits (10 in the older form)", "8位数字（旧版为10位）");
  }
  for (size_t i = 0; i < chars.size(); ++i) {
    if (!IsDigit(chars[i])) {
      return BadChar(field, i, chars[i], "a Taiwan Compatriot Permit number has only digits", "台胞证号码只能包含数字");
    }
  }
  return Status::Ok();
}

namespace {
constexpr std::array<std::pair<DocumentKind, std::string_view>, 4> kDocumentKinds{{
    {DocumentKind::kResidentId, "resident_id"},
    {DocumentKind::kPassport, "passport"},
    {DocumentKind::kHkMacauPermit, "hk_macau_permit"},
    {DocumentKind::kTaiwanPermit, "taiwan_permit"},
}};
}  // namespace

Status Document(DocumentKind kind, std::string_view value, std::string_view field) {
  switch (kind) {
    case DocumentKind::kResidentId: return ResidentId(value, field);
    case DocumentKind::kPassport: return Passport(value, field);
    case DocumentKind::kHkMacauPermit: return HkMacauPermit(value, field);
    case DocumentKind::kTaiwanPermit: return TaiwanPermit(value, field);
  }
  return Fail(field, "unknown document kind", "证件类型未知");
}

std::optional<DocumentKind> ParseDocumentKind(std::string_view name) {
  for (const auto& [kind, kind_name] : kDocumentKinds) {
    if (kind_name == name) return kind;
  }
  return std::nullopt;
}

std::string_view DocumentKindName(DocumentKind kind) {
  for (const auto& [k, name] : kDocumentKinds) {
    if (k == kind) return name;
  }
  return {};
}

// --- Mobile phone -----------------------------------------------------------

namespace {

// Returns the length of the country code at the start of `trimmed` (0 if
// none). A bare "86" is only a country code when the number would otherwise
// have more than 11 digits; a mobile number itself never starts with 86.
size_t CountryCodeLength(std::string_view trimmed) {
  if (trimmed.starts_with("+86")) return 3;
  if (!trimmed.starts_with("86")) return 0;
  size_t digits = 0;
  for (char c : trimmed) digits += (c >= '0' && c <= '9') ? 1 : 0;
  return digits > 11 ? 2 : 0;
}

bool IsPhoneSeparator(char32_t c) { return c == U' ' || c == U'-'; }

}  // namespace

std::string NormalizeMobilePhone(std::string_view value) {
  const std::string_view trimmed = TrimSpaces(value);
  std::string digits;
  for (char c : trimmed.substr(CountryCodeLength(trimmed))) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits;
}

Status MobilePhone(std::string_view value, std::string_view field) {
  const std::string_view trimmed = TrimSpaces(value);
  const auto [chars, error] = DecodeNonEmpty(trimmed, field);
  if (!error.ok()) return error;
  const size_t prefix = CountryCodeLength(trimmed);  // ASCII, so bytes == characters
  if (prefix == 0 && chars[0] == U'+') {
    return Fail(field, "only mainland China numbers are accepted: the country code must be +86",
                "仅支持中国大陆手机号：国家代码应为+86");
  }
  std::string digits;
  for (size_t i = prefix; i < chars.size(); ++i) {
    const char32_t c = chars[i];
    if (IsDigit(c)) {
      digits += static_cast<char>(c);
    } else if (IsPhoneSeparator(c)) {
      const bool after_group = i == prefix ? prefix > 0 : IsDigit(chars[i - 1]);
      const bool before_group = i + 1 < chars.size() && IsDigit(chars[i + 1]);
      if (!after_group || !before_group) {
        return BadChar(field, i, chars[i], "a single space or dash may only separate groups of digits",
                       "只能用单个空格或短横线分隔数字组");
      }
    } else {
      return BadChar(field, i, chars[i], "a phone number has only digits, spaces and dashes",
                     "手机号只能包含数字、空格和短横线");
    }
  }
  if (digits.size() != 11) {
    return Fail(field, "has " + Num(digits.size()) + " digits, expected 11",
                "有" + Num(digits.size()) + "位数字，应为11位");
  }
  if (digits[0] != '1') {
    return Fail(field, std::string("starts with ") + digits[0] + ", but mainland mobile numbers start with 1",
                std::string("首位为") + digits[0] + "，中国大陆手机号应以1开头");
  }
  if (digits[1] < '3') {
    return Fail(field,
                std::string("second digit is ") + digits[1] + ", but mainland mobile numbers have 3 to 9 there",
                std::string("第二位为") + digits[1] + "，中国大陆手机号第二位应为3至9");
  }
  return Status::Ok();
}

// --- Licence plates ---------------------------------------------------------

namespace {

constexpr std::u32string_view kProvinces = U"京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
constexpr std::u32string_view kOrdinaryLast = U"学警挂港澳领";
constexpr std::array<std::string_view, 3> kPlateSeparators{" ", "\u00B7", "\u2022"};

bool IsPlateSeparator(char32_t c) { return c == U' ' || c == U'\u00B7' || c == U'\u2022'; }
bool IsPlateLetter(char32_t c) { return IsUpper(c) && c != U'I' && c != U'O'; }
bool IsPlateAlnum(char32_t c) { return IsDigit(c) || IsPlateLetter(c); }
bool IsEnergyMarker(char32_t c) { return c == U'D' || c == U'F'; }

size_t CountChars(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

// Byte-wise matching is safe: a UTF-8 sequence can only match at a character
// boundary, because lead bytes never occur inside another character.
std::string NormalizePlate(std::string_view value) {
  std::string_view s = TrimSpaces(value);
  std::string out;
  while (!s.empty()) {
    bool separator = false;
    for (std::string_view sep : kPlateSeparators) {
      if (s.starts_with(sep)) {
        s.remove_prefix(sep.size());
        separator = true;
        break;
      }
    }
    if (!separator) {
      out += s.front();
      s.remove_prefix(1);
    }
  }
  return UpperAscii(out);
}

Status Plate(std::string_view value, std::string_view field) {
  auto [c, error] = DecodeNonEmpty(UpperAscii(TrimSpaces(value)), field);
  if (!error.ok()) return error;
  if (kProvinces.find(c[0]) == std::u32string_view::npos) {
    return Fail(field, "unknown province abbreviation '" + Shown(c[0]) + "'",
                "省份简称“" + Shown(c[0]) + "”不存在");
  }
  if (c.size() < 2) return BadLength(field, c.size(), "7 (ordinary) or 8 (new-energy)", "7位（普通车牌）或8位（新能源车牌）");
  if (!IsPlateLetter(c[1])) {
    return Fail(field,
                "issuing-authority letter '" + Shown(c[1]) + "' is not allowed: it must be a letter A to Z other than I and O",
                "发牌机关代号“" + Shown(c[1]) + "”无效：应为除I和O以外的字母A至Z");
  }
  // Positions reported below count plate characters, not the separator.
  if (c.size() > 2 && IsPlateSeparator(c[2])) c.erase(c.begin() + 2);
  for (size_t i = 2; i < c.size(); ++i) {
    if (IsPlateSeparator(c[i])) {
      return BadChar(field, i, c[i], "a separator may only follow the issuing-authority letter",
                     "分隔符只能位于发牌机关代号之后");
    }
  }
  if (c.size() != 7 && c.size() != 8) {
    return BadLength(field, c.size(), "7 (ordinary) or 8 (new-energy)", "7位（普通车牌）或8位（新能源车牌）");
  }

  if (c.size() == 7) {
    for (size_t i = 2; i < 7; ++i) {
      const bool special_last = i == 6 && kOrdinaryLast.find(c[i]) != std::u32string_view::npos;
      if (!IsPlateAlnum(c[i]) && !special_last) {
        return BadChar(field, i, c[i],
                       "an ordinary plate continues with digits and letters other than I and O; only the "
                       "last may be 学, 警, 挂, 港, 澳 or 领",
                       "普通车牌此处应为数字或除I和O以外的字母，仅末位可为学、警、挂、港、澳、领");
      }
    }
    return Status::Ok();
  }

  if (IsEnergyMarker(c[2])) {  // small car: D/F, letter or digit, 4 digits
    if (!IsPlateAlnum(c[3])) {
      return BadChar(field, 3, c[3], "a small new-energy plate has a digit or a letter other than I and O after D or F",
                     "小型新能源车牌D或F之后应为数字或除I和O以外的字母");
    }
    for (size_t i = 4; i < 8; ++i) {
      if (!IsDigit(c[i])) {
        return BadChar(field, i, c[i], "a small new-energy plate ends with 4 digits", "小型新能源车牌最后4位应为数字");
      }
    }
    return Status::Ok();
  }
  if (IsEnergyMarker(c[7])) {  // large car: 5 digits, D/F
    for (size_t i = 2; i < 7; ++i) {
      if (!IsDigit(c[i])) {
        return BadChar(field, i, c[i], "a large new-energy plate has 5 digits before D or F",
                       "大型新能源车牌D或F之前应为5位数字");
      }
    }
    return Status::Ok();
  }
  return Fail(field,
              "an 8-character plate is a new-energy plate and needs the new-energy marker D or F as its 3rd "
              "character (small car) or its last character (large car)",
              "8位车牌为新能源车牌，新能源标志D或F应位于第3位（小型车）或末位（大型车）");
}

bool IsNewEnergyPlate(std::string_view normalized) {
  return Plate(normalized).ok() && CountChars(NormalizePlate(normalized)) == 8;
}

// ASCII digits never occur inside a multi-byte UTF-8 character, so scanning
// bytes finds exactly the digit characters.
std::optional<int> PlateLastDigit(std::string_view normalized) {
  for (auto it = normalized.rbegin(); it != normalized.rend(); ++it) {
    if (*it >= '0' && *it <= '9') return *it - '0';
  }
  return std::nullopt;
}

}  // namespace houqin::validation
