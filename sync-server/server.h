// The sync server: HTTPS endpoints over cpp-httplib, one writer thread that
// owns the Store (writer.h), the delivery index that scopes pulls
// (deliveries.h) and the registry of devices (registry.h).
//
//   POST /v1/enroll   one-time code -> device id, token, server fingerprint
//   POST /v1/login    a user signs in on an enrolled phone
//   POST /v1/push     a batch of events, idempotent by event id, durable before the ack
//   GET  /v1/pull     the device's scopes after a cursor, in pages, long poll up to 30 s
//   GET  /healthz     readiness
//   GET  /metrics     Prometheus text
// Shapes and codes: /work/notes/sync-server.md (PROTOCOL.md).
//
// Threads: cpp-httplib serves each connection on a pool thread; the pool has
// room for max_waits long polls plus `workers` threads that are never taken by
// a wait, so waiting polls cannot starve pushes. A poll past max_waits gets
// 503 too_many_waits at once.
//
// Thread safety: Start/Wait from one thread; Stop from any thread (not from a signal handler).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "engine/fold.h"
#include "event_text_cache.h"
#include "metrics.h"
#include "util/status.h"
#include "writer.h"

namespace httplib {
class Server;
}

namespace houqin::server {

struct ServerOptions {
  std::string data_dir;
  std::string listen_host = "0.0.0.0";
  int listen_port = 8443;  // 0: the OS picks; the port is written to DATA/port
  bool plain_http = false;  // development only
  int workers = 32;         // pool threads beyond the long-poll cap
  int max_waits = 256;      // concurrent long polls
  int auth_attempts_per_minute = 10;  // enroll and login, per client address
  bool log_requests = true;
  int keep_alive_seconds = 3;
  int event_cache_mb = 64;  // recent events' pull text, shared by every device that pulls them
};

// Reads DATA/server.json when present: {"listen": "HOST:PORT", "workers": N,
// "max_waits": N, "auth_attempts_per_minute": N, "keep_alive_seconds": N,
// "event_cache_mb": N, "log_requests": bool}.
Status ApplyConfigFile(ServerOptions& options);
// "HOST:PORT" -> host and port; false when malformed.
bool ParseListen(const std::string& text, std::string* host, int* port);

class SyncServer {
 public:
  explicit SyncServer(ServerOptions options);
  ~SyncServer();
  SyncServer(const SyncServer&) = delete;
  SyncServer& operator=(const SyncServer&) = delete;

  // Certificate, database, writer; binds and starts serving on a thread.
  Status Start();
  // Stops accepting, wakes long polls; Wait() then finishes the rest.
  void Stop();
  // Returns when stopped: in-flight requests done, writer drained, WAL checkpointed.
  Status Wait();

  int port() const { return port_; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  struct Handlers;
  ServerOptions options_;
  std::string db_path_;
  std::string fingerprint_;
  int port_ = 0;
  std::unique_ptr<Domain> domain_;
  Notifier notifier_;
  DirectorySnapshot directory_;
  Metrics metrics_;
  std::unique_ptr<EventTextCache> event_texts_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<Handlers> handlers_;
  std::thread listener_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listen_failed_{false};
};

}  // namespace houqin::server
