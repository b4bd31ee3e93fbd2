// Quantized spaces for @hvs-nvm/hnsw: the graph holds compact codes; the full float elements live in a RawStore (an
// unlinked file, read back with pread, so they never count in the process's resident memory) for exact rescoring.
//   int8    code c_i = round((p_i − min_i)/s) in [0, 255] (l2, poincare: p is x or the ball image f·x; distance
//           s²·Σ(c−d)² accumulated in int32) or c_i = round(p_i/s) in [−127, 127] (cosine: p = x/|x|; distance
//           1 − s²·Σc·d). min_i per dimension, s one scale, trained on a sample (the first batch).
//   binary  the sign bits of p = x/|x| (cosine only); distance: the Hamming distance (popcount) between two codes,
//           and between a search's query and a code the asymmetric 1 − q·b/(|q|·√d) (b the code's ±1 signs, q the
//           query's floats): the query keeps its precision, so the graph is steered by a far finer estimate than
//           the query's own sign bits give (at 128-d on a clustered set, Hamming alone finds ~0.4 of the true 10).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "hnswlib.h"

namespace hvsquant {

enum Mode { kNone = 0, kInt8 = 1, kBinary = 2 };

/**
 * The query of the search running on this thread (see QueryScope): its code, then its point's dim floats. The graph
 * hands the query to the distance as its first argument, unchanged, so the pointer tells it from a stored code.
 */
inline thread_local const void* tQuery = nullptr;


struct Params {
  size_t dim = 0;
  size_t words = 0;  // binary: 64-bit words per code
  bool centered = false;  // cosine: codes are signed, no per-dimension minimum
  float scale = 0;
  std::vector<float> mins;
  /** binary: 1/√dim (the query's point is unit length). */
  float invNormRootDim = 0;
};

/** Marks `query` (a code followed by its point, see tQuery) as this thread's search query while in scope. */
class QueryScope {
 public:
  explicit QueryScope(const void* query) : previous_(tQuery) { tQuery = query; }
  ~QueryScope() { tQuery = previous_; }
  QueryScope(const QueryScope&) = delete;
  QueryScope& operator=(const QueryScope&) = delete;

 private:
  const void* previous_;
};

inline float L2Int8(const void* a, const void* b, const void* param) {
  const auto* p = static_cast<const Params*>(param);
  const uint8_t* x = static_cast<const uint8_t*>(a);
  const uint8_t* z = static_cast<const uint8_t*>(b);
  int32_t s = 0;
  for (size_t i = 0; i < p->dim; i++) {
    const int32_t t = static_cast<int32_t>(x[i]) - static_cast<int32_t>(z[i]);
    s += t * t;
  }
  return p->scale * p->scale * static_cast<float>(s);
}

inline float CosineInt8(const void* a, const void* b, const void* param) {
  const auto* p = static_cast<const Params*>(param);
  const int8_t* x = static_cast<const int8_t*>(a);
  const int8_t* z = static_cast<const int8_t*>(b);
  int32_t s = 0;
  for (size_t i = 0; i < p->dim; i++) s += static_cast<int32_t>(x[i]) * static_cast<int32_t>(z[i]);
  return 1.0f - p->scale * p->scale * static_cast<float>(s);
}

inline float Hamming(const void* a, const void* b, const void* param) {
  const auto* p = static_cast<const Params*>(param);
  if (a == tQuery) {
    // q·b with b_i = ±1 by bit i, one table look-up per code byte (the query's tables follow its code).
    const float* t = reinterpret_cast<const float*>(static_cast<const uint8_t*>(a) + p->words * 8);
    const uint8_t* z = static_cast<const uint8_t*>(b);
    float s = 0;
    for (size_t j = 0; j < p->words * 8; j++) s += t[j * 256 + z[j]];
    return 1.0f - s * p->invNormRootDim;
  }
  const uint64_t* x = static_cast<const uint64_t*>(a);
  const uint64_t* z = static_cast<const uint64_t*>(b);
  uint32_t s = 0;
  for (size_t i = 0; i < p->words; i++) s += static_cast<uint32_t>(__builtin_popcountll(x[i] ^ z[i]));
  return static_cast<float>(s);
}

/**
 * The space hnswlib sees: codes of `codeBytes()` bytes. `point` maps a laid-out float element of the exact space
 * (see hnsw.cc's Space) to the point it quantizes.
 */
class QuantSpace : public hnswlib::SpaceInterface<float> {
 public:
  QuantSpace(int mode, int metric, size_t dim) : mode_(mode), metric_(metric) {
    p_.dim = dim;
    p_.words = (dim + 63) / 64;
    p_.centered = metric == 1;
    p_.mins.assign(dim, 0.0f);
    p_.invNormRootDim = 1.0f / std::sqrt(static_cast<float>(dim));
  }
  size_t get_data_size() override { return codeBytes(); }
  hnswlib::DISTFUNC<float> get_dist_func() override {
    if (mode_ == kBinary) return Hamming;
    return p_.centered ? CosineInt8 : L2Int8;
  }
  void* get_dist_func_param() override { return &p_; }
  size_t codeBytes() const { return mode_ == kBinary ? p_.words * 8 : p_.dim; }
  bool trained() const { return mode_ == kBinary || p_.scale > 0; }
  int mode() const { return mode_; }
  const Params& params() const { return p_; }
  Params& params() { return p_; }

