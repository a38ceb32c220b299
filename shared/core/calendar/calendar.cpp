#include "calendar/calendar.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/payload.h"

namespace houqin::calendar {

namespace {

using Json = nlohmann::json;

// A holiday block longer than this is a typing error (the longest, Spring Festival, is 9 days).
constexpr std::int64_t kMaxRangeDays = 31;

using payload::Bad;
using payload::Str;

Result<Date> DateField(const Json& entry, const char* key, const std::string& where) {
  const std::string text = Str(entry, key);
  auto d = Date::Parse(text);
  if (!d)
    return Bad(where + "." + key, where + ": '" + text + "' is not a date YYYY-MM-DD",
               where + ": “" + text + "”不是 YYYY-MM-DD 格式的日期");
  return *d;
}

Text NameOf(const Json& entry) {
  Text t{Str(entry, "name_en"), Str(entry, "name")};
  if (t.en.empty()) t.en = t.zh;
  if (t.zh.empty()) t.zh = t.en;
  return t;
}

}  // namespace

Text WeekdayName(int iso_weekday) {
  static const char* kEn[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char* kZh[] = {"周一", "周二", "周三", "周四", "周五", "周六", "周日"};
  const int i = std::clamp(iso_weekday, 1, 7) - 1;
  return {kEn[i], kZh[i]};
}

Text Deadline::Warning() const {
  if (assumed_years.empty()) return {};
  std::string list;
  for (int y : assumed_years) list += (list.empty() ? "" : ", ") + std::to_string(y);
  return {"no working-day calendar for " + list + ": counted Monday to Friday, public holidays unknown",
          list + " 年没有工作日历数据: 按周一至周五计算, 未计入法定节假日"};
}

Result<Calendar> Calendar::Parse(std::string_view text) {
  Json root = Json::parse(text, nullptr, false);
  if (root.is_discarded() || !root.is_object())
    return Bad("calendar", "the calendar file is not a JSON object", "工作日历文件不是 JSON 对象");
  if (auto it = root.find("format"); it == root.end() || !it->is_number_integer() || it->get<int>() != 1)
    return Bad("format", "unknown calendar format (expected \"format\": 1)", "未知的工作日历格式(应为 \"format\": 1)");
  Calendar cal;
  if (root.contains("workday_start")) {
    const std::string start = Str(root, "workday_start");
    auto t = LocalTime::Parse("2000-01-01T" + start);
    if (start.size() != 5 || !t)
      return Bad("workday_start", "workday_start must be HH:MM, not '" + start + "'",
                 "workday_start 应为 HH:MM, 而不是“" + start + "”");
    cal.workday_start_minute_ = t->minute_of_day;
  }
  auto years = root.find("years");
  if (years == root.end() || !years->is_object())
    return Bad("years", "the calendar has no \"years\" object", "工作日历缺少 \"years\"");
  for (const auto& [key, block] : years->items()) {
    int year = 0;
    if (key.size() != 4 || !Date::Parse(key + "-01-01")) return Bad("years", "'" + key + "' is not a year", "“" + key + "”不是年份");
    year = std::stoi(key);
    if (!block.is_object()) return Bad(key, "year " + key + " is not an object", key + " 年的数据不是对象");
    Year y;
    y.source = Str(block, "source");
    auto add = [&](Exception ex, const std::string& where) -> Status {
      if (ex.from.year != year || ex.to.year != year)
        return Bad(where, where + ": " + ex.from.ToString() + " is not in " + key,
                   where + ": " + ex.from.ToString() + " 不在 " + key + " 年内");
      if (ex.to < ex.from) return Bad(where, where + ": the range ends before it starts", where + ": 结束日期早于开始日期");
      if (ex.to.DaysSinceEpoch() - ex.from.DaysSinceEpoch() >= kMaxRangeDays)
        return Bad(where, where + ": a holiday of more than a month", where + ": 假期超过一个月");
      if (ex.working && !ex.from.IsWeekend())
        return Bad(where, where + ": " + ex.from.ToString() + " is a weekday; only a Saturday or Sunday can be a swapped working day",
                   where + ": " + ex.from.ToString() + " 是工作日, 只有周六或周日才能调休上班");
      const std::size_t index = y.exceptions.size();
      for (std::int64_t d = ex.from.DaysSinceEpoch(); d <= ex.to.DaysSinceEpoch(); ++d)
        if (!y.by_day.emplace(d, index).second)
          return Bad(where, where + ": " + Date::FromDaysSinceEpoch(d).ToString() + " is listed twice",
                     where + ": " + Date::FromDaysSinceEpoch(d).ToString() + " 重复出现");
      y.exceptions.push_back(std::move(ex));
      return Status::Ok();
    };
    if (auto off = block.find("off"); off != block.end()) {
      if (!off->is_array()) return Bad(key + ".off", "\"off\" must be a list", "\"off\" 应为列表");
      for (std::size_t i = 0; i < off->size(); ++i) {
        const Json& entry = (*off)[i];
        const std::string where = key + ".off[" + std::to_string(i) + "]";
        if (!entry.is_object()) return Bad(where, where + " is not an object", where + " 不是对象");
        auto from = DateField(entry, "from", where);
        if (!from.ok()) return from.status();
        Date to = *from;
        if (entry.contains("to")) {
          auto t = DateField(entry, "to", where);
          if (!t.ok()) return t.status();
          to = *t;
        }
        if (Status s = add({*from, to, false, NameOf(entry)}, where); !s.ok()) return s;
      }
    }
    if (auto work = block.find("work"); work != block.end()) {
      if (!work->is_array()) return Bad(key + ".work", "\"work\" must be a list", "\"work\" 应为列表");
      for (std::size_t i = 0; i < work->size(); ++i) {
        const Json& entry = (*work)[i];
        const std::string where = key + ".work[" + std::to_string(i) + "]";
        if (!entry.is_object()) return Bad(where, where + " is not an object", where + " 不是对象");
        auto date = DateField(entry, "date", where);
        if (!date.ok()) return date.status();
        if (Status s = add({*date, *date, true, NameOf(entry)}, where); !s.ok()) return s;
      }
    }
    std::sort(y.exceptions.begin(), y.exceptions.end(),
              [](const Exception& a, const Exception& b) { return a.from < b.from; });
    y.by_day.clear();
    for (std::size_t i = 0; i < y.exceptions.size(); ++i)
      for (std::int64_t d = y.exceptions[i].from.DaysSinceEpoch(); d <= y.exceptions[i].to.DaysSinceEpoch(); ++d)
        y.by_day[d] = i;
    cal.years_[year] = std::move(y);
  }
  return cal;
}

Result<Calendar> Calendar::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::NotFound("calendar", {"cannot read the calendar file " + path, "无法读取工作日历文件 " + path});
  std::ostringstream text;
  text << in.rdbuf();
  auto cal = Parse(text.str());
  if (!cal.ok()) {
    const Status& s = cal.status();
    return Status::Invalid(s.field(), {path + ": " + s.en(), path + ": " + s.zh()});
  }
  return cal;
}

std::string Calendar::ShippedPath() {
#ifdef HOUQIN_ASSETS_DIR
  return std::string(HOUQIN_ASSETS_DIR) + "/calendar/cn-workdays.json";
#else
  return "assets/calendar/cn-workdays.json";
#endif
}

Result<Calendar> Calendar::LoadOrShipped(const std::string& path) { return Load(path.empty() ? ShippedPath() : path); }

std::vector<int> Calendar::Years() const {
  std::vector<int> out;
  for (const auto& [y, data] : years_) out.push_back(y);
  return out;
}

DayInfo Calendar::Day(Date d) const {
  DayInfo info;
  info.date = d;
  info.kind = d.IsWeekend() ? DayKind::kWeekend : DayKind::kWeekday;
  info.working = !d.IsWeekend();
  auto y = years_.find(d.year);
  if (y == years_.end()) {
    info.known = false;
    return info;
  }
  auto it = y->second.by_day.find(d.DaysSinceEpoch());
  if (it == y->second.by_day.end()) return info;
  const Exception& ex = y->second.exceptions[it->second];
  info.working = ex.working;
  info.kind = ex.working ? DayKind::kSwappedWorkday : DayKind::kHoliday;
  info.name = ex.name;
  return info;
}

Date Calendar::NextWorkingDay(Date d) const {
  // Holidays are bounded (a month at most), so this ends quickly.
  do d = d.AddDays(1);
  while (!IsWorkingDay(d));
  return d;
}

Deadline Calendar::AddWorkingDays(LocalTime reported, int days) const {
  Deadline out;
  out.reported = reported;
  out.working_days = std::max(0, days);
  auto note_year = [&](const DayInfo& info) {
    if (!info.known && std::find(out.assumed_years.begin(), out.assumed_years.end(), info.date.year) ==
                           out.assumed_years.end())
      out.assumed_years.push_back(info.date.year);
  };
  Date d = reported.date;
  DayInfo info = Day(d);
  note_year(info);
  out.counted_from = reported;
  if (!info.working) {
    while (!info.working) {
      out.skipped.push_back(info);
      d = d.AddDays(1);
      info = Day(d);
      note_year(info);
    }
    out.counted_from = LocalTime{d, workday_start_minute_};
  }
  for (int i = 0; i < out.working_days; ++i) {
    d = d.AddDays(1);
    info = Day(d);
    note_year(info);
    while (!info.working) {
      out.skipped.push_back(info);
      d = d.AddDays(1);
      info = Day(d);
      note_year(info);
    }
    out.counted.push_back(d);
  }
  out.due = LocalTime{d, out.counted_from.minute_of_day};
  std::sort(out.assumed_years.begin(), out.assumed_years.end());
  return out;
}

std::vector<Exception> Calendar::ExceptionsOf(int year) const {
  auto y = years_.find(year);
  return y == years_.end() ? std::vector<Exception>{} : y->second.exceptions;
}

std::string Calendar::SourceOf(int year) const {
  auto y = years_.find(year);
  return y == years_.end() ? std::string() : y->second.source;
}

}  // namespace houqin::calendar
