// The store's packed form of JSON values: exact round trips, the JSON text
// length it reports (the payload bound counts it), and damaged bytes refused.
#include "engine/packed.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace houqin {
namespace {

class MapKeys final : public packed::KeyTable {
 public:
  Result<std::int64_t> IdOf(const std::string& key) override {
    auto [it, added] = ids_.try_emplace(key, static_cast<std::int64_t>(ids_.size() + 1));
    if (added) names_[it->second] = key;
    return it->second;
  }
  Result<std::string> KeyOf(std::int64_t id) override {
    auto it = names_.find(id);
    if (it == names_.end()) return Status::Corruption({"no key " + std::to_string(id), "无此键"});
    return it->second;
  }
  std::size_t size() const { return ids_.size(); }

 private:
  std::map<std::string, std::int64_t> ids_;
  std::map<std::int64_t, std::string> names_;
};

std::string Pack(const Json& v, MapKeys& keys, std::size_t* json_bytes = nullptr) {
  packed::Writer w(keys);
  Status s = w.Value(v);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (json_bytes != nullptr) *json_bytes = w.json_bytes();
  return w.Take();
}

const Json kRequest = Json::parse(R"({
  "department": "d3", "kind": "ordinary", "passengers": 3, "departure": "2026-03-25T10:00",
  "destination": "市档案馆", "purpose": "赴区县调研", "estimated_km": 24, "work_required": false,
  "trips": ["019b76da-e91a-749c-ad9f-98813bb93f5b"],
  "requests": [{"id": "019b76da-e91a-76c3-ab82-321a06ad1985", "seated": 3}],
  "odometer": -12, "big": 18446744073709551615, "small": -9223372036854775808, "ratio": 0.1,
  "nothing": null, "empty": {}, "none": [], "quote": "say \"hi\"\\ \n\t\u0001 end", "emoji": "😀"
})");

TEST(PackedTest, RoundTripsEveryKindOfValue) {
  MapKeys keys;
  std::size_t json_bytes = 0;
  const std::string bytes = Pack(kRequest, keys, &json_bytes);
  auto back = packed::Read(bytes, keys);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->dump(), kRequest.dump());
  EXPECT_EQ(json_bytes, kRequest.dump().size());
  // Signed and unsigned integers come back as the same JSON number types.
  EXPECT_TRUE((*back)["big"].is_number_unsigned());
  EXPECT_TRUE((*back)["odometer"].is_number_integer() && !(*back)["odometer"].is_number_unsigned());
  // Keys are interned once, UUIDs kept in 16 bytes: far smaller than the text.
  EXPECT_EQ(keys.size(), 21u);
  EXPECT_LT(bytes.size(), kRequest.dump().size() * 6 / 10);
}

TEST(PackedTest, OnlyCanonicalLowercaseUuidsAreCompacted) {
  MapKeys keys;
  for (const std::string s : {"019B76DA-E91A-749C-AD9F-98813BB93F5B", "019b76da-e91a-749c-ad9f-98813bb93f5",
                              "019b76da-e91a-749c-ad9f-98813bb93f5bx", "019b76dae91a749cad9f98813bb93f5b1234"}) {
    const Json v = s;
    auto back = packed::Read(Pack(v, keys), keys);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->get<std::string>(), s);
  }
  EXPECT_EQ(Pack(Json("019b76da-e91a-749c-ad9f-98813bb93f5b"), keys).size(), 17u);
}

