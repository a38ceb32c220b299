// A real houqin-server process for integration tests: started on a free
// loopback port in its own data directory, reached over HTTPS with the
// certificate pinned, killed or stopped like in production.
//
// Also the small pieces every integration test needs: a blocking HTTP request
// with the pin, seeding the directory (users, departments, passwords) the way
// the admin tool does, and enrolling / signing in a device.
//
// Needs HOUQIN_SERVER_BIN (compile definition). Thread safety: a
// ServerProcess belongs to one test thread; Request() and HttpRequest() may
// run on many threads at once.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/event.h"
#include "engine/store.h"
#include "test_support.h"

namespace houqin::testing {

struct HttpResponse {
  long status = 0;           // 0 when no response came (then `error` says why)
  std::string body;
  std::string error;         // libcurl's error text
  Json json() const;         // the body parsed; null when it is not JSON
  // The "error"."code" of an error body, "" when none.
  std::string error_code() const;
};

struct HttpOptions {
  std::string bearer_token;
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{40000};
  bool verify_pin = true;    // false only for readiness probes
};

// One blocking request to `base_url` + `path` with the certificate pinned to
// `fingerprint` (any notation). `body` is sent as is (tests send malformed bodies).
HttpResponse HttpRequest(const std::string& base_url, const std::string& fingerprint, const std::string& method,
                         const std::string& path, const std::string& body = {}, const HttpOptions& options = {});

class ServerProcess {
 public:
  struct Options {
    std::string data_dir;                // empty: a fresh temp dir owned by this object
    std::vector<std::string> extra_args; // e.g. {"--max-waits", "8"}
    bool plain_http = false;
  };

  ServerProcess();
  explicit ServerProcess(Options options);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits (bounded) until /healthz answers 200. "" on
  // success, else what went wrong with the tail of the server's log.
  std::string Start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM and wait for exit; returns the exit status (-1 when it had to be killed or was not running).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void Kill9();
  std::string Restart();
  bool running() const { return pid_ > 0; }

  std::string base_url() const;
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string db_path() const { return data_dir_ + "/houqin.db"; }
  std::string log_path() const { return data_dir_ + "/server.log"; }
  std::string LogTail(std::size_t bytes = 4000) const;
  pid_t pid() const { return pid_; }
  int port() const { return port_; }

  HttpResponse Request(const std::string& method, const std::string& path, const std::string& body = {},
                       const std::string& bearer_token = {}) const;
  HttpResponse Request(const std::string& method, const std::string& path, const std::string& body,
                       const HttpOptions& options) const;

 private:
  Options options_;
  std::unique_ptr<TempDir> owned_dir_;
  std::string data_dir_;
  std::string fingerprint_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// --- Seeding, as `houqin admin` would (events authored by "admin"; safe while the server runs: WAL) ---

struct SeedUser {
  std::string id;
  std::string name;
  std::string department;
  std::vector<std::string> roles;
  std::string password;  // empty: none set
  std::string site;      // optional "site" field of the user record
};
struct SeedDepartment {
  std::string id;
  std::string name;
  std::vector<std::string> approvers;
};
// Appends the departments and users to DATA/houqin.db and sets the passwords.
// "" on success, else the error.
std::string SeedDirectory(const std::string& data_dir, const std::vector<SeedDepartment>& departments,
                          const std::vector<SeedUser>& users);
// Appends drafts authored by {user "admin", role "admin"} (cars, site config...). "" or the error.
std::string SeedAsAdmin(const std::string& data_dir, const std::vector<Draft>& drafts);

// A one-time code made directly in the registry ("" and *error set on failure).
std::string MakeEnrollmentCode(const std::string& data_dir, const std::string& kind, const std::string& user_or_site,
                               std::int64_t ttl_ms = 3600 * 1000, std::string* error = nullptr);

struct EnrolledDevice {
  std::string device_id;
  std::string token;
  std::string error;  // non-empty when enrollment or sign-in failed
};
// Code + POST /v1/enroll; for a phone with a password, also POST /v1/login.
EnrolledDevice EnrollDevice(const ServerProcess& server, const std::string& kind, const std::string& user_or_site,
                            const std::string& password = {});

}  // namespace houqin::testing
