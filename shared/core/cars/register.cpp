#include "cars/cars.h"

namespace houqin::cars {

// Each part adds its call here once its Register function exists.
void Register(Domain& domain) {
  (void)domain;
}

}  // namespace houqin::cars
