// Personal data of visitors (PIPL; domain.md "Visitors"): what is kept, how it is shown, and how
// a returning visitor or a block-list entry is recognised without keeping a document number.
//
//  - A document number is validated (validation::Document), then reduced to its last four
//    characters plus a keyed hash, HMAC-SHA256(site key, "doc|<kind>|<normalized number>"). The
//    full number never reaches an event, a record or a log. The site key is a secret that the
//    kiosks and the server hold outside the store (enrollment config); without it nobody can test
//    a guessed number against the hashes. Phones get the same keyed hash ("tel|<11 digits>") for
//    block-list matching; the phone itself is kept (personal data) to reach the visitor.
//  - Masked display, one rule everywhere (our decision): only the last four characters of a
//    document are ever shown, because they are all the store keeps (keeping the first four too
//    would keep the birthplace region of a resident ID). A resident ID shows as 14 stars + last
//    four, so it still looks like an 18-character ID; any other document as "****" + last four.
//    Phones show the first three and last four digits: 138****5678.
//  - Every personal value travels in Draft::personal, never in a payload, so that the retention
//    purge (engine event personal.purged) removes it while the events and their hashes stay.
//    A purged record shows kPurgedName.
//
// Thread safety: free functions without shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"
#include "validation/validate.h"

namespace houqin::visitors {

// What a purged visitor, invitee or block-list entry shows instead of a name.
inline constexpr std::string_view kPurgedName = "已清除 / purged";

// RFC 4648 §5 alphabet, no padding (QR codes and URLs carry it as is).
std::string Base64UrlEncode(std::string_view bytes);
// nullopt for a character outside the alphabet, padding, or an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// HMAC-SHA256 as 64 lowercase hex digits. Invalid("site_key") when the key is empty: a hash
// without a secret would let anyone test guessed numbers.
Result<std::string> HmacSha256Hex(std::string_view key, std::string_view message);

// Trims and uppercases ASCII letters (resident ID's final X, passport letters, permit prefix).
std::string NormalizeDocument(std::string_view value);
// The last four characters of a normalized (ASCII) number; the whole of a shorter one.
std::string LastFour(std::string_view normalized);

Result<std::string> DocumentHash(std::string_view site_key, validation::DocumentKind kind,
                                 std::string_view normalized);
Result<std::string> PhoneHash(std::string_view site_key, std::string_view normalized_phone);

// Match keys: the constraint group names under which visits and block-list entries meet.
std::string DocumentMatchKey(std::string_view document_hash);  // "doc:<hash>"
std::string PhoneMatchKey(std::string_view phone_hash);        // "tel:<hash>"

// Masked forms (see the rule above). MaskDocumentNumber masks a full number as typed, so a
// screen shows the same string before and after it is stored.
std::string MaskDocument(validation::DocumentKind kind, std::string_view last_four);
std::string MaskDocumentNumber(validation::DocumentKind kind, std::string_view number);
// Kind given by name ("resident_id", ...); an unknown kind masks as "****" + last four.
std::string MaskDocument(std::string_view kind_name, std::string_view last_four);
std::string MaskPhone(std::string_view phone);

// A document as the store keeps it.
struct ProtectedDocument {
  std::string kind;       // "resident_id", "passport", "hk_macau_permit", "taiwan_permit"
  std::string last_four;  // personal data
  std::string hash;       // personal data: DocumentHash
};
// Parses the kind, validates the number against it (errors name `field`), normalizes and
// hashes it. The typed number is not part of the result.
Result<ProtectedDocument> ProtectDocument(std::string_view site_key, std::string_view kind_name,
                                          std::string_view number, std::string_view field = "document_number");

// The kiosk notice (what is collected and why, the retention period, the 002 rule on office
// phones and fax), in both languages. A check-in records the version the visitor accepted.
inline constexpr std::string_view kNoticeVersion = "2026.1";
Text KioskNotice(std::int64_t retention_days);

}  // namespace houqin::visitors
