// Visitor reception (visitors/visitors.h, visitors/invites.h) on real stores with the full
// domain: invites verified by offline kiosks, walk-ins, petitioners, delegations, the block
// list, check-out and automatic sign-out, the on-site and evacuation lists, the retention purge
// and the kiosk's read scope, including the offline clashes between devices.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "directory/directory.h"
#include "domain.h"
#include "engine/command.h"
#include "test_support.h"
#include "visitors/visitors.h"

namespace houqin::visitors {
namespace {

using testing::AllEvents;
using testing::ConflictsOf;
using testing::D;
using testing::ExchangeAll;
using testing::ExpectConverged;
using testing::ExpectRefused;
using testing::HasWarning;
using testing::T;

const LocalTime kNow = T("2026-03-02T09:00");  // a Monday
const std::string kSite = "main";
const std::string kSiteKey = "site-secret-key-of-main";
const std::string kIdNumber = "11010519491231002X";  // the standard example resident ID
const std::string kIdNumber2 = "440304198506151237";

const Author kAdmin{"root", std::string(role::kAdmin), ""};
const Author kAlice{"alice", std::string(role::kStaff), ""};      // a host, office
const Author kBob{"bob", std::string(role::kStaff), ""};          // another host
const Author kRita{"rita", std::string(role::kReception), ""};    // 会议接待科
const Author kGary{"gary", std::string(role::kGuard), ""};        // the gate
const Author kKioskA{"kiosk-a", std::string(role::kKiosk), ""};
const Author kKioskB{"kiosk-b", std::string(role::kKiosk), ""};

VisitorRules Rules() {
  VisitorRules r;
  r.site_key = kSiteKey;
  return r;
}

CheckInInput WalkIn(const std::string& id, const std::string& name = "张伟", const std::string& host = "alice") {
  CheckInInput in;
  in.visit_id = id;
  in.site = kSite;
  in.visitor = {name, "13812345678", "resident_id", kIdNumber};
  in.organisation = "市财政局";
  in.host = host;
  in.purpose = "送文件";
  in.notice_accepted = true;
  return in;
}

struct VisitorsTest : testing::DomainTest {
  // The office: people, departments, alice's phone key. Kiosks start from a copy of it.
  void Seed(Store& s) {
    std::vector<Draft> people{
        directory::UpsertDepartment("office", "办公室", {}),
        directory::UpsertDepartment("xzk", "行政科", {}),
        directory::UpsertUser({"alice", "Alice", "office", {"staff"}}),
        directory::UpsertUser({"bob", "Bob", "office", {"staff"}}),
        directory::UpsertUser({"rita", "Rita", "office", {"reception"}}),
        directory::UpsertUser({"gary", "Gary", "office", {"guard"}}),
    };
    ASSERT_TRUE(s.Append(kAdmin, people).ok());
    auto pair = GenerateDeviceKeyPair();
    ASSERT_TRUE(pair.ok());
    alice_phone = {"phone-alice", pair->private_key};
    Do(s, kAdmin, EnrollDeviceKey(s, kAdmin, {"phone-alice", pair->public_key, kSite, "alice", "Alice 的手机"}, kNow));
  }

  // A copy of `from` for a new device (enrolled while online, then offline).
  std::unique_ptr<Store> Device(Store& from, const std::string& name) {
    auto s = Open(name + ".db", name);
    EXPECT_TRUE(s->Ingest(AllEvents(from)).ok());
    return s;
  }

  InviteInput Invite(const std::string& id, int party = 1, bool single_use = true) {
    InviteInput in;
    in.id = id;
    in.site = kSite;
    in.visitor_name = "李娜";
    in.visitor_phone = "13900001111";
    in.organisation = "区教育局";
    in.purpose = "商谈合作";
    in.party_size = party;
    in.window_start = T("2026-03-02T10:00");
    in.window_end = T("2026-03-02T12:00");
    in.single_use = single_use;
    return in;
  }

  // Alice's phone makes the invite and returns its token.
  std::string MakeInvite(Store& phone, const InviteInput& in) {
    Command c = Do(phone, kAlice, CreateInvite(phone, kAlice, in, alice_phone, kNow, Rules()));
    if (c.drafts.empty()) return {};
    return c.drafts[0].payload.value("token", "");
  }

  InviteCheckInInput WithToken(const std::string& visit_id, const std::string& token, const std::string& name = "李娜") {
    InviteCheckInInput in;
    in.visit_id = visit_id;
    in.site = kSite;
    in.token = token;
    in.visitor.name = name;
    in.notice_accepted = true;
    return in;
  }

  std::string Status(Store& s, const std::string& visit) {
    auto v = FindVisit(s, visit);
    return v ? v->status : "<none>";
  }

