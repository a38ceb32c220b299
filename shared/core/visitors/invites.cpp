// Device keys, invite tokens and invites.
//
// Merge rules (every replica folds the same bytes):
//  device_key/<device id>
//   - workflow steps by DeviceKeyWorkflow(). device_key.enrolled may follow any status: enrolling
//     again replaces the key, site, owner and label (last writer in event order wins), and brings
//     a revoked device back. device_key.revoked is taken from "enrolled" only; a second revoke
//     (two admins offline) changes nothing, silently: both intents agree.
//  visitor_invite/<id>
//   - workflow steps by InviteWorkflow(): created → active → cancelled. A step that no longer fits
//     (two creations of one id, a cancel before the creation arrived) is kept, changes nothing and
//     marks "workflow". A second cancel changes nothing, silently.
//   - the payload fields are copied at creation; the invitee's name and phone come from the
//     event's personal data ("invitee"), {"purged": true} once the engine purged it.
//   - whether the invite was used is not folded here: check-ins name the invite, and the
//     visitor_invite_use constraint (visitors.cpp) marks a single-use invite used twice and a
//     cancelled invite used, on the visits and on this record.
#include "visitors/invites.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <memory>
#include <tuple>

#include "directory/directory.h"
#include "util/uuid.h"
#include "validation/validate.h"
#include "visitors/internal.h"
#include "visitors/privacy.h"

namespace houqin::visitors {

using internal::Bad;
using internal::Bool;
using internal::Int;
using internal::Load;
using internal::Missing;
using internal::No;
using internal::Str;
using internal::Time;
using internal::Trim;

namespace {

constexpr std::uint8_t kTokenVersion = 1;
constexpr std::uint8_t kUuidTag = 0x80;
constexpr std::size_t kSignatureBytes = 64;
constexpr std::size_t kKeyBytes = 32;
constexpr std::string_view kTokenContext{"houqin.invite.v1\0", 17};
// An invite window touches at most this many days of the day index, whatever a site configures.
constexpr std::int64_t kMaxIndexedDays = 62;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

Status CryptoError(const char* what) {
  return Status::Io({std::string("OpenSSL Ed25519 failed: ") + what, std::string("OpenSSL Ed25519 运算失败: ") + what});
}

// ---- token bytes ----------------------------------------------------------

Status PutString(std::string& out, std::string_view value, const char* field) {
  if (auto uuid = ParseUuid(value)) {
    out += static_cast<char>(kUuidTag);
    out.append(reinterpret_cast<const char*>(uuid->data()), uuid->size());
    return Status::Ok();
  }
  if (value.empty() || value.size() > 0x7f)
    return Bad(field, std::string(field) + " must be 1 to 127 bytes to fit in a QR invite",
               std::string(field) + " 须为 1 至 127 字节才能写入二维码邀请");
  out += static_cast<char>(value.size());
  out.append(value);
  return Status::Ok();
}

void PutU32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

Status PutMinutes(std::string& out, LocalTime t, const char* field) {
  const std::int64_t m = t.MinutesSinceEpoch();
  if (m < 0 || m > 0xffffffffLL)
    return Bad(field, std::string(field) + " is out of range", std::string(field) + " 超出范围");
  PutU32(out, static_cast<std::uint32_t>(m));
  return Status::Ok();
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : b_(bytes) {}
  bool U8(std::uint8_t& v) {
    if (pos_ + 1 > b_.size()) return false;
    v = static_cast<std::uint8_t>(b_[pos_++]);
    return true;
  }
  bool U32(std::uint32_t& v) {
    if (pos_ + 4 > b_.size()) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(b_[pos_++]);
    return true;
  }
  bool String(std::string& v) {
    std::uint8_t tag = 0;
    if (!U8(tag)) return false;
    if (tag == kUuidTag) {
      if (pos_ + 16 > b_.size()) return false;
      UuidBytes u{};
      std::copy_n(reinterpret_cast<const std::uint8_t*>(b_.data() + pos_), 16, u.begin());
      pos_ += 16;
      v = UuidToString(u);
      return true;
    }
    if (tag == 0 || tag > 0x7f || pos_ + tag > b_.size()) return false;
    v.assign(b_.substr(pos_, tag));
    pos_ += tag;
    return true;
  }
  bool Minutes(LocalTime& t) {
    std::uint32_t m = 0;
    if (!U32(m)) return false;
    t = LocalTime::FromMinutesSinceEpoch(m);
    return true;
  }
  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return b_.size() - pos_; }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

Status Malformed() {
  return Status::Invalid("token", {"this QR code is not a valid Houqin invite", "此二维码不是有效的来访邀请"});
}

// ---- folds ----------------------------------------------------------------

class DeviceKeyFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kDeviceKey; }
  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    if (e.kind == kind::kKeyRevoked && Str(f, "status") == "revoked") return;
    if (!DeviceKeyWorkflow().Advance(r, e)) return;
    const Json& p = e.payload;
    if (e.kind == kind::kKeyEnrolled) {
      for (const char* key : {"public_key", "site", "owner", "label", "at"}) f[key] = Str(p, key);
      f["enrolled_by"] = e.author.user;
      f.erase("revoke_reason");
    } else if (e.kind == kind::kKeyRevoked) {
      f["revoke_reason"] = Str(p, "reason");
      f["revoked_at"] = Str(p, "at");
    }
  }
};

class InviteFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kInvite; }
  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    if (e.kind == kind::kInviteCancelled && Str(f, "status") == "cancelled") return;
    if (!InviteWorkflow().Advance(r, e)) return;
    const Json& p = e.payload;
    if (e.kind == kind::kInviteCreated) {
      for (const char* key : {"site", "host", "organisation", "purpose", "window_start", "window_end", "expires",
                              "signer_device", "token", "at"})
        f[key] = Str(p, key);
      f["party_size"] = Int(p, "party_size");
      f["single_use"] = Bool(p, "single_use");
      f["created_by"] = e.author.user;
      Json personal;
      f["invitee"] = internal::PersonalOf(e, personal) ? personal : Json::object();
    } else if (e.kind == kind::kInviteCancelled) {
      f["cancel_reason"] = Str(p, "reason");
      f["cancelled_at"] = Str(p, "at");
      f["cancelled_by"] = e.author.user;
    }
  }
};

InviteSummary ToInviteSummary(const RecordView& v) {
  const Json& f = v.fields;
  InviteSummary s;
  s.id = v.key.id;
  s.status = Str(f, "status");
  s.site = Str(f, "site");
  s.host = Str(f, "host");
  s.organisation = Str(f, "organisation");
  s.purpose = Str(f, "purpose");
  s.signer_device = Str(f, "signer_device");
  s.token = Str(f, "token");
  const Json invitee = f.contains("invitee") ? f["invitee"] : Json::object();
  s.purged = Bool(invitee, "purged");
  s.visitor_name = s.purged ? std::string(kPurgedName) : Str(invitee, "name");
  if (!s.purged && !Str(invitee, "phone").empty()) s.visitor_phone_masked = MaskPhone(Str(invitee, "phone"));
  s.party_size = static_cast<int>(Int(f, "party_size"));
  s.single_use = Bool(f, "single_use");
  s.window_start = Time(f, "window_start").value_or(LocalTime{});
  s.window_end = Time(f, "window_end").value_or(LocalTime{});
  s.expires = Time(f, "expires").value_or(LocalTime{});
  return s;
}

}  // namespace

bool MayActForHost(const Author& actor) { return actor.role == role::kReception || actor.role == role::kAdmin; }

// ---------------------------------------------------------------------------
// Workflow tables

const Workflow& DeviceKeyWorkflow() {
  static const Workflow wf(entity::kDeviceKey,
                           {
                               {"enrolled", {"enrolled", "已登记"}},
                               {"revoked", {"revoked", "已吊销"}},
                           },
                           {
                               {kind::kKeyEnrolled, {"enroll the device key", "登记设备密钥"}, {"", "enrolled", "revoked"},
                                "enrolled", {role::kAdmin}},
                               {kind::kKeyRevoked, {"revoke the device key", "吊销设备密钥"}, {"enrolled"}, "revoked",
                                {role::kAdmin}},
                           });
  return wf;
}

