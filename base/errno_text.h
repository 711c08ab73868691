// The message for an errno value, as strerror gives it but through the GNU strerror_r, which is
// safe to call from many threads at once (strerror may share one buffer between them).
#pragma once

#include <string>

namespace tuskd {

// E.g. "No such file or directory" for ENOENT; "Unknown error N" for a value libc does not know.
std::string ErrnoText(int err);

}  // namespace tuskd
