#include "engine/packed.h"

#include <cstdio>
#include <cstring>
#include <optional>

#include "util/civil_time.h"
#include "util/uuid.h"

namespace houqin::packed {

namespace {

enum Tag : std::uint8_t {
  kNull = 0,
  kFalse = 1,
  kTrue = 2,
  kInteger = 3,
  kUnsigned = 4,
  kDouble = 5,
  kString = 6,
  kUuid = 7,
  kArray = 8,
  kObject = 9,
  kDate = 10,         // "YYYY-MM-DD": zigzag varint of days since 1970-01-01
  kDateMinute = 11,   // "YYYY-MM-DDTHH:MM": zigzag varint of minutes since 1970-01-01T00:00
  kDateSecond = 12,   // "YYYY-MM-DDTHH:MM:SS": zigzag varint of seconds since then
};

// Civil dates and times in exactly one of the three forms above, with a real
// calendar date in years 0001-9999, hour 0-23 and minute and second 0-59:
// the forms the domain writes. Anything else (another separator, a missing
// zero, 24:00, 29 February of a common year) stays a string, so unpacking
// gives back exactly the text that was packed.
struct CivilForm {
  Tag tag;
  std::int64_t value;
};

std::optional<CivilForm> ParseCivil(std::string_view s) {
  if (s.size() != 10 && s.size() != 16 && s.size() != 19) return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n, int* out) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(0, 4, &y) || s[4] != '-' || !digits(5, 2, &mo) || s[7] != '-' || !digits(8, 2, &d) ||
      !Date::Valid(y, mo, d))
    return std::nullopt;
  const std::int64_t days = Date{y, mo, d}.DaysSinceEpoch();
  if (s.size() == 10) return CivilForm{kDate, days};
  if (s[10] != 'T' || !digits(11, 2, &h) || s[13] != ':' || !digits(14, 2, &mi) || h > 23 || mi > 59)
    return std::nullopt;
  if (s.size() == 16) return CivilForm{kDateMinute, days * 1440 + h * 60 + mi};
  if (s[16] != ':' || !digits(17, 2, &sec) || sec > 59) return std::nullopt;
  return CivilForm{kDateSecond, (days * 1440 + h * 60 + mi) * 60 + sec};
}

// The text of a civil form; nullopt when the value is outside years 0001-9999 (damaged).
std::optional<std::string> CivilText(Tag tag, std::int64_t value) {
  static const std::int64_t kFirstDay = Date{1, 1, 1}.DaysSinceEpoch();
  static const std::int64_t kLastDay = Date{9999, 12, 31}.DaysSinceEpoch();
  const std::int64_t per_day = tag == kDate ? 1 : tag == kDateMinute ? 1440 : 86400;
  if (value < kFirstDay * per_day || value > kLastDay * per_day + per_day - 1) return std::nullopt;
  const std::int64_t days = (value >= 0 ? value : value - per_day + 1) / per_day;
  const std::int64_t rest = value - days * per_day;
  const Date date = Date::FromDaysSinceEpoch(days);
  char buf[24];
  if (tag == kDate) std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date.year, date.month, date.day);
  else if (tag == kDateMinute)
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", date.year, date.month, date.day,
                  static_cast<int>(rest / 60), static_cast<int>(rest % 60));
  else
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", date.year, date.month, date.day,
                  static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return std::string(buf);
}

std::uint64_t ZigZag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t UnZigZag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

constexpr int kMaxDepth = 64;

std::size_t DecimalDigits(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

// The bytes of `s` as Json::dump() writes them between its quotes, or 0 when
// `s` is not well-formed UTF-8 (dump() would throw).
std::size_t EscapedLength(std::string_view s) {
  std::size_t n = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') n += 2;
      else if (c < 0x20) n += 6;
      else n += 1;
      ++p;
      continue;
    }
    // Multi-byte sequences: no overlongs, no surrogates, nothing past U+10FFFF.
    int len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c == 0xe0) len = 3, lo = 0xa0;
    else if (c >= 0xe1 && c <= 0xec) len = 3;
    else if (c == 0xed) len = 3, hi = 0x9f;
    else if (c >= 0xee && c <= 0xef) len = 3;
    else if (c == 0xf0) len = 4, lo = 0x90;
    else if (c >= 0xf1 && c <= 0xf3) len = 4;
    else if (c == 0xf4) len = 4, hi = 0x8f;
    else return 0;
    if (end - p < len) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (int i = 2; i < len; ++i)
      if (p[i] < 0x80 || p[i] > 0xbf) return 0;
    n += static_cast<std::size_t>(len);
    p += len;
  }
  return n + 1;  // +1 so that the empty string is not mistaken for an error; the caller subtracts it
}