const Workflow& InviteWorkflow() {
  static const Workflow wf(entity::kInvite,
                           {
                               {"active", {"active", "有效"}},
                               {"cancelled", {"cancelled", "已取消"}},
                           },
                           {
                               // Any staff role; CreateInvite refuses a kiosk.
                               {kind::kInviteCreated, {"invite a visitor", "预约来访"}, {""}, "active", {}},
                               // The host, reception or admin (CancelInvite checks the user).
                               {kind::kInviteCancelled, {"cancel the invite", "取消预约"}, {"active"}, "cancelled", {}},
                           });
  return wf;
}

// ---------------------------------------------------------------------------
// Ed25519

Result<DeviceKeyPair> DeviceKeyPairFromPrivate(std::string_view private_key) {
  if (private_key.size() != kKeyBytes)
    return Bad("private_key", "an Ed25519 private key is 32 bytes", "Ed25519 私钥应为 32 字节");
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(private_key), private_key.size()));
  if (!key) return CryptoError("private key");
  std::array<unsigned char, kKeyBytes> pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size())
    return CryptoError("public key");
  return DeviceKeyPair{std::string(private_key), std::string(reinterpret_cast<const char*>(pub.data()), len)};
}

Result<DeviceKeyPair> GenerateDeviceKeyPair() {
  std::array<unsigned char, kKeyBytes> seed{};
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) return CryptoError("random seed");
  return DeviceKeyPairFromPrivate(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
}

Result<std::string> SignEd25519(std::string_view private_key, std::string_view message) {
  if (private_key.size() != kKeyBytes)
    return Bad("private_key", "an Ed25519 private key is 32 bytes", "Ed25519 私钥应为 32 字节");
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(private_key), private_key.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return CryptoError("sign setup");
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return CryptoError("sign init");
  std::array<unsigned char, kSignatureBytes> sig{};
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, Bytes(message), message.size()) != 1 || len != sig.size())
    return CryptoError("sign");
  return std::string(reinterpret_cast<const char*>(sig.data()), len);
}

bool VerifyEd25519(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != kKeyBytes || signature.size() != kSignatureBytes) return false;
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message), message.size()) == 1;
}

// ---------------------------------------------------------------------------
// Device keys

Result<Command> EnrollDeviceKey(Store& store, const Author& actor, const DeviceKeyInput& in, LocalTime now) {
  auto existing = Load(store, entity::kDeviceKey, in.device_id);
  if (Status s = DeviceKeyWorkflow().Check(existing ? Str(existing->fields, "status") : std::string(),
                                           kind::kKeyEnrolled, actor.role);
      !s.ok())
    return s;
  if (Trim(in.device_id).empty()) return Missing("device_id", "the device id", "设备编号");
  if (in.public_key.size() != kKeyBytes)
    return Bad("public_key", "an Ed25519 public key is 32 bytes", "Ed25519 公钥应为 32 字节");
  Command c;
  c.drafts.push_back({std::string(entity::kDeviceKey), in.device_id, std::string(kind::kKeyEnrolled),
                      Json{{"public_key", Base64UrlEncode(in.public_key)},
                           {"site", in.site},
                           {"owner", in.owner},
                           {"label", in.label},
                           {"at", now.ToString()}}});
  if (existing && Str(existing->fields, "status") == "enrolled")
    c.warnings.push_back({"key_replaced",
                          {"device " + in.device_id + " already had a key: invites it signed before no longer verify",
                           "设备 " + in.device_id + " 已有密钥: 其此前签发的来访邀请将无法通过核验"}});
  return c;
}

Result<Command> RevokeDeviceKey(Store& store, const Author& actor, const std::string& device_id,
                                const std::string& reason, LocalTime now) {
  auto existing = Load(store, entity::kDeviceKey, device_id);
  if (!existing) return Status::NotFound("device_id", {"no device key " + device_id, "没有设备密钥 " + device_id});
  return internal::StepWithReason(DeviceKeyWorkflow(), entity::kDeviceKey, device_id, existing->fields,
                                  kind::kKeyRevoked, actor, reason, "吊销原因", now);
}

