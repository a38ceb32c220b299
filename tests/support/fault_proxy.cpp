#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace houqin::testing {

namespace {

enum Fault { kNone, kDropAtStart, kTruncate, kReset, kDelay };

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void ResetClose(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

FaultProxy::FaultProxy(int target_port, FaultMix mix, std::uint32_t seed)
    : target_port_(target_port), cut_per_chunk_permille_(mix.cut_per_chunk_permille), mix_(mix), rng_(seed) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 256) != 0)
    throw std::runtime_error("fault proxy: cannot listen");
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  // Closed only after the acceptor is gone: a number closed under its poll() could be reused by a new socket.
  acceptor_.join();
  ::close(listen_fd_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  // Connection threads are detached; each ends once its sockets are shut down.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (active_ > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void FaultProxy::SetMix(FaultMix mix) {
  std::lock_guard<std::mutex> lock(mu_);
  mix_ = mix;
  cut_per_chunk_permille_ = mix.cut_per_chunk_permille;
}

void FaultProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    ++connections_;
    FaultMix mix;
    int fault = kNone;
    std::uint64_t budget = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      mix = mix_;
      int roll = static_cast<int>(rng_() % 100);
      auto pick = [&](int chance, Fault f) {
        if (fault == kNone && roll < chance) fault = f;
        roll -= chance;
      };
      pick(mix.drop_at_start, kDropAtStart);
      pick(mix.truncate, kTruncate);
      pick(mix.reset, kReset);
      pick(mix.delay, kDelay);
      // Cut somewhere in the handshake, a request or a response.
      budget = 1 + rng_() % 20000;
      open_fds_.push_back(client);
    }
    if (fault != kNone && fault != kDelay) ++faults_;
    ++active_;
    std::thread([this, client, mix, budget, fault] {
      Serve(client, mix, budget, fault);
      --active_;
    }).detach();
  }
}

void FaultProxy::Serve(int client, FaultMix mix, std::uint64_t budget, int fault) {
  auto forget = [&](int fd) {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase(open_fds_, fd);
  };
  if (fault == kDropAtStart) {
    forget(client);
    ::close(client);
    return;
  }
  int upstream = ConnectLoopback(target_port_);
  if (upstream < 0) {
    forget(client);
    ResetClose(client);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.push_back(upstream);
  }
  std::mt19937 rng(static_cast<std::uint32_t>(budget));
  std::uint64_t moved = 0;
  char buf[16384];
  pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  bool done = false;
  while (!done && !stopping_) {
    if (::poll(fds, 2, 200) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && !done; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        done = true;
        break;
      }
      std::size_t send = static_cast<std::size_t>(n);
      if ((fault == kTruncate || fault == kReset) && moved + send >= budget) {
        send = static_cast<std::size_t>(budget - moved);
        done = true;
      }
      if (!done && static_cast<int>(rng() % 1000) < cut_per_chunk_permille_.load()) {
        send = static_cast<std::size_t>(rng() % (static_cast<std::size_t>(n) + 1));
        fault = rng() % 2 ? kReset : kTruncate;
        ++faults_;
        done = true;
      }
      if (fault == kDelay)
        std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % std::max(1, mix.max_delay_ms)));
      const int to = fds[1 - i].fd;
      std::size_t off = 0;
      while (off < send) {
        // MSG_NOSIGNAL: a peer that hung up must end this connection, not the test process (SIGPIPE).
        ssize_t w = ::send(to, buf + off, send - off, MSG_NOSIGNAL);
        if (w <= 0) {
          done = true;
          break;
        }
        off += static_cast<std::size_t>(w);
      }
      moved += send;
    }
  }
  forget(client);
  forget(upstream);
  if (fault == kReset) {
    ResetClose(client);
    ResetClose(upstream);
  } else {
    ::close(client);
    ::close(upstream);
  }
}

}  // namespace houqin::testing