Status NotUtf8() { return Status::Invalid("text", {"text is not valid UTF-8", "文本不是有效的UTF-8"}); }

Status Damaged() { return Status::Corruption({"a packed value is damaged", "压缩存储的值已损坏"}); }

class Reader {
 public:
  Reader(std::string_view in, KeyTable& keys) : p_(in.data()), end_(in.data() + in.size()), keys_(keys) {}

  Status Value(Json& out, int depth) {
    if (depth > kMaxDepth || p_ >= end_) return Damaged();
    const auto tag = static_cast<std::uint8_t>(*p_++);
    switch (tag) {
      case kNull:
        out = nullptr;
        return Status::Ok();
      case kFalse:
      case kTrue:
        out = tag == kTrue;
        return Status::Ok();
      case kInteger: {
        std::uint64_t z;
        if (!Varint(&z)) return Damaged();
        out = static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
        return Status::Ok();
      }
      case kUnsigned: {
        std::uint64_t u;
        if (!Varint(&u)) return Damaged();
        out = u;
        return Status::Ok();
      }
      case kDouble: {
        if (end_ - p_ < 8) return Damaged();
        double d;
        std::memcpy(&d, p_, 8);
        p_ += 8;
        out = d;
        return Status::Ok();
      }
      case kString: {
        std::string_view s;
        if (!Bytes(&s)) return Damaged();
        out = std::string(s);
        return Status::Ok();
      }
      case kDate:
      case kDateMinute:
      case kDateSecond: {
        std::uint64_t v;
        if (!Varint(&v)) return Damaged();
        auto text = CivilText(static_cast<Tag>(tag), UnZigZag(v));
        if (!text) return Damaged();
        out = std::move(*text);
        return Status::Ok();
      }
      case kUuid: {
        if (end_ - p_ < 16) return Damaged();
        UuidBytes u;
        std::memcpy(u.data(), p_, 16);
        p_ += 16;
        out = UuidToString(u);
        return Status::Ok();
      }
      case kArray: {
        std::uint64_t n;
        if (!Varint(&n) || n > static_cast<std::uint64_t>(end_ - p_)) return Damaged();
        out = Json::array();
        auto& a = out.get_ref<Json::array_t&>();
        a.resize(n);
        for (auto& item : a)
          if (Status s = Value(item, depth + 1); !s.ok()) return s;
        return Status::Ok();
      }
      case kObject: {
        std::uint64_t n;
        if (!Varint(&n) || n > static_cast<std::uint64_t>(end_ - p_)) return Damaged();
        out = Json::object();
        auto& o = out.get_ref<Json::object_t&>();
        for (std::uint64_t i = 0; i < n; ++i) {
          std::uint64_t id;
          if (!Varint(&id) || id > static_cast<std::uint64_t>(INT64_MAX)) return Damaged();
          auto key = keys_.KeyOf(static_cast<std::int64_t>(id));
          if (!key) return key.status();
          if (Status s = Value(o[std::move(*key)], depth + 1); !s.ok()) return s;
        }
        return Status::Ok();
      }
      default:
        return Damaged();
    }
  }

  bool done() const { return p_ == end_; }

 private:
  bool Varint(std::uint64_t* v) {
    std::uint64_t r = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const auto b = static_cast<std::uint8_t>(*p_++);
      r |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Bytes(std::string_view* s) {
    std::uint64_t n;
    if (!Varint(&n) || n > static_cast<std::uint64_t>(end_ - p_)) return false;
    *s = std::string_view(p_, n);
    p_ += n;
    return true;
  }

  const char* p_;
  const char* end_;
  KeyTable& keys_;
};

}  // namespace

