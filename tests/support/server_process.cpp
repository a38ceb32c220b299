#include "server_process.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "directory/directory.h"
#include "domain.h"
#include "registry.h"
#include "util/uuid.h"

#ifndef HOUQIN_SERVER_BIN
#error "HOUQIN_SERVER_BIN must name the houqin-server executable"
#endif

extern char** environ;

namespace houqin::testing {
namespace {

namespace fs = std::filesystem;

std::string Normalize(std::string_view fingerprint) {
  std::string out;
  for (char c : fingerprint)
    if (std::isxdigit(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Accepts the chain iff the leaf certificate's SHA-256 is the pin: the
// server's certificate is self-signed, so no CA could vouch for it.
int VerifyPin(X509_STORE_CTX* ctx, void* arg) {
  const std::string& pin = *static_cast<const std::string*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(ctx);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!leaf || X509_digest(leaf, EVP_sha256(), md, &len) != 1) return 0;
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  if (hex != pin) {
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  return 1;
}

CURLcode InstallPin(CURL*, void* ssl_ctx, void* arg) {
  SSL_CTX_set_cert_verify_callback(static_cast<SSL_CTX*>(ssl_ctx), VerifyPin, arg);
  return CURLE_OK;
}

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Json HttpResponse::json() const {
  Json j = Json::parse(body, nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}

std::string HttpResponse::error_code() const {
  Json j = json();
  if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("code") &&
      j["error"]["code"].is_string())
    return j["error"]["code"].get<std::string>();
  return "";
}

HttpResponse HttpRequest(const std::string& base_url, const std::string& fingerprint, const std::string& method,
                         const std::string& path, const std::string& body, const HttpOptions& options) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  HttpResponse out;
  CURL* curl = curl_easy_init();
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  const std::string url = base_url + path;
  const std::string pin = Normalize(fingerprint);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 15000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  if (options.verify_pin) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    // The pin replaces the CA store: not loading the system bundle spares
    // each handle tens of milliseconds, which hundreds of test threads feel.
    curl_easy_setopt(curl, CURLOPT_CAINFO, nullptr);
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, InstallPin);
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, &pin);
  } else {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
  }
  curl_slist* headers = nullptr;
  if (!options.bearer_token.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + options.bearer_token).c_str());
  if (!options.content_type.empty())
    headers = curl_slist_append(headers, ("Content-Type: " + options.content_type).c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  } else {
    out.error = error[0] ? error : curl_easy_strerror(rc);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    out.status = status;  // a response may have come before the upload failed
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return out;
}

ServerProcess::ServerProcess() : ServerProcess(Options{}) {}

ServerProcess::ServerProcess(Options options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) {
    owned_dir_ = std::make_unique<TempDir>();
    data_dir_ = owned_dir_->path().string();
  } else {
    data_dir_ = options_.data_dir;
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill9();
}

std::string ServerProcess::base_url() const {
  return std::string(options_.plain_http ? "http" : "https") + "://127.0.0.1:" + std::to_string(port_);
}

std::string ServerProcess::LogTail(std::size_t bytes) const {
  const std::string log = ReadFile(log_path());
  return log.size() > bytes ? log.substr(log.size() - bytes) : log;
}

std::string ServerProcess::Start(std::chrono::milliseconds timeout) {
  if (pid_ > 0) return "already running";
  std::error_code ec;
  fs::create_directories(data_dir_, ec);
  fs::remove(data_dir_ + "/port", ec);  // a stale port of an earlier run must not be trusted

  std::vector<std::string> args = {HOUQIN_SERVER_BIN, "--data", data_dir_, "--listen", "127.0.0.1:0"};
  if (options_.plain_http) args.push_back("--dev-plain-http");
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // The child starts with default signal dispositions and an empty mask, whatever the test runner set.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return std::string("posix_spawn ") + argv[0] + ": " + std::strerror(rc);
  pid_ = pid;

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(5);
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "houqin-server exited during start-up:\n" + LogTail();
    }
    if (port_ <= 0 || !fs::exists(data_dir_ + "/port")) port_ = 0;
    if (port_ == 0) {
      const std::string text = ReadFile(data_dir_ + "/port");
      if (!text.empty() && text.back() == '\n') port_ = std::atoi(text.c_str());
    }
    if (port_ > 0) {
      fingerprint_ = ReadFile(data_dir_ + "/fingerprint");
      while (!fingerprint_.empty() && std::isspace(static_cast<unsigned char>(fingerprint_.back()))) fingerprint_.pop_back();
      HttpOptions probe;
      probe.timeout = std::chrono::milliseconds(2000);
      HttpResponse r = HttpRequest(base_url(), fingerprint_, "GET", "/healthz", {}, probe);
      if (r.status == 200) return "";
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      Kill9();
      return "houqin-server not ready in time:\n" + LogTail();
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(100));
  }
}

