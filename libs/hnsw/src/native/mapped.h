// Opening a saved graph without a full load: hnswlib's own file (saveIndex's format, so every checkpoint ever written
// opens this way) is mapped MAP_PRIVATE into an anonymous reservation, and its level-0 block becomes the graph's
// element memory in place. Pages are shared with the page cache until written; a write (an insert, an update, a
// delete mark) copies that one page. Only the upper-level link lists (about 1/M of the elements) are copied out, and
// hnswlib's label map is filled on the first write (labels are slots, so searches never need it).
//
// Layout of the reservation: [file bytes, mapped from offset 0][anonymous zero pages], so the level-0 block at file
// offset H continues into room for more elements; growing within the reservation costs no copy, past it the memory
// moves to malloc (a copy, once) and the graph is an ordinary hnswlib graph again.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hnswlib.h"

// Node's own zlib (exported by the node binary to addons): the CRC-32 the checkpoint manifest records.
extern "C" unsigned long crc32_z(unsigned long crc, const unsigned char* buf, size_t len);
extern "C" unsigned long crc32_combine64(unsigned long crc1, unsigned long crc2, int64_t len2);

namespace hvsmapped {

/** The mapping under a graph opened by openMapped; empty for a graph in malloc'd memory. */
struct Region {
  char* base = nullptr;
  size_t reservedBytes = 0;
  /** Bytes before the level-0 block (hnswlib's header). */
  size_t headerBytes = 0;
  /** label_lookup_ is still empty (fill it before any write). */
  bool lookupPending = false;
};

inline size_t pageRound(size_t n) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

template <typename T>
bool readPod(const char* base, size_t size, size_t& at, T* out) {
  if (at + sizeof(T) > size) return false;
  std::memcpy(out, base + at, sizeof(T));
  at += sizeof(T);
  return true;
}

/**
 * CRC-32 of [data, data + n), in two halves on two threads when there are two cores and enough bytes (the halves'
 * CRCs combined as zlib does): a checkpoint's graph is hundreds of MB, and the check is all of a restart's reading.
 */
inline uint32_t crc32Of(const char* data, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  if (n < (size_t{32} << 20) || std::thread::hardware_concurrency() < 2) return static_cast<uint32_t>(crc32_z(0, p, n));
  const size_t half = n / 2;
  unsigned long second = 0;
  std::thread helper([&] { second = crc32_z(0, p + half, n - half); });
  const unsigned long first = crc32_z(0, p, half);
  helper.join();
  return static_cast<uint32_t>(crc32_combine64(first, second, static_cast<int64_t>(n - half)));
}

/** Unmaps the region (the graph must not be used afterwards unless it is given other memory). */
inline void release(hnswlib::HierarchicalNSW<float>* h, Region& r) {
  if (!r.base) return;
  if (h) h->data_level0_memory_ = nullptr;  // hnswlib's clear() frees it: never this memory
  munmap(r.base, r.reservedBytes);
  r = Region{};
}

/**
 * What only writes need, made before the first one: hnswlib's label map (labels being slots) and its per-element
 * link locks (searches take none; at 1M they are 40 MB to clear). Needed by addPoint and markDelete.
 */
inline void fillLookup(hnswlib::HierarchicalNSW<float>* h, Region& r) {
  if (!r.lookupPending) return;
  if (h->link_list_locks_.size() < h->max_elements_) std::vector<std::mutex>(h->max_elements_).swap(h->link_list_locks_);
  const size_t count = h->cur_element_count.load();
  h->label_lookup_.reserve(count);
  for (size_t i = 0; i < count; i++) h->label_lookup_.emplace(static_cast<hnswlib::labeltype>(i), static_cast<hnswlib::tableint>(i));
  r.lookupPending = false;
}

/**
 * Opens the graph saved at `path` over a mapping of the file. The whole file is checked against `expectedBytes` and
 * `expectedCrc32` (the manifest's) before any of it is trusted; `deleted` is the number of slots marked deleted in it
 * (the caller's books say; hnswlib would scan every element for it). Room for `capacity` elements at least, and
 * address space for more. Returns "" or why the file was refused.
 */
inline std::string openMapped(const std::string& path, hnswlib::SpaceInterface<float>* space, size_t capacity,
                              size_t deleted, uint32_t expectedCrc32, size_t expectedBytes,
                              std::unique_ptr<hnswlib::HierarchicalNSW<float>>& out, Region& region) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
  struct stat st {};
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) != expectedBytes) {
    ::close(fd);
    return "the file is not the size its manifest says";
  }
  const size_t fileBytes = static_cast<size_t>(st.st_size);
  size_t at = 0;
  // The header is read with pread first: how much to reserve depends on it.
  char head[96];
  if (fileBytes < sizeof(head) || pread(fd, head, sizeof(head), 0) != static_cast<ssize_t>(sizeof(head))) {
    ::close(fd);
    return "the file is too short for a header";
  }
  size_t offsetLevel0 = 0, maxElements = 0, count = 0, sizePerElement = 0, labelOffset = 0, offsetData = 0;
  int maxLevel = 0;
  hnswlib::tableint enterpoint = 0;
  size_t maxM = 0, maxM0 = 0, M = 0, efc = 0;
  double mult = 0;
  readPod(head, sizeof(head), at, &offsetLevel0);
  readPod(head, sizeof(head), at, &maxElements);
  readPod(head, sizeof(head), at, &count);
  readPod(head, sizeof(head), at, &sizePerElement);
  readPod(head, sizeof(head), at, &labelOffset);
  readPod(head, sizeof(head), at, &offsetData);
  readPod(head, sizeof(head), at, &maxLevel);
  readPod(head, sizeof(head), at, &enterpoint);
  readPod(head, sizeof(head), at, &maxM);
  readPod(head, sizeof(head), at, &maxM0);
  readPod(head, sizeof(head), at, &M);
  readPod(head, sizeof(head), at, &mult);
  readPod(head, sizeof(head), at, &efc);
  const size_t headerBytes = at;
  if (sizePerElement == 0 || sizePerElement > (1u << 24) || count > (fileBytes - headerBytes) / sizePerElement ||
      offsetLevel0 != 0 || maxM0 == 0 || maxM0 > 100000 || maxM == 0 || maxM > 100000) {
    ::close(fd);
    return "the header does not describe this file";
  }
  const size_t cap = std::max(capacity, count);
  // Address space for twice the elements (at least 1024 more): untouched pages of a MAP_NORESERVE mapping cost nothing.
  const size_t room = std::max(cap, 2 * count + 1024);
  const size_t reservedBytes = pageRound(std::max(headerBytes + room * sizePerElement, fileBytes));
  void* reserved = mmap(nullptr, reservedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reserved == MAP_FAILED) {
    ::close(fd);
    return std::string("mmap: ") + std::strerror(errno);
  }
  char* base = static_cast<char*>(reserved);
  // Populated read-only, then made writable: MAP_POPULATE of a writable private mapping would copy every page.
  void* file = mmap(base, pageRound(fileBytes), PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0);
  int mapErrno = errno;
  ::close(fd);
  if (file != MAP_FAILED && mprotect(base, pageRound(fileBytes), PROT_READ | PROT_WRITE) != 0) {
    mapErrno = errno;
    file = MAP_FAILED;
  }
  if (file == MAP_FAILED) {
    munmap(base, reservedBytes);
    return std::string("mmap of the file: ") + std::strerror(mapErrno);
  }
  Region r{base, reservedBytes, headerBytes, true};
  auto refuse = [&](const std::string& why) {
    munmap(base, reservedBytes);
    return why;
  };
  if (crc32Of(base, fileBytes) != expectedCrc32) {
    return refuse("the file does not match its manifest's CRC-32");
  }

  auto h = std::make_unique<hnswlib::HierarchicalNSW<float>>(space);
  h->offsetLevel0_ = offsetLevel0;
  h->max_elements_ = cap;
  h->size_data_per_element_ = sizePerElement;
  h->label_offset_ = labelOffset;
  h->offsetData_ = offsetData;
  h->maxlevel_ = maxLevel;
  h->enterpoint_node_ = enterpoint;
  h->maxM_ = maxM;
  h->maxM0_ = maxM0;
  h->M_ = M;
  h->mult_ = mult;
  h->ef_construction_ = efc;
  h->data_size_ = space->get_data_size();
  h->fstdistfunc_ = space->get_dist_func();
  h->dist_func_param_ = space->get_dist_func_param();
  h->size_links_per_element_ = maxM * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
  h->size_links_level0_ = maxM0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
  h->revSize_ = 1.0 / mult;
  h->ef_ = 10;
  h->num_deleted_ = deleted;
  if (h->size_data_per_element_ != h->size_links_level0_ + h->data_size_ + sizeof(hnswlib::labeltype) ||
      h->offsetData_ != h->size_links_level0_ || h->label_offset_ != h->size_links_level0_ + h->data_size_ ||
      (count > 0 && enterpoint >= count)) {
    return refuse("the file was written for another layout");
  }
  // link_list_locks_ stay empty until the first write (fillLookup).
  std::vector<std::mutex>(hnswlib::HierarchicalNSW<float>::MAX_LABEL_OPERATION_LOCKS).swap(h->label_op_locks_);
  h->visited_list_pool_.reset(new hnswlib::VisitedListPool(1, cap));
  h->element_levels_ = std::vector<int>(cap);
  h->linkLists_ = static_cast<char**>(std::calloc(cap, sizeof(void*)));
  if (!h->linkLists_) return refuse("out of memory for the link lists");
  // Only now: clear() walks element_levels_ up to the count.
  h->cur_element_count = count;
  // From here on hnswlib's clear() frees what it owns; the mapping stays ours.
  h->data_level0_memory_ = base + headerBytes;
  at = headerBytes + count * sizePerElement;
  std::string error;
  for (size_t i = 0; i < count && error.empty(); i++) {
    unsigned int size = 0;
    if (!readPod(base, fileBytes, at, &size)) {
      error = "the upper levels are cut short";
    } else if (size == 0) {
      h->element_levels_[i] = 0;
    } else if (size % h->size_links_per_element_ != 0 || at + size > fileBytes) {
      error = "an upper-level link list does not fit";
    } else {
      h->element_levels_[i] = static_cast<int>(size / h->size_links_per_element_);
      h->linkLists_[i] = static_cast<char*>(std::malloc(size));
      if (!h->linkLists_[i]) {
        error = "out of memory for the link lists";
      } else {
        std::memcpy(h->linkLists_[i], base + at, size);
        at += size;
      }
    }
  }
  if (error.empty() && at != fileBytes) error = "bytes after the upper levels";
  if (!error.empty()) {
    // clear() frees the link lists made so far (the others are null) and never the mapping.
    h->data_level0_memory_ = nullptr;
    h.reset();
    return refuse(error);
  }
  // Labels are slots: the CRC vouches that this is the file our Graph wrote, whose labels always are; unlike load(),
  // no element is read to check it (that alone would touch every page).
  out = std::move(h);
  region = r;
  return "";
}

