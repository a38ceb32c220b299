#include "engine/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace houqin {

std::int64_t SystemClock::NowMs() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

namespace hlc {
std::string Format(std::uint64_t stamp) {
  const std::int64_t ms = WallMs(stamp);
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ+%u", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000), Counter(stamp));
  return buf;
}
}  // namespace hlc

std::uint64_t HybridClock::Tick() {
  const std::uint64_t now = hlc::Pack(wall_->NowMs(), 0);
  // Either the wall clock moved past us (counter restarts) or we count on;
  // counter overflow carries into the millisecond, which keeps stamps unique.
  last_ = now > last_ ? now : last_ + 1;
  return last_;
}

bool HybridClock::Observe(std::uint64_t remote) {
  const std::uint64_t bound = hlc::Pack(wall_->NowMs() + options_.max_forward_skew_ms, 0);
  if (remote > bound) return false;
  if (remote > last_) last_ = remote;
  return true;
}

}  // namespace houqin
