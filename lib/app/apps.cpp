// The factory: name -> app, and the names for config validation.
#include "app/apps.h"

#include <iterator>

#include "app/http.h"
#include "app/http_scanner.h"
#include "app/stream.h"

namespace tern::app {

static_assert(kHttpErrorCount == HttpRequestScanner::kErrorCount);

namespace {

constexpr const char* kNames[] = {"echo", "discard", "http", nullptr};

}  // namespace

const char* const* app_names() { return kNames; }

bool is_app_name(std::string_view name) {
    for (const char* const* n = kNames; *n; ++n) {
        if (name == *n) return true;
    }
    return false;
}

const std::string& app_name_list() {
    static const std::string list = [] {
        std::string l;
        for (const char* const* n = kNames; *n; ++n) l += (l.empty() ? "" : ", ") + std::string(*n);
        return l;
    }();
    return list;
}

const char* check_app_options(std::string_view name, const AppOptions& opts) {
    static const std::string unknown = "unknown app (one of " + app_name_list() + ")";
    if (!is_app_name(name)) return unknown.c_str();
    if (name == "http" && opts.http_body.size() > kMaxHttpBody) {
        return "http.body longer than 32768 bytes (a response must fit in the send buffer)";
    }
    return nullptr;
}

std::unique_ptr<BuiltinApp> make_app(std::string_view name, const AppOptions& opts) {
    if (check_app_options(name, opts) != nullptr) return nullptr;
    if (name == "echo") return std::make_unique<EchoApp>();
    if (name == "discard") return std::make_unique<DiscardApp>();
    return std::make_unique<HttpApp>(opts.http_body);
}

const char* http_error_name(int i) {
    static constexpr const char* kErrorNames[] = {
        "http_error_none",       "http_error_bad_method",         "http_error_bad_request_line",
        "http_error_bad_target", "http_error_bad_version",        "http_error_bad_line_ending",
        "http_error_bad_header", "http_error_bad_content_length", "http_error_body_not_supported",
        "http_error_too_large",  "http_error_not_implemented",
    };
    static_assert(std::size(kErrorNames) == kHttpErrorCount);
    return i >= 0 && i < kHttpErrorCount ? kErrorNames[i] : "http_error_?";
}

}  // namespace tern::app