int ServerProcess::Terminate(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(2);
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (done < 0 || std::chrono::steady_clock::now() >= deadline) {
      Kill9();
      return -1;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
  }
}

void ServerProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::Restart() {
  if (pid_ > 0 && Terminate() != 0) return "houqin-server did not exit cleanly:\n" + LogTail();
  port_ = 0;
  return Start();
}

HttpResponse ServerProcess::Request(const std::string& method, const std::string& path, const std::string& body,
                                    const std::string& bearer_token) const {
  HttpOptions options;
  options.bearer_token = bearer_token;
  return Request(method, path, body, options);
}

HttpResponse ServerProcess::Request(const std::string& method, const std::string& path, const std::string& body,
                                    const HttpOptions& options) const {
  return HttpRequest(base_url(), fingerprint_, method, path, body, options);
}

namespace {

Result<std::unique_ptr<Store>> OpenAsAdmin(const std::string& data_dir, const Domain* domain) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  const std::string path = data_dir + "/houqin.db";
  std::string admin_device;
  {
    StoreOptions plain;
    plain.domain = domain;
    auto store = Store::Open(path, plain);
    if (!store) return store.status();
    auto id = (*store)->GetMeta("admin.device_id");
    if (!id) return id.status();
    if (id->has_value()) {
      admin_device = **id;
    } else {
      admin_device = NewUuidV7(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
      if (Status s = (*store)->SetMeta("admin.device_id", admin_device); !s.ok()) return s;
    }
  }
  StoreOptions options;
  options.domain = domain;
  options.synchronous_full = true;
  options.act_as_device = admin_device;
  return Store::Open(path, options);
}

}  // namespace

std::string SeedAsAdmin(const std::string& data_dir, const std::vector<Draft>& drafts) {
  auto domain = MakeDomain();
  auto store = OpenAsAdmin(data_dir, domain.get());
  if (!store) return store.status().ToString();
  auto appended = (*store)->Append(Author{"admin", "admin", ""}, drafts);
  return appended.ok() ? "" : appended.status().ToString();
}

std::string SeedDirectory(const std::string& data_dir, const std::vector<SeedDepartment>& departments,
                          const std::vector<SeedUser>& users) {
  std::vector<Draft> drafts;
  for (const SeedDepartment& d : departments) drafts.push_back(directory::UpsertDepartment(d.id, d.name, d.approvers));
  for (const SeedUser& u : users) {
    directory::UserInfo info;
    info.id = u.id;
    info.name = u.name;
    info.department = u.department;
    info.roles = u.roles;
    info.site = u.site;
    drafts.push_back(directory::UpsertUser(info));
  }
  if (std::string error = SeedAsAdmin(data_dir, drafts); !error.empty()) return error;
  auto registry = server::Registry::Open(data_dir + "/houqin.db");
  if (!registry) return registry.status().ToString();
  for (const SeedUser& u : users) {
    if (u.password.empty()) continue;
    if (Status s = (*registry)->SetPassword(u.id, u.password); !s.ok()) return s.ToString();
  }
  return "";
}

std::string MakeEnrollmentCode(const std::string& data_dir, const std::string& kind, const std::string& user_or_site,
                               std::int64_t ttl_ms, std::string* error) {
  auto registry = server::Registry::Open(data_dir + "/houqin.db");
  if (!registry) {
    if (error) *error = registry.status().ToString();
    return "";
  }
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  auto code = (*registry)->CreateEnrollmentCode(kind, user_or_site, "test", ttl_ms, now);
  if (!code) {
    if (error) *error = code.status().ToString();
    return "";
  }
  return *code;
}

EnrolledDevice EnrollDevice(const ServerProcess& server, const std::string& kind, const std::string& user_or_site,
                            const std::string& password) {
  EnrolledDevice out;
  const std::string code = MakeEnrollmentCode(server.data_dir(), kind, user_or_site, 3600 * 1000, &out.error);
  if (code.empty()) return out;
  HttpResponse r = server.Request("POST", "/v1/enroll", Json{{"code", code}}.dump());
  if (r.status != 200) {
    out.error = "enroll: " + std::to_string(r.status) + " " + r.body + r.error;
    return out;
  }
  Json j = r.json();
  out.device_id = j.value("device_id", "");
  out.token = j.value("token", "");
  if (kind == "phone" && !password.empty()) {
    HttpResponse login =
        server.Request("POST", "/v1/login", Json{{"user", user_or_site}, {"password", password}}.dump(), out.token);
    if (login.status != 200) out.error = "login: " + std::to_string(login.status) + " " + login.body + login.error;
  }
  return out;
}

}  // namespace houqin::testing
