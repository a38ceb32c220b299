// A thin RAII layer over the SQLite C API: a connection and prepared
// statements. Internal to the engine. Thread safety: one thread per Db.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace houqin::sql {

class Db;

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool valid() const { return s_ != nullptr; }
  Stmt& Bind(int i, std::int64_t v);
  Stmt& Bind(int i, std::string_view text);
  Stmt& BindBlob(int i, const void* data, std::size_t n);
  Stmt& BindNull(int i);
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();
  // Runs to completion; returns the SQLite result code of the last step.
  int Run();
  void Reset();

  std::int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  std::string_view Text(int col) const;
  std::string_view Blob(int col) const;
  int Type(int col) const { return sqlite3_column_type(s_, col); }
  bool IsNull(int col) const { return Type(col) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Open(const std::string& path);
  Status Exec(std::string_view sql);
  Stmt Prepare(std::string_view sql) { return Stmt(db_, sql); }
  sqlite3* raw() const { return db_; }
  std::string ErrorMessage() const { return db_ ? sqlite3_errmsg(db_) : "no database"; }
  Status ErrorStatus(std::string_view what) const;
  std::int64_t Changes() const { return sqlite3_changes64(db_); }
  std::int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace houqin::sql
