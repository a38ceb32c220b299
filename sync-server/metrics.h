// Counters for GET /metrics in the Prometheus text format (version 0.0.4).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace houqin::server {

class Metrics {
 public:
  // `route` is a known path or "other", so that scanners cannot grow the label set.
  void CountRequest(std::string_view route, int status);
  void ObservePush(double latency_ms, std::size_t accepted, std::size_t refused, std::size_t duplicates);
  // Events a pull sent from the rendered-text cache, and those it read and rendered.
  void ObservePullEvents(std::size_t cached, std::size_t rendered) {
    pull_events_cached_ += cached;
    pull_events_rendered_ += rendered;
  }
  void SeenDevice(const std::string& device_id, std::int64_t now_ms);
  // Counts a long poll in unless `cap` are waiting already.
  bool TryStartWait(int cap) {
    int now = waits_.load();
    while (now < cap)
      if (waits_.compare_exchange_weak(now, now + 1)) return true;
    return false;
  }
  void WaitEnded() { --waits_; }
  int waits() const { return waits_.load(); }

  std::string Render(std::int64_t now_ms);

  // Upper bounds of the push latency histogram, milliseconds.
  static constexpr std::array<double, 12> kLatencyBucketsMs = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::unordered_map<std::string, std::int64_t> last_seen_;
  std::array<std::uint64_t, kLatencyBucketsMs.size()> latency_buckets_{};
  std::uint64_t latency_count_ = 0;
  double latency_sum_ms_ = 0;
  std::uint64_t pushes_ = 0, accepted_ = 0, refused_ = 0, duplicates_ = 0;
  std::atomic<int> waits_{0};
  std::atomic<std::uint64_t> pull_events_cached_{0}, pull_events_rendered_{0};
};

}  // namespace houqin::server
