// The working-day calendar: Monday to Friday, minus the public holidays, plus
// the weekend days worked in exchange (调休上班), as the State Council's notice
// sets them each year. Repair deadlines count on it (小的维修项目1个工作日完成,
// 大的维修项目3个工作日完成).
//
// The data is a JSON file read at run time (assets/calendar/cn-workdays.json);
// an admin adds next year's block each November when the notice comes out:
//   {"format": 1, "workday_start": "08:30",
//    "years": {"2026": {"source": "...",
//                        "off":  [{"from": "2026-10-01", "to": "2026-10-07", "name": "国庆节", "name_en": "National Day"}],
//                        "work": [{"date": "2026-10-10", "name": "国庆节调休上班", "name_en": "National Day swap"}]}}}
// "off" ranges may cover weekend days; a "work" day must be a Saturday or Sunday. A year without a
// block counts Monday to Friday, and every answer that touched such a year says so.
//
// Deadline rule (domain.md, our reading of it): the due time is the reported moment moved forward
// by N working days, keeping its time of day. A report made on a non-working day counts from the
// start of the next working day ("workday_start", default 08:30, the usual opening of a 机关 office),
// so a small job reported on Saturday is due on the working day after the next one at 08:30 — in
// effect, by the close of the next working day. A report on a working day counts from its own
// minute, whatever the hour.
//
// Thread safety: a Calendar is an immutable value after loading; share it freely.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/civil_time.h"
#include "util/status.h"

namespace houqin::calendar {

// Why a day works or rests.
enum class DayKind {
  kWeekday,         // Monday to Friday, nothing special
  kWeekend,         // Saturday or Sunday, nothing special
  kHoliday,         // a public holiday (off), possibly on a weekend
  kSwappedWorkday,  // a weekend day worked in exchange (调休上班)
};

struct DayInfo {
  Date date;
  bool working = false;
  DayKind kind = DayKind::kWeekday;
  Text name;          // the holiday or swap, when kind is kHoliday or kSwappedWorkday
  bool known = true;  // false: the calendar has no data for this year (Monday–Friday assumed)
};

// One line of a year's data: an off range or one swapped working day.
struct Exception {
  Date from, to;  // equal for a working day
  bool working = false;
  Text name;
};

struct Deadline {
  LocalTime reported;
  LocalTime counted_from;          // `reported`, or the start of the next working day
  LocalTime due;
  int working_days = 0;
  std::vector<DayInfo> skipped;    // non-working days passed over, in date order
  std::vector<Date> counted;       // the working days counted; the last one is due.date
  std::vector<int> assumed_years;  // years without data met on the way (Monday–Friday assumed)
  bool assumed() const { return !assumed_years.empty(); }
  // Zh + en sentence for the warning shown with an assumed deadline; empty when none.
  Text Warning() const;
};

class Calendar {
 public:
  static constexpr int kDefaultWorkdayStartMinute = 8 * 60 + 30;

  // An empty calendar: every year counts Monday to Friday.
  Calendar() = default;

  // The file at `path`; NotFound / Invalid (field = the offending key or date) otherwise.
  static Result<Calendar> Load(const std::string& path);
  static Result<Calendar> Parse(std::string_view json_text);
  // The file shipped with the sources (HOUQIN_ASSETS_DIR/calendar/cn-workdays.json).
  static std::string ShippedPath();
  // `path` when not empty, else ShippedPath().
  static Result<Calendar> LoadOrShipped(const std::string& path);

  bool KnowsYear(int year) const { return years_.count(year) != 0; }
  std::vector<int> Years() const;
  bool IsWorkingDay(Date d) const { return Day(d).working; }
  DayInfo Day(Date d) const;
  // The next working day strictly after `d`.
  Date NextWorkingDay(Date d) const;
  // `days` >= 0; see the deadline rule above.
  Deadline AddWorkingDays(LocalTime reported, int days) const;

  // The year's off ranges and swapped working days in date order; empty for an unknown year.
  std::vector<Exception> ExceptionsOf(int year) const;
  std::string SourceOf(int year) const;
  int workday_start_minute() const { return workday_start_minute_; }

 private:
  struct Year {
    std::string source;
    std::vector<Exception> exceptions;
    std::map<std::int64_t, std::size_t> by_day;  // day number → index into exceptions
  };
  std::map<int, Year> years_;
  int workday_start_minute_ = kDefaultWorkdayStartMinute;
};

// "Mon".."Sun" and "周一".."周日" for the ISO weekday 1..7.
Text WeekdayName(int iso_weekday);

}  // namespace houqin::calendar