  /** p of a laid-out element (l2 [x], cosine [y, 1/|y|, e], poincare [x, f]) into `out` (dim floats). */
  void point(const float* e, float* out) const {
    const size_t d = p_.dim;
    const float f = metric_ == 1 ? e[d] : metric_ == 2 ? e[d] : 1.0f;
    for (size_t i = 0; i < d; i++) out[i] = e[i] * f;
  }

  /** Trains min/scale on `count` laid-out elements of `floats` floats each (int8; binary needs nothing). */
  void train(const float* elements, size_t count, size_t floats) {
    if (mode_ != kInt8 || count == 0) return;
    const size_t d = p_.dim;
    std::vector<float> pt(d), lo(d, INFINITY), hi(d, -INFINITY);
    float absMax = 0;
    for (size_t n = 0; n < count; n++) {
      point(elements + n * floats, pt.data());
      for (size_t i = 0; i < d; i++) {
        lo[i] = std::min(lo[i], pt[i]);
        hi[i] = std::max(hi[i], pt[i]);
        absMax = std::max(absMax, std::fabs(pt[i]));
      }
    }
    if (p_.centered) {
      p_.scale = absMax > 0 ? absMax / 127.0f : 1.0f;
      return;
    }
    float range = 0;
    for (size_t i = 0; i < d; i++) {
      // A margin around the sample's range: later vectors may reach a little past it (they are clamped beyond).
      const float w = hi[i] - lo[i];
      lo[i] -= 0.05f * w;
      range = std::max(range, 1.1f * w);
    }
    p_.mins = lo;
    p_.scale = range > 0 ? range / 255.0f : 1.0f;
  }

  /**
   * A search query for `e`: its code, then (binary) for each code byte j a table of 256 floats, entry v the sum of
   * ±u_i over its 8 dimensions i (+ where bit i of v is set, u the query's unit point), which the asymmetric distance
   * reads while a QueryScope marks it.
   */
  std::vector<uint8_t> query(const float* e) const {
    const size_t bytes = codeBytes();
    std::vector<uint8_t> q(bytes + (mode_ == kBinary ? bytes * 256 * sizeof(float) : 0));
    encode(e, q.data());
    if (mode_ != kBinary) return q;
    std::vector<float> u(bytes * 8, 0.0f);
    point(e, u.data());
    double n2 = 0;
    for (float v : u) n2 += static_cast<double>(v) * v;
    const float inv = n2 > 0 ? static_cast<float>(1.0 / std::sqrt(n2)) : 0.0f;
    std::vector<float> table(bytes * 256);
    for (size_t j = 0; j < bytes; j++) {
      float* t = table.data() + j * 256;
      const float* uj = u.data() + j * 8;
      float base = 0;
      for (size_t k = 0; k < 8; k++) base -= uj[k] * inv;
      t[0] = base;  // then entry v = entry (v without its lowest bit) + 2·u of that bit
      for (unsigned v = 1; v < 256; v++) t[v] = t[v & (v - 1)] + 2.0f * uj[__builtin_ctz(v)] * inv;
    }
    std::memcpy(q.data() + bytes, table.data(), table.size() * sizeof(float));
    return q;
  }

