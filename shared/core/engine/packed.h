// Packed: the store's own compact binary form of a JSON value, for the
// columns it writes most (event payloads, folded record states).
//
// JSON text spends most of a car request's bytes on repeated key names,
// quotes and 36-character UUIDs. Packed keeps the same value with object
// keys replaced by their number in the store's names table, UUID strings in
// their 16 bytes, and integers as varints: about half the size, and read
// without a text parser. It never leaves the store: the wire, the event hash
// and the state hash all use JSON text (CanonicalBytes, SerializeState), so
// two replicas agree whatever their files hold.
//
// Layout, one tag byte then its body (varint = unsigned LEB128):
//   0 null  1 false  2 true
//   3 integer: zigzag varint     4 unsigned: varint      5 double: 8 bytes, little-endian
//   6 string: varint length, UTF-8 bytes                 7 UUID string: its 16 bytes
//   8 array: varint count, values                        9 object: varint count, (varint key id, value)...
//  10 date "YYYY-MM-DD": zigzag varint of days since 1970-01-01
//  11 date and time "YYYY-MM-DDTHH:MM": zigzag varint of minutes since 1970-01-01T00:00
//  12 date and time "YYYY-MM-DDTHH:MM:SS": zigzag varint of seconds since then
// A canonical lowercase UUID string (ParseUuid) is the only string tag 7 holds,
// and tags 10-12 only strings in exactly their form with a real date in years
// 0001-9999 (the civil times the domain writes: 16 bytes of text become 5),
// so unpacking gives back exactly the text that was packed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/event.h"
#include "util/status.h"

namespace houqin::packed {

// Object keys as small integers. The store backs it with its names table;
// ids are stable for the life of the file.
class KeyTable {
 public:
  virtual ~KeyTable() = default;
  virtual Result<std::int64_t> IdOf(const std::string& key) = 0;  // interns a new key
  virtual Result<std::string> KeyOf(std::int64_t id) = 0;
};

class Writer {
 public:
  explicit Writer(KeyTable& keys) : keys_(keys) {}

  // Appends one value. Invalid ("payload"/"personal" callers name the field):
  // a string that is not UTF-8, or a value JSON cannot carry (binary).
  Status Value(const Json& v);
  // For callers that lay out an object themselves: the count, then Key + Value pairs.
  void ObjectHeader(std::size_t count);
  Status Key(const std::string& key);

  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }
  // The length of what was written as JSON text (Json::dump()), exactly:
  // the store's payload bound and its payload statistics count JSON bytes.
  std::size_t json_bytes() const { return json_bytes_; }

 private:
  Status String(const std::string& s);
  void Varint(std::uint64_t v);
  KeyTable& keys_;
  std::string out_;
  std::size_t json_bytes_ = 0;
};

// The value packed in `bytes`; Corruption when they are damaged or truncated.
Result<Json> Read(std::string_view bytes, KeyTable& keys);

}  // namespace houqin::packed