  DeviceSigner alice_phone;
};

// ---------------------------------------------------------------------------
// Device keys and invites

TEST_F(VisitorsTest, DeviceKeysAreEnrolledAndRevokedByTheAdmin) {
  auto s = Open("office.db", "server");
  Seed(*s);
  auto key = FindDeviceKey(*s, "phone-alice");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->status, "enrolled");
  EXPECT_EQ(key->public_key.size(), 32u);
  EXPECT_EQ(key->owner, "alice");
  auto pair = GenerateDeviceKeyPair();
  ASSERT_TRUE(pair.ok());
  ExpectRefused(EnrollDeviceKey(*s, kAlice, {"phone-x", pair->public_key, kSite, "alice", ""}, kNow), "role");
  ExpectRefused(EnrollDeviceKey(*s, kAdmin, {"phone-x", "short", kSite, "alice", ""}, kNow), "public_key");
  ExpectRefused(EnrollDeviceKey(*s, kAdmin, {" ", pair->public_key, kSite, "alice", ""}, kNow), "device_id");
  // Enrolling again replaces the key, with a warning.
  auto again = EnrollDeviceKey(*s, kAdmin, {"phone-alice", pair->public_key, kSite, "alice", ""}, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(HasWarning(*again, "key_replaced"));
  ExpectRefused(RevokeDeviceKey(*s, kAdmin, "phone-alice", " ", kNow), "reason");
  ExpectRefused(RevokeDeviceKey(*s, kAlice, "phone-alice", "lost", kNow), "role");
  ExpectRefused(RevokeDeviceKey(*s, kAdmin, "phone-none", "lost", kNow), "device_id");
  Do(*s, kAdmin, RevokeDeviceKey(*s, kAdmin, "phone-alice", "手机丢失", kNow));
  EXPECT_EQ(FindDeviceKey(*s, "phone-alice")->status, "revoked");
  ExpectRefused(RevokeDeviceKey(*s, kAdmin, "phone-alice", "again", kNow), "status");
}

TEST_F(VisitorsTest, HostCreatesAnInviteWithASignedTokenAndThePersonalDataApart) {
  auto s = Open("office.db", "server");
  Seed(*s);
  const std::string token = MakeInvite(*s, Invite("inv-1", 2));
  ASSERT_FALSE(token.empty());
  auto inv = FindInvite(*s, "inv-1");
  ASSERT_TRUE(inv.has_value());
  EXPECT_EQ(inv->status, "active");
  EXPECT_EQ(inv->host, "alice");
  EXPECT_EQ(inv->token, token);
  EXPECT_EQ(inv->party_size, 2);
  EXPECT_EQ(inv->visitor_name, "李娜");
  EXPECT_EQ(inv->visitor_phone_masked, "139****1111");
  EXPECT_EQ(inv->signer_device, "phone-alice");
  EXPECT_EQ(inv->window_start, T("2026-03-02T10:00"));
  // The payload holds no personal value.
  auto events = s->EventsOf("visitor_invite", "inv-1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  const std::string payload = (*events)[0].payload.dump();
  EXPECT_EQ(payload.find("李娜"), std::string::npos);
  EXPECT_EQ(payload.find("13900001111"), std::string::npos);
  auto decoded = DecodeInviteToken(token);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->invite_id, "inv-1");
  EXPECT_EQ(decoded->host, "alice");
  EXPECT_EQ(decoded->party_size, 2);
  EXPECT_EQ(decoded->expires, T("2026-03-02T12:00"));
  EXPECT_EQ(ExpectedVisitors(*s, kSite, D("2026-03-02")).size(), 1u);
  EXPECT_TRUE(ExpectedVisitors(*s, kSite, D("2026-03-03")).empty());
}

TEST_F(VisitorsTest, CreateInviteRefusals) {
  auto s = Open("office.db", "server");
  Seed(*s);
  const VisitorRules rules = Rules();
  auto with = [&](auto change) {
    InviteInput in = Invite("inv-x");
    change(in);
    return CreateInvite(*s, kAlice, in, alice_phone, kNow, rules);
  };
  ExpectRefused(CreateInvite(*s, kKioskA, Invite("inv-x"), alice_phone, kNow, rules), "role");
  ExpectRefused(with([](InviteInput& i) { i.id = ""; }), "id");
  ExpectRefused(with([](InviteInput& i) { i.site = ""; }), "site");
  ExpectRefused(with([](InviteInput& i) { i.visitor_name = " "; }), "visitor_name");
  ExpectRefused(with([](InviteInput& i) { i.visitor_phone = "12345"; }), "visitor_phone");
  ExpectRefused(with([](InviteInput& i) { i.purpose = ""; }), "purpose");
  ExpectRefused(with([](InviteInput& i) { i.party_size = 0; }), "party_size");
  ExpectRefused(with([](InviteInput& i) { i.party_size = 31; }), "party_size");
  ExpectRefused(with([](InviteInput& i) { i.window_start.reset(); }), "window_start");
  ExpectRefused(with([](InviteInput& i) { i.window_end.reset(); }), "window_end");
  ExpectRefused(with([](InviteInput& i) { i.window_end = T("2026-03-02T09:30"); }), "window_end");
  ExpectRefused(with([](InviteInput& i) {
                  i.window_start = T("2026-03-01T08:00");
                  i.window_end = T("2026-03-01T09:00");
                }),
                "window_end");
  ExpectRefused(with([](InviteInput& i) { i.window_end = T("2026-05-02T10:00"); }), "window_end");
  ExpectRefused(with([](InviteInput& i) { i.expires = T("2026-03-02T08:00"); }), "expires");
  // Inviting for someone else is reception's (or the admin's) job; the host must exist.
  ExpectRefused(with([](InviteInput& i) { i.host = "bob"; }), "host");
  InviteInput for_bob = Invite("inv-r");
  for_bob.host = "bob";
  EXPECT_TRUE(CreateInvite(*s, kRita, for_bob, alice_phone, kNow, rules).ok());
  for_bob.host = "nobody";
  ExpectRefused(CreateInvite(*s, kRita, for_bob, alice_phone, kNow, rules), "host");
  // The signer must be an enrolled device holding the matching private key.
  auto stranger = GenerateDeviceKeyPair();
  ASSERT_TRUE(stranger.ok());
  ExpectRefused(CreateInvite(*s, kAlice, Invite("inv-x"), {"phone-alice", stranger->private_key}, kNow, rules),
                "signer");
  ExpectRefused(CreateInvite(*s, kAlice, Invite("inv-x"), {"phone-none", stranger->private_key}, kNow, rules),
                "signer");
  // The same id twice.
  MakeInvite(*s, Invite("inv-1"));
  ExpectRefused(CreateInvite(*s, kAlice, Invite("inv-1"), alice_phone, kNow, rules), "status");
  EXPECT_FALSE(FindInvite(*s, "inv-x").has_value());
}

TEST_F(VisitorsTest, CancelInviteByTheHostReceptionOrAdmin) {
  auto s = Open("office.db", "server");
  Seed(*s);
  MakeInvite(*s, Invite("inv-1"));
  MakeInvite(*s, Invite("inv-2"));
  ExpectRefused(CancelInvite(*s, kBob, "inv-1", "改期", kNow), "host");
  ExpectRefused(CancelInvite(*s, kAlice, "inv-1", " ", kNow), "reason");
  ExpectRefused(CancelInvite(*s, kAlice, "inv-none", "改期", kNow), "invite");
  Do(*s, kAlice, CancelInvite(*s, kAlice, "inv-1", "改期", kNow));
  Do(*s, kRita, CancelInvite(*s, kRita, "inv-2", "对方取消", kNow));
  EXPECT_EQ(FindInvite(*s, "inv-1")->status, "cancelled");
  EXPECT_EQ(FindInvite(*s, "inv-2")->status, "cancelled");
  ExpectRefused(CancelInvite(*s, kAlice, "inv-1", "again", kNow), "status");
  EXPECT_TRUE(ExpectedVisitors(*s, kSite, D("2026-03-02")).empty());
}

TEST_F(VisitorsTest, InviteAndDeviceKeyClashesBetweenOfflineDevices) {
  auto server = Open("office.db", "server");
  Seed(*server);
  auto pair = GenerateDeviceKeyPair();
  ASSERT_TRUE(pair.ok());
  Do(*server, kAdmin, EnrollDeviceKey(*server, kAdmin, {"phone-bob", pair->public_key, kSite, "bob", ""}, kNow));
  MakeInvite(*server, Invite("inv-1"));
  auto phone = Device(*server, "phone-alice");
  auto bob_phone = Device(*server, "phone-bob");
  auto desk = Device(*server, "desk");
  // One invite id created on two devices (a retried import): the second is kept and marked.
  const DeviceSigner bob_signer{"phone-bob", pair->private_key};
  Do(*bob_phone, kBob, CreateInvite(*bob_phone, kBob, Invite("inv-2"), bob_signer, kNow, Rules()));
  Do(*phone, kAlice, CreateInvite(*phone, kAlice, Invite("inv-2"), alice_phone, kNow, Rules()));
  // The host and reception both cancel, offline: they agree, nothing to resolve.
  Do(*phone, kAlice, CancelInvite(*phone, kAlice, "inv-1", "改期", kNow));
  Do(*desk, kRita, CancelInvite(*desk, kRita, "inv-1", "对方取消", kNow));
  // Two admins revoke the same phone, offline: they agree too.
  Do(*server, kAdmin, RevokeDeviceKey(*server, kAdmin, "phone-alice", "丢失", kNow));
  Do(*desk, kAdmin, RevokeDeviceKey(*desk, kAdmin, "phone-alice", "丢失", kNow));
  ExchangeAll({server.get(), phone.get(), desk.get(), bob_phone.get()});
  ExpectConverged({server.get(), phone.get(), desk.get(), bob_phone.get()});
  EXPECT_EQ(FindInvite(*server, "inv-1")->status, "cancelled");
  EXPECT_TRUE(ConflictsOf(*server, "visitor_invite", "inv-1", "workflow").empty());
  EXPECT_EQ(FindDeviceKey(*server, "phone-alice")->status, "revoked");
  EXPECT_TRUE((*server->Get("device_key", "phone-alice"))->conflicts.empty());
  EXPECT_EQ(ConflictsOf(*server, "visitor_invite", "inv-2", "workflow").size(), 1u);
}

TEST_F(VisitorsTest, OfflineKioskThatNeverSawTheInviteChecksTheVisitorIn) {
  auto server = Open("office.db", "server");
  Seed(*server);
  // Both devices synced once (the kiosk has alice's public key), then went offline.
  auto phone = Device(*server, "phone-alice");
  auto kiosk = Device(*server, "kiosk-a");
  const std::string token = MakeInvite(*phone, Invite("inv-1", 3));
  EXPECT_FALSE(kiosk->Get("visitor_invite", "inv-1")->has_value());

  // Never more than the token admits.
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, [&] {
                  auto i = WithToken("v-1", token);
                  i.party_size = 4;
                  return i;
                }(), T("2026-03-02T09:30"), Rules()),
                "party_size");
  InviteCheckInInput in = WithToken("v-1", token);
  in.party_size = 2;
  Command c = Do(*kiosk, kKioskA, CheckInWithInvite(*kiosk, kKioskA, in, T("2026-03-02T09:30"), Rules()));
  EXPECT_TRUE(c.warnings.empty());
  auto v = FindVisit(*kiosk, "v-1");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->status, "on_site");
  EXPECT_EQ(v->kind, "invited");
  EXPECT_EQ(v->host, "alice");
  EXPECT_EQ(v->invite, "inv-1");
  EXPECT_EQ(v->party_size, 2);
  EXPECT_EQ(v->name, "李娜");
  EXPECT_EQ(v->purpose, "");  // the kiosk did not have the invite; the token needs none
  EXPECT_TRUE(v->conflicts.empty());
  // Without a party size the token's whole party is admitted.
  const std::string whole = MakeInvite(*phone, Invite("inv-2", 3));
  Do(*kiosk, kKioskA, CheckInWithInvite(*kiosk, kKioskA, WithToken("v-2", whole), T("2026-03-02T09:30"), Rules()));
  EXPECT_EQ(FindVisit(*kiosk, "v-2")->party_size, 3);
  ExchangeAll({server.get(), phone.get(), kiosk.get()});
  ExpectConverged({server.get(), phone.get(), kiosk.get()});
  EXPECT_TRUE(ConflictsOf(*server, "visitor_visit", "v-1", "invite_reused").empty());
}

