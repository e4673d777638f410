// A fixed array of value-initialised T for the big per-core tables (flow
// table, TCB and TIME_WAIT pools). From 2 MiB up it is mapped on its own
// and advised onto transparent huge pages: every segment probes these
// tables at random, and with 4 KiB pages each probe is also a TLB miss,
// which under virtualisation is a two-dimensional page walk. Smaller
// arrays (tests, small configs) stay on the heap. Where the kernel has THP
// off, the advice is ignored and the pages are ordinary ones.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace tern::util {

template <class T>
class HugeArray {
  public:
    static constexpr size_t kHugePage = size_t(2) << 20;

    explicit HugeArray(size_t n) : n_(n) {
        const size_t bytes = n * sizeof(T);
        if (bytes >= kHugePage) {
            // Over-map by one huge page and keep a 2 MiB-aligned window, so
            // the whole array can be backed by huge pages.
            map_len_ = bytes + kHugePage;
            void* m = mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
            if (m == MAP_FAILED) throw std::bad_alloc();
            map_ = m;
            const auto a = (reinterpret_cast<uintptr_t>(m) + kHugePage - 1) & ~(kHugePage - 1);
            p_ = reinterpret_cast<T*>(a);
            madvise(p_, (bytes + kHugePage - 1) & ~(kHugePage - 1), MADV_HUGEPAGE);
        } else {
            heap_.reset(static_cast<T*>(::operator new(bytes ? bytes : 1, std::align_val_t(alignof(T)))));
            p_ = heap_.get();
        }
        for (size_t i = 0; i < n_; ++i) new (p_ + i) T();
    }
    ~HugeArray() {
        for (size_t i = 0; i < n_; ++i) p_[i].~T();
        if (map_) munmap(map_, map_len_);
    }
    HugeArray(const HugeArray&) = delete;
    HugeArray& operator=(const HugeArray&) = delete;

    T& operator[](size_t i) { return p_[i]; }
    const T& operator[](size_t i) const { return p_[i]; }
    T* get() { return p_; }
    const T* get() const { return p_; }
    size_t size() const { return n_; }

  private:
    struct AlignedDelete {
        void operator()(T* p) const { ::operator delete(p, std::align_val_t(alignof(T))); }
    };
    size_t n_;
    T* p_ = nullptr;
    void* map_ = nullptr;
    size_t map_len_ = 0;
    std::unique_ptr<T, AlignedDelete> heap_;
};

}  // namespace tern::util
