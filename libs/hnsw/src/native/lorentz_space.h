// The Lorentz space of @hvs-nvm/hnsw: hyperboloid points searched by the Lorentz inner product itself.
//
// Element [x, a, e]: the spatial part x (dim floats, the caller's vector as given), then two doubles in the next
// four float slots: the norm a = |x| and e = x0 − a = 1/(x0 + a), x0 = √(1+a²) the time part (float32 cannot hold
// x0: at radius 18 it is ≈ 3·10⁷, and x0 − |x| ≈ 10⁻⁸).
// Distance −⟨x,y⟩_L − 1 = cosh d(x,y) − 1, monotone in the hyperbolic distance d:
//   fast   (|x − y|² − (x0 − y0)²) / 2, |x − y|² summed in float (SIMD), kept when the difference holds at least
//          kFloatShare of |x − y|² (so its relative error stays below 256·dim·2⁻²⁴, ~1e-4 at 8-d: enough to steer
//          the graph, whose caller rescores its candidates exactly; 1/16 sent half of a 128-d search to the double
//          path and halved its speed);
//   exact  else (near points, or points along one ray, far from the origin, where the two terms cancel), the same
//          quantity split into two non-negative parts, summed in double from the same float32 coordinates:
//          (a − b)²·(e_x + e_y)(x0 + y0 + a + b)/(x0 + y0)² + a·b·|x/a − y/b|², halved.
// So the ordering holds at any radius, and a caller needs one graph search (plus its own exact rescore).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstring>

#include "hnswlib.h"

namespace hvslorentz {

/** Floats after the vector: the norm and x0 − norm, as doubles. */
constexpr size_t kExtraFloats = 4;

/** The float sum of |x − y|² is kept when the result is at least this share of it. */
constexpr double kFloatShare = 1.0 / 256;

/**
 * cosh d − 1 as hnswlib's float distance: itself up to kRankLinear (d ≈ 70), then kRankLinear·(1 + ln(r/kRankLinear)),
 * continuous and increasing, so that pairs past d ≈ 89 (radii to ~45 and beyond) do not all overflow to infinity and
 * tie: the graph ranks by it, exact distances are the caller's rescore.
 */
constexpr double kRankLinear = 0x1p100;

inline float rank(double r) {
  return static_cast<float>(r <= kRankLinear ? r : kRankLinear * (1.0 + std::log(r / kRankLinear)));
}

inline double extra(const float* element, size_t dim, size_t which) {
  double v;
  std::memcpy(&v, element + dim + 2 * which, sizeof(double));
  return v;
}

/** Lays out x as [x, |x|, √(1+|x|²) − |x|]; |x|² is summed in double. */
inline void element(const float* x, float* out, size_t dim) {
  double n2 = 0;
  for (size_t i = 0; i < dim; i++) n2 += static_cast<double>(x[i]) * x[i];
  std::memcpy(out, x, dim * sizeof(float));
  const double a = std::sqrt(n2);
  const double e = 1.0 / (std::sqrt(1.0 + n2) + a);
  std::memcpy(out + dim, &a, sizeof(double));
  std::memcpy(out + dim + 2, &e, sizeof(double));
}

inline float squaredFloat(const float* x, const float* z, size_t dim) {
  float s = 0;
  size_t i = 0;
#if defined(USE_SSE)
  __m128 sum = _mm_setzero_ps();
  for (; i + 4 <= dim; i += 4) {
    const __m128 t = _mm_sub_ps(_mm_loadu_ps(x + i), _mm_loadu_ps(z + i));
    sum = _mm_add_ps(sum, _mm_mul_ps(t, t));
  }
  float lanes[4];
  _mm_storeu_ps(lanes, sum);
  s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
#endif
  for (; i < dim; i++) {
    const float t = x[i] - z[i];
    s += t * t;
  }
  return s;
}

/** |x·f − z·g|² in double. */
inline double chordDouble(const float* x, double f, const float* z, double g, size_t dim) {
  double s = 0;
  size_t i = 0;
#if defined(USE_SSE)
  const __m128d vf = _mm_set1_pd(f);
  const __m128d vg = _mm_set1_pd(g);
  __m128d sum0 = _mm_setzero_pd();
  __m128d sum1 = _mm_setzero_pd();
  for (; i + 4 <= dim; i += 4) {
    const __m128 p = _mm_loadu_ps(x + i);
    const __m128 q = _mm_loadu_ps(z + i);
    const __m128d lo = _mm_sub_pd(_mm_mul_pd(_mm_cvtps_pd(p), vf), _mm_mul_pd(_mm_cvtps_pd(q), vg));
    const __m128d hi =
        _mm_sub_pd(_mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(p, p)), vf), _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(q, q)), vg));
    sum0 = _mm_add_pd(sum0, _mm_mul_pd(lo, lo));
    sum1 = _mm_add_pd(sum1, _mm_mul_pd(hi, hi));
  }
  double lanes[2];
  _mm_storeu_pd(lanes, _mm_add_pd(sum0, sum1));
  s = lanes[0] + lanes[1];
