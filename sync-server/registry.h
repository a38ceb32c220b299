// The server's own books, beside the event store in the same SQLite file:
// enrolled devices and their hashed tokens, one-time enrollment codes, user
// credentials, and rate-limit counters. None of this is an event: it never
// syncs to devices.
//
// Tokens are 256 random bits shown once; only their SHA-256 is kept. Codes
// are single-use with an expiry. Passwords are kept as scrypt hashes (the
// same parameters the device receives at login to unlock offline).
//
// Thread safety: a Registry is used by one thread at a time; the server opens
// one per thread that needs it (each its own connection; WAL).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sync/protocol.h"
#include "util/status.h"

namespace houqin::server {

struct DeviceRecord {
  std::string id;
  std::string kind;   // sync::kPhone or sync::kKiosk
  std::string user;   // phone: the user it was enrolled for / signed in as
  std::string site;   // kiosk: its site
  std::string label;  // free text from the admin ("Lobby kiosk 1")
  std::int64_t enrolled_ms = 0;
  std::int64_t last_seen_ms = 0;
  bool revoked = false;
  bool signed_in = false;  // phone: a user signed in on it
};

struct Enrollment {
  std::string device_id;
  std::string token;  // shown once, hex, 64 digits
  DeviceRecord device;
};

// What a device keeps to unlock offline after one online sign-in.
struct OfflineUnlock {
  std::string salt;  // hex
  std::string hash;  // hex scrypt(password, salt)
  std::uint64_t n = 0, r = 0, p = 0;
};

class Registry {
 public:
  // Opens (creating its tables if needed) the registry in the server's database file.
  static Result<std::unique_ptr<Registry>> Open(const std::string& db_path);
  ~Registry();

  // Admin: a one-time code (short, typeable: 12 characters from an unambiguous
  // alphabet) for a phone enrolled for `user`, or a kiosk for `site`.
  Result<std::string> CreateEnrollmentCode(std::string_view kind, const std::string& user_or_site,
                                           const std::string& label, std::int64_t ttl_ms, std::int64_t now_ms);
  // Device: spends a code. `proposed_device_id` (a UUIDv7 the device already
  // uses in its store) is taken when valid and unused; otherwise one is made.
  Result<Enrollment> Enroll(const std::string& code, const std::string& proposed_device_id, std::int64_t now_ms);
  // The device a bearer token belongs to; Unauthenticated-style Refused for unknown or revoked.
  Result<DeviceRecord> Authenticate(const std::string& token, std::int64_t now_ms);
  Result<std::vector<DeviceRecord>> ListDevices();
  Status Revoke(const std::string& device_id);

  // Admin: sets a user's password (scrypt, random salt).
  Status SetPassword(const std::string& user, const std::string& password);
  // Device: a user signs in on a phone. Refused for a wrong password, a
  // kiosk, or a phone enrolled for another user.
  Result<OfflineUnlock> SignIn(const std::string& device_id, const std::string& user, const std::string& password);

  // Counts an attempt by `who` (an IP address) at `what` ("enroll", "login");
  // false once more than `limit` were made in the last `window_ms`.
  bool AllowAttempt(const std::string& what, const std::string& who, int limit, std::int64_t window_ms,
                    std::int64_t now_ms);

 private:
  struct Impl;
  explicit Registry(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace houqin::server
