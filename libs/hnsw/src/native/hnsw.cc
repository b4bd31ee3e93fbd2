// Native face of @hvs-nvm/hnsw: one hnswlib HierarchicalNSW graph, typed arrays in and out, and a zero-copy view of
// the vectors it stores. hnswlib is the copy hnswlib-node ships (same version, same compiler flags as its addon).
//
// Every element keeps the caller's original vector, so the graph's own memory is also the vector store:
//   l2        [x]                 squared Euclidean distance (hnswlib's L2Space)
//   cosine    [y, 1/|y|, e]       x = y·2^e (e = 0 unless |x| is extreme, so the dot product cannot overflow);
//                                 distance 1 − cos(x, z) from hnswlib's inner product
//   poincare  [x, f]              f = 1/(1 + √(1+|x|²)): f·x is x's point in the Poincaré ball; distance |f·x − g·z|²
//   lorentz   [x, a, e (doubles)] a = |x|, e = √(1+|x|²) − a; distance −⟨x,z⟩_L − 1 = cosh d − 1 (lorentz_space.h)
//   lorentz64 [pad, x, a, e, 1/a]  the same over float64 coordinates (x as doubles), for points past radius ~15
// Labels are internal ids: a new label must be the next free slot, and hnswlib keeps an updated or re-added label in
// its slot, so the vector of label L sits at L·stride + dataOffset of the view.
// Over 400 lines: the N-API class, its worker and the allow-list search share the graph, its lock and its layout; one
// translation unit keeps them in the build as one addon.
#include <napi.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "hnswlib.h"
#include "gather.h"
#include "lorentz_space.h"
#include "mapped.h"
#include "quantized_space.h"

#include <v8.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

enum Metric { kL2 = 0, kCosine = 1, kPoincare = 2, kLorentz = 3, kLorentz64 = 4 };

/** Floats of one element of `metric` for `dim` coordinates. */
size_t elementFloats(int metric, size_t dim) {
  if (metric == kLorentz64) return hvslorentz::floats64(dim);
  return dim + (metric == kCosine ? 2 : metric == kPoincare ? 1 : metric == kLorentz ? hvslorentz::kExtraFloats : 0);
}

/** A vector argument: float32 or (lorentz64) float64 coordinates. */
struct Input {
  const void* data = nullptr;
  bool f64 = false;
  explicit operator bool() const { return data != nullptr; }
  /** Coordinate i of vector `row` of `dim` coordinates. */
  double at(size_t row, size_t dim, size_t i) const {
    return f64 ? static_cast<const double*>(data)[row * dim + i] : static_cast<const float*>(data)[row * dim + i];
  }
  /** Vector `row` as floats (float32 input only). */
  const float* floats(size_t row, size_t dim) const { return static_cast<const float*>(data) + row * dim; }
};

struct CosineParam {
  size_t dim;
  hnswlib::DISTFUNC<float> ip;
  void* ipParam;
};

float CosineDistance(const void* a, const void* b, const void* param) {
  const auto* p = static_cast<const CosineParam*>(param);
  const float* x = static_cast<const float*>(a);
  const float* z = static_cast<const float*>(b);
  const float dot = 1.0f - p->ip(a, b, p->ipParam);
  return 1.0f - dot * x[p->dim] * z[p->dim];
}

float PoincareDistance(const void* a, const void* b, const void* param) {
  const size_t dim = *static_cast<const size_t*>(param);
  const float* x = static_cast<const float*>(a);
  const float* z = static_cast<const float*>(b);
  const float f = x[dim];
  const float g = z[dim];
  float s = 0;
  size_t i = 0;
#if defined(USE_SSE)
  const __m128 vf = _mm_set1_ps(f);
  const __m128 vg = _mm_set1_ps(g);
  __m128 sum = _mm_setzero_ps();
  for (; i + 4 <= dim; i += 4) {
    const __m128 t = _mm_sub_ps(_mm_mul_ps(_mm_loadu_ps(x + i), vf), _mm_mul_ps(_mm_loadu_ps(z + i), vg));
    sum = _mm_add_ps(sum, _mm_mul_ps(t, t));
  }
  float lanes[4];
  _mm_storeu_ps(lanes, sum);
  s = lanes[0] + lanes[1] + lanes[2] + lanes[3];
#endif
  for (; i < dim; i++) {
    const float t = x[i] * f - z[i] * g;
    s += t * t;
  }
  return s;
}

