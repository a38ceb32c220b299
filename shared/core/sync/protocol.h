// The sync protocol's shared vocabulary: limits, error codes and the JSON
// shapes of requests and responses, used alike by the server and the client.
// PROTOCOL.md is the reference a third party writes a client from; this file
// and it must say the same thing.
//
// Thread safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "util/civil_time.h"

namespace houqin::sync {

inline constexpr std::string_view kApiPrefix = "/v1";
inline constexpr std::size_t kMaxBodyBytes = 8 * 1024 * 1024;  // any request body
inline constexpr std::size_t kMaxPushEvents = 1000;             // events in one push
inline constexpr int kDefaultPullLimit = 500;
inline constexpr int kMaxPullLimit = 5000;
inline constexpr int kMaxWaitSeconds = 30;                      // long poll bound
inline constexpr std::size_t kTokenBytes = 32;                  // 256 random bits

// Error codes of {"error": {"code", "message", "field"}}; the HTTP status goes with each.
namespace error {
inline constexpr std::string_view kBadJson = "bad_json";                  // 400
inline constexpr std::string_view kBadField = "bad_field";                // 400: missing or wrong type; "field" names it
inline constexpr std::string_view kBadEvent = "bad_event";                // 400: an event fails ValidateEvent
inline constexpr std::string_view kUnauthenticated = "unauthenticated";  // 401: no, bad or revoked device token
inline constexpr std::string_view kBadCode = "bad_enrollment_code";       // 401: unknown, used or expired code
inline constexpr std::string_view kBadPassword = "bad_credentials";       // 401
inline constexpr std::string_view kNotSignedIn = "not_signed_in";         // 403: a phone pushes before login
inline constexpr std::string_view kForeignAuthor = "foreign_author";      // 403: batch claims another device/user/role
inline constexpr std::string_view kNotFound = "not_found";                // 404
inline constexpr std::string_view kTooLarge = "body_too_large";           // 413
inline constexpr std::string_view kBatchTooLarge = "batch_too_large";     // 413
inline constexpr std::string_view kRateLimited = "rate_limited";          // 429: enroll/login attempts
inline constexpr std::string_view kTooManyWaits = "too_many_waits";       // 503: long-poll cap reached; retry
inline constexpr std::string_view kUnavailable = "unavailable";           // 503: shutting down / storage error
}  // namespace error

// The kinds of device the server enrolls.
inline constexpr std::string_view kPhone = "phone";  // acts for the user signed in on it
inline constexpr std::string_view kKiosk = "kiosk";  // acts for its site, role kiosk

// Who a device acts for, as the server knows it after enrollment and login.
struct DeviceIdentity {
  std::string device_id;
  std::string kind;               // kPhone or kKiosk
  std::string site;               // the site a kiosk serves; a phone: the user's site if known
  std::string user;               // phone: the signed-in user ("" before login); kiosk: "kiosk:<site>"
  std::vector<std::string> roles; // the user's roles from the directory; a kiosk: {"kiosk"}
  std::string department;         // the user's department
};

// Event lists on the wire: {"events": [ToJson(event)...]}.
Json EventsToJson(const std::vector<Event>& events);
// Parses and validates every event; an error names "events[i].<field>".
Result<std::vector<Event>> EventsFromJson(const Json& body);
// The same, moving each payload out of `body` instead of copying it (a pulled page is mostly payloads).
Result<std::vector<Event>> EventsFromJson(Json&& body);

// Appends exactly what j.dump() gives (compact, UTF-8 kept, invalid UTF-8
// replaced), without nlohmann's byte-at-a-time escaping: pages of thousands
// of events are rendered on the server's request threads.
void AppendJson(std::string& out, const Json& j);
// A pull response, {"cursor": ..., "events": [ToJson(event)...], "more": ...},
// as text; the events' payloads are moved out, not copied.
std::string PullResponseText(std::vector<Event>& events, std::int64_t cursor, bool more);
// The parts of it: one event as the text of ToJson(e).dump(), and a
// response put together from such texts (the server keeps recent ones, since
// every device of a scope pulls the same events).
std::string EventText(const Event& e);
std::string PullResponseFromTexts(const std::vector<std::string_view>& event_texts, std::int64_t cursor, bool more);

// {"error": {"code", "message", "field"}}; message in English with the zh-CN text in "message_zh".
Json ErrorBody(std::string_view code, const Text& message, std::string_view field = {});

// A pull cursor is an opaque decimal string of the server's delivery sequence.
std::string CursorToString(std::int64_t cursor);
bool CursorFromString(std::string_view text, std::int64_t* cursor);

}  // namespace houqin::sync
