#include "engine/sqlite.h"

namespace houqin::sql {

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s_, nullptr) !=
      SQLITE_OK)
    s_ = nullptr;
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = o.db_;
    s_ = o.s_;
    o.s_ = nullptr;
  }
  return *this;
}

Stmt& Stmt::Bind(int i, std::int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}

Stmt& Stmt::Bind(int i, std::string_view text) {
  sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindBlob(int i, const void* data, std::size_t n) {
  sqlite3_bind_blob(s_, i, data, static_cast<int>(n), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

int Stmt::Step() { return sqlite3_step(s_); }

int Stmt::Run() {
  int rc;
  while ((rc = sqlite3_step(s_)) == SQLITE_ROW) {
  }
  sqlite3_reset(s_);
  return rc;
}

void Stmt::Reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string_view Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string_view();
}

std::string_view Stmt::Blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string_view();
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::Open(const std::string& path) {
  // SQLite's allocation statistics take one process-wide mutex on every
  // malloc and free: with a server's hundreds of connections on their own
  // threads that one lock is contended. Nothing here reads the statistics.
  static const bool configured = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
  (void)configured;
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) return ErrorStatus("open " + path);
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  return Status::Ok();
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::Io({"database: " + msg, "数据库错误: " + msg});
  }
  return Status::Ok();
}

Status Db::ErrorStatus(std::string_view what) const {
  const std::string msg = std::string(what) + ": " + ErrorMessage();
  const int code = db_ ? sqlite3_errcode(db_) & 0xff : SQLITE_CANTOPEN;
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    return Status::Corruption({"database is damaged: " + msg, "数据库已损坏: " + msg});
  return Status::Io({"database: " + msg, "数据库错误: " + msg});
}

}  // namespace houqin::sql