/** The space of one graph: hnswlib's L2Space, or a layout of our own with one or two floats after the vector. */
class Space : public hnswlib::SpaceInterface<float> {
 public:
  Space(int metric, size_t dim) : metric_(metric), dim_(dim), l2_(dim), ip_(dim) {
    cosine_ = {dim, ip_.get_dist_func(), ip_.get_dist_func_param()};
  }
  size_t get_data_size() override { return floats() * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override {
    if (metric_ == kCosine) return CosineDistance;
    if (metric_ == kPoincare) return PoincareDistance;
    if (metric_ == kLorentz) return hvslorentz::distance;
    if (metric_ == kLorentz64) return hvslorentz::distance64;
    return l2_.get_dist_func();
  }
  void* get_dist_func_param() override {
    if (metric_ == kCosine) return &cosine_;
    if (metric_ == kPoincare || metric_ == kLorentz || metric_ == kLorentz64) return &dim_;
    return l2_.get_dist_func_param();
  }
  int metric() const { return metric_; }
  size_t dim() const { return dim_; }
  size_t floats() const { return elementFloats(metric_, dim_); }
  /** Bytes from an element's start to its first coordinate (lorentz64: the pad float). */
  size_t coordinateOffset() const { return metric_ == kLorentz64 ? sizeof(float) : 0; }

  /** Lays out vector `row` of `in` (float32, or float64 for lorentz64) as an element of this space. */
  bool element(const Input& in, size_t row, float* out, bool ball, std::string* error) const {
    if (!in.f64) return element(in.floats(row, dim_), out, ball, error);
    if (metric_ != kLorentz64) {
      *error = "float64 coordinates need the lorentz64 metric";
      return false;
    }
    std::vector<double> x(dim_);
    for (size_t i = 0; i < dim_; i++) {
      x[i] = in.at(row, dim_, i);
      if (!std::isfinite(x[i])) {
        *error = "element " + std::to_string(i) + " is not finite";
        return false;
      }
    }
    hvslorentz::element64(x.data(), out, dim_);
    return true;
  }

  /** Lays out `x` as an element of this space. `ball`: for poincare, x already is a point of the ball (f = 1). */
  bool element(const float* x, float* out, bool ball, std::string* error) const {
    double n2 = 0;
    for (size_t i = 0; i < dim_; i++) {
      if (!std::isfinite(x[i])) {
        *error = "element " + std::to_string(i) + " is not finite";
        return false;
      }
      n2 += static_cast<double>(x[i]) * x[i];
    }
    if (metric_ == kL2) {
      std::memcpy(out, x, dim_ * sizeof(float));
      return true;
    }
    if (metric_ == kLorentz) {
      hvslorentz::element(x, out, dim_);
      return true;
    }
    if (metric_ == kLorentz64) {
      std::vector<double> wide(x, x + dim_);
      hvslorentz::element64(wide.data(), out, dim_);
      return true;
    }
    if (metric_ == kPoincare) {
      std::memcpy(out, x, dim_ * sizeof(float));
      out[dim_] = ball ? 1.0f : static_cast<float>(1.0 / (1.0 + std::sqrt(1.0 + n2)));
      return true;
    }
    if (!(n2 > 0)) {
      *error = "the zero vector has no direction";
      return false;
    }
    // Power-of-two scaling is exact; it only matters for norms far outside what embeddings have.
    const double norm = std::sqrt(n2);
    int e = 0;
    if (norm > 0x1p40 || norm < 0x1p-40) e = std::ilogb(norm);
    double y2 = 0;
    for (size_t i = 0; i < dim_; i++) {
      out[i] = e == 0 ? x[i] : std::ldexp(x[i], -e);
      y2 += static_cast<double>(out[i]) * out[i];
    }
    out[dim_] = static_cast<float>(1.0 / std::sqrt(y2));
    out[dim_ + 1] = static_cast<float>(e);
    return true;
  }

 private:
  int metric_;
  size_t dim_;
  hnswlib::L2Space l2_;
  hnswlib::InnerProductSpace ip_;
  CosineParam cosine_{};
};

bool isTypedArrayOf(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

class JsFilter : public hnswlib::BaseFilterFunctor {
 public:
  JsFilter(Napi::Env env, Napi::Function fn) : env_(env), fn_(fn) {}
  bool operator()(hnswlib::labeltype label) override {
    if (failed_) return false;
    Napi::Value r = fn_.Call({Napi::Number::New(env_, static_cast<double>(label))});
    if (r.IsEmpty()) {
      failed_ = true;  // the exception stays pending and reaches the caller
      return false;
    }
    return r.ToBoolean().Value();
  }
  bool failed() const { return failed_; }

 private:
  Napi::Env env_;
  Napi::Function fn_;
  bool failed_ = false;
};

/**
 * An allow-list: label L passes when bit L of `bits` is set (bits past the end are clear), then the JS filter if any.
 * The bitset check costs a load and a shift per visited node, where a JS callback costs an N-API round trip.
 */
class AllowFilter : public hnswlib::BaseFilterFunctor {
 public:
  AllowFilter(const uint8_t* bits, size_t bytes, JsFilter* js) : bits_(bits), bytes_(bytes), js_(js) {}
  bool operator()(hnswlib::labeltype label) override {
    const size_t at = static_cast<size_t>(label) >> 3;
    if (at >= bytes_ || !((bits_[at] >> (label & 7)) & 1)) return false;
    return js_ ? (*js_)(label) : true;
  }

 private:
  const uint8_t* bits_;
  size_t bytes_;
  JsFilter* js_;
};

/**
 * Beam search that steers by the whole graph and keeps only admitted labels: the beam (ef nearest seen, admitted or
 * not) decides where to go and when to stop, exactly as an unfiltered search does, and every node whose distance was
 * computed on the way is offered to the results if `admit` takes it. hnswlib's own filtered search instead lets only
 * admitted nodes into the beam and never stops before it holds ef of them: at 10 % selectivity that walks ~ef/0.1
 * nodes and visits most of a small graph. This one costs what an unfiltered search of the same ef costs; a sparse
 * allow-list needs a wider ef (the caller's planner widens it, ACORN-style) or a scan of the candidates.
 */
std::priority_queue<std::pair<float, hnswlib::labeltype>> searchAdmitted(const hnswlib::HierarchicalNSW<float>& h,
                                                                         const void* q, size_t k, size_t ef,
                                                                         hnswlib::BaseFilterFunctor& admit) {
  using Pair = std::pair<float, hnswlib::tableint>;
  std::priority_queue<std::pair<float, hnswlib::labeltype>> results;
  if (h.cur_element_count == 0) return results;
  hnswlib::tableint current = h.enterpoint_node_;
  float currentDistance = h.fstdistfunc_(q, h.getDataByInternalId(current), h.dist_func_param_);
  for (int level = h.maxlevel_; level > 0; level--) {
    bool changed = true;
    while (changed) {
      changed = false;
      unsigned int* data = reinterpret_cast<unsigned int*>(h.get_linklist(current, level));
      const int size = h.getListCount(data);
      const hnswlib::tableint* links = reinterpret_cast<hnswlib::tableint*>(data + 1);
      for (int i = 0; i < size; i++) {
        const float d = h.fstdistfunc_(q, h.getDataByInternalId(links[i]), h.dist_func_param_);
        if (d < currentDistance) {
          currentDistance = d;
          current = links[i];
          changed = true;
        }
      }
    }
  }
  ef = std::max(ef, k);
  hnswlib::VisitedList* vl = h.visited_list_pool_->getFreeVisitedList();
  hnswlib::vl_type* visited = vl->mass;
  const hnswlib::vl_type tag = vl->curV;
  std::priority_queue<Pair> beam;                                             // farthest on top
  std::priority_queue<Pair, std::vector<Pair>, std::greater<Pair>> frontier;  // nearest on top
  auto offer = [&](float d, hnswlib::tableint id) {
    if (results.size() >= k && d >= results.top().first) return;
    if (h.isMarkedDeleted(id)) return;
    const hnswlib::labeltype label = h.getExternalLabel(id);
    if (!admit(label)) return;
    results.emplace(d, label);
    if (results.size() > k) results.pop();
  };
  visited[current] = tag;
  beam.emplace(currentDistance, current);
  frontier.emplace(currentDistance, current);
  offer(currentDistance, current);
  while (!frontier.empty()) {
    const Pair next = frontier.top();
    if (next.first > beam.top().first && beam.size() >= ef) break;
    frontier.pop();
    int* data = reinterpret_cast<int*>(h.get_linklist0(next.second));
    const size_t size = h.getListCount(reinterpret_cast<hnswlib::linklistsizeint*>(data));
    for (size_t j = 1; j <= size; j++) {
      const int id = data[j];
#ifdef USE_SSE
      if (j < size) _mm_prefetch(h.getDataByInternalId(data[j + 1]), _MM_HINT_T0);
#endif
      if (visited[id] == tag) continue;
      visited[id] = tag;
      const float d = h.fstdistfunc_(q, h.getDataByInternalId(id), h.dist_func_param_);
      offer(d, id);
      if (beam.size() < ef || d < beam.top().first) {
        frontier.emplace(d, id);
        beam.emplace(d, id);
        if (beam.size() > ef) beam.pop();
      }
    }
  }
  h.visited_list_pool_->releaseVisitedList(vl);
  return results;
}

class Graph;

/**
 * Inserts a batch on a libuv worker thread, one element at a time under the graph's exclusive lock, so searches on
 * the JS thread interleave with it (each waits for at most one insert) and JS goes on decoding and publishing.
 */
class AddBatchWorker : public Napi::AsyncWorker {
 public:
  AddBatchWorker(Napi::Env env, Graph* graph, Napi::Object self, Napi::TypedArray data, Input input,
                 Napi::Uint32Array labels, size_t threads);
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;
  Napi::Promise promise() { return deferred_.Promise(); }

 private:
  Graph* graph_;
  Napi::ObjectReference self_;
  Napi::ObjectReference dataRef_;
  Napi::ObjectReference labelsRef_;
  Input data_;
  const uint32_t* labels_;
  size_t count_;
  size_t threads_;
  Napi::Promise::Deferred deferred_;
  bool executeParallel();
  std::string insertChunk(const std::vector<float>& elements, size_t from, size_t to);
};

/**
 * openMapped on a libuv worker thread (mapping the file, checking its CRC-32, copying the upper levels): the JS
 * thread goes on meanwhile (a restart opens its connections). The graph is swapped in on the JS thread.
 */
class OpenMappedWorker : public Napi::AsyncWorker {
 public:
  OpenMappedWorker(Napi::Env env, Graph* graph, Napi::Object self, std::string path, size_t capacity, size_t deleted,
                   uint32_t crc, size_t bytes);
  ~OpenMappedWorker() override;
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;
  Napi::Promise promise() { return deferred_.Promise(); }

 private:
  Graph* graph_;
  Napi::ObjectReference self_;
  std::string path_;
  size_t capacity_, deleted_, bytes_;
  uint32_t crc_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> opened_;
  hvsmapped::Region region_;
  Napi::Promise::Deferred deferred_;
};

class Graph : public Napi::ObjectWrap<Graph> {
  friend class AddBatchWorker;
  friend class OpenMappedWorker;

 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Graph",
                                    {
                                        InstanceMethod("add", &Graph::Add),
                                        InstanceMethod("addBatch", &Graph::AddBatch),
                                        InstanceMethod("markDelete", &Graph::MarkDelete),
                                        InstanceMethod("resize", &Graph::Resize),
                                        InstanceMethod("setEf", &Graph::SetEf),
                                        InstanceMethod("search", &Graph::Search),
                                        InstanceMethod("scan", &Graph::Scan),
                                        InstanceMethod("gather", &Graph::Gather),
                                        InstanceMethod("buffer", &Graph::Buffer),
                                        InstanceMethod("layout", &Graph::Layout),
                                        InstanceMethod("save", &Graph::Save),
                                        InstanceMethod("load", &Graph::Load),
                                        InstanceMethod("openMapped", &Graph::OpenMapped),
                                        InstanceMethod("openMappedAsync", &Graph::OpenMappedAsync),
                                        InstanceMethod("isMapped", &Graph::IsMapped),
                                        InstanceMethod("count", &Graph::Count),
                                        InstanceMethod("capacity", &Graph::Capacity),
                                        InstanceMethod("isDeleted", &Graph::IsDeleted),
                                        InstanceMethod("readElement", &Graph::ReadElement),
                                        InstanceMethod("dispose", &Graph::Dispose),
                                    });
    exports.Set("Graph", fn);
    return exports;
  }

