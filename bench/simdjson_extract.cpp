// The map benchmark's measuring stick (bench only, not part of tinkr):
// simdjson On-Demand extracting the same fields from the same _search
// response as core.map.rows, copying every value out of the buffer.
//
//   simdjson_extract FILE PASSES NAME=PATH...
//
// PATH names where the field sits in the hit, keys separated by '/'
// ("_source/resource/service.name": the flat dotted key inside `resource`,
// "_id", "sort").  A
// string is copied unescaped, a number read as int64 (else double), an
// object or array copied as its JSON text.  Prints the kernels, the
// row count and the median CPU and wall milliseconds of a pass (parse and
// extract; the file is read once, before timing).
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

using namespace simdjson;

namespace {

struct Value {
  enum Kind { NONE, STR, INT, DBL, BOOL, NUL, RAW } kind = NONE;
  std::string s;
  int64_t i = 0;
  double d = 0;
};

struct Node {                 // a trie of the wanted paths inside a hit
  std::string key;
  int field = -1;             // >= 0: the value is this field
  std::vector<Node> kids;
};

using Row = std::vector<Value>;

Node *child(Node &n, std::string_view key)
{
  for (auto &k : n.kids)
    if (k.key == key) return &k;
  n.kids.push_back(Node{std::string(key), -1, {}});
  return &n.kids.back();
}

void take(ondemand::value v, Value &out)
{
  switch (v.type().value()) {
  case ondemand::json_type::string:
    out.kind = Value::STR;
    out.s.assign(std::string_view(v.get_string().value()));
    break;
  case ondemand::json_type::number: {
    int64_t i;
    if (v.get_int64().get(i) == SUCCESS) {
      out.kind = Value::INT;
      out.i = i;
    } else {
      out.kind = Value::DBL;
      out.d = v.get_double().value();
    }
    break;
  }
  case ondemand::json_type::boolean:
    out.kind = Value::BOOL;
    out.i = v.get_bool().value();
    break;
  case ondemand::json_type::null:
    out.kind = Value::NUL;
    break;
  case ondemand::json_type::object:
    out.kind = Value::RAW;
    out.s.assign(std::string_view(v.get_object().value().raw_json().value()));
    break;
  case ondemand::json_type::array:
    out.kind = Value::RAW;
    out.s.assign(std::string_view(v.get_array().value().raw_json().value()));
    break;
  }
}

void walk(ondemand::object obj, const Node &n, Row &row)
{
  for (auto member : obj) {
    std::string_view key = member.unescaped_key().value();
    for (const auto &k : n.kids) {
      if (k.key != key) continue;
      ondemand::value v = member.value().value();
      ondemand::object inner;
      if (k.kids.empty()) {
        take(v, row[(size_t)k.field]);
      } else if (v.get_object().get(inner) == SUCCESS) {
        walk(inner, k, row);
        if (k.field >= 0) {      // wanted whole as well: read it again
          inner.reset();
          row[(size_t)k.field].kind = Value::RAW;
          row[(size_t)k.field].s.assign(std::string_view(inner.raw_json().value()));
        }
      }
      break;
    }
  }
}

size_t extract(ondemand::parser &parser, const padded_string &json, const Node &paths,
               size_t nfields, std::vector<Row> &rows)
{
  ondemand::document doc = parser.iterate(json);
  ondemand::array hits = doc["hits"]["hits"].get_array();
  for (auto hit : hits) {
    Row row(nfields);
    walk(hit.get_object(), paths, row);
    rows.push_back(std::move(row));
  }
  return rows.size();
}

double ms(clockid_t clock)
{
  timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

double median(std::vector<double> v)
{
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char **argv)
{
  if (argc < 4) {
    std::fprintf(stderr, "usage: simdjson_extract FILE PASSES NAME=PATH...\n");
    return 2;
  }
  int passes = std::atoi(argv[2]);
  Node paths;
  size_t nfields = 0;
  for (int a = 3; a < argc; a++) {
    std::string_view spec(argv[a]);
    size_t eq = spec.find('=');
    if (eq == std::string_view::npos) {
      std::fprintf(stderr, "simdjson_extract: NAME=PATH expected, got %s\n", argv[a]);
      return 2;
    }
    Node *n = &paths;
    std::string_view path = spec.substr(eq + 1);
    for (size_t at = 0;;) {
      size_t slash = path.find('/', at);
      n = child(*n, path.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at));
      if (slash == std::string_view::npos) break;
      at = slash + 1;
    }
    n->field = (int)nfields++;
  }
  padded_string json;
  if (padded_string::load(argv[1]).get(json) != SUCCESS) {
    std::fprintf(stderr, "simdjson_extract: cannot read %s\n", argv[1]);
    return 1;
  }
  ondemand::parser parser;
  std::vector<double> cpu, wall;
  size_t n = 0;
  try {
    for (int p = 0; p < passes; p++) {
      std::vector<Row> rows;
      double c0 = ms(CLOCK_PROCESS_CPUTIME_ID), w0 = ms(CLOCK_MONOTONIC);
      n = extract(parser, json, paths, nfields, rows);
      cpu.push_back(ms(CLOCK_PROCESS_CPUTIME_ID) - c0);
      wall.push_back(ms(CLOCK_MONOTONIC) - w0);
      if (rows.empty() || rows[0][0].kind == Value::NONE) {
        std::fprintf(stderr, "simdjson_extract: the first field is missing from the first row\n");
        return 1;
      }
      if (p == 0 && std::getenv("SIMDJSON_EXTRACT_SHOW")) {   // what was read, to check by eye
        for (size_t f = 0; f < nfields; f++) {
          const Value &v = rows[0][f];
          std::fprintf(stderr, "%s: kind %d %s %lld\n", argv[3 + f], (int)v.kind, v.s.c_str(), (long long)v.i);
        }
      }
    }
  } catch (const simdjson_error &e) {
    std::fprintf(stderr, "simdjson_extract: %s\n", e.what());
    return 1;
  }
  // stage 1 runs the library's kernel for this CPU; the On-Demand walk is
  // compiled here, for the kernel the compiler flags allow.
  std::printf("kernel %s stage 1, %s On-Demand\nrows %zu\ncpu %.3f\nwall %.3f\n",
              get_active_implementation()->name().c_str(),
              SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION), n, median(cpu), median(wall));
  return 0;
}