TEST_F(VisitorsTest, ForgedTamperedExpiredAndMisplacedTokensAreRefused) {
  auto server = Open("office.db", "server");
  Seed(*server);
  auto kiosk = Device(*server, "kiosk-a");
  const VisitorRules rules = Rules();
  const std::string token = MakeInvite(*server, Invite("inv-1", 2));
  const LocalTime at = T("2026-03-02T10:30");
  auto check = [&](const std::string& t, LocalTime when, const std::string& site = kSite) {
    auto in = WithToken("v-x", t);
    in.site = site;
    return CheckInWithInvite(*kiosk, kKioskA, in, when, rules);
  };
  EXPECT_TRUE(check(token, at).ok());

  // Tampered: the party size byte raised from 2 to 9, signature kept.
  std::string bytes = *Base64UrlDecode(token);
  const std::size_t party_at = bytes.size() - 64 - 1;
  ASSERT_EQ(bytes[party_at], 2);
  bytes[party_at] = 9;
  ExpectRefused(check(Base64UrlEncode(bytes), at), "token");

  // Forged: a well-formed token claiming alice's phone, signed by another key.
  auto forger = GenerateDeviceKeyPair();
  ASSERT_TRUE(forger.ok());
  InviteToken fake = *DecodeInviteToken(token);
  fake.invite_id = "inv-forged";
  auto forged = SignInviteToken(fake, forger->private_key);
  ASSERT_TRUE(forged.ok());
  ExpectRefused(check(*forged, at), "token");
  // Signed by a device this kiosk does not know.
  fake.signer_device = "phone-unknown";
  ExpectRefused(check(*SignInviteToken(fake, forger->private_key), at), "token");
  // Expired, too early (the window opens 60 minutes early), another site, garbage.
  ExpectRefused(check(token, T("2026-03-02T12:01")), "token");
  EXPECT_TRUE(check(token, T("2026-03-02T09:00")).ok());
  ExpectRefused(check(token, T("2026-03-02T08:59")), "token");
  ExpectRefused(check(token, at, "annex"), "token");
  ExpectRefused(check("hello", at), "token");
  // A shorter expiry than the window ends the token early.
  InviteInput early = Invite("inv-2");
  early.expires = T("2026-03-02T11:00");
  const std::string short_token = MakeInvite(*server, early);
  ASSERT_TRUE(kiosk->Ingest(AllEvents(*server)).ok());
  EXPECT_TRUE(check(short_token, T("2026-03-02T10:59")).ok());
  ExpectRefused(check(short_token, T("2026-03-02T11:01")), "token");
  // A revoked device invalidates every token it signed, once the kiosk knows.
  Do(*server, kAdmin, RevokeDeviceKey(*server, kAdmin, "phone-alice", "手机丢失", kNow));
  ASSERT_TRUE(kiosk->Ingest(AllEvents(*server)).ok());
  ExpectRefused(check(token, at), "token");
  EXPECT_FALSE(FindVisit(*kiosk, "v-x").has_value());
}

TEST_F(VisitorsTest, InviteCheckInRefusalsAtTheKiosk) {
  auto server = Open("office.db", "server");
  Seed(*server);
  const std::string token = MakeInvite(*server, Invite("inv-1"));
  const std::string multi = MakeInvite(*server, Invite("inv-m", 5, false));
  auto kiosk = Device(*server, "kiosk-a");
  const LocalTime at = T("2026-03-02T10:30");
  VisitorRules rules = Rules();
  auto no_notice = WithToken("v-1", token);
  no_notice.notice_accepted = false;
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, no_notice, at, rules), "notice_accepted");
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, WithToken("v-1", token, " "), at, rules), "name");
  ExpectRefused(CheckInWithInvite(*kiosk, kAlice, WithToken("v-1", token), at, rules), "role");
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, WithToken("", token), at, rules), "visit_id");
  // The site's policy may require a phone and a document of invited visitors too.
  rules.phone_required_invited = true;
  rules.document_required_invited = true;
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, WithToken("v-1", token), at, rules), "phone");
  auto with_phone = WithToken("v-1", token);
  with_phone.visitor.phone = "13900001111";
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, with_phone, at, rules), "document_kind");
  with_phone.visitor.document_kind = "passport";
  with_phone.visitor.document_number = "E12";
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, with_phone, at, rules), "document_number");
  with_phone.visitor.document_number = "E12345678";
  Do(*kiosk, kKioskA, CheckInWithInvite(*kiosk, kKioskA, with_phone, at, rules));
  EXPECT_EQ(FindVisit(*kiosk, "v-1")->document_masked, "****5678");
  // Single use: the same kiosk refuses a second check-in; a multi-use invite admits several.
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, WithToken("v-2", token), at, Rules()), "token");
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, WithToken("v-1", multi), at, Rules()), "status");
  Do(*kiosk, kKioskA, CheckInWithInvite(*kiosk, kKioskA, WithToken("v-3", multi), at, Rules()));
  Do(*kiosk, kKioskA, CheckInWithInvite(*kiosk, kKioskA, WithToken("v-4", multi, "王强"), at, Rules()));
  EXPECT_TRUE(ConflictsOf(*kiosk, "visitor_visit", "v-4", "invite_reused").empty());
  // The kiosk that knows of the cancellation refuses.
  Do(*server, kAlice, CancelInvite(*server, kAlice, "inv-m", "改期", kNow));
  ASSERT_TRUE(kiosk->Ingest(AllEvents(*server)).ok());
  ExpectRefused(CheckInWithInvite(*kiosk, kKioskA, WithToken("v-5", multi), at, Rules()), "token");
}

TEST_F(VisitorsTest, OneSingleUseInviteAtTwoOfflineKiosksIsKeptTwiceAndFlaggedForTheGuard) {
  auto server = Open("office.db", "server");
  Seed(*server);
  auto phone = Device(*server, "phone-alice");
  auto a = Device(*server, "kiosk-a");
  auto b = Device(*server, "kiosk-b");
  const std::string token = MakeInvite(*phone, Invite("inv-1"));
  Do(*a, kKioskA, CheckInWithInvite(*a, kKioskA, WithToken("v-a", token), T("2026-03-02T10:05"), Rules()));
  Do(*b, kKioskB, CheckInWithInvite(*b, kKioskB, WithToken("v-b", token, "李娜?"), T("2026-03-02T10:07"), Rules()));

  // The two kiosks meet (the phone is still offline): both check-ins kept, both marked.
  ExchangeAll({a.get(), b.get()});
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(Status(*s, "v-a"), "on_site");
    EXPECT_EQ(Status(*s, "v-b"), "on_site");
    auto ca = ConflictsOf(*s, "visitor_visit", "v-a", "invite_reused");
    auto cb = ConflictsOf(*s, "visitor_visit", "v-b", "invite_reused");
    ASSERT_EQ(ca.size(), 1u);
    ASSERT_EQ(cb.size(), 1u);
    EXPECT_EQ(ca[0].Id(), cb[0].Id());
    EXPECT_EQ(ca[0].events.size(), 2u);
    EXPECT_FALSE(ca[0].reason.en.empty());
    EXPECT_FALSE(ca[0].reason.zh.empty());
    EXPECT_EQ(ca[0].source, "visitor_invite_use");
    auto alerts = GuardAlerts(*s, kSite);
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[0].kind, "invite_reused");
    EXPECT_EQ(OnSite(*s, kSite).size(), 2u);
  }
  ExpectConverged({a.get(), b.get()});

  // Everyone meets: the invite record is marked as well.
  ExchangeAll({server.get(), phone.get(), a.get(), b.get()});
  ExpectConverged({server.get(), phone.get(), a.get(), b.get()});
  EXPECT_EQ(ConflictsOf(*server, "visitor_invite", "inv-1", "invite_reused").size(), 1u);

  // The guard checks and resolves it on both visits: the alerts go, the visits stay.
  const std::string cid = ConflictsOf(*server, "visitor_visit", "v-a", "invite_reused")[0].Id();
  const Json resolved{{"conflict", cid}, {"note", "同行两人, 已核实"}};
  ASSERT_TRUE(server
                  ->Append(kGary, {{"visitor_visit", "v-a", "conflict.resolved", resolved},
                                   {"visitor_visit", "v-b", "conflict.resolved", resolved}})
                  .ok());
  EXPECT_TRUE(GuardAlerts(*server, kSite).empty());
  EXPECT_EQ(OnSite(*server, kSite).size(), 2u);
  ExchangeAll({server.get(), a.get(), b.get()});
  ExpectConverged({server.get(), a.get(), b.get()});
}

TEST_F(VisitorsTest, ACancelledInviteUsedAtAnOfflineKioskIsFlagged) {
  auto server = Open("office.db", "server");
  Seed(*server);
  const std::string token = MakeInvite(*server, Invite("inv-1"));
  auto kiosk = Device(*server, "kiosk-a");
  Do(*server, kAlice, CancelInvite(*server, kAlice, "inv-1", "会议取消", kNow));
  Do(*kiosk, kKioskA, CheckInWithInvite(*kiosk, kKioskA, WithToken("v-1", token), T("2026-03-02T10:10"), Rules()));
  ExchangeAll({server.get(), kiosk.get()});
  ExpectConverged({server.get(), kiosk.get()});
  for (Store* s : {server.get(), kiosk.get()}) {
    EXPECT_EQ(ConflictsOf(*s, "visitor_visit", "v-1", "cancelled_invite_used").size(), 1u);
    EXPECT_EQ(ConflictsOf(*s, "visitor_invite", "inv-1", "cancelled_invite_used").size(), 1u);
    EXPECT_EQ(Status(*s, "v-1"), "on_site");
    ASSERT_EQ(GuardAlerts(*s, kSite).size(), 1u);
  }
}

// ---------------------------------------------------------------------------
// Walk-ins