  // new Graph(metric, dim, capacity, M, efConstruction, seed, quantization = 0, rawPath = "", rescore = 4)
  // quantization 1 int8, 2 binary (cosine only): the graph holds codes, the float elements go to an unlinked file at
  // rawPath, and searches rescore k·rescore candidates exactly (see quantized_space.h).
  explicit Graph(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Graph>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 6) {
      Napi::TypeError::New(env, "Graph(metric, dim, capacity, M, efConstruction, seed)").ThrowAsJavaScriptException();
      return;
    }
    const int metric = info[0].As<Napi::Number>().Int32Value();
    const int64_t dim = info[1].As<Napi::Number>().Int64Value();
    const int64_t capacity = info[2].As<Napi::Number>().Int64Value();
    const int64_t M = info[3].As<Napi::Number>().Int64Value();
    const int64_t efc = info[4].As<Napi::Number>().Int64Value();
    const int64_t seed = info[5].As<Napi::Number>().Int64Value();
    if (metric < kL2 || metric > kLorentz64 || dim < 1 || capacity < 1 || M < 2 || efc < 1 || seed < 0) {
      Napi::RangeError::New(env, "Graph: bad metric, dim, capacity, M, efConstruction or seed").ThrowAsJavaScriptException();
      return;
    }
    const int quant = info.Length() > 6 && info[6].IsNumber() ? info[6].As<Napi::Number>().Int32Value() : 0;
    if (quant < hvsquant::kNone || quant > hvsquant::kBinary || (quant == hvsquant::kBinary && metric != kCosine) ||
        (quant != hvsquant::kNone && metric == kLorentz64)) {
      Napi::RangeError::New(env, "Graph: bad quantization (binary needs cosine; lorentz64 is not quantized)").ThrowAsJavaScriptException();
      return;
    }
    if (info.Length() > 8 && info[8].IsNumber()) rescore_ = std::max<int64_t>(1, info[8].As<Napi::Number>().Int64Value());
    try {
      space_ = std::make_unique<Space>(metric, static_cast<size_t>(dim));
      if (quant != hvsquant::kNone) {
        quant_ = std::make_unique<hvsquant::QuantSpace>(quant, metric, static_cast<size_t>(dim));
        raw_ = std::make_unique<hvsquant::RawStore>(info[7].As<Napi::String>().Utf8Value(), space_->floats());
      }
      index_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(graphSpace(), static_cast<size_t>(capacity),
                                                                  static_cast<size_t>(M), static_cast<size_t>(efc),
                                                                  static_cast<size_t>(seed));
      if (quant_) compactBookkeeping();
    } catch (const std::exception& e) {
      Napi::Error::New(env, std::string("Graph: ") + e.what()).ThrowAsJavaScriptException();
      return;
    }
    scratch_.resize(space_->floats());
  }

  ~Graph() override { hvsmapped::release(index_.get(), mapped_); }

 private:
  /** The space hnswlib sees: the codes when quantized, else the float elements. */
  hnswlib::SpaceInterface<float>* graphSpace() {
    return quant_ ? static_cast<hnswlib::SpaceInterface<float>*>(quant_.get()) : space_.get();
  }

  /** Exactly rescored nearest `k` of the quantized graph's k·rescore candidates for the laid-out query `element`. */
  std::priority_queue<std::pair<float, hnswlib::labeltype>> rescored(
      const float* element, size_t k, hnswlib::BaseFilterFunctor* admit, AllowFilter* allow);
  /** Inserts the laid-out `element` at `label` (the lock held): its code in the graph, the floats in the raw store. */
  void insertElement(const float* element, uint32_t label);
  /** Trains an untrained quantizer on (up to 20000 of) `count` vectors. */
  void trainOn(const float* vectors, size_t count);
  /** Retrains the quantizer on the stored elements and `element` (the next one), re-encoding the stored codes. */
  void retrain(const float* element);
  /** Quantized: drops hnswlib's label table and label locks (labels are slots; see quantized_graph.inc). */
  void compactBookkeeping();
  /** Quantized: `code` at `label` (an update of a used slot, or the next one) by internal id. */
  void insertCode(const uint8_t* code, uint32_t label);
  /** Quantized: markDelete by internal id (= label). */
  void markDeleteSlot(int64_t label);
  /** Whether insertElement may run on several threads at once (see AddBatchWorker::executeParallel). */
  bool parallelSafe() const;
  bool ready(Napi::Env env) {
    if (index_) return true;
    Napi::Error::New(env, "the graph is disposed").ThrowAsJavaScriptException();
    return false;
  }

  /** A Float32Array argument of exactly `length` floats, or null with a pending TypeError. */
  const float* floats(const Napi::CallbackInfo& info, size_t at, size_t length, const char* what) {
    if (!isTypedArrayOf(info[at], napi_float32_array)) {
      Napi::TypeError::New(info.Env(), std::string(what) + " must be a Float32Array").ThrowAsJavaScriptException();
      return nullptr;
    }
    Napi::Float32Array a = info[at].As<Napi::Float32Array>();
    if (a.ElementLength() != length) {
      Napi::RangeError::New(info.Env(), std::string(what) + " has " + std::to_string(a.ElementLength()) +
                                            " floats, the graph " + std::to_string(length))
          .ThrowAsJavaScriptException();
      return nullptr;
    }
    return a.Data();
  }

  /** A vector argument of `length` coordinates: a Float32Array, or for lorentz64 also a Float64Array. */
  Input input(const Napi::CallbackInfo& info, size_t at, size_t length, const char* what) {
    if (space_->metric() != kLorentz64 || !isTypedArrayOf(info[at], napi_float64_array)) {
      return Input{floats(info, at, length, what), false};
    }
    Napi::Float64Array a = info[at].As<Napi::Float64Array>();
    if (a.ElementLength() != length) {
      Napi::RangeError::New(info.Env(), std::string(what) + " has " + std::to_string(a.ElementLength()) +
                                            " floats, the graph " + std::to_string(length))
          .ThrowAsJavaScriptException();
      return Input{};
    }
    return Input{a.Data(), true};
  }

  /** The view JS reads vectors through dies with the memory under it: detached before any realloc or free. */
  void detachView() {
    if (!view_.IsEmpty()) {
      Napi::ArrayBuffer b = view_.Value();
      if (!b.IsDetached()) b.Detach();
      view_.Reset();
    }
  }

  // add(vector: Float32Array, label): label is an existing label (update in place) or count() (a new slot).
  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const Input x = input(info, 0, space_->dim(), "vector");
    if (!x) return env.Undefined();
    const int64_t label = info[1].As<Napi::Number>().Int64Value();
    if (label < 0 || label > UINT32_MAX) {
      Napi::RangeError::New(env, "label " + std::to_string(label) + " is not a slot").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const std::string error = addOne(x, 0, static_cast<uint32_t>(label), scratch_);
    if (!error.empty()) Napi::RangeError::New(env, error).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  /**
   * One insert, from JS (add) or the worker thread (addBatch): checks the label and the values, then adds under the
   * exclusive lock. Returns the reason it was refused, or "".
   */
  std::string addOne(const Input& x, size_t row, uint32_t label, std::vector<float>& element) {
    std::string error;
    if (!space_->element(x, row, element.data(), false, &error)) return "label " + std::to_string(label) + ": " + error;
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (!index_) return "the graph is disposed";
    hvsmapped::fillLookup(index_.get(), mapped_);
    const size_t count = index_->cur_element_count.load();
    if (label > count) {
      return "label " + std::to_string(label) + " is neither a used slot nor the next one (" + std::to_string(count) + ")";
    }
    if (label == count && count >= index_->max_elements_) {
      return "the graph is full (" + std::to_string(count) + " slots): resize first";
    }
    try {
      insertElement(element.data(), label);
    } catch (const std::exception& e) {
      return std::string("add: ") + e.what();
    }
    return "";
  }

  // addBatch(vectors: Float32Array (n·dim), labels: Uint32Array (n), threads = 1) -> Promise<void>; off the JS thread,
  // in order (threads > 1: new slots are taken in order, their links are made concurrently, see executeParallel).
  // The arrays must not change until it settles; no resize, load or dispose meanwhile (they would wait for it).
  Napi::Value AddBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const bool f64 = space_->metric() == kLorentz64 && isTypedArrayOf(info[0], napi_float64_array);
    if (!(f64 || isTypedArrayOf(info[0], napi_float32_array)) || !isTypedArrayOf(info[1], napi_uint32_array)) {
      Napi::TypeError::New(env, "addBatch takes a Float32Array of vectors and a Uint32Array of labels").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::TypedArray data = info[0].As<Napi::TypedArray>();
    const Input in{static_cast<const char*>(data.ArrayBuffer().Data()) + data.ByteOffset(), f64};
    Napi::Uint32Array labels = info[1].As<Napi::Uint32Array>();
    if (data.ElementLength() != labels.ElementLength() * space_->dim()) {
      Napi::RangeError::New(env, "addBatch: " + std::to_string(labels.ElementLength()) + " labels need " +
                                     std::to_string(labels.ElementLength() * space_->dim()) + " floats, got " +
                                     std::to_string(data.ElementLength()))
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    int64_t threads = 1;
    if (info.Length() > 2 && info[2].IsNumber()) threads = info[2].As<Napi::Number>().Int64Value();
    threads = std::max<int64_t>(1, std::min<int64_t>(threads, 64));
    auto* worker =
        new AddBatchWorker(env, this, info.This().As<Napi::Object>(), data, in, labels, static_cast<size_t>(threads));
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  }

  Napi::Value MarkDelete(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const int64_t label = info[0].As<Napi::Number>().Int64Value();
    std::unique_lock<std::shared_mutex> lock(mutex_);
    hvsmapped::fillLookup(index_.get(), mapped_);
    try {
      if (quant_) {
        markDeleteSlot(label);
      } else {
        index_->markDelete(static_cast<hnswlib::labeltype>(label));
      }
    } catch (const std::exception& e) {
      Napi::Error::New(env, std::string("markDelete: ") + e.what()).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  Napi::Value Resize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const int64_t capacity = info[0].As<Napi::Number>().Int64Value();
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (capacity < static_cast<int64_t>(index_->cur_element_count.load())) {
      Napi::RangeError::New(env, "cannot shrink below the slots in use").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    detachView();
    try {
      if (mapped_.base) {
        hvsmapped::resizeMapped(index_.get(), mapped_, static_cast<size_t>(capacity));
      } else {
        index_->resizeIndex(static_cast<size_t>(capacity));
      }
    } catch (const std::exception& e) {
      Napi::Error::New(env, std::string("resize: ") + e.what()).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  Napi::Value SetEf(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    std::unique_lock<std::shared_mutex> lock(mutex_);
    index_->setEf(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()));
    return env.Undefined();
  }

  // search(query, k, labelsOut: Uint32Array, distancesOut: Float32Array, filter?, ball?, allow?: Uint8Array) -> hits,
  // nearest first. `allow`: a bitset of the labels that may be returned (bit L of byte L>>3), checked before `filter`.
  Napi::Value Search(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const Input q = input(info, 0, space_->dim(), "query");
    if (!q) return env.Undefined();
    const int64_t k = info[1].As<Napi::Number>().Int64Value();
    if (!isTypedArrayOf(info[2], napi_uint32_array) || !isTypedArrayOf(info[3], napi_float32_array)) {
      Napi::TypeError::New(env, "search needs a Uint32Array and a Float32Array for its results").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint32Array labels = info[2].As<Napi::Uint32Array>();
    Napi::Float32Array distances = info[3].As<Napi::Float32Array>();
    if (k < 1 || static_cast<size_t>(k) > labels.ElementLength() || static_cast<size_t>(k) > distances.ElementLength()) {
      Napi::RangeError::New(env, "k must be at least 1 and fit the result arrays").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::unique_ptr<JsFilter> filter;
    if (info.Length() > 4 && info[4].IsFunction()) filter = std::make_unique<JsFilter>(env, info[4].As<Napi::Function>());
    const bool ball = info.Length() > 5 && info[5].ToBoolean().Value();
    std::unique_ptr<AllowFilter> allow;
    if (info.Length() > 6 && !info[6].IsUndefined() && !info[6].IsNull()) {
      if (!isTypedArrayOf(info[6], napi_uint8_array)) {
        Napi::TypeError::New(env, "search: allow must be a Uint8Array bitset").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      Napi::Uint8Array bits = info[6].As<Napi::Uint8Array>();
      allow = std::make_unique<AllowFilter>(bits.Data(), bits.ElementLength(), filter.get());
    }
    hnswlib::BaseFilterFunctor* admit = allow ? static_cast<hnswlib::BaseFilterFunctor*>(allow.get()) : filter.get();
    std::vector<float> element(space_->floats());
    std::string error;
    if (!space_->element(q, 0, element.data(), ball, &error)) {
      Napi::RangeError::New(env, "query: " + error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::priority_queue<std::pair<float, hnswlib::labeltype>> top;
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      try {
        top = quant_  ? rescored(element.data(), static_cast<size_t>(k), admit, allow.get())
              : allow ? searchAdmitted(*index_, element.data(), static_cast<size_t>(k), index_->ef_, *allow)
                      : index_->searchKnn(element.data(), static_cast<size_t>(k), admit);
      } catch (const std::exception& e) {
        Napi::Error::New(env, std::string("search: ") + e.what()).ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
    if (filter && filter->failed()) return env.Undefined();
    const size_t n = top.size();
    uint32_t* outLabels = labels.Data();
    float* outDistances = distances.Data();
    for (size_t i = n; i-- > 0;) {
      outLabels[i] = static_cast<uint32_t>(top.top().second);
      outDistances[i] = top.top().first;
      top.pop();
    }
    return Napi::Number::New(env, static_cast<double>(n));
  }

  // scan(query, candidates: Uint32Array, count, k, labelsOut, distancesOut, ball?) -> hits, nearest first: the k nearest
  // of candidates[0..count) by the graph's own distance (SIMD), skipping deleted labels and labels past count().
  Napi::Value Scan(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const Input q = input(info, 0, space_->dim(), "query");
    if (!q) return env.Undefined();
    if (!isTypedArrayOf(info[1], napi_uint32_array) || !isTypedArrayOf(info[4], napi_uint32_array) ||
        !isTypedArrayOf(info[5], napi_float32_array)) {
      Napi::TypeError::New(env, "scan(query, candidates: Uint32Array, count, k, labels: Uint32Array, distances: Float32Array)")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint32Array candidates = info[1].As<Napi::Uint32Array>();
    const int64_t count = info[2].As<Napi::Number>().Int64Value();
    const int64_t k = info[3].As<Napi::Number>().Int64Value();
    Napi::Uint32Array labels = info[4].As<Napi::Uint32Array>();
    Napi::Float32Array distances = info[5].As<Napi::Float32Array>();
    if (count < 0 || static_cast<size_t>(count) > candidates.ElementLength() || k < 1 ||
        static_cast<size_t>(k) > labels.ElementLength() || static_cast<size_t>(k) > distances.ElementLength()) {
      Napi::RangeError::New(env, "scan: count must fit the candidates, k (at least 1) the result arrays").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const bool ball = info.Length() > 6 && info[6].ToBoolean().Value();
    std::vector<float> element(space_->floats());
    std::string error;
    if (!space_->element(q, 0, element.data(), ball, &error)) {
      Napi::RangeError::New(env, "query: " + error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const uint32_t* c = candidates.Data();
    std::priority_queue<std::pair<float, uint32_t>> top;
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      const size_t used = index_->cur_element_count.load();
      const size_t want = static_cast<size_t>(k);
      auto dist = quant_ ? space_->get_dist_func() : index_->fstdistfunc_;
      void* param = quant_ ? space_->get_dist_func_param() : index_->dist_func_param_;
      std::vector<float> stored(quant_ ? space_->floats() : 0);
      for (int64_t i = 0; i < count; i++) {
        const uint32_t label = c[i];
        if (label >= used || index_->isMarkedDeleted(label)) continue;
        if (quant_ && !raw_->read(label, stored.data())) continue;
        const void* at = quant_ ? static_cast<const void*>(stored.data()) : index_->getDataByInternalId(label);
        const float d = dist(element.data(), at, param);
        if (top.size() < want) {
          top.emplace(d, label);
        } else if (d < top.top().first) {
          top.pop();
          top.emplace(d, label);
        }
      }
    }
    const size_t n = top.size();
    uint32_t* outLabels = labels.Data();
    float* outDistances = distances.Data();
    for (size_t i = n; i-- > 0;) {
      outLabels[i] = top.top().second;
      outDistances[i] = top.top().first;
      top.pop();
    }
    return Napi::Number::New(env, static_cast<double>(n));
  }

  // gather(query, labels: Uint32Array, count, sums: Float64Array, vectors?: Float32Array): the exact distances' float64
  // sums of labels[0..count) (l2 one per hit, cosine two, poincare none) and, with `vectors`, copies of their original
  // vectors (see gather.h).
  Napi::Value Gather(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const size_t dim = space_->dim();
    if (space_->metric() == kLorentz64) {
      Napi::Error::New(env, "gather: a lorentz64 graph has no float sums to gather").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const float* q = floats(info, 0, dim, "query");
    if (!q) return env.Undefined();
    const bool withVectors = info.Length() > 4 && !info[4].IsUndefined();
    if (!isTypedArrayOf(info[1], napi_uint32_array) || !isTypedArrayOf(info[3], napi_float64_array) ||
        (withVectors && !isTypedArrayOf(info[4], napi_float32_array))) {
      Napi::TypeError::New(env, "gather(query, labels: Uint32Array, count, sums: Float64Array, vectors?: Float32Array)")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint32Array labels = info[1].As<Napi::Uint32Array>();
    const int64_t count = info[2].As<Napi::Number>().Int64Value();
    Napi::Float64Array sums = info[3].As<Napi::Float64Array>();
    const size_t perHit = space_->metric() == kL2 ? 1 : space_->metric() == kCosine ? 2 : 0;
    float* vectors = withVectors ? info[4].As<Napi::Float32Array>().Data() : nullptr;
    if (count < 0 || static_cast<size_t>(count) > labels.ElementLength() || perHit * count > sums.ElementLength() ||
        (withVectors && dim * count > info[4].As<Napi::Float32Array>().ElementLength())) {
      Napi::RangeError::New(env, "gather: count must fit the labels, the sums and the vectors").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::shared_lock<std::shared_mutex> lock(mutex_);
    const uint32_t* l = labels.Data();
    const size_t used = index_->cur_element_count.load();
    for (int64_t i = 0; i < count; i++) {
      if (l[i] >= used) {
        Napi::RangeError::New(env, "gather: label " + std::to_string(l[i]) + " is past the graph's elements").ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
    hvsgather::gather(*index_, dim, space_->metric() == kCosine, perHit, q, l, static_cast<size_t>(count), sums.Data(), vectors);
    return env.Undefined();
  }

  // buffer(): an ArrayBuffer over the graph's element memory (detached when the memory moves).
  Napi::Value Buffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (quant_) {
      Napi::Error::New(env, "buffer: a quantized graph holds codes, not the vectors").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (!view_.IsEmpty() && !view_.Value().IsDetached()) return view_.Value();
    const size_t bytes = index_->max_elements_ * index_->size_data_per_element_;
    Napi::ArrayBuffer b = Napi::ArrayBuffer::New(env, index_->data_level0_memory_, bytes);
    view_ = Napi::Persistent(b);
    return b;
  }

  // layout(): [strideBytes, dataOffsetBytes, floatsPerElement]
  Napi::Value Layout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    Napi::Array a = Napi::Array::New(env, 3);
    a.Set(0u, Napi::Number::New(env, static_cast<double>(index_->size_data_per_element_)));
    a.Set(1u, Napi::Number::New(env, static_cast<double>(index_->offsetData_ + space_->coordinateOffset())));
    a.Set(2u, Napi::Number::New(env, static_cast<double>(space_->floats())));
    return a;
  }

  Napi::Value Save(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    std::shared_lock<std::shared_mutex> lock(mutex_);
    try {
      index_->saveIndex(path);
      if (quant_) saveSidecar(path + ".raw");
    } catch (const std::exception& e) {
      Napi::Error::New(env, std::string("save: ") + e.what()).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  // load(path, capacity): replaces this graph with the one saved at path; throws if it does not fit this space.
  Napi::Value Load(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    const int64_t capacity = info[1].As<Napi::Number>().Int64Value();
    std::unique_lock<std::shared_mutex> lock(mutex_);
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> loaded;
    try {
      loaded = std::make_unique<hnswlib::HierarchicalNSW<float>>(graphSpace(), path, false,
                                                                  static_cast<size_t>(std::max<int64_t>(capacity, 0)));
    } catch (const std::exception& e) {
      Napi::Error::New(env, std::string("load: ") + e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (loaded->data_size_ != graphSpace()->get_data_size() ||
        loaded->size_data_per_element_ != loaded->size_links_level0_ + loaded->data_size_ + sizeof(hnswlib::labeltype)) {
      Napi::Error::New(env, "load: the file was written for another layout").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const size_t count = loaded->cur_element_count.load();
    for (size_t i = 0; i < count; i++) {
      if (loaded->getExternalLabel(static_cast<hnswlib::tableint>(i)) != i) {
        Napi::Error::New(env, "load: labels are not slots in this file").ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
    if (quant_) {
      const std::string error = loadSidecar(path + ".raw", count);
      if (!error.empty()) {
        Napi::Error::New(env, "load: " + error).ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
    detachView();
    hvsmapped::release(index_.get(), mapped_);
    index_ = std::move(loaded);
    if (quant_) compactBookkeeping();
    return env.Undefined();
  }

  /** openMapped's arguments (path, capacity, deleted, crc32, bytes), checked; false (with a JS exception) if bad. */
  struct MappedArgs {
    std::string path;
    size_t capacity = 0, deleted = 0, bytes = 0;
    uint32_t crc = 0;
  };
  bool mappedArgs(const Napi::CallbackInfo& info, MappedArgs* out) {
    Napi::Env env = info.Env();
    if (!ready(env)) return false;
    const int64_t capacity = info[1].As<Napi::Number>().Int64Value();
    const int64_t deleted = info[2].As<Napi::Number>().Int64Value();
    const int64_t bytes = info[4].As<Napi::Number>().Int64Value();
    if (capacity < 0 || deleted < 0 || bytes < 0) {
      Napi::RangeError::New(env, "openMapped: capacity, deleted and bytes are counts").ThrowAsJavaScriptException();
      return false;
    }
    if (quant_) {
      Napi::Error::New(env, "openMapped: a quantized graph is loaded with load").ThrowAsJavaScriptException();
      return false;
    }
    out->path = info[0].As<Napi::String>().Utf8Value();
    out->capacity = static_cast<size_t>(capacity);
    out->deleted = static_cast<size_t>(deleted);
    out->crc = info[3].As<Napi::Number>().Uint32Value();
    out->bytes = static_cast<size_t>(bytes);
    return true;
  }

  // openMapped(path, capacity, deleted, crc32, bytes): replaces this graph with the one saved at path, served from a
  // private mapping of the file (see mapped.h); throws if the file is not the one described or does not fit.
  Napi::Value OpenMapped(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    MappedArgs a;
    if (!mappedArgs(info, &a)) return env.Undefined();
    std::unique_lock<std::shared_mutex> lock(mutex_);
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> opened;
    hvsmapped::Region region;
    std::string error;
    try {
      error = hvsmapped::openMapped(a.path, space_.get(), a.capacity, a.deleted, a.crc, a.bytes, opened, region);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      Napi::Error::New(env, "openMapped: " + error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    detachView();
    hvsmapped::release(index_.get(), mapped_);
    index_ = std::move(opened);
    mapped_ = region;
    return env.Undefined();
  }

  // openMappedAsync(path, capacity, deleted, crc32, bytes): openMapped with the file's work on a worker thread; a
  // promise, rejected as openMapped throws. The graph must not be used until it settles.
  Napi::Value OpenMappedAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    MappedArgs a;
    if (!mappedArgs(info, &a)) return env.Undefined();
    auto* worker = new OpenMappedWorker(env, this, info.This().As<Napi::Object>(), a.path, a.capacity, a.deleted, a.crc, a.bytes);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  }

  // isMapped(): whether the element memory is still (partly) the mapped file.
  Napi::Value IsMapped(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), mapped_.base != nullptr); }

  Napi::Value Count(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    return Napi::Number::New(env, static_cast<double>(index_->cur_element_count.load()));
  }

  Napi::Value Capacity(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    return Napi::Number::New(env, static_cast<double>(index_->max_elements_));
  }

  Napi::Value IsDeleted(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    const int64_t label = info[0].As<Napi::Number>().Int64Value();
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (label < 0 || label >= static_cast<int64_t>(index_->cur_element_count.load())) return Napi::Boolean::New(env, false);
    return Napi::Boolean::New(env, index_->isMarkedDeleted(static_cast<hnswlib::tableint>(label)));
  }

  // readElement(label, out: Float32Array of layout()[2] floats): a quantized graph's laid-out float element.
  Napi::Value ReadElement(const Napi::CallbackInfo& info);

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    detachView();
    hvsmapped::release(index_.get(), mapped_);
    index_.reset();
    return info.Env().Undefined();
  }

  void saveSidecar(const std::string& path) const;
  std::string loadSidecar(const std::string& path, size_t count);

  std::unique_ptr<Space> space_;
  /** Set when quantized: the codes' space and the float elements' store. */
  std::unique_ptr<hvsquant::QuantSpace> quant_;
  std::unique_ptr<hvsquant::RawStore> raw_;
  size_t rescore_ = 4;
  /** Elements the int8 quantizer was trained on: below kWarmTraining, each new one retrains it (see retrain). */
  size_t trainedOn_ = 0;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index_;
  std::vector<float> scratch_;
  Napi::Reference<Napi::ArrayBuffer> view_;
  std::shared_mutex mutex_;
  /** Set while the graph is served from a mapped file (openMapped). */
  hvsmapped::Region mapped_;
};

// trimAllocator(): hands the allocator's free memory back to the OS (glibc keeps what bursts of small buffers freed,
// e.g. a replay's decoded events); returns whether anything was released.
Napi::Value TrimAllocator(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].ToBoolean().Value()) v8::Isolate::GetCurrent()->LowMemoryNotification();
#if defined(__GLIBC__)
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

AddBatchWorker::AddBatchWorker(Napi::Env env, Graph* graph, Napi::Object self, Napi::TypedArray data, Input input,
                               Napi::Uint32Array labels, size_t threads)
    : Napi::AsyncWorker(env, "hnsw.addBatch"),
      graph_(graph),
      self_(Napi::Persistent(self)),
      dataRef_(Napi::Persistent(data.As<Napi::Object>())),
      labelsRef_(Napi::Persistent(labels.As<Napi::Object>())),
      data_(input),
      labels_(labels.Data()),
      count_(labels.ElementLength()),
      threads_(threads),
      deferred_(Napi::Promise::Deferred::New(env)) {}

void AddBatchWorker::Execute() {
  std::vector<float> element(graph_->space_->floats());
  if (graph_->quant_) graph_->trainOn(data_.floats(0, 0), count_);
  if (graph_->parallelSafe() && executeParallel()) return;
  for (size_t i = 0; i < count_; i++) {
    const std::string error = graph_->addOne(data_, i, labels_[i], element);
    if (!error.empty()) {
      SetError("addBatch: item " + std::to_string(i) + ": " + error);
      return;
    }
  }
}

// ---- Parallel insertion -------------------------------------------------------------------------------------------
// hnswlib's addPoint is safe across threads (a lock per element's links, one for the label table, one for the entry
// point). What we add on top: slots stay labels (a new label takes internal id cur_element_count, so the thread of
// label L waits until the count is L before it calls addPoint, and the id is taken first thing there; the wait is a
// few instructions of the previous thread), and searches still interleave: the batch runs in chunks, each under the
// graph's exclusive lock, so a search waits for at most one chunk (kChunkPerThread inserts per thread).
constexpr size_t kParallelMin = 64;
constexpr size_t kChunkPerThread = 32;

/** Inserts items [from, to) (their elements laid out already) with threads_ threads; returns the error, or "". */
std::string AddBatchWorker::insertChunk(const std::vector<float>& elements, size_t from, size_t to) {
  const size_t floats = graph_->space_->floats();
  std::unique_lock<std::shared_mutex> lock(graph_->mutex_);
  auto& index = graph_->index_;
  if (!index) return "the graph is disposed";
  // A graph opened over a mapping: the label map (updates of used slots look their label up) and the link locks.
  hvsmapped::fillLookup(index.get(), graph_->mapped_);
  const size_t count = index->cur_element_count.load();
  // Updates (labels of used slots) one by one first, then the new slots, which must be count, count + 1, ... in
  // order; anything else (a label twice, a gap, no room) goes one by one, with the error addOne would give.
  std::vector<size_t> fresh;
  bool serial = false;
  for (size_t i = from; i < to; i++) {
    const uint32_t label = labels_[i];
    if (label < count) continue;
    if (label != count + fresh.size()) serial = true;
    fresh.push_back(i);
  }
  if (count + fresh.size() > index->max_elements_) serial = true;
  for (size_t i = from; i < to && !serial; i++) {
    for (size_t j = from; j < i; j++) serial = serial || labels_[j] == labels_[i];
  }
  auto one = [&](size_t i) -> std::string {
    const uint32_t label = labels_[i];
    const size_t used = index->cur_element_count.load();
    if (label > used) {
      return "label " + std::to_string(label) + " is neither a used slot nor the next one (" + std::to_string(used) + ")";
    }
    if (label == used && used >= index->max_elements_) {
      return "the graph is full (" + std::to_string(used) + " slots): resize first";
    }
    try {
      graph_->insertElement(elements.data() + (i - from) * floats, label);
    } catch (const std::exception& e) {
      return std::string("add: ") + e.what();
    }
    return "";
  };
  if (serial) {
    for (size_t i = from; i < to; i++) {
      std::string error = one(i);
      if (!error.empty()) return "item " + std::to_string(i) + ": " + error;
    }
    return "";
  }
  for (size_t i = from; i < to; i++) {
    if (labels_[i] >= count) continue;
    std::string error = one(i);
    if (!error.empty()) return "item " + std::to_string(i) + ": " + error;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::string firstError;
  std::mutex errorLock;
  auto work = [&]() {
    for (;;) {
      const size_t j = next.fetch_add(1);
      if (j >= fresh.size() || failed.load()) return;
      const size_t i = fresh[j];
      const size_t label = labels_[i];
      while (index->cur_element_count.load() < label) {
        if (failed.load()) return;
        std::this_thread::yield();
      }
      try {
        graph_->insertElement(elements.data() + (i - from) * floats, static_cast<uint32_t>(label));
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> guard(errorLock);
        if (!failed.exchange(true)) firstError = "item " + std::to_string(i) + ": add: " + e.what();
        return;
      }
    }
  };
  std::vector<std::thread> helpers;
  const size_t extra = std::min(threads_, fresh.size()) - 1;
  for (size_t t = 0; t < extra; t++) helpers.emplace_back(work);
  work();
  for (auto& t : helpers) t.join();
  return firstError;
}

/** The batch with threads_ > 1 threads; false when it is too small for that (then Execute inserts it one by one). */
bool AddBatchWorker::executeParallel() {
  if (threads_ <= 1 || count_ < kParallelMin) return false;
  const size_t floats = graph_->space_->floats();
  const size_t chunk = threads_ * kChunkPerThread;
  std::vector<float> elements(chunk * floats);
  for (size_t from = 0; from < count_; from += chunk) {
    const size_t to = std::min(count_, from + chunk);
    // Bad values stop the batch at their item: the items before it go in, as one by one.
    size_t end = to;
    std::string bad;
    for (size_t i = from; i < to; i++) {
      std::string error;
      if (!graph_->space_->element(data_, i, elements.data() + (i - from) * floats, false, &error)) {
        bad = "item " + std::to_string(i) + ": label " + std::to_string(labels_[i]) + ": " + error;
        end = i;
        break;
      }
    }
    std::string error = end > from ? insertChunk(elements, from, end) : "";
    if (error.empty()) error = bad;
    if (!error.empty()) {
      SetError("addBatch: " + error);
      return true;
    }
  }
  return true;
}

void AddBatchWorker::OnOK() { deferred_.Resolve(Env().Undefined()); }

OpenMappedWorker::OpenMappedWorker(Napi::Env env, Graph* graph, Napi::Object self, std::string path, size_t capacity,
                                   size_t deleted, uint32_t crc, size_t bytes)
    : Napi::AsyncWorker(env, "hnsw.openMapped"),
      graph_(graph),
      self_(Napi::Persistent(self)),
      path_(std::move(path)),
      capacity_(capacity),
      deleted_(deleted),
      bytes_(bytes),
      crc_(crc),
      deferred_(Napi::Promise::Deferred::New(env)) {}

OpenMappedWorker::~OpenMappedWorker() {
  // Opened but never swapped in (an error, or the graph disposed meanwhile): the mapping is ours to release.
  if (opened_) {
    opened_->data_level0_memory_ = nullptr;
    opened_.reset();
  }
  if (region_.base) munmap(region_.base, region_.reservedBytes);
}

void OpenMappedWorker::Execute() {
  // Only the worker's own objects: the graph's space is read-only after construction.
  std::string error;
  try {
    error = hvsmapped::openMapped(path_, graph_->space_.get(), capacity_, deleted_, crc_, bytes_, opened_, region_);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) SetError("openMapped: " + error);
}

void OpenMappedWorker::OnOK() {
  std::unique_lock<std::shared_mutex> lock(graph_->mutex_);
  if (!graph_->index_) {
    deferred_.Reject(Napi::Error::New(Env(), "openMapped: the graph was disposed meanwhile").Value());
    return;
  }
  graph_->detachView();
  hvsmapped::release(graph_->index_.get(), graph_->mapped_);
  graph_->index_ = std::move(opened_);
  graph_->mapped_ = region_;
  region_ = hvsmapped::Region{};
  deferred_.Resolve(Env().Undefined());
}

void OpenMappedWorker::OnError(const Napi::Error& e) { deferred_.Reject(e.Value()); }

void AddBatchWorker::OnError(const Napi::Error& e) { deferred_.Reject(e.Value()); }

#include "quantized_graph.inc"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("trimAllocator", Napi::Function::New(env, TrimAllocator));
  return Graph::Init(env, exports);
}

}  // namespace

NODE_API_MODULE(hnsw, Init)
