// The factory and the names it knows.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "app/apps.h"
#include "app/http.h"
#include "config/config.h"

using namespace tern::app;

TEST_CASE("make_app builds each named app and refuses unknown names", "[app]") {
    std::set<std::string> names;
    for (const char* const* n = app_names(); *n; ++n) {
        names.insert(*n);
        const auto app = make_app(*n, AppOptions{});
        REQUIRE(app != nullptr);
        CHECK(std::string(app->name()) == *n);
        CHECK(is_app_name(*n));
        CHECK(check_app_options(*n, AppOptions{}) == nullptr);
    }
    CHECK(names == std::set<std::string>{"echo", "discard", "http"});
    CHECK(make_app("", {}) == nullptr);
    CHECK(make_app("ECHO", {}) == nullptr);
    CHECK(make_app("proxy", {}) == nullptr);
    CHECK_FALSE(is_app_name("htt"));
    CHECK(check_app_options("nope", {}) != nullptr);
    // The result is usable as the interface the Stack takes.
    std::unique_ptr<tern::tcp::App> plain = make_app("echo");
    CHECK(plain != nullptr);
}

TEST_CASE("config's listen.app accepts exactly the app names", "[app]") {
    tern::config::Config c;
    for (const char* const* n = app_names(); *n; ++n) {
        tern::config::apply_set(c, std::string("listen.app=") + *n);
        CHECK(c.listen.app == *n);
    }
    CHECK(app_name_list() == "echo, discard, http");
    CHECK_THROWS_WITH(tern::config::apply_set(c, "listen.app=proxy"),
                      "listen.app: invalid value 'proxy' (expected one of echo, discard, http)");
    CHECK_THROWS_WITH(
        tern::config::apply_toml(c, "[[listeners]]\nport = 81\napp = \"ECHO\"\n", "f.toml"),
        "f.toml: listeners.app: invalid value 'ECHO' (expected one of echo, discard, http)");
    CHECK(check_app_options("proxy", {}) ==
          std::string("unknown app (one of echo, discard, http)"));
}

TEST_CASE("config validation refuses an http.body no http listener can send", "[app][config]") {
    tern::config::Config c;
    tern::config::apply_set(c, "engine.address=198.18.0.2/24");
    tern::config::apply_set(c, "listen.port=80");
    c.http_body = std::string(kMaxHttpBody, 'b');
    tern::config::validate(c);
    c.http_body += 'b';
    CHECK_THROWS_WITH(tern::config::validate(c),
                      "http.body longer than 32768 bytes (a response must fit in the send buffer)");
    // Only an http listener needs it to fit.
    tern::config::apply_set(c, "listen.app=echo");
    tern::config::validate(c);
    tern::config::apply_toml(c, "[[listeners]]\nport = 81\napp = \"http\"\n", "f.toml");
    CHECK_THROWS_WITH(tern::config::validate(c),
                      "http.body longer than 32768 bytes (a response must fit in the send buffer)");
}

TEST_CASE("http.body is limited to what one send buffer holds", "[app]") {
    AppOptions o;
    o.http_body = std::string(kMaxHttpBody, 'b');
    CHECK(check_app_options("http", o) == nullptr);
    CHECK(make_app("http", o) != nullptr);
    o.http_body += 'b';
    CHECK(check_app_options("http", o) != nullptr);
    CHECK(make_app("http", o) == nullptr);
    CHECK(make_app("echo", o) != nullptr);  // the option is http's only
}

TEST_CASE("http answers are precomputed byte for byte", "[app][http]") {
    const HttpApp app("hi\n");
    CHECK(app.answer(HttpApp::Answer::OkKeepAlive) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
          "Connection: keep-alive\r\n\r\nhi\n");
    CHECK(app.answer(HttpApp::Answer::OkClose) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
          "Connection: close\r\n\r\nhi\n");
    CHECK(app.answer(HttpApp::Answer::HeadKeepAlive) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
          "Connection: keep-alive\r\n\r\n");
    CHECK(app.answer(HttpApp::Answer::HeadClose) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
          "Connection: close\r\n\r\n");
    CHECK(app.answer(HttpApp::Answer::BadRequest) ==
          "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
          "Connection: close\r\n\r\nbad request\n");
    CHECK(app.answer(HttpApp::Answer::NotImplemented) ==
          "HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
          "Connection: close\r\n\r\nnot implemented\n");
    const HttpApp empty("");
    CHECK(empty.answer(HttpApp::Answer::OkClose) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
          "Connection: close\r\n\r\n");
}

TEST_CASE("counters are listed by name", "[app]") {
    const auto app = make_app("http");
    std::set<std::string> seen;
    app->counters().for_each([&](const char* name, const char* help, uint64_t v) {
        CHECK(std::string(help).size() > 0);
        CHECK(v == 0);
        CHECK(seen.insert(name).second);  // unique
    });
    CHECK(seen.count("requests") == 1);
    CHECK(seen.count("responses_200") == 1);
    CHECK(seen.count("responses_400") == 1);
    CHECK(seen.count("bytes_echoed") == 1);
    CHECK(seen.count("send_overruns") == 1);
    CHECK(seen.count("http_error_too_large") == 1);
    CHECK(seen.count("http_error_none") == 0);
}
