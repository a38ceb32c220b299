// Events: the only way anything changes in Houqin.
//
// An event is immutable once made. Its identity is a UUIDv7 made on the
// device; its place in every record's history is the order key
// (hlc, device, seq), the same on every replica. Two replicas holding the
// same set of events therefore fold the same state.
//
// Canonical encoding: CanonicalBytes() is a compact JSON array in a fixed
// field order whose payload object has its keys sorted and carries no
// floating-point numbers (amounts are integers in fen, distances in metres,
// volumes in millilitres). The same event yields the same bytes, and so the
// same SHA-256, on every device. See MERGE-RULES.md for the layout.
//
// Thread safety: values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/hash.h"
#include "util/status.h"

namespace houqin {

using Json = nlohmann::json;

// Who made an event: the signed-in user, the role they acted in, and the device.
struct Author {
  std::string user;
  std::string role;
  std::string device;
  bool operator==(const Author&) const = default;
};

struct Event {
  std::string id;           // UUIDv7, canonical lowercase text
  std::string entity_type;  // "car", "car_request", "trip", ...
  std::string entity_id;    // the record the event belongs to
  std::string kind;         // "request.approved", ...
  Json payload = Json::object();
  Author author;
  std::uint64_t seq = 0;  // per-device sequence number, from 1
  std::uint64_t hlc = 0;  // hybrid logical clock stamp
  // Personal data, kept apart from the body (see Draft::personal): the
  // canonical bytes carry only `personal_digest`, a salted SHA-256 of it, so
  // purging the data leaves the event's hash intact. `personal` is null when
  // the event has none or it was purged (then personal_purged is true).
  Json personal = nullptr;
  std::string personal_salt;    // 32 hex digits, random per event
  std::string personal_digest;  // 64 hex digits; empty when the event never had personal data
  bool personal_purged = false;

  bool operator==(const Event&) const = default;
};

// The total order every fold uses.
inline bool OrderBefore(const Event& a, const Event& b) {
  if (a.hlc != b.hlc) return a.hlc < b.hlc;
  if (a.author.device != b.author.device) return a.author.device < b.author.device;
  if (a.seq != b.seq) return a.seq < b.seq;
  return a.id < b.id;
}

inline constexpr std::size_t kMaxPayloadBytes = 64 * 1024;
inline constexpr std::size_t kMaxNameBytes = 128;

// Structural checks every event must pass before it is stored: ids, names,
// sequence, clock, a payload that is an object without floats, and personal
// data that matches its digest (a purged event carries neither data nor salt).
Status ValidateEvent(const Event& e);
// A payload value may hold objects, arrays, strings, integers, booleans and null.
Status ValidatePayload(const Json& payload, std::string_view field = "payload");

// The stored form of a payload: compact JSON, keys sorted; refuses invalid
// UTF-8 and payloads over kMaxPayloadBytes.
Result<std::string> SerializePayload(const Json& payload);
// The same two refusals, for a store that keeps payloads in another form
// (packed) and counts their JSON text length itself.
Status PayloadNotUtf8();
Status CheckPayloadSize(std::size_t json_bytes);

// Canonical bytes: the version 1 array; an event with personal data appends
// its personal_digest as a 12th element (the data itself is never hashed in).
std::string CanonicalBytes(const Event& e);
Digest EventHash(const Event& e);

// Personal data (see Event::personal and MERGE-RULES.md, "Personal data").
inline constexpr std::size_t kPersonalSaltBytes = 16;
// A fresh salt from OpenSSL's CSPRNG as 32 lowercase hex digits; empty if the
// CSPRNG fails (a guessable salt would defeat its purpose, so there is no fallback).
std::string NewPersonalSalt();
// A personal value is checked like a payload (an object, no floats, not too
// deep), errors naming "personal" or "personal.<key>".
Status ValidatePersonal(const Json& personal);
// The stored form: compact JSON, keys sorted; refuses invalid UTF-8 and more than kMaxPayloadBytes.
Result<std::string> SerializePersonal(const Json& personal);
// Lowercase hex SHA-256 of (the 16 salt bytes || SerializePersonal(personal));
// empty when the salt is not 32 lowercase hex digits or the value cannot be serialised.
std::string PersonalDigest(std::string_view salt_hex, const Json& personal);
// Drops the personal value and its salt and marks the event purged; the
// digest, and so the event hash, stay. No effect on an event without personal data.
void ForgetPersonal(Event& e);

// Wire and file form (one JSON object; see PROTOCOL.md). FromJson names the
// field that is missing or wrong.
Json ToJson(const Event& e);
Result<Event> EventFromJson(const Json& j);

// HLC stamps travel as 16 hex digits: exact in every JSON parser, and
// lexicographic order equals numeric order.
std::string HlcToHex(std::uint64_t stamp);
bool HlcFromHex(std::string_view hex, std::uint64_t* out);

}  // namespace houqin
