// The pure parts of the visitors area: base64url, the keyed hashes, masking, the kiosk notice,
// Ed25519 and the invite token layout (visitors/privacy.h, visitors/invites.h).
#include <gtest/gtest.h>

#include "visitors/invites.h"
#include "visitors/privacy.h"
#include "visitors/rules.h"

namespace houqin::visitors {
namespace {

using validation::DocumentKind;

LocalTime T(const char* text) {
  auto t = LocalTime::Parse(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(LocalTime{});
}

TEST(VisitorsPrivacy, Base64UrlRoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    const std::string enc = Base64UrlEncode(bytes);
    EXPECT_EQ(enc.find_first_of("+/="), std::string::npos) << enc;
    auto dec = Base64UrlDecode(enc);
    ASSERT_TRUE(dec.has_value()) << n;
    EXPECT_EQ(*dec, bytes);
    bytes += static_cast<char>((n * 37 + 250) & 0xff);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("ab+c").has_value());   // standard alphabet, not url
  EXPECT_FALSE(Base64UrlDecode("abc=").has_value());   // padding
  EXPECT_FALSE(Base64UrlDecode("abcde").has_value());  // impossible length
  // Only one spelling per byte string: unused trailing bits must be zero.
  EXPECT_TRUE(Base64UrlDecode("-_8").has_value());
  EXPECT_FALSE(Base64UrlDecode("-_9").has_value());
}

TEST(VisitorsPrivacy, HmacMatchesRfc4231AndRefusesAnEmptyKey) {
  auto mac = HmacSha256Hex("Jefe", "what do ya want for nothing?");
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(*mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  auto none = HmacSha256Hex("", "x");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().field(), "site_key");
  EXPECT_FALSE(none.status().en().empty());
  EXPECT_FALSE(none.status().zh().empty());
}

TEST(VisitorsPrivacy, DocumentHashIgnoresSpellingButNotTheKeyOrTheKind) {
  auto a = ProtectDocument("k1", "resident_id", "11010519491231002X");
  auto b = ProtectDocument("k1", "resident_id", " 11010519491231002x\u3000");
  auto other_key = ProtectDocument("k2", "resident_id", "11010519491231002X");
  ASSERT_TRUE(a.ok() && b.ok() && other_key.ok());
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_EQ(a->last_four, "002X");
  EXPECT_EQ(a->kind, "resident_id");
  EXPECT_NE(a->hash, other_key->hash);
  // The same digits as a Taiwan permit and as a passport hash apart.
  auto tw = ProtectDocument("k1", "taiwan_permit", "12345678");
  auto pp = ProtectDocument("k1", "passport", "12345678");
  ASSERT_TRUE(tw.ok() && pp.ok());
  EXPECT_NE(tw->hash, pp->hash);
  EXPECT_EQ(a->hash.size(), 64u);
  EXPECT_EQ(a->hash.find("11010519491231002"), std::string::npos);
}

TEST(VisitorsPrivacy, ProtectDocumentRefusesWithTheField) {
  auto bad = ProtectDocument("k", "resident_id", "110105194912310021", "members[2].document_number");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "members[2].document_number");
  EXPECT_FALSE(bad.status().en().empty());
  EXPECT_FALSE(bad.status().zh().empty());
  auto kind = ProtectDocument("k", "library_card", "123");
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.status().field(), "document_kind");
  auto nokey = ProtectDocument("", "passport", "E12345678");
  ASSERT_FALSE(nokey.ok());
  EXPECT_EQ(nokey.status().field(), "site_key");
}

TEST(VisitorsPrivacy, MaskingShowsTheLastFourOnly) {
  EXPECT_EQ(MaskDocument(DocumentKind::kResidentId, "002X"), "**************002X");
  EXPECT_EQ(MaskDocumentNumber(DocumentKind::kResidentId, "11010519491231002x"), "**************002X");
  EXPECT_EQ(MaskDocument(DocumentKind::kPassport, "5678"), "****5678");
  EXPECT_EQ(MaskDocumentNumber(DocumentKind::kHkMacauPermit, "h12345678"), "****5678");
  EXPECT_EQ(MaskDocument("taiwan_permit", "5678"), "****5678");
  EXPECT_EQ(MaskDocument("resident_id", "002X"), "**************002X");
  EXPECT_EQ(MaskDocument("unknown", "1234"), "****1234");
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("+86 138-1234-5678"), "138****5678");
  EXPECT_EQ(MaskPhone("12"), "**");
  // The masked form never holds more than four characters of the number.
  const std::string masked = MaskDocumentNumber(DocumentKind::kResidentId, "440304198506151237");
  EXPECT_EQ(masked.find("4403"), std::string::npos);
  EXPECT_EQ(masked.substr(14), "1237");
}

TEST(VisitorsPrivacy, KioskNoticeSaysWhatIsCollectedWhyForHowLongAndThePhoneAndFaxRule) {
  const Text n = KioskNotice(180);
  for (const char* s : {"name", "mobile number", "last four", "180 days", "telephones", "fax", "evacuation"})
    EXPECT_NE(n.en.find(s), std::string::npos) << s;
  for (const char* s : {"姓名", "手机号码", "末四位", "180 天", "办公电话", "传真", "紧急疏散", "遮蔽"})
    EXPECT_NE(n.zh.find(s), std::string::npos) << s;
  EXPECT_NE(KioskNotice(30).zh.find("30 天"), std::string::npos);
  EXPECT_FALSE(kNoticeVersion.empty());
}