TEST(PackedTest, CivilDatesAndTimesAreCompactedAndComeBackExactly) {
  MapKeys keys;
  for (const std::string s : {"2026-03-25T10:00", "2026-03-25", "2026-03-25T10:00:59", "2024-02-29", "2000-02-29T23:59",
                              "1969-12-31T23:59:59", "0001-01-01", "0001-01-01T00:00", "9999-12-31T23:59:59",
                              "1970-01-01", "1899-12-31T00:00"}) {
    const std::string bytes = Pack(Json(s), keys);
    EXPECT_LE(bytes.size(), 7u) << s;
    auto back = packed::Read(bytes, keys);
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_EQ(back->get<std::string>(), s);
  }
  // Near misses stay strings (tag, length, the text) and come back unchanged.
  for (const std::string s : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-01-32", "2026-1-01", "2026-01-01T24:00",
                              "2026-01-01T10:60", "2026-01-01 10:00", "2026-01-01T10:00:60", "2026-01-01T10:00Z",
                              "2026-01-01T10", "0000-01-01", "+2026-01-01", "2026/01/01", "２０２６-01-01",
                              "2026-01-01T10:00:00.5", " 2026-01-01"}) {
    const std::string bytes = Pack(Json(s), keys);
    EXPECT_EQ(bytes.size(), 2 + s.size()) << s;
    auto back = packed::Read(bytes, keys);
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_EQ(back->get<std::string>(), s);
  }
  // Values outside years 0001-9999 can only come from damage: refused.
  for (const std::string& bad : {std::string("\x0a\xff\xff\xff\xff\x0f"), std::string("\x0b\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"),
                                std::string("\x0c\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01"), std::string("\x0b\xff")})
    EXPECT_TRUE(packed::Read(bad, keys).status().IsCorruption());
}

TEST(PackedTest, JsonLengthMatchesDumpForRandomValues) {
  std::mt19937_64 rng(7);
  MapKeys keys;
  const std::vector<std::string> atoms = {"", "a", "\"", "\\", "\n", "\x1f", "\x7f", "中文", "é", "019b76da-e91a-749c-ad9f-98813bb93f5b",
                                          "2026-03-25T10:00", "2024-02-29", "0001-01-01T00:00:59", "2026-02-29"};
  std::function<Json(int)> gen = [&](int depth) -> Json {
    switch (rng() % (depth > 3 ? 5 : 7)) {
      case 0: return nullptr;
      case 1: return rng() % 2 == 0;
      case 2: return static_cast<std::int64_t>(rng()) >> (rng() % 64);
      case 3: return rng() >> (rng() % 64);
      case 4: {
        std::string s;
        for (int i = static_cast<int>(rng() % 4); i > 0; --i) s += atoms[rng() % atoms.size()];
        return s;
      }
      case 5: {
        Json a = Json::array();
        for (int i = static_cast<int>(rng() % 4); i > 0; --i) a.push_back(gen(depth + 1));
        return a;
      }
      default: {
        Json o = Json::object();
        for (int i = static_cast<int>(rng() % 4); i > 0; --i) o[atoms[rng() % atoms.size()] + "k"] = gen(depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 2000; ++i) {
    const Json v = gen(0);
    std::size_t json_bytes = 0;
    const std::string bytes = Pack(v, keys, &json_bytes);
    ASSERT_EQ(json_bytes, v.dump().size()) << v.dump();
    auto back = packed::Read(bytes, keys);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(back->dump(), v.dump());
  }
}

TEST(PackedTest, RefusesTextThatIsNotUtf8) {
  MapKeys keys;
  for (const std::string bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ab\xe4\xb8"}) {
    packed::Writer value(keys);
    EXPECT_TRUE(value.Value(Json(bad)).IsInvalid()) << bad;
    packed::Writer key(keys);
    Json o = Json::object();
    o[bad] = 1;
    EXPECT_TRUE(key.Value(o).IsInvalid()) << bad;
  }
}

TEST(PackedTest, DamagedBytesAreRefusedNeverMisread) {
  MapKeys keys;
  const std::string bytes = Pack(kRequest, keys);
  // Every truncation is refused.
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_TRUE(packed::Read(bytes.substr(0, n), keys).status().IsCorruption()) << n;
  // Trailing bytes are refused too.
  EXPECT_TRUE(packed::Read(bytes + '\0', keys).status().IsCorruption());
  // A flipped byte either still reads as some value or is refused: no crash, no overread (ASan).
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    std::string damaged = bytes;
    damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
    auto r = packed::Read(damaged, keys);
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsCorruption());
    }
  }
  // A huge claimed count is refused before anything is allocated for it.
  EXPECT_TRUE(packed::Read(std::string("\x08\xff\xff\xff\xff\x0f", 6), keys).status().IsCorruption());
}

}  // namespace
}  // namespace houqin
