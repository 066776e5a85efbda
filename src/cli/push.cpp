// push, image push.

#include "berth/engine/registry.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_push(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::PushRequest>());
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  add_client_flags(sub, req->client, *cf, true);
  sub->add_option("-f,--format", req->format, "Manifest type (oci or v2s2) to use when pushing");
  sub->add_option("--digestfile", req->digestfile, "Write the digest of the pushed image to the specified file");
  sub->add_flag("-q,--quiet", req->quiet, "Suppress output information when pushing images");
  sub->add_option("args", *args, "IMAGE [DESTINATION]")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (args->size() > 2) return fail(Errc::usage, "too many arguments: push takes IMAGE [DESTINATION]");
    TRY(finish_client(*cf, req->client));
    req->image = args->front();
    if (args->size() == 2) req->destination = (*args)[1];
    auto c = TRY(engine::open_context(g));
    TRY(engine::push_image(c, *req));
    return 0;
  });
}

}  // namespace berth::cli
