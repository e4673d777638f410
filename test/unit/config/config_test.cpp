#include <catch2/catch.hpp>

#include "config/config.h"

using namespace tern::config;

TEST_CASE("TOML file and --set overrides fill the snapshot", "[config]") {
    Config c;
    apply_toml(c, R"(
[eal]
args = ["--no-huge", "-m", "512"]
[engine]
address = "198.18.0.2/24"
mbufs = 4095
[port]
name = "net_tap0"
promiscuous = true
)", "test.toml");
    apply_set(c, "engine.burst=64");
    validate(c);
    CHECK(c.eal_args == std::vector<std::string>{"--no-huge", "-m", "512"});
    CHECK(c.engine.address.addr == 0xC6120002u);
    CHECK(c.engine.address.prefix == 24);
    CHECK(c.engine.mbufs == 4095);
    CHECK(c.engine.burst == 64);
    CHECK(c.port.name == "net_tap0");
    CHECK(c.port.promiscuous);
}

TEST_CASE("bad configuration is one clear error", "[config]") {
    Config c;
    CHECK_THROWS_WITH(apply_set(c, "engine.nope=1"), "--set: unknown key 'engine.nope'");
    CHECK_THROWS_WITH(apply_set(c, "engine.address=198.18.0.300/24"),
                      Catch::Contains("engine.address: invalid value '198.18.0.300/24'"));
    CHECK_THROWS_WITH(apply_set(c, "engine.burst=0"), Catch::Contains("engine.burst: invalid value '0'"));
    CHECK_THROWS_WITH(apply_set(c, "engine.burst=12x"), Catch::Contains("invalid value"));
    CHECK_THROWS_WITH(apply_set(c, "noequals"), Catch::Contains("expected section.key=value"));
    CHECK_THROWS_WITH(apply_toml(c, "[engine]\nfoo = 1\n", "f.toml"), "f.toml: unknown key 'engine.foo'");
    CHECK_THROWS_WITH(apply_toml(c, "[engine\n", "f.toml"), Catch::StartsWith("f.toml:1:"));
    CHECK_THROWS_WITH(apply_file(c, "/nonexistent/tern.toml"),
                      "cannot read config file '/nonexistent/tern.toml'");
    CHECK_THROWS_WITH(validate(Config{}), Catch::Contains("engine.address is not set"));
}

TEST_CASE("describe lists every key with its value", "[config]") {
    Config c;
    apply_set(c, "engine.address=198.18.0.2/24");
    auto d = describe(c);
    auto it = std::find_if(d.begin(), d.end(), [](auto& kv) { return kv.first == "engine.address"; });
    REQUIRE(it != d.end());
    CHECK(it->second == "198.18.0.2/24");
}

TEST_CASE("engine.max_conns sizes the TCB pool (tcp.max_tcbs) and is listed", "[config]") {
    Config c;
    CHECK(c.tcp.max_tcbs == 65536);
    apply_set(c, "engine.max_conns=1000");
    CHECK(c.tcp.max_tcbs == 1000);
    apply_toml(c, "[engine]\nmax_conns = 2000\n", "f.toml");
    CHECK(c.tcp.max_tcbs == 2000);
    auto d = describe(c);
    auto it = std::find_if(d.begin(), d.end(),
                           [](auto& kv) { return kv.first == "engine.max_conns"; });
    REQUIRE(it != d.end());
    CHECK(it->second == "2000");
    CHECK_THROWS_WITH(apply_set(c, "engine.max_conns=8"),
                      Catch::Contains("engine.max_conns: invalid value '8'"));
}
