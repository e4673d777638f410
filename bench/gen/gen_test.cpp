// tern-gen's pure pieces: no DPDK, no port. The histogram's precision, the
// TIME_WAIT table's promise (a tuple is never reused within 2*MSL), the
// response-head parser, the templates' incremental checksums and the
// option checks that keep every address inside 198.18.0.0/15.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "common/tcp_frame.h"
#include "histogram.h"
#include "options.h"
#include "response_head.h"
#include "templates.h"
#include "time_wait.h"

using namespace tern;
using namespace tern::gen;

TEST_CASE("histogram quantiles are within one sub-bucket (1/32)") {
    LatencyHistogram h;
    for (uint64_t v = 1; v <= 100000; ++v) h.add(v);
    CHECK(h.count() == 100000);
    for (double q : {0.5, 0.99, 0.999}) {
        const double want = q * 100000;
        CHECK(std::abs(h.quantile(q) - want) <= want / 32 + 1);
    }
    // Buckets tile the line: each starts where the previous ended.
    for (size_t i = 1; i < LatencyHistogram::kBuckets; ++i)
        REQUIRE(LatencyHistogram::bucket_low(i) ==
                LatencyHistogram::bucket_low(i - 1) + LatencyHistogram::bucket_width(i - 1));
    CHECK(LatencyHistogram::index(UINT64_MAX) == LatencyHistogram::kBuckets - 1);
    h.clear();
    CHECK(h.quantile(0.5) == 0);
}

// Walks one client through its sequence the way ClientTable does, one
// connection per `step_ms`, and records when each tuple was last closed.
TEST_CASE("TIME_WAIT: no tuple comes back within 2*MSL, and a long sequence never waits") {
    for (uint64_t len : {1ull, 3ull, 16ull, 100ull, 1000ull}) {
        const uint32_t slices = TimeWaitRow::slices_for(len), twice_msl = 200;
        TimeWaitRow row;
        std::vector<int64_t> closed_at(len, -1);
        uint64_t pos = 0;
        uint32_t now = 0, waits = 0;
        for (int conn = 0; conn < 3000; ++now) {
            if (!row.may_use(pos, len, slices, now, twice_msl)) {
                ++waits;
                continue;
            }
            if (closed_at[pos] >= 0) REQUIRE(now - closed_at[pos] >= twice_msl);
            now += 1;  // the connection lasts 1 ms
            row.closed(pos, len, slices, now);
            closed_at[pos] = now;
            pos = (pos + 1) % len;
            ++conn;
        }
        if (len == 1000) CHECK(waits == 0);  // one round (1 s) outlasts 2*MSL (0.2 s)
        if (len == 1) CHECK(waits > 0);
    }
}

TEST_CASE("response head: status 200 and Content-Length") {
    auto len = [](const std::string& s) {
        return response_length(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    const std::string ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
                           "Connection: keep-alive\r\n\r\nhello from tern\n";
    CHECK(len(ok) == ok.size());
    CHECK(len("HTTP/1.1 200 OK\r\ncontent-length:0\r\n\r\n") == 37u);
    CHECK(!len("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    CHECK(!len("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n"));
    CHECK(!len("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"));  // head not ended here
    CHECK(!len("HTTP/1.1 200 OK\r\nX: 1\r\n\r\n"));           // no length
    CHECK(!len("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"));
}

TEST_CASE("templates: incremental checksums equal full ones") {
    const net::MacAddr a{{2, 0, 0, 0, 0, 1}}, b{{2, 0, 0, 0, 0, 2}};
    const SegmentTemplates t(a, b, kBenchNet | 1, 80, "GET / HTTP/1.1\r\nHost: tern\r\n\r\n");
    uint8_t buf[SegmentTemplates::kCopy];
    const SegFields f{(198u << 24) | (19u << 16) | 0xFFFE, 65535, 0xFFFFFFFF, 0x80000001, 0x19,
                      0xDEADBEEF, 0xFFFF0000};
    for (int kind = 0; kind < 3; ++kind) {
        const uint16_t len = kind == 0 ? t.syn(buf, f) : kind == 1 ? t.ack(buf, f) : t.request(buf, f);
        CHECK(bench::checksums_ok(buf, len));
        bench::TcpIn in;
        REQUIRE(bench::parse_frame(buf, len, in));
        CHECK(in.saddr == f.saddr);
        CHECK(in.sport == f.sport);
        CHECK(in.seq == f.seq);
        CHECK(in.ack == f.ack);
        CHECK(in.flags == f.flags);
        CHECK(in.has_ts);
        CHECK(in.tsval == f.tsval);
        CHECK(in.tsecr == f.tsecr);
        CHECK(in.payload_len == (kind == 2 ? t.request_len() : 0));
    }
}

TEST_CASE("options: every address inside 198.18.0.0/15, clients told apart by port") {
    auto parse = [](std::vector<std::string> a) { return parse_options(a); };
    CHECK(parse({"cps"})->src.inside_bench_net());
    const auto m = parse({"mixed"});
    CHECK(!m->src.overlaps(m->flood_src));
    CHECK_THROWS_AS(parse({"cps", "--src", "198.17.0.0/24"}), UsageError);
    CHECK_THROWS_AS(parse({"cps", "--src", "198.18.0.0/14"}), UsageError);
    CHECK_THROWS_AS(parse({"synflood", "--flood-src", "198.20.0.0/16"}), UsageError);
    CHECK_THROWS_AS(parse({"synflood", "--dst-ip", "192.0.2.1"}), UsageError);
    CHECK_THROWS_AS(parse({"cps", "--src", "198.18.0.0/24"}), UsageError);  // holds --dst-ip
    CHECK_THROWS_AS(parse({"mixed", "--src", "198.19.1.0/24"}), UsageError);  // in the flood's
    CHECK_THROWS_AS(parse({"cps", "--concurrency", "100", "--sports", "1000-1049"}), UsageError);
    CHECK_THROWS_AS(parse({"cps", "--bogus", "1"}), UsageError);
    CHECK_THROWS_AS(parse({"ping"}), UsageError);
    CHECK(!parse({"cps", "--help"}));
    CHECK(parse({"synflood", "--flood-src", "198.19.0.0-198.19.0.9"})->flood_src.size() == 10);
}
