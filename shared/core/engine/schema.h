// The store's schema, one numbered step per version. Each step runs in its
// own transaction together with the bump of PRAGMA user_version, so an
// interrupted upgrade leaves the previous valid version. Steps are never
// edited once released: a change is a new step. See ARCHITECTURE.md.
#pragma once

#include <string_view>
#include <vector>

namespace houqin::schema {

// Index i holds the SQL that takes a database from version i to version i + 1.
const std::vector<std::string_view>& Migrations();

}  // namespace houqin::schema