TEST_F(VisitorsTest, WalkInIsRegisteredWithTheDocumentMaskedAndHashed) {
  auto s = Open("office.db", "server");
  Seed(*s);
  Command c = Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-1"), kNow, Rules()));
  EXPECT_TRUE(c.warnings.empty());
  auto v = FindVisit(*s, "v-1");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->status, "on_site");
  EXPECT_EQ(v->kind, "walk_in");
  EXPECT_EQ(v->name, "张伟");
  EXPECT_EQ(v->host, "alice");
  EXPECT_EQ(v->organisation, "市财政局");
  EXPECT_EQ(v->purpose, "送文件");
  EXPECT_EQ(v->document_kind, "resident_id");
  EXPECT_EQ(v->document_masked, "**************002X");
  EXPECT_EQ(v->phone_masked, "138****5678");
  EXPECT_EQ(v->checked_in_at, kNow);
  EXPECT_FALSE(v->purged);
  auto events = s->EventsOf("visitor_visit", "v-1");
  ASSERT_TRUE(events.ok());
  const Event& e = (*events)[0];
  EXPECT_EQ(e.payload.value("notice_version", ""), std::string(kNoticeVersion));
  // Personal values only in the personal part.
  const std::string payload = e.payload.dump();
  for (const char* personal : {"张伟", "13812345678", "002X"}) EXPECT_EQ(payload.find(personal), std::string::npos);
  EXPECT_EQ(e.personal.value("name", ""), "张伟");
  EXPECT_EQ(e.personal.value("doc_last4", ""), "002X");
  EXPECT_EQ(e.personal.value("doc_hash", "").size(), 64u);
  EXPECT_EQ(VisitsForHost(*s, kSite, "alice", kNow.date).size(), 1u);
  EXPECT_TRUE(VisitsForHost(*s, kSite, "bob", kNow.date).empty());
}

TEST_F(VisitorsTest, WalkInRefusalsNameTheFieldInBothLanguages) {
  auto s = Open("office.db", "server");
  Seed(*s);
  const VisitorRules rules = Rules();
  auto with = [&](auto change, const Author& actor = kKioskA) {
    CheckInInput in = WalkIn("v-x");
    change(in);
    return CheckIn(*s, actor, in, kNow, rules);
  };
  ExpectRefused(with([](CheckInInput& i) { i.notice_accepted = false; }), "notice_accepted");
  ExpectRefused(with([](CheckInInput& i) { i.visitor.name = "  "; }), "name");
  ExpectRefused(with([](CheckInInput& i) { i.visitor.phone = ""; }), "phone");
  ExpectRefused(with([](CheckInInput& i) { i.visitor.phone = "1381234567"; }), "phone");
  ExpectRefused(with([](CheckInInput& i) { i.visitor.document_kind = ""; }), "document_kind");
  ExpectRefused(with([](CheckInInput& i) { i.visitor.document_kind = "library_card"; }), "document_kind");
  ExpectRefused(with([](CheckInInput& i) { i.visitor.document_number = ""; }), "document_number");
  ExpectRefused(with([](CheckInInput& i) { i.visitor.document_number = "110105194912310021"; }), "document_number");
  ExpectRefused(with([](CheckInInput& i) { i.host = ""; }), "host");
  ExpectRefused(with([](CheckInInput& i) { i.host = "nobody"; }), "host");
  ExpectRefused(with([](CheckInInput& i) { i.purpose = " "; }), "purpose");
  ExpectRefused(with([](CheckInInput& i) { i.party_size = 0; }), "party_size");
  ExpectRefused(with([](CheckInInput& i) { i.party_size = 31; }), "party_size");
  ExpectRefused(with([](CheckInInput& i) { i.kind = "invited"; }), "kind");
  ExpectRefused(with([](CheckInInput& i) { i.site = ""; }), "site");
  ExpectRefused(with([](CheckInInput& i) { i.visit_id = ""; }), "visit_id");
  ExpectRefused(with([](CheckInInput&) {}, kAlice), "role");
  // A device without the site key cannot hash, so it cannot register a phone or document.
  ExpectRefused(CheckIn(*s, kKioskA, WalkIn("v-x"), kNow, VisitorRules{}), "site_key");
  // The same visit id twice.
  Do(*s, kGary, CheckIn(*s, kGary, WalkIn("v-1"), kNow, rules));
  ExpectRefused(CheckIn(*s, kKioskA, WalkIn("v-1"), kNow, rules), "status");
  EXPECT_FALSE(FindVisit(*s, "v-x").has_value());
}

TEST_F(VisitorsTest, TheSitesPolicyDecidesWhetherADocumentIsRequired) {
  auto s = Open("office.db", "server");
  Seed(*s);
  CheckInInput in = WalkIn("v-1");
  in.visitor.document_kind.clear();
  in.visitor.document_number.clear();
  ExpectRefused(CheckIn(*s, kKioskA, in, kNow, LoadVisitorRules(*s, kSiteKey)), "document_kind");
  ASSERT_TRUE(s->Append(kAdmin, {SetVisitorRules(Json{{"document_required_walk_in", false}})}).ok());
  Do(*s, kKioskA, CheckIn(*s, kKioskA, in, kNow, LoadVisitorRules(*s, kSiteKey)));
  auto v = FindVisit(*s, "v-1");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->document_kind, "");
  EXPECT_EQ(v->document_masked, "");
  // Every kind of document the site accepts.
  int n = 2;
  for (auto [kind, number, masked] :
       {std::tuple{"passport", "E12345678", "****5678"}, std::tuple{"hk_macau_permit", "H87654321", "****4321"},
        std::tuple{"taiwan_permit", "12345678", "****5678"}}) {
    CheckInInput d = WalkIn("v-" + std::to_string(n++));
    d.visitor.document_kind = kind;
    d.visitor.document_number = number;
    Do(*s, kKioskA, CheckIn(*s, kKioskA, d, kNow, Rules()));
    EXPECT_EQ(FindVisit(*s, d.visit_id)->document_masked, masked);
  }
}

TEST_F(VisitorsTest, TheDocumentNumberIsStoredNowhere) {
  auto s = Open("office.db", "server");
  Seed(*s);
  CheckInInput in = WalkIn("v-1");
  in.visitor.document_number = "11010519491231002x";
  Do(*s, kKioskA, CheckIn(*s, kKioskA, in, kNow, Rules()));
  BlockInput block{"blk-1", "", "某人", "resident_id", kIdNumber2, "", "扰乱办公秩序"};
  Do(*s, kAdmin, AddToBlockList(*s, kAdmin, block, kNow, Rules()));
  ASSERT_TRUE(FindReturningVisitor(*s, Rules(), "resident_id", kIdNumber).has_value());

  const std::vector<std::string> numbers{kIdNumber, "11010519491231002x", "11010519491231002", kIdNumber2,
                                         "44030419850615"};
  for (const Event& e : AllEvents(*s)) {
    const std::string text = e.payload.dump() + e.personal.dump();
    for (const auto& n : numbers) EXPECT_EQ(text.find(n), std::string::npos) << e.kind;
  }
  ASSERT_TRUE(s->ForEachRecord("", [&](const RecordView& v) {
                 const std::string text = v.fields.dump();
                 for (const auto& n : numbers) EXPECT_EQ(text.find(n), std::string::npos) << v.key.id;
               }).ok());
  s.reset();  // close: everything is in the files
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream f(dir.File("office.db") + suffix, std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (const auto& n : numbers) EXPECT_EQ(raw.find(n), std::string::npos) << suffix;
  }
}

TEST_F(VisitorsTest, AReturningVisitorIsRecognisedByTheKeyedHash) {
  auto s = Open("office.db", "server");
  Seed(*s);
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-1"), kNow, Rules()));
  Do(*s, kKioskA, CheckOut(*s, kKioskA, "v-1", T("2026-03-02T11:00")));
  CheckInInput again = WalkIn("v-2", "张伟");
  again.visitor.document_number = " 11010519491231002x ";
  again.organisation = "市财政局预算科";
  Do(*s, kKioskA, CheckIn(*s, kKioskA, again, T("2026-03-05T09:00"), Rules()));
  auto r = FindReturningVisitor(*s, Rules(), "resident_id", "11010519491231002X");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->visits, 2);
  EXPECT_EQ(r->last_visit, "v-2");
  EXPECT_EQ(r->name, "张伟");
  EXPECT_EQ(r->organisation, "市财政局预算科");
  EXPECT_FALSE(FindReturningVisitor(*s, Rules(), "resident_id", kIdNumber2).has_value());
  // Another site key (another site's kiosk, or a guess without the key) matches nothing.
  VisitorRules other = Rules();
  other.site_key = "another-key";
  EXPECT_FALSE(FindReturningVisitor(*s, other, "resident_id", kIdNumber).has_value());
  // The same number as another kind of document is another document.
  EXPECT_FALSE(FindReturningVisitor(*s, Rules(), "passport", "E12345678").has_value());
}

// ---------------------------------------------------------------------------
// Block list