TEST(VisitorsPrivacy, RulesOverridesAndTheSiteKeyNeverInARecord) {
  VisitorRules r;
  EXPECT_EQ(r.retention_days, 180);
  EXPECT_EQ(r.auto_signout_minute, 20 * 60);
  ApplyVisitorOverrides(r, Json{{"retention_days", 90},
                                {"auto_signout_time", "18:30"},
                                {"document_required_walk_in", false},
                                {"max_party_size", 1000},
                                {"petition_department", "xzk"},
                                {"invite_early_minutes", "soon"}});
  EXPECT_EQ(r.retention_days, 90);
  EXPECT_EQ(r.auto_signout_minute, 18 * 60 + 30);
  EXPECT_FALSE(r.document_required_walk_in);
  EXPECT_EQ(r.max_party_size, 255);  // a QR token holds one byte
  EXPECT_EQ(r.petition_department, "xzk");
  EXPECT_EQ(r.invite_early_minutes, 60);  // wrong type keeps the default
  ApplyVisitorOverrides(r, Json{{"auto_signout_time", "25:00"}, {"retention_days", 0}});
  EXPECT_EQ(r.auto_signout_minute, 18 * 60 + 30);
  EXPECT_EQ(r.retention_days, 1);
  const Draft d = SetVisitorRules(Json{{"retention_days", 30}, {"site_key", "secret"}});
  EXPECT_EQ(d.entity_type, "site_config");
  EXPECT_EQ(d.entity_id, "visitors");
  EXPECT_FALSE(d.payload.contains("site_key"));
  EXPECT_EQ(d.payload["retention_days"], 30);
}

TEST(VisitorsTokens, Ed25519SignsAndVerifies) {
  auto pair = GenerateDeviceKeyPair();
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->private_key.size(), 32u);
  EXPECT_EQ(pair->public_key.size(), 32u);
  auto again = DeviceKeyPairFromPrivate(pair->private_key);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, pair->public_key);
  auto sig = SignEd25519(pair->private_key, "hello");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE(VerifyEd25519(pair->public_key, "hello", *sig));
  EXPECT_FALSE(VerifyEd25519(pair->public_key, "hellO", *sig));
  auto other = GenerateDeviceKeyPair();
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(VerifyEd25519(other->public_key, "hello", *sig));
  std::string bent = *sig;
  bent[10] = static_cast<char>(bent[10] ^ 1);
  EXPECT_FALSE(VerifyEd25519(pair->public_key, "hello", bent));
  EXPECT_FALSE(VerifyEd25519(pair->public_key, "hello", sig->substr(1)));
  auto short_key = DeviceKeyPairFromPrivate("short");
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.status().field(), "private_key");
}

TEST(VisitorsTokens, TokenRoundTripsCompactly) {
  auto pair = GenerateDeviceKeyPair();
  ASSERT_TRUE(pair.ok());
  InviteToken t{"01964f2a-7b3c-7def-8a12-0123456789ab", "alice", "main",
                "01964f2a-7b3c-7def-8a12-abcdefabcdef", T("2026-03-02T09:00"), T("2026-03-02T12:00"),
                T("2026-03-02T12:00"), 3, true};
  auto token = SignInviteToken(t, pair->private_key);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_LE(token->size(), 170u);  // 124 bytes: a version-8 QR code
  std::string signed_part, signature;
  auto back = DecodeInviteToken(*token, &signed_part, &signature);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, t);
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(VerifyEd25519(pair->public_key, std::string("houqin.invite.v1\0", 17) + signed_part, signature));

  // Readable ids (tests, imports) travel as text.
  InviteToken u = t;
  u.invite_id = "inv-1";
  u.signer_device = "phone-alice";
  u.single_use = false;
  auto token_u = SignInviteToken(u, pair->private_key);
  ASSERT_TRUE(token_u.ok());
  auto back_u = DecodeInviteToken(*token_u);
  ASSERT_TRUE(back_u.ok());
  EXPECT_EQ(*back_u, u);

  u.party_size = 256;
  auto big = SignInviteToken(u, pair->private_key);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().field(), "party_size");
  u.party_size = 1;
  u.host = std::string(200, 'h');
  auto long_host = SignInviteToken(u, pair->private_key);
  ASSERT_FALSE(long_host.ok());
  EXPECT_EQ(long_host.status().field(), "host");
}

TEST(VisitorsTokens, MalformedTokensAreRefused) {
  auto pair = GenerateDeviceKeyPair();
  ASSERT_TRUE(pair.ok());
  InviteToken t{"inv-1", "alice", "main", "phone-alice", T("2026-03-02T09:00"), T("2026-03-02T12:00"),
                T("2026-03-02T12:00"), 2, true};
  auto token = SignInviteToken(t, pair->private_key);
  ASSERT_TRUE(token.ok());
  const std::string bytes = *Base64UrlDecode(*token);
  for (const std::string& bad : {std::string(""), std::string("not a token!"), std::string("https://example.com/x"),
                                 Base64UrlEncode(bytes.substr(0, bytes.size() - 1)),
                                 Base64UrlEncode(bytes + "x"), Base64UrlEncode("\x02" + bytes.substr(1)),
                                 Base64UrlEncode(bytes.substr(0, 1) + "\x06" + bytes.substr(2))}) {
    auto r = DecodeInviteToken(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "token");
    EXPECT_FALSE(r.status().en().empty());
    EXPECT_FALSE(r.status().zh().empty());
  }
}

}  // namespace
}  // namespace houqin::visitors
