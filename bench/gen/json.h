// A JSON object built key by key, in order, for the report. Small on
// purpose: numbers, strings, booleans and nested objects are all it needs.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tern::gen {

class JsonObject {
  public:
    JsonObject& num(const std::string& key, double v);
    JsonObject& str(const std::string& key, const std::string& v);
    JsonObject& boolean(const std::string& key, bool v);
    JsonObject& obj(const std::string& key, const JsonObject& v);
    // One field per line, except objects of scalars only, kept on one line.
    std::string dump(int indent = 0) const;
    // Every scalar with its path (nested keys joined by '.'), in order.
    void visit(const std::function<void(const std::string&, const std::string&)>& f,
               const std::string& prefix = "") const;

  private:
    struct Field {
        std::string key;
        std::string scalar;                  // rendered, when not an object
        std::shared_ptr<JsonObject> object;  // when an object
    };
    bool flat() const;
    std::vector<Field> fields_;
};

}  // namespace tern::gen
