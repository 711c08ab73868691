// Helpers shared by the IETF draft protocol tests.
#pragma once

#include <optional>
#include <stdexcept>
#include <variant>

#include "protocol/ietf/problem.h"
#include "protocol/ietf/version.h"

namespace tuskd::protocol::testing {

inline const IetfDraft& Draft(int version) {
  for (const IetfDraft& draft : SupportedIetfDrafts()) {
    if (draft.interop_version == version) return draft;
  }
  throw std::logic_error("unsupported interop version in a test");
}

// The failure code of a draft decision, or nullopt when it succeeded.
template <typename Variant>
std::optional<ErrorCode> IetfFailureCode(const Variant& result) {
  if (const auto* failure = std::get_if<IetfFailure>(&result)) return failure->failure.code;
  return std::nullopt;
}
inline std::optional<ErrorCode> IetfFailureCode(const std::optional<IetfFailure>& result) {
  if (result) return result->failure.code;
  return std::nullopt;
}

}  // namespace tuskd::protocol::testing