TEST_F(VisitorsTest, ABlockListMatchAlertsTheGuardAndDoesNotRefuseTheCheckIn) {
  auto s = Open("office.db", "server");
  Seed(*s);
  Do(*s, kAdmin, AddToBlockList(*s, kAdmin, {"blk-1", "", "张某", "resident_id", kIdNumber, "", "曾冲击办公区"}, kNow,
                                Rules()));
  Do(*s, kGary, AddToBlockList(*s, kGary, {"blk-2", "", "", "", "", "13700002222", "骚扰电话"}, kNow, Rules()));
  auto list = BlockList(*s);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].document_masked, "**************002X");
  EXPECT_EQ(list[0].name, "张某");

  CheckInInput in = WalkIn("v-1");
  in.visitor.document_number = "11010519491231002x";  // typed differently
  EXPECT_EQ(BlockListMatches(*s, Rules(), kSite, in.visitor), std::vector<std::string>{"blk-1"});
  Command c = Do(*s, kKioskA, CheckIn(*s, kKioskA, in, kNow, Rules()));
  EXPECT_TRUE(HasWarning(c, "blocklist_match"));
  auto v = FindVisit(*s, "v-1");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->status, "on_site");
  EXPECT_EQ(v->blocklist_hits, std::vector<std::string>{"blk-1"});
  auto marks = ConflictsOf(*s, "visitor_visit", "v-1", "blocklist_match");
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0].source, "visitor_blocklist");
  auto alerts = GuardAlerts(*s, kSite);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].visit, "v-1");
  EXPECT_EQ(alerts[0].kind, "blocklist_match");
  EXPECT_FALSE(alerts[0].text.zh.empty());

  // A match by phone.
  CheckInInput by_phone = WalkIn("v-2", "王五");
  by_phone.visitor.phone = "137-0000-2222";
  by_phone.visitor.document_number = kIdNumber2;
  Command c2 = Do(*s, kKioskA, CheckIn(*s, kKioskA, by_phone, kNow, Rules()));
  EXPECT_TRUE(HasWarning(c2, "blocklist_match"));
  EXPECT_EQ(ConflictsOf(*s, "visitor_visit", "v-2", "blocklist_match").size(), 1u);
  // Nobody else is marked.
  Do(*s, kKioskA, CheckIn(*s, kKioskA, [] {
       auto i = WalkIn("v-3", "赵六");
       i.visitor.phone = "13811112222";
       i.visitor.document_number = "310104199202284561";
       return i;
     }(), kNow, Rules()));
  EXPECT_TRUE(ConflictsOf(*s, "visitor_visit", "v-3", "blocklist_match").empty());
  // The alert lasts while the visitor is on site.
  Do(*s, kGary, CheckOut(*s, kGary, "v-1", T("2026-03-02T09:20")));
  EXPECT_TRUE(ConflictsOf(*s, "visitor_visit", "v-1", "blocklist_match").empty());
  EXPECT_EQ(FindVisit(*s, "v-1")->blocklist_hits, std::vector<std::string>{"blk-1"});  // the record stays
  EXPECT_EQ(GuardAlerts(*s, kSite).size(), 1u);
  // Lifted: later visits are not matched.
  Do(*s, kAdmin, LiftBlock(*s, kAdmin, "blk-1", "已处理", kNow));
  Command c4 = Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-4"), kNow, Rules()));
  EXPECT_FALSE(HasWarning(c4, "blocklist_match"));
  EXPECT_TRUE(ConflictsOf(*s, "visitor_visit", "v-4", "blocklist_match").empty());
  EXPECT_TRUE(s->VerifyMaterialized().ok());
}

TEST_F(VisitorsTest, BlockListRefusalsAndSiteScope) {
  auto s = Open("office.db", "server");
  Seed(*s);
  ExpectRefused(AddToBlockList(*s, kAlice, {"blk-1", "", "", "resident_id", kIdNumber, "", "x"}, kNow, Rules()),
                "role");
  ExpectRefused(AddToBlockList(*s, kAdmin, {"blk-1", "", "", "resident_id", kIdNumber, "", " "}, kNow, Rules()),
                "reason");
  ExpectRefused(AddToBlockList(*s, kAdmin, {"blk-1", "", "", "", "", "", "x"}, kNow, Rules()), "document_number");
  ExpectRefused(AddToBlockList(*s, kAdmin, {"blk-1", "", "", "resident_id", "123", "", "x"}, kNow, Rules()),
                "document_number");
  ExpectRefused(AddToBlockList(*s, kAdmin, {"blk-1", "", "", "", "", "123", "x"}, kNow, Rules()), "phone");
  ExpectRefused(AddToBlockList(*s, kAdmin, {"", "", "", "", "", "13700002222", "x"}, kNow, Rules()), "id");
  ExpectRefused(LiftBlock(*s, kAdmin, "blk-none", "x", kNow), "block");
  // An entry for the annex does not match at the main site.
  Do(*s, kAdmin, AddToBlockList(*s, kAdmin, {"blk-1", "annex", "", "resident_id", kIdNumber, "", "x"}, kNow, Rules()));
  ExpectRefused(LiftBlock(*s, kGary, "blk-1", "x", kNow), "role");
  ExpectRefused(LiftBlock(*s, kAdmin, "blk-1", " ", kNow), "reason");
  Command c = Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-1"), kNow, Rules()));
  EXPECT_FALSE(HasWarning(c, "blocklist_match"));
  EXPECT_TRUE(ConflictsOf(*s, "visitor_visit", "v-1", "blocklist_match").empty());
  Do(*s, kAdmin, LiftBlock(*s, kAdmin, "blk-1", "ok", kNow));
  ExpectRefused(LiftBlock(*s, kAdmin, "blk-1", "again", kNow), "status");
}

TEST_F(VisitorsTest, ABlockListEntryThatReachesTheKioskLateStillAlertsOnBothReplicas) {
  auto server = Open("office.db", "server");
  Seed(*server);
  auto kiosk = Device(*server, "kiosk-a");
  // The kiosk, offline, checks the visitor in without a warning ...
  Command c = Do(*kiosk, kKioskA, CheckIn(*kiosk, kKioskA, WalkIn("v-1"), kNow, Rules()));
  EXPECT_FALSE(HasWarning(c, "blocklist_match"));
  // ... while the security office adds them to the block list.
  Do(*server, kAdmin,
     AddToBlockList(*server, kAdmin, {"blk-1", "", "", "resident_id", kIdNumber, "", "冒用证件"}, kNow, Rules()));
  ExchangeAll({server.get(), kiosk.get()});
  ExpectConverged({server.get(), kiosk.get()});
  for (Store* s : {server.get(), kiosk.get()}) {
    EXPECT_EQ(ConflictsOf(*s, "visitor_visit", "v-1", "blocklist_match").size(), 1u);
    EXPECT_EQ(GuardAlerts(*s, kSite).size(), 1u);
    EXPECT_EQ(Status(*s, "v-1"), "on_site");
  }
}

// ---------------------------------------------------------------------------
// Petitioners

TEST_F(VisitorsTest, PetitionersAreRoutedToTheAdministrationSectionNeverToAHost) {
  auto s = Open("office.db", "server");
  Seed(*s);
  CheckInInput in = WalkIn("v-1", "陈某");
  in.kind = "petitioner";
  in.host = "alice";
  ExpectRefused(CheckIn(*s, kKioskA, in, kNow, Rules()), "host");
  in.host.clear();
  in.purpose.clear();
  Do(*s, kKioskA, CheckIn(*s, kKioskA, in, kNow, Rules()));
  auto v = FindVisit(*s, "v-1");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->kind, "petitioner");
  EXPECT_EQ(v->host, "");
  EXPECT_EQ(v->routed_to, "xzk");  // the department named 行政科
  EXPECT_EQ(v->purpose, "信访");
  EXPECT_EQ(PetitionDepartment(*s, Rules()), "xzk");
  EXPECT_EQ(PetitionerVisits(*s, kSite, "xzk", kNow.date).size(), 1u);
  EXPECT_TRUE(VisitsForHost(*s, kSite, "alice", kNow.date).empty());
  // Documents are required of petitioners by default.
  CheckInInput no_doc = in;
  no_doc.visit_id = "v-2";
  no_doc.visitor.document_kind.clear();
  no_doc.visitor.document_number.clear();
  ExpectRefused(CheckIn(*s, kKioskA, no_doc, kNow, Rules()), "document_kind");
  // A department id configured directly.
  VisitorRules by_id = Rules();
  by_id.petition_department = "office";
  EXPECT_EQ(PetitionDepartment(*s, by_id), "office");
  // A faulty replica that names a host: kept, host not applied, marked.
  Json payload{{"site", kSite}, {"kind", "petitioner"}, {"host", "alice"}, {"routed_to", "xzk"},
               {"purpose", "信访"},  {"party_size", 1},       {"at", kNow.ToString()}};
  Draft raw{"visitor_visit", "v-3", "visitor_visit.checked_in", payload};
  raw.personal = Json{{"name", "某人"}};
  ASSERT_TRUE(s->Append(kKioskA, {raw}).ok());
  EXPECT_EQ(FindVisit(*s, "v-3")->host, "");
  EXPECT_EQ(ConflictsOf(*s, "visitor_visit", "v-3", "petitioner_host").size(), 1u);
  EXPECT_TRUE(s->VerifyMaterialized().ok());
}

// ---------------------------------------------------------------------------
// Delegations

GroupInput Delegation(const std::string& id) {
  GroupInput g;
  g.id = id;
  g.site = kSite;
  g.kind = "foreign_delegation";
  g.name = "里昂市政府代表团";
  g.organisation = "Ville de Lyon";
  g.host = "bob";
  g.purpose = "友好交流";
  g.window_start = T("2026-03-02T09:00");
  g.window_end = T("2026-03-02T17:00");
  g.members = {{"Marie Dubois", "passport", "15AB12345", "FR", ""},
               {"陈家明", "hk_macau_permit", "H12345678", "HK", ""},
               {"林志玲", "taiwan_permit", "87654321", "TW", "13912345678"}};
  g.notice_accepted = true;
  return g;
}

