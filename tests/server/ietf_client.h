// Requests of the IETF resumable-upload draft for the server tests, over raw_client.h: the
// fields each interop version spells differently, and a creation that reads the 104 interim
// response before the final one. Each helper opens its own connection. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tests/server/raw_client.h"

namespace tuskd::server::testing {

inline HeaderFields DraftFields(int version, const HeaderFields& extra = {}) {
  HeaderFields fields = {{"Upload-Draft-Interop-Version", std::to_string(version)}};
  fields.insert(fields.end(), extra.begin(), extra.end());
  return fields;
}

// The completeness field as `version` spells it (Upload-Incomplete, inverted, in version 3).
inline std::pair<std::string, std::string> CompletenessField(int version, bool completes) {
  if (version == 3) return {"Upload-Incomplete", completes ? "?0" : "?1"};
  return {"Upload-Complete", completes ? "?1" : "?0"};
}

// Whether a response says the upload is complete, in `version`'s spelling; false when the field
// is missing.
inline bool SaysComplete(const HttpResponse& response, int version) {
  if (version == 3) return response.Header("Upload-Incomplete") == "?0";
  return response.Header("Upload-Complete") == "?1";
}

inline HeaderFields CreationFields(int version, bool completes, const HeaderFields& extra = {}) {
  HeaderFields fields = DraftFields(version, {CompletenessField(version, completes)});
  fields.insert(fields.end(), extra.begin(), extra.end());
  return fields;
}

// Upload-Offset, the completeness field and Content-Type: application/partial-upload (which
// versions 3 and 5 do not ask for, and ignore).
inline HeaderFields AppendFields(int version, uint64_t offset, bool completes,
                                 const HeaderFields& extra = {}) {
  HeaderFields fields = DraftFields(version, {{"Upload-Offset", std::to_string(offset)},
                                              CompletenessField(version, completes),
                                              {"Content-Type", "application/partial-upload"}});
  fields.insert(fields.end(), extra.begin(), extra.end());
  return fields;
}

// "/files/<id>" from a Location such as "http://127.0.0.1/files/<id>" ("" when there is none).
inline std::string PathOf(const std::optional<std::string>& location) {
  if (!location) return "";
  size_t at = location->find("/files/");
  return at == std::string::npos ? "" : location->substr(at);
}

struct DraftCreation {
  HttpResponse interim;  // the 104; status 0 when none came first
  HttpResponse final;
  std::string path;  // from the final response's Location, else the interim one's
};

// Reads a creation's answers from `client`: a 104 first when one comes, then the final response.
inline DraftCreation ReadCreation(RawClient& client) {
  DraftCreation creation;
  HttpResponse first = client.ReadResponse();
  if (first.status == 104) {
    creation.interim = std::move(first);
    creation.final = client.ReadResponse();
  } else {
    creation.final = std::move(first);
  }
  creation.path = PathOf(creation.final.Header("Location"));
  if (creation.path.empty()) creation.path = PathOf(creation.interim.Header("Location"));
  return creation;
}

// POST /files/ with the draft's creation fields, `body` and `extra`.
inline DraftCreation CreateDraftUpload(uint16_t port, int version, bool completes,
                                       std::string_view body = {}, const HeaderFields& extra = {}) {
  RawClient client(port);
  client.Send(BuildRequest("POST", "/files/", CreationFields(version, completes, extra), body));
  return ReadCreation(client);
}

inline HttpResponse DraftAppend(uint16_t port, int version, std::string_view path, uint64_t offset,
                                std::string_view body, bool completes,
                                const HeaderFields& extra = {}) {
  return Exchange(port, "PATCH", path, AppendFields(version, offset, completes, extra), body);
}

inline HttpResponse DraftHead(uint16_t port, int version, std::string_view path) {
  return Exchange(port, "HEAD", path, DraftFields(version));
}

}  // namespace tuskd::server::testing