#endif
  for (; i < dim; i++) {
    const double t = x[i] * f - z[i] * g;
    s += t * t;
  }
  return s;
}

/** cosh d − 1 between two elements; `param` points at the dimension. */
inline float distance(const void* pa, const void* pb, const void* param) {
  const size_t dim = *static_cast<const size_t*>(param);
  const float* x = static_cast<const float*>(pa);
  const float* z = static_cast<const float*>(pb);
  const double a = extra(x, dim, 0);
  const double ea = extra(x, dim, 1);
  const double b = extra(z, dim, 0);
  const double eb = extra(z, dim, 1);
  const double x0 = a + ea;
  const double z0 = b + eb;
  const double t = x0 - z0;
  const double s = squaredFloat(x, z, dim);
  const double r = 0.5 * (s - t * t);
  if (r >= kFloatShare * s) return rank(r);
  const double sum0 = x0 + z0;
  const double radial = (a - b) * (a - b) * ((ea + eb) * (sum0 + a + b)) / (sum0 * sum0);
  const double angular = a > 0 && b > 0 ? a * b * chordDouble(x, 1.0 / a, z, 1.0 / b, dim) : 0.0;
  return rank(0.5 * (radial + angular));
}

// ---- lorentz64: the same distance over float64 coordinates ------------------------------------------------------
// float32 coordinates cannot hold deep points apart: at radius r a coordinate is ~e^r/2, its float32 step e^r·2^-25,
// so two points whose chord is below that step coincide (at radius 30, siblings at hyperbolic distance 1 have a
// chord of ~1 next to a step of ~2·10^5). Element [pad, x, a, e, 1/a]: one pad float, so that the doubles that
// follow sit on 8-byte boundaries of hnswlib's element memory (its data offset is 4·(2M+1) bytes, 4 mod 8) and a
// Float64Array views them; then the dim coordinates and the norm a = |x|, e = x0 − a and 1/a (0 for a = 0), all
// doubles. 2·dim + 7 floats in all (the float32 layout: dim + 4).
// Distance: the fast form in double SIMD, kept when the difference holds at least kDoubleShare of |x − y|² (a
// relative error below ~dim·2^-52/kDoubleShare ≈ 1e-7 at 16-d); else the split form, from the stored 1/a.

/** Floats of a lorentz64 element for `dim` coordinates. */
constexpr size_t floats64(size_t dim) { return 1 + 2 * (dim + 3); }

constexpr double kDoubleShare = 1.0 / (1 << 24);

inline const double* coordinates64(const void* element) {
  return reinterpret_cast<const double*>(static_cast<const char*>(element) + sizeof(float));
}

