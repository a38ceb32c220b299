// The working-day calendar (calendar/calendar.h) on the shipped 2025/2026 data:
// holiday edges, swapped working weekend days, reports on non-working days,
// years without data, and the loader's refusals.
#include <gtest/gtest.h>

#include <fstream>

#include "calendar/calendar.h"
#include "test_support.h"

namespace houqin::calendar {
namespace {

LocalTime T(const char* text) {
  auto t = LocalTime::Parse(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(LocalTime{});
}
Date D(const char* text) {
  auto d = Date::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Date{});
}

const Calendar& Shipped() {
  static const Calendar cal = [] {
    auto c = Calendar::LoadOrShipped("");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : Calendar{};
  }();
  return cal;
}

std::vector<std::string> Dates(const std::vector<DayInfo>& days) {
  std::vector<std::string> out;
  for (const auto& d : days) out.push_back(d.date.ToString());
  return out;
}

void ExpectInvalid(const std::string& json, const std::string& field) {
  auto c = Calendar::Parse(json);
  ASSERT_FALSE(c.ok()) << "expected a refusal naming " << field;
  EXPECT_EQ(c.status().field(), field) << c.status().ToString();
  EXPECT_FALSE(c.status().en().empty());
  EXPECT_FALSE(c.status().zh().empty());
}

// ---------------------------------------------------------------------------
// The shipped data

TEST(CalendarData, KnowsTheShippedYearsOnly) {
  const Calendar& cal = Shipped();
  EXPECT_TRUE(cal.KnowsYear(2025));
  EXPECT_TRUE(cal.KnowsYear(2026));
  EXPECT_FALSE(cal.KnowsYear(2024));
  EXPECT_FALSE(cal.KnowsYear(2027));
  EXPECT_EQ(cal.Years(), (std::vector<int>{2025, 2026}));
  EXPECT_EQ(cal.workday_start_minute(), 8 * 60 + 30);
  EXPECT_FALSE(cal.SourceOf(2026).empty());
}

TEST(CalendarData, HolidaysAndSwappedWorkingDaysOf2025) {
  const Calendar& cal = Shipped();
  for (const char* off : {"2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-05-05", "2025-05-31",
                          "2025-06-02", "2025-10-01", "2025-10-08"})
    EXPECT_FALSE(cal.IsWorkingDay(D(off))) << off;
  for (const char* work : {"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"}) {
    EXPECT_TRUE(cal.IsWorkingDay(D(work))) << work;
    EXPECT_TRUE(D(work).IsWeekend()) << work;
    EXPECT_EQ(cal.Day(D(work)).kind, DayKind::kSwappedWorkday) << work;
  }
  // The days around them are ordinary.
  EXPECT_TRUE(cal.IsWorkingDay(D("2025-01-27")));
  EXPECT_TRUE(cal.IsWorkingDay(D("2025-02-05")));
  EXPECT_TRUE(cal.IsWorkingDay(D("2025-10-09")));
  EXPECT_FALSE(cal.IsWorkingDay(D("2025-10-12")));  // Sunday
  EXPECT_EQ(cal.Day(D("2025-01-30")).kind, DayKind::kHoliday);
  EXPECT_EQ(cal.Day(D("2025-01-30")).name.zh, "春节");
  EXPECT_EQ(cal.Day(D("2025-01-30")).name.en, "Spring Festival");
}

TEST(CalendarData, HolidaysAndSwappedWorkingDaysOf2026) {
  const Calendar& cal = Shipped();
  for (const char* off : {"2026-01-01", "2026-01-02", "2026-02-16", "2026-02-23", "2026-04-06", "2026-05-04",
                          "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-07"})
    EXPECT_FALSE(cal.IsWorkingDay(D(off))) << off;
  for (const char* work : {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"})
    EXPECT_TRUE(cal.IsWorkingDay(D(work))) << work;
  EXPECT_TRUE(cal.IsWorkingDay(D("2026-10-08")));
  EXPECT_TRUE(cal.IsWorkingDay(D("2026-02-24")));
  EXPECT_FALSE(cal.IsWorkingDay(D("2026-03-07")));  // an ordinary Saturday
  EXPECT_EQ(cal.Day(D("2026-03-07")).kind, DayKind::kWeekend);
  EXPECT_EQ(cal.Day(D("2026-03-09")).kind, DayKind::kWeekday);
}

TEST(CalendarData, EachShippedYearHas248WorkingDays) {
  const Calendar& cal = Shipped();
  for (int year : {2025, 2026}) {
    int working = 0;
    for (Date d{year, 1, 1}; d.year == year; d = d.AddDays(1)) working += cal.IsWorkingDay(d) ? 1 : 0;
    EXPECT_EQ(working, 248) << year;
  }
  EXPECT_EQ(cal.ExceptionsOf(2025).size(), 11u);  // 6 holidays + 5 swapped days
  EXPECT_EQ(cal.ExceptionsOf(2026).size(), 13u);  // 7 holidays + 6 swapped days
  EXPECT_TRUE(cal.ExceptionsOf(2027).empty());
  const auto ex = cal.ExceptionsOf(2026);
  EXPECT_EQ(ex.front().from, D("2026-01-01"));
  EXPECT_EQ(ex.front().to, D("2026-01-03"));
  EXPECT_FALSE(ex.front().working);
  EXPECT_EQ(ex.back().from, D("2026-10-10"));
  EXPECT_TRUE(ex.back().working);
  for (std::size_t i = 1; i < ex.size(); ++i) EXPECT_LT(ex[i - 1].from, ex[i].from);
}

// ---------------------------------------------------------------------------
// Deadlines on the holiday edges

TEST(CalendarDeadline, AnOrdinaryWeekKeepsTheTimeOfDay) {
  const Calendar& cal = Shipped();
  auto small = cal.AddWorkingDays(T("2026-03-09T10:15"), 1);  // Monday
  EXPECT_EQ(small.due, T("2026-03-10T10:15"));
  EXPECT_EQ(small.counted_from, T("2026-03-09T10:15"));
  EXPECT_TRUE(small.skipped.empty());
  EXPECT_FALSE(small.assumed());
  EXPECT_TRUE(small.Warning().en.empty());
  auto large = cal.AddWorkingDays(T("2026-03-11T16:00"), 3);  // Wednesday: Thu, Fri, Mon
  EXPECT_EQ(large.due, T("2026-03-16T16:00"));
  EXPECT_EQ(Dates(large.skipped), (std::vector<std::string>{"2026-03-14", "2026-03-15"}));
  EXPECT_EQ(large.counted.size(), 3u);
  // A late report on a working day counts from its own minute.
  EXPECT_EQ(cal.AddWorkingDays(T("2026-03-13T23:30"), 1).due, T("2026-03-16T23:30"));
}

TEST(CalendarDeadline, NationalDay2026AndItsSaturdayWorkingDay) {
  const Calendar& cal = Shipped();
  auto small = cal.AddWorkingDays(T("2026-09-30T17:00"), 1);
  EXPECT_EQ(small.due, T("2026-10-08T17:00"));
  EXPECT_EQ(small.skipped.size(), 7u);  // Oct 1–7, weekend included
  EXPECT_EQ(small.skipped.front().kind, DayKind::kHoliday);
  EXPECT_EQ(small.skipped.front().name.zh, "国庆节");
  auto large = cal.AddWorkingDays(T("2026-09-30T17:00"), 3);
  EXPECT_EQ(large.due, T("2026-10-10T17:00"));  // Oct 8, Oct 9, Saturday Oct 10
  EXPECT_EQ(large.counted,
            (std::vector<Date>{D("2026-10-08"), D("2026-10-09"), D("2026-10-10")}));
  // A Friday before the swapped Sunday of September 20.
  EXPECT_EQ(cal.AddWorkingDays(T("2026-09-18T10:00"), 1).due, T("2026-09-20T10:00"));
  // Mid-Autumn (Sep 25–27) right after.
  EXPECT_EQ(cal.AddWorkingDays(T("2026-09-24T09:00"), 1).due, T("2026-09-28T09:00"));
}

TEST(CalendarDeadline, ReportedOnAHolidayCountsFromTheNextWorkingMorning) {
  const Calendar& cal = Shipped();
  auto d = cal.AddWorkingDays(T("2026-10-02T09:00"), 3);  // a Friday inside National Day
  EXPECT_EQ(d.counted_from, T("2026-10-08T08:30"));
  EXPECT_EQ(d.due, T("2026-10-12T08:30"));  // Oct 9, Sat Oct 10, Mon Oct 12
  EXPECT_EQ(Dates(d.skipped), (std::vector<std::string>{"2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
                                                        "2026-10-06", "2026-10-07", "2026-10-11"}));
}

TEST(CalendarDeadline, SpringFestival2025) {
  const Calendar& cal = Shipped();
  // Monday 27 January, the last working day before the holiday.
  EXPECT_EQ(cal.AddWorkingDays(T("2025-01-27T16:00"), 1).due, T("2025-02-05T16:00"));
  EXPECT_EQ(cal.AddWorkingDays(T("2025-01-27T16:00"), 3).due, T("2025-02-07T16:00"));
  EXPECT_EQ(cal.AddWorkingDays(T("2025-01-27T16:00"), 1).skipped.size(), 8u);
  // The swapped Sunday before is a working day: the report keeps its time.
  auto sunday = cal.AddWorkingDays(T("2025-01-26T10:00"), 1);
  EXPECT_EQ(sunday.counted_from, T("2025-01-26T10:00"));
  EXPECT_EQ(sunday.due, T("2025-01-27T10:00"));
  // The swapped Saturday after counts as a working day.
  EXPECT_EQ(cal.AddWorkingDays(T("2025-02-06T09:00"), 3).due, T("2025-02-10T09:00"));
}

TEST(CalendarDeadline, SpringFestival2026) {
  const Calendar& cal = Shipped();
  // Friday 13 February: Saturday the 14th is a working day, then nine days off.
  EXPECT_EQ(cal.AddWorkingDays(T("2026-02-13T15:00"), 1).due, T("2026-02-14T15:00"));
  EXPECT_EQ(cal.AddWorkingDays(T("2026-02-13T15:00"), 3).due, T("2026-02-25T15:00"));
  // Reported on the working Saturday itself.
  auto sat = cal.AddWorkingDays(T("2026-02-14T11:00"), 1);
  EXPECT_EQ(sat.counted_from, T("2026-02-14T11:00"));
  EXPECT_EQ(sat.due, T("2026-02-24T11:00"));
  EXPECT_EQ(sat.skipped.size(), 9u);
  // Reported on the last Sunday of the holiday.
  auto sun = cal.AddWorkingDays(T("2026-02-22T10:00"), 1);
  EXPECT_EQ(sun.counted_from, T("2026-02-24T08:30"));
  EXPECT_EQ(sun.due, T("2026-02-25T08:30"));
  // The second swapped Saturday, 28 February.
  EXPECT_EQ(cal.AddWorkingDays(T("2026-02-27T09:00"), 1).due, T("2026-02-28T09:00"));
}

TEST(CalendarDeadline, ASundayReportCountsFromMondayMorning) {
  const Calendar& cal = Shipped();
  auto small = cal.AddWorkingDays(T("2026-03-08T20:00"), 1);
  EXPECT_EQ(small.counted_from, T("2026-03-09T08:30"));
  EXPECT_EQ(small.due, T("2026-03-10T08:30"));
  EXPECT_EQ(Dates(small.skipped), (std::vector<std::string>{"2026-03-08"}));
  EXPECT_EQ(cal.AddWorkingDays(T("2026-03-08T20:00"), 3).due, T("2026-03-12T08:30"));
  // Zero days: due when the clock starts.
  EXPECT_EQ(cal.AddWorkingDays(T("2026-03-08T20:00"), 0).due, T("2026-03-09T08:30"));
  EXPECT_EQ(cal.AddWorkingDays(T("2026-03-09T20:00"), 0).due, T("2026-03-09T20:00"));
}

TEST(CalendarDeadline, AYearWithoutDataCountsMondayToFridayAndSaysSo) {
  const Calendar& cal = Shipped();
  // 1 January 2027 is a Friday; without data it is an ordinary working day.
  auto d = cal.AddWorkingDays(T("2027-01-01T10:00"), 1);
  EXPECT_EQ(d.due, T("2027-01-04T10:00"));
  EXPECT_TRUE(d.assumed());
  EXPECT_EQ(d.assumed_years, (std::vector<int>{2027}));
  EXPECT_NE(d.Warning().en.find("2027"), std::string::npos);
  EXPECT_NE(d.Warning().zh.find("2027"), std::string::npos);
  EXPECT_FALSE(cal.Day(D("2027-01-01")).known);
  // Crossing from a known year into an unknown one warns too.
  auto cross = cal.AddWorkingDays(T("2026-12-31T16:00"), 3);
  EXPECT_EQ(cross.due, T("2027-01-05T16:00"));
  EXPECT_EQ(cross.assumed_years, (std::vector<int>{2027}));
  // An empty calendar knows nothing and warns on every answer.
  Calendar none;
  auto plain = none.AddWorkingDays(T("2026-10-01T09:00"), 1);
  EXPECT_EQ(plain.due, T("2026-10-02T09:00"));
  EXPECT_TRUE(plain.assumed());
}

// ---------------------------------------------------------------------------
// Loading

TEST(CalendarLoad, AWorkdayStartAndANewYearFromAFile) {
  testing::TempDir dir;
  const std::string path = dir.File("cal.json");
  std::ofstream(path) << R"({"format": 1, "workday_start": "09:00", "years": {"2027": {
      "off": [{"from": "2027-01-01", "name": "元旦"}],
      "work": [{"date": "2027-01-02", "name_en": "swap"}]}}})";
  auto cal = Calendar::Load(path);
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  EXPECT_TRUE(cal->KnowsYear(2027));
  EXPECT_FALSE(cal->IsWorkingDay(D("2027-01-01")));
  EXPECT_TRUE(cal->IsWorkingDay(D("2027-01-02")));
  EXPECT_EQ(cal->Day(D("2027-01-01")).name.en, "元旦");  // one language given: shown in both
  EXPECT_EQ(cal->Day(D("2027-01-02")).name.zh, "swap");
  auto d = cal->AddWorkingDays(T("2027-01-01T12:00"), 1);
  EXPECT_EQ(d.counted_from, T("2027-01-02T09:00"));
  EXPECT_EQ(d.due, T("2027-01-04T09:00"));
  EXPECT_FALSE(d.assumed());
}