void Writer::Varint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

Status Writer::String(const std::string& s) {
  const std::size_t escaped = EscapedLength(s);
  if (escaped == 0) return NotUtf8();
  json_bytes_ += escaped - 1 + 2;
  if (s.size() == 36) {
    if (auto u = ParseUuid(s)) {
      out_.push_back(static_cast<char>(kUuid));
      out_.append(reinterpret_cast<const char*>(u->data()), u->size());
      return Status::Ok();
    }
  }
  if (auto civil = ParseCivil(s)) {
    out_.push_back(static_cast<char>(civil->tag));
    Varint(ZigZag(civil->value));
    return Status::Ok();
  }
  out_.push_back(static_cast<char>(kString));
  Varint(s.size());
  out_.append(s);
  return Status::Ok();
}

void Writer::ObjectHeader(std::size_t count) {
  out_.push_back(static_cast<char>(kObject));
  Varint(count);
  json_bytes_ += 2 + (count == 0 ? 0 : count - 1);  // braces and commas
}

Status Writer::Key(const std::string& key) {
  const std::size_t escaped = EscapedLength(key);
  if (escaped == 0) return NotUtf8();
  json_bytes_ += escaped - 1 + 3;  // quotes and colon
  auto id = keys_.IdOf(key);
  if (!id) return id.status();
  Varint(static_cast<std::uint64_t>(*id));
  return Status::Ok();
}

Status Writer::Value(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      out_.push_back(static_cast<char>(kNull));
      json_bytes_ += 4;
      return Status::Ok();
    case Json::value_t::boolean: {
      const bool b = v.get<bool>();
      out_.push_back(static_cast<char>(b ? kTrue : kFalse));
      json_bytes_ += b ? 4 : 5;
      return Status::Ok();
    }
    case Json::value_t::number_integer: {
      const auto i = v.get<std::int64_t>();
      out_.push_back(static_cast<char>(kInteger));
      Varint(ZigZag(i));
      const std::uint64_t magnitude = i < 0 ? ~static_cast<std::uint64_t>(i) + 1 : static_cast<std::uint64_t>(i);
      json_bytes_ += DecimalDigits(magnitude) + (i < 0 ? 1 : 0);
      return Status::Ok();
    }
    case Json::value_t::number_unsigned: {
      const auto u = v.get<std::uint64_t>();
      out_.push_back(static_cast<char>(kUnsigned));
      Varint(u);
      json_bytes_ += DecimalDigits(u);
      return Status::Ok();
    }
    case Json::value_t::number_float: {
      const double d = v.get<double>();
      out_.push_back(static_cast<char>(kDouble));
      char raw[8];
      std::memcpy(raw, &d, 8);
      out_.append(raw, 8);
      json_bytes_ += v.dump().size();  // rare (payloads forbid floats); dump's shortest form is not worth redoing
      return Status::Ok();
    }
    case Json::value_t::string:
      return String(v.get_ref<const std::string&>());
    case Json::value_t::array: {
      const auto& a = v.get_ref<const Json::array_t&>();
      out_.push_back(static_cast<char>(kArray));
      Varint(a.size());
      json_bytes_ += 2 + (a.empty() ? 0 : a.size() - 1);
      for (const auto& item : a)
        if (Status s = Value(item); !s.ok()) return s;
      return Status::Ok();
    }
    case Json::value_t::object: {
      const auto& o = v.get_ref<const Json::object_t&>();
      ObjectHeader(o.size());
      for (const auto& [k, item] : o) {
        if (Status s = Key(k); !s.ok()) return s;
        if (Status s = Value(item); !s.ok()) return s;
      }
      return Status::Ok();
    }
    default:
      return Status::Invalid("value", {"a value JSON cannot carry", "包含无法表示的值"});
  }
}

Result<Json> Read(std::string_view bytes, KeyTable& keys) {
  Reader r(bytes, keys);
  Json out;
  if (Status s = r.Value(out, 0); !s.ok()) return s;
  if (!r.done()) return Damaged();
  return out;
}

}  // namespace houqin::packed
