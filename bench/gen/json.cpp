#include "json.h"

#include <fmt/format.h>

#include <cmath>

namespace tern::gen {

namespace {

std::string quote(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (static_cast<unsigned char>(c) < 0x20) o += fmt::format("\\u{:04x}", int(c));
        else o += c;
    }
    return o + "\"";
}

}  // namespace

JsonObject& JsonObject::num(const std::string& key, double v) {
    // JSON has no NaN or infinity; a figure that could not be measured is 0.
    fields_.push_back({key, std::isfinite(v) ? fmt::format("{}", v) : "0", nullptr});
    return *this;
}

JsonObject& JsonObject::str(const std::string& key, const std::string& v) {
    fields_.push_back({key, quote(v), nullptr});
    return *this;
}

JsonObject& JsonObject::boolean(const std::string& key, bool v) {
    fields_.push_back({key, v ? "true" : "false", nullptr});
    return *this;
}

JsonObject& JsonObject::obj(const std::string& key, const JsonObject& v) {
    fields_.push_back({key, "", std::make_shared<JsonObject>(v)});
    return *this;
}

bool JsonObject::flat() const {
    for (const auto& f : fields_)
        if (f.object) return false;
    return true;
}

std::string JsonObject::dump(int indent) const {
    const bool inline_ = flat() && fields_.size() <= 4;
    const std::string pad = inline_ ? "" : std::string(size_t(indent) + 2, ' ');
    std::string o = inline_ ? "{" : "{\n";
    for (size_t i = 0; i < fields_.size(); ++i) {
        const Field& f = fields_[i];
        const std::string value = f.object ? f.object->dump(indent + 2) : f.scalar;
        o += fmt::format("{}{}{}:{}", i ? (inline_ ? "," : ",\n") : "", pad, quote(f.key), value);
    }
    o += inline_ ? std::string("}") : fmt::format("\n{}}}", std::string(size_t(indent), ' '));
    return o;
}

void JsonObject::visit(const std::function<void(const std::string&, const std::string&)>& f,
                       const std::string& prefix) const {
    for (const auto& fl : fields_) {
        if (fl.object) fl.object->visit(f, prefix + fl.key + ".");
        else f(prefix + fl.key, fl.scalar);
    }
}

}  // namespace tern::gen
