#include "predict/predictor.h"

#include <string_view>

#include "predict/content_info_predictor.h"
#include "predict/exec_predictor.h"
#include "predict/http_predictor.h"
#include "predict/utf8.h"

namespace tuskd::predict {

Predictor::~Predictor() = default;

std::unique_ptr<Predictor> MakePredictor(const std::string& spec, const PredictorOptions& options,
                                         std::string* error) {
  if (spec == ContentInfoPredictor::kSpec) return std::make_unique<ContentInfoPredictor>();
  constexpr std::string_view kExec = "exec:";
  if (spec.starts_with(kExec)) {
    return ExecPredictor::Create(spec.substr(kExec.size()), options, error);
  }
  if (spec.starts_with("http://") || spec.starts_with("https://")) {
    return HttpPredictor::Create(spec, options, error);
  }
  *error = "unknown predictor \"" + ToValidUtf8(spec) +
           "\": expected builtin:content-info, exec:/path/to/program or an http(s):// URL";
  return nullptr;
}

}  // namespace tuskd::predict