TEST_F(VisitorsTest, ReceptionRegistersADelegationInBulkAndChecksItInAndOut) {
  auto s = Open("office.db", "server");
  Seed(*s);
  Do(*s, kRita, RegisterGroup(*s, kRita, Delegation("grp-1"), kNow, Rules()));
  auto g = FindGroup(*s, "grp-1");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->status, "expected");
  ASSERT_EQ(g->members.size(), 3u);
  EXPECT_EQ(g->members[0].key, "m1");
  EXPECT_EQ(g->members[0].name, "Marie Dubois");
  EXPECT_EQ(g->members[0].document_masked, "****2345");
  EXPECT_EQ(g->members[1].document_masked, "****5678");
  EXPECT_EQ(g->members[2].nationality, "TW");

  // Two members first, the third later.
  Do(*s, kRita, CheckInGroup(*s, kRita, "grp-1", {"m1", "m2"}, T("2026-03-02T09:10"), Rules()));
  EXPECT_EQ(FindGroup(*s, "grp-1")->status, "on_site");
  EXPECT_EQ(OnSite(*s, kSite).size(), 2u);
  auto m1 = FindVisit(*s, "grp-1.m1");
  ASSERT_TRUE(m1.has_value());
  EXPECT_EQ(m1->kind, "group");
  EXPECT_EQ(m1->group, "grp-1");
  EXPECT_EQ(m1->host, "bob");
  EXPECT_EQ(m1->name, "Marie Dubois");
  EXPECT_EQ(m1->document_masked, "****2345");
  ExpectRefused(CheckInGroup(*s, kRita, "grp-1", {"m1"}, T("2026-03-02T09:20"), Rules()), "members");
  ExpectRefused(CheckInGroup(*s, kRita, "grp-1", {"m9"}, T("2026-03-02T09:20"), Rules()), "members");
  ExpectRefused(CheckInGroup(*s, kKioskA, "grp-1", {}, T("2026-03-02T09:20"), Rules()), "role");
  Do(*s, kGary, CheckInGroup(*s, kGary, "grp-1", {}, T("2026-03-02T09:40"), Rules()));
  EXPECT_EQ(OnSite(*s, kSite).size(), 3u);
  EXPECT_EQ(FindVisit(*s, "grp-1.m3")->phone_masked, "139****5678");
  ExpectRefused(CheckInGroup(*s, kRita, "grp-1", {}, T("2026-03-02T09:50"), Rules()), "members");

  Do(*s, kRita, CheckOutGroup(*s, kRita, "grp-1", T("2026-03-02T16:00")));
  EXPECT_EQ(FindGroup(*s, "grp-1")->status, "left");
  EXPECT_TRUE(OnSite(*s, kSite).empty());
  EXPECT_EQ(FindVisit(*s, "grp-1.m2")->status, "checked_out");
  ExpectRefused(CheckOutGroup(*s, kRita, "grp-1", T("2026-03-02T16:05")), "status");
  ExpectRefused(CheckInGroup(*s, kRita, "grp-none", {}, kNow, Rules()), "group");
  EXPECT_TRUE(s->VerifyMaterialized().ok());
}

TEST_F(VisitorsTest, DelegationRefusals) {
  auto s = Open("office.db", "server");
  Seed(*s);
  auto with = [&](auto change, const Author& actor = kRita) {
    GroupInput g = Delegation("grp-x");
    change(g);
    return RegisterGroup(*s, actor, g, kNow, Rules());
  };
  ExpectRefused(with([](GroupInput&) {}, kGary), "role");
  ExpectRefused(with([](GroupInput&) {}, kAlice), "role");
  ExpectRefused(with([](GroupInput& g) { g.id = ""; }), "id");
  ExpectRefused(with([](GroupInput& g) { g.site = ""; }), "site");
  ExpectRefused(with([](GroupInput& g) { g.kind = "tourists"; }), "kind");
  ExpectRefused(with([](GroupInput& g) { g.name = ""; }), "name");
  ExpectRefused(with([](GroupInput& g) { g.notice_accepted = false; }), "notice_accepted");
  ExpectRefused(with([](GroupInput& g) { g.host = "nobody"; }), "host");
  ExpectRefused(with([](GroupInput& g) { g.purpose = ""; }), "purpose");
  ExpectRefused(with([](GroupInput& g) { g.window_start.reset(); }), "window_start");
  ExpectRefused(with([](GroupInput& g) { g.window_end = T("2026-03-02T08:00"); }), "window_end");
  ExpectRefused(with([](GroupInput& g) { g.members.clear(); }), "members");
  ExpectRefused(with([](GroupInput& g) { g.members[1].name = " "; }), "members[1].name");
  ExpectRefused(with([](GroupInput& g) { g.members[1].document_number = ""; }), "members[1].document_number");
  ExpectRefused(with([](GroupInput& g) { g.members[2].document_number = "1234"; }), "members[2].document_number");
  ExpectRefused(with([](GroupInput& g) { g.members[0].document_kind = "visa"; }), "members[0].document_kind");
  ExpectRefused(with([](GroupInput& g) { g.members[2].phone = "555"; }), "members[2].phone");
  ExpectRefused(with([](GroupInput& g) { g.members.push_back(g.members[0]); }), "members[3].document_number");
  VisitorRules small = Rules();
  small.max_group_members = 2;
  ExpectRefused(RegisterGroup(*s, kRita, Delegation("grp-x"), kNow, small), "members");
  // A VIP group's documents follow the site's policy.
  GroupInput vip = Delegation("grp-v");
  vip.kind = "vip";
  vip.members = {{"王书记", "", "", "", ""}};
  ExpectRefused(RegisterGroup(*s, kRita, vip, kNow, Rules()), "members[0].document_kind");
  VisitorRules lenient = Rules();
  lenient.document_required_group = false;
  EXPECT_TRUE(RegisterGroup(*s, kRita, vip, kNow, lenient).ok());
  GroupInput foreign = Delegation("grp-f");
  foreign.members[0].document_number = "";
  ExpectRefused(RegisterGroup(*s, kRita, foreign, kNow, lenient), "members[0].document_number");
  // Cancelling: reception only, with a reason, before arrival.
  Do(*s, kRita, RegisterGroup(*s, kRita, Delegation("grp-1"), kNow, Rules()));
  ExpectRefused(RegisterGroup(*s, kRita, Delegation("grp-1"), kNow, Rules()), "status");
  ExpectRefused(CancelGroup(*s, kGary, "grp-1", "改期", kNow), "role");
  ExpectRefused(CancelGroup(*s, kRita, "grp-1", "", kNow), "reason");
  Do(*s, kRita, CancelGroup(*s, kRita, "grp-1", "改期", kNow));
  EXPECT_EQ(FindGroup(*s, "grp-1")->status, "cancelled");
  ExpectRefused(CheckInGroup(*s, kRita, "grp-1", {}, kNow, Rules()), "status");
  // Arriving outside the window is a warning, not a refusal.
  Do(*s, kRita, RegisterGroup(*s, kRita, Delegation("grp-2"), kNow, Rules()));
  auto late = CheckInGroup(*s, kRita, "grp-2", {}, T("2026-03-02T18:00"), Rules());
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(HasWarning(*late, "outside_window"));
}

TEST_F(VisitorsTest, DelegationCancelledOnOneDeviceWhileArrivingOnAnotherIsAWorkflowConflict) {
  auto server = Open("office.db", "server");
  Seed(*server);
  Do(*server, kRita, RegisterGroup(*server, kRita, Delegation("grp-1"), kNow, Rules()));
  auto gate = Device(*server, "gate");
  Do(*server, kRita, CancelGroup(*server, kRita, "grp-1", "对方取消", kNow));
  Do(*gate, kGary, CheckInGroup(*gate, kGary, "grp-1", {}, T("2026-03-02T09:30"), Rules()));
  ExchangeAll({server.get(), gate.get()});
  ExpectConverged({server.get(), gate.get()});
  for (Store* s : {server.get(), gate.get()}) {
    EXPECT_EQ(ConflictsOf(*s, "visitor_group", "grp-1", "workflow").size(), 1u);
    // The people who came are on the on-site list whatever the group's fate.
    EXPECT_EQ(OnSite(*s, kSite).size(), 3u);
  }
}

TEST_F(VisitorsTest, OneDelegationMemberCheckedInAtTwoDesksIsAWorkflowConflict) {
  auto server = Open("office.db", "server");
  Seed(*server);
  Do(*server, kRita, RegisterGroup(*server, kRita, Delegation("grp-1"), kNow, Rules()));
  auto gate = Device(*server, "gate");
  Do(*server, kRita, CheckInGroup(*server, kRita, "grp-1", {"m1"}, T("2026-03-02T09:10"), Rules()));
  Do(*gate, kGary, CheckInGroup(*gate, kGary, "grp-1", {"m1"}, T("2026-03-02T09:11"), Rules()));
  ExchangeAll({server.get(), gate.get()});
  ExpectConverged({server.get(), gate.get()});
  EXPECT_EQ(ConflictsOf(*server, "visitor_visit", "grp-1.m1", "workflow").size(), 1u);
  EXPECT_EQ(OnSite(*server, kSite).size(), 1u);
}

// ---------------------------------------------------------------------------
// Check-out and automatic sign-out

