#include <iostream>

#include "cli.h"

namespace houqin::cli {

int Demo(const Args&) {
  std::cerr << "houqin demo: arrives with the cars workflows\n";
  return 2;
}

}  // namespace houqin::cli