/** Lays out x (dim doubles) as a lorentz64 element at `out` (floats64(dim) floats). */
inline void element64(const double* x, float* out, size_t dim) {
  double n2 = 0;
  for (size_t i = 0; i < dim; i++) n2 += x[i] * x[i];
  const double a = std::sqrt(n2);
  const double tail[3] = {a, 1.0 / (std::sqrt(1.0 + n2) + a), a > 0 ? 1.0 / a : 0.0};
  out[0] = 0;
  char* at = reinterpret_cast<char*>(out) + sizeof(float);
  std::memcpy(at, x, dim * sizeof(double));
  std::memcpy(at + dim * sizeof(double), tail, sizeof(tail));
}

/** |x·f − z·g|² (f = g = 1: |x − z|²) over doubles that may sit off 16-byte boundaries. */
inline double chord64(const double* x, double f, const double* z, double g, size_t dim) {
  size_t i = 0;
  double s = 0;
#if defined(USE_SSE)
  const __m128d vf = _mm_set1_pd(f);
  const __m128d vg = _mm_set1_pd(g);
  __m128d sum0 = _mm_setzero_pd();
  __m128d sum1 = _mm_setzero_pd();
  for (; i + 4 <= dim; i += 4) {
    const __m128d t0 = _mm_sub_pd(_mm_mul_pd(_mm_loadu_pd(x + i), vf), _mm_mul_pd(_mm_loadu_pd(z + i), vg));
    const __m128d t1 = _mm_sub_pd(_mm_mul_pd(_mm_loadu_pd(x + i + 2), vf), _mm_mul_pd(_mm_loadu_pd(z + i + 2), vg));
    sum0 = _mm_add_pd(sum0, _mm_mul_pd(t0, t0));
    sum1 = _mm_add_pd(sum1, _mm_mul_pd(t1, t1));
  }
  double lanes[2];
  _mm_storeu_pd(lanes, _mm_add_pd(sum0, sum1));
  s = lanes[0] + lanes[1];
#endif
  for (; i < dim; i++) {
    const double t = x[i] * f - z[i] * g;
    s += t * t;
  }
  return s;
}

inline double squared64(const double* x, const double* z, size_t dim) {
  size_t i = 0;
  double s = 0;
#if defined(USE_SSE)
  __m128d sum0 = _mm_setzero_pd();
  __m128d sum1 = _mm_setzero_pd();
  for (; i + 4 <= dim; i += 4) {
    const __m128d t0 = _mm_sub_pd(_mm_loadu_pd(x + i), _mm_loadu_pd(z + i));
    const __m128d t1 = _mm_sub_pd(_mm_loadu_pd(x + i + 2), _mm_loadu_pd(z + i + 2));
    sum0 = _mm_add_pd(sum0, _mm_mul_pd(t0, t0));
    sum1 = _mm_add_pd(sum1, _mm_mul_pd(t1, t1));
  }
  double lanes[2];
  _mm_storeu_pd(lanes, _mm_add_pd(sum0, sum1));
  s = lanes[0] + lanes[1];
#endif
  for (; i < dim; i++) {
    const double t = x[i] - z[i];
    s += t * t;
  }
  return s;
}

/** cosh d − 1 between two lorentz64 elements (past d ≈ 70 compressed, see rank). */
inline float distance64(const void* pa, const void* pb, const void* param) {
  const size_t dim = *static_cast<const size_t*>(param);
  const double* x = coordinates64(pa);
  const double* z = coordinates64(pb);
  double tx[3];
  double tz[3];
  std::memcpy(tx, x + dim, sizeof(tx));
  std::memcpy(tz, z + dim, sizeof(tz));
  const double a = tx[0], ea = tx[1], b = tz[0], eb = tz[1];
  const double t = (a - b) + (ea - eb);
  const double s = squared64(x, z, dim);
  const double r = 0.5 * (s - t * t);
  if (r >= kDoubleShare * s) return rank(r);
  const double sum0 = (a + ea) + (b + eb);
  const double radial = (a - b) * (a - b) * ((ea + eb) * (sum0 + a + b)) / (sum0 * sum0);
  const double angular = a > 0 && b > 0 ? a * b * chord64(x, tx[2], z, tz[2], dim) : 0.0;
  return rank(0.5 * (radial + angular));
}

}  // namespace hvslorentz
