#include "protocol/ietf/representation.h"

#include <utility>  // Boost 1.74's Beast headers use std::exchange without including it

#include <boost/beast/http/rfc7230.hpp>

#include "base/base64.h"
#include "protocol/ext_value.h"
#include "protocol/field_text.h"
#include "protocol/ietf/fields.h"

namespace tuskd::protocol {
Metadata RepresentationMetadata(const HeaderMap& headers) {
  Metadata metadata;
  if (auto type = headers.Get("Content-Type")) {
    std::string media = AsciiLower(TrimOws(type->substr(0, type->find(';'))));
    if (!media.empty() && !HasControl(media) && !IsPartialUploadType(media) &&
        !IsOffsetContentType(media)) {
      metadata.push_back({"filetype", std::move(media)});
    }
  }
  if (auto disposition = headers.Get("Content-Disposition")) {
    size_t params = disposition->find(';');
    if (params != std::string_view::npos) {
      // Beast's parameter parser handles tokens and quoted strings (RFC 7230 section 3.2.6).
      std::string_view rest = disposition->substr(params);
      // Beast 1.74 has its own string_view type.
      boost::beast::http::param_list list(boost::beast::string_view(rest.data(), rest.size()));
      std::optional<std::string> plain, extended;
      for (const auto& param : list) {
        const std::string key = AsciiLower({param.first.data(), param.first.size()});
        std::string value(param.second.data(), param.second.size());
        if (key == "filename" && !plain && !value.empty() && !HasControl(value)) {
          plain = std::move(value);
        } else if (key == "filename*" && !extended) {
          extended = DecodeExtValue(value);
        }
      }
      // RFC 6266 section 4.3: filename* wins; filename is the fallback for old recipients.
      if (extended) {
        metadata.push_back({"filename", std::move(*extended)});
      } else if (plain) {
        metadata.push_back({"filename", std::move(*plain)});
      }
    }
  }
  return metadata;
}

std::string SerializeMetadata(const Metadata& metadata) {
  std::string text;
  for (const MetadataEntry& entry : metadata) {
    if (!text.empty()) text += ',';
    text += entry.key;
    if (entry.value) text += ' ' + EncodeBase64(*entry.value);
  }
  return text;
}

}  // namespace tuskd::protocol
