#include "util/civil_time.h"

#include <charconv>
#include <cstdio>

namespace houqin {

namespace {

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return std::from_chars(s.data(), s.data() + s.size(), *out).ec == std::errc();
}

// Howard Hinnant's days_from_civil / civil_from_days.
std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

bool Date::Valid(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::optional<Date> Date::Parse(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  Date d;
  if (!ParseInt(s.substr(0, 4), &d.year) || !ParseInt(s.substr(5, 2), &d.month) ||
      !ParseInt(s.substr(8, 2), &d.day) || !Valid(d.year, d.month, d.day))
    return std::nullopt;
  return d;
}

std::string Date::ToString() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::int64_t Date::DaysSinceEpoch() const { return DaysFromCivil(year, month, day); }

Date Date::FromDaysSinceEpoch(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Date d;
  d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  d.year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (d.month <= 2));
  return d;
}

int Date::Weekday() const {
  const std::int64_t days = DaysSinceEpoch();  // 1970-01-01 was a Thursday (4)
  return static_cast<int>(((days % 7) + 7 + 3) % 7) + 1;
}

std::optional<LocalTime> LocalTime::Parse(std::string_view s) {
  if (s.size() != 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':') return std::nullopt;
  auto date = Date::Parse(s.substr(0, 10));
  int h = 0, m = 0;
  if (!date || !ParseInt(s.substr(11, 2), &h) || !ParseInt(s.substr(14, 2), &m) || h > 23 || m > 59)
    return std::nullopt;
  return LocalTime{*date, h * 60 + m};
}

std::string LocalTime::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d", (minute_of_day / 60) % 24, minute_of_day % 60);
  return date.ToString() + buf;
}

LocalTime LocalTime::FromMinutesSinceEpoch(std::int64_t minutes) {
  std::int64_t days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
  return LocalTime{Date::FromDaysSinceEpoch(days), static_cast<int>(minutes - days * 1440)};
}

LocalTime LocalTime::FromUnixMs(std::int64_t unix_ms) {
  const std::int64_t minutes = (unix_ms >= 0 ? unix_ms / 60000 : -((-unix_ms + 59999) / 60000)) + 8 * 60;
  return FromMinutesSinceEpoch(minutes);
}

}  // namespace houqin
