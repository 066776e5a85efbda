#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "berth/store/store.hpp"
#include "berth/sys/file.hpp"

using namespace berth;
namespace fs = std::filesystem;

namespace {
struct TestStore {
  fs::path dir;
  std::optional<store::Store> s;
  TestStore() {
    char t[] = "/tmp/berth-store-XXXXXX";
    dir = ::mkdtemp(t);
    auto r = store::Store::open({(dir / "root").string(), (dir / "run").string()});
    REQUIRE(r);
    s.emplace(std::move(*r));
  }
  ~TestStore() { fs::remove_all(dir); }
};

store::LayerRecord publish_layer(const store::Store& s, const std::string& content) {
  auto t = s.temp("layer");
  REQUIRE(t);
  REQUIRE(sys::ensure_dir(t->fd(), "diff", 0755));
  REQUIRE(sys::write_atomic(t->fd(), "blob", content));
  store::LayerRecord rec;
  rec.diff = DiffId{Digest::of(content)};
  rec.chain = chain_id(nullptr, rec.diff);
  rec.blob = rec.diff.d;
  rec.blob_size = content.size();
  rec.media_type = "application/vnd.oci.image.layer.v1.tar";
  REQUIRE(s.publish_blob(t->fd(), "blob", rec.blob));
  auto published = s.publish_layer(*t, rec);
  REQUIRE(published);
  return rec;
}
}  // namespace

TEST_CASE("store: layout is created private") {
  TestStore t;
  for (const char* d : {"root", "root/blobs/sha256", "root/layers", "root/images", "root/containers", "root/tmp"}) {
    INFO(d);
    CHECK((fs::status(t.dir / d).permissions() & fs::perms::all) == fs::perms::owner_all);
  }
}

TEST_CASE("store: blobs are content-addressed and written once") {
  TestStore t;
  auto d = t.s->put_blob("hello");
  REQUIRE(d);
  CHECK(*d == Digest::of("hello"));
  CHECK(t.s->has_blob(*d));
  CHECK(*t.s->read_blob(*d, 100) == "hello");
  CHECK(*t.s->put_blob("hello") == *d);
  CHECK_FALSE(t.s->read_blob(Digest::of("missing"), 100));
}

TEST_CASE("store: layers publish by rename; a second copy is discarded") {
  TestStore t;
  auto rec = publish_layer(*t.s, "layer-a");
  CHECK(t.s->has_layer(rec.chain));
  auto back = t.s->layer(rec.chain);
  REQUIRE(back);
  CHECK(back->diff.d == rec.diff.d);
  // the same layer again (a parallel load): publish returns false, the temp dir goes away
  auto t2 = t.s->temp("layer");
  REQUIRE(t2);
  REQUIRE(sys::ensure_dir(t2->fd(), "diff", 0755));
  auto again = t.s->publish_layer(*t2, rec);
  REQUIRE(again);
  CHECK(*again == false);
}

TEST_CASE("store: images and names; gc removes only what nothing refers to") {
  TestStore t;
  auto l1 = publish_layer(*t.s, "base");
  auto l2 = publish_layer(*t.s, "orphan");
  auto cfg = t.s->put_blob(R"({"rootfs":{}})");
  auto man = t.s->put_blob(R"({"layers":[{"digest":")" + l1.blob.str() + R"("}]})");
  REQUIRE(cfg);
  REQUIRE(man);
  store::ImageRecord img{*cfg, *man, "application/vnd.oci.image.manifest.v1+json", {l1.chain}, 1, 2, 4, {}};
  REQUIRE(t.s->put_image(img));
  REQUIRE(t.s->put_names({{"localhost/a:latest", *cfg}}));
  CHECK(t.s->names()->at("localhost/a:latest") == *cfg);
  CHECK(t.s->images()->size() == 1);
  auto lock = t.s->write_lock();
  auto rep = t.s->gc();
  REQUIRE(rep);
  CHECK(rep->layers == 1);
  CHECK(t.s->has_layer(l1.chain));
  CHECK_FALSE(t.s->has_layer(l2.chain));
  CHECK(t.s->has_blob(l1.blob));
  CHECK_FALSE(t.s->has_blob(l2.blob));
  REQUIRE(t.s->remove_image(*cfg));
  REQUIRE(t.s->gc());
  CHECK_FALSE(t.s->has_layer(l1.chain));
  CHECK(fs::is_empty(t.dir / "root/tmp"));
}

TEST_CASE("store: default paths honour flags, then BERTH_ROOT") {
  ::setenv("BERTH_ROOT", "/x/root", 1);
  ::unsetenv("BERTH_RUNROOT");
  auto p = store::default_paths("", "");
  CHECK(p.root == "/x/root");
  CHECK(p.runroot == "/x/root/run");
  auto f = store::default_paths("/flag", "");
  CHECK(f.root == "/flag");
  CHECK(f.runroot == "/flag/run");
  ::unsetenv("BERTH_ROOT");
  CHECK(store::default_paths("", "").root == "/var/lib/berth");
}
