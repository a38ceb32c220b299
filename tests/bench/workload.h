// Workloads the benchmarks share: a compound's car traffic as the cars area writes it.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "engine/store.h"
#include "util/civil_time.h"
#include "util/uuid.h"

namespace houqin::bench {

// The life of one car request as the cars area writes it: a request, its
// approval, a trip dispatched for it (and the request marked dispatched), the
// trip started and ended. Six events per request; 40 cars, 12 departments.
inline std::vector<AuthoredDraft> CarWorkload(std::size_t n) {
  std::vector<AuthoredDraft> out;
  out.reserve(n);
  static const char* kPlaces[] = {"市政府", "区人民法院", "机场T2航站楼", "高铁南站", "市档案馆", "开发区管委会"};
  static const char* kPurposes[] = {"参加全市安全生产工作会议", "接送来访代表团", "赴区县调研", "递送机要文件"};
  for (std::size_t i = 0; out.size() < n; ++i) {
    const std::string req = NewUuidV7(1767225600000 + static_cast<std::int64_t>(i));
    const std::string trip = NewUuidV7(1767225600000 + static_cast<std::int64_t>(i));
    const std::string car = "car-" + std::to_string(i % 40);
    // Each car makes five trips a day, two hours apart, so days advance with the
    // history as they do in a real fleet (1M events is about two years).
    const Date day = Date{2026, 1, 1}.AddDays(static_cast<std::int64_t>(i / 200));
    const int hour = static_cast<int>(8 + 2 * ((i / 40) % 5));
    char start[32], end[32];
    std::snprintf(start, sizeof start, "%sT%02d:00", day.ToString().c_str(), hour);
    std::snprintf(end, sizeof end, "%sT%02d:50", day.ToString().c_str(), hour);
    const std::string dept = "d" + std::to_string(i % 12);
    const Author requester{"u" + std::to_string(i % 300), "staff", ""};
    const Author approver{"lead-" + dept, "approver", ""};
    const Author dispatcher{"captain", "dispatcher", ""};
    const Author driver{"drv-" + std::to_string(i % 40), "driver", ""};
    out.push_back({requester, {"car_request", req, "request.submitted",
                   {{"department", dept}, {"kind", "ordinary"}, {"passengers", 1 + i % 4}, {"departure", start},
                    {"return_time", end}, {"origin", "机关大院"}, {"destination", kPlaces[i % 6]},
                    {"purpose", kPurposes[i % 4]}, {"estimated_km", 8 + i % 30}, {"work_required", false},
                    {"at", "2026-04-30T17:00"}}}});
    out.push_back({approver, {"car_request", req, "request.approved", {{"note", "同意"}, {"at", "2026-04-30T18:00"}}}});
    out.push_back({dispatcher, {"trip", trip, "trip.dispatched",
                   {{"car", car}, {"driver", "drv-" + std::to_string(i % 40)}, {"start", start}, {"end", end},
                    {"work_required", false}, {"requests", {{{"id", req}, {"seated", 1 + i % 4}}}}}}});
    out.push_back({dispatcher, {"car_request", req, "request.dispatched", {{"trip", trip}, {"seated", 1 + i % 4}}}});
    out.push_back({driver, {"trip", trip, "trip.started", {{"odometer_start", 10000 + i * 20}, {"at", start}}}});
    out.push_back({driver, {"trip", trip, "trip.ended", {{"odometer_end", 10000 + i * 20 + 18}, {"at", end}}}});
  }
  out.resize(n);
  return out;
}

}  // namespace houqin::bench
