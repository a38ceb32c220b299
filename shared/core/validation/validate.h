// Validation of the identity documents, phone numbers and licence plates
// that people type into the product.
//
// Each validator returns Status::Ok() or Status::Invalid(field, text) whose
// text says in English and Simplified Chinese exactly what is wrong, so the
// apps can show it next to the field. Validators accept the value as typed:
// they ignore surrounding whitespace and ASCII letter case the same way the
// matching Normalize* function does; store the normalized form.
//
// Input is UTF-8. Positions in messages are 1-based and count characters
// (code points), never bytes.
//
// Thread safety: free functions without shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace houqin::validation {

// PRC resident identity card number (GB 11643-1999): 6-digit division code,
// birth date YYYYMMDD, 3-digit sequence, ISO 7064 MOD 11-2 check character.
// The birth date must lie between 1900-01-01 and `today_yyyymmdd` (default:
// the current date in China Standard Time). Reports only the first problem,
// in the order length, characters, region, birth date, check digit.
Status ResidentId(std::string_view value, std::string_view field = "id_number",
                  std::optional<int> today_yyyymmdd = std::nullopt);
// Removes surrounding ASCII whitespace and the ideographic space U+3000.
std::string_view TrimSpaces(std::string_view s);

// Trims surrounding whitespace and uppercases ASCII letters (the final x).
std::string NormalizeResidentId(std::string_view value);

// Passport number of any country: 5 to 17 Latin letters and digits with at
// least one digit. Lowercase letters are accepted as their uppercase form.
Status Passport(std::string_view value, std::string_view field = "passport_number");

// 港澳居民来往内地通行证: H (Hong Kong) or M (Macau), then 8 digits, or 10
// digits in the older form.
Status HkMacauPermit(std::string_view value, std::string_view field = "permit_number");

// 台湾居民来往大陆通行证: 8 digits, or 10 digits in the older form.
Status TaiwanPermit(std::string_view value, std::string_view field = "permit_number");

enum class DocumentKind { kResidentId, kPassport, kHkMacauPermit, kTaiwanPermit };

// Dispatches to the validator for `kind`, reporting errors against `field`.
Status Document(DocumentKind kind, std::string_view value,
                std::string_view field = "document_number");
// "resident_id", "passport", "hk_macau_permit", "taiwan_permit"; nullopt
// for anything else.
std::optional<DocumentKind> ParseDocumentKind(std::string_view name);
std::string_view DocumentKindName(DocumentKind kind);

// Mainland China mobile number: optional "+86" or "86", then 11 digits
// starting 13..19. Single spaces or dashes may separate digit groups.
Status MobilePhone(std::string_view value, std::string_view field = "phone");
// The digits after the country code, separators dropped; for a value that
// MobilePhone accepts, exactly the 11 digits.
std::string NormalizeMobilePhone(std::string_view value);

// PRC licence plate. Ordinary (7 characters): province abbreviation, issuing
// letter, then 5 letters or digits, the last of which may instead be
// 学 警 挂 港 澳 领. New-energy (8 characters): province, issuing letter, then
// D or F + letter or digit + 4 digits (small car) or 5 digits + D or F (large
// car). Letters never include I or O. One separator ("·", "•" or a space)
// may follow the issuing letter.
Status Plate(std::string_view value, std::string_view field = "plate");
// Trims, removes every separator and uppercases ASCII letters.
std::string NormalizePlate(std::string_view value);
// True when `normalized` is a valid new-energy plate.
bool IsNewEnergyPlate(std::string_view normalized);
// The last Arabic digit in the plate, which decides its 尾号限行 day even
// when the plate ends with a letter; nullopt when the plate has no digit.
std::optional<int> PlateLastDigit(std::string_view normalized);

}  // namespace houqin::validation
