// Subcommands over the working-day calendar: deadline, calendar.
#include <iostream>

#include "calendar/calendar.h"
#include "cli.h"
#include "repairs/repairs.h"

namespace houqin::cli {

namespace {

// "2026-10-08 17:00": the form people type and read.
std::string Human(LocalTime t) {
  std::string s = t.ToString();
  s[10] = ' ';
  return s;
}

std::string DayText(const calendar::DayInfo& d) {
  const Text wd = calendar::WeekdayName(d.date.Weekday());
  std::string out = d.date.ToString() + " " + wd.en;
  switch (d.kind) {
    case calendar::DayKind::kHoliday:
      out += " holiday: " + d.name.en + " / " + d.name.zh;
      break;
    case calendar::DayKind::kSwappedWorkday:
      out += " swapped working day: " + d.name.en + " / " + d.name.zh;
      break;
    case calendar::DayKind::kWeekend:
      out += d.known ? " weekend / 周末" : " weekend / 周末 (no calendar data)";
      break;
    case calendar::DayKind::kWeekday:
      out += d.known ? "" : " (no calendar data: assumed a working day)";
      break;
  }
  return out;
}

Result<calendar::Calendar> LoadCalendar(const Args& args) {
  return calendar::Calendar::LoadOrShipped(args.Option("calendar").value_or(""));
}

}  // namespace

int Deadline(const Args& args) {
  auto reported_text = args.Option("reported");
  auto size = args.Option("size");
  if (!reported_text || !size)
    return Fail("deadline needs --reported \"YYYY-MM-DD HH:MM\" and --size small|large [--calendar FILE] [--db FILE]");
  auto reported = LocalTime::Parse(*reported_text);
  if (!reported) return Fail("reported: '" + *reported_text + "' is not a time in the form YYYY-MM-DD HH:MM");
  if (*size != repairs::size::kSmall && *size != repairs::size::kLarge)
    return Fail("size: '" + *size + "' is neither small nor large");
  repairs::Rules rules;
  if (auto db = args.Option("db")) {  // a site's own numbers, when given
    auto store = OpenStore(*db);
    if (!store.ok()) return Fail(store.status());
    rules = repairs::LoadRules(**store);
  }
  auto cal = LoadCalendar(args);
  if (!cal.ok()) return Fail(cal.status());
  const bool large = *size == repairs::size::kLarge;
  const int days = large ? rules.large_working_days : rules.small_working_days;
  const calendar::Deadline d = cal->AddWorkingDays(*reported, days);

  std::cout << Human(d.due) << "\n";
  const calendar::DayInfo first = cal->Day(reported->date);
  std::cout << "reported " << Human(*reported) << " " << calendar::WeekdayName(reported->date.Weekday()).en
            << (first.working ? " (a working day)" : " (not a working day)") << "; " << *size << " job: " << days
            << " working day" << (days == 1 ? "" : "s") << " / " << (large ? "大修 " : "小修 ") << days
            << " 个工作日\n";
  if (d.counted_from != d.reported)
    std::cout << "counted from " << Human(d.counted_from)
              << ", the start of the next working day / 从下一个工作日上班时起算\n";
  for (const auto& day : d.skipped) std::cout << "skipped " << DayText(day) << "\n";
  for (std::size_t i = 0; i < d.counted.size(); ++i)
    std::cout << "working day " << (i + 1) << ": " << DayText(cal->Day(d.counted[i])) << "\n";
  if (d.assumed()) {
    const Text w = d.Warning();
    std::cout << "warning: " << w.en << "\n警告: " << w.zh << "\n";
  }
  return 0;
}

int Calendar(const Args& args) {
  auto cal = LoadCalendar(args);
  if (!cal.ok()) return Fail(cal.status());
  auto year_text = args.Option("year");
  if (!year_text) {
    std::cout << "years with data:";
    for (int y : cal->Years()) std::cout << " " << y;
    std::cout << "\n";
    return 0;
  }
  const auto probe = Date::Parse(*year_text + "-01-01");
  if (year_text->size() != 4 || !probe) return Fail("year: '" + *year_text + "' is not a year YYYY");
  const int year = probe->year;
  if (!cal->KnowsYear(year)) {
    std::cout << "no calendar data for " << year << ": working days are counted Monday to Friday\n"
              << "没有 " << year << " 年的工作日历数据: 按周一至周五计算工作日\n";
    return 1;
  }
  std::cout << year << ": Monday to Friday, except / 周一至周五, 以下除外\n";
  if (const std::string source = cal->SourceOf(year); !source.empty()) std::cout << "source: " << source << "\n";
  for (const auto& ex : cal->ExceptionsOf(year)) {
    std::string when = ex.from.ToString() + " " + calendar::WeekdayName(ex.from.Weekday()).en;
    if (ex.to != ex.from) when += " .. " + ex.to.ToString() + " " + calendar::WeekdayName(ex.to.Weekday()).en;
    std::cout << (ex.working ? "work " : "off  ") << when << "  " << ex.name.en << " / " << ex.name.zh << "\n";
  }
  int working = 0;
  for (Date d{year, 1, 1}; d.year == year; d = d.AddDays(1)) working += cal->IsWorkingDay(d) ? 1 : 0;
  std::cout << working << " working days / " << working << " 个工作日\n";
  return 0;
}

}  // namespace houqin::cli
