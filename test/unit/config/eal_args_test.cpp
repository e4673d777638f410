#include <catch2/catch.hpp>

#include "config/eal_args.h"

using tern::config::merge_eal_args;
using Args = std::vector<std::string>;

namespace {
// drivers-config/net_tap.toml's EAL arguments.
const Args kTap{"--no-huge", "-m", "512", "--no-pci", "-l", "0,1", "--file-prefix=tern-tap",
                "--vdev=net_tap0,iface=tern0,mac=02:00:c6:12:00:02"};
}  // namespace

TEST_CASE("EAL args: no command-line options keeps the profile's", "[config][eal]") {
    CHECK(merge_eal_args(kTap, {}) == kTap);
    CHECK(merge_eal_args({}, {"-l", "0"}) == Args{"-l", "0"});
}

TEST_CASE("EAL args: a command-line lcore option replaces the profile's, whatever its alias",
          "[config][eal]") {
    const Args rest{"--no-huge", "-m", "512", "--no-pci", "--file-prefix=tern-tap",
                    "--vdev=net_tap0,iface=tern0,mac=02:00:c6:12:00:02"};
    auto with = [&](Args cli) {
        Args want = rest;
        want.insert(want.end(), cli.begin(), cli.end());
        return want;
    };
    CHECK(merge_eal_args(kTap, {"-l", "2,3"}) == with({"-l", "2,3"}));
    CHECK(merge_eal_args(kTap, {"-l2,3"}) == with({"-l2,3"}));
    CHECK(merge_eal_args(kTap, {"-c", "0xc"}) == with({"-c", "0xc"}));
    CHECK(merge_eal_args(kTap, {"--lcores=(0-1)@0"}) == with({"--lcores=(0-1)@0"}));
    CHECK(merge_eal_args(kTap, {"--lcores", "0,1"}) == with({"--lcores", "0,1"}));
}

TEST_CASE("EAL args: memory, prefix and flags are overridden, not repeated", "[config][eal]") {
    CHECK(merge_eal_args(kTap, {"--socket-mem=1024", "--file-prefix", "x", "--no-huge"}) ==
          Args{"--no-pci", "-l", "0,1", "--vdev=net_tap0,iface=tern0,mac=02:00:c6:12:00:02",
               "--socket-mem=1024", "--file-prefix", "x", "--no-huge"});
    CHECK(merge_eal_args(kTap, {"-m1024"}) ==
          Args{"--no-huge", "--no-pci", "-l", "0,1", "--file-prefix=tern-tap",
               "--vdev=net_tap0,iface=tern0,mac=02:00:c6:12:00:02", "-m1024"});
}

TEST_CASE("EAL args: --vdev replaces the same device only", "[config][eal]") {
    const Args prof{"-l", "0,1", "--vdev=net_tap0,iface=tern0", "--vdev", "net_null0"};
    CHECK(merge_eal_args(prof, {"--vdev=net_tap0,iface=other"}) ==
          Args{"-l", "0,1", "--vdev", "net_null0", "--vdev=net_tap0,iface=other"});
    CHECK(merge_eal_args(prof, {"--vdev", "net_null0,size=128"}) ==
          Args{"-l", "0,1", "--vdev=net_tap0,iface=tern0", "--vdev", "net_null0,size=128"});
    CHECK(merge_eal_args(prof, {"--vdev=net_ring0"}) ==
          Args{"-l", "0,1", "--vdev=net_tap0,iface=tern0", "--vdev", "net_null0", "--vdev=net_ring0"});
}

TEST_CASE("EAL args: options EAL takes many times are kept from both", "[config][eal]") {
    const Args prof{"-a", "0000:01:00.0", "--log-level=pmd.net.mlx5:info", "-l", "0,1"};
    CHECK(merge_eal_args(prof, {"-a", "0000:02:00.0", "--log-level=tern:debug"}) ==
          Args{"-a", "0000:01:00.0", "--log-level=pmd.net.mlx5:info", "-l", "0,1", "-a",
               "0000:02:00.0", "--log-level=tern:debug"});
}
