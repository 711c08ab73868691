// The FileSystem of production: POSIX open/write/fdatasync/ftruncate/pread, files created
// 0600 and directories 0700. Thread-safe.
#pragma once

#include "base/file_system.h"

namespace tuskd {

// Never null; lives forever.
FileSystem* PosixFileSystem();

}  // namespace tuskd