TEST_F(VisitorsTest, CheckOutEndsTheVisit) {
  auto s = Open("office.db", "server");
  Seed(*s);
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-1"), kNow, Rules()));
  ExpectRefused(CheckOut(*s, kAlice, "v-1", kNow), "role");
  ExpectRefused(CheckOut(*s, kKioskA, "v-none", kNow), "visit");
  Do(*s, kKioskA, CheckOut(*s, kKioskA, "v-1", T("2026-03-02T10:15")));
  auto v = FindVisit(*s, "v-1");
  EXPECT_EQ(v->status, "checked_out");
  EXPECT_EQ(v->left_at, T("2026-03-02T10:15"));
  EXPECT_FALSE(v->auto_signed_out);
  ExpectRefused(CheckOut(*s, kGary, "v-1", kNow), "status");
  EXPECT_TRUE(OnSite(*s, kSite).empty());
}

TEST_F(VisitorsTest, AutomaticSignOutAtTheEndOfTheDayIsIdempotent) {
  auto s = Open("office.db", "server");
  Seed(*s);
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-1"), T("2026-03-02T09:00"), Rules()));
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-2", "李四"), T("2026-03-02T21:30"), Rules()));
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-3", "王五"), T("2026-03-02T10:00"), Rules()));
  Do(*s, kKioskA, CheckOut(*s, kKioskA, "v-3", T("2026-03-02T11:00")));
  ExpectRefused(AutoSignOut(*s, kAlice, kSite, T("2026-03-02T20:05"), Rules()), "role");
  ExpectRefused(AutoSignOut(*s, kKioskA, "", T("2026-03-02T20:05"), Rules()), "site");

  auto early = AutoSignOut(*s, kKioskA, kSite, T("2026-03-02T19:59"), Rules());
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->drafts.empty());
  Do(*s, kKioskA, AutoSignOut(*s, kKioskA, kSite, T("2026-03-02T22:00"), Rules()));
  auto v1 = FindVisit(*s, "v-1");
  EXPECT_EQ(v1->status, "signed_out");
  EXPECT_TRUE(v1->auto_signed_out);
  EXPECT_EQ(v1->left_at, T("2026-03-02T20:00"));  // stamped at the cut-off
  EXPECT_EQ(Status(*s, "v-2"), "on_site");        // came after the cut-off: tomorrow's
  EXPECT_EQ(FindVisit(*s, "v-3")->left_at, T("2026-03-02T11:00"));
  auto again = AutoSignOut(*s, kKioskA, kSite, T("2026-03-02T22:00"), Rules());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->drafts.empty());

  // The cut-off is the site's: 18:00 the next day signs out v-2 at 18:00.
  ASSERT_TRUE(s->Append(kAdmin, {SetVisitorRules(Json{{"auto_signout_time", "18:00"}})}).ok());
  const VisitorRules rules = LoadVisitorRules(*s, kSiteKey);
  EXPECT_EQ(rules.auto_signout_minute, 18 * 60);
  Do(*s, kGary, AutoSignOut(*s, kGary, kSite, T("2026-03-03T18:00"), rules));
  EXPECT_EQ(FindVisit(*s, "v-2")->left_at, T("2026-03-03T18:00"));
  EXPECT_TRUE(OnSite(*s, kSite).empty());
}

TEST_F(VisitorsTest, AutoSignOutSignsOutADelegationWithItsLastMembers) {
  auto s = Open("office.db", "server");
  Seed(*s);
  Do(*s, kRita, RegisterGroup(*s, kRita, Delegation("grp-1"), kNow, Rules()));
  Do(*s, kRita, CheckInGroup(*s, kRita, "grp-1", {}, T("2026-03-02T09:10"), Rules()));
  Do(*s, kKioskA, AutoSignOut(*s, kKioskA, kSite, T("2026-03-02T23:00"), Rules()));
  EXPECT_EQ(FindGroup(*s, "grp-1")->status, "left");
  EXPECT_TRUE(OnSite(*s, kSite).empty());
}

TEST_F(VisitorsTest, TwoKiosksSigningOutOfflineAndARealCheckOutConverge) {
  auto server = Open("office.db", "server");
  Seed(*server);
  Do(*server, kKioskA, CheckIn(*server, kKioskA, WalkIn("v-1"), kNow, Rules()));
  Do(*server, kKioskA, CheckIn(*server, kKioskA, WalkIn("v-2", "李四"), kNow, Rules()));
  auto a = Device(*server, "kiosk-a");
  auto b = Device(*server, "kiosk-b");
  auto gate = Device(*server, "gate");
  Do(*a, kKioskA, AutoSignOut(*a, kKioskA, kSite, T("2026-03-02T20:30"), Rules()));
  Do(*b, kKioskB, AutoSignOut(*b, kKioskB, kSite, T("2026-03-02T20:31"), Rules()));
  // The guard saw v-2 leave late, after the kiosks had signed everyone out (stamped after them).
  Do(*gate, kGary, CheckOut(*gate, kGary, "v-2", T("2026-03-02T20:45")));
  ExchangeAll({server.get(), a.get(), b.get(), gate.get()});
  ExpectConverged({server.get(), a.get(), b.get(), gate.get()});
  auto v1 = FindVisit(*server, "v-1");
  EXPECT_EQ(v1->status, "signed_out");
  EXPECT_TRUE(v1->conflicts.empty());
  auto v2 = FindVisit(*server, "v-2");
  EXPECT_EQ(v2->status, "checked_out");  // a real check-out wins over the cut-off
  EXPECT_EQ(v2->left_at, T("2026-03-02T20:45"));
  EXPECT_TRUE(v2->conflicts.empty());
}

// ---------------------------------------------------------------------------
// On-site and evacuation lists

TEST_F(VisitorsTest, OnSiteAndEvacuationListsFollowCheckInsAndCheckOuts) {
  auto server = Open("office.db", "server");
  Seed(*server);
  auto kiosk = Device(*server, "kiosk-a");
  CheckInInput party = WalkIn("v-1");
  party.party_size = 3;
  Do(*kiosk, kKioskA, CheckIn(*kiosk, kKioskA, party, T("2026-03-02T09:00"), Rules()));
  Do(*kiosk, kKioskA, CheckIn(*kiosk, kKioskA, WalkIn("v-2", "李四"), T("2026-03-02T09:30"), Rules()));
  CheckInInput annex = WalkIn("v-3", "王五");
  annex.site = "annex";
  Do(*kiosk, kKioskA, CheckIn(*kiosk, kKioskA, annex, T("2026-03-02T09:40"), Rules()));
  Do(*kiosk, kKioskA, CheckIn(*kiosk, kKioskA, WalkIn("v-4", "赵六"), T("2026-03-02T10:00"), Rules()));
  Do(*kiosk, kKioskA, CheckOut(*kiosk, kKioskA, "v-2", T("2026-03-02T10:30")));
  // A visit registered at the gate, offline, counts once it arrives.
  auto gate = Device(*server, "gate");
  Do(*gate, kGary, CheckIn(*gate, kGary, WalkIn("v-5", "钱七"), T("2026-03-02T10:20"), Rules()));
  ExchangeAll({server.get(), kiosk.get(), gate.get()});
  ExpectConverged({server.get(), kiosk.get(), gate.get()});

  auto on_site = OnSite(*server, kSite);
  ASSERT_EQ(on_site.size(), 3u);
  EXPECT_EQ(on_site[0].id, "v-1");
  EXPECT_EQ(on_site[1].id, "v-4");
  EXPECT_EQ(on_site[2].id, "v-5");
  EXPECT_EQ(on_site[0].name, "张伟");
  EXPECT_EQ(on_site[0].document_masked, "**************002X");
  EXPECT_EQ(OnSite(*server, "annex").size(), 1u);

  const EvacuationList ev = Evacuation(*server, kSite, T("2026-03-02T11:00"));
  EXPECT_EQ(ev.people, 5);  // a party of 3, and two single visitors
  ASSERT_EQ(ev.rows.size(), 3u);
  EXPECT_EQ(ev.rows[0].name, "张伟");
  EXPECT_EQ(ev.rows[0].party_size, 3);
  EXPECT_EQ(ev.rows[0].phone, "13812345678");
  EXPECT_EQ(ev.rows[0].host, "alice");
  EXPECT_EQ(VisitsOn(*server, kSite, D("2026-03-02")).size(), 4u);
  EXPECT_TRUE(VisitsOn(*server, kSite, D("2026-03-03")).empty());
}

// ---------------------------------------------------------------------------
// Retention

