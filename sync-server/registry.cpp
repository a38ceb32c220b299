#include "registry.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <cctype>

#include "engine/sqlite.h"
#include "util/hash.h"
#include "util/uuid.h"

namespace houqin::server {
namespace {

// Tables prefixed reg_ so that they never meet the Store's own in the shared file.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS reg_devices(
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, user TEXT NOT NULL DEFAULT '', site TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL DEFAULT '', token_sha256 TEXT NOT NULL UNIQUE, enrolled_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL DEFAULT 0, revoked INTEGER NOT NULL DEFAULT 0, signed_in INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reg_codes(
  code_sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, label TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, used_ms INTEGER, device_id TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reg_credentials(
  user TEXT PRIMARY KEY, salt TEXT NOT NULL, hash TEXT NOT NULL, n INTEGER NOT NULL, r INTEGER NOT NULL,
  p INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reg_attempts(what TEXT NOT NULL, who TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS reg_attempts_by_who ON reg_attempts(what, who, at_ms);
)sql";

// No 0/O, 1/I/L: a code is read aloud and typed on a phone.
constexpr std::string_view kCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
constexpr std::size_t kCodeLength = 12;

// scrypt N=2^14, r=8, p=1: 16 MiB and tens of milliseconds per guess, on the server and on a phone alike.
constexpr std::uint64_t kScryptN = 16384, kScryptR = 8, kScryptP = 1;
constexpr std::size_t kScryptBytes = 32;

Status DbError(const sql::Db& db, std::string_view what) { return db.ErrorStatus(what); }

std::string HexSha256(std::string_view s) { return ToHex(Sha256(s)); }

std::string NormalizeCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

bool RandomBytes(unsigned char* out, std::size_t n) { return RAND_bytes(out, static_cast<int>(n)) == 1; }

std::optional<std::string> Scrypt(const std::string& password, const std::string& salt_hex, std::uint64_t n,
                                  std::uint64_t r, std::uint64_t p) {
  // The salt is kept and sent as hex; scrypt gets its bytes.
  auto nibble = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (salt_hex.empty() || salt_hex.size() % 2 != 0) return std::nullopt;
  std::string salt;
  for (std::size_t i = 0; i < salt_hex.size(); i += 2) {
    const int hi = nibble(salt_hex[i]), lo = nibble(salt_hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    salt += static_cast<char>(hi * 16 + lo);
  }
  unsigned char out[kScryptBytes];
  if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                     salt.size(), n, r, p, 64ull * 1024 * 1024, out, sizeof out) != 1)
    return std::nullopt;
  return ToHex(out, sizeof out);
}

Status Unavailable(std::string_view what) {
  return Status::Io({"registry: " + std::string(what), "设备登记簿：" + std::string(what)});
}

DeviceRecord ReadDevice(const sql::Stmt& s) {
  DeviceRecord d;
  d.id = s.Text(0);
  d.kind = s.Text(1);
  d.user = s.Text(2);
  d.site = s.Text(3);
  d.label = s.Text(4);
  d.enrolled_ms = s.Int(5);
  d.last_seen_ms = s.Int(6);
  d.revoked = s.Int(7) != 0;
  d.signed_in = s.Int(8) != 0;
  return d;
}

constexpr const char* kDeviceColumns =
    "id, kind, user, site, label, enrolled_ms, last_seen_ms, revoked, signed_in";

// last_seen is written at most this often, so that authenticating a request
// is a read and never competes with the event writer for the write lock.
constexpr std::int64_t kLastSeenResolutionMs = 60'000;

}  // namespace

struct Registry::Impl {
  sql::Db db;