/**
 * hnswlib's resizeIndex for a graph over a mapping: within the reservation only the per-element books grow; past it
 * the elements are copied to malloc'd memory and the mapping is released (hnswlib owns everything from then on).
 */
inline void resizeMapped(hnswlib::HierarchicalNSW<float>* h, Region& r, size_t capacity) {
  const size_t bytes = capacity * h->size_data_per_element_;
  if (r.headerBytes + bytes > r.reservedBytes) {
    fillLookup(h, r);
    char* moved = static_cast<char*>(std::malloc(bytes));
    if (!moved) throw std::runtime_error("Not enough memory: resizeIndex failed to allocate base layer");
    std::memcpy(moved, h->data_level0_memory_, h->cur_element_count.load() * h->size_data_per_element_);
    release(h, r);
    h->data_level0_memory_ = moved;
    h->resizeIndex(capacity);  // realloc of the malloc'd block to the same size, and the books
    return;
  }
  h->visited_list_pool_.reset(new hnswlib::VisitedListPool(1, capacity));
  h->element_levels_.resize(capacity);
  std::vector<std::mutex>(capacity).swap(h->link_list_locks_);
  char** lists = static_cast<char**>(std::realloc(h->linkLists_, sizeof(void*) * capacity));
  if (!lists) throw std::runtime_error("Not enough memory: resizeIndex failed to allocate other layers");
  h->linkLists_ = lists;
  h->max_elements_ = capacity;
}

}  // namespace hvsmapped
