// attach.

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_attach(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::AttachOptions>());
  sub->add_option("--detach-keys", o->detach_keys, "Select the key sequence for detaching a container (\"\" disables)");
  sub->add_flag("--no-stdin", o->no_stdin, "Do not attach STDIN");
  sub->add_flag("--sig-proxy", o->sig_proxy, "Proxy received signals to the container (--sig-proxy=false: do not)");
  sub->add_option("container", o->container, "Container")->required();
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    return engine::attach_container(c, *o);
  });
}

}  // namespace berth::cli
