// A TCP proxy on loopback that breaks connections on purpose, for the fault
// tests: between a sync client and the real server it drops, delays,
// truncates and resets connections at random points (TLS passes through
// untouched, so certificate pinning still holds end to end).
//
// Thread safety: Start/Stop from one thread; the fault mix may be changed
// at any time (atomics).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace houqin::testing {

struct FaultMix {
  // Per connection, chances in percent (the rest pass through cleanly).
  int drop_at_start = 0;   // accept, then close at once
  int truncate = 0;        // forward a random number of bytes, then close both sides
  int reset = 0;           // after a random number of bytes, RST (SO_LINGER 0)
  int delay = 0;           // hold each chunk 1..max_delay_ms
  int max_delay_ms = 50;
  // Per forwarded chunk of any connection, chance in per mille that it is cut
  // right there (half reset, half closed). The per-connection faults alone
  // stop once the client holds a clean kept-alive connection; this keeps
  // breaking long-lived connections too. Read live: SetMix ends it at once.
  int cut_per_chunk_permille = 0;
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:target_port.
  FaultProxy(int target_port, FaultMix mix, std::uint32_t seed);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  void SetMix(FaultMix mix);
  void SetTarget(int target_port) { target_port_ = target_port; }
  std::uint64_t connections() const { return connections_; }
  std::uint64_t faults() const { return faults_; }

 private:
  void AcceptLoop();
  void Serve(int client_fd, FaultMix mix, std::uint64_t budget, int fault);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> target_port_;
  std::atomic<int> cut_per_chunk_permille_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> connections_{0}, faults_{0};
  std::mutex mu_;
  FaultMix mix_;
  std::mt19937 rng_;
  std::thread acceptor_;
  std::atomic<int> active_{0};  // connection threads still running (detached)
  std::vector<int> open_fds_;
};

}  // namespace houqin::testing
