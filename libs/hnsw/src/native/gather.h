// gather: what a search answer needs of its hits after the graph walk, in one native call instead of a JavaScript loop
// per hit: the float64 sums the exact distances are finished from, and a copy of each hit's original vector.
//
// The sums are those the JavaScript distance functions (libs/vector-index geometry.ts, distanceFrom) accumulate, in
// the same order with the same float64 operations, so the distances finished from them are bit for bit the ones a
// JavaScript recomputation gives: l2 Σ(x−q)², cosine Σx·q and Σx² (x the stored, possibly 2^−e scaled, vector). The
// hits are accumulated side by side (each one's own sum still runs in element order): the chains are independent, so
// the loop is bound by throughput rather than by the latency of one long chain of additions.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hnswlib.h"

namespace hvsgather {

/** Hits accumulated side by side: enough independent chains to hide an addition's latency. */
constexpr size_t kLanes = 4;

/** Σ(x−q)² of L hits at once (L a constant, so the accumulators live in registers), each in element order. */
template <size_t L>
void sumsL2(const float* const* x, const float* query, size_t dim, double* out) {
  double s[L] = {};
  for (size_t i = 0; i < dim; i++) {
    const double q = query[i];
    for (size_t l = 0; l < L; l++) {
      const double t = static_cast<double>(x[l][i]) - q;
      s[l] += t * t;
    }
  }
  for (size_t l = 0; l < L; l++) out[l] = s[l];
}

/** Σx·q and Σx² of L hits at once, each in element order, interleaved in `out`. */
template <size_t L>
void sumsCosine(const float* const* x, const float* query, size_t dim, double* out) {
  double dot[L] = {};
  double n2[L] = {};
  for (size_t i = 0; i < dim; i++) {
    const double q = query[i];
    for (size_t l = 0; l < L; l++) {
      const double v = x[l][i];
      dot[l] += v * q;
      n2[l] += v * v;
    }
  }
  for (size_t l = 0; l < L; l++) {
    out[2 * l] = dot[l];
    out[2 * l + 1] = n2[l];
  }
}

template <size_t L>
void sumsOf(size_t perHit, const float* const* x, const float* query, size_t dim, double* out) {
  if (perHit == 1) sumsL2<L>(x, query, dim, out);
  if (perHit == 2) sumsCosine<L>(x, query, dim, out);
}

/**
 * Fills `sums` for `labels[0..count)` (l2: one per hit; cosine: dot then |x|², two per hit; `sumsPerHit` 0: none)
 * and, when `vectors` is not null, copies each hit's original vector to vectors[i·dim ..) (cosine elements scaled
 * back by their power of two, exactly). Every label must be below the graph's element count.
 */
inline void gather(const hnswlib::HierarchicalNSW<float>& h, size_t dim, bool cosine, size_t sumsPerHit, const float* query,
                   const uint32_t* labels, size_t count, double* sums, float* vectors) {
  for (size_t base = 0; base < count; base += kLanes) {
    const size_t lanes = count - base < kLanes ? count - base : kLanes;
    const float* x[kLanes];
    for (size_t l = 0; l < lanes; l++) x[l] = reinterpret_cast<const float*>(h.getDataByInternalId(labels[base + l]));
    double* out = sums + base * sumsPerHit;
    switch (lanes) {
      case 4: sumsOf<4>(sumsPerHit, x, query, dim, out); break;
      case 3: sumsOf<3>(sumsPerHit, x, query, dim, out); break;
      case 2: sumsOf<2>(sumsPerHit, x, query, dim, out); break;
      default: sumsOf<1>(sumsPerHit, x, query, dim, out); break;
    }
    if (!vectors) continue;
    for (size_t l = 0; l < lanes; l++) {
      float* out = vectors + (base + l) * dim;
      // cosine elements are [y, 1/|y|, e] with x = y·2^e; e is 0 but for norms beyond 2^±40.
      const float e = cosine ? x[l][dim + 1] : 0.0f;
      if (e == 0.0f) {
        std::memcpy(out, x[l], dim * sizeof(float));
      } else {
        const int p = static_cast<int>(e);
        for (size_t i = 0; i < dim; i++) out[i] = std::ldexp(x[l][i], p);
      }
    }
  }
}

}  // namespace hvsgather