TEST(CalendarLoad, RefusesBrokenData) {
  auto missing = Calendar::Load("/nonexistent/houqin/cal.json");
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_EQ(missing.status().field(), "calendar");
  ExpectInvalid("not json", "calendar");
  ExpectInvalid(R"({"format": 2, "years": {}})", "format");
  ExpectInvalid(R"({"format": 1})", "years");
  ExpectInvalid(R"({"format": 1, "workday_start": "8:30", "years": {}})", "workday_start");
  ExpectInvalid(R"({"format": 1, "years": {"20x7": {}}})", "years");
  // A swapped working day must be a weekend day: 2027-01-04 is a Monday.
  ExpectInvalid(R"({"format": 1, "years": {"2027": {"work": [{"date": "2027-01-04"}]}}})", "2027.work[0]");
  ExpectInvalid(R"({"format": 1, "years": {"2027": {"off": [{"from": "2026-12-31"}]}}})", "2027.off[0]");
  ExpectInvalid(R"({"format": 1, "years": {"2027": {"off": [{"from": "2027-02-30"}]}}})", "2027.off[0].from");
  ExpectInvalid(R"({"format": 1, "years": {"2027": {"off": [{"from": "2027-02-03", "to": "2027-02-01"}]}}})",
                "2027.off[0]");
  ExpectInvalid(R"({"format": 1, "years": {"2027": {"off": [{"from": "2027-01-01", "to": "2027-03-01"}]}}})",
                "2027.off[0]");
  // A day both off and worked.
  ExpectInvalid(R"({"format": 1, "years": {"2027": {"off": [{"from": "2027-01-01", "to": "2027-01-03"}],
                                                    "work": [{"date": "2027-01-02"}]}}})",
                "2027.work[0]");
}

TEST(CalendarLoad, WeekdayNames) {
  EXPECT_EQ(WeekdayName(1).en, "Mon");
  EXPECT_EQ(WeekdayName(7).zh, "周日");
}

}  // namespace
}  // namespace houqin::calendar