std::optional<DeviceKeyInfo> FindDeviceKey(Store& store, const std::string& device_id) {
  auto v = Load(store, entity::kDeviceKey, device_id);
  if (!v) return std::nullopt;
  const Json& f = v->fields;
  DeviceKeyInfo k;
  k.device_id = device_id;
  k.public_key = Base64UrlDecode(Str(f, "public_key")).value_or(std::string());
  k.site = Str(f, "site");
  k.owner = Str(f, "owner");
  k.label = Str(f, "label");
  k.status = Str(f, "status");
  return k;
}

// ---------------------------------------------------------------------------
// Tokens

Result<std::string> SignInviteToken(const InviteToken& t, std::string_view private_key) {
  if (t.party_size < 1 || t.party_size > 255)
    return Bad("party_size", "a QR invite holds a party of 1 to 255", "二维码邀请的人数须为 1 至 255");
  std::string body;
  body += static_cast<char>(kTokenVersion);
  body += static_cast<char>(t.single_use ? 1 : 0);
  for (const auto& [value, field] : {std::pair{&t.invite_id, "id"}, std::pair{&t.host, "host"},
                                     std::pair{&t.site, "site"}, std::pair{&t.signer_device, "signer"}})
    if (Status s = PutString(body, *value, field); !s.ok()) return s;
  if (Status s = PutMinutes(body, t.window_start, "window_start"); !s.ok()) return s;
  if (Status s = PutMinutes(body, t.window_end, "window_end"); !s.ok()) return s;
  if (Status s = PutMinutes(body, t.expires, "expires"); !s.ok()) return s;
  body += static_cast<char>(t.party_size);
  auto sig = SignEd25519(private_key, std::string(kTokenContext) + body);
  if (!sig.ok()) return sig.status();
  return Base64UrlEncode(body + *sig);
}

Result<InviteToken> DecodeInviteToken(std::string_view token, std::string* signed_part, std::string* signature) {
  auto bytes = Base64UrlDecode(internal::Trim(token));
  if (!bytes || bytes->size() <= kSignatureBytes) return Malformed();
  const std::string_view body = std::string_view(*bytes).substr(0, bytes->size() - kSignatureBytes);
  Reader r(body);
  InviteToken t;
  std::uint8_t version = 0, flags = 0, party = 0;
  if (!r.U8(version) || version != kTokenVersion || !r.U8(flags) || (flags & ~1u) != 0) return Malformed();
  t.single_use = (flags & 1u) != 0;
  if (!r.String(t.invite_id) || !r.String(t.host) || !r.String(t.site) || !r.String(t.signer_device) ||
      !r.Minutes(t.window_start) || !r.Minutes(t.window_end) || !r.Minutes(t.expires) || !r.U8(party) ||
      party == 0 || r.remaining() != 0)
    return Malformed();
  t.party_size = party;
  if (signed_part != nullptr) *signed_part = std::string(body);
  if (signature != nullptr) *signature = bytes->substr(body.size());
  return t;
}

