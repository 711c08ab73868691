#include "tests/common/crash_points.h"

namespace tuskd {

void CrashPoints::Arm(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = n;
  count_ = 0;
  crashed_ = false;
  crash_site_.clear();
}

bool CrashPoints::Pass(const char* what, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (crashed_) return false;
  ++count_;
  if (armed_ == 0 || count_ < armed_) return true;
  crashed_ = true;
  crash_site_ = std::string(what) + " of " + path;
  return false;
}

uint64_t CrashPoints::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

bool CrashPoints::crashed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return crashed_;
}

std::string CrashPoints::crash_site() const {
  std::lock_guard<std::mutex> lock(mu_);
  return crash_site_;
}

void CrashPoints::Revive() { Arm(0); }

}  // namespace tuskd
