// Wall clocks and the hybrid logical clock (HLC) that stamps every event.
//
// An HLC stamp is one 64-bit number: the upper 48 bits are Unix milliseconds,
// the lower 16 a counter that orders events made within the same millisecond
// or while the wall clock stands still or goes backwards. Stamps made by one
// HybridClock strictly increase, and a clock that has observed a stamp issues
// only larger ones afterwards, so causally later events sort later everywhere.
//
// Wrong wall clocks. A device whose clock runs ahead would, through plain HLC,
// drag every clock it talks to into its future. Our rule (see MERGE-RULES.md):
// a remote stamp more than `max_forward_skew_ms` ahead of our wall clock is
// kept (the event is never lost and still sorts by its own stamp) but is not
// followed: our clock ignores it and keeps to its own time. The server refuses such
// pushes outright, so a skewed device learns of it at once.
//
// Thread safety: Clock implementations are safe from any thread; HybridClock
// is not (one owner, like the Store that holds it).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace houqin {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMs() const override;
  static const SystemClock& Instance();
};

// A clock tests set by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t ms = 1767225600000 /* 2026-01-01T00:00Z */) : ms_(ms) {}
  std::int64_t NowMs() const override { return ms_.load(); }
  void Set(std::int64_t ms) { ms_.store(ms); }
  void Advance(std::int64_t ms) { ms_.fetch_add(ms); }

 private:
  std::atomic<std::int64_t> ms_;
};

namespace hlc {
inline constexpr int kCounterBits = 16;
inline constexpr std::uint64_t kCounterMask = (1u << kCounterBits) - 1;
inline std::uint64_t Pack(std::int64_t ms, std::uint32_t counter) {
  return (static_cast<std::uint64_t>(ms) << kCounterBits) | (counter & kCounterMask);
}
inline std::int64_t WallMs(std::uint64_t stamp) { return static_cast<std::int64_t>(stamp >> kCounterBits); }
inline std::uint32_t Counter(std::uint64_t stamp) { return static_cast<std::uint32_t>(stamp & kCounterMask); }
// "2026-05-01T08:00:00.123Z+3" for logs and the CLI.
std::string Format(std::uint64_t stamp);
}  // namespace hlc

struct HlcOptions {
  // How far ahead of our wall clock a remote stamp may be before we stop following it.
  std::int64_t max_forward_skew_ms = 5 * 60 * 1000;
};

class HybridClock {
 public:
  HybridClock(const Clock& wall, HlcOptions options, std::uint64_t last = 0)
      : wall_(&wall), options_(options), last_(last) {}

  // A stamp for a new local event: larger than every stamp issued or observed.
  std::uint64_t Tick();
  // Takes a remote stamp into account. Returns false when the stamp was beyond
  // the skew bound and was therefore not followed.
  bool Observe(std::uint64_t remote);
  std::uint64_t last() const { return last_; }
  // Puts the clock back, when the events it stamped were not stored.
  void Reset(std::uint64_t last) { last_ = last; }
  const HlcOptions& options() const { return options_; }

 private:
  const Clock* wall_;
  HlcOptions options_;
  std::uint64_t last_;
};

}  // namespace houqin