Result<InviteToken> VerifyInviteToken(Store& store, std::string_view token, const std::string& site, LocalTime now,
                                      const VisitorRules& rules) {
  std::string signed_part, signature;
  auto t = DecodeInviteToken(token, &signed_part, &signature);
  if (!t.ok()) return t.status();
  auto key = FindDeviceKey(store, t->signer_device);
  if (!key || key->public_key.empty())
    return No("token", "the invite was signed by device " + t->signer_device + ", which this kiosk does not know",
              "该邀请由设备 " + t->signer_device + " 签发, 本机没有该设备的登记密钥");
  if (key->status != "enrolled")
    return No("token", "the device that signed this invite (" + t->signer_device + ") has been revoked",
              "签发该邀请的设备(" + t->signer_device + ")已被吊销");
  if (!VerifyEd25519(key->public_key, std::string(kTokenContext) + signed_part, signature))
    return No("token", "the invite's signature does not match: it was forged or altered",
              "邀请签名校验失败: 二维码系伪造或已被篡改");
  if (t->site != site)
    return No("token", "this invite is for site " + t->site + ", not " + site,
              "该邀请适用于 " + t->site + ", 不是本院区(" + site + ")");
  if (now > t->expires)
    return No("token", "this invite expired at " + t->expires.ToString(), "该邀请已于 " + t->expires.ToString() + " 过期");
  if (now > t->window_end)
    return No("token", "this invite's visit window ended at " + t->window_end.ToString(),
              "该邀请的来访时段已于 " + t->window_end.ToString() + " 结束");
  if (now < t->window_start.AddMinutes(-rules.invite_early_minutes))
    return No("token", "too early: this invite is valid from " + t->window_start.ToString(),
              "来访时间未到: 该邀请自 " + t->window_start.ToString() + " 起有效");
  return t;
}

// ---------------------------------------------------------------------------
// Invites

Result<Command> CreateInvite(Store& store, const Author& actor, const InviteInput& in, const DeviceSigner& signer,
                             LocalTime now, const VisitorRules& rules) {
  if (actor.role == role::kKiosk)
    return No("role", "a kiosk cannot invite visitors", "自助机不能预约来访");
  if (Trim(in.id).empty()) return Missing("id", "the invite id", "邀请编号");
  auto existing = Load(store, entity::kInvite, in.id);
  if (Status s = InviteWorkflow().Check(existing ? Str(existing->fields, "status") : std::string(),
                                        kind::kInviteCreated, actor.role);
      !s.ok())
    return s;
  if (Trim(in.site).empty()) return Missing("site", "the site", "院区");
  const std::string host = Trim(in.host).empty() ? actor.user : Trim(in.host);
  if (host != actor.user && !MayActForHost(actor))
    return No("host", "only reception or the admin may invite on another person's behalf",
              "只有会议接待科或管理员可以代他人预约来访");
  if (!directory::FindUser(store, host)) return Status::NotFound("host", {"no staff member " + host, "没有工作人员 " + host});
  const std::string name = Trim(in.visitor_name);
  if (name.empty()) return Missing("visitor_name", "the visitor's name", "来访人姓名");
  if (name.size() > 100) return Bad("visitor_name", "the name is too long", "姓名过长");
  std::string phone;
  if (!Trim(in.visitor_phone).empty()) {
    if (Status s = validation::MobilePhone(in.visitor_phone, "visitor_phone"); !s.ok()) return s;
    phone = validation::NormalizeMobilePhone(in.visitor_phone);
  }
  if (Trim(in.purpose).empty()) return Missing("purpose", "the purpose of the visit", "来访事由");
  if (in.party_size < 1 || in.party_size > rules.max_party_size)
    return Bad("party_size", "the party is 1 to " + std::to_string(rules.max_party_size) + " people",
               "来访人数须为 1 至 " + std::to_string(rules.max_party_size) + " 人");
  if (!in.window_start) return Missing("window_start", "the start of the visit window", "预计来访开始时间");
  if (!in.window_end) return Missing("window_end", "the end of the visit window", "预计来访结束时间");
  if (!(*in.window_start < *in.window_end))
    return Bad("window_end", "the window must end after it starts", "结束时间须晚于开始时间");
  if (!(now < *in.window_end)) return Bad("window_end", "the window has already ended", "来访时段已过");
  if (in.window_end->MinutesSinceEpoch() - in.window_start->MinutesSinceEpoch() > rules.invite_max_days * 1440)
    return Bad("window_end", "an invite lasts at most " + std::to_string(rules.invite_max_days) + " days",
               "一次预约最长 " + std::to_string(rules.invite_max_days) + " 天");
  const LocalTime expires = in.expires.value_or(*in.window_end);
  if (expires < *in.window_start || !(now < expires))
    return Bad("expires", "the invite must expire after the window opens and after now",
               "邀请的失效时间须晚于来访开始时间和当前时间");
  auto key = FindDeviceKey(store, signer.device_id);
  if (!key || key->status != "enrolled")
    return No("signer", "this device's key is not enrolled: ask the admin to enroll it",
              "本设备密钥尚未登记, 请联系管理员登记");
  auto pair = DeviceKeyPairFromPrivate(signer.private_key);
  if (!pair.ok() || pair->public_key != key->public_key)
    return No("signer", "this device's private key does not match its enrolled public key",
              "本设备私钥与登记的公钥不符");
  InviteToken t{in.id, host, Trim(in.site), signer.device_id, *in.window_start, *in.window_end, expires,
                in.party_size, in.single_use};
  auto token = SignInviteToken(t, signer.private_key);
  if (!token.ok()) return token.status();

  Draft d{std::string(entity::kInvite), in.id, std::string(kind::kInviteCreated),
          Json{{"site", t.site},
               {"host", host},
               {"organisation", Trim(in.organisation)},
               {"purpose", Trim(in.purpose)},
               {"party_size", in.party_size},
               {"window_start", in.window_start->ToString()},
               {"window_end", in.window_end->ToString()},
               {"expires", expires.ToString()},
               {"single_use", in.single_use},
               {"signer_device", signer.device_id},
               {"token", *token},
               {"at", now.ToString()}}};
  d.personal = Json{{"name", name}};
  if (!phone.empty()) d.personal["phone"] = phone;
  Command c;
  c.drafts.push_back(std::move(d));
  return c;
}

