#include "test_support.h"

#include <cstdlib>
#include <random>

namespace houqin::testing {

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (;;) {
    path_ = base / ("houqin-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  // HOUQIN_KEEP_TEMP=1 keeps the files for a look with sqlite3 after a run.
  if (std::getenv("HOUQIN_KEEP_TEMP") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace houqin::testing
