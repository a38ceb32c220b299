#include "metrics.h"

#include <sstream>

namespace houqin::server {
namespace {
constexpr std::int64_t kConnectedWindowMs = 5 * 60 * 1000;
}

void Metrics::CountRequest(std::string_view route, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), status}];
}

void Metrics::ObservePush(double latency_ms, std::size_t accepted, std::size_t refused, std::size_t duplicates) {
  std::lock_guard lock(mutex_);
  ++pushes_;
  accepted_ += accepted;
  refused_ += refused;
  duplicates_ += duplicates;
  ++latency_count_;
  latency_sum_ms_ += latency_ms;
  for (std::size_t i = 0; i < kLatencyBucketsMs.size(); ++i)
    if (latency_ms <= kLatencyBucketsMs[i]) ++latency_buckets_[i];
}

void Metrics::SeenDevice(const std::string& device_id, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  last_seen_[device_id] = now_ms;
}

std::string Metrics::Render(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP houqin_requests_total HTTP requests by route and status.\n"
         "# TYPE houqin_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out << "houqin_requests_total{path=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  out << "# HELP houqin_pushes_total Push batches committed.\n# TYPE houqin_pushes_total counter\n"
      << "houqin_pushes_total " << pushes_ << "\n"
      << "# HELP houqin_events_accepted_total Pushed events stored and allowed.\n"
         "# TYPE houqin_events_accepted_total counter\n"
      << "houqin_events_accepted_total " << accepted_ << "\n"
      << "# HELP houqin_events_refused_total Pushed events stored with a server refusal.\n"
         "# TYPE houqin_events_refused_total counter\n"
      << "houqin_events_refused_total " << refused_ << "\n"
      << "# HELP houqin_events_duplicate_total Pushed events already held (acknowledged, not stored again).\n"
         "# TYPE houqin_events_duplicate_total counter\n"
      << "houqin_events_duplicate_total " << duplicates_ << "\n"
      << "# HELP houqin_pull_events_total Events sent in pulls, by whether their text was cached or rendered.\n"
         "# TYPE houqin_pull_events_total counter\n"
      << "houqin_pull_events_total{source=\"cache\"} " << pull_events_cached_.load() << "\n"
      << "houqin_pull_events_total{source=\"rendered\"} " << pull_events_rendered_.load() << "\n";
  std::size_t connected = 0;
  for (auto it = last_seen_.begin(); it != last_seen_.end();) {
    if (now_ms - it->second > kConnectedWindowMs) {
      it = last_seen_.erase(it);
    } else {
      ++connected;
      ++it;
    }
  }
  out << "# HELP houqin_devices_connected Devices seen in the last 5 minutes.\n"
         "# TYPE houqin_devices_connected gauge\n"
      << "houqin_devices_connected " << connected << "\n"
      << "# HELP houqin_waits_in_progress Long polls waiting now.\n# TYPE houqin_waits_in_progress gauge\n"
      << "houqin_waits_in_progress " << waits_.load() << "\n"
      << "# HELP houqin_push_latency_ms Push latency from receipt to durable acknowledgement.\n"
         "# TYPE houqin_push_latency_ms histogram\n";
  for (std::size_t i = 0; i < kLatencyBucketsMs.size(); ++i)
    out << "houqin_push_latency_ms_bucket{le=\"" << kLatencyBucketsMs[i] << "\"} " << latency_buckets_[i] << "\n";
  out << "houqin_push_latency_ms_bucket{le=\"+Inf\"} " << latency_count_ << "\n"
      << "houqin_push_latency_ms_sum " << latency_sum_ms_ << "\n"
      << "houqin_push_latency_ms_count " << latency_count_ << "\n";
  return out.str();
}

}  // namespace houqin::server