Result<Command> CancelInvite(Store& store, const Author& actor, const std::string& invite_id,
                             const std::string& reason, LocalTime now) {
  auto inv = Load(store, entity::kInvite, invite_id);
  if (!inv) return Status::NotFound("invite", {"no invite " + invite_id, "没有来访邀请 " + invite_id});
  if (Status s = InviteWorkflow().Check(Str(inv->fields, "status"), kind::kInviteCancelled, actor.role); !s.ok())
    return s;
  if (actor.user != Str(inv->fields, "host") && !MayActForHost(actor))
    return No("host", "only the host, reception or the admin may cancel this invite",
              "只有被访人、会议接待科或管理员可以取消该邀请");
  if (Trim(reason).empty()) return Missing("reason", "the reason", "取消原因");
  Command c;
  c.drafts.push_back({std::string(entity::kInvite), invite_id, std::string(kind::kInviteCancelled),
                      Json{{"reason", Trim(reason)}, {"at", now.ToString()}}});
  return c;
}

std::optional<InviteSummary> FindInvite(Store& store, const std::string& invite_id) {
  auto v = Load(store, entity::kInvite, invite_id);
  if (!v) return std::nullopt;
  return ToInviteSummary(*v);
}

std::vector<InviteSummary> ExpectedVisitors(Store& store, const std::string& site, Date day) {
  std::vector<InviteSummary> out;
  auto members = store.GroupMembers(internal::kDayIndex, site + "@" + day.ToString());
  if (!members.ok()) return out;
  for (const auto& m : *members)
    if (m.key.type == entity::kInvite && Str(m.fields, "status") == "active") out.push_back(ToInviteSummary(m));
  std::sort(out.begin(), out.end(), [](const InviteSummary& a, const InviteSummary& b) {
    return std::tie(a.window_start, a.id) < std::tie(b.window_start, b.id);
  });
  return out;
}

void RegisterInvites(Domain& domain) {
  domain.Add(std::make_unique<DeviceKeyFold>());
  domain.Add(std::make_unique<InviteFold>());
}

}  // namespace houqin::visitors

namespace houqin::visitors::internal {
// The days an invite window touches, for the day index (visitors.cpp); capped.
std::vector<Date> InviteDays(const Json& fields) {
  std::vector<Date> out;
  auto start = Time(fields, "window_start"), end = Time(fields, "window_end");
  if (!start || !end || *end < *start) return out;
  for (Date d = start->date; d <= end->date && static_cast<std::int64_t>(out.size()) < kMaxIndexedDays;
       d = d.AddDays(1))
    out.push_back(d);
  return out;
}
}  // namespace houqin::visitors::internal
