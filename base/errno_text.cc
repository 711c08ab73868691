#include "base/errno_text.h"

#include <cstring>

namespace tuskd {

std::string ErrnoText(int err) {
  char buffer[128];
  return strerror_r(err, buffer, sizeof(buffer));  // GNU strerror_r: returns the message
}

}  // namespace tuskd