TEST_F(VisitorsTest, PurgeForgetsExpiredVisitsAndLeavesTheOnSiteListAlone) {
  auto s = Open("office.db", "server");
  Seed(*s);
  const VisitorRules rules = Rules();
  // Long ago: a visit that ended, one still on site (never checked out), an invite, a
  // delegation, a lifted block-list entry; recently: a visit that ended.
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-old", "旧访客"), T("2025-08-01T09:00"), rules));
  Do(*s, kKioskA, CheckOut(*s, kKioskA, "v-old", T("2025-08-01T10:00")));
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-stay", "长住者"), T("2025-08-01T09:00"), rules));
  InviteInput old_invite = Invite("inv-old");
  old_invite.window_start = T("2025-08-01T10:00");
  old_invite.window_end = T("2025-08-01T12:00");
  Do(*s, kAlice, CreateInvite(*s, kAlice, old_invite, alice_phone, T("2025-07-30T09:00"), rules));
  GroupInput g = Delegation("grp-old");
  g.window_start = T("2025-08-02T09:00");
  g.window_end = T("2025-08-02T17:00");
  Do(*s, kRita, RegisterGroup(*s, kRita, g, T("2025-07-30T09:00"), rules));
  Do(*s, kAdmin, AddToBlockList(*s, kAdmin, {"blk-old", "", "旧名单", "", "", "13700002222", "x"},
                                T("2025-07-01T09:00"), rules));
  Do(*s, kAdmin, LiftBlock(*s, kAdmin, "blk-old", "已解除", T("2025-08-01T09:00")));
  Do(*s, kAdmin, AddToBlockList(*s, kAdmin, {"blk-live", "", "现名单", "", "", "13700003333", "x"},
                                T("2025-07-01T09:00"), rules));
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-new", "新访客"), T("2026-02-20T09:00"), rules));
  Do(*s, kKioskA, CheckOut(*s, kKioskA, "v-new", T("2026-02-20T10:00")));

  const LocalTime now = T("2026-03-02T03:00");  // 2025-08-01 + 180 days = 2026-01-28
  ExpectRefused(PurgeExpired(*s, kGary, now, rules), "role");
  auto purge = PurgeExpired(*s, kAdmin, now, rules);
  ASSERT_TRUE(purge.ok());
  std::vector<std::string> ids;
  for (const auto& d : purge->drafts) {
    EXPECT_EQ(d.kind, std::string(kPersonalPurgedKind));
    ids.push_back(d.entity_type + "/" + d.entity_id);
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"visitor_block/blk-old", "visitor_group/grp-old",
                                           "visitor_invite/inv-old", "visitor_visit/v-old"}));
  Do(*s, kAdmin, purge);

  auto old = FindVisit(*s, "v-old");
  ASSERT_TRUE(old.has_value());
  EXPECT_TRUE(old->purged);
  EXPECT_EQ(old->name, std::string(kPurgedName));
  EXPECT_EQ(old->document_masked, "");
  EXPECT_EQ(old->phone_masked, "");
  EXPECT_EQ(old->status, "checked_out");  // the visit itself stays
  EXPECT_EQ(old->host, "alice");
  EXPECT_EQ(FindInvite(*s, "inv-old")->visitor_name, std::string(kPurgedName));
  EXPECT_EQ(FindGroup(*s, "grp-old")->members[0].name, std::string(kPurgedName));
  for (const auto& b : BlockList(*s)) EXPECT_EQ(b.purged, b.id == "blk-old") << b.id;
  EXPECT_EQ(FindVisit(*s, "v-new")->name, "新访客");
  // The returning-visitor index forgets the purged visit.
  auto back = FindReturningVisitor(*s, rules, "resident_id", kIdNumber);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->visits, 2);  // v-stay and v-new

  // The on-site list and the evacuation list are unaffected.
  auto on_site = OnSite(*s, kSite);
  ASSERT_EQ(on_site.size(), 1u);
  EXPECT_EQ(on_site[0].id, "v-stay");
  EXPECT_EQ(on_site[0].name, "长住者");
  EXPECT_EQ(Evacuation(*s, kSite, now).people, 1);
  // The events stay, without their personal data.
  auto events = s->EventsOf("visitor_visit", "v-old");
  ASSERT_TRUE(events.ok());
  bool saw_check_in = false;
  for (const auto& e : *events)
    if (e.kind == kind::kCheckedIn) {
      saw_check_in = true;
      EXPECT_TRUE(e.personal.is_null());
      EXPECT_TRUE(e.personal_purged);
    }
  EXPECT_TRUE(saw_check_in);
  // Nothing left to purge; the state verifies.
  auto second = PurgeExpired(*s, kAdmin, now, rules);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->drafts.empty());
  EXPECT_TRUE(s->VerifyMaterialized().ok()) << s->VerifyMaterialized().ToString();
  // A shorter retention reaches the recent visit too.
  ASSERT_TRUE(s->Append(kAdmin, {SetVisitorRules(Json{{"retention_days", 5}})}).ok());
  auto shorter = PurgeExpired(*s, kAdmin, now, LoadVisitorRules(*s, kSiteKey));
  ASSERT_TRUE(shorter.ok());
  ASSERT_EQ(shorter->drafts.size(), 1u);
  EXPECT_EQ(shorter->drafts[0].entity_id, "v-new");
  // No purged value is left anywhere in the database files (the engine's own test covers the
  // layout; this one covers what the visitors area writes: states, indexes, conflict texts).
  const std::string old_hash = [&] {
    auto doc = ProtectDocument(kSiteKey, "passport", "15AB12345");
    return doc.ok() ? doc->hash : std::string("?");
  }();
  s.reset();
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream f(dir.File("office.db") + suffix, std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (const std::string& gone : {std::string("旧访客"), std::string("Marie Dubois"), std::string("旧名单"),
                                    std::string("13900001111"), old_hash})
      EXPECT_EQ(raw.find(gone), std::string::npos) << suffix << " " << gone;
  }
}

TEST_F(VisitorsTest, APurgeReachesEveryReplicaAlike) {
  auto server = Open("office.db", "server");
  Seed(*server);
  auto kiosk = Device(*server, "kiosk-a");
  Do(*kiosk, kKioskA, CheckIn(*kiosk, kKioskA, WalkIn("v-1"), T("2025-08-01T09:00"), Rules()));
  Do(*kiosk, kKioskA, CheckOut(*kiosk, kKioskA, "v-1", T("2025-08-01T10:00")));
  ExchangeAll({server.get(), kiosk.get()});
  Do(*server, kAdmin, PurgeExpired(*server, kAdmin, T("2026-03-02T03:00"), Rules()));
  EXPECT_TRUE(FindVisit(*server, "v-1")->purged);
  ExchangeAll({server.get(), kiosk.get()});
  ExpectConverged({server.get(), kiosk.get()});
  EXPECT_TRUE(FindVisit(*kiosk, "v-1")->purged);
  EXPECT_EQ(FindVisit(*kiosk, "v-1")->name, std::string(kPurgedName));
}

// ---------------------------------------------------------------------------
// Scope

TEST_F(VisitorsTest, AKioskReadsOnlyWhatItsJobNeeds) {
  auto s = Open("office.db", "server");
  Seed(*s);
  const std::string token = MakeInvite(*s, Invite("inv-today"));
  InviteInput later = Invite("inv-later");
  later.window_start = T("2026-03-10T10:00");
  later.window_end = T("2026-03-10T11:00");
  MakeInvite(*s, later);
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-today"), T("2026-03-02T09:00"), Rules()));
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-yesterday"), T("2026-03-01T09:00"), Rules()));
  Do(*s, kKioskA, CheckOut(*s, kKioskA, "v-yesterday", T("2026-03-01T10:00")));
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-old"), T("2026-02-20T09:00"), Rules()));
  Do(*s, kKioskA, CheckOut(*s, kKioskA, "v-old", T("2026-02-20T10:00")));
  Do(*s, kKioskA, CheckIn(*s, kKioskA, WalkIn("v-stuck"), T("2026-02-20T09:00"), Rules()));
  CheckInInput annex = WalkIn("v-annex");
  annex.site = "annex";
  Do(*s, kKioskA, CheckIn(*s, kKioskA, annex, T("2026-03-02T09:00"), Rules()));
  Do(*s, kAdmin, AddToBlockList(*s, kAdmin, {"blk-all", "", "", "", "", "13700002222", "x"}, kNow, Rules()));
  Do(*s, kAdmin, AddToBlockList(*s, kAdmin, {"blk-annex", "annex", "", "", "", "13700003333", "x"}, kNow, Rules()));
  Do(*s, kAdmin, AddToBlockList(*s, kAdmin, {"blk-lifted", "", "", "", "", "13700004444", "x"}, kNow, Rules()));
  Do(*s, kAdmin, LiftBlock(*s, kAdmin, "blk-lifted", "ok", kNow));
  ASSERT_TRUE(s->Append(kAdmin, {SetVisitorRules(Json{{"retention_days", 90}}),
                                 {"site_config", "cars", "site_config.updated", Json{{"short_trip_km", 3}}},
                                 {"trip", "trip-1", "trip.dispatched", Json{{"car", "car-1"}}}})
                  .ok());

  std::set<std::string> readable;
  ASSERT_TRUE(s->ForEachRecord("", [&](const RecordView& v) {
                 if (KioskMayRead(v, kSite, D("2026-03-02"))) readable.insert(v.key.type + "/" + v.key.id);
               }).ok());
  const std::set<std::string> expected{
      "department/office",      "department/xzk",        "device_key/phone-alice", "site_config/visitors",
      "user/alice",             "user/bob",              "user/gary",              "user/rita",
      "visitor_block/blk-all",  "visitor_invite/inv-today", "visitor_visit/v-stuck", "visitor_visit/v-today",
      "visitor_visit/v-yesterday"};
  EXPECT_EQ(readable, expected);

  // The host directory as a kiosk holds it: name and department, nothing else.
  const RecordView user{{"user", "alice"},
                        Json{{"name", "Alice"}, {"department", "office"}, {"phone", "13800000000"},
                             {"roles", {"staff"}}},
                        {},
                        0,
                        {}};
  EXPECT_EQ(HostDirectoryFields(user), (Json{{"name", "Alice"}, {"department", "office"}}));
  EXPECT_TRUE(HostDirectoryFields({{"trip", "t"}, Json{{"name", "x"}}, {}, 0, {}}).empty());
  EXPECT_FALSE(token.empty());
}

}  // namespace
}  // namespace houqin::visitors
