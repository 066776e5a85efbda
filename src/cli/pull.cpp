// pull, image pull; the pull flags run and create share.
#include <fmt/format.h>

#include "berth/engine/registry.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_pull(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::PullRequest>());
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto pf = r.keep(std::make_shared<PlatformFlags>());
  auto refs = r.keep(std::make_shared<std::vector<std::string>>());
  auto all_tags = r.keep(std::make_shared<bool>(false));
  add_client_flags(sub, req->client, *cf, true);
  add_platform_flags(sub, *req, *pf);
  sub->add_flag("-q,--quiet", req->quiet, "Suppress output information when pulling images");
  sub->add_flag("-a,--all-tags", *all_tags, "Pull all tagged images in the repository (not supported)");
  sub->add_option("images", *refs, "Images to pull")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*all_tags) return fail(Errc::unsupported, "--all-tags is not supported");
    TRY(finish_client(*cf, req->client));
    TRY(finish_platform(*pf, *req));
    auto c = TRY(engine::open_context(g));
    for (const auto& ref : *refs) {
      engine::PullRequest one = *req;
      one.reference = ref;
      auto p = TRY(engine::pull_image(c, one));
      fmt::print("{}\n", p.id.hex());
    }
    return 0;
  });
}

void add_run_pull_flags(CLI::App* sub, CommandTable& r, RunPull& p) {
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto pf = r.keep(std::make_shared<PlatformFlags>());
  sub->add_option("--pull", p.policy, "Pull image policy (always, missing, never, newer)");
  sub->add_flag("-q,--quiet", p.request.quiet, "Suppress output information when pulling images");
  add_client_flags(sub, p.request.client, *cf, true);
  add_platform_flags(sub, p.request, *pf);
  p.finish = [cf, pf](engine::PullRequest& req) -> Result<void> {
    TRY(finish_client(*cf, req.client));
    return finish_platform(*pf, req);
  };
}

}  // namespace berth::cli
