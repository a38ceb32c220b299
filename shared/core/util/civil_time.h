// Civil dates and local times as the compound lives them (China Standard
// Time, UTC+8, no daylight saving). Payloads carry dates as "YYYY-MM-DD" and
// local times as "YYYY-MM-DDTHH:MM": readable in the database and the CLI,
// sortable as text, and free of time-zone arithmetic in the folds.
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace houqin {

struct Date {
  int year = 1970, month = 1, day = 1;
  auto operator<=>(const Date&) const = default;

  static std::optional<Date> Parse(std::string_view yyyy_mm_dd);
  std::string ToString() const;
  std::int64_t DaysSinceEpoch() const;           // 1970-01-01 is 0
  static Date FromDaysSinceEpoch(std::int64_t days);
  int Weekday() const;                           // ISO: Monday 1 .. Sunday 7
  Date AddDays(std::int64_t n) const { return FromDaysSinceEpoch(DaysSinceEpoch() + n); }
  bool IsWeekend() const { return Weekday() >= 6; }
  std::string Month() const { return ToString().substr(0, 7); }  // "YYYY-MM"
  static bool Valid(int y, int m, int d);
};

// A local wall-clock time, minute resolution.
struct LocalTime {
  Date date;
  int minute_of_day = 0;  // 0 .. 1439
  auto operator<=>(const LocalTime&) const = default;

  static std::optional<LocalTime> Parse(std::string_view text);  // "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD HH:MM"
  std::string ToString() const;                                  // "YYYY-MM-DDTHH:MM"
  std::int64_t MinutesSinceEpoch() const { return date.DaysSinceEpoch() * 1440 + minute_of_day; }
  static LocalTime FromMinutesSinceEpoch(std::int64_t minutes);
  LocalTime AddMinutes(std::int64_t n) const { return FromMinutesSinceEpoch(MinutesSinceEpoch() + n); }
  // China Standard Time of a Unix millisecond instant.
  static LocalTime FromUnixMs(std::int64_t unix_ms);
};

}  // namespace houqin