  /** The code of a laid-out element into `out` (codeBytes() bytes). */
  void encode(const float* e, uint8_t* out) const {
    const size_t d = p_.dim;
    std::vector<float> pt(d);
    point(e, pt.data());
    if (mode_ == kBinary) {
      std::memset(out, 0, codeBytes());
      for (size_t i = 0; i < d; i++) {
        if (pt[i] > 0) out[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
      }
      return;
    }
    for (size_t i = 0; i < d; i++) {
      if (p_.centered) {
        const float c = std::round(pt[i] / p_.scale);
        reinterpret_cast<int8_t*>(out)[i] = static_cast<int8_t>(std::max(-127.0f, std::min(127.0f, c)));
      } else {
        const float c = std::round((pt[i] - p_.mins[i]) / p_.scale);
        out[i] = static_cast<uint8_t>(std::max(0.0f, std::min(255.0f, c)));
      }
    }
  }

 private:
  int mode_;
  int metric_;
  Params p_;
};

/** The full float elements by label, in an unlinked file: written with pwrite, read back with pread. */
class RawStore {
 public:
  RawStore(const std::string& path, size_t floats) : floats_(floats) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot open the raw vector store at " + path);
    ::unlink(path.c_str());
  }
  ~RawStore() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawStore(const RawStore&) = delete;
  RawStore& operator=(const RawStore&) = delete;
  size_t bytes() const { return floats_ * sizeof(float); }
  bool write(size_t label, const float* e) const {
    return ::pwrite(fd_, e, bytes(), static_cast<off_t>(label * bytes())) == static_cast<ssize_t>(bytes());
  }
  bool read(size_t label, float* e) const {
    return ::pread(fd_, e, bytes(), static_cast<off_t>(label * bytes())) == static_cast<ssize_t>(bytes());
  }
  /** Copies the first `count` elements to (from) the file at `path` after `offset` bytes. */
  bool copyTo(int fd, off_t offset, size_t count) const {
    std::vector<char> buf(1 << 20);
    const size_t total = count * bytes();
    for (size_t done = 0; done < total;) {
      const size_t n = std::min(buf.size(), total - done);
      if (::pread(fd_, buf.data(), n, static_cast<off_t>(done)) != static_cast<ssize_t>(n)) return false;
      if (::pwrite(fd, buf.data(), n, offset + static_cast<off_t>(done)) != static_cast<ssize_t>(n)) return false;
      done += n;
    }
    return true;
  }
  bool copyFrom(int fd, off_t offset, size_t count) const {
    std::vector<char> buf(1 << 20);
    const size_t total = count * bytes();
    if (::ftruncate(fd_, 0) != 0) return false;
    for (size_t done = 0; done < total;) {
      const size_t n = std::min(buf.size(), total - done);
      if (::pread(fd, buf.data(), n, offset + static_cast<off_t>(done)) != static_cast<ssize_t>(n)) return false;
      if (::pwrite(fd_, buf.data(), n, static_cast<off_t>(done)) != static_cast<ssize_t>(n)) return false;
      done += n;
    }
    return true;
  }

 private:
  int fd_ = -1;
  size_t floats_;
};

/** Sidecar of a saved quantized graph (`<path>.raw`): header, params, then the raw elements. */
struct SidecarHeader {
  char magic[8] = {'H', 'V', 'S', 'Q', 'U', 'A', 'N', '1'};
  uint32_t mode = 0;
  uint32_t metric = 0;
  uint64_t dim = 0;
  uint64_t floats = 0;
  uint64_t count = 0;
  float scale = 0;
  uint32_t pad = 0;
};

}  // namespace hvsquant
