// The baseline of the workload matrix: the tight simdjson On-Demand loop a team writes by hand.
// One pass over each object, unescaped_key() compared against each name, strings assigned into a
// reused struct, array elements reused. It validates nothing it skips, and it checks no required
// key: the ceiling of hand-written code, not its safe form.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages.hpp"

namespace workloads::hand {

namespace od = simdjson::ondemand;

inline bool read(od::value v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s)) return false;
  out.assign(s.data(), s.size());
  return true;
}
inline bool read(od::value v, int& out) {
  std::int64_t x;
  if (v.get_int64().get(x)) return false;
  out = static_cast<int>(x);
  return true;
}
inline bool read(od::value v, std::int64_t& out) {
  return !v.get_int64().get(out);
}
inline bool read(od::value v, double& out) {
  return !v.get_double().get(out);
}
inline bool read(od::value v, bool& out) {
  return !v.get_bool().get(out);
}

// Reads an array into a reused vector: elements beyond the array's length are dropped at the end.
template <class T, class Read>
bool read_array(od::value v, std::vector<T>& out, Read&& read_element) {
  od::array array;
  if (v.get_array().get(array)) return false;
  std::size_t n = 0;
  for (auto element : array) {
    od::value e;
    if (element.get(e)) return false;
    if (n == out.size()) out.emplace_back();
    if (!read_element(e, out[n])) return false;
    ++n;
  }
  out.resize(n);
  return true;
}

// Iterates the fields of an object: on_field(key, value) returns false on an error.
template <class OnField>
bool for_each_field(od::value v, OnField&& on_field) {
  od::object object;
  if (v.get_object().get(object)) return false;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (!on_field(key, field.value())) return false;
  }
  return true;
}

template <class OnField>
bool for_each_root_field(od::parser& parser, const simdjson::padded_string& json,
                         OnField&& on_field) {
  od::document doc;
  if (parser.iterate(json).get(doc)) return false;
  od::object object;
  if (doc.get_object().get(object)) return false;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (!on_field(key, field.value())) return false;
  }
  return true;
}

inline bool read(od::parser& p, const simdjson::padded_string& json, Job& out) {
  return for_each_root_field(p, json, [&](std::string_view key, od::value v) {
    if (key == "type") return read(v, out.type);
    if (key == "schemaVersion") return read(v, out.schemaVersion);
    if (key == "id") return read(v, out.id);
    if (key == "tenant") return read(v, out.tenant);
    if (key == "priority") return read(v, out.priority);
    if (key == "createdAt") return read(v, out.createdAt);
    if (key == "payload") return read(v, out.payload);
    return true;
  });
}

inline bool read_line(od::value v, OrderLine& out) {
  return for_each_field(v, [&](std::string_view key, od::value x) {
    if (key == "sku") return read(x, out.sku);
    if (key == "name") return read(x, out.name);
    if (key == "quantity") return read(x, out.quantity);
    if (key == "unitPrice") return read(x, out.unitPrice);
    if (key == "discount") {
      bool is_null = false;
      if (x.is_null().get(is_null)) return false;
      if (is_null) {
        out.discount.reset();
        return true;
      }
      return read(x, out.discount.emplace());
    }
    if (key == "warehouse") return read(x, out.warehouse);
    return true;
  });
}

inline bool read(od::parser& p, const simdjson::padded_string& json, Order& out) {
  return for_each_root_field(p, json, [&](std::string_view key, od::value v) {
    if (key == "type") return read(v, out.type);
    if (key == "schemaVersion") return read(v, out.schemaVersion);
    if (key == "orderId") return read(v, out.orderId);
    if (key == "currency") return read(v, out.currency);
    if (key == "lines") return read_array(v, out.lines, read_line);
    if (key == "total") return read(v, out.total);
    return true;
  });
}

inline bool read(od::parser& p, const simdjson::padded_string& json, Note& out) {
  return for_each_root_field(p, json, [&](std::string_view key, od::value v) {
    if (key == "type") return read(v, out.type);
    if (key == "schemaVersion") return read(v, out.schemaVersion);
    if (key == "author") return read(v, out.author);
    if (key == "subject") return read(v, out.subject);
    if (key == "body") return read(v, out.body);
    if (key == "lines") {
      return read_array(v, out.lines, [](od::value e, std::string& s) { return read(e, s); });
    }
    return true;
  });
}

inline bool read_sample(od::value v, Sample& out) {
  return for_each_field(v, [&](std::string_view key, od::value x) {
    if (key == "t") return read(x, out.t);
    if (key == "value") return read(x, out.value);
    if (key == "count") return read(x, out.count);
    return true;
  });
}

inline bool read(od::parser& p, const simdjson::padded_string& json, Metrics& out) {
  return for_each_root_field(p, json, [&](std::string_view key, od::value v) {
    if (key == "type") return read(v, out.type);
    if (key == "schemaVersion") return read(v, out.schemaVersion);
    if (key == "host") return read(v, out.host);
    if (key == "samples") return read_array(v, out.samples, read_sample);
    if (key == "counters") {
      return read_array(v, out.counters, [](od::value e, std::int64_t& x) { return read(e, x); });
    }
    if (key == "gauges") {
      return read_array(v, out.gauges, [](od::value e, double& x) { return read(e, x); });
    }
    return true;
  });
}

inline bool read_account(od::value v, Account& out) {
  return for_each_field(v, [&](std::string_view key, od::value x) {
    if (key == "login") return read(x, out.login);
    if (key == "id") return read(x, out.id);
    return true;
  });
}

inline bool read_repository(od::value v, Repository& out) {
  return for_each_field(v, [&](std::string_view key, od::value x) {
    if (key == "id") return read(x, out.id);
    if (key == "full_name") return read(x, out.full_name);
    if (key == "private") return read(x, out.is_private);
    if (key == "owner") return read_account(x, out.owner);
    return true;
  });
}

// An optional member is reused when it holds a value, and reset when its key is absent.
template <class T>
T& reuse(std::optional<T>& slot) {
  return slot ? *slot : slot.emplace();
}

inline bool read(od::parser& p, const simdjson::padded_string& json, Webhook& out) {
  bool action = false, sender = false, repository = false, installation = false;
  const bool ok = for_each_root_field(p, json, [&](std::string_view key, od::value v) {
    if (key == "action") return action = read(v, reuse(out.action));
    if (key == "sender") return sender = read_account(v, reuse(out.sender));
    if (key == "repository") return repository = read_repository(v, reuse(out.repository));
    if (key == "installation") {
      Installation& target = reuse(out.installation);
      return installation = for_each_field(v, [&](std::string_view k, od::value x) {
               return k != "id" || read(x, target.id);
             });
    }
    return true;
  });
  if (!action) out.action.reset();
  if (!sender) out.sender.reset();
  if (!repository) out.repository.reset();
  if (!installation) out.installation.reset();
  return ok;
}

}  // namespace workloads::hand