  // BEGIN IMMEDIATE so that two enrollments racing for one code serialise.
  Status Begin() {
    if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    return Status::Ok();
  }
  void Rollback() { (void)db.Exec("ROLLBACK"); }
};

Registry::Registry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Registry::~Registry() = default;

Result<std::unique_ptr<Registry>> Registry::Open(const std::string& db_path) {
  auto impl = std::make_unique<Impl>();
  if (Status s = impl->db.Open(db_path); !s.ok()) return s;
  if (Status s = impl->db.Exec("PRAGMA journal_mode = WAL"); !s.ok()) return s;
  if (Status s = impl->db.Exec("PRAGMA synchronous = FULL"); !s.ok()) return s;
  if (Status s = impl->db.Exec(kSchema); !s.ok()) return s;
  return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

Result<std::string> Registry::CreateEnrollmentCode(std::string_view kind, const std::string& user_or_site,
                                                   const std::string& label, std::int64_t ttl_ms,
                                                   std::int64_t now_ms) {
  if (kind != sync::kPhone && kind != sync::kKiosk)
    return Status::Invalid("kind", {"a device is a phone or a kiosk", "设备类型只能是手机或自助终端"});
  if (user_or_site.empty())
    return Status::Invalid(kind == sync::kPhone ? "user" : "site",
                           {kind == sync::kPhone ? "a phone is enrolled for a user" : "a kiosk is enrolled for a site",
                            kind == sync::kPhone ? "手机须指定用户" : "自助终端须指定场所"});
  if (ttl_ms <= 0) return Status::Invalid("ttl", {"the code must live a positive time", "有效期必须为正"});
  std::string code;
  while (code.size() < kCodeLength) {
    unsigned char b = 0;
    if (!RandomBytes(&b, 1)) return Unavailable("no random bytes");
    // Rejection sampling keeps every letter equally likely.
    if (b >= 256 - 256 % kCodeAlphabet.size()) continue;
    code += kCodeAlphabet[b % kCodeAlphabet.size()];
  }
  sql::Stmt s = impl_->db.Prepare(
      "INSERT INTO reg_codes(code_sha256, kind, subject, label, created_ms, expires_ms) VALUES(?,?,?,?,?,?)");
  s.Bind(1, HexSha256(code)).Bind(2, kind).Bind(3, user_or_site).Bind(4, label).Bind(5, now_ms).Bind(6, now_ms + ttl_ms);
  if (s.Run() != SQLITE_DONE) return DbError(impl_->db, "insert enrollment code");
  return code;
}

Result<Enrollment> Registry::Enroll(const std::string& code, const std::string& proposed_device_id,
                                    std::int64_t now_ms) {
  const Status bad_code =
      Status::Refused("code", {"unknown, used or expired enrollment code", "注册码无效、已使用或已过期"});
  const std::string normalized = NormalizeCode(code);
  if (normalized.size() != kCodeLength) return bad_code;
  if (Status s = impl_->Begin(); !s.ok()) return s;
  sql::Stmt find = impl_->db.Prepare(
      "SELECT kind, subject, label, expires_ms, used_ms IS NOT NULL FROM reg_codes WHERE code_sha256 = ?");
  find.Bind(1, HexSha256(normalized));
  if (find.Step() != SQLITE_ROW || find.Int(4) != 0 || find.Int(3) <= now_ms) {
    find.Reset();
    impl_->Rollback();
    return bad_code;
  }
  Enrollment out;
  out.device.kind = find.Text(0);
  (out.device.kind == sync::kPhone ? out.device.user : out.device.site) = find.Text(1);
  out.device.label = find.Text(2);
  out.device.enrolled_ms = now_ms;
  out.device.last_seen_ms = now_ms;
  find.Reset();

  std::string id;
  if (ParseUuid(proposed_device_id)) {
    sql::Stmt taken = impl_->db.Prepare("SELECT 1 FROM reg_devices WHERE id = ?");
    taken.Bind(1, proposed_device_id);
    if (taken.Step() != SQLITE_ROW) id = proposed_device_id;
  }
  if (id.empty()) id = NewUuidV7(now_ms);
  out.device.id = out.device_id = id;

  unsigned char token[sync::kTokenBytes];
  if (!RandomBytes(token, sizeof token)) {
    impl_->Rollback();
    return Unavailable("no random bytes");
  }
  out.token = ToHex(token, sizeof token);

  sql::Stmt add = impl_->db.Prepare(
      "INSERT INTO reg_devices(id, kind, user, site, label, token_sha256, enrolled_ms, last_seen_ms) "
      "VALUES(?,?,?,?,?,?,?,?)");
  add.Bind(1, id).Bind(2, out.device.kind).Bind(3, out.device.user).Bind(4, out.device.site).Bind(5, out.device.label)
      .Bind(6, HexSha256(out.token)).Bind(7, now_ms).Bind(8, now_ms);
  sql::Stmt spend = impl_->db.Prepare("UPDATE reg_codes SET used_ms = ?, device_id = ? WHERE code_sha256 = ?");
  spend.Bind(1, now_ms).Bind(2, id).Bind(3, HexSha256(normalized));
  if (add.Run() != SQLITE_DONE || spend.Run() != SQLITE_DONE) {
    Status s = DbError(impl_->db, "enroll");
    impl_->Rollback();
    return s;
  }
  if (Status s = impl_->db.Exec("COMMIT"); !s.ok()) {
    impl_->Rollback();
    return s;
  }
  return out;
}

Result<DeviceRecord> Registry::Authenticate(const std::string& token, std::int64_t now_ms) {
  const Status refused = Status::Refused("token", {"unknown or revoked device token", "设备令牌无效或已吊销"});
  if (token.size() != 2 * sync::kTokenBytes) return refused;
  sql::Stmt s = impl_->db.Prepare(std::string("SELECT ") + kDeviceColumns + " FROM reg_devices WHERE token_sha256 = ?");
  s.Bind(1, HexSha256(token));
  const int rc = s.Step();
  if (rc != SQLITE_ROW) {
    if (rc != SQLITE_DONE) return DbError(impl_->db, "authenticate");
    return refused;
  }
  DeviceRecord d = ReadDevice(s);
  s.Reset();
  if (d.revoked) return refused;
  if (now_ms - d.last_seen_ms >= kLastSeenResolutionMs) {
    sql::Stmt seen = impl_->db.Prepare("UPDATE reg_devices SET last_seen_ms = ? WHERE id = ?");
    seen.Bind(1, now_ms).Bind(2, d.id);
    (void)seen.Run();  // a missed last-seen stamp is harmless
    d.last_seen_ms = now_ms;
  }
  return d;
}

Result<std::vector<DeviceRecord>> Registry::ListDevices() {
  sql::Stmt s = impl_->db.Prepare(std::string("SELECT ") + kDeviceColumns + " FROM reg_devices ORDER BY enrolled_ms, id");
  std::vector<DeviceRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadDevice(s));
  if (rc != SQLITE_DONE) return DbError(impl_->db, "list devices");
  return out;
}

Status Registry::Revoke(const std::string& device_id) {
  sql::Stmt s = impl_->db.Prepare("UPDATE reg_devices SET revoked = 1 WHERE id = ?");
  s.Bind(1, device_id);
  if (s.Run() != SQLITE_DONE) return DbError(impl_->db, "revoke");
  if (impl_->db.Changes() == 0)
    return Status::NotFound("device", {"no device " + device_id, "没有设备 " + device_id});
  return Status::Ok();
}

Status Registry::SetPassword(const std::string& user, const std::string& password) {
  if (user.empty()) return Status::Invalid("user", {"a user id is required", "必须指定用户"});
  if (password.size() < 8)
    return Status::Invalid("password", {"a password has at least 8 characters", "密码至少8个字符"});
  unsigned char salt[16];
  if (!RandomBytes(salt, sizeof salt)) return Unavailable("no random bytes");
  const std::string salt_hex = ToHex(salt, sizeof salt);
  auto hash = Scrypt(password, salt_hex, kScryptN, kScryptR, kScryptP);
  if (!hash) return Unavailable("scrypt failed");
  sql::Stmt s = impl_->db.Prepare(
      "INSERT INTO reg_credentials(user, salt, hash, n, r, p) VALUES(?,?,?,?,?,?) "
      "ON CONFLICT(user) DO UPDATE SET salt = excluded.salt, hash = excluded.hash, n = excluded.n, r = excluded.r, "
      "p = excluded.p");
  s.Bind(1, user).Bind(2, salt_hex).Bind(3, *hash).Bind(4, static_cast<std::int64_t>(kScryptN))
      .Bind(5, static_cast<std::int64_t>(kScryptR)).Bind(6, static_cast<std::int64_t>(kScryptP));
  if (s.Run() != SQLITE_DONE) return DbError(impl_->db, "set password");
  return Status::Ok();
}

Result<OfflineUnlock> Registry::SignIn(const std::string& device_id, const std::string& user,
                                       const std::string& password) {
  sql::Stmt dev = impl_->db.Prepare("SELECT kind, user, revoked FROM reg_devices WHERE id = ?");
  dev.Bind(1, device_id);
  if (dev.Step() != SQLITE_ROW || dev.Int(2) != 0)
    return Status::Refused("device", {"unknown or revoked device", "设备未登记或已吊销"});
  if (dev.Text(0) != sync::kPhone)
    return Status::Refused("device", {"users sign in on phones, not kiosks", "只能在手机上登录，自助终端不能登录"});
  if (dev.Text(1) != user)
    return Status::Refused("user", {"this phone was enrolled for another user", "此手机登记给了其他用户"});
  dev.Reset();

  const Status bad = Status::Refused("password", {"wrong user or password", "用户名或密码错误"});
  sql::Stmt cred = impl_->db.Prepare("SELECT salt, hash, n, r, p FROM reg_credentials WHERE user = ?");
  cred.Bind(1, user);
  if (cred.Step() != SQLITE_ROW) return bad;
  OfflineUnlock unlock;
  unlock.salt = cred.Text(0);
  unlock.hash = cred.Text(1);
  unlock.n = static_cast<std::uint64_t>(cred.Int(2));
  unlock.r = static_cast<std::uint64_t>(cred.Int(3));
  unlock.p = static_cast<std::uint64_t>(cred.Int(4));
  cred.Reset();
  auto computed = Scrypt(password, unlock.salt, unlock.n, unlock.r, unlock.p);
  if (!computed) return Unavailable("scrypt failed");
  if (computed->size() != unlock.hash.size() ||
      CRYPTO_memcmp(computed->data(), unlock.hash.data(), computed->size()) != 0)
    return bad;

  sql::Stmt mark = impl_->db.Prepare("UPDATE reg_devices SET signed_in = 1 WHERE id = ?");
  mark.Bind(1, device_id);
  if (mark.Run() != SQLITE_DONE) return DbError(impl_->db, "sign in");
  return unlock;
}

bool Registry::AllowAttempt(const std::string& what, const std::string& who, int limit, std::int64_t window_ms,
                            std::int64_t now_ms) {
  sql::Stmt prune = impl_->db.Prepare("DELETE FROM reg_attempts WHERE what = ? AND who = ? AND at_ms <= ?");
  prune.Bind(1, what).Bind(2, who).Bind(3, now_ms - window_ms);
  (void)prune.Run();
  sql::Stmt count = impl_->db.Prepare("SELECT count(*) FROM reg_attempts WHERE what = ? AND who = ?");
  count.Bind(1, what).Bind(2, who);
  const std::int64_t made = count.Step() == SQLITE_ROW ? count.Int(0) : 0;
  count.Reset();
  if (made >= limit) return false;
  sql::Stmt add = impl_->db.Prepare("INSERT INTO reg_attempts(what, who, at_ms) VALUES(?,?,?)");
  add.Bind(1, what).Bind(2, who).Bind(3, now_ms);
  (void)add.Run();
  return true;
}

}  // namespace houqin::server
