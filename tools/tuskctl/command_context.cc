#include "tools/tuskctl/command_context.h"

#include <ostream>

namespace tuskd::tuskctl {

bool OpenInspector(const CommandContext& context, store::StoreInspector::Mode mode,
                   std::unique_ptr<store::StoreInspector>* out) {
  Status status = store::StoreInspector::Open(context.data_dir, mode, out);
  if (status.ok()) return true;
  if (status.IsNotFound()) {
    context.err << "tuskctl: no tuskd store in " << context.data_dir << " (" << status.message()
                << ")\n";
  } else {
    context.err << "tuskctl: cannot read the store in " << context.data_dir << ": "
                << status.ToString() << "\n";
  }
  return false;
}

bool ResolveUploadId(const CommandContext& context, const store::StoreInspector& inspector,
                     const std::string& id_or_prefix, std::string* id) {
  Status status = inspector.ResolveId(id_or_prefix, id);
  if (status.ok()) return true;
  context.err << "tuskctl: " << Printable(status.message()) << "\n";
  return false;
}

}  // namespace tuskd::tuskctl
