// Host invitations (预约来访) with a QR token that an OFFLINE kiosk can verify, and the device
// keys that sign them.
//
// Trust: every enrolled device that may issue invites holds an Ed25519 private key (in the app's
// key store, never in the Houqin store) and publishes the public key as a device_key/<device id>
// record written by the admin at enrollment. Kiosks sync those records like any other. A token
// carries everything a kiosk needs — invite id, host, site, window, party size, single use,
// expiry, signer device — and is signed by the issuing device, so a kiosk that never saw the
// invite record (the host's phone has not synced since) checks it against the signer's public
// key alone. A revoked device key invalidates every token it signed.
//
// Token layout (version 1), then base64url without padding:
//   u8 version = 1 | u8 flags (bit 0: single use) | invite id | host | site | signer device
//   | u32 window start | u32 window end | u32 expiry (big-endian minutes since 1970-01-01T00:00
//   China time) | u8 party size | 64-byte Ed25519 signature
// Each string is a tag byte then its bytes: tag 0x00-0x7f = UTF-8 of that length; tag 0x80 =
// the 16 raw bytes of a canonical UUID. The signature covers "houqin.invite.v1\0" + every byte
// before it. A UUID invite signed by a UUID device, host "alice", site "main": 124 bytes, 166
// characters (a version-8 QR code in byte mode).
//
// Entities (workflow tables DeviceKeyWorkflow(), InviteWorkflow(); merge rules in invites.cpp):
//   device_key/<device id>  {public_key (base64url), site, owner, label}: enrolled → revoked
//   visitor_invite/<id>     payload {site, host, organisation, purpose, party_size, window_start,
//                           window_end, expires, single_use, signer_device, token}; personal
//                           {name, phone}: active → cancelled. Use is not a status: check-ins
//                           point at the invite and the visitor_invite_use constraint groups them.
//
// Thread safety: free functions; the Store is single-threaded. Key generation and signing use
// OpenSSL and are reentrant.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/store.h"
#include "engine/workflow.h"
#include "util/civil_time.h"
#include "visitors/entities.h"
#include "visitors/rules.h"

namespace houqin::visitors {

const Workflow& DeviceKeyWorkflow();
const Workflow& InviteWorkflow();
// Reception and the admin invite, and cancel invites, on another person's behalf; anyone else
// only as the host. Shared with the server's verdicts (sync/access.h).
bool MayActForHost(const Author& actor);

// ---------------------------------------------------------------------------
// Ed25519 (OpenSSL 3: EVP_PKEY_ED25519, EVP_DigestSign/Verify with a NULL digest)

struct DeviceKeyPair {
  std::string private_key;  // 32 raw bytes: the seed; stays on the device
  std::string public_key;   // 32 raw bytes
};
Result<DeviceKeyPair> GenerateDeviceKeyPair();
// The pair of a stored seed; Invalid("private_key") for a seed that is not 32 bytes.
Result<DeviceKeyPair> DeviceKeyPairFromPrivate(std::string_view private_key);
Result<std::string> SignEd25519(std::string_view private_key, std::string_view message);  // 64 bytes
bool VerifyEd25519(std::string_view public_key, std::string_view message, std::string_view signature);

// ---------------------------------------------------------------------------
// Device keys

struct DeviceKeyInput {
  std::string device_id;
  std::string public_key;  // 32 raw bytes
  std::string site;        // the device's site; empty for a device that serves every site
  std::string owner;       // the user a phone belongs to; empty for a kiosk
  std::string label;       // "前台自助机 1", "张三的手机"
};
// By the admin (at enrollment). Enrolling again replaces the key (a re-enrolled phone).
Result<Command> EnrollDeviceKey(Store& store, const Author& actor, const DeviceKeyInput& input, LocalTime now);
Result<Command> RevokeDeviceKey(Store& store, const Author& actor, const std::string& device_id,
                                const std::string& reason, LocalTime now);

struct DeviceKeyInfo {
  std::string device_id, public_key /* raw */, site, owner, label, status;
};
std::optional<DeviceKeyInfo> FindDeviceKey(Store& store, const std::string& device_id);

// ---------------------------------------------------------------------------
// Tokens

struct InviteToken {
  std::string invite_id, host, site, signer_device;
  LocalTime window_start, window_end, expires;
  int party_size = 1;
  bool single_use = true;
  bool operator==(const InviteToken&) const = default;
};

// The signed token, base64url. Invalid naming the field that does not fit the layout.
Result<std::string> SignInviteToken(const InviteToken& token, std::string_view private_key);
// Parses without verifying (Invalid("token") when malformed); `signed_part` and `signature`
// receive the bytes the signature covers and the signature.
Result<InviteToken> DecodeInviteToken(std::string_view token, std::string* signed_part = nullptr,
                                      std::string* signature = nullptr);
// What a kiosk at `site` checks, offline: the layout, the signer's device_key record (known to
// this store and not revoked), the signature, the site, the expiry and the window (opening
// Rules.invite_early_minutes early). Refused("token") with the reason otherwise.
Result<InviteToken> VerifyInviteToken(Store& store, std::string_view token, const std::string& site, LocalTime now,
                                      const VisitorRules& rules);

// ---------------------------------------------------------------------------
// Invites

// The device that signs: its id (a device_key record) and the seed from its key store.
struct DeviceSigner {
  std::string device_id;
  std::string private_key;
};

struct InviteInput {
  std::string id;    // new record id (UUIDv7 in the apps)
  std::string site;
  std::string host;  // empty: the actor; another user only when the actor is reception or admin
  std::string visitor_name;   // personal
  std::string visitor_phone;  // personal, optional
  std::string organisation;
  std::string purpose;
  int party_size = 1;
  std::optional<LocalTime> window_start, window_end;
  std::optional<LocalTime> expires;  // default: window_end
  bool single_use = true;
};

// By any signed-in staff member (never a kiosk). The draft's payload carries the token
// (payload["token"]); InviteSummary::token reads it back.
Result<Command> CreateInvite(Store& store, const Author& actor, const InviteInput& input, const DeviceSigner& signer,
                             LocalTime now, const VisitorRules& rules);
// By the host, or reception / admin. Reason required.
Result<Command> CancelInvite(Store& store, const Author& actor, const std::string& invite_id,
                             const std::string& reason, LocalTime now);

struct InviteSummary {
  std::string id, status, site, host, organisation, purpose, signer_device, token;
  std::string visitor_name;          // personal, or kPurgedName
  std::string visitor_phone_masked;  // empty when none or purged
  bool purged = false;
  int party_size = 0;
  bool single_use = true;
  LocalTime window_start, window_end, expires;
};
std::optional<InviteSummary> FindInvite(Store& store, const std::string& invite_id);
// Active invites of a site whose window touches `day`, by window start.
std::vector<InviteSummary> ExpectedVisitors(Store& store, const std::string& site, Date day);

// Registers the device_key and visitor_invite folds.
void RegisterInvites(Domain& domain);

}  // namespace houqin::visitors
