// Status and Result: the return value of every fallible core call.
//
// A Status is a cheap value: success carries nothing; a failure carries a
// closed kind, the field it concerns (if any) and a message for people in
// English and Simplified Chinese. Nothing in the core throws across its
// public boundary; callers branch on the kind and show the text.
//
// Thread safety: values; safe to copy between threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace houqin {

// A sentence for people, in both languages the product ships.
struct Text {
  std::string en;
  std::string zh;
  bool operator==(const Text&) const = default;
};

class Status {
 public:
  enum class Code { kOk, kNotFound, kInvalid, kRefused, kConflict, kCorruption, kIo, kNetwork };

  Status() = default;

  static Status Ok() { return {}; }
  static Status NotFound(std::string field, Text msg) { return {Code::kNotFound, std::move(field), std::move(msg)}; }
  // Bad input: the value of `field` is wrong for the reason given.
  static Status Invalid(std::string field, Text msg) { return {Code::kInvalid, std::move(field), std::move(msg)}; }
  // A rule forbids the step (workflow table, role, state of the record).
  static Status Refused(std::string field, Text msg) { return {Code::kRefused, std::move(field), std::move(msg)}; }
  static Status Conflict(std::string field, Text msg) { return {Code::kConflict, std::move(field), std::move(msg)}; }
  static Status Corruption(Text msg) { return {Code::kCorruption, {}, std::move(msg)}; }
  static Status Io(Text msg) { return {Code::kIo, {}, std::move(msg)}; }
  static Status Network(Text msg) { return {Code::kNetwork, {}, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalid() const { return code_ == Code::kInvalid; }
  bool IsRefused() const { return code_ == Code::kRefused; }
  bool IsConflict() const { return code_ == Code::kConflict; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIo() const { return code_ == Code::kIo; }

  const std::string& field() const { return field_; }
  const Text& message() const { return message_; }
  const std::string& en() const { return message_.en; }
  const std::string& zh() const { return message_.zh; }

  // "invalid: plate: ..." for logs.
  std::string ToString() const;
  static const char* CodeName(Code code);

 private:
  Status(Code code, std::string field, Text msg)
      : code_(code), field_(std::move(field)), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string field_;
  Text message_;
};

// Either a value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                    // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace houqin
