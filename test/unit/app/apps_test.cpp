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
    for (const char* const* n = app_names(); *n; ++n) CHECK(tern::config::known_app(*n));
    CHECK_FALSE(tern::config::known_app("proxy"));
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
